//! The real `satchel` binary, run as a merchant's script would run it: arguments in, text or
//! JSON and an exit code out. Prices are the domain.md §5.5 vectors, so the CLI is checked
//! end to end against the same figures as the engine. Dates are pinned with `--date` where a
//! figure depends on which tariff is in force.

use std::path::PathBuf;
use std::process::{Command, Output};

use rust_decimal::Decimal;
use serde_json::Value;

/// A day on which every bundled file is in force (the newest is 2023-01-06).
const DATE: &str = "2023-06-01";

/// Runs with a database of its own in a fresh directory, never the merchant's real one
/// (`rates load` keeps files there, and every price reads the tariffs kept there).
fn satchel(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("a temporary directory");
    Command::new(env!("CARGO_BIN_EXE_satchel"))
        .args(args)
        .env("SATCHEL_DB", home.path().join("satchel.db"))
        .output()
        .expect("the satchel binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

/// Runs and expects `expected` as the exit code, showing both streams if not.
fn run(args: &[&str], expected: i32) -> Output {
    let o = satchel(args);
    assert_eq!(
        code(&o),
        expected,
        "satchel {args:?}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).expect("stdout is JSON")
}

fn money(v: &Value) -> Decimal {
    v.as_str()
        .expect("money is a decimal string")
        .parse()
        .expect("a decimal")
}

/// A file in the temp directory, unique to this test process, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("satchel-cli-test-{}-{name}", std::process::id()));
        std::fs::write(&path, contents).expect("temp file written");
        TempFile(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temp path is UTF-8")
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

// ------------------------------------------------------------------------------ quote

/// (service, destination, weight, estimate, counter) from domain.md §5.5. Documents, because
/// goods to the US are suspended (R-063).
const VECTORS: &[(&str, &str, &str, &str, &str)] = &[
    ("air_registered.packet", "US", "30g", "23.90", "23.90"),
    ("air_registered.packet", "US", "31g", "29.70", "29.70"),
    ("air_registered.packet", "US", "51g", "31.80", "31.80"),
    ("air_registered.packet", "US", "120g", "44.40", "44.40"),
    ("air_registered.packet", "US", "2kg", "439.20", "439.20"),
    ("speedpost", "US", "500g", "357.00", "357.00"),
    ("speedpost", "US", "1.2kg", "434.00", "434.00"),
    ("speedpost", "US", "30 kg", "4838.00", "4838.00"),
    ("air_parcel", "US", "2.3kg", "587.00", "587.00"),
    ("air_parcel", "US", "5001", "978.00", "978.00"),
    ("surface_parcel", "US", "7.5kg", "553.00", "553.00"),
    ("e_express", "US", "250g", "88.44", "88.40"),
    ("e_express", "CN", "250g", "39.42", "39.40"),
    ("local_courierpost", "HK", "0.5kg", "35.00", "35.00"),
];

#[test]
fn quote_json_matches_the_section_5_5_vectors() {
    for &(service, to, weight, estimate, counter) in VECTORS {
        let o = run(
            &[
                "quote",
                "--to",
                to,
                "--weight",
                weight,
                "--service",
                service,
                "--category",
                "documents",
                "--date",
                DATE,
                "--json",
            ],
            0,
        );
        let v = json(&o);
        let q = &v["quote"];
        assert_eq!(q["service"], service);
        assert_eq!(q["estimate"], estimate, "{service} {to} {weight}");
        assert_eq!(q["counter"], counter, "{service} {to} {weight}");
        assert_eq!(v["as_of"], DATE);
        assert!(q["tariff_date"]
            .as_str()
            .is_some_and(|d| d.starts_with("2023-01-06")));
        assert!(v["excluded"].is_null());
    }
}

#[test]
fn quote_table_shows_prices_counter_and_tariff_date() {
    let o = run(
        &[
            "quote",
            "--to",
            "US",
            "--weight",
            "30g",
            "--service",
            "air_registered.packet",
            "--category",
            "documents",
        ],
        0,
    );
    let out = stdout(&o);
    assert!(out.contains("HK$23.90"), "{out}");
    assert!(out.contains("R-011"), "{out}");
    assert!(out.contains("lastUpdateDate 2023-01-06"), "{out}");

    let o = run(
        &[
            "quote",
            "--to",
            "us",
            "--weight",
            "250g",
            "--service",
            "e_express",
            "--category",
            "documents",
            "--date",
            DATE,
        ],
        0,
    );
    let out = stdout(&o);
    assert!(out.contains("estimate  HK$88.44"), "{out}");
    assert!(out.contains("counter   HK$88.40"), "{out}");
}

#[test]
fn the_same_weight_written_differently_is_the_same_price() {
    let price = |weight: &str| {
        let o = run(
            &[
                "quote",
                "--to",
                "US",
                "--weight",
                weight,
                "--service",
                "speedpost",
                "--category",
                "documents",
                "--date",
                DATE,
                "--json",
            ],
            0,
        );
        json(&o)["quote"]["estimate"].clone()
    };
    for w in ["500", "500g", "500 g", "0.5kg", "0.500 kg", "0.5KG"] {
        assert_eq!(price(w), "357.00", "{w}");
    }
    // 501 g is the next Speedpost step: the boundary is inclusive (§5.3).
    assert_ne!(price("0.501kg"), "357.00");
}

#[test]
fn a_service_that_cannot_carry_the_item_exits_1_with_the_reason() {
    // Goods to the US: suspended (R-063).
    let o = run(
        &[
            "quote",
            "--to",
            "US",
            "--weight",
            "500g",
            "--service",
            "speedpost",
        ],
        1,
    );
    assert!(stdout(&o).contains("R-063"), "{}", stdout(&o));

    // e-Express US accepts 1 kg (§5.5: 1,500 g is rejected).
    let o = run(
        &[
            "quote",
            "--to",
            "US",
            "--weight",
            "1500g",
            "--service",
            "e_express",
            "--category",
            "documents",
            "--date",
            DATE,
            "--json",
        ],
        1,
    );
    let v = json(&o);
    assert!(v["quote"].is_null());
    assert_eq!(v["excluded"]["reason"], "over_limit");
    assert_eq!(v["excluded"]["limit_g"], 1000);

    // Air Parcel DE 1 kg: the published tariff gives two prices (§5.4 item 9).
    let o = run(
        &[
            "quote",
            "--to",
            "DE",
            "--weight",
            "1kg",
            "--service",
            "air_parcel",
            "--date",
            DATE,
            "--json",
        ],
        1,
    );
    assert_eq!(json(&o)["excluded"]["reason"], "ambiguous_rate");
}

#[test]
fn quote_without_service_lists_the_available_services() {
    let o = run(
        &["quote", "--to", "GB", "--weight", "450g", "--date", DATE],
        0,
    );
    let out = stdout(&o);
    assert!(out.contains("speedpost"), "{out}");
    assert!(out.contains("satchel compare"), "{out}");
}

#[test]
fn destinations_can_be_named_and_zones_chosen() {
    let o = run(
        &[
            "quote",
            "--to",
            "United Kingdom",
            "--weight",
            "1kg",
            "--service",
            "speedpost",
            "--date",
            DATE,
            "--json",
        ],
        0,
    );
    assert_eq!(json(&o)["country"], "GB");
    // Speedpost GB 1 kg (§5.5 sample prices).
    assert_eq!(json(&o)["quote"]["estimate"], "389.00");

    let o = run(
        &[
            "quote",
            "--to",
            "CN",
            "--zone",
            "PC",
            "--weight",
            "1kg",
            "--service",
            "speedpost",
            "--date",
            DATE,
            "--json",
        ],
        0,
    );
    assert_eq!(json(&o)["zone"], "PC");
    assert_eq!(json(&o)["quote"]["estimate"], "201.00");
}

// ---------------------------------------------------------------------------- compare

#[test]
fn compare_json_is_sorted_by_price_with_reasons_for_exclusions() {
    let o = run(
        &[
            "compare",
            "--to",
            "GB",
            "--weight",
            "450g",
            "--dims",
            "300x200x100",
            "--date",
            DATE,
            "--json",
        ],
        0,
    );
    let v = json(&o);
    assert_eq!(v["weight_g"], 450);
    assert_eq!(v["dimensions_mm"], serde_json::json!([300, 200, 100]));
    let options = v["options"].as_array().expect("options");
    assert!(options.len() > 3);
    let prices: Vec<Decimal> = options.iter().map(|o| money(&o["estimate"])).collect();
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    for o in options {
        assert!(o["counter"]
            .as_str()
            .is_some_and(|c| c.split('.').nth(1).map(str::len) == Some(2)));
    }
    let excluded = v["excluded"].as_array().expect("excluded");
    let small = excluded
        .iter()
        .find(|e| e["service"] == "air_registered.small_letter")
        .expect("small letters cannot carry 450 g");
    assert_eq!(small["reason"], "over_limit");
    assert!(small["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(excluded.iter().any(|e| e["reason"] == "local_only"));
}

#[test]
fn compare_table_lists_options_in_price_order_then_exclusions() {
    let o = run(
        &["compare", "--to", "GB", "--weight", "450g", "--date", DATE],
        0,
    );
    let out = stdout(&o);
    let (options, excluded) = out.split_once("Not available").expect("two sections");
    // The rows between the header and the blank line; the first amount is the estimate
    // (an iMail estimate carries a footnote mark).
    let prices: Vec<Decimal> = options
        .lines()
        .skip_while(|l| !l.starts_with("SERVICE"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("HK$")))
        .map(|p| {
            p.trim_start_matches("HK$")
                .trim_end_matches('*')
                .parse()
                .expect("a price")
        })
        .collect();
    assert!(prices.len() > 3, "{out}");
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{out}");
    assert!(options.contains("TARIFF DATE"), "{out}");
    assert!(excluded.contains("local_parcel"), "{out}");
}

#[test]
fn compare_goods_to_the_us_exits_1_naming_r063() {
    let o = run(&["compare", "--to", "US", "--weight", "450g"], 1);
    let out = stdout(&o);
    assert!(out.contains("No service can carry this item"), "{out}");
    assert!(out.contains("R-063"), "{out}");
}

// --------------------------------------------------------------------------- check-item

#[test]
fn check_item_valid_and_invalid() {
    let o = run(&["check-item", "LX123456785HK"], 0);
    assert!(stdout(&o).contains("valid"));
    let v = json(&run(&["check-item", "lx123456785hk", "--json"], 0));
    assert_eq!(v["valid"], true);
    assert_eq!(v["item_number"], "LX123456785HK");
    assert_eq!(v["check_digit"], 5);

    let o = run(&["check-item", "LX123456784HK"], 1);
    assert!(stdout(&o).contains("check digit"), "{}", stdout(&o));
    let v = json(&run(&["check-item", "LX123456784HK", "--json"], 1));
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"]["kind"], "check_digit");
    assert_eq!(v["error"]["expected"], 5);

    run(&["check-item", "LX1234"], 1);
    // No argument at all is a usage error.
    run(&["check-item"], 2);
}

// ----------------------------------------------------------------------------- validate

fn shipment(sender_country: &str, to: &str, category: &str, reference: &str) -> String {
    format!(
        r#"{{
  "sender": {{"name": "Chan Tai Man", "lines": ["1 Queen's Road Central"],
              "city": "Hong Kong", "country": "{sender_country}", "phone": "91234567"}},
  "recipient": {{"name": "Jane Doe", "lines": ["10 Main Street"], "city": "Springfield",
                 "state": "IL", "postcode": "62701", "country": "{to}",
                 "phone": "+12175550100"}},
  "service": {{"service": "air_registered", "format": "packet"}},
  "parcel": {{"weight_g": 450}},
  "customs": {{"category": "{category}", "lines": [{{"description": "Printed contract",
    "quantity": 1, "net_weight_g": 400, "value": "10", "hs_code": "49011000",
    "origin_country": "HK"}}]}},
  "reference": "{reference}"
}}"#
    )
}

#[test]
fn validate_reports_every_problem_with_rule_field_and_severity() {
    let file = TempFile::new("bad.json", &shipment("GB", "US", "sale_of_goods", "ORD-1"));
    let o = run(&["validate", file.path()], 1);
    let out = stdout(&o);
    assert!(out.contains("R-049"), "{out}");
    assert!(out.contains("sender.country"), "{out}");
    assert!(out.contains("R-063"), "{out}");
    assert!(out.contains("customs.category"), "{out}");
    assert!(out.contains("error"), "{out}");
    // Personal details are never echoed.
    assert!(
        !out.contains("Chan Tai Man") && !out.contains("Jane Doe"),
        "{out}"
    );
    assert!(!out.contains("91234567"), "{out}");

    let v = json(&run(&["validate", file.path(), "--json"], 1));
    let problems = v["problems"].as_array().expect("problems");
    let rules: Vec<&str> = problems.iter().filter_map(|p| p["rule"].as_str()).collect();
    assert!(
        rules.contains(&"R-049") && rules.contains(&"R-063"),
        "{rules:?}"
    );
    assert!(v["errors"].as_u64().is_some_and(|n| n >= 2));
    for p in problems {
        assert!(p["field"].is_string() && p["severity"].is_string() && p["message"].is_string());
    }

    let o = run(&["validate", file.path(), "--lang", "zh-HK"], 1);
    assert!(
        stdout(&o).contains("香港"),
        "messages in Traditional Chinese: {}",
        stdout(&o)
    );
}

#[test]
fn validate_a_clean_shipment_exits_0() {
    let file = TempFile::new("ok.json", &shipment("HK", "GB", "documents", "ORD-2"));
    let o = run(&["validate", file.path()], 0);
    assert!(stdout(&o).contains("0 errors"), "{}", stdout(&o));
}

#[test]
fn validate_accepts_a_batch_and_applies_batch_rules() {
    let batch = format!(
        "[{}, {}]",
        shipment("HK", "GB", "documents", "ORD-3"),
        shipment("HK", "GB", "documents", "ORD-3")
    );
    let file = TempFile::new("batch.json", &batch);
    // A duplicate reference is a warning (R-003): reported, but the batch passes.
    let o = run(&["validate", file.path()], 0);
    assert!(stdout(&o).contains("R-003"), "{}", stdout(&o));
    let v = json(&run(&["validate", file.path(), "--json"], 0));
    assert_eq!(v["batch"], true);
    assert_eq!(v["shipments"], 2);
}

#[test]
fn validate_unreadable_input_exits_2_without_echoing_personal_data() {
    run(&["validate", "/nonexistent/satchel/shipment.json"], 2);
    let file = TempFile::new(
        "garbled.json",
        r#"{"sender": {"name": "Chan Tai Man", "country": "HK"}, "parcel": {"weight_g": "Chan Tai Man"}}"#,
    );
    let o = run(&["validate", file.path()], 2);
    let err = stderr(&o);
    assert!(err.contains("not a shipment"), "{err}");
    assert!(!err.contains("Chan"), "{err}");
    assert!(stdout(&o).is_empty());
}

// -------------------------------------------------------------------------------- rates

#[test]
fn rates_list_shows_the_twelve_bundled_files_with_dates() {
    let o = run(&["rates", "list"], 0);
    let out = stdout(&o);
    let files: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("postageRate-"))
        .collect();
    assert_eq!(files.len(), 12, "{out}");
    assert!(files.iter().all(|l| l.contains("bundled")));
    assert!(out.contains("postageRate-intl-SPT.json"));
    assert!(out.contains("2023-01-06"));
    assert!(out.contains("2021-12-06"));
    assert!(out.contains("2021-04-01"));

    let v = json(&run(&["rates", "list", "--json"], 0));
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 12);
    let iml = files
        .iter()
        .find(|f| f["name"] == "postageRate-intl-bulk-IML.json")
        .expect("iMail file");
    assert!(iml["last_update"]
        .as_str()
        .is_some_and(|d| d.starts_with("2021-04-01")));
}

fn bundled_copy(name: &str) -> TempFile {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../satchel-core/data/rates/");
    let json = std::fs::read_to_string(format!("{dir}postageRate-intl-SPT.json"))
        .expect("bundled file readable");
    TempFile::new(name, &json)
}

#[test]
fn rates_load_summarises_a_valid_file_and_rejects_others() {
    let file = bundled_copy("spt.json");
    let o = run(&["rates", "load", file.path()], 0);
    let out = stdout(&o);
    assert!(out.contains("2023-01-06"), "{out}");
    assert!(out.contains("speedpost"), "{out}");
    // The bundled file itself tells nothing new: nothing is kept.
    assert!(out.contains("Not kept"), "{out}");

    let v = json(&run(&["rates", "load", file.path(), "--json"], 0));
    assert_eq!(v["valid"], true);
    assert_eq!(v["services"][0]["service"], "speedpost");
    assert_eq!(v["services"][0]["effect"], "same_date");

    let junk = TempFile::new("junk-rates.json", r#"{"data": []}"#);
    let o = run(&["rates", "load", junk.path()], 1);
    assert!(
        stdout(&o).contains("not a usable rate file"),
        "{}",
        stdout(&o)
    );
    run(&["rates", "load", "/nonexistent/satchel/rates.json"], 2);
}

#[test]
fn extra_rate_files_are_used_for_the_run() {
    let file = bundled_copy("spt-extra.json");
    let o = run(
        &[
            "quote",
            "--rates",
            file.path(),
            "--to",
            "US",
            "--weight",
            "500g",
            "--service",
            "speedpost",
            "--category",
            "documents",
            "--date",
            DATE,
            "--json",
        ],
        0,
    );
    assert_eq!(json(&o)["quote"]["estimate"], "357.00");
    let v = json(&run(
        &["--rates", file.path(), "rates", "list", "--json"],
        0,
    ));
    let files = v["files"].as_array().expect("files");
    assert!(files
        .iter()
        .any(|f| f["name"] == file.path() && f["source"] == "loaded"));

    let junk = TempFile::new("junk-extra.json", "not json");
    let o = run(
        &[
            "compare",
            "--rates",
            junk.path(),
            "--to",
            "GB",
            "--weight",
            "1kg",
        ],
        2,
    );
    assert!(stderr(&o).contains("--rates"), "{}", stderr(&o));
}

// -------------------------------------------------------------------------- bad usage

#[test]
fn bad_arguments_exit_2_naming_the_argument() {
    for (args, named) in [
        (&["quote", "--to", "GB", "--weight", "abc"][..], "--weight"),
        (&["quote", "--to", "GB", "--weight", "-5g"][..], "--weight"),
        (&["quote", "--to", "GB", "--weight", "0"][..], "--weight"),
        (
            &["quote", "--to", "GB", "--weight", "1.2345kg"][..],
            "--weight",
        ),
        (
            &[
                "compare", "--to", "GB", "--weight", "1kg", "--dims", "30x20",
            ][..],
            "--dims",
        ),
        (
            &[
                "quote",
                "--to",
                "GB",
                "--weight",
                "1kg",
                "--date",
                "2023-02-30",
            ][..],
            "--date",
        ),
        (
            &[
                "quote",
                "--to",
                "GB",
                "--weight",
                "1kg",
                "--service",
                "pigeon",
            ][..],
            "--service",
        ),
        (
            &[
                "quote",
                "--to",
                "GB",
                "--weight",
                "1kg",
                "--category",
                "food",
            ][..],
            "--category",
        ),
        (&["quote", "--to", "ZZ", "--weight", "1kg"][..], "--to"),
        (
            &["quote", "--to", "CN", "--zone", "QQ", "--weight", "1kg"][..],
            "--zone",
        ),
        (&["validate", "x.json", "--lang", "fr"][..], "--lang"),
        (&["quote", "--to", "GB"][..], "--weight"),
    ] {
        let o = run(args, 2);
        assert!(stderr(&o).contains(named), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
}
