//! What moved between two versions of one service's tariff (issue #16).
//!
//! When a newer rate file arrives, a merchant who quoted customers yesterday needs to know
//! which of those quotes are now wrong: the destinations added or withdrawn, and the weight
//! bands whose price moved, by how much. The comparison is structural (per destination, per
//! weight band), so a file re-published with different formatting shows no change.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Serialize;

use super::table::{Pricing, RateEntry, ServiceTable, Step};
use crate::destination::Code;
use crate::model::{Grams, Hkd};
use crate::service::Service;

/// One weight band's price: `amount` for the band's first weight, then `each` for every
/// further `each_g` (a flat band has `each_g == 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Band {
    pub amount: Hkd,
    pub each_g: Grams,
    pub each: Hkd,
}

impl From<&Step> for Band {
    fn from(s: &Step) -> Band {
        Band {
            amount: cents(s.amount_c),
            each_g: s.add_g,
            each: cents(s.add_c),
        }
    }
}

fn cents(c: u32) -> Hkd {
    Decimal::new(i64::from(c), 2)
}

/// What changed for one destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Moved {
    /// The destination is new in this version.
    Added,
    /// The destination is no longer served.
    Withdrawn,
    /// A weight band's price; `None` on one side when the band exists only on the other.
    Band {
        from_g: Grams,
        to_g: Grams,
        old: Option<Band>,
        new: Option<Band>,
    },
    /// The heaviest item accepted.
    Limit { old_g: Grams, new_g: Grams },
    /// iMail's per-kilogram rate (§5.7).
    PerKg { old: Hkd, new: Hkd },
    /// iMail's per-item fee (§5.7).
    ItemFee { old: Hkd, new: Hkd },
    /// The steps contradict each other on one side (§5.4 item 9), so bands cannot be
    /// compared: the price must come from EC-Ship.
    Unclear,
}

impl Moved {
    /// By how much the price moved, where one price became another.
    pub fn delta(&self) -> Option<Hkd> {
        match self {
            Moved::Band {
                old: Some(o),
                new: Some(n),
                ..
            } => Some(n.amount - o.amount),
            Moved::PerKg { old, new } | Moved::ItemFee { old, new } => Some(new - old),
            _ => None,
        }
    }
}

/// One change at one destination (country, zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub destination: Code,
    pub zone: Code,
    /// The destination's English name as published (in the newer version when it has one).
    pub name_en: String,
    #[serde(flatten)]
    pub moved: Moved,
}

/// Every change to one service between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceDiff {
    pub service: Service,
    /// The older version's `lastUpdateDate`; `None` when the service had no tariff before.
    pub from: Option<NaiveDateTime>,
    /// The newer version's `lastUpdateDate`.
    pub to: NaiveDateTime,
    /// In the newer file's destination order, withdrawn destinations last.
    pub changes: Vec<Change>,
}

