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
