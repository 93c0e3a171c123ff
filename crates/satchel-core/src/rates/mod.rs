//! The operator's open-data postage rates, versioned by date (domain.md §5.1–§5.2).
//!
//! Rates change and the bundled files are years old (§5.1: "Low as current tariff"), so a
//! [`RateSet`] keeps every loaded version side by side, per service, and a caller picks the
//! tariff in force on a date with [`RateSet::as_of`]. The date always comes from the caller:
//! this crate never reads the clock. A newer file of the same shape can be added at run time
//! with [`RateSet::load_json`]; it is checked and rejected with a typed error naming what is
//! wrong. The twelve bundled files are compiled in with `include_str!` (no IO).

mod diff;
mod parse;
mod table;

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use diff::{against, diff, first, Band, Change, Moved, ServiceDiff};
pub(crate) use table::{Pricing, Step};
pub use table::{RateEntry, ServiceTable};

use crate::destination::Code;
use crate::model::Grams;
use crate::service::Service;
use crate::tariff::TariffFacts;

/// Why a rate file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RateFileError {
    #[error("not a rate file: invalid JSON or missing keys: {0}")]
    Json(String),
    #[error("lastUpdateDate {0:?} is not of the form YYYY-MM-DD hh:mm:ss")]
    BadDate(String),
    #[error("the file lists no services (empty `data`)")]
    Empty,
    #[error("unknown service: serviceCode {code:?}, serviceNameEN {name_en:?}")]
    UnknownService { code: String, name_en: String },
    #[error("service {0} appears twice in the file")]
    DuplicateService(String),
    #[error("{service}: destination {destination}/{zone} appears twice")]
    DuplicateEntry {
        service: String,
        destination: String,
        zone: String,
    },
    #[error("{at}: {field} {value:?} is not valid")]
    BadValue {
        /// Service id and destination/zone, e.g. `air_registered.packet US/US`.
        at: String,
        field: &'static str,
        value: String,
    },
}

/// Where a tariff file came from: shown next to every price made with it (issue #16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// Shipped with the app (data/rates/README.md).
    Bundled,
    /// Downloaded from the operator's open-data site.
    Fetched { url: String, at: DateTime<Utc> },
    /// Loaded by the merchant from a file (named as they gave it).
    File { name: String },
    /// Received from another of the merchant's devices.
    Peer { at: DateTime<Utc> },
}

impl Source {
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Bundled => "bundled",
            Source::Fetched { .. } => "fetched",
            Source::File { .. } => "file",
            Source::Peer { .. } => "peer",
        }
    }
}

/// A loaded file, as listed by `satchel rates list` and the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateFileInfo {
    /// File name for bundled files, or the name given to [`RateSet::load_json_named`].
    pub name: String,
    /// The file's `lastUpdateDate` (no time zone in the data; HKT assumed). Show it.
    pub last_update: NaiveDateTime,
    pub services: Vec<Service>,
    /// Number of (destination, zone) entries over all services.
    pub entries: usize,
    pub source: Source,
    /// Why a bundled file is known to be out of date, when it is (§5.4).
    pub superseded: Option<&'static str>,
}

/// A tariff older than this is flagged where its prices show (issue #16).
pub const STALE_AFTER_MONTHS: u32 = 12;

impl RateFileInfo {
    /// Whether the tariff is older than `months` on `today`, or known to be superseded.
    pub fn is_stale(&self, today: NaiveDate, months: u32) -> bool {
        self.superseded.is_some()
            || today
                .checked_sub_months(Months::new(months))
                .is_some_and(|limit| self.last_update.date() < limit)
    }
}

/// Bundled files a later revision is known to have replaced (§5.1, §5.4 items 11 and 15).
pub const SUPERSEDED: [(&str, &str); 3] = [
    (
        "postageRate-intl-ORD.json",
        "the 26 Sep 2022 revision raised letter postage (air small letter to the Mainland or \
         Taiwan HK$3.40 to HK$3.70)",
    ),
    (
        "postageRate-local-SMP.json",
        "holds the 2021 local ordinary-mail rates, before the 2022 revision",
    ),
    (
        "postageRate-intl-bulk-IML.json",
        "the iMail rates of 1 Apr 2021; later revisions are not bundled",
    ),
];

struct Version {
    file_id: u32,
    table: ServiceTable,
}

/// Every loaded tariff version, per service.
pub struct RateSet {
    files: Vec<(u32, RateFileInfo)>,
    next_id: u32,
    /// Indexed by [`service_slot`]; each list sorted by effective date, oldest first.
    versions: Vec<Vec<Version>>,
}

impl std::fmt::Debug for RateSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateSet")
            .field("files", &self.files())
            .finish()
    }
}

impl Default for RateSet {
    fn default() -> Self {
        Self::new()
    }
}

