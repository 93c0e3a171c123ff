//! Installs what the app needs on a fresh Debian/Ubuntu machine, and nothing when it is there.
//!
//! Versions are pinned to ones that build with the pinned rustc (toolchain.md §2.3): trunk
//! 0.22 needs a newer rustc, and wasm-bindgen-cli must equal the `wasm-bindgen` crate in
//! Cargo.lock or trunk tries to download its own from the network.

use std::process::Command;

use anyhow::{Context, Result};

use crate::sh;

/// WebKitGTK and friends for the Tauri shell, Xvfb and the WebDriver for the E2E test,
/// ImageMagick's `import` for headless screenshots, and a Traditional Chinese font so the
/// zh-HK screens never show missing-glyph boxes on a bare machine.
const APT_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "curl",
    "wget",
    "file",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libxdo-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "imagemagick",
    "fonts-noto-cjk",
    // pdftoppm/pdffonts and zbarimg: the satchel-labels tests rasterise the PDFs and scan
    // every barcode back.
    "poppler-utils",
    "zbar-tools",
    // satchel-print's tests: CUPS with a cups-pdf queue, and ippeveprinter, which needs the
    // system D-Bus and avahi for DNS-SD (toolchain.md §4); they read back with poppler-utils.
    "cups",
    "cups-client",
    "cups-bsd",
    "printer-driver-cups-pdf",
    "cups-ipp-utils",
    "avahi-daemon",
    "dbus",
    // satchel-keychain's tests and the app under test keep credentials in a real keychain:
    // a throwaway gnome-keyring on a private session bus, and the kernel keyring
    // (toolchain.md §6; crates/satchel-keychain/tests/with-keyring.sh).
    "gnome-keyring",
    "keyutils",
    // The hub's PostgreSQL backend is tested against a real, throwaway cluster (§8.1), with
    // TLS from a test CA made by the openssl command.
    "postgresql",
    "openssl",
];

const WASM_BINDGEN: &str = "0.2.130";
const TRUNK: &str = "0.21.14";
const TAURI_DRIVER: &str = "2.1.0";
/// Checks the dependency bans of deny.toml (`cargo deny check bans`).
const CARGO_DENY: &str = "0.20.2";

pub fn ensure_app_tools() -> Result<()> {
    ensure_apt(APT_PACKAGES)?;
    ensure_wasm_target()?;
    // `--locked` fails for wasm-bindgen-cli 0.2.130 (a locked dependency is not on the
    // registry), so it alone resolves afresh (toolchain.md P5).
    ensure_cargo_tool("wasm-bindgen-cli", WASM_BINDGEN, false)?;
    ensure_cargo_tool("trunk", TRUNK, true)?;
    ensure_cargo_tool("tauri-driver", TAURI_DRIVER, true)?;
    ensure_cargo_tool("cargo-deny", CARGO_DENY, true)?;
    Ok(())
}

pub fn ensure_apt(packages: &[&str]) -> Result<()> {
    if !std::path::Path::new("/usr/bin/dpkg").exists() {
        println!(
            "setup: not a Debian-like system; install the equivalents of {packages:?} yourself"
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|p| !dpkg_installed(p))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("setup: apt-get install {}", missing.join(" "));
    apt_get(&["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(&missing);
    apt_get(&args)
}

/// `apt-get` with `args`, through sudo unless this is root, never asking questions.
pub fn apt_get(args: &[&str]) -> Result<()> {
    let mut c = if is_root() {
        Command::new("apt-get")
    } else {
        let mut c = Command::new("sudo");
        c.arg("apt-get");
        c
    };
    c.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    sh(&mut c)
}

pub fn dpkg_installed(package: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", package])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn ensure_wasm_target() -> Result<()> {
    let out = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .context("rustup is needed to add the wasm32 target")?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == super::WASM)
    {
        return Ok(());
    }
    sh(Command::new("rustup").args(["target", "add", super::WASM]))
}

fn ensure_cargo_tool(krate: &str, version: &str, locked: bool) -> Result<()> {
    // `cargo install --list` knows every tool's version; tauri-driver has no `--version`.
    let listed = Command::new("cargo")
        .args(["install", "--list"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if listed
        .lines()
        .any(|l| l.starts_with(&format!("{krate} v{version}:")))
    {
        return Ok(());
    }
    println!("setup: cargo install {krate} {version}");
    let mut c = Command::new("cargo");
    c.args(["install", krate, "--version", version]);
    if locked {
        c.arg("--locked");
    }
    sh(&mut c)
}
