//! `satchel contacts …` and `satchel shipments …` on a real database file, run as a script
//! would run them: CSV in, CSV or a table out, exit codes 0/1/2.

use std::path::Path;
use std::process::{Command, Output};

fn satchel(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_satchel"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("SATCHEL_DB")
        .output()
        .expect("the satchel binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn ok(o: &Output, code: i32) -> String {
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout {}\nstderr {}",
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

const CONTACTS: &str = "姓名,地址,城市,國家,電話,kind
小店 Little Shop,8 Nathan Road 彌敦道8號,Kowloon,HK,+852 9123 4567,sender
陳小明 Chan Siu Ming,1-2-3 Ginza 銀座,Tokyo,JP,+81 3 1234 5678,
Bob,1 Main St,Springfield,US,,
";

#[test]
fn import_search_and_export_contacts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("satchel.db");
    let csv = dir.path().join("in.csv");
    let report = dir.path().join("report.csv");
    std::fs::write(&csv, CONTACTS).unwrap();
    let out = ok(
        &satchel(
            &db,
            &[
                "contacts",
                "import",
                csv.to_str().unwrap(),
                "--report",
                report.to_str().unwrap(),
            ],
        ),
        1,
    );
    assert!(out.contains("3 rows: 2 imported"), "{out}");
    assert!(out.contains("1 rejected"), "{out}");
    let rep = std::fs::read_to_string(&report).unwrap();
    assert!(rep.contains("postcode (R-064)"), "{rep}");

    let found = ok(&satchel(&db, &["contacts", "search", "小明"]), 0);
    assert!(
        found.contains("陳小明 Chan Siu Ming") && found.contains("JP"),
        "{found}"
    );
    assert!(!found.contains("Little Shop"));
    let none = satchel(&db, &["contacts", "search", "nobody-like-this"]);
    ok(&none, 1);

    let exported = ok(&satchel(&db, &["contacts", "export"]), 0);
    assert!(exported.starts_with('\u{feff}'));
    assert!(exported.contains("sender,小店 Little Shop"), "{exported}");
    // Re-importing the export changes nothing: every row is a duplicate, kept as it is.
    let again = dir.path().join("again.csv");
    std::fs::write(&again, &exported).unwrap();
    let out = ok(
        &satchel(
            &db,
            &[
                "contacts",
                "import",
                again.to_str().unwrap(),
                "--duplicates",
                "keep-existing",
            ],
        ),
        0,
    );
    assert!(out.contains("0 imported, 0 updated, 2 kept"), "{out}");
}

#[test]
fn shipments_import_list_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("satchel.db");
    let contacts = dir.path().join("c.csv");
    std::fs::write(&contacts, CONTACTS).unwrap();
    satchel(&db, &["contacts", "import", contacts.to_str().unwrap()]);
    let ships = dir.path().join("s.csv");
    std::fs::write(
        &ships,
        "reference,service,name,address,city,country,weight_g,category,description,quantity,value,hs_code,origin
ORD-1,speedpost,陳小明 Chan Siu Ming,1-2-3 Ginza 銀座,Tokyo,JP,480,gift,Silk scarf,1,350,62141000,HK
ORD-2,e_express,Ann,1 Rue de Rivoli,Paris,FR,2500,gift,Book,1,100,49019900,HK
",
    )
    .unwrap();
    let out = ok(
        &satchel(&db, &["shipments", "import", ships.to_str().unwrap()]),
        1,
    );
    assert!(
        out.contains("1 imported") && out.contains("1 rejected"),
        "{out}"
    );
    let list = ok(&satchel(&db, &["shipments", "list"]), 0);
    assert!(
        list.contains("ORD-1") && list.contains("draft") && list.contains("speedpost"),
        "{list}"
    );
    assert!(list.contains("HK$"), "the stored quote is shown: {list}");
    let json = ok(
        &satchel(
            &db,
            &[
                "--json",
                "shipments",
                "list",
                "--state",
                "draft",
                "--destination",
                "jp",
            ],
        ),
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["assessment"]["quote"]["service"], "speedpost");
    let none = ok(
        &satchel(&db, &["--json", "shipments", "list", "--state", "posted"]),
        0,
    );
    assert_eq!(none.trim(), "[]");
    let csv = ok(&satchel(&db, &["shipments", "export"]), 0);
    assert!(
        csv.contains("ORD-1,speedpost,陳小明 Chan Siu Ming"),
        "{csv}"
    );
    let bad = satchel(&db, &["shipments", "list", "--state", "lost"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("unknown state"));
}

/// Issue #14 from the terminal: an untouched Shopify export imports as one draft per order
/// (it imported 0 of 3 before); the catalogue completes the drafts; the same export again
/// changes nothing.
#[test]
fn a_shop_export_imports_as_orders_and_the_catalogue_completes_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("satchel.db");
    let sender = dir.path().join("sender.csv");
    std::fs::write(
        &sender,
        "type,name,address,city,country,phone\n\
         sender,Little Shop,Flat A 12F 8 Nathan Road,Kowloon,HK,+852 9123 4567\n",
    )
    .unwrap();
    ok(
        &satchel(&db, &["contacts", "import", sender.to_str().unwrap()]),
        0,
    );
    let export = dir.path().join("orders_export.csv");
    std::fs::write(&export, satchel_fixtures::shop::SHOPIFY).unwrap();
    let import = || {
        satchel(
            &db,
            &["--json", "shipments", "import", export.to_str().unwrap()],
        )
    };

    let first: serde_json::Value = serde_json::from_str(ok(&import(), 0).trim()).unwrap();
    assert_eq!(first["platform"], "shopify");
    assert_eq!(first["imported"], 3, "{first}");
    assert_eq!(first["complete"], 0, "{first}");
    assert_eq!(first["skipped"]["cancelled"], 1, "{first}");
    assert_eq!(first["skipped"]["needs no shipping"], 1, "{first}");
    let unknown: Vec<&str> = first["unknown_skus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["sku"].as_str().unwrap())
        .collect();
    assert_eq!(unknown, ["SCARF-JADE", "TEA-PUER"]);

    // One good product and one the content-line rules refuse, named by field and rule.
    let catalogue = dir.path().join("catalogue.csv");
    std::fs::write(
        &catalogue,
        "sku,description_en,hs_code,origin,unit_weight_g,unit_value,category\n\
         SCARF-JADE,Silk scarf,62141000,CN,120,180,sale_of_goods\n\
         TEA-PUER,Tea,0902.40,China,250,200,sale_of_goods\n",
    )
    .unwrap();
    let added = ok(
        &satchel(&db, &["catalogue", "import", catalogue.to_str().unwrap()]),
        1,
    );
    assert!(
        added.contains("1 product(s) saved; 2 draft(s) completed"),
        "{added}"
    );
    assert!(added.contains("refused line 3: hs_code (R-074)"), "{added}");
    assert!(added.contains("origin (R-081)"), "{added}");
    std::fs::write(
        &catalogue,
        "sku,description_en,hs_code,origin,unit_weight_g,unit_value,category\n\
         TEA-PUER,Puerh tea leaves in a tin,09024000,CN,250,200,sale_of_goods\n",
    )
    .unwrap();
    ok(
        &satchel(&db, &["catalogue", "import", catalogue.to_str().unwrap()]),
        0,
    );
    let listed = ok(&satchel(&db, &["shipments", "list"]), 0);
    assert!(
        listed.contains("#1001") && listed.contains("540 g"),
        "{listed}"
    );

    // The catalogue exports in the columns it imports.
    let exported = ok(&satchel(&db, &["catalogue", "export"]), 0);
    assert!(exported.contains("TEA-PUER,Puerh tea leaves in a tin,,09024000,CN,250,200,HKD"));

    // SHOPLINE's own Excel export imports as it comes.
    let workbook = dir.path().join("shopline.xlsx");
    std::fs::write(&workbook, satchel_fixtures::shop::SHOPLINE_XLSX).unwrap();
    let shopline: serde_json::Value = serde_json::from_str(
        ok(
            &satchel(
                &db,
                &["--json", "shipments", "import", workbook.to_str().unwrap()],
            ),
            0,
        )
        .trim(),
    )
    .unwrap();
    assert_eq!(shopline["platform"], "shopline", "{shopline}");
    assert_eq!(shopline["imported"], 1, "{shopline}");

    let again: serde_json::Value = serde_json::from_str(ok(&import(), 0).trim()).unwrap();
    assert_eq!(
        (again["imported"].clone(), again["unchanged"].clone()),
        (0.into(), 3.into())
    );
    assert_eq!(again["complete"], 2, "{again}");
}

/// `satchel today` (issue #15) on a seeded busy week, with the app's clock set to that
/// morning: the same lines and reminders as the window's home screen, dates day first.
#[test]
fn today_lists_the_days_work_and_reminders_day_first() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let at = chrono::DateTime::parse_from_rfc3339("2026-12-10T10:00:00+08:00").unwrap();
    let day = satchel_tests::seed::busy_week(&db, at.with_timezone(&chrono::Utc));
    let o = Command::new(env!("CARGO_BIN_EXE_satchel"))
        .arg("--db")
        .arg(&db)
        .arg("today")
        .env_remove("SATCHEL_DB")
        .env("SATCHEL_CLOCK", "2026-12-10T10:00:00+08:00")
        .output()
        .unwrap();
    let out = ok(&o, 0);
    assert!(out.starts_with("Today, 10/12/2026 10:00"), "{out}");
    for line in [
        "Drafts with problems       1",
        "Labels to print            1",
        "In transit                 2",
    ] {
        assert!(out.contains(line), "{line:?} in\n{out}");
    }
    let label = format!(
        "{} EE000000014HK: last day to post 12/12/2026 (in 2 days; C-01)",
        day.expiring
    );
    assert!(out.contains(&label), "{label:?} in\n{out}");
    assert!(
        out.contains("tracing opens 14/12/2026 (in 4 days; R-117)"),
        "{out}"
    );

    // A filter date is typed day first; month first is refused, saying how to type it.
    // The week's shipments were drafted on 24 May (200 days before).
    let args = [
        "shipments",
        "list",
        "--from",
        "24/05/2026",
        "--until",
        "24/5/2026",
    ];
    let listed = ok(&satchel(&db, &args), 0);
    assert!(listed.contains(day.ready), "{listed}");
    let refused = satchel(&db, &["shipments", "list", "--from", "12/31/2026"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("day first (DD/MM/YYYY)"));
}
