//! One module per screen; the app frame in `app.rs` switches between them. A screen is
//! composed of named parts; panels it opens are in `crate::panels`, widgets in
//! `crate::components`.
pub mod contacts;
pub mod ecship;
pub mod editor;
pub mod home;
pub mod item_check;
pub mod quote;
pub mod setup;
pub mod shipments;
pub mod sync;
