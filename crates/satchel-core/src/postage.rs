//! The price of one item under a published tariff (domain.md §5.3), and counter rounding.
//!
//! This is the hot path of the comparison screen and of bulk re-pricing, so it works on the
//! pre-indexed integer tables of [`crate::rates`]: a binary search for the destination, a
//! binary search for the step, integer grams and cents, no allocation. Floating point is never
//! used: HKP prices are compared to the cent.
//!
//! Decisions (documented in domain.md §5.3, tested in `tests/postage_vectors.rs`):
//! - Step selection uses `weightFrom < w ≤ weightTo` ("over X, up to and including Y"): an
//!   item of exactly a step's upper bound pays that step (Speedpost US 500 g = 357.00).
//! - Conflicting steps (§5.4 item 9) make the whole entry [`PostageError::AmbiguousRate`]: the
//!   data gives two prices and we do not pick one.
//! - The e-Express band discontinuity (§5.4 item 14) is priced as published.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use thiserror::Error;

use crate::destination::Code;
use crate::imail;
use crate::model::{Grams, Hkd};
use crate::rates::{Pricing, RateEntry, RateView, Step};
use crate::service::Service;

/// Why no price can be given.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PostageError {
    /// No version of this service's tariff is effective on the view's date.
    #[error("no {} tariff is loaded for {}", .service.id(), .date.map_or("any date".to_owned(), |d| d.to_string()))]
    NoTariff {
        service: Service,
        date: Option<NaiveDate>,
    },
    /// The destination or zone code is not two letters.
    #[error("{code:?} is not a two-letter destination or zone code")]
    InvalidCode { code: String },
    /// The service has no tariff for this (destination, zone).
    #[error("{} does not serve {destination}/{zone}", .service.id())]
    NotServed {
        service: Service,
        destination: Code,
        zone: Code,
    },
    /// Zero weight, or heavier than min(wgtLimit, last weightTo) (§5.3, §5.4 item 7).
    #[error("weight {weight_g} g is outside what the tariff accepts (1 to {limit_g} g)")]
    OverLimit { weight_g: Grams, limit_g: Grams },
    /// The published steps give two prices for the same weights (§5.4 item 9): unknown
    /// offline, ask the API (`getTotalPostage`).
    #[error("the published tariff is ambiguous: {from_g}–{to_g} g costs both HK${first} and HK${second}")]
    AmbiguousRate {
        from_g: Grams,
        to_g: Grams,
        first: Hkd,
        second: Hkd,
    },
    /// The steps leave a gap around this weight (a defect in the data).
    #[error("the tariff has no step for {weight_g} g")]
    NoStep { weight_g: Grams },
}

/// How a quote was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteBasis {
    /// The published step tariff (§5.3).
    Tariff,
    /// iMail per-item draft estimate (§5.7): the real charge is on bag weight (R-152).
    ImailItemEstimate,
}

/// The price of one item. All money in HK$.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub service: Service,
    pub destination: Code,
    pub zone: Code,
    pub weight_g: Grams,
    /// The tariff price, unrounded ("estimate").
    pub estimate: Hkd,
    /// What the counter charges if this item is the whole posting: the estimate rounded down
    /// to HK$0.10 (R-011). Whether R-011 applies per item or per transaction is unknown.
    pub counter: Hkd,
    /// `lastUpdateDate` of the tariff used: always show it with the price.
    pub tariff_date: NaiveDateTime,
    pub basis: QuoteBasis,
}

/// R-011: the total postage paid is rounded DOWN to the nearest ten cents (88.44 → 88.40).
/// Apply it to the total of a transaction, not to each line, when several items are paid
/// together.
pub fn counter_amount(total: Hkd) -> Hkd {
    total.round_dp_with_strategy(1, RoundingStrategy::ToNegativeInfinity)
}

pub(crate) fn hkd_from_cents(cents: u64) -> Hkd {
    // Tariff amounts are far below i64::MAX cents.
    Decimal::new(cents as i64, 2)
}

/// §5.3 on a checked step list: `weightFrom < w ≤ weightTo`, plus
/// `ceil((w − from) / additionalWeight) × additionalAmount` on incremental steps.
#[inline]
pub(crate) fn step_price_cents(
    steps: &[Step],
    limit_g: Grams,
    weight_g: Grams,
) -> Result<u64, PostageError> {
    if weight_g == 0 || weight_g > limit_g {
        return Err(PostageError::OverLimit { weight_g, limit_g });
    }
    // Steps are sorted and non-overlapping: the first step ending at or above w is the only
    // candidate; it applies if it starts strictly below w.
    let i = steps.partition_point(|s| s.to_g < weight_g);
    let s = match steps.get(i) {
        Some(s) if s.from_g < weight_g => s,
        _ => return Err(PostageError::NoStep { weight_g }),
    };
    let mut cents = u64::from(s.amount_c);
    if s.add_g != 0 {
        let over = u64::from(weight_g - s.from_g);
        let units = over.div_ceil(u64::from(s.add_g));
        cents += units * u64::from(s.add_c);
    }
    Ok(cents)
}