/// The files shipped with the app (data/rates/README.md). Note §5.4 item 11 and 15:
/// `local-SMP` holds the 2021 LOC_ORD rates (an older LocalOrdinary version), `intl-ORD` is
/// from 2021-12-06 and iMail from 2021-04-01.
pub const BUNDLED: [(&str, &str); 12] = [
    (
        "postageRate-intl-AIRPAR.json",
        include_str!("../../data/rates/postageRate-intl-AIRPAR.json"),
    ),
    (
        "postageRate-intl-EXP.json",
        include_str!("../../data/rates/postageRate-intl-EXP.json"),
    ),
    (
        "postageRate-intl-ORD.json",
        include_str!("../../data/rates/postageRate-intl-ORD.json"),
    ),
    (
        "postageRate-intl-REG.json",
        include_str!("../../data/rates/postageRate-intl-REG.json"),
    ),
    (
        "postageRate-intl-SPT.json",
        include_str!("../../data/rates/postageRate-intl-SPT.json"),
    ),
    (
        "postageRate-intl-SURPAR.json",
        include_str!("../../data/rates/postageRate-intl-SURPAR.json"),
    ),
    (
        "postageRate-intl-bulk-IML.json",
        include_str!("../../data/rates/postageRate-intl-bulk-IML.json"),
    ),
    (
        "postageRate-local-LCP.json",
        include_str!("../../data/rates/postageRate-local-LCP.json"),
    ),
    (
        "postageRate-local-ORD.json",
        include_str!("../../data/rates/postageRate-local-ORD.json"),
    ),
    (
        "postageRate-local-PAR.json",
        include_str!("../../data/rates/postageRate-local-PAR.json"),
    ),
    (
        "postageRate-local-REG.json",
        include_str!("../../data/rates/postageRate-local-REG.json"),
    ),
    (
        "postageRate-local-SMP.json",
        include_str!("../../data/rates/postageRate-local-SMP.json"),
    ),
];

/// A dense index for per-service arrays (the order of [`Service::all`]).
pub(crate) fn service_slot(s: Service) -> usize {
    use crate::service::LetterFormat as F;
    let f = |f: F| match f {
        F::SmallLetter => 0,
        F::LargeLetter => 1,
        F::Packet => 2,
    };
    match s {
        Service::Imail => 0,
        Service::EExpress => 1,
        Service::Speedpost => 2,
        Service::AirRegistered(x) => 3 + 4 * f(x),
        Service::SurfaceRegistered(x) => 4 + 4 * f(x),
        Service::AirMail(x) => 5 + 4 * f(x),
        Service::SurfaceMail(x) => 6 + 4 * f(x),
        Service::AirParcel => 15,
        Service::SurfaceParcel => 16,
        Service::LocalOrdinary(x) => 17 + 2 * f(x),
        Service::LocalRegistered(x) => 18 + 2 * f(x),
        Service::LocalParcel => 23,
        Service::LocalCourierPost => 24,
    }
}
pub(crate) const SERVICE_SLOTS: usize = 25;

impl RateSet {
    /// An empty set (every quote fails with `NoTariff`).
    pub fn new() -> Self {
        RateSet {
            files: Vec::new(),
            next_id: 0,
            versions: (0..SERVICE_SLOTS).map(|_| Vec::new()).collect(),
        }
    }

    /// The twelve bundled files. They are checked by the test suite, so failure here is a
    /// build defect, not a user error.
    pub fn bundled() -> Self {
        let mut set = RateSet::new();
        for (name, json) in BUNDLED {
            if let Err(e) = set.load(name, json, Source::Bundled) {
                panic!("bundled rate file {name} is invalid: {e}");
            }
        }
        set
    }

    /// Adds a file of the published shape, named after its services.
    pub fn load_json(&mut self, json: &str) -> Result<RateFileInfo, RateFileError> {
        self.load_json_named("", json)
    }

    /// Adds a file under a display name, loaded by the merchant from a file.
    pub fn load_json_named(
        &mut self,
        name: &str,
        json: &str,
    ) -> Result<RateFileInfo, RateFileError> {
        let source = Source::File {
            name: name.to_owned(),
        };
        self.load(name, json, source)
    }

