//! The rate engine against domain.md §5.5 (test vectors) and §5.4 (one test per oddity),
//! using the bundled open-data files.

use chrono::NaiveDate;
use rstest::rstest;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use satchel_core::destination::{code_note, destinations};
use satchel_core::postage::{PostageError, QuoteBasis};
use satchel_core::rates::{RateSet, RateView};
use satchel_core::service::{LetterFormat, Service};
use std::sync::OnceLock;

use LetterFormat::{LargeLetter, Packet, SmallLetter};

fn rates() -> &'static RateSet {
    static R: OnceLock<RateSet> = OnceLock::new();
    R.get_or_init(RateSet::bundled)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A date on which every bundled file is in force (the newest is 2023-01-06).
fn view() -> RateView<'static> {
    rates().as_of(date(2023, 6, 1))
}

fn price(service: Service, country: &str, zone: &str, w: u32) -> Result<Decimal, PostageError> {
    view().quote(service, country, zone, w).map(|q| q.estimate)
}

// ---------------------------------------------------------------- §5.5 test vectors

#[rstest]
#[case::reg_us_30g_upper_bound_inclusive(Service::AirRegistered(Packet), "US", 30, dec!(23.90))]
#[case::reg_us_31g(Service::AirRegistered(Packet), "US", 31, dec!(29.70))]
#[case::reg_us_51g(Service::AirRegistered(Packet), "US", 51, dec!(31.80))]
#[case::reg_us_120g(Service::AirRegistered(Packet), "US", 120, dec!(44.40))]
#[case::reg_us_2000g_at_limit(Service::AirRegistered(Packet), "US", 2000, dec!(439.20))]
#[case::spt_us_500g_boundary(Service::Speedpost, "US", 500, dec!(357.00))]
#[case::spt_us_1200g(Service::Speedpost, "US", 1200, dec!(434.00))]
#[case::spt_us_30kg_at_limit(Service::Speedpost, "US", 30_000, dec!(4838.00))]
#[case::airpar_us_2300g(Service::AirParcel, "US", 2300, dec!(587.00))]
#[case::airpar_us_5001g(Service::AirParcel, "US", 5001, dec!(978.00))]
#[case::surpar_us_7500g(Service::SurfaceParcel, "US", 7500, dec!(553.00))]
#[case::exp_us_250g(Service::EExpress, "US", 250, dec!(88.44))]
#[case::exp_cn_250g(Service::EExpress, "CN", 250, dec!(39.42))]
#[case::lcp_hk_500g_boundary(Service::LocalCourierPost, "HK", 500, dec!(35.00))]
fn section_5_5_vectors(
    #[case] service: Service,
    #[case] country: &str,
    #[case] w: u32,
    #[case] expected: Decimal,
) {
    let q = view().quote(service, country, country, w).unwrap();
    assert_eq!(q.estimate, expected);
    assert_eq!(
        q.estimate.to_string(),
        format!("{expected:.2}"),
        "two decimals kept"
    );
    assert_eq!(q.basis, QuoteBasis::Tariff);
}

#[rstest]
#[case::exp_us_250g(Service::EExpress, "US", 250, dec!(88.40))]
#[case::exp_cn_250g(Service::EExpress, "CN", 250, dec!(39.40))]
fn section_5_5_counter_rounding_r011(
    #[case] service: Service,
    #[case] country: &str,
    #[case] w: u32,
    #[case] counter: Decimal,
) {
    let q = view().quote(service, country, country, w).unwrap();
    assert_eq!(q.counter, counter);
}

#[test]
fn section_5_5_exp_us_1500g_rejected_by_wgt_limit() {
    // The steps alone would give 275.50; wgtLimit 1.000 wins (§5.4 item 7).
    assert_eq!(
        price(Service::EExpress, "US", "US", 1500),
        Err(PostageError::OverLimit {
            weight_g: 1500,
            limit_g: 1000
        })
    );
}

#[test]
fn section_5_5_airpar_de_1000g_is_ambiguous() {
    match price(Service::AirParcel, "DE", "DE", 1000) {
        Err(PostageError::AmbiguousRate { first, second, .. }) => {
            let mut both = [first, second];
            both.sort();
            assert_eq!(both, [dec!(421.00), dec!(438.00)]);
        }
        other => panic!("expected AmbiguousRate, got {other:?}"),
    }
}

