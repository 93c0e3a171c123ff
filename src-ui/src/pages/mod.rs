//! One module per screen; the app frame in `app.rs` switches between them.
pub mod contacts;
pub mod ecship;
pub mod editor;
pub mod fields;
pub mod import;
pub mod item_check;
pub mod posting;
pub mod print;
pub mod quote;
pub mod shipments;
pub mod sync;
pub mod tracking;
