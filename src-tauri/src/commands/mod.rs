//! One module per feature; each `#[tauri::command]` converts, delegates and converts back.
pub mod contacts;
pub mod csv;
pub mod ecship;
pub mod item;
pub mod labels;
pub mod lock;
pub mod posting;
pub mod quote;
pub mod shipments;
pub mod sync;
