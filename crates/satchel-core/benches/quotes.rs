//! Quote throughput on a mixed workload (target ≥ 1,000,000 quotes/s on one core).
//!
//! The workload cycles through every service and destination of the bundled rates with
//! pseudo-random weights (some over the limit, so error paths are measured too), quoting by
//! string codes as the UI and CLI do. Besides criterion's report it prints quotes/second from
//! a plain timed loop, which is the figure quoted in reviews.

use std::hint::black_box;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{criterion_group, Criterion, Throughput};
use satchel_core::rates::RateSet;
use satchel_core::service::Service;

struct Case {
    service: Service,
    country: String,
    zone: String,
    weight_g: u32,
}

fn workload(rates: &RateSet) -> Vec<Case> {
    let view = rates.as_of(NaiveDate::from_ymd_opt(2023, 6, 1).unwrap());
    let mut seed: u64 = 0x5eed_cafe;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut cases = Vec::new();
    for table in view.tables() {
        for e in table.entries() {
            for _ in 0..4 {
                // Up to 110 % of the limit: about one quote in eleven is rejected.
                let w = 1 + (next() % (u64::from(e.limit_g()) * 11 / 10)) as u32;
                cases.push(Case {
                    service: table.service(),
                    country: e.destination.to_string(),
                    zone: e.zone.to_string(),
                    weight_g: w,
                });
            }
        }
    }
    // Shuffle so that consecutive quotes hit different tables (no cache-friendly ordering).
    for i in (1..cases.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        cases.swap(i, j);
    }
    cases
}

fn run(view: &satchel_core::rates::RateView<'_>, cases: &[Case]) -> usize {
    let mut ok = 0;
    for c in cases {
        if black_box(view.quote(c.service, &c.country, &c.zone, c.weight_g)).is_ok() {
            ok += 1;
        }
    }
    ok
}

fn bench_quotes(c: &mut Criterion) {
    let rates = RateSet::bundled();
    let view = rates.as_of(NaiveDate::from_ymd_opt(2023, 6, 1).unwrap());
    let cases = workload(&rates);
    let mut g = c.benchmark_group("quotes");
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.bench_function("mixed_workload", |b| {
        b.iter(|| run(&view, black_box(&cases)))
    });
    g.finish();
}

/// A plain timed loop, printed as quotes/second (f64 only for printing).
fn print_throughput() {
    let rates = RateSet::bundled();
    let view = rates.as_of(NaiveDate::from_ymd_opt(2023, 6, 1).unwrap());
    let cases = workload(&rates);
    run(&view, &cases); // warm up
    let rounds = 200;
    let start = Instant::now();
    let mut ok = 0;
    for _ in 0..rounds {
        ok += run(&view, black_box(&cases));
    }
    // Integer arithmetic, like everything else in this crate's tree.
    let nanos = start.elapsed().as_nanos().max(1);
    let n = (rounds * cases.len()) as u128;
    let tenth_ns_per_quote = nanos * 10 / n;
    println!(
        "quotes: {} cases x {rounds} rounds = {n} quotes ({ok} ok) in {} ms => {} quotes/second ({}.{} ns/quote)",
        cases.len(),
        nanos / 1_000_000,
        n * 1_000_000_000 / nanos,
        tenth_ns_per_quote / 10,
        tenth_ns_per_quote % 10,
    );
}

criterion_group!(benches, bench_quotes);

fn main() {
    print_throughput();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