impl ServiceDiff {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares two versions of one service's tariff.
pub fn diff(old: &ServiceTable, new: &ServiceTable) -> ServiceDiff {
    let mut changes = Vec::new();
    for n in new.entries() {
        let change = |moved| Change {
            destination: n.destination,
            zone: n.zone,
            name_en: n.name_en.clone(),
            moved,
        };
        match old.entry(n.destination, n.zone) {
            None => changes.push(change(Moved::Added)),
            Some(o) => changes.extend(entry_moves(o, n).into_iter().map(change)),
        }
    }
    for o in old.entries() {
        if new.entry(o.destination, o.zone).is_none() {
            changes.push(Change {
                destination: o.destination,
                zone: o.zone,
                name_en: o.name_en.clone(),
                moved: Moved::Withdrawn,
            });
        }
    }
    ServiceDiff {
        service: new.service(),
        from: Some(old.effective()),
        to: new.effective(),
        changes,
    }
}

/// A service's first tariff: every destination is new.
pub fn first(new: &ServiceTable) -> ServiceDiff {
    ServiceDiff {
        service: new.service(),
        from: None,
        to: new.effective(),
        changes: new
            .entries()
            .iter()
            .map(|n| Change {
                destination: n.destination,
                zone: n.zone,
                name_en: n.name_en.clone(),
                moved: Moved::Added,
            })
            .collect(),
    }
}

/// What a file would change if added to `current`: per service in it, the difference from
/// the version `current` has in force on the file's date. Services it leaves as they were
/// are not listed, so an empty result means the file tells nothing new.
pub fn against(current: &super::RateSet, file: &super::RateSet) -> Vec<ServiceDiff> {
    let mut out = Vec::new();
    for new in file.latest().tables() {
        let d = match current.as_of(new.effective().date()).table(new.service()) {
            Some(old) => diff(old, new),
            None => first(new),
        };
        if !d.is_empty() {
            out.push(d);
        }
    }
    out
}

fn entry_moves(old: &RateEntry, new: &RateEntry) -> Vec<Moved> {
    let mut moves = Vec::new();
    match (&old.pricing, &new.pricing) {
        (Pricing::Steps { steps: a, .. }, Pricing::Steps { steps: b, .. }) => {
            moves.extend(band_moves(a, b));
        }
        (
            Pricing::PerKg {
                per_kg_c: ka,
                handle_fee_c: fa,
            },
            Pricing::PerKg {
                per_kg_c: kb,
                handle_fee_c: fb,
            },
        ) => {
            if ka != kb {
                moves.push(Moved::PerKg {
                    old: cents(*ka),
                    new: cents(*kb),
                });
            }
            if fa != fb {
                moves.push(Moved::ItemFee {
                    old: cents(*fa),
                    new: cents(*fb),
                });
            }
        }
        (a, b) if a == b => {}
        _ => moves.push(Moved::Unclear),
    }
    if old.limit_g() != new.limit_g() {
        moves.push(Moved::Limit {
            old_g: old.limit_g(),
            new_g: new.limit_g(),
        });
    }
    moves
}

/// Bands are matched by their weight range; both lists are sorted by weight (table.rs).
fn band_moves(old: &[Step], new: &[Step]) -> Vec<Moved> {
    let mut moves = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let o = old.get(i);
        let n = new.get(j);
        let range = |s: &Step| (s.from_g, s.to_g);
        let (take_old, take_new) = match (o, n) {
            (Some(o), Some(n)) if range(o) == range(n) => (true, true),
            (Some(o), Some(n)) => (range(o) < range(n), range(n) < range(o)),
            (Some(_), None) => (true, false),
            (None, _) => (false, true),
        };
        let o = o.filter(|_| take_old);
        let n = n.filter(|_| take_new);
        let (from_g, to_g) = o.or(n).map(range).unwrap_or_default();
        let (ob, nb) = (o.map(Band::from), n.map(Band::from));
        if ob != nb {
            moves.push(Moved::Band {
                from_g,
                to_g,
                old: ob,
                new: nb,
            });
        }
        i += usize::from(take_old);
        j += usize::from(take_new);
    }
    moves
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rates::RateSet;

    /// The bundled ORD file under a new date, with its air small-letter price to Taiwan for
    /// the first 20 g set to `price` (HK$3.40 in the 2021 file, HK$3.70 from 26 Sep 2022).
    pub(crate) fn ord_with(date: &str, price: &str) -> String {
        let json = crate::rates::BUNDLED
            .iter()
            .find(|(n, _)| *n == "postageRate-intl-ORD.json")
            .unwrap()
            .1;
        let mut v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["lastUpdateDate"] = date.into();
        for service in v["data"].as_array_mut().unwrap() {
            if service["serviceNameEN"] != "Air Mail (Small Letter)" {
                continue;
            }
            for e in service["postage"].as_array_mut().unwrap() {
                if e["destinationCode"] == "TW" && e["zoneCode"] == "TW" {
                    e["weightStep"][0]["amount"] = price.into();
                }
            }
        }
        v.to_string()
    }

    #[test]
    fn a_moved_price_is_reported_with_its_band_and_by_how_much() {
        let mut set = RateSet::new();
        set.load_json(&ord_with("2021-12-06 00:00:00", "3.40"))
            .unwrap();
        set.load_json(&ord_with("2022-09-26 00:00:00", "3.70"))
            .unwrap();
        let service = Service::AirMail(crate::service::LetterFormat::SmallLetter);
        let d = set.changes(service).expect("two versions");
        assert_eq!(d.changes.len(), 1, "{:?}", d.changes);
        let c = &d.changes[0];
        assert_eq!(c.destination.as_str(), "TW");
        assert_eq!(c.moved.delta(), Some(Decimal::new(30, 2)));
        assert!(matches!(c.moved, Moved::Band { from_g: 0, .. }), "{c:?}");
    }

    #[test]
    fn the_same_tariff_republished_shows_no_change() {
        let mut set = RateSet::new();
        set.load_json(&ord_with("2021-12-06 00:00:00", "3.40"))
            .unwrap();
        set.load_json(&ord_with("2022-09-26 00:00:00", "3.40"))
            .unwrap();
        let service = Service::AirMail(crate::service::LetterFormat::SmallLetter);
        assert!(set.changes(service).unwrap().is_empty());
    }
}
