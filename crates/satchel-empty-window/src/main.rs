//! The smallest Tauri window this workspace can build: one empty page, no commands, no state.
//! `cargo xtask bench` starts it next to the installed Satchel so that what Satchel itself
//! adds to the start-up time and the idle memory of a WebKitGTK window is visible as a ratio.
#![forbid(unsafe_code)]

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}
