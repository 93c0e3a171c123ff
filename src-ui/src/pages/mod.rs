//! One module per screen; the app frame in `app.rs` switches between them.
pub mod item_check;
pub mod quote;
