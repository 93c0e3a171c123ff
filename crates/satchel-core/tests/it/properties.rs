//! Properties of the rate engine over the whole bundled data set:
//! - an independent, deliberately naive evaluation of the raw JSON (`serde_json::Value`,
//!   written here from §5.3 alone) agrees with the engine on a fixed-seed random grid;
//! - heavier never costs less, except the documented e-Express discontinuity (§5.4 item 14);
//! - counter rounding never exceeds the estimate and loses less than 10 cents.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use satchel_core::postage::{counter_amount, PostageError};
use satchel_core::rates::{RateSet, RateView};
use satchel_core::service::{LetterFormat, Service};
use serde_json::Value;

fn rates() -> &'static RateSet {
    static R: OnceLock<RateSet> = OnceLock::new();
    R.get_or_init(RateSet::bundled)
}

fn view() -> RateView<'static> {
    rates().as_of(NaiveDate::from_ymd_opt(2023, 6, 1).unwrap())
}

// ------------------------------------------------------------ independent reference

/// Which raw file and which `data[]` object a service lives in, as of mid-2023.
fn file_and_name(s: Service) -> (&'static str, String) {
    let f = |f: LetterFormat| match f {
        LetterFormat::SmallLetter => "Small Letter",
        LetterFormat::LargeLetter => "Large Letter",
        LetterFormat::Packet => "Packet",
    };
    match s {
        Service::Imail => ("intl-bulk-IML", "iMail".into()),
        Service::EExpress => ("intl-EXP", "e-Express Service".into()),
        Service::Speedpost => ("intl-SPT", "Speedpost (Standard Service)".into()),
        Service::AirRegistered(x) => ("intl-REG", format!("Air Registered Mail ({})", f(x))),
        Service::SurfaceRegistered(x) => {
            ("intl-REG", format!("Surface Registered Mail ({})", f(x)))
        }
        Service::AirMail(x) => ("intl-ORD", format!("Air Mail ({})", f(x))),
        Service::SurfaceMail(x) => ("intl-ORD", format!("Surface Mail ({})", f(x))),
        Service::AirParcel => ("intl-AIRPAR", "Air Parcel".into()),
        Service::SurfaceParcel => ("intl-SURPAR", "Surface Parcel".into()),
        // local-ORD (2023) supersedes local-SMP (2021) on this date.
        Service::LocalOrdinary(x) => (
            "local-ORD",
            format!("Local Ordinary Letter / Packet ({})", f(x)),
        ),
        Service::LocalRegistered(x) => ("local-REG", format!("Local Registered Mail ({})", f(x))),
        Service::LocalParcel => ("local-PAR", "Local Parcels".into()),
        Service::LocalCourierPost => ("local-LCP", "Local CourierPost".into()),
    }
}

fn raw(file: &str) -> &'static Value {
    static FILES: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    let files = FILES.get_or_init(|| {
        let dir = format!("{}/data/rates", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                let name = p.file_name()?.to_str()?.to_owned();
                let stem = name.strip_prefix("postageRate-")?.strip_suffix(".json")?;
                let text = std::fs::read_to_string(&p).unwrap();
                Some((stem.to_owned(), serde_json::from_str(&text).unwrap()))
            })
            .collect()
    });
    &files.iter().find(|(n, _)| n == file).unwrap().1
}

/// "1.234" → 1234 with `digits` decimals, by plain string surgery (not the engine's parser).
fn fixed(v: &Value, digits: usize) -> i64 {
    let s = v.as_str().unwrap().trim();
    let (i, f) = s.split_once('.').unwrap_or((s, ""));
    let mut f = f.to_owned();
    while f.len() < digits {
        f.push('0');
    }
    format!("{i}{f}").parse().unwrap()
}

#[derive(Debug, PartialEq)]
enum Reference {
    Price(Decimal),
    NotServed,
    OverLimit(i64),
    Ambiguous,
}

