//! Destinations as the rate files know them, for the destination picker and bag labels.
//!
//! A "destination" in the operator's data is not a country: it is the pair
//! (`destinationCode`, `zoneCode`). Some countries are split into sub-zones with different
//! prices (domain.md §5.4 item 2), and zone codes collide across countries (item 3: `UA` is
//! both Ukraine and New York in the parcel files). So the picker lists countries, each with
//! its zones, and every price lookup keys on both codes. HKP also uses pseudo-codes that are
//! not ISO (item 5: `XK` is the Caroline Islands, not Kosovo), which we note for display.
//!
//! The iMail zone 1/2/3 lives here as a static table because it is a property of the
//! destination used for bag labels and display only; iMail is priced per destination (C-11).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::rates::RateView;
use crate::service::Service;

/// A two-letter code as used by the rate files (`destinationCode` or `zoneCode`).
///
/// Stored inline (two ASCII bytes) so that lookups and quotes never allocate.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code([u8; 2]);

impl Code {
    /// Parses a code leniently: surrounding spaces are trimmed and letters upper-cased, because
    /// users type `us` and the files sometimes pad values (§5.4 item 10).
    pub fn parse(s: &str) -> Option<Code> {
        let b = s.trim().as_bytes();
        if b.len() != 2 || !b.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        Some(Code([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII alphanumerics are ever stored, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }

    /// A compact integer for sorted indexes.
    pub(crate) fn as_u16(self) -> u16 {
        u16::from_be_bytes(self.0)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({})", self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("bad code {s:?}")))
    }
}

/// iMail postal zone, printed on bag labels as `Z-1` … `Z-3`. Display only (C-11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ImailZone {
    Z1,
    Z2,
    Z3,
}

impl ImailZone {
    /// The bag-label marking from seed 000 ("e.g. 'Z-2' for Zone 2").
    pub fn label(self) -> &'static str {
        match self {
            Self::Z1 => "Z-1",
            Self::Z2 => "Z-2",
            Self::Z3 => "Z-3",
        }
    }
}

// R-147 (seed 000): Z1 Asia except Japan; Z2 North America, Oceania, Europe except Eastern
// Europe and Scandinavia, plus Japan; Z3 all others. The seed gives only these words, so the
// country lists are *derived* (Low): continents and "Eastern Europe" follow the UN M49
// regions (Western Asia incl. TR, CY, the Caucasus counts as Asia; Central America and the
// Caribbean count as North America); "Scandinavia" is DK, NO, SE and their dependencies FO
// and SJ (FI and IS are Nordic but not Scandinavian, so Z2); territories follow their
// geography, HKP pseudo-codes (§5.4 item 5) their place.
const IMAIL_Z1: &[&str] = &[
    "AE", "AF", "AM", "AZ", "BD", "BH", "BN", "BT", "CN", "CY", "GE", "ID", "IL", "IN", "IQ", "IR",
    "JO", "KG", "KH", "KP", "KR", "KW", "KZ", "LA", "LB", "LK", "MM", "MN", "MO", "MV", "MY", "NP",
    "OM", "PH", "PK", "PS", "QA", "SA", "SG", "SY", "TH", "TJ", "TL", "TM", "TP", "TR", "TW", "UZ",
    "VN", "XE", "YE",
];
const IMAIL_Z2: &[&str] = &[
    // Japan (named in R-147).
    "JP", // Europe except Eastern Europe and Scandinavia.
    "AD", "AL", "AT", "AX", "BA", "BE", "CH", "DE", "EE", "ES", "FI", "FR", "GB", "GI", "GR", "HR",
    "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "ME", "MK", "MT", "NL", "PT", "RS", "SI", "SM",
    "VA", "XA", "XF", "XG", "XH", "XI", "XJ",
    "XO", // North America incl. Central America, Caribbean.
    "AG", "AI", "AN", "AW", "BB", "BM", "BS", "BZ", "CA", "CR", "CU", "DM", "DO", "GD", "GL", "GP",
    "GT", "HN", "HT", "JM", "KN", "KY", "LC", "MQ", "MS", "MX", "NI", "PA", "PM", "PR", "SV", "TC",
    "TT", "US", "VC", "VG", "VI", // Oceania.
    "AS", "AU", "CC", "CK", "CX", "FJ", "FM", "GU", "KI", "MH", "MP", "NC", "NF", "NR", "NZ", "PF",
    "PG", "PN", "PW", "SB", "TO", "TV", "VU", "WF", "WS", "XK", "XL", "XM",
];
const IMAIL_Z3: &[&str] = &[
    // Eastern Europe (M49) and Scandinavia.
    "BG", "BY", "CZ", "HU", "MD", "PL", "RO", "RU", "SK", "UA", "DK", "NO", "SE", "FO", "SJ",
    // South America.
    "AR", "BO", "BR", "CL", "CO", "EC", "FK", "GF", "GS", "GY", "PE", "PY", "SR", "UY", "VE",
    // Africa.
    "AO", "BF", "BI", "BJ", "BW", "CD", "CF", "CG", "CI", "CM", "CV", "DJ", "DZ", "EG", "ER", "ET",
    "GA", "GH", "GM", "GN", "GQ", "GW", "IO", "KE", "KM", "LR", "LS", "LY", "MA", "MG", "ML", "MR",
    "MU", "MW", "MZ", "NA", "NE", "NG", "RE", "RW", "SC", "SD", "SH", "SL", "SN", "SO", "ST", "SZ",
    "TD", "TG", "TN", "TZ", "UG", "XB", "XD", "ZA", "ZM", "ZW",
];

/// The iMail zone of a destination country, for bag labels and display only (C-11).
/// `None` for Hong Kong and for codes the table does not know (we do not guess).
pub fn imail_zone(country: &str) -> Option<ImailZone> {
    let code = Code::parse(country)?;
    let has = |list: &[&str]| list.iter().any(|c| *c == code.as_str());
    if has(IMAIL_Z1) {
        Some(ImailZone::Z1)
    } else if has(IMAIL_Z2) {
        Some(ImailZone::Z2)
    } else if has(IMAIL_Z3) {
        Some(ImailZone::Z3)
    } else {
        None
    }
}

/// What a non-ISO or deprecated code in the rate files stands for (§5.4 item 5).
pub fn code_note(code: &str) -> Option<&'static str> {
    Some(match Code::parse(code)?.as_str() {
        "AN" => "deprecated ISO code: Netherlands Antilles",
        "TP" => "deprecated ISO code: Timor-Leste (now TL)",
        "XA" => "HKP pseudo-code: Canary Islands",
        "XB" => "HKP pseudo-code: Tristan da Cunha",
        "XD" => "HKP pseudo-code: Ascension",
        "XE" => "HKP pseudo-code: Gaza and Khan Yunis",
        "XF" => "HKP pseudo-code: Corsica",
        "XG" => "HKP pseudo-code: Spanish Territories of North Africa",
        "XH" => "HKP pseudo-code: Azores",
        "XI" => "HKP pseudo-code: Madeira",
        "XJ" => "HKP pseudo-code: Balearic Islands",
        "XK" => "HKP pseudo-code: Caroline Islands (not Kosovo)",
        "XL" => "HKP pseudo-code: New Zealand Islands Territories",
        "XM" => "HKP pseudo-code: Wake Island",
        "XO" => "HKP pseudo-code: Kosovo",
        _ => return None,
    })
}

