//! Reading what the user points us at: the tariffs kept in the database and extra rate files
//! (`--rates`) on top of the bundled set.
//!
//! The bundled tariffs are years old (data/rates/README.md), so any command that prices or
//! checks weight limits prices with the versions `satchel rates update` / `load` kept (as the
//! app does), and can take a newer file for the run. A file that cannot be
//! read or is rejected is a usage error (exit 2) naming `--rates` and the path: pricing with a
//! silently ignored tariff would be worse than not pricing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;
use satchel_core::rates::RateSet;

/// The bundled tariffs plus every `--rates` file, and the display names of the added files.
#[derive(Debug)]
pub struct Rates {
    pub set: RateSet,
    /// Names (paths as given) of the files added with `--rates`, to tell them from bundled.
    pub added: BTreeSet<String>,
}

/// Reads a file as UTF-8 text, naming the file in the error. A leading byte-order mark, which
/// some Windows editors add, is dropped because the JSON parser would reject it.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// The display name of a loaded file: the path as the user typed it.
pub fn display_name(path: &Path) -> String {
    path.display().to_string()
}

/// Where a command's tariffs come from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// `--db`: its stored tariffs are used when the file exists (a quote never creates one).
    pub db: Option<&'a Path>,
    /// `--rates` files, for this run only.
    pub files: &'a [PathBuf],
}

pub fn rates(sources: &Sources<'_>) -> anyhow::Result<Rates> {
    let db = crate::commands::store_path(sources.db)?;
    let mut set = if db.exists() {
        let store = satchel_store::Store::open(&db)
            .with_context(|| format!("cannot open the database {}", db.display()))?;
        let (set, skipped) = satchel_workflows::tariffs::rate_set(&store);
        for s in skipped {
            eprintln!("satchel: a stored tariff file was left out: {s}");
        }
        set
    } else {
        RateSet::bundled()
    };
    let mut added = BTreeSet::new();
    for path in sources.files {
        let name = display_name(path);
        let json = read_text(path).context("--rates")?;
        set.load_json_named(&name, &json)
            .with_context(|| format!("--rates {name}: not a usable rate file"))?;
        added.insert(name);
    }
    Ok(Rates { set, added })
}
