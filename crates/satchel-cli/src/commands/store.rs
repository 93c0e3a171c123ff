//! `satchel contacts …` and `satchel shipments …`: the local database from the command line.
//!
//! The same file the desktop app uses (or `--db`), through the same store crate, so a script
//! can bulk-import a spreadsheet, export for the accountant or find a customer without
//! opening the app. Imports are one transaction: a killed import leaves nothing behind.
//! Exit code 1 when an import rejected rows or held duplicates for review.

use std::path::{Path, PathBuf};

use anyhow::Context;
use satchel_store::csv_io::{DuplicatePolicy, ImportReport, Table as CsvTable};
use satchel_store::{ContactQuery, ShipmentFilter, Store};
use serde_json::json;

use crate::args::{ImportArgs, Policy, ShipmentFilterArgs};
use crate::load::Sources;
use crate::render::{hkd, Align, Table};
use crate::{load, today_in_hong_kong, Output, Status};

/// Where the desktop app keeps its database: Tauri's app data directory for our identifier.
fn default_db() -> anyhow::Result<PathBuf> {
    const APP: &str = "app.satchel.desktop";
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    let base = if cfg!(target_os = "macos") {
        home().map(|h| h.join("Library/Application Support"))
    } else if cfg!(windows) {
        std::env::var_os("APPDATA").map(PathBuf::from)
    } else {
        std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".local/share")))
    };
    let dir = base
        .context("cannot find the app data directory; pass --db FILE")?
        .join(APP);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir.join("satchel.db"))
}

/// The database file: `--db` / `$SATCHEL_DB`, else the app's own.
pub fn db_path(db: Option<&Path>) -> anyhow::Result<PathBuf> {
    match db {
        Some(p) => Ok(p.to_owned()),
        None => default_db(),
    }
}

pub fn open(db: Option<&Path>) -> anyhow::Result<Store> {
    let path = db_path(db)?;
    Store::open(&path).with_context(|| format!("cannot open the database {}", path.display()))
}

pub(super) fn policy(p: Policy) -> DuplicatePolicy {
    match p {
        Policy::Review => DuplicatePolicy::Review,
        Policy::KeepExisting => DuplicatePolicy::KeepExisting,
        Policy::Overwrite => DuplicatePolicy::Overwrite,
    }
}

