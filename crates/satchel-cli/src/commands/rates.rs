//! `satchel rates list` and `satchel rates load`: which tariffs Satchel prices with.
//!
//! Every price is only as good as its tariff, and the bundled files are years old, so the
//! merchant must be able to see each file's `lastUpdateDate` and check a newer download
//! before relying on it. There is no rate store yet: `load` checks a file and says what it
//! would change; `--rates FILE` uses it for one run.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use satchel_core::rates::{RateFileInfo, RateView};
use satchel_core::service::Service;
use serde::Serialize;

use crate::render::{Align, Table};
use crate::{load, today_in_hong_kong, Output, Status};

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
    /// `bundled` with the app, or `loaded` with `--rates`.
    source: &'static str,
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

pub fn list(rates: &[PathBuf], date: Option<NaiveDate>, as_json: bool) -> anyhow::Result<Output> {
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
                "bundled"
            },
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
    ]);
    for f in &files {
        table.row(vec![
            f.name.to_owned(),
            f.source.to_owned(),
            f.last_update.to_string(),
            f.service_codes.join(","),
            f.entries.to_string(),
            f.in_force.text().to_owned(),
        ]);
    }
    let mut out = format!(
        "{} rate files; IN FORCE on {as_of} (lastUpdateDate has no time zone: HKT assumed)\n\n",
        files.len()
    );
    out.push_str(&table.render());
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

pub fn load(rates: &[PathBuf], file: &Path, as_json: bool) -> anyhow::Result<Output> {
    let mut rates = load::rates(rates)?;
    let name = load::display_name(file);
    // An unreadable file is a usage error (exit 2); a file that reads but is not a valid
    // rate file is a finding (exit 1), like a failed validation.
    let json = load::read_text(file)?;
    let previous: Vec<Option<NaiveDateTime>> = Service::all()
        .into_iter()
        .map(|s| rates.set.versions(s).last().copied())
        .collect();
    let info = match rates.set.load_json_named(&name, &json) {
        Ok(info) => info,
        Err(e) => {
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
            saved: false,
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
    out.push_str(&format!(
        "\nNot saved: Satchel has no rate store yet. Use it for a run with --rates {name}\n"
    ));
    Ok(Output::new(out, Status::Ok))
}
