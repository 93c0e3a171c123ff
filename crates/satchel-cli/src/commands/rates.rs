//! `satchel rates list | load | update | diff`: which tariffs Satchel prices with, and newer ones.
//!
//! Every price is only as good as its tariff, and the bundled files are years old, so the
//! merchant must be able to see each file's `lastUpdateDate` and where it came from, fetch the
//! operator's current files, keep a file they downloaded, and see what a new tariff changed
//! (issue #16). What is kept goes to the database the app reads, through the same workflow
//! (`satchel_workflows::tariffs`); `--rates FILE` still uses a file for one run only.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use satchel_core::rates::{RateFileInfo, RateView};
use satchel_core::service::Service;
use serde::Serialize;

use crate::load::Sources;
use crate::render::{Align, Table};
use crate::{load, today_in_hong_kong, Output, Status};
use satchel_core::rates::{ServiceDiff, STALE_AFTER_MONTHS};
use satchel_workflows::tariffs::{self, Checked};

/// Whether a file's tariffs are the ones used on the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum InForce {
    Yes,
    /// Some of its services have a newer version in force (or it is not in force yet).
    Partly,
    No,
}

impl InForce {
    fn text(self) -> &'static str {
        match self {
            InForce::Yes => "yes",
            InForce::Partly => "partly",
            InForce::No => "no",
        }
    }
}

fn in_force(view: &RateView<'_>, info: &RateFileInfo) -> InForce {
    let used = info
        .services
        .iter()
        .filter(|s| view.table(**s).map(|t| t.effective()) == Some(info.last_update))
        .count();
    match used {
        0 => InForce::No,
        n if n == info.services.len() => InForce::Yes,
        _ => InForce::Partly,
    }
}

/// The open-data service codes of a file, once each (`AIR_REG,SUR_REG`).
fn codes(services: &[Service]) -> Vec<&'static str> {
    let mut codes: Vec<&str> = services.iter().map(|s| s.open_data_code()).collect();
    codes.dedup();
    codes
}

#[derive(Debug, Serialize)]
struct FileOut<'a> {
    name: &'a str,
    /// `bundled` with the app, `fetched`, `file` or `peer` (kept in the database), or
    /// `loaded` with `--rates` for this run.
    source: &'static str,
    /// Where it came from, in words ("fetched 2026-12-05").
    origin: String,
    /// Older than the stale age, or a bundled file known to be superseded.
    stale: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    superseded: Option<&'static str>,
    last_update: NaiveDateTime,
    service_codes: Vec<&'static str>,
    services: Vec<String>,
    entries: usize,
    in_force: InForce,
}

#[derive(Debug, Serialize)]
struct ListOut<'a> {
    as_of: NaiveDate,
    files: Vec<FileOut<'a>>,
}

pub fn list(rates: &Sources<'_>, date: Option<NaiveDate>, as_json: bool) -> anyhow::Result<Output> {
    let rates = load::rates(rates)?;
    let as_of = date.unwrap_or_else(today_in_hong_kong);
    let view = rates.set.as_of(as_of);
    let files: Vec<FileOut<'_>> = rates
        .set
        .files()
        .into_iter()
        .map(|info| FileOut {
            name: &info.name,
            source: if rates.added.contains(&info.name) {
                "loaded"
            } else {
                info.source.kind()
            },
            origin: if rates.added.contains(&info.name) {
                "--rates (this run)".to_owned()
            } else {
                tariffs::source_words(info)
            },
            stale: info.is_stale(as_of, STALE_AFTER_MONTHS),
            superseded: info.superseded,
            last_update: info.last_update,
            service_codes: codes(&info.services),
            services: info.services.iter().map(|s| s.id()).collect(),
            entries: info.entries,
            in_force: in_force(&view, info),
        })
        .collect();
    if as_json {
        let out = ListOut { as_of, files };
        return Ok(Output::new(
            serde_json::to_string_pretty(&out)? + "\n",
            Status::Ok,
        ));
    }
    let mut table = Table::new(&[
        ("FILE", Align::Left),
        ("SOURCE", Align::Left),
        ("LAST UPDATE", Align::Left),
        ("SERVICES", Align::Left),
        ("ENTRIES", Align::Right),
        ("IN FORCE", Align::Left),
        ("NOTE", Align::Left),
    ]);
    for f in &files {
        let note = if f.superseded.is_some() {
            "superseded"
        } else if f.stale {
            "stale"
        } else {
            ""
        };
        table.row(vec![
            f.name.to_owned(),
            f.origin.clone(),
            f.last_update.to_string(),
            f.service_codes.join(","),
            f.entries.to_string(),
            f.in_force.text().to_owned(),
            note.to_owned(),
        ]);
    }
    let mut out = format!(
        "{} rate files; IN FORCE on {as_of} (lastUpdateDate has no time zone: HKT assumed)\n\n",
        files.len()
    );
    out.push_str(&table.render());
    let superseded: Vec<String> = files
        .iter()
        .filter_map(|f| f.superseded.map(|why| format!("  {}: {why}\n", f.name)))
        .collect();
    if !superseded.is_empty() {
        out.push_str("\nKnown to be superseded (check for new tariffs: satchel rates update):\n");
        out.extend(superseded);
    }
    if files.iter().any(|f| f.stale && f.in_force != InForce::No) {
        out.push_str(&format!(
            "\nSome tariffs in force are older than {STALE_AFTER_MONTHS} months: prices may be \
             out of date.\n"
        ));
    }
    Ok(Output::new(out, Status::Ok))
}

