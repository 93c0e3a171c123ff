//! Issue #14's benchmark: 5,000 shop orders (about 8,000 line items, a Shopify export) to
//! drafts, read, drafted with the catalogue, validated and priced, and written in one
//! transaction (target: under 1 s), printed next to a raw SQLite insert of the same rows in
//! one transaction, so the cost of the rules is visible. Run with `cargo xtask bench` or
//! `cargo bench -p satchel-workflows --bench orders`.

use std::time::Instant;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use satchel_core::catalogue::Product;
use satchel_core::model::ContentCategory;
use satchel_store::csv_io::DuplicatePolicy;
use satchel_store::{ContactInput, ContactKind, Store};
use satchel_workflows::{orders, Engine};

const ORDERS: usize = 5_000;
const SKUS: usize = 60;

const HEADER: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,\
Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,\
Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,\
Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,\
Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,\
Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,\
Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,\
Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,\
Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,\
Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,\
Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,\
Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,\
Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References";

const PLACES: &[(&str, &str, &str, &str, &str)] = &[
    ("Akiko Sato", "1-2-3 Ginza", "Tokyo", "104-0061", "JP"),
    ("Mei Lin", "100 Zhongxiao E Rd", "Taipei", "106", "TW"),
    ("Sam Lee", "5 Orchard Rd", "Singapore", "238823", "SG"),
    ("Ruby Ng", "3 George St", "Sydney", "2000", "AU"),
    ("Lena Fischer", "Hauptstrasse 5", "Berlin", "10115", "DE"),
    ("Oliver Smith", "9 King Rd", "Auckland", "1010", "NZ"),
    ("Ji-woo Kim", "12 Sejong-daero", "Seoul", "04524", "KR"),
    ("Emma Brown", "12 High Street", "London", "SW1A 1AA", "GB"),
];

/// A Shopify export: every 8th order has three lines, every 3rd two, the rest one.
fn export() -> (String, usize) {
    let columns = HEADER.split(',').count();
    let at = |name: &str| HEADER.split(',').position(|h| h == name).unwrap();
    let mut out = String::from(HEADER);
    out.push('\n');
    let mut items = 0;
    for n in 0..ORDERS {
        let lines = if n % 8 == 0 {
            3
        } else if n % 3 == 0 {
            2
        } else {
            1
        };
        let (name, street, city, zip, country) = PLACES[n % PLACES.len()];
        for l in 0..lines {
            let mut row = vec![String::new(); columns];
            row[at("Name")] = format!("#{}", 10_000 + n);
            row[at("Currency")] = "HKD".into();
            row[at("Lineitem quantity")] = (1 + (n + l) % 2).to_string();
            row[at("Lineitem name")] = format!("Product {}", (n + l) % SKUS);
            row[at("Lineitem price")] = "120.00".into();
            row[at("Lineitem sku")] = format!("SKU-{:03}", (n + l) % SKUS);
            row[at("Lineitem requires shipping")] = "true".into();
            if l == 0 {
                row[at("Financial Status")] = "paid".into();
                row[at("Fulfillment Status")] = "unfulfilled".into();
                row[at("Shipping Name")] = name.into();
                row[at("Shipping Address1")] = format!("{street} {}", n % 97);
                row[at("Shipping City")] = city.into();
                row[at("Shipping Zip")] = zip.into();
                row[at("Shipping Country")] = country.into();
                row[at("Shipping Phone")] = "+81 3 1234 5678".into();
            }
            out.push_str(&row.join(","));
            out.push('\n');
            items += 1;
        }
    }
    (out, items)
}

fn catalogue() -> Vec<Product> {
    (0..SKUS)
        .map(|i| Product {
            sku: format!("SKU-{i:03}"),
            description_en: format!("Cotton tote bag model {i}"),
            description_zh: "布袋".into(),
            hs_code: "42022200".into(),
            origin: "CN".into(),
            unit_weight_g: 80 + (i as u32 % 7) * 20,
            unit_value: Decimal::from(120),
            currency: "HKD".into(),
            category: ContentCategory::SaleOfGoods,
            eu_ok: true,
        })
        .collect()
}

fn store(dir: &tempfile::TempDir, name: &str) -> Store {
    let mut store = Store::open(dir.path().join(name)).unwrap();
    store
        .create_contact(ContactInput {
            kind: ContactKind::Sender,
            party: satchel_core::model::Party {
                name: "Little Shop".into(),
                lines: vec!["Flat A 12F 8 Nathan Road".into()],
                city: "Kowloon".into(),
                country: "HK".into(),
                phone: "+852 9123 4567".into(),
                ..Default::default()
            },
            notes: String::new(),
            tags: vec![],
            is_default: true,
        })
        .unwrap();
    store.save_products(&catalogue()).unwrap();
    store
}

fn main() {
    let (text, items) = export();
    let engine = Engine::load();
    let today = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
    let dir = tempfile::tempdir().unwrap();

    let mut best = f64::MAX;
    let mut report = None;
    for round in 0..3 {
        let mut s = store(&dir, &format!("orders-{round}.db"));
        let started = Instant::now();
        let read = orders::read(&text, &engine).unwrap().unwrap();
        let t_read = started.elapsed();
        let prepared = orders::prepare(&s, &engine, read, today).unwrap();
        let t_prep = started.elapsed();
        let written =
            orders::import(&mut s, &prepared, DuplicatePolicy::Review, &mut |_, _| {}).unwrap();
        if std::env::var_os("SATCHEL_BENCH_PHASES").is_some() {
            eprintln!(
                "read {t_read:?} prepare {:?} import {:?}",
                t_prep - t_read,
                started.elapsed() - t_prep
            );
        }
        best = best.min(started.elapsed().as_secs_f64());
        report = Some((
            prepared.complete,
            prepared.with_problems(),
            written.imported,
        ));
    }
    let (complete, problems, imported) = report.unwrap();
    assert_eq!(imported, ORDERS);

    // The same rows inserted raw: one transaction, no reading, rules or pricing.
    let mut raw = f64::MAX;
    for round in 0..3 {
        let s = Store::open(dir.path().join(format!("raw-{round}.db"))).unwrap();
        let c = s.connection();
        c.execute_batch("CREATE TABLE raw_lines (n INTEGER, line TEXT NOT NULL); BEGIN IMMEDIATE;")
            .unwrap();
        let started = Instant::now();
        {
            let mut st = c
                .prepare("INSERT INTO raw_lines (n, line) VALUES (?1, ?2)")
                .unwrap();
            for (n, line) in text.lines().skip(1).enumerate() {
                st.execute((n as i64, line)).unwrap();
            }
        }
        c.execute_batch("COMMIT").unwrap();
        raw = raw.min(started.elapsed().as_secs_f64());
    }
    println!(
        "shop orders to drafts: {ORDERS} orders ({items} line items) read, drafted, validated, \
         priced and written in {:.0} ms (target < 1000 ms; {complete} complete, {problems} with \
         problems); raw SQLite insert of the same {items} rows: {:.0} ms ({:.1}x)",
        best * 1000.0,
        raw * 1000.0,
        best / raw
    );
}
