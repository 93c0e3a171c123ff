//! iMail pricing (domain.md §5.7): per kg of bag weight plus a handling fee per item.
//!
//! iMail is not priced per item at all: the final charge is computed per posting and
//! destination from the bag weight on HKP's scale and the item count. A merchant
//! still wants a per-item figure while drafting, so [`ImailRate::item_estimate`] gives
//! `weight_kg × amount + handleFee`, labelled an estimate. Both are exact in integer
//! arithmetic: grams × cents-per-kg is an exact number of thousandths of a cent, kept
//! unrounded because the operator's kg rounding of bag weight is unknown. We deliberately do
//! not copy the WordPress plugin's whole-kg rounding and one-fee-per-2-kg rule (§5.7: the
//! plugin author's assumption, not an HKP rule). The rates are per destination (C-11); the
//! zone 1/2/3 is only for bag labels ([`crate::destination::imail_zone`]).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::destination::Code;
use std::collections::BTreeMap;

use crate::model::{Bag, Grams, Hkd};
use crate::postage::{counter_amount, PostageError};
use crate::rates::{Pricing, RateView};
use crate::service::Service;
use crate::validate::imail_bag_limit_g;

/// The iMail item weight limit (§1: item ≤ 2 kg). The iMail file carries no `wgtLimit`.
pub const IMAIL_ITEM_LIMIT_G: Grams = 2_000;

/// One destination's iMail rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImailRate {
    /// HK$ per kg of bag weight (`amount`).
    pub per_kg: Hkd,
    /// HK$ per item (`handleFee`).
    pub handle_fee: Hkd,
    #[serde(skip)]
    per_kg_c: u32,
    #[serde(skip)]
    handle_fee_c: u32,
}

impl ImailRate {
    pub(crate) fn from_cents(per_kg_c: u32, handle_fee_c: u32) -> Self {
        ImailRate {
            per_kg: Decimal::new(i64::from(per_kg_c), 2),
            handle_fee: Decimal::new(i64::from(handle_fee_c), 2),
            per_kg_c,
            handle_fee_c,
        }
    }

    /// Weight charge for `grams`: grams × cents/kg is in 1/1000 cent = 10⁻⁵ HK$. Exact.
    fn weight_charge(&self, grams: u64) -> Hkd {
        Decimal::new((grams * u64::from(self.per_kg_c)) as i64, 5).normalize()
    }

    /// Per-item draft estimate (§5.7, *derived*): `weight_kg × amount + handleFee`. Not the
    /// charge: that is computed on bag weight.
    pub fn item_estimate(&self, weight_g: Grams) -> Hkd {
        self.weight_charge(u64::from(weight_g)) + self.handle_fee
    }

    /// bag weight (total of the destination's bags, grams) × per-kg charge + item
    /// count × handling fee.
    pub fn posting_charge(&self, bag_weight_g: u64, items: u32) -> Hkd {
        self.weight_charge(bag_weight_g)
            + Decimal::new(i64::from(items) * i64::from(self.handle_fee_c), 2)
    }
}

impl RateView<'_> {
    /// The iMail rate for a destination (iMail has no sub-zones: the zone is the country).
    pub fn imail_rate(&self, country: &str) -> Result<ImailRate, PostageError> {
        let service = Service::Imail;
        let code = Code::parse(country).ok_or_else(|| PostageError::InvalidCode {
            code: country.to_owned(),
        })?;
        let table = self.table(service).ok_or(PostageError::NoTariff {
            service,
            date: self.date(),
        })?;
        match table.entry(code, code).map(|e| &e.pricing) {
            Some(Pricing::PerKg {
                per_kg_c,
                handle_fee_c,
            }) => Ok(ImailRate::from_cents(*per_kg_c, *handle_fee_c)),
            _ => Err(PostageError::NotServed {
                service,
                destination: code,
                zone: code,
            }),
        }
    }
}

/// What one destination's bags in one posting weigh and hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PostingLine {
    pub country: String,
    /// Weight of each bag for this destination, grams (HKP's scale prevails).
    pub bag_weights_g: Vec<Grams>,
    pub items: u32,
}