/// How a service's version in the new file relates to what was loaded before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Effect {
    /// No version of the service was loaded.
    New,
    Newer,
    /// Same `lastUpdateDate`: the new file replaces that version.
    SameDate,
    /// Kept for pricing dates before the newer version.
    Older,
}

#[derive(Debug, Serialize)]
struct ServiceOut {
    service: String,
    code: &'static str,
    /// Newest version loaded before this file, if any.
    previous: Option<NaiveDateTime>,
    effect: Effect,
    /// Whether this file's version is the one used today (Hong Kong date).
    in_force_today: bool,
}

#[derive(Debug, Serialize)]
struct LoadOut {
    file: String,
    valid: bool,
    /// Always false for now: there is no rate store yet.
    saved: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_update: Option<NaiveDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entries: Option<usize>,
    services: Vec<ServiceOut>,
}

pub fn load(
    rates: &Sources<'_>,
    db: Option<&Path>,
    file: &Path,
    as_json: bool,
) -> anyhow::Result<Output> {
    let mut rates = load::rates(rates)?;
    // The name as the merchant will recognise it later, in the app too.
    let name = file.file_name().map_or_else(
        || load::display_name(file),
        |n| n.to_string_lossy().into_owned(),
    );
    // An unreadable file is a usage error (exit 2); a file that reads but is not a valid
    // rate file is a finding (exit 1), like a failed validation.
    let json = load::read_text(file)?;
    let previous: Vec<Option<NaiveDateTime>> = Service::all()
        .into_iter()
        .map(|s| rates.set.versions(s).last().copied())
        .collect();
    let mut store = super::store::open(db)?;
    let kept = match tariffs::load_file(&mut store, &rates.set, &name, &json) {
        Ok(found) => found,
        Err(tariffs::LoadError::Store(e)) => return Err(e.into()),
        Err(tariffs::LoadError::Invalid(e)) => {
            let text = if as_json {
                let out = LoadOut {
                    file: name,
                    valid: false,
                    saved: false,
                    error: Some(e.to_string()),
                    last_update: None,
                    entries: None,
                    services: Vec::new(),
                };
                serde_json::to_string_pretty(&out)? + "\n"
            } else {
                format!("{name}: not a usable rate file: {e}\n")
            };
            return Ok(Output::new(text, Status::Problems));
        }
    };
    let info = rates.set.load_json_named(&name, &json)?;
    let saved = kept.is_some();
    let today = today_in_hong_kong();
    let view = rates.set.as_of(today);
    let services: Vec<ServiceOut> = info
        .services
        .iter()
        .map(|&s| {
            let slot = Service::all().iter().position(|x| *x == s);
            let before = slot.and_then(|i| previous[i]);
            let effect = match before {
                None => Effect::New,
                Some(d) if info.last_update > d => Effect::Newer,
                Some(d) if info.last_update == d => Effect::SameDate,
                Some(_) => Effect::Older,
            };
            ServiceOut {
                service: s.id(),
                code: s.open_data_code(),
                previous: before,
                effect,
                in_force_today: view.table(s).map(|t| t.effective()) == Some(info.last_update),
            }
        })
        .collect();
    if as_json {
        let out = LoadOut {
            file: name,
            valid: true,
            saved,
            error: None,
            last_update: Some(info.last_update),
            entries: Some(info.entries),
            services,
        };
        return Ok(Output::new(
            serde_json::to_string_pretty(&out)? + "\n",
            Status::Ok,
        ));
    }
    let mut out = format!(
        "{name}: valid rate file\n\
         lastUpdateDate  {} (HKT assumed)\n\
         entries         {} destination/zone entries over {}\n\n",
        info.last_update,
        info.entries,
        match info.services.len() {
            1 => "1 service".to_owned(),
            n => format!("{n} services"),
        }
    );
    let mut table = Table::new(&[
        ("SERVICE", Align::Left),
        ("CODE", Align::Left),
        ("COMPARED WITH LOADED", Align::Left),
        ("TODAY", Align::Left),
    ]);
    for s in &services {
        let compared = match (s.effect, s.previous) {
            (Effect::New, _) | (_, None) => "new: no version loaded".to_owned(),
            (Effect::Newer, Some(d)) => format!("newer than {d}"),
            (Effect::SameDate, Some(_)) => "same date: replaces that version".to_owned(),
            (Effect::Older, Some(d)) => format!("older than {d}: for earlier dates"),
        };
        let today_text = if s.in_force_today {
            "in force".to_owned()
        } else if info.last_update.date() > today {
            format!("from {}", info.last_update.date())
        } else {
            "superseded".to_owned()
        };
        table.row(vec![
            s.service.clone(),
            s.code.to_owned(),
            compared,
            today_text,
        ]);
    }
    out.push_str(&table.render());
    out.push_str(&match &kept {
        Some((date, changes)) => format!(
            "\nKept in the database: prices for posting dates from {} on use it \
             ({} changes; satchel rates diff lists them).\n",
            date.date(),
            changes.iter().map(|d| d.changes.len()).sum::<usize>()
        ),
        None => "\nNot kept: the database already has this tariff.\n".to_owned(),
    });
    Ok(Output::new(out, Status::Ok))
}

