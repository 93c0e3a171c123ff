//! Tariffs that are right today (issue #16): the rate files the app prices with, where each
//! came from, checking the operator's open data for newer ones, and loading one from a file.
//!
//! The bundled files are the floor; every version received since is kept in the store by its
//! `lastUpdateDate`, so a shipment is priced with the tariff in force on its posting date and
//! a device that was offline for a year still has the last tariff it saw. A file is kept only
//! when it parses with the same parser as the bundled ones and tells something new; one
//! check's files land in one transaction, so an interrupted check changes nothing.

use std::time::Duration;

use chrono::NaiveDate;
use chrono::{DateTime, NaiveDateTime, Utc};
use satchel_core::rates::{
    self, Moved, RateFileError, RateFileInfo, RateSet, ServiceDiff, Source, BUNDLED,
    STALE_AFTER_MONTHS,
};
use satchel_ipc::{
    CommandError, Refused, TariffChangeDto, TariffCheckDto, TariffFileDto, TariffNewDto,
    TariffProblemDto, TariffsDto,
};
use satchel_net::opendata::{self, FetchError, Fetched, OpenData, Validators};
use satchel_store::{NewTariff, Store, TariffValidators};
use serde::Serialize;

/// How long one file may take to arrive before the check gives up on it.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// The rate set to price with: the bundled files, then every stored version. A stored file
/// that no longer parses (a stricter parser in a newer build) is left out and named.
pub fn rate_set(store: &Store) -> (RateSet, Vec<String>) {
    let mut set = RateSet::bundled();
    let mut skipped = Vec::new();
    match store.tariff_files() {
        Ok(files) => {
            for f in files {
                if let Err(e) = set.load(&f.name, &f.body, f.source) {
                    skipped.push(format!("{} ({}): {e}", f.name, f.last_update));
                }
            }
        }
        Err(e) => skipped.push(format!("stored tariffs: {e}")),
    }
    (set, skipped)
}

/// The open-data address in use: the merchant's setting, else the operator's.
pub fn base_url(store: &Store) -> String {
    store
        .tariff_base_url()
        .ok()
        .flatten()
        .unwrap_or_else(|| opendata::DEFAULT_BASE_URL.to_owned())
}

/// What one file's check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Checked {
    /// The server said 304, or sent the tariff already known.
    Unchanged,
    /// A tariff that tells something new; kept.
    New {
        last_update: NaiveDateTime,
        changes: Vec<ServiceDiff>,
    },
    /// The file is not a valid tariff; nothing of it was kept.
    Invalid { error: String },
    /// No usable answer (offline, refused, too large); the stored tariffs stay in use.
    Failed { error: String },
}

/// One file of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    pub name: String,
    pub url: String,
    #[serde(flatten)]
    pub checked: Checked,
}

/// A whole check, file by file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateReport {
    pub base_url: String,
    pub files: Vec<FileCheck>,
}

impl UpdateReport {
    /// The files kept by this check.
    pub fn new_files(&self) -> impl Iterator<Item = &FileCheck> {
        self.files
            .iter()
            .filter(|f| matches!(f.checked, Checked::New { .. }))
    }

    /// Files that could not be fetched or did not parse.
    pub fn problems(&self) -> impl Iterator<Item = &FileCheck> {
        self.files
            .iter()
            .filter(|f| matches!(f.checked, Checked::Invalid { .. } | Checked::Failed { .. }))
    }
}

/// One file to ask for, with the validators of the copy kept last time.
#[derive(Debug, Clone)]
pub struct Request {
    pub name: &'static str,
    pub url: String,
    pub known: Validators,
}

/// The files a check asks for: the published types the app knows how to read (one per bundled
/// file; domain.md §5.1).
pub fn requests(store: &Store, base: &str) -> Vec<Request> {
    BUNDLED
        .iter()
        .map(|(name, _)| {
            let url = opendata::url(base, name);
            let known = store
                .tariff_validators(&url)
                .ok()
                .flatten()
                .map(|v| Validators {
                    etag: v.etag,
                    last_modified: v.last_modified,
                })
                .unwrap_or_default();
            Request { name, url, known }
        })
        .collect()
}