#[test]
fn boundary_decision_upper_bound_pays_that_step() {
    // Decision (§5.3): weightFrom < w ≤ weightTo. The plugin's rule would give 386.00.
    assert_eq!(price(Service::Speedpost, "US", "US", 500), Ok(dec!(357.00)));
    assert_eq!(price(Service::Speedpost, "US", "US", 501), Ok(dec!(386.00)));
    assert_eq!(
        price(Service::Speedpost, "US", "US", 1000),
        Ok(dec!(386.00))
    );
}

#[test]
fn zero_weight_is_rejected() {
    assert!(matches!(
        price(Service::Speedpost, "US", "US", 0),
        Err(PostageError::OverLimit { weight_g: 0, .. })
    ));
}

#[test]
fn codes_are_case_and_space_insensitive_but_validated() {
    assert_eq!(
        price(Service::Speedpost, " us", "Us ", 500),
        Ok(dec!(357.00))
    );
    assert!(matches!(
        price(Service::Speedpost, "USA", "US", 500),
        Err(PostageError::InvalidCode { .. })
    ));
    assert!(matches!(
        price(Service::Speedpost, "ZZ", "ZZ", 500),
        Err(PostageError::NotServed { .. })
    ));
}

#[test]
fn imail_quote_is_a_labelled_item_estimate_5_7() {
    let q = view().quote(Service::Imail, "US", "US", 250).unwrap();
    assert_eq!(q.basis, QuoteBasis::ImailItemEstimate);
    assert_eq!(q.estimate, dec!(84.75)); // 0.250 × 119 + 55
    assert_eq!(q.counter, dec!(84.70));
    assert!(matches!(
        view().quote(Service::Imail, "US", "US", 2001),
        Err(PostageError::OverLimit { limit_g: 2000, .. })
    ));
}

// ---------------------------------------------------------------- §5.4 oddities 1–15

#[test]
fn oddity_01_service_code_repeats_format_from_name_suffix() {
    let v = view();
    for f in LetterFormat::ALL {
        for s in [
            Service::AirRegistered(f),
            Service::SurfaceRegistered(f),
            Service::AirMail(f),
            Service::SurfaceMail(f),
            Service::LocalOrdinary(f),
            Service::LocalRegistered(f),
        ] {
            let t = v.table(s).unwrap_or_else(|| panic!("{s:?} missing"));
            let suffix = match f {
                SmallLetter => "(Small Letter)",
                LargeLetter => "(Large Letter)",
                Packet => "(Packet)",
            };
            assert!(t.name_en().ends_with(suffix), "{}", t.name_en());
        }
    }
    // Same code, three tariffs: different limits for US.
    let limit = |f| {
        v.entry(Service::AirRegistered(f), "US", "US")
            .unwrap()
            .limit_g()
    };
    assert_eq!(
        (limit(SmallLetter), limit(LargeLetter), limit(Packet)),
        (50, 500, 2000)
    );
}

#[test]
fn oddity_02_sub_zones_are_listed_per_country() {
    let v = view();
    let all = destinations(&v);
    let zones = |c: &str| -> Vec<String> {
        let d = all.iter().find(|d| d.code.as_str() == c).unwrap();
        d.zones.iter().map(|z| z.zone.to_string()).collect()
    };
    assert_eq!(zones("AU"), ["AU", "AB"]);
    assert_eq!(zones("US"), ["US", "UA", "UB"]);
    assert_eq!(zones("CN"), ["CN", "PC"]);
    assert_eq!(zones("GB"), ["GB", "GG", "IM", "JE"]);
    assert_eq!(zones("MY"), ["MY", "MB", "MC"]);
    assert_eq!(zones("YE"), ["YE", "YA"]);
    assert_eq!(zones("FR"), ["FR"]);
    // Sub-zones can be priced differently: Cuba, Guantanamo Bay (CU) vs other places (CP).
    assert_eq!(
        price(Service::AirParcel, "CU", "CU", 1000),
        Ok(dec!(360.00))
    );
    assert_eq!(
        price(Service::AirParcel, "CU", "CP", 1000),
        Ok(dec!(357.00))
    );
    // ... or identically (AU Western vs other states, in 2023), but are still separate keys.
    assert!(price(Service::AirParcel, "AU", "AB", 1000).is_ok());
    // Speedpost CN other areas (PC) 0.5 kg: 171 vs major areas 160 (§5.6).
    assert_eq!(price(Service::Speedpost, "CN", "PC", 500), Ok(dec!(171.00)));
    assert_eq!(price(Service::Speedpost, "CN", "CN", 500), Ok(dec!(160.00)));
    // The sub-zone only exists with its country.
    assert!(price(Service::Speedpost, "PC", "PC", 500).is_err());
    let us = all.iter().find(|d| d.code.as_str() == "US").unwrap();
    assert!(us.has_sub_zones());
    assert_eq!(us.zone("ua").unwrap().name_en, "USA (NEW YORK)");
}

