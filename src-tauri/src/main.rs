//! The desktop entry point; everything lives in the library so tests and mobile share it.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    satchel_app_lib::run()
}