/// §5.3 written out naively from the raw JSON.
fn reference(s: Service, country: &str, zone: &str, w: i64) -> Reference {
    let (file, name) = file_and_name(s);
    let svc = raw(file)["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["serviceNameEN"].as_str().unwrap().trim() == name)
        .unwrap_or_else(|| panic!("{name} not in {file}"));
    let Some(e) = svc["postage"].as_array().unwrap().iter().find(|e| {
        e["destinationCode"].as_str().unwrap() == country && e["zoneCode"].as_str().unwrap() == zone
    }) else {
        return Reference::NotServed;
    };
    if s == Service::Imail {
        if w <= 0 || w > 2000 {
            return Reference::OverLimit(2000);
        }
        // w g × amount HK$/kg = w × amount_cents / 1000 cents = w × amount_cents × 10⁻⁵ HK$.
        let per_kg = fixed(&e["amount"], 2);
        let fee = fixed(&e["handleFee"], 2);
        return Reference::Price(Decimal::new(w * per_kg, 5) + Decimal::new(fee, 2));
    }
    // (from, to, amount, addW, addA), exact duplicates removed.
    let mut steps: Vec<(i64, i64, i64, i64, i64)> = Vec::new();
    for st in e["weightStep"].as_array().unwrap() {
        let t = (
            fixed(&st["weightFrom"], 3),
            fixed(&st["weightTo"], 3),
            fixed(&st["amount"], 2),
            st.get("additionalWeight").map_or(0, |v| fixed(v, 3)),
            st.get("additionalAmount").map_or(0, |v| fixed(v, 2)),
        );
        if !steps.contains(&t) {
            steps.push(t);
        }
    }
    for a in &steps {
        for b in &steps {
            if a.0 == b.0 && a.1 == b.1 && a != b {
                return Reference::Ambiguous;
            }
        }
    }
    let mut limit = steps.iter().map(|s| s.1).max().unwrap();
    if let Some(l) = e.get("wgtLimit") {
        limit = limit.min(fixed(l, 3));
    }
    if w <= 0 || w > limit {
        return Reference::OverLimit(limit);
    }
    let st = steps.iter().find(|s| s.0 < w && w <= s.1).expect("a step");
    let mut cents = st.2;
    if st.3 > 0 {
        let over = w - st.0;
        let mut units = over / st.3;
        if over % st.3 != 0 {
            units += 1;
        }
        cents += units * st.4;
    }
    Reference::Price(Decimal::new(cents, 2))
}

/// Every (destinationCode, zoneCode) in any file, so that the grid also asks services for
/// destinations they do not serve.
fn all_destinations() -> Vec<(String, String)> {
    let mut set = BTreeSet::new();
    for s in Service::all() {
        let (file, _) = file_and_name(s);
        for svc in raw(file)["data"].as_array().unwrap() {
            for e in svc["postage"].as_array().unwrap() {
                set.insert((
                    e["destinationCode"].as_str().unwrap().to_owned(),
                    e["zoneCode"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    set.into_iter().collect()
}

#[test]
fn grid_engine_agrees_with_independent_reference() {
    let services = Service::all();
    let dests = all_destinations();
    let v = view();
    // xorshift64*, fixed seed: reproducible without a dependency.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut kinds = [0usize; 4];
    let n = 20_000;
    for _ in 0..n {
        let s = services[(next() % services.len() as u64) as usize];
        // Local services: HK most of the time, so that they are exercised.
        let (c, z) = if s.is_local() && next() % 4 != 0 {
            ("HK".to_owned(), "HK".to_owned())
        } else {
            dests[(next() % dests.len() as u64) as usize].clone()
        };
        // Mostly realistic weights, some exact step bounds, some zero and over-limit.
        let w = match next() % 4 {
            0 => (next() % 2_100) as i64,
            1 => ((next() % 64) * 500) as i64,
            2 => ((next() % 220) * 10) as i64,
            _ => (next() % 42_000) as i64,
        };
        let expected = reference(s, &c, &z, w);
        let got = v.quote(s, &c, &z, w as u32);
        let agree = match (&expected, &got) {
            (Reference::Price(p), Ok(q)) => {
                kinds[0] += 1;
                *p == q.estimate && q.counter == counter_amount(*p)
            }
            (Reference::NotServed, Err(PostageError::NotServed { .. })) => {
                kinds[1] += 1;
                true
            }
            (Reference::OverLimit(l), Err(PostageError::OverLimit { limit_g, .. })) => {
                kinds[2] += 1;
                *l == i64::from(*limit_g)
            }
            (Reference::Ambiguous, Err(PostageError::AmbiguousRate { .. })) => {
                kinds[3] += 1;
                true
            }
            _ => false,
        };
        assert!(
            agree,
            "{s:?} {c}/{z} {w} g: reference {expected:?}, engine {got:?}"
        );
    }
    // The grid must cover every outcome, and mostly prices.
    assert!(kinds.iter().all(|k| *k > 0), "{kinds:?}");
    assert!(kinds[0] > n / 4, "{kinds:?}");
}

// ------------------------------------------------------------ monotonicity

/// Exhaustive over every entry of every service: where does a heavier item cost less?
/// Within one step the price is `amount + ceil(..) × additionalAmount`, which cannot fall, so
/// checking each step boundary (b vs b + 1 g) covers every weight. Answer (§5.4 item 14):
/// only e-Express CH and PL, just over 500 g. iMail (linear in weight) is covered by the
/// property test below.
#[test]
fn heavier_never_cheaper_except_documented_e_express_discontinuity() {
    let v = view();
    let mut decreases = Vec::new();
    let mut checked = 0;
    for t in v.tables() {
        for e in t.entries() {
            for b in e.step_bounds().filter(|b| *b < e.limit_g()) {
                let p = |w| {
                    v.quote_codes(t.service(), e.destination, e.zone, w)
                        .unwrap()
                        .estimate
                };
                checked += 1;
                if p(b + 1) < p(b) {
                    decreases.push(format!(
                        "{} {}/{} {}",
                        t.service().id(),
                        e.destination,
                        e.zone,
                        b + 1
                    ));
                }
            }
        }
    }
    assert!(checked > 10_000, "{checked}");
    assert_eq!(decreases, ["e_express CH/CH 501", "e_express PL/PL 501"]);
}

/// Entries that are priceable: (service, destination, zone, limit).
fn priceable() -> &'static Vec<(Service, String, String, u32)> {
    static P: OnceLock<Vec<(Service, String, String, u32)>> = OnceLock::new();
    P.get_or_init(|| {
        let v = view();
        v.tables()
            .flat_map(|t| {
                t.entries()
                    .iter()
                    .filter(|e| !e.is_ambiguous())
                    .map(move |e| {
                        (
                            t.service(),
                            e.destination.to_string(),
                            e.zone.to_string(),
                            e.limit_g(),
                        )
                    })
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Monotonic for every service but e-Express; for e-Express a decrease may only happen
    /// across the 0.50 kg band boundary (§5.4 item 14).
    #[test]
    fn prop_heavier_costs_at_least_as_much(i in any::<prop::sample::Index>(), a in 1u32..=40_000, b in 1u32..=40_000) {
        let (s, c, z, limit) = &priceable()[i.index(priceable().len())];
        let (w1, w2) = (a.min(b).min(*limit), a.max(b).min(*limit));
        let v = view();
        let p1 = v.quote(*s, c, z, w1).unwrap().estimate;
        let p2 = v.quote(*s, c, z, w2).unwrap().estimate;
        if *s == Service::EExpress && w1 <= 500 && w2 > 500 {
            return Ok(());
        }
        prop_assert!(p1 <= p2, "{:?} {}/{}: {} g = {}, {} g = {}", s, c, z, w1, p1, w2, p2);
    }

    /// R-011 on any amount: never above the estimate, less than 10 cents below, 1 decimal.
    #[test]
    fn prop_counter_rounding_floors_within_ten_cents(cents in 0i64..100_000_000, extra in 0i64..1000) {
        let estimate = Decimal::new(cents * 1000 + extra, 5);
        let counter = counter_amount(estimate);
        prop_assert!(counter <= estimate);
        prop_assert!(estimate - counter < Decimal::new(10, 2));
        prop_assert!(counter.scale() <= 1);
    }

    /// R-011 on real quotes.
    #[test]
    fn prop_quote_counter_within_ten_cents(i in any::<prop::sample::Index>(), w in 1u32..=40_000) {
        let (s, c, z, limit) = &priceable()[i.index(priceable().len())];
        let q = view().quote(*s, c, z, w.min(*limit)).unwrap();
        prop_assert!(q.counter <= q.estimate);
        prop_assert!(q.estimate - q.counter < Decimal::new(10, 2));
    }
}
