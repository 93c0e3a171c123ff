//! Versioned rate loading (effective dates, run-time files, typed errors), the service
//! comparison, destinations and search, and the `TariffFacts` seam.

use chrono::NaiveDate;
use rust_decimal_macros::dec;
use satchel_core::compare::{compare, CompareRequest, Exclusion};
use satchel_core::destination::{destinations, imail_zone, search};
use satchel_core::imail::{posting_charge, PostingLine};
use satchel_core::model::{ContentCategory, Dimensions, Parcel};
use satchel_core::postage::PostageError;
use satchel_core::rates::{RateFileError, RateSet, BUNDLED};
use satchel_core::service::{LetterFormat, Service};
use satchel_core::tariff::TariffFacts;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn bundled(name: &str) -> &'static str {
    BUNDLED.iter().find(|(n, _)| *n == name).unwrap().1
}

// ------------------------------------------------------------ versions and loading

#[test]
fn effective_date_picks_latest_version_on_or_before_the_date() {
    // local-SMP (2021-12-06) and local-ORD (2023-01-06) are two LocalOrdinary versions.
    let mut set = RateSet::new();
    set.load_json_named("smp", bundled("postageRate-local-SMP.json"))
        .unwrap();
    set.load_json_named("ord", bundled("postageRate-local-ORD.json"))
        .unwrap();
    let s = Service::LocalOrdinary(LetterFormat::Packet);
    let p = |d| set.as_of(d).quote(s, "HK", "HK", 100).map(|q| q.estimate);
    assert!(matches!(
        p(date(2021, 12, 5)),
        Err(PostageError::NoTariff { .. })
    ));
    assert_eq!(p(date(2021, 12, 6)), Ok(dec!(5.20))); // effective on its own day
    assert_eq!(p(date(2023, 1, 5)), Ok(dec!(5.20)));
    assert_eq!(p(date(2023, 1, 6)), Ok(dec!(5.60)));
    assert_eq!(p(date(2030, 1, 1)), Ok(dec!(5.60)));
    assert_eq!(
        set.latest().quote(s, "HK", "HK", 100).unwrap().estimate,
        dec!(5.60)
    );
}

#[test]
fn a_newer_file_loaded_at_run_time_takes_over_from_its_date() {
    let mut set = RateSet::bundled();
    let newer = bundled("postageRate-local-LCP.json")
        .replace("2023-01-06 10:14:08", "2024-07-01 09:00:00")
        .replace("\"35.00\"", "\"37.00\"");
    let info = set.load_json(&newer).unwrap();
    assert_eq!(info.name, "LCP_STD");
    assert_eq!(info.services, [Service::LocalCourierPost]);
    assert_eq!(set.files().len(), 13);
    let p = |d| {
        set.as_of(d)
            .quote(Service::LocalCourierPost, "HK", "HK", 500)
            .unwrap()
            .estimate
    };
    assert_eq!(p(date(2024, 6, 30)), dec!(35.00));
    assert_eq!(p(date(2024, 7, 1)), dec!(37.00));
    // Loading the same version again replaces it instead of duplicating it.
    set.load_json(&newer).unwrap();
    assert_eq!(set.files().len(), 13);
    assert_eq!(set.versions(Service::LocalCourierPost).len(), 2);
}

#[test]
fn loading_tolerates_bom_and_padding() {
    let mut set = RateSet::new();
    let json = format!("\u{feff}{}", bundled("postageRate-local-PAR.json"));
    set.load_json(&json).unwrap();
    assert_eq!(
        set.latest()
            .quote(Service::LocalParcel, "HK", "HK", 3000)
            .unwrap()
            .estimate,
        dec!(77.00)
    );
}

