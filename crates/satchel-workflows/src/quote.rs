//! Postage: destination search and service comparison.

use chrono::NaiveDate;
use satchel_core::calendar::{DayKind, HolidayCalendar};
use satchel_core::compare::{self, Exclusion};
use satchel_core::destination::{self, Destination, ImailZone};
use satchel_core::model::{ContentCategory, Dimensions, Parcel};
use satchel_core::rates::{RateSet, STALE_AFTER_MONTHS};
use satchel_ipc::{
    CommandError, CompareRequest, CompareResponse, DestinationChoice, ExcludedService,
    ExclusionReason, Refused, ServiceQuote,
};

use crate::convert::{date as format_date, money};

/// At most this many picker suggestions: enough to scroll, few enough to render at once.
const MAX_SUGGESTIONS: usize = 12;

/// Picker choices: one per priced zone, so a split country (US: New York, Hawaii, others)
/// offers each part.
pub fn search(all: &[Destination], query: &str) -> Vec<DestinationChoice> {
    destination::search(all, query)
        .into_iter()
        .flat_map(choices)
        .take(MAX_SUGGESTIONS)
        .collect()
}

/// The picker choices of one destination: the country, or each of its sub-zones.
pub fn choices(d: &Destination) -> impl Iterator<Item = DestinationChoice> + '_ {
    d.zones.iter().map(move |z| DestinationChoice {
        country: d.code.to_string(),
        zone: z.zone.to_string(),
        name_en: if d.has_sub_zones() {
            z.name_en.clone()
        } else {
            d.name_en.clone()
        },
        name_zh_hk: if d.has_sub_zones() {
            z.name_tc.clone()
        } else {
            d.name_tc.clone()
        },
        imail_zone: d.imail_zone.map(|iz| match iz {
            ImailZone::Z1 => 1,
            ImailZone::Z2 => 2,
            ImailZone::Z3 => 3,
        }),
    })
}

pub fn compare(
    rates: &RateSet,
    calendar: &HolidayCalendar,
    request: CompareRequest,
    today: NaiveDate,
) -> Result<CompareResponse, CommandError> {
    let category = parse_category(&request.category)?;
    if request.weight_g == 0 {
        return Err(CommandError::new("weight_g", Refused::WeightMissing));
    }
    let view = rates.as_of(today);
    let parcel = Parcel {
        weight_g: request.weight_g,
        dimensions: request
            .dimensions_mm
            .map(|[length, width, height]| Dimensions {
                length,
                width,
                height,
            }),
    };
    let result = compare::compare(
        &view,
        &compare::CompareRequest {
            parcel,
            country: request.country,
            zone: request.zone,
            category,
        },
    );
    let options = result
        .options
        .into_iter()
        .map(|o| {
            let file = rates.file_in_force(o.service, today);
            (o, file)
        })
        .map(|(o, file)| ServiceQuote {
            id: o.id,
            name_en: o.name_en,
            name_zh_hk: o.name_tc,
            estimate: money(o.estimate),
            counter: money(o.counter),
            tariff_date: o.tariff_date.date().to_string(),
            tariff_source: file.map(crate::tariffs::source_words).unwrap_or_default(),
            tariff_stale: file.is_some_and(|f| f.is_stale(today, STALE_AFTER_MONTHS)),
            delivery: o.delivery.map(|w| {
                let dates = calendar.delivery_window(
                    today,
                    w.min_days.into(),
                    w.max_days.into(),
                    DayKind::Pledge,
                );
                satchel_ipc::DeliveryDto {
                    min_days: w.min_days,
                    max_days: w.max_days,
                    rule: w.rule.into(),
                    earliest: format_date(dates.earliest),
                    latest: format_date(dates.latest),
                }
            }),
        })
        .collect();
    let excluded = result
        .excluded
        .into_iter()
        .map(|e| {
            let (name_en, name_zh_hk) = view
                .table(e.service)
                .map(|t| (t.name_en().to_owned(), t.name_tc().to_owned()))
                .unwrap_or_else(|| (e.id.clone(), e.id.clone()));
            ExcludedService {
                id: e.id,
                name_en,
                name_zh_hk,
                reason: reason(e.reason),
            }
        })
        .collect();
    Ok(CompareResponse {
        as_of: format_date(today),
        options,
        excluded,
    })
}

pub(crate) fn parse_category(s: &str) -> Result<ContentCategory, CommandError> {
    ContentCategory::from_id(s).ok_or_else(|| {
        CommandError::new(
            "category",
            Refused::UnknownCategory {
                value: s.to_owned(),
            },
        )
    })
}

fn reason(e: Exclusion) -> ExclusionReason {
    match e {
        Exclusion::UsGoodsSuspended => ExclusionReason::UsGoodsSuspended,
        Exclusion::LocalOnly => ExclusionReason::LocalOnly,
        Exclusion::InternationalOnly => ExclusionReason::InternationalOnly,
        Exclusion::NoTariff => ExclusionReason::NoTariff,
        Exclusion::NotServed => ExclusionReason::NotServed,
        Exclusion::OverLimit { limit_g } => ExclusionReason::OverLimit { limit_g },
        Exclusion::AmbiguousRate { .. } => ExclusionReason::AmbiguousRate,
        Exclusion::OverSize { rule } => ExclusionReason::OverSize { rule: rule.into() },
        Exclusion::InvalidDestination => ExclusionReason::InvalidDestination,
        Exclusion::NoStep => ExclusionReason::NoStep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compares one item on a fixed Monday with the bundled rates and holidays.
    fn run(country: &str, weight_g: u32, category: &str) -> Result<CompareResponse, CommandError> {
        let request = CompareRequest {
            country: country.into(),
            zone: None,
            weight_g,
            dimensions_mm: None,
            category: category.into(),
        };
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        compare(
            &RateSet::bundled(),
            &HolidayCalendar::bundled(),
            request,
            day,
        )
    }

    #[test]
    fn gb_packet_is_priced_cheapest_first_with_dates() {
        let r = run("GB", 450, "sale_of_goods").unwrap();
        assert_eq!(r.as_of, "2026-11-23");
        assert!(!r.options.is_empty());
        let prices: Vec<rust_decimal::Decimal> = r
            .options
            .iter()
            .map(|o| o.estimate.parse().unwrap())
            .collect();
        assert!(
            prices.windows(2).all(|w| w[0] <= w[1]),
            "sorted: {prices:?}"
        );
        assert!(r
            .excluded
            .iter()
            .any(|e| e.reason == ExclusionReason::LocalOnly));
    }

    #[test]
    fn goods_to_the_us_are_excluded_by_r063() {
        let r = run("US", 300, "gift").unwrap();
        assert!(r.options.iter().all(|o| o.id.starts_with("local_")) || r.options.is_empty());
        assert!(r
            .excluded
            .iter()
            .any(|e| e.reason == ExclusionReason::UsGoodsSuspended));
    }

    #[test]
    fn bad_category_names_the_field() {
        let err = run("GB", 10, "bananas").unwrap_err();
        assert_eq!(err.field, "category");
    }

    #[test]
    fn chinese_search_finds_a_split_country_by_zone() {
        let rates = RateSet::bundled();
        let all = destination::destinations(&rates.latest());
        let hits = search(&all, "英國");
        assert!(hits.iter().any(|c| c.country == "GB"), "{hits:?}");
    }
}