/// The charge for one destination of a posting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostingLineCharge {
    pub country: String,
    pub rate: ImailRate,
    pub bag_weight_g: u64,
    pub items: u32,
    pub weight_charge: Hkd,
    pub handling: Hkd,
    pub total: Hkd,
}

/// A posting's expected charge: lines per destination and the total, with the counter total
/// rounded down to HK$0.10 (R-011, applied to the total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostingCharge {
    pub lines: Vec<PostingLineCharge>,
    pub total: Hkd,
    pub counter_total: Hkd,
}

/// R-152 for a whole posting. Bag and posting minima (R-148–R-150, §1) are validation rules,
/// checked elsewhere.
pub fn posting_charge(
    view: &RateView<'_>,
    lines: &[PostingLine],
) -> Result<PostingCharge, PostageError> {
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let rate = view.imail_rate(&l.country)?;
        let bag_weight_g: u64 = l.bag_weights_g.iter().map(|w| u64::from(*w)).sum();
        let weight_charge = rate.weight_charge(bag_weight_g);
        let handling = Decimal::new(i64::from(l.items) * i64::from(rate.handle_fee_c), 2);
        out.push(PostingLineCharge {
            country: l.country.trim().to_uppercase(),
            rate,
            bag_weight_g,
            items: l.items,
            weight_charge,
            handling,
            total: weight_charge + handling,
        });
    }
    let total: Hkd = out.iter().map(|l| l.total).sum();
    Ok(PostingCharge {
        lines: out,
        total,
        counter_total: counter_amount(total),
    })
}

/// One destination per bag, in destination order; within a destination a new bag
/// starts when the next item would pass the bag limit. Returns the bags, and each item's bag
/// number in the order the items were given.
pub fn form_bags(items: &[(String, Grams)]) -> (Vec<Bag>, Vec<u32>) {
    let mut by_destination: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (dest, _)) in items.iter().enumerate() {
        by_destination
            .entry(dest.trim().to_ascii_uppercase())
            .or_default()
            .push(i);
    }
    let mut bags = Vec::new();
    let mut bag_of = vec![0; items.len()];
    for (dest, members) in by_destination {
        let limit = imail_bag_limit_g(&dest);
        let mut load = 0u32;
        for i in members {
            let w = items[i].1;
            if bags.last().is_none_or(|b: &Bag| b.destination != dest)
                || load + w > limit && load > 0
            {
                bags.push(Bag {
                    number: bags.len() as u32 + 1,
                    destination: dest.clone(),
                    weight_g: None,
                });
                load = 0;
            }
            load += w;
            bag_of[i] = bags.len() as u32;
        }
    }
    (bags, bag_of)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn item_estimate_is_exact_5_7() {
        // US 2021: 119.00/kg + 55.00/item.
        let r = ImailRate::from_cents(11_900, 5_500);
        assert_eq!(r.item_estimate(250), dec!(84.75)); // 0.25 × 119 + 55
        assert_eq!(r.item_estimate(251), dec!(84.869)); // no rounding invented
        assert_eq!(r.item_estimate(1_000), dec!(174));
    }

    #[test]
    fn posting_charge_is_bag_weight_plus_items_r152() {
        let r = ImailRate::from_cents(11_900, 5_500);
        // 2.5 kg of bags, 20 items: 297.50 + 1,100.00. Not 3 kg × 119 (no plugin rounding).
        assert_eq!(r.posting_charge(2_500, 20), dec!(1397.5));
    }

    #[test]
    fn bags_hold_one_destination_and_split_at_the_limit() {
        let items: Vec<(String, u32)> = vec![
            ("gb".into(), 9_000),
            ("JP".into(), 500),
            ("GB".into(), 9_000),
            ("GB".into(), 9_000),
            ("JP".into(), 700),
        ];
        let (bags, of) = form_bags(&items);
        let dest: Vec<(u32, &str)> = bags
            .iter()
            .map(|b| (b.number, b.destination.as_str()))
            .collect();
        // GB's limit is 20 kg: two items in bag 1, the third in bag 2; JP in one bag.
        assert_eq!(dest, [(1, "GB"), (2, "GB"), (3, "JP")]);
        assert_eq!(of, [1, 3, 1, 2, 3]);
        assert!(bags.iter().all(|b| b.weight_g.is_none()));
    }
}