pub fn update(
    rates: &Sources<'_>,
    db: Option<&Path>,
    base_url: Option<&str>,
    as_json: bool,
) -> anyhow::Result<Output> {
    if let Some(b) = base_url {
        if tariffs::check_address(b).is_err() {
            anyhow::bail!(
                "--base-url {b}: use an https:// address (plain http only to this computer)"
            );
        }
    }
    let current = load::rates(rates)?;
    let mut store = super::store::open(db)?;
    if let Some(b) = base_url {
        store.set_tariff_base_url(b)?;
    }
    let base = tariffs::base_url(&store);
    let requests = tariffs::requests(&store, &base);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = satchel_net::opendata::OpenData::new(tariffs::FETCH_TIMEOUT)?;
    let answers = runtime.block_on(tariffs::fetch_all(&client, requests));
    let report = tariffs::keep(
        &mut store,
        &current.set,
        answers,
        &base,
        satchel_workflows::clock::now(),
    )?;
    let status = if report.problems().next().is_some() {
        Status::Problems
    } else {
        Status::Ok
    };
    if as_json {
        return Ok(Output::new(serde_json::to_string(&report)? + "\n", status));
    }
    let mut out = format!("Checked {} files at {base}\n\n", report.files.len());
    let mut table = Table::new(&[("FILE", Align::Left), ("RESULT", Align::Left)]);
    for f in &report.files {
        let result = match &f.checked {
            Checked::Unchanged => "unchanged".to_owned(),
            Checked::New {
                last_update,
                changes,
            } => format!(
                "new tariff of {}: {} changes",
                last_update.date(),
                changes.iter().map(|d| d.changes.len()).sum::<usize>()
            ),
            Checked::Invalid { error } => format!("not kept, not a valid rate file: {error}"),
            Checked::Failed { error } => format!("not checked: {error}"),
        };
        table.row(vec![f.name.clone(), result]);
    }
    out.push_str(&table.render());
    for f in report.new_files() {
        if let Checked::New { changes, .. } = &f.checked {
            out.push('\n');
            out.push_str(&diff_text(changes));
        }
    }
    if status == Status::Problems {
        out.push_str("\nThe tariffs already kept stay in use for the files not checked.\n");
    }
    Ok(Output::new(out, status))
}

/// The changes of some services as lines: a heading per service, a line per change.
fn diff_text(diffs: &[ServiceDiff]) -> String {
    let mut out = String::new();
    for d in diffs {
        let from = d.from.map_or("(none)".to_owned(), |f| f.date().to_string());
        out.push_str(&format!(
            "{}: {from} → {}, {} changes\n",
            d.service.id(),
            d.to.date(),
            d.changes.len()
        ));
        // The same words as the app's list of changes.
        for c in tariffs::changes_dto(std::slice::from_ref(d)) {
            let by = c.delta.map(|x| format!(" ({x})")).unwrap_or_default();
            out.push_str(&format!(
                "  {} {}: {}{by}\n",
                c.destination, c.name_en, c.what
            ));
        }
    }
    out
}

pub fn diff(rates: &Sources<'_>, service: Option<&str>, as_json: bool) -> anyhow::Result<Output> {
    let rates = load::rates(rates)?;
    let services: Vec<Service> = match service {
        Some(id) => vec![Service::from_id(id.trim())
            .ok_or_else(|| anyhow::anyhow!("--service {id}: not a service id"))?],
        None => Service::all().into_iter().collect(),
    };
    let diffs: Vec<ServiceDiff> = services
        .into_iter()
        .filter_map(|s| rates.set.changes(s))
        .filter(|d| !d.is_empty())
        .collect();
    if as_json {
        return Ok(Output::new(
            serde_json::to_string(&diffs)? + "\n",
            Status::Ok,
        ));
    }
    if diffs.is_empty() {
        return Ok(Output::new(
            "No service has two versions that differ.\n".to_owned(),
            Status::Ok,
        ));
    }
    Ok(Output::new(diff_text(&diffs), Status::Ok))
}