#[test]
fn bad_files_are_rejected_with_typed_errors_naming_the_problem() {
    let mut set = RateSet::new();
    let good = bundled("postageRate-local-LCP.json");
    assert!(matches!(set.load_json("{"), Err(RateFileError::Json(_))));
    assert!(matches!(set.load_json("[]"), Err(RateFileError::Json(_))));
    assert_eq!(
        set.load_json(&good.replace("2023-01-06 10:14:08", "06/01/2023")),
        Err(RateFileError::BadDate("06/01/2023".into()))
    );
    assert_eq!(
        set.load_json(r#"{"lastUpdateDate":"2023-01-06 10:00:00","data":[]}"#),
        Err(RateFileError::Empty)
    );
    assert!(matches!(
        set.load_json(&good.replace("LCP_STD", "XYZ")),
        Err(RateFileError::UnknownService { .. })
    ));
    let err = set
        .load_json(&good.replace("\"35.00\"", "\"35,00\""))
        .unwrap_err();
    assert_eq!(
        err,
        RateFileError::BadValue {
            at: "local_courierpost HK/HK".into(),
            field: "amount",
            value: "35,00".into()
        }
    );
    assert!(err.to_string().contains("amount \"35,00\""), "{err}");
    let err = set
        .load_json(&good.replace("\"0.500\"", "\"0.5005\""))
        .unwrap_err();
    assert!(
        matches!(
            err,
            RateFileError::BadValue {
                field: "weightTo" | "weightFrom",
                ..
            }
        ),
        "{err}"
    );
    // Nothing was loaded by the failures.
    assert!(set.files().is_empty());
}

#[test]
fn bundled_files_are_listed_with_dates() {
    let set = RateSet::bundled();
    let files = set.files();
    assert_eq!(files.len(), 12);
    let total: usize = files.iter().map(|f| f.entries).sum();
    assert!(total > 2_500, "{total}");
    let reg = files
        .iter()
        .find(|f| f.name == "postageRate-intl-REG.json")
        .unwrap();
    assert_eq!(reg.services.len(), 6);
    assert!(serde_json::to_string(&files)
        .unwrap()
        .contains("2023-01-06T10:14:53"));
}

#[test]
fn tariff_facts_answers_from_the_view() {
    let set = RateSet::bundled();
    let v = set.as_of(date(2023, 6, 1));
    assert_eq!(v.weight_limit_g(Service::EExpress, "US", "US"), Some(1_000));
    assert_eq!(
        v.weight_limit_g(Service::Speedpost, "CA", "CA"),
        Some(10_000)
    );
    assert_eq!(
        v.weight_limit_g(Service::Speedpost, "CN", "CN"),
        Some(40_000)
    );
    assert_eq!(v.weight_limit_g(Service::Imail, "US", "US"), Some(2_000));
    assert!(v.weight_limit_g(Service::AirParcel, "US", "UB").is_some()); // Hawaii
    assert_eq!(v.weight_limit_g(Service::Speedpost, "US", "UA"), None);
    assert_eq!(v.weight_limit_g(Service::Imail, "MO", "MO"), None);
    // Before any 2023 file, no Speedpost tariff at all.
    let old = set.as_of(date(2022, 1, 1));
    assert_eq!(old.weight_limit_g(Service::Speedpost, "US", "US"), None);
}

// ------------------------------------------------------------ compare

fn request(country: &str, weight_g: u32, category: ContentCategory) -> CompareRequest {
    CompareRequest {
        parcel: Parcel {
            weight_g,
            dimensions: None,
        },
        country: country.into(),
        zone: None,
        category,
    }
}

#[test]
fn compare_us_goods_is_blocked_on_every_service_r063() {
    let set = RateSet::bundled();
    let c = compare(
        &set.as_of(date(2023, 6, 1)),
        &request("us", 500, ContentCategory::SaleOfGoods),
    );
    assert!(c.options.is_empty());
    assert_eq!(c.excluded.len(), Service::all().len());
    assert!(c
        .excluded
        .iter()
        .all(|e| e.reason == Exclusion::UsGoodsSuspended));
}

#[test]
fn compare_us_documents_lists_services_cheapest_first() {
    let set = RateSet::bundled();
    let c = compare(
        &set.as_of(date(2023, 6, 1)),
        &request("US", 500, ContentCategory::Documents),
    );
    assert!(!c.options.is_empty());
    for w in c.options.windows(2) {
        assert!(w[0].estimate <= w[1].estimate);
    }
    let get = |s| c.options.iter().find(|o| o.service == s);
    let spt = get(Service::Speedpost).unwrap();
    assert_eq!(spt.estimate, dec!(357.00));
    assert_eq!(spt.delivery, None); // unknown, not invented
    let exp = get(Service::EExpress).unwrap();
    let window = exp.delivery.unwrap();
    assert_eq!(
        (window.min_days, window.max_days, window.rule),
        (7, 14, "R-094")
    );
    let iml = get(Service::Imail).unwrap();
    assert_eq!(iml.delivery.unwrap().rule, "R-157");
    // Small letters (≤ 50 g) are over their limit; local services are local-only.
    let why = |s| {
        c.excluded
            .iter()
            .find(|e| e.service == s)
            .map(|e| e.reason.clone())
    };
    assert_eq!(
        why(Service::AirRegistered(LetterFormat::SmallLetter)),
        Some(Exclusion::OverLimit { limit_g: 50 })
    );
    assert_eq!(why(Service::LocalCourierPost), Some(Exclusion::LocalOnly));
    // Every service is accounted for exactly once.
    assert_eq!(c.options.len() + c.excluded.len(), Service::all().len());
    let json = serde_json::to_value(&c).unwrap();
    assert!(
        json["options"][0]["counter"].as_str().is_some(),
        "money as strings"
    );
}

#[test]
fn compare_hong_kong_offers_local_services_only() {
    let set = RateSet::bundled();
    let c = compare(
        &set.as_of(date(2023, 6, 1)),
        &request("HK", 500, ContentCategory::Gift),
    );
    assert!(c.options.iter().all(|o| o.service.is_local()));
    let lcp = c
        .options
        .iter()
        .find(|o| o.service == Service::LocalCourierPost)
        .unwrap();
    assert_eq!(lcp.estimate, dec!(35.00));
    assert!(c
        .excluded
        .iter()
        .filter(|e| !e.service.is_local())
        .all(|e| e.reason == Exclusion::InternationalOnly));
}

#[test]
fn compare_reports_ambiguous_rate_and_weight_limits() {
    let set = RateSet::bundled();
    let c = compare(
        &set.as_of(date(2023, 6, 1)),
        &request("DE", 3_000, ContentCategory::Gift),
    );
    let air = c
        .excluded
        .iter()
        .find(|e| e.service == Service::AirParcel)
        .unwrap();
    assert!(
        matches!(air.reason, Exclusion::AmbiguousRate { .. }),
        "{air:?}"
    );
    assert!(air.message.contains("ambiguous"));
    let reg = c
        .excluded
        .iter()
        .find(|e| e.service == Service::AirRegistered(LetterFormat::Packet))
        .unwrap();
    assert_eq!(reg.reason, Exclusion::OverLimit { limit_g: 2_000 });
    assert!(c
        .options
        .iter()
        .any(|o| o.service == Service::SurfaceParcel));
    assert!(c.options.iter().any(|o| o.service == Service::Speedpost));
}

#[test]
fn compare_uses_the_sub_zone_and_size_limits() {
    let set = RateSet::bundled();
    let v = set.as_of(date(2023, 6, 1));
    let mut req = request("CN", 500, ContentCategory::Gift);
    req.zone = Some("PC".into());
    let c = compare(&v, &req);
    let spt = c
        .options
        .iter()
        .find(|o| o.service == Service::Speedpost)
        .unwrap();
    assert_eq!(spt.estimate, dec!(171.00));
    // Services without the PC sub-zone do not serve it.
    let reg = c
        .excluded
        .iter()
        .find(|e| e.service == Service::AirRegistered(LetterFormat::Packet));
    assert_eq!(reg.unwrap().reason, Exclusion::NotServed);
    // R-169: a 700 mm long packet is not letter post.
    let mut big = request("GB", 500, ContentCategory::Gift);
    big.parcel.dimensions = Some(Dimensions {
        length: 700,
        width: 100,
        height: 50,
    });
    let c = compare(&v, &big);
    let reg = c
        .excluded
        .iter()
        .find(|e| e.service == Service::AirRegistered(LetterFormat::Packet));
    assert_eq!(reg.unwrap().reason, Exclusion::OverSize { rule: "R-169" });
    assert!(c.options.iter().any(|o| o.service == Service::AirParcel));
}

#[test]
fn compare_ties_fall_back_to_service_order() {
    let set = RateSet::bundled();
    let c = compare(
        &set.as_of(date(2023, 6, 1)),
        &request("GB", 20, ContentCategory::Documents),
    );
    let all = Service::all();
    let pos = |s| all.iter().position(|x| *x == s).unwrap();
    for w in c.options.windows(2) {
        assert!(
            w[0].estimate < w[1].estimate
                || (w[0].estimate == w[1].estimate && pos(w[0].service) < pos(w[1].service))
        );
    }
}

// ------------------------------------------------------------ destinations

#[test]
fn destinations_have_names_zones_and_imail_zones() {
    let set = RateSet::bundled();
    let all = destinations(&set.as_of(date(2023, 6, 1)));
    assert_eq!(all.len(), 244);
    let us = all.iter().find(|d| d.code.as_str() == "US").unwrap();
    assert_eq!(us.name_tc, "美國");
    // The country name comes from a table where the US is not split (not "USA (NEW YORK)").
    assert_eq!(us.name_en, "UNITED STATES OF AMERICA");
    // R-147 zone for every destination iMail serves (C-11: display only).
    let v = set.as_of(date(2023, 6, 1));
    for e in v.table(Service::Imail).unwrap().entries() {
        assert!(
            imail_zone(e.destination.as_str()).is_some(),
            "{}",
            e.destination
        );
    }
    for d in &all {
        if d.code.as_str() != "HK" {
            assert!(d.imail_zone.is_some(), "{} {}", d.code, d.name_en);
        }
    }
}

#[test]
fn search_matches_codes_and_names_case_insensitively() {
    let set = RateSet::bundled();
    let all = destinations(&set.as_of(date(2023, 6, 1)));
    let codes =
        |q: &str| -> Vec<String> { search(&all, q).iter().map(|d| d.code.to_string()).collect() };
    assert_eq!(codes("us")[0], "US"); // exact code first
    assert!(codes("us").contains(&"AU".to_owned())); // "AUSTRALIA" contains "us"
    assert_eq!(codes("kosovo"), ["XO"]);
    let mut caroline = codes("caroline");
    caroline.sort();
    assert_eq!(caroline, ["PW", "XK"]); // Palau is "CAROLINE ISLANDS(PALAU)"
    assert_eq!(codes("美國"), ["US", "AS"]); // prefix "美國" before substring "薩摩亞(美國屬土)"
    assert!(codes("new york").contains(&"US".to_owned())); // a zone name finds its country
    assert_eq!(codes("UA")[..2], ["UA".to_owned(), "US".to_owned()]); // UA is also a US zone
    assert_eq!(search(&all, "").len(), all.len());
    assert!(codes("zzzz").is_empty());
}

// ------------------------------------------------------------ iMail posting

#[test]
fn imail_posting_charge_is_per_destination_r152() {
    let set = RateSet::bundled();
    let v = set.as_of(date(2023, 6, 1));
    let charge = posting_charge(
        &v,
        &[
            PostingLine {
                country: "us".into(),
                bag_weights_g: vec![1_500, 1_000],
                items: 20,
            },
            PostingLine {
                country: "GB".into(),
                bag_weights_g: vec![1_234],
                items: 5,
            },
        ],
    )
    .unwrap();
    // US: 2.5 kg × 119 + 20 × 55 = 1,397.50; GB: 1.234 kg × 126 + 5 × 35 = 330.484.
    assert_eq!(charge.lines[0].total, dec!(1397.5));
    assert_eq!(charge.lines[1].total, dec!(330.484));
    assert_eq!(charge.total, dec!(1727.984));
    assert_eq!(charge.counter_total, dec!(1727.9));
    assert!(posting_charge(
        &v,
        &[PostingLine {
            country: "MO".into(),
            bag_weights_g: vec![2_000],
            items: 20
        }]
    )
    .is_err());
}
