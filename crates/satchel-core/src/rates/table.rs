//! The in-memory form of one service's tariff: integer grams and cents, pre-indexed.
//!
//! Everything that can be decided once per file is decided at load time (deduplication,
//! ambiguity, the effective weight limit, step order, the lookup index), so that a quote is a
//! binary search and a few integer operations, with no allocation (target ≥ 1 M quotes/s).

use chrono::NaiveDateTime;

use crate::destination::Code;
use crate::imail::IMAIL_ITEM_LIMIT_G;
use crate::model::Grams;
use crate::service::Service;

/// One weight step, in grams and cents. `add_g == 0` marks a flat step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Step {
    pub from_g: Grams,
    pub to_g: Grams,
    pub amount_c: u32,
    pub add_g: Grams,
    pub add_c: u32,
}

/// How an entry is priced, decided at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pricing {
    /// Steps sorted by weight, non-overlapping; `limit_g` = min(wgtLimit, last weightTo)
    /// (§5.4 item 7).
    Steps { steps: Box<[Step]>, limit_g: Grams },
    /// Two steps cover the same weights at different prices (§5.4 item 9, AIR_PAR DE/EG/LU/QA):
    /// the price is unknown and must come from the API. The first conflict is kept for the
    /// error message.
    Ambiguous {
        from_g: Grams,
        to_g: Grams,
        first_c: u32,
        second_c: u32,
        limit_g: Grams,
    },
    /// iMail: HK$/kg of bag weight plus HK$/item (§5.7).
    PerKg { per_kg_c: u32, handle_fee_c: u32 },
}

impl Pricing {
    /// §5.3: dedupe exact duplicates (§5.4 item 8), detect conflicting steps (item 9), and
    /// take the conservative limit (item 7).
    pub(crate) fn from_steps(mut steps: Vec<Step>, wgt_limit_g: Option<Grams>) -> Pricing {
        // Stable sort keeps file order among steps with the same range, so the conflict we
        // report names the two amounts in the order the file gives them.
        steps.sort_by_key(|s| (s.from_g, s.to_g));
        steps.dedup();
        let last_to = steps.iter().map(|s| s.to_g).max().unwrap_or(0);
        let limit_g = wgt_limit_g.map_or(last_to, |l| l.min(last_to));
        for pair in steps.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            // Same range at another price, or any overlap: the file contradicts itself.
            if b.from_g < a.to_g {
                return Pricing::Ambiguous {
                    from_g: b.from_g,
                    to_g: b.to_g.min(a.to_g),
                    first_c: a.amount_c,
                    second_c: b.amount_c,
                    limit_g,
                };
            }
        }
        Pricing::Steps {
            steps: steps.into_boxed_slice(),
            limit_g,
        }
    }
}

/// One destination (country, zone) of one service's tariff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateEntry {
    pub destination: Code,
    pub zone: Code,
    /// Names as published, trimmed (§5.4 item 10).
    pub name_en: String,
    pub name_tc: String,
    pub name_sc: String,
    /// `wgtLimit` as published, if any (§5.4 item 6).
    pub wgt_limit_g: Option<Grams>,
    pub(crate) pricing: Pricing,
}

impl RateEntry {
    /// The heaviest item accepted: min(wgtLimit, last weightTo) (§5.4 item 7); for iMail the
    /// 2 kg item limit (§1), since the iMail file carries no limit.
    pub fn limit_g(&self) -> Grams {
        match &self.pricing {
            Pricing::Steps { limit_g, .. } | Pricing::Ambiguous { limit_g, .. } => *limit_g,
            Pricing::PerKg { .. } => IMAIL_ITEM_LIMIT_G,
        }
    }

    /// Whether the published steps contradict each other (§5.4 item 9).
    pub fn is_ambiguous(&self) -> bool {
        matches!(self.pricing, Pricing::Ambiguous { .. })
    }

    /// Upper bounds (`weightTo`) of the distinct steps, ascending; empty for iMail and for
    /// ambiguous entries. Within one step the price cannot fall, so these are the only
    /// weights where a heavier item could cost less (§5.4 item 14).
    pub fn step_bounds(&self) -> impl Iterator<Item = Grams> + '_ {
        let steps: &[Step] = match &self.pricing {
            Pricing::Steps { steps, .. } => steps,
            Pricing::Ambiguous { .. } | Pricing::PerKg { .. } => &[],
        };
        steps.iter().map(|s| s.to_g)
    }

    /// Number of distinct steps after deduplication (0 for iMail).
    pub fn step_count(&self) -> usize {
        match &self.pricing {
            Pricing::Steps { steps, .. } => steps.len(),
            Pricing::Ambiguous { .. } | Pricing::PerKg { .. } => 0,
        }
    }
}

fn key(destination: Code, zone: Code) -> u32 {
    (u32::from(destination.as_u16()) << 16) | u32::from(zone.as_u16())
}

/// One service's tariff from one file version.
#[derive(Debug, Clone)]
pub struct ServiceTable {
    service: Service,
    name_en: String,
    name_tc: String,
    tracking_level: Option<u8>,
    effective: NaiveDateTime,
    entries: Vec<RateEntry>,
    /// (key(destination, zone), index into `entries`), sorted by key.
    index: Vec<(u32, u32)>,
}

impl ServiceTable {
    /// Fails with the (destination, zone) that appears twice: the §5.2 unique key is broken.
    pub(crate) fn new(
        service: Service,
        name_en: String,
        name_tc: String,
        tracking_level: Option<u8>,
        effective: NaiveDateTime,
        entries: Vec<RateEntry>,
    ) -> Result<Self, (Code, Code)> {
        let mut index: Vec<(u32, u32)> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (key(e.destination, e.zone), i as u32))
            .collect();
        index.sort_unstable();
        if let Some(w) = index.windows(2).find(|w| w[0].0 == w[1].0) {
            let e = &entries[w[0].1 as usize];
            return Err((e.destination, e.zone));
        }
        Ok(ServiceTable {
            service,
            name_en,
            name_tc,
            tracking_level,
            effective,
            entries,
            index,
        })
    }

    pub fn service(&self) -> Service {
        self.service
    }
    /// `serviceNameEN` as published (trimmed).
    pub fn name_en(&self) -> &str {
        &self.name_en
    }
    pub fn name_tc(&self) -> &str {
        &self.name_tc
    }
    /// `trackingLevel` ("0"/"1"/"2"; meaning inferred, Low); `None` for iMail.
    pub fn tracking_level(&self) -> Option<u8> {
        self.tracking_level
    }
    /// The file's `lastUpdateDate`: the version's effective date.
    pub fn effective(&self) -> NaiveDateTime {
        self.effective
    }
    /// Entries in file order.
    pub fn entries(&self) -> &[RateEntry] {
        &self.entries
    }

    /// The entry for the pair (destinationCode, zoneCode) (§5.4 item 3: never one alone).
    pub fn entry(&self, destination: Code, zone: Code) -> Option<&RateEntry> {
        let k = key(destination, zone);
        self.index
            .binary_search_by_key(&k, |(k, _)| *k)
            .ok()
            .map(|i| &self.entries[self.index[i].1 as usize])
    }
}