/// Asks for every file, one after the other (a dozen small files; the operator's server is
/// not ours to hammer).
pub async fn fetch_all(
    client: &OpenData,
    requests: Vec<Request>,
) -> Vec<(Request, Result<Fetched, FetchError>)> {
    let mut out = Vec::with_capacity(requests.len());
    for r in requests {
        let answer = client.fetch(&r.url, &r.known).await;
        out.push((r, answer));
    }
    out
}

/// What `json` would add to `current`: `Ok(None)` when it tells nothing new.
pub fn judge(
    current: &RateSet,
    name: &str,
    json: &str,
    source: Source,
) -> Result<Option<(NaiveDateTime, Vec<ServiceDiff>)>, RateFileError> {
    let mut alone = RateSet::new();
    let info = alone.load(name, json, source)?;
    let changes = rates::against(current, &alone);
    Ok((!changes.is_empty()).then_some((info.last_update, changes)))
}

/// Keeps what the answers brought, in one transaction, and says what each file did. `now`
/// stamps where fetched files came from.
pub fn keep(
    store: &mut Store,
    current: &RateSet,
    answers: Vec<(Request, Result<Fetched, FetchError>)>,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<UpdateReport, satchel_store::Error> {
    let mut files = Vec::new();
    let mut kept: Vec<(&'static str, String, Source, String)> = Vec::new();
    let mut validators = Vec::new();
    for (r, answer) in answers {
        let checked = match answer {
            Ok(Fetched::NotModified) => Checked::Unchanged,
            Err(e) => Checked::Failed {
                error: e.to_string(),
            },
            Ok(Fetched::Body {
                text,
                validators: v,
            }) => {
                let source = Source::Fetched {
                    url: r.url.clone(),
                    at: now,
                };
                match judge(current, r.name, &text, source.clone()) {
                    // Not a tariff: nothing kept, not even the validators, so the next check
                    // asks for the whole file again.
                    Err(e) => Checked::Invalid {
                        error: e.to_string(),
                    },
                    Ok(found) => {
                        validators.push(TariffValidators {
                            url: r.url.clone(),
                            etag: v.etag,
                            last_modified: v.last_modified,
                        });
                        match found {
                            None => Checked::Unchanged,
                            Some((last_update, changes)) => {
                                kept.push((r.name, last_update.to_string(), source, text));
                                Checked::New {
                                    last_update,
                                    changes,
                                }
                            }
                        }
                    }
                }
            }
        };
        files.push(FileCheck {
            name: r.name.to_owned(),
            url: r.url,
            checked,
        });
    }
    let new: Vec<NewTariff<'_>> = kept
        .iter()
        .map(|(name, last_update, source, body)| NewTariff {
            name,
            last_update,
            source,
            body,
        })
        .collect();
    store.save_tariffs(&new, &validators)?;
    Ok(UpdateReport {
        base_url: base_url.to_owned(),
        files,
    })
}

/// A whole check against `base` (the stored setting when `None`). The store is locked only
/// to read and to write, never while waiting for the network.
pub async fn update(
    store: &crate::store::SharedStore,
    current: &RateSet,
    base: Option<&str>,
    now: DateTime<Utc>,
) -> Result<UpdateReport, UpdateError> {
    let (base, requests) = {
        let s = store.lock();
        let base = base.map_or_else(|| base_url(&s), str::to_owned);
        let requests = requests(&s, &base);
        (base, requests)
    };
    let client = OpenData::new(FETCH_TIMEOUT).map_err(|e| UpdateError::Net(e.to_string()))?;
    let answers = fetch_all(&client, requests).await;
    keep(&mut store.lock(), current, answers, &base, now).map_err(UpdateError::Store)
}

/// Why a check could not run at all (one file failing is a [`Checked::Failed`] instead).
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("cannot reach the network: {0}")]
    Net(String),
    #[error("{0}")]
    Store(satchel_store::Error),
}

/// Loads a tariff file the merchant chose and keeps it; `Ok(None)` when it tells nothing new.
pub fn load_file(
    store: &mut Store,
    current: &RateSet,
    name: &str,
    json: &str,
) -> Result<Option<(NaiveDateTime, Vec<ServiceDiff>)>, LoadError> {
    let source = Source::File {
        name: name.to_owned(),
    };
    let found = judge(current, name, json, source.clone()).map_err(LoadError::Invalid)?;
    if let Some((last_update, _)) = &found {
        let file = NewTariff {
            name,
            last_update: &last_update.to_string(),
            source: &source,
            body: json,
        };
        store.save_tariffs(&[file], &[]).map_err(LoadError::Store)?;
    }
    Ok(found)
}

