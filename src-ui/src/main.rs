//! Satchel's user interface: a Leptos client-side app compiled to wasm and shown by the shell.
//!
//! The only crate that knows Leptos. It never computes a domain answer itself: every result
//! comes from the shell through [`ipc`], so the screen shows exactly what the CLI and the tests
//! see.
#![forbid(unsafe_code)]

mod app;
mod components;
mod files;
mod i18n;
mod ipc;
mod lock;
mod pages;
mod panels;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