#[test]
fn oddity_03_zone_code_collisions_key_on_the_pair() {
    let v = view();
    let ny = v.entry(Service::AirParcel, "US", "UA").unwrap();
    let ukraine = v.entry(Service::AirParcel, "UA", "UA").unwrap();
    assert_eq!(ny.name_en, "USA (NEW YORK)");
    assert_eq!(ukraine.name_en, "UKRAINE");
    let sarawak = v.entry(Service::AirParcel, "MY", "MC").unwrap();
    let monaco = v.entry(Service::AirParcel, "MC", "MC").unwrap();
    assert!(sarawak.name_en.contains("SARAWAK"));
    assert_eq!(monaco.name_en, "MONACO");
    assert_ne!(
        price(Service::AirParcel, "MY", "MC", 1000),
        price(Service::AirParcel, "MC", "MC", 1000)
    );
}

#[test]
fn oddity_04_speedpost_has_no_us_sub_zones_ua_is_ukraine() {
    assert!(matches!(
        price(Service::Speedpost, "US", "UA", 500),
        Err(PostageError::NotServed { .. })
    ));
    let v = view();
    assert_eq!(
        v.entry(Service::Speedpost, "UA", "UA").unwrap().name_en,
        "UKRAINE"
    );
}

#[test]
fn oddity_05_pseudo_codes_xk_is_caroline_islands_not_kosovo() {
    let v = view();
    let all = destinations(&v);
    let name = |c: &str| {
        all.iter()
            .find(|d| d.code.as_str() == c)
            .unwrap()
            .name_en
            .clone()
    };
    assert_eq!(name("XK"), "CAROLINE ISLANDS");
    assert_eq!(name("XO"), "KOSOVO");
    assert!(code_note("XK").unwrap().contains("not Kosovo"));
    assert!(code_note("AN").unwrap().contains("deprecated"));
    assert!(code_note("TP").unwrap().contains("deprecated"));
    assert_eq!(code_note("FR"), None);
    let xk = all.iter().find(|d| d.code.as_str() == "XK").unwrap();
    assert!(xk.note.is_some());
}

#[test]
fn oddity_06_missing_wgt_limit_uses_last_step() {
    let v = view();
    let mx = v.entry(Service::SurfaceParcel, "MX", "MX").unwrap();
    assert_eq!(mx.wgt_limit_g, None);
    let limit = mx.limit_g();
    assert!(limit > 0);
    assert!(price(Service::SurfaceParcel, "MX", "MX", limit).is_ok());
    assert!(matches!(
        price(Service::SurfaceParcel, "MX", "MX", limit + 1),
        Err(PostageError::OverLimit { .. })
    ));
    for f in LetterFormat::ALL {
        let pk = v.entry(Service::SurfaceRegistered(f), "PK", "PK").unwrap();
        assert_eq!(pk.wgt_limit_g, None, "{f:?}");
    }
    for c in ["DE", "EG", "LU", "QA"] {
        assert_eq!(v.entry(Service::AirParcel, c, c).unwrap().wgt_limit_g, None);
    }
}

