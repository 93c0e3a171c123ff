//! Tauri's code generation for the empty window's own `tauri.conf.json`.
fn main() {
    tauri_build::build()
}