/// Why a chosen file was not kept.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not a valid tariff file: {0}")]
    Invalid(RateFileError),
    #[error("{0}")]
    Store(satchel_store::Error),
}

/// What a sync round brought of the tariffs (files another device fetched or loaded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Adopted {
    /// Files kept, as `(name, lastUpdateDate)`, and what each changes.
    pub kept: Vec<(String, NaiveDateTime, Vec<ServiceDiff>)>,
    /// Files refused, as `(name, why)`; nothing of them was kept.
    pub refused: Vec<(String, String)>,
}

/// Keeps the tariff files whose parts have all arrived from the merchant's other devices,
/// after the same checks as a fetched file: it must parse with the bundled files' parser, say
/// the date it was sent under and tell something new. A peer is the merchant's own device,
/// but its file is input from outside all the same. Each file is settled in its own
/// transaction, and a settled file is never staged again.
pub fn adopt_synced(
    store: &mut Store,
    now: DateTime<Utc>,
) -> Result<Adopted, satchel_store::Error> {
    let synced = store.synced_tariffs()?;
    let mut out = Adopted::default();
    if synced.is_empty() {
        return Ok(out);
    }
    let (mut current, _) = rate_set(store);
    let source = Source::Peer { at: now };
    for f in synced {
        let verdict =
            f.body.and_then(
                |body| match judge(&current, &f.name, &body, source.clone()) {
                    Err(e) => Err(format!("not a valid tariff file: {e}")),
                    Ok(Some((date, _))) if date.to_string() != f.last_update => Err(format!(
                        "sent as the tariff of {} but the file says {date}",
                        f.last_update
                    )),
                    Ok(found) => Ok((body, found)),
                },
            );
        match verdict {
            Err(why) => {
                store.settle_synced_tariff(&f.key, None, "refused")?;
                out.refused.push((f.name, why));
            }
            Ok((_, None)) => {
                store.settle_synced_tariff(&f.key, None, "known")?;
            }
            Ok((body, Some((last_update, changes)))) => {
                let keep = NewTariff {
                    name: &f.name,
                    last_update: &f.last_update,
                    source: &source,
                    body: &body,
                };
                store.settle_synced_tariff(&f.key, Some(&keep), "kept")?;
                // The next file is judged against this one, as a check judges them in turn.
                if current.load(&f.name, &body, source.clone()).is_ok() {
                    out.kept.push((f.name, last_update, changes));
                }
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// What the window and the terminal show
// ---------------------------------------------------------------------------------------------

/// Where a file came from, in words: "bundled", "fetched 2026-12-05", "file rates.json".
pub fn source_words(info: &RateFileInfo) -> String {
    match &info.source {
        Source::Bundled => "bundled".to_owned(),
        Source::Fetched { at, .. } => format!("fetched {}", crate::clock::hk_date(*at)),
        Source::File { name } => format!("file {name}"),
        Source::Peer { at } => format!("from another device {}", crate::clock::hk_date(*at)),
    }
}

fn origin(info: &RateFileInfo) -> String {
    match &info.source {
        Source::Bundled => String::new(),
        Source::Fetched { url, at } => format!("{url} ({})", at.format("%Y-%m-%d %H:%M UTC")),
        Source::File { name } => name.clone(),
        Source::Peer { at } => at.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// Every file the set holds, newest first, with what is in force on `today`.
pub fn list(rates: &RateSet, base_url: &str, today: NaiveDate) -> TariffsDto {
    let view = rates.as_of(today);
    let in_force = |info: &RateFileInfo| {
        info.services
            .iter()
            .any(|s| view.table(*s).map(|t| t.effective()) == Some(info.last_update))
    };
    let mut files: Vec<&RateFileInfo> = rates.files();
    files.sort_by_key(|f| std::cmp::Reverse(f.last_update));
    let used: Vec<&RateFileInfo> = files.iter().copied().filter(|f| in_force(f)).collect();
    TariffsDto {
        as_of: today.to_string(),
        newest: used
            .iter()
            .map(|f| f.last_update.date())
            .max()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        stale: used.iter().any(|f| f.is_stale(today, STALE_AFTER_MONTHS)),
        stale_after_months: STALE_AFTER_MONTHS,
        base_url: base_url.to_owned(),
        files: files
            .into_iter()
            .map(|f| {
                let mut codes: Vec<&str> = f.services.iter().map(|s| s.open_data_code()).collect();
                codes.dedup();
                TariffFileDto {
                    name: f.name.clone(),
                    last_update: f.last_update.date().to_string(),
                    source: f.source.kind().to_owned(),
                    origin: origin(f),
                    services: codes.join(","),
                    in_force: in_force(f),
                    stale: f.is_stale(today, STALE_AFTER_MONTHS),
                    superseded: f.superseded.map(str::to_owned),
                }
            })
            .collect(),
    }
}

fn hkd(d: rust_decimal::Decimal) -> String {
    format!("HK${}", crate::convert::money(d))
}

fn band_words(b: &rates::Band) -> String {
    if b.each_g == 0 {
        hkd(b.amount)
    } else {
        format!("{} + {} per {} g", hkd(b.amount), hkd(b.each), b.each_g)
    }
}

/// One change in words, as the window and `satchel rates diff` show it.
pub fn change_words(m: &Moved) -> String {
    match m {
        Moved::Added => "new destination".to_owned(),
        Moved::Withdrawn => "no longer served".to_owned(),
        Moved::Band {
            from_g,
            to_g,
            old,
            new,
        } => {
            let side = |b: &Option<rates::Band>| b.as_ref().map_or("none".to_owned(), band_words);
            format!("{from_g}–{to_g} g: {} → {}", side(old), side(new))
        }
        Moved::Limit { old_g, new_g } => format!("weight limit {old_g} g → {new_g} g"),
        Moved::PerKg { old, new } => format!("per kg {} → {}", hkd(*old), hkd(*new)),
        Moved::ItemFee { old, new } => format!("per item {} → {}", hkd(*old), hkd(*new)),
        Moved::Unclear => "the published steps contradict each other: ask EC-Ship".to_owned(),
    }
}

/// The changes of a new file, for the window.
pub fn changes_dto(diffs: &[ServiceDiff]) -> Vec<TariffChangeDto> {
    diffs
        .iter()
        .flat_map(|d| {
            d.changes.iter().map(move |c| TariffChangeDto {
                service: d.service.id(),
                destination: if c.zone == c.destination {
                    c.destination.to_string()
                } else {
                    format!("{}/{}", c.destination, c.zone)
                },
                name_en: c.name_en.clone(),
                what: change_words(&c.moved),
                delta: c.moved.delta().map(|x| {
                    let sign = if x.is_sign_negative() { "" } else { "+" };
                    format!("{sign}{}", crate::convert::money(x))
                }),
            })
        })
        .collect()
}

/// A check's report for the window, with the tariffs in use after it.
pub fn check_dto(report: &UpdateReport, tariffs: TariffsDto) -> TariffCheckDto {
    TariffCheckDto {
        new_files: report
            .files
            .iter()
            .filter_map(|f| match &f.checked {
                Checked::New {
                    last_update,
                    changes,
                } => Some(TariffNewDto {
                    name: f.name.clone(),
                    last_update: last_update.date().to_string(),
                    changes: changes_dto(changes),
                }),
                _ => None,
            })
            .collect(),
        unchanged: report
            .files
            .iter()
            .filter(|f| f.checked == Checked::Unchanged)
            .count() as u32,
        problems: report
            .files
            .iter()
            .filter_map(|f| match &f.checked {
                Checked::Invalid { error } | Checked::Failed { error } => Some(TariffProblemDto {
                    name: f.name.clone(),
                    error: error.clone(),
                }),
                _ => None,
            })
            .collect(),
        tariffs,
    }
}

/// Whether `url` may be asked ([`opendata::is_allowed`]), as a refusal naming the field.
pub fn check_address(url: &str) -> Result<(), CommandError> {
    if opendata::is_allowed(url.trim()) {
        Ok(())
    } else {
        Err(CommandError::new("base_url", Refused::TariffAddress))
    }
}