/// One priced sub-zone of a country: the key every rate lookup uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Zone {
    pub zone: Code,
    /// Names as in the rate files (trimmed), e.g. "USA (NEW YORK)".
    pub name_en: String,
    pub name_tc: String,
    /// Services with a tariff for this (country, zone) in the view.
    pub services: Vec<Service>,
}

/// A destination country (or territory) with its sub-zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Destination {
    pub code: Code,
    pub name_en: String,
    pub name_tc: String,
    /// One entry when the country is not split; several when the UI must ask which one
    /// (§5.4 item 2). The zone equal to `code` comes first.
    pub zones: Vec<Zone>,
    pub imail_zone: Option<ImailZone>,
    /// Set for deprecated and HKP pseudo-codes (§5.4 item 5).
    pub note: Option<&'static str>,
}

impl Destination {
    /// Whether the picker must ask for a sub-zone (state, province, island).
    pub fn has_sub_zones(&self) -> bool {
        self.zones.len() > 1
    }

    pub fn zone(&self, zone: &str) -> Option<&Zone> {
        let z = Code::parse(zone)?;
        self.zones.iter().find(|x| x.zone == z)
    }
}

/// Every destination reachable by some service in `view`, sorted by code.
///
/// Names differ between files ("USA" vs "USA (ALL OTHER STATES)", §5.4 item 5), so the
/// country name is taken from a table where the country is not split, and each zone keeps the
/// name of its own entry; the newest tables are consulted first.
pub fn destinations(view: &RateView<'_>) -> Vec<Destination> {
    #[derive(Default)]
    struct Acc {
        name: Option<(String, String)>,
        fallback: Option<(String, String)>,
        zones: BTreeMap<Code, Zone>,
    }
    let mut acc: BTreeMap<Code, Acc> = BTreeMap::new();
    let mut tables: Vec<_> = view.tables().collect();
    tables.sort_by_key(|t| std::cmp::Reverse(t.effective()));
    for table in tables {
        let mut per_country: BTreeMap<Code, usize> = BTreeMap::new();
        for e in table.entries() {
            *per_country.entry(e.destination).or_default() += 1;
        }
        for e in table.entries() {
            let a = acc.entry(e.destination).or_default();
            let names = (e.name_en.clone(), e.name_tc.clone());
            if per_country[&e.destination] == 1 && a.name.is_none() {
                a.name = Some(names.clone());
            }
            if a.fallback.is_none() {
                a.fallback = Some(names.clone());
            }
            let z = a.zones.entry(e.zone).or_insert_with(|| Zone {
                zone: e.zone,
                name_en: names.0,
                name_tc: names.1,
                services: Vec::new(),
            });
            if !z.services.contains(&table.service()) {
                z.services.push(table.service());
            }
        }
    }
    acc.into_iter()
        .map(|(code, a)| {
            let (name_en, name_tc) = a.name.or(a.fallback).unwrap_or_default();
            let mut zones: Vec<Zone> = a.zones.into_values().collect();
            zones.sort_by_key(|z| (z.zone != code, z.zone));
            for z in &mut zones {
                z.services.sort();
            }
            Destination {
                code,
                name_en,
                name_tc,
                zones,
                imail_zone: imail_zone(code.as_str()),
                note: code_note(code.as_str()),
            }
        })
        .collect()
}

