//! `cargo xtask bundle` (release installers with the Tauri bundler) and the installed-package
//! check of `cargo xtask test` (issue #15): the `.deb` is installed with apt, the installed
//! binary is driven through its first run in a fresh home folder, the same package is
//! installed again (the upgrade path) and the data must still be there; then it is removed.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::setup::{apt_get, dpkg_installed};
use crate::{build_ui, cargo, sh, target_dir, NATIVE_FEATURES};

/// The package's name, as the bundler derives it from `productName`.
const PACKAGE: &str = "satchel";
/// Where the package puts the app.
const INSTALLED_BIN: &str = "/usr/bin/satchel-app";

/// Builds the UI and the release shell, then packs them; returns the installers' paths.
pub fn bundle(root: &Path, kinds: &[String]) -> Result<Vec<PathBuf>> {
    crate::setup::ensure_app_tools()?;
    build_ui()?;
    cargo(&[
        "build",
        "--release",
        "-p",
        "satchel-app",
        "--features",
        "satchel-app/custom-protocol",
    ])?;
    let release = target_dir(root).join("release");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "-p", "satchel-bundle", "--"])
        .arg(root)
        .arg(&release)
        .args(kinds)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("could not run satchel-bundle")?;
    if !out.status.success() {
        bail!("satchel-bundle exited with {}", out.status);
    }
    let paths: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .collect();
    for p in &paths {
        println!("installer: {}", p.display());
    }
    Ok(paths)
}

/// Installs the `.deb`, runs the installed app's first run, installs it again, checks the data
/// survived; the package is removed afterwards whatever happened.
pub fn check_installed(root: &Path) -> Result<()> {
    let home = target_dir(root)
        .join("tmp")
        .join(format!("installed-home-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home)?;
    let checked = with_installed(root, |deb| {
        installed_test(
            root,
            &home,
            "installed_first_run_sets_up_and_lands_on_today",
        )?;
        apt_get(&["install", "-y", "-qq", "--reinstall", deb])?;
        installed_test(
            root,
            &home,
            "after_an_upgrade_install_the_data_is_still_there",
        )
    });
    let _ = std::fs::remove_dir_all(&home);
    checked
}

/// Cold start and idle memory of the installed app next to the empty window (prints figures).
pub fn bench_startup(root: &Path) -> Result<()> {
    cargo(&[
        "build",
        "--release",
        "-p",
        "satchel-empty-window",
        "--features",
        "satchel-empty-window/custom-protocol",
    ])?;
    let empty = target_dir(root)
        .join("release")
        .join("satchel-empty-window");
    with_installed(root, |_| {
        let mut cmd = Command::new("xvfb-run");
        cmd.args(["-a", "-s", "-screen 0 1280x800x24", "cargo", "bench"])
            .args([
                "-p",
                "satchel-tests",
                "--features",
                "e2e",
                "--bench",
                "startup",
            ])
            .env("SATCHEL_APP_BIN", INSTALLED_BIN)
            .env("SATCHEL_EMPTY_WINDOW_BIN", &empty);
        sh(&mut cmd)
    })
}

/// Builds and installs the `.deb`, runs `f` with its path, then removes the package (also when
/// `f` failed) and checks it is gone.
fn with_installed(root: &Path, f: impl FnOnce(&str) -> Result<()>) -> Result<()> {
    let debs = bundle(root, &["deb".to_owned()])?;
    let deb = debs
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .context("the bundler made no .deb")?
        .to_string_lossy()
        .into_owned();
    apt_get(&["install", "-y", "-qq", &deb])?;
    let ran = if Path::new(INSTALLED_BIN).exists() {
        f(&deb)
    } else {
        Err(anyhow::anyhow!("the package installed no {INSTALLED_BIN}"))
    };
    let removed = apt_get(&["remove", "-y", "-qq", PACKAGE]);
    ran?;
    removed?;
    if dpkg_installed(PACKAGE) || Path::new(INSTALLED_BIN).exists() {
        bail!("{PACKAGE} is still installed after apt-get remove");
    }
    Ok(())
}

/// One test of `tests/installed.rs` against the installed binary, under Xvfb with a keyring.
fn installed_test(root: &Path, home: &Path, name: &str) -> Result<()> {
    let mut cmd = Command::new(root.join("crates/satchel-keychain/tests/with-keyring.sh"));
    cmd.args([
        "xvfb-run",
        "-a",
        "-s",
        "-screen 0 1280x800x24",
        "cargo",
        "test",
    ])
    .args(["--workspace", "--exclude", "satchel-ui", "--features"])
    .arg(format!("{NATIVE_FEATURES},satchel-tests/installed"))
    .args(["--test", "installed", "--", "--exact", name])
    .env("SATCHEL_APP_BIN", INSTALLED_BIN)
    .env("SATCHEL_INSTALLED_HOME", home);
    sh(&mut cmd)
}
