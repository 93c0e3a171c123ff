//! Repository rules a test can hold, so they enforce themselves instead of living in a review
//! checklist: every rule id the code cites is documented in `docs/rules.md`, every document
//! the code cites is in the repository (a clone must be able to follow a citation), and each
//! crate links one integration-test binary (each binary costs a link on two cores).
//!
//! These run in plain `cargo test` (they read files, nothing else) and so in `cargo xtask test`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The source trees whose citations count.
const SOURCE_DIRS: &[&str] = &[
    "crates",
    "src-tauri",
    "src-ui/src",
    "tests",
    "xtask",
    "migrations",
];
const SOURCE_EXTS: &[&str] = &["rs", "sql", "toml", "sh"];

/// Files under `dir` (recursively) whose extension is one of `exts`, skipping build output.
pub fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !matches!(name.as_ref(), "target" | "dist" | ".git" | "node_modules") {
                out.extend(files(&path, exts));
            }
        } else if path
            .extension()
            .is_some_and(|e| exts.iter().any(|x| e == *x))
        {
            out.push(path);
        }
    }
    out
}

/// Every `R-nnn` / `S-nnn` in `text`.
pub fn rule_ids(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let mut out = BTreeSet::new();
    for i in 0..b.len().saturating_sub(4) {
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        let after = b.get(i + 5).is_none_or(|c| !c.is_ascii_digit());
        if boundary
            && matches!(b[i], b'R' | b'S')
            && b[i + 1] == b'-'
            && b[i + 2..i + 5].iter().all(u8::is_ascii_digit)
            && after
        {
            out.insert(text[i..i + 5].to_owned());
        }
    }
    out
}

/// The ids `docs/rules.md` documents: each one named, and each one inside a range written
/// `R-035–R-048` (en dash).
pub fn documented_ids(rules_md: &str) -> BTreeSet<String> {
    let mut ids = rule_ids(rules_md);
    for (i, _) in rules_md.match_indices('–') {
        let (before, after) = (&rules_md[..i], &rules_md[i + '–'.len_utf8()..]);
        if before.len() < 5 || after.len() < 5 {
            continue;
        }
        let (lo, hi) = (&before[before.len() - 5..], &after[..5]);
        let (Some(lo_n), Some(hi_n)) = (number(lo), number(hi)) else {
            continue;
        };
        if lo.as_bytes()[0] == hi.as_bytes()[0] {
            let prefix = &lo[..2];
            ids.extend((lo_n..=hi_n).map(|n| format!("{prefix}{n:03}")));
        }
    }
    ids
}

fn number(id: &str) -> Option<u32> {
    let ok = rule_ids(id).len() == 1;
    ok.then(|| id[2..].parse().ok()).flatten()
}

/// Every Markdown file name (ending in the `md` extension) that `text` names.
pub fn cited_documents(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices(".md") {
        let next = text[i + 3..].chars().next();
        if next.is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let start = text[..i]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')))
            .map_or(0, |p| p + 1);
        let name = &text[start..i + 3];
        let base = name.rsplit('/').next().unwrap_or(name);
        if base.len() > 3 {
            out.insert(base.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_owned()
    }

    fn sources() -> Vec<(PathBuf, String)> {
        let root = root();
        SOURCE_DIRS
            .iter()
            .flat_map(|d| files(&root.join(d), SOURCE_EXTS))
            .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
            .collect()
    }

    #[test]
    fn ranges_and_single_ids_are_read_from_the_rules_page() {
        let ids = documented_ids("| R-009 (weight) | … R-035–R-038 (label) and S-004.");
        let want: BTreeSet<String> = ["R-009", "R-035", "R-036", "R-037", "R-038", "S-004"]
            .map(String::from)
            .into();
        assert_eq!(ids, want);
        assert!(rule_ids("XR-0091 R-0123 SR-001").is_empty());
    }

    #[test]
    fn every_rule_id_cited_in_code_is_documented_in_docs_rules_md() {
        let rules = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
        let documented = documented_ids(&rules);
        let mut missing = Vec::new();
        for (path, text) in sources() {
            for id in rule_ids(&text) {
                if !documented.contains(&id) {
                    missing.push(format!("{id} in {}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "not in docs/rules.md: {missing:#?}");
    }

    /// The page's front-end table says where the app and the CLI run each engine function; a
    /// row that says "not run" would be a rule the page calls enforced and nobody runs.
    #[test]
    fn every_engine_function_in_the_front_end_table_is_run() {
        let rules = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
        let start = rules
            .find("## Where the front ends run the engine")
            .expect("docs/rules.md has the front-end table");
        let section = &rules[start..];
        let end = section[3..].find("\n## ").map_or(section.len(), |i| i + 3);
        let rows: Vec<&str> = section[..end]
            .lines()
            .filter(|l| l.starts_with("| `") || l.starts_with("| R-"))
            .collect();
        assert!(rows.len() >= 8, "the table's rows: {rows:#?}");
        let idle: Vec<&str> = rows
            .iter()
            .copied()
            .filter(|row| {
                let cells: Vec<&str> = row.split('|').map(str::trim).collect();
                let app = cells.get(2).copied().unwrap_or_default();
                app.is_empty() || app == "—" || row.contains("not run")
            })
            .collect();
        assert!(
            idle.is_empty(),
            "engine functions no screen runs: {idle:#?}"
        );
    }

    #[test]
    fn each_crate_has_one_integration_test_binary_at_most() {
        let mut crowded = Vec::new();
        for dir in std::fs::read_dir(root().join("crates")).unwrap().flatten() {
            let tests = dir.path().join("tests");
            let Ok(entries) = std::fs::read_dir(&tests) else {
                continue;
            };
            // A binary is a top-level `.rs` file or a directory with a `main.rs`.
            let binaries = entries
                .flatten()
                .filter(|e| {
                    let p = e.path();
                    p.extension().is_some_and(|x| x == "rs") || p.join("main.rs").is_file()
                })
                .count();
            if binaries > 1 {
                crowded.push(format!("{} ({binaries})", tests.display()));
            }
        }
        assert!(
            crowded.is_empty(),
            "put the tests in tests/it/ as modules of one binary: {crowded:?}"
        );
    }

    #[test]
    fn every_document_cited_in_code_is_in_the_repository() {
        let root = root();
        let present: BTreeSet<String> = files(&root, &["md"])
            .iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        let mut missing = Vec::new();
        for (path, text) in sources() {
            for doc in cited_documents(&text) {
                if !present.contains(&doc) {
                    missing.push(format!("{doc} in {}", path.display()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "cited but not in the repository: {missing:#?}"
        );
    }
}