    /// Adds a file under a display name, with where it came from. A version of a service with
    /// the same `lastUpdateDate` as one already loaded replaces it, so reloading a file is
    /// idempotent. The set is unchanged when the file is rejected.
    pub fn load(
        &mut self,
        name: &str,
        json: &str,
        source: Source,
    ) -> Result<RateFileInfo, RateFileError> {
        let parsed = parse::parse_file(json)?;
        let services: Vec<Service> = parsed.tables.iter().map(ServiceTable::service).collect();
        let entries = parsed.tables.iter().map(|t| t.entries().len()).sum();
        let name = if name.is_empty() {
            let mut codes: Vec<&str> = services.iter().map(|s| s.open_data_code()).collect();
            codes.dedup();
            codes.join("+")
        } else {
            name.to_owned()
        };
        let superseded = (source == Source::Bundled)
            .then(|| {
                SUPERSEDED
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, why)| *why)
            })
            .flatten();
        let info = RateFileInfo {
            name,
            last_update: parsed.last_update,
            services,
            entries,
            source,
            superseded,
        };
        let file_id = self.next_id;
        self.next_id += 1;
        for table in parsed.tables {
            let list = &mut self.versions[service_slot(table.service())];
            list.retain(|v| v.table.effective() != table.effective());
            let at = list.partition_point(|v| v.table.effective() < table.effective());
            list.insert(at, Version { file_id, table });
        }
        self.files.push((file_id, info.clone()));
        // Drop files whose every version was replaced by a reload.
        let versions = &self.versions;
        self.files
            .retain(|(id, _)| versions.iter().flatten().any(|v| v.file_id == *id));
        Ok(info)
    }

    /// Loaded files in load order, with their dates.
    pub fn files(&self) -> Vec<&RateFileInfo> {
        self.files.iter().map(|(_, i)| i).collect()
    }

    /// Effective dates of the loaded versions of `service`, oldest first.
    pub fn versions(&self, service: Service) -> Vec<NaiveDateTime> {
        self.versions[service_slot(service)]
            .iter()
            .map(|v| v.table.effective())
            .collect()
    }

    /// The file whose version of `service` is in force on `date`: where a price came from.
    pub fn file_in_force(&self, service: Service, date: NaiveDate) -> Option<&RateFileInfo> {
        let v = in_force(&self.versions[service_slot(service)], date)?;
        self.files
            .iter()
            .find(|(id, _)| *id == v.file_id)
            .map(|(_, info)| info)
    }

    /// What moved between the two newest versions of `service`; `None` with fewer than two.
    pub fn changes(&self, service: Service) -> Option<ServiceDiff> {
        match self.versions[service_slot(service)].as_slice() {
            [.., older, newer] => Some(diff(&older.table, &newer.table)),
            _ => None,
        }
    }

    /// What moved for `service` between the version in force on `then` and the newest.
    pub fn changes_since(&self, service: Service, then: NaiveDateTime) -> Option<ServiceDiff> {
        let list = &self.versions[service_slot(service)];
        let newer = list.last()?;
        let older = list.iter().rev().find(|v| v.table.effective() <= then)?;
        (older.table.effective() != newer.table.effective())
            .then(|| diff(&older.table, &newer.table))
    }

    /// The tariffs in force on `date`: per service, the version with the latest
    /// `lastUpdateDate` on or before that day. Services with no such version are absent
    /// (quotes fail with `NoTariff`), rather than falling back to a future tariff.
    pub fn as_of(&self, date: NaiveDate) -> RateView<'_> {
        let mut tables = [None; SERVICE_SLOTS];
        for (slot, list) in self.versions.iter().enumerate() {
            tables[slot] = in_force(list, date).map(|v| &v.table);
        }
        RateView {
            date: Some(date),
            tables,
        }
    }

    /// The newest version of every service, whatever its date (e.g. for a rates screen).
    pub fn latest(&self) -> RateView<'_> {
        let mut tables = [None; SERVICE_SLOTS];
        for (slot, list) in self.versions.iter().enumerate() {
            tables[slot] = list.last().map(|v| &v.table);
        }
        RateView { date: None, tables }
    }
}

/// The version of one service in force on `date`: the latest effective on or before it.
fn in_force(versions: &[Version], date: NaiveDate) -> Option<&Version> {
    versions
        .iter()
        .rev()
        .find(|v| v.table.effective().date() <= date)
}

/// The tariffs of a [`RateSet`] chosen for one date. Cheap to create and `Copy`.
#[derive(Clone, Copy)]
pub struct RateView<'a> {
    date: Option<NaiveDate>,
    tables: [Option<&'a ServiceTable>; SERVICE_SLOTS],
}

impl std::fmt::Debug for RateView<'_> {
    // The tables hold thousands of entries: show which versions were picked, not their content.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let picked: Vec<(String, NaiveDateTime)> = self
            .tables()
            .map(|t| (t.service().id(), t.effective()))
            .collect();
        f.debug_struct("RateView")
            .field("date", &self.date)
            .field("tables", &picked)
            .finish()
    }
}

impl<'a> RateView<'a> {
    /// The date asked for; `None` for [`RateSet::latest`].
    pub fn date(&self) -> Option<NaiveDate> {
        self.date
    }

    /// The tariff of `service` in this view.
    pub fn table(&self, service: Service) -> Option<&'a ServiceTable> {
        self.tables[service_slot(service)]
    }

    /// All tariffs in this view, in [`Service::all`] order.
    pub fn tables(&self) -> impl Iterator<Item = &'a ServiceTable> + '_ {
        self.tables.iter().filter_map(|t| *t)
    }

    /// The entry for (country, zone), codes as typed by a user (case and spaces ignored).
    pub fn entry(&self, service: Service, country: &str, zone: &str) -> Option<&'a RateEntry> {
        let (d, z) = (Code::parse(country)?, Code::parse(zone)?);
        self.table(service)?.entry(d, z)
    }
}

impl TariffFacts for RateView<'_> {
    fn weight_limit_g(&self, service: Service, country: &str, zone: &str) -> Option<Grams> {
        self.entry(service, country, zone).map(RateEntry::limit_g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_slots_are_dense_and_follow_service_all() {
        let all = Service::all();
        assert_eq!(all.len(), SERVICE_SLOTS);
        for (i, s) in all.into_iter().enumerate() {
            assert_eq!(service_slot(s), i, "{s:?}");
        }
    }
}