pub fn import(
    db: &mut Store,
    table: CsvTable,
    a: &ImportArgs,
    rates: &Sources<'_>,
    json: bool,
) -> anyhow::Result<Output> {
    let is_workbook = a
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if is_workbook {
        // Excel is read for a shop's order export only (SHOPLINE writes .xlsx).
        let bytes =
            std::fs::read(&a.file).with_context(|| format!("cannot read {}", a.file.display()))?;
        let engine = satchel_workflows::Engine::with_rates(load::rates(rates)?.set);
        return super::orders::import_workbook(db, &engine, &bytes, a, json);
    }
    let text = load::read_text(&a.file)?;
    let rates = load::rates(rates)?;
    let rates = if table == CsvTable::Shipments {
        // A shop's own order export is read as orders, with no column mapping (issue #14).
        let engine = satchel_workflows::Engine::with_rates(rates.set);
        if let Some(out) = super::orders::import(db, &engine, &text, a, json)? {
            return Ok(out);
        }
        engine.rates
    } else {
        rates.set
    };
    let file = satchel_workflows::csv::ImportFile {
        table,
        text: &text,
        mapping: None,
        duplicates: policy(a.duplicates),
    };
    let report =
        satchel_workflows::csv::import(db, &rates, file, today_in_hong_kong(), &mut |_, _| {})
            .with_context(|| format!("cannot import {}", a.file.display()))?;
    if let Some(path) = &a.report {
        std::fs::write(path, &report.report_csv)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let status = if report.rejected > 0 || !report.duplicates.is_empty() {
        Status::Problems
    } else {
        Status::Ok
    };
    Ok(Output::new(
        import_text(&report, a.report.as_deref(), json),
        status,
    ))
}

fn import_text(r: &ImportReport, report: Option<&Path>, json: bool) -> String {
    if json {
        let v = json!({
            "rows": r.total_rows, "imported": r.imported, "updated": r.updated,
            "kept_existing": r.kept_existing, "duplicates": r.duplicates.len(),
            "rejected": r.rejected,
        });
        return format!("{v}\n");
    }
    let mut s = format!(
        "{} rows: {} imported, {} updated, {} kept as they were, {} held for review, {} rejected\n",
        r.total_rows,
        r.imported,
        r.updated,
        r.kept_existing,
        r.duplicates.len(),
        r.rejected
    );
    if !r.report_csv.is_empty() {
        match report {
            Some(p) => s.push_str(&format!(
                "rows not imported, with the reasons: {}\n",
                p.display()
            )),
            None => {
                s.push_str("add --report FILE to get the rows not imported, with the reasons\n")
            }
        }
    }
    s
}

pub(super) fn write_or_print(text: String, out: Option<&Path>) -> anyhow::Result<Output> {
    match out {
        Some(p) => {
            std::fs::write(p, text).with_context(|| format!("cannot write {}", p.display()))?;
            Ok(Output::new(String::new(), Status::Ok))
        }
        None => Ok(Output::new(text, Status::Ok)),
    }
}

pub fn export_contacts(db: &Store, out: Option<&Path>) -> anyhow::Result<Output> {
    write_or_print(db.export_contacts()?, out)
}

pub fn search(db: &Store, text: &str, limit: usize, json: bool) -> anyhow::Result<Output> {
    let found = db.search_contacts(&ContactQuery {
        text: text.to_owned(),
        limit,
        ..ContactQuery::default()
    })?;
    let status = if found.is_empty() {
        Status::Problems
    } else {
        Status::Ok
    };
    if json {
        return Ok(Output::new(
            format!("{}\n", serde_json::to_string(&found)?),
            status,
        ));
    }
    let mut t = Table::new(&[
        ("name", Align::Left),
        ("company", Align::Left),
        ("address", Align::Left),
        ("country", Align::Left),
        ("phone", Align::Left),
    ]);
    for c in &found {
        let p = &c.input.party;
        t.row(vec![
            p.name.clone(),
            p.company.clone(),
            p.lines.join(", "),
            p.country.clone(),
            p.phone.clone(),
        ]);
    }
    Ok(Output::new(t.render(), status))
}

fn filter(f: &ShipmentFilterArgs) -> ShipmentFilter {
    ShipmentFilter {
        states: f.state.clone(),
        from: f.from,
        to: f.until,
        destination: f.destination.clone(),
        limit: 0,
        // Days are Hong Kong days, like every other date the CLI prints or takes.
        utc_offset_secs: 8 * 3600,
        ..ShipmentFilter::default()
    }
}

pub fn list_shipments(db: &Store, f: &ShipmentFilterArgs, json: bool) -> anyhow::Result<Output> {
    let list = db.list_shipments(&filter(f))?;
    if json {
        return Ok(Output::new(
            format!("{}\n", serde_json::to_string(&list)?),
            Status::Ok,
        ));
    }
    let mut t = Table::new(&[
        ("created", Align::Left),
        ("state", Align::Left),
        ("reference", Align::Left),
        ("to", Align::Left),
        ("service", Align::Left),
        ("weight", Align::Right),
        ("postage", Align::Right),
        ("errors", Align::Right),
    ]);
    for r in &list {
        let s = &r.draft.shipment;
        let created = chrono::DateTime::from_timestamp_millis(r.created_ms)
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        t.row(vec![
            created,
            r.state.id().to_owned(),
            s.reference.clone(),
            s.country(),
            s.service.id(),
            format!("{} g", s.parcel.weight_g),
            r.assessment
                .quote
                .as_ref()
                .map(|q| hkd(q.amount))
                .unwrap_or_default(),
            r.assessment
                .problems
                .iter()
                .filter(|p| p.error)
                .count()
                .to_string(),
        ]);
    }
    Ok(Output::new(t.render(), Status::Ok))
}

pub fn export_shipments(
    db: &Store,
    f: &ShipmentFilterArgs,
    out: Option<&Path>,
) -> anyhow::Result<Output> {
    write_or_print(db.export_shipments(&filter(f))?, out)
}
