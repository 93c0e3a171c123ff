//! One module per feature; each `#[tauri::command]` converts, delegates and converts back.
pub mod item;
pub mod quote;