#[test]
fn oddity_07_wgt_limit_disagrees_take_the_minimum() {
    let v = view();
    let ca = v.entry(Service::Speedpost, "CA", "CA").unwrap();
    assert_eq!(ca.wgt_limit_g, Some(10_000));
    assert_eq!(ca.limit_g(), 10_000);
    assert!(price(Service::Speedpost, "CA", "CA", 10_000).is_ok());
    assert!(matches!(
        price(Service::Speedpost, "CA", "CA", 10_001),
        Err(PostageError::OverLimit {
            limit_g: 10_000,
            ..
        })
    ));
    assert_eq!(
        v.entry(Service::Speedpost, "UA", "UA").unwrap().limit_g(),
        20_000
    );
    assert_eq!(
        v.entry(Service::EExpress, "FR", "FR").unwrap().limit_g(),
        1_000
    );
    assert_eq!(
        v.entry(Service::EExpress, "US", "US").unwrap().limit_g(),
        1_000
    );
    assert_eq!(
        v.entry(Service::EExpress, "GB", "GB").unwrap().limit_g(),
        2_000
    );
}

fn raw_file(name: &str) -> serde_json::Value {
    let path = format!("{}/data/rates/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn oddity_08_exact_duplicate_steps_are_deduplicated() {
    let raw = raw_file("postageRate-intl-AIRPAR.json");
    let us = raw["data"][0]["postage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["zoneCode"] == "US")
        .unwrap();
    let raw_steps = us["weightStep"].as_array().unwrap().len();
    let entry = view().entry(Service::AirParcel, "US", "US").unwrap();
    assert_eq!(
        entry.step_count() * 2,
        raw_steps,
        "US lists every step twice"
    );
    assert!(!entry.is_ambiguous());
    assert_eq!(
        price(Service::AirParcel, "US", "US", 1000),
        Ok(dec!(392.00))
    );
}

#[test]
fn oddity_09_conflicting_steps_are_ambiguous_at_every_weight() {
    for c in ["DE", "EG", "LU", "QA"] {
        let e = view().entry(Service::AirParcel, c, c).unwrap();
        assert!(e.is_ambiguous(), "{c}");
        for w in [1, 1000, 5000, 20_000] {
            assert!(
                matches!(
                    price(Service::AirParcel, c, c, w),
                    Err(PostageError::AmbiguousRate { .. })
                ),
                "{c} {w}"
            );
        }
    }
    // Surface Parcel to DE is fine.
    assert!(price(Service::SurfaceParcel, "DE", "DE", 1000).is_ok());
}

#[test]
fn oddity_10_trailing_spaces_in_names_are_trimmed() {
    let raw = raw_file("postageRate-intl-SPT.json");
    let padded = raw["data"][0]["postage"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["destinationNameSC"].as_str().unwrap().ends_with(' '))
        .count();
    assert!(
        padded > 100,
        "the fixture really has padded names ({padded})"
    );
    for t in view().tables() {
        for e in t.entries() {
            for n in [&e.name_en, &e.name_tc, &e.name_sc] {
                assert_eq!(n.trim(), n.as_str(), "{:?} {}", t.service(), e.zone);
            }
        }
    }
}

#[test]
fn oddity_11_local_smp_is_the_2021_local_ordinary_tariff() {
    let s = Service::LocalOrdinary(Packet);
    let dates: Vec<String> = rates().versions(s).iter().map(|d| d.to_string()).collect();
    assert_eq!(dates, ["2021-12-06 09:02:25", "2023-01-06 10:14:03"]);
    let old = rates().as_of(date(2022, 6, 1));
    let new = rates().as_of(date(2023, 6, 1));
    let p = |v: &RateView<'_>, w| v.quote(s, "HK", "HK", w).unwrap().estimate;
    let old_prices: Vec<_> = [100, 250, 500, 1000, 2000].map(|w| p(&old, w)).to_vec();
    let new_prices: Vec<_> = [100, 250, 500, 1000, 2000].map(|w| p(&new, w)).to_vec();
    assert_eq!(
        old_prices,
        [
            dec!(5.20),
            dec!(7.50),
            dec!(14.00),
            dec!(28.00),
            dec!(45.00)
        ]
    );
    assert_eq!(
        new_prices,
        [
            dec!(5.60),
            dec!(8.20),
            dec!(15.50),
            dec!(30.00),
            dec!(48.00)
        ]
    );
    assert_eq!(old.table(s).unwrap().name_en(), "Local Mail (Packet)");
}

#[test]
fn oddity_12_coverage_differs_between_files() {
    assert!(price(Service::AirRegistered(Packet), "AX", "AX", 100).is_ok());
    assert!(matches!(
        price(Service::AirMail(Packet), "AX", "AX", 100),
        Err(PostageError::NotServed { .. })
    ));
    for c in ["MO", "AX"] {
        assert!(matches!(
            price(Service::Imail, c, c, 100),
            Err(PostageError::NotServed { .. })
        ));
    }
    for s in Service::all().into_iter().filter(|s| !s.is_local()) {
        assert!(view().entry(s, "HK", "HK").is_none(), "{s:?} serves HK");
    }
    assert_eq!(view().table(Service::EExpress).unwrap().entries().len(), 42);
}

#[test]
fn oddity_13_supp_service_a_r_fee_is_not_added_to_postage() {
    // REG entries carry "Advice of Receipt (A/R)" HK$11.00; it is optional, not postage.
    let raw = raw_file("postageRate-intl-REG.json");
    assert!(raw.to_string().contains("Advice of Receipt"));
    assert_eq!(
        price(Service::AirRegistered(Packet), "US", "US", 30),
        Ok(dec!(23.90))
    );
}

#[test]
fn oddity_14_e_express_bands_are_discontinuous_priced_as_published() {
    // US: the 0.10–0.19 kg band reaches 72.80; the next band starts at 80.10 (+1.39).
    assert_eq!(price(Service::EExpress, "US", "US", 190), Ok(dec!(72.80)));
    assert_eq!(price(Service::EExpress, "US", "US", 191), Ok(dec!(81.49)));
    // CN: 47.42 at 0.50 kg, then 51.80 + 0.23.
    assert_eq!(price(Service::EExpress, "CN", "CN", 500), Ok(dec!(47.42)));
    assert_eq!(price(Service::EExpress, "CN", "CN", 501), Ok(dec!(52.03)));
    // Worse: for CH and PL a heavier item is *cheaper* across 0.50 kg. We keep the data as
    // published (no smoothing); the property tests allow exactly this for EXP.
    for c in ["CH", "PL"] {
        let at = price(Service::EExpress, c, c, 500).unwrap();
        let over = price(Service::EExpress, c, c, 501).unwrap();
        assert!(over < at, "{c}: {over} !< {at}");
    }
}

#[test]
fn oddity_15_file_dates_differ_and_select_versions() {
    let files = rates().files();
    assert_eq!(files.len(), 12);
    let date_of = |n: &str| {
        files
            .iter()
            .find(|f| f.name == n)
            .unwrap()
            .last_update
            .to_string()
    };
    assert_eq!(date_of("postageRate-intl-ORD.json"), "2021-12-06 09:02:39");
    assert_eq!(date_of("postageRate-local-SMP.json"), "2021-12-06 09:02:25");
    assert_eq!(
        date_of("postageRate-intl-bulk-IML.json"),
        "2021-04-01 16:48:01"
    );
    assert_eq!(date_of("postageRate-intl-REG.json"), "2023-01-06 10:14:53");
    // Mid-2021 only iMail is in force; mid-2022 the 2021 ORD but no REG yet.
    let v2021 = rates().as_of(date(2021, 6, 1));
    assert!(v2021.quote(Service::Imail, "US", "US", 100).is_ok());
    assert!(matches!(
        v2021.quote(Service::AirMail(Packet), "US", "US", 100),
        Err(PostageError::NoTariff { .. })
    ));
    let v2022 = rates().as_of(date(2022, 6, 1));
    assert!(v2022
        .quote(Service::AirMail(Packet), "US", "US", 100)
        .is_ok());
    assert!(matches!(
        v2022.quote(Service::AirRegistered(Packet), "US", "US", 100),
        Err(PostageError::NoTariff { .. })
    ));
    // The quote carries the tariff date for display.
    let q = view()
        .quote(Service::AirMail(Packet), "US", "US", 100)
        .unwrap();
    assert_eq!(q.tariff_date.to_string(), "2021-12-06 09:02:39");
}
