//! The Tauri shell: the only crate that knows Tauri.
//!
//! It wires commands to the domain engine and holds app-wide state. Commands are thin adapters
//! (request DTO → domain call → response DTO) so that every decision stays in `satchel-core`,
//! where it is tested without a window.
#![forbid(unsafe_code)]

pub mod commands;

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::item::check_item_number])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}