/// Prices one entry. iMail entries give the per-item draft estimate (§5.7).
pub fn price_entry(entry: &RateEntry, weight_g: Grams) -> Result<(Hkd, QuoteBasis), PostageError> {
    match &entry.pricing {
        Pricing::Steps { steps, limit_g } => step_price_cents(steps, *limit_g, weight_g)
            .map(|c| (hkd_from_cents(c), QuoteBasis::Tariff)),
        Pricing::Ambiguous {
            from_g,
            to_g,
            first_c,
            second_c,
            ..
        } => Err(PostageError::AmbiguousRate {
            from_g: *from_g,
            to_g: *to_g,
            first: hkd_from_cents(u64::from(*first_c)),
            second: hkd_from_cents(u64::from(*second_c)),
        }),
        Pricing::PerKg {
            per_kg_c,
            handle_fee_c,
        } => {
            let limit_g = imail::IMAIL_ITEM_LIMIT_G;
            if weight_g == 0 || weight_g > limit_g {
                return Err(PostageError::OverLimit { weight_g, limit_g });
            }
            let rate = imail::ImailRate::from_cents(*per_kg_c, *handle_fee_c);
            Ok((rate.item_estimate(weight_g), QuoteBasis::ImailItemEstimate))
        }
    }
}

impl RateView<'_> {
    /// Prices one item of `weight_g` to (`country`, `zone`) with `service`, where `zone` is the
    /// open-data `zoneCode` (equal to `country` unless the country has sub-zones).
    ///
    /// ```
    /// # use satchel_core::{rates::RateSet, service::Service};
    /// let rates = RateSet::bundled();
    /// let view = rates.as_of(chrono::NaiveDate::from_ymd_opt(2023, 6, 1).unwrap());
    /// let q = view.quote(Service::Speedpost, "US", "US", 500).unwrap();
    /// assert_eq!(q.estimate.to_string(), "357.00");
    /// ```
    pub fn quote(
        &self,
        service: Service,
        country: &str,
        zone: &str,
        weight_g: Grams,
    ) -> Result<Quote, PostageError> {
        let code = |s: &str| {
            Code::parse(s).ok_or_else(|| PostageError::InvalidCode { code: s.to_owned() })
        };
        self.quote_codes(service, code(country)?, code(zone)?, weight_g)
    }

    /// [`RateView::quote`] with parsed codes (no string handling at all).
    pub fn quote_codes(
        &self,
        service: Service,
        destination: Code,
        zone: Code,
        weight_g: Grams,
    ) -> Result<Quote, PostageError> {
        let table = self.table(service).ok_or(PostageError::NoTariff {
            service,
            date: self.date(),
        })?;
        let entry = table
            .entry(destination, zone)
            .ok_or(PostageError::NotServed {
                service,
                destination,
                zone,
            })?;
        let (estimate, basis) = price_entry(entry, weight_g)?;
        Ok(Quote {
            service,
            destination,
            zone,
            weight_g,
            estimate,
            counter: counter_amount(estimate),
            tariff_date: table.effective(),
            basis,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn step(from_g: Grams, to_g: Grams, amount_c: u32, add_g: Grams, add_c: u32) -> Step {
        Step {
            from_g,
            to_g,
            amount_c,
            add_g,
            add_c,
        }
    }

    #[test]
    fn counter_rounding_r011_floors_to_ten_cents() {
        assert_eq!(counter_amount(dec!(88.44)), dec!(88.4));
        assert_eq!(counter_amount(dec!(88.49)), dec!(88.4));
        assert_eq!(counter_amount(dec!(88.40)), dec!(88.4));
        assert_eq!(counter_amount(dec!(39.42)), dec!(39.4));
        assert_eq!(counter_amount(dec!(0.09)), dec!(0.0));
        assert_eq!(counter_amount(dec!(12.34567)), dec!(12.3));
    }

    #[test]
    fn boundary_rule_upper_bound_is_inclusive_5_3() {
        let steps = [step(0, 30, 2390, 0, 0), step(30, 50, 2970, 0, 0)];
        assert_eq!(step_price_cents(&steps, 50, 30), Ok(2390));
        assert_eq!(step_price_cents(&steps, 50, 31), Ok(2970));
        assert_eq!(step_price_cents(&steps, 50, 50), Ok(2970));
        assert_eq!(
            step_price_cents(&steps, 50, 51),
            Err(PostageError::OverLimit {
                weight_g: 51,
                limit_g: 50
            })
        );
        assert_eq!(
            step_price_cents(&steps, 50, 0),
            Err(PostageError::OverLimit {
                weight_g: 0,
                limit_g: 50
            })
        );
    }

    #[test]
    fn incremental_step_uses_integer_ceil() {
        let steps = [step(0, 50, 2970, 0, 0), step(50, 2000, 2970, 10, 210)];
        assert_eq!(step_price_cents(&steps, 2000, 51), Ok(2970 + 210));
        assert_eq!(step_price_cents(&steps, 2000, 60), Ok(2970 + 210));
        assert_eq!(step_price_cents(&steps, 2000, 61), Ok(2970 + 420));
    }

    #[test]
    fn a_gap_in_the_steps_is_reported() {
        let steps = [step(0, 30, 100, 0, 0), step(40, 50, 200, 0, 0)];
        assert_eq!(
            step_price_cents(&steps, 50, 35),
            Err(PostageError::NoStep { weight_g: 35 })
        );
    }

    #[test]
    fn duplicates_are_merged_and_conflicts_are_ambiguous_5_4_items_8_9() {
        let dup = Pricing::from_steps(
            vec![
                step(0, 30, 100, 0, 0),
                step(0, 30, 100, 0, 0),
                step(30, 50, 200, 0, 0),
            ],
            None,
        );
        assert!(matches!(dup, Pricing::Steps { ref steps, limit_g: 50 } if steps.len() == 2));
        let conflict = Pricing::from_steps(
            vec![step(0, 1000, 43800, 0, 0), step(0, 1000, 42100, 0, 0)],
            None,
        );
        assert!(matches!(
            conflict,
            Pricing::Ambiguous {
                first_c: 43800,
                second_c: 42100,
                ..
            }
        ));
    }
}
