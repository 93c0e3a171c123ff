//! `cargo xtask bundle`'s packaging half: the release build of the shell becomes the installers
//! a merchant downloads, made by the Tauri bundler from the `bundle` section of
//! `tauri.conf.json` (the one place package names, icons, dependencies and the Windows and
//! macOS settings are kept).
//!
//! xtask builds the UI and the release binary first; this only packs. Usage:
//! `satchel-bundle <workspace root> <release dir> [deb|rpm]...` (default: every Linux format
//! that is assembled locally; AppImage fetches linuxdeploy from the network, so it is left out).
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use tauri_bundler::bundle::{
    bundle_project, BundleBinary, BundleSettings, DebianSettings, PackageSettings, PackageType,
    RpmSettings, SettingsBuilder,
};
use tauri_utils::config::{BundleConfig, Config};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, release, kinds @ ..] = args.as_slice() else {
        bail!("usage: satchel-bundle <workspace root> <release dir> [deb|rpm]...");
    };
    let root = PathBuf::from(root);
    let kinds = package_types(kinds)?;
    let text =
        std::fs::read_to_string(root.join("tauri.conf.json")).context("reading tauri.conf.json")?;
    let config: Config = serde_json::from_str(&text).context("tauri.conf.json")?;
    let main = config
        .main_binary_name
        .clone()
        .context("tauri.conf.json names no mainBinaryName")?;
    let binary = Path::new(release).join(&main);
    if !binary.is_file() {
        bail!(
            "{} is missing: build the release binary first",
            binary.display()
        );
    }
    let settings = SettingsBuilder::new()
        .project_out_directory(release)
        .package_types(kinds)
        .package_settings(PackageSettings {
            product_name: config.product_name.clone().context("productName")?,
            version: config.version.clone().context("version")?,
            description: config.bundle.short_description.clone().unwrap_or_default(),
            homepage: config.bundle.homepage.clone(),
            authors: config.bundle.publisher.clone().map(|p| vec![p]),
            default_run: None,
        })
        .bundle_settings(bundle_settings(&root, &config)?)
        .binaries(vec![BundleBinary::new(main, true)])
        .build()?;
    for bundle in bundle_project(&settings)? {
        for path in bundle.bundle_paths {
            println!("{}", path.display());
        }
    }
    Ok(())
}

fn package_types(kinds: &[String]) -> Result<Vec<PackageType>> {
    if kinds.is_empty() {
        return Ok(vec![PackageType::Deb, PackageType::Rpm]);
    }
    kinds
        .iter()
        .map(|k| match k.as_str() {
            "deb" => Ok(PackageType::Deb),
            "rpm" => Ok(PackageType::Rpm),
            other => bail!("unknown package type {other:?}: deb or rpm"),
        })
        .collect()
}

/// The bundler's settings from the config's `bundle` section. Paths in it are relative to the
/// workspace root, as in `tauri.conf.json`.
fn bundle_settings(root: &Path, config: &Config) -> Result<BundleSettings> {
    let b: &BundleConfig = &config.bundle;
    let at = |p: &PathBuf| root.join(p);
    let deb = &b.linux.deb;
    let rpm = &b.linux.rpm;
    Ok(BundleSettings {
        identifier: Some(config.identifier.clone()),
        publisher: b.publisher.clone(),
        homepage: b.homepage.clone(),
        icon: Some(
            b.icon
                .iter()
                .map(|i| root.join(i).to_string_lossy().into_owned())
                .collect(),
        ),
        copyright: b.copyright.clone(),
        license: b.license.clone(),
        category: b
            .category
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(|e| anyhow::anyhow!("bundle.category: {e:?}"))?,
        short_description: b.short_description.clone(),
        long_description: b.long_description.clone(),
        deb: DebianSettings {
            depends: deb.depends.clone(),
            recommends: deb.recommends.clone(),
            provides: deb.provides.clone(),
            conflicts: deb.conflicts.clone(),
            replaces: deb.replaces.clone(),
            files: deb.files.iter().map(|(k, v)| (k.clone(), at(v))).collect(),
            desktop_template: deb.desktop_template.as_ref().map(at),
            section: deb.section.clone(),
            priority: deb.priority.clone(),
            changelog: deb.changelog.as_ref().map(at),
            pre_install_script: deb.pre_install_script.as_ref().map(at),
            post_install_script: deb.post_install_script.as_ref().map(at),
            pre_remove_script: deb.pre_remove_script.as_ref().map(at),
            post_remove_script: deb.post_remove_script.as_ref().map(at),
        },
        rpm: RpmSettings {
            depends: rpm.depends.clone(),
            recommends: rpm.recommends.clone(),
            provides: rpm.provides.clone(),
            conflicts: rpm.conflicts.clone(),
            obsoletes: rpm.obsoletes.clone(),
            release: rpm.release.clone(),
            epoch: rpm.epoch,
            files: rpm.files.iter().map(|(k, v)| (k.clone(), at(v))).collect(),
            desktop_template: rpm.desktop_template.as_ref().map(at),
            pre_install_script: rpm.pre_install_script.as_ref().map(at),
            post_install_script: rpm.post_install_script.as_ref().map(at),
            pre_remove_script: rpm.pre_remove_script.as_ref().map(at),
            post_remove_script: rpm.post_remove_script.as_ref().map(at),
            compression: rpm.compression,
        },
        ..BundleSettings::default()
    })
}