/// Destination-picker search: case-insensitive substring over codes and English and
/// Traditional Chinese names of countries and their zones. Exact code matches come first,
/// then name prefixes, then other substrings, each alphabetically by code. An empty query
/// returns everything.
pub fn search<'a>(all: &'a [Destination], query: &str) -> Vec<&'a Destination> {
    let q = query.trim().to_lowercase();
    let mut hits: Vec<(u8, &Destination)> = all
        .iter()
        .filter_map(|d| {
            if q.is_empty() {
                return Some((3, d));
            }
            let code_hit = d.code.as_str().eq_ignore_ascii_case(&q)
                || d.zones
                    .iter()
                    .any(|z| z.zone.as_str().eq_ignore_ascii_case(&q));
            if code_hit {
                return Some((0, d));
            }
            let names = std::iter::once((&d.name_en, &d.name_tc))
                .chain(d.zones.iter().map(|z| (&z.name_en, &z.name_tc)));
            let mut best = None;
            for (en, tc) in names {
                let (en, tc) = (en.to_lowercase(), tc.to_lowercase());
                if en.starts_with(&q) || tc.starts_with(&q) {
                    best = Some(1);
                    break;
                }
                if en.contains(&q) || tc.contains(&q) {
                    best = best.or(Some(2));
                }
            }
            best.map(|rank| (rank, d))
        })
        .collect();
    hits.sort_by_key(|(rank, d)| (*rank, d.code));
    hits.into_iter().map(|(_, d)| d).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_parse_is_lenient_but_strict_on_length() {
        assert_eq!(Code::parse(" us").unwrap().as_str(), "US");
        assert!(Code::parse("USA").is_none());
        assert!(Code::parse("").is_none());
        assert!(Code::parse("U ").is_none());
    }

    #[test]
    fn imail_zones_follow_r147() {
        assert_eq!(imail_zone("JP"), Some(ImailZone::Z2)); // Japan is the named exception
        assert_eq!(imail_zone("CN"), Some(ImailZone::Z1));
        assert_eq!(imail_zone("us"), Some(ImailZone::Z2));
        assert_eq!(imail_zone("AU"), Some(ImailZone::Z2));
        assert_eq!(imail_zone("GB"), Some(ImailZone::Z2));
        assert_eq!(imail_zone("SE"), Some(ImailZone::Z3)); // Scandinavia
        assert_eq!(imail_zone("PL"), Some(ImailZone::Z3)); // Eastern Europe
        assert_eq!(imail_zone("BR"), Some(ImailZone::Z3));
        assert_eq!(imail_zone("HK"), None);
        assert_eq!(ImailZone::Z2.label(), "Z-2");
    }

    #[test]
    fn zone_lists_do_not_overlap() {
        let mut all: Vec<&str> = [IMAIL_Z1, IMAIL_Z2, IMAIL_Z3].concat();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
