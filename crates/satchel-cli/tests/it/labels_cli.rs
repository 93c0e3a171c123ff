//! `satchel labels`, `satchel print` and `satchel printers` as a script runs them: the real
//! binary, a real database file, real PDFs read back with poppler and zbar, and the machine's
//! real CUPS with its cups-pdf queue (brought up by satchel-print's `tests/services.sh`).
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use satchel_core::model::{Party, Shipment};
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use satchel_fixtures as fx;
use satchel_fixtures::printing::{cups_pdf_output, print_services, tool};
use satchel_store::{Assessment, ShipmentDraft, Store};

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
    String::from_utf8_lossy(b).into_owned()
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

/// Runs a tool the test depends on, naming its Debian package when it is missing.
/// The page count `pdfinfo` reports.
fn page_count(info: &str) -> Option<u32> {
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
}

fn shipment(reference: &str, number: Option<ItemNumber>) -> Shipment {
    let sender = Party {
        lines: vec!["8 Nathan Road 彌敦道8號".into()],
        ..fx::little_shop()
    };
    let recipient = Party {
        lines: vec!["1-2-3 Ginza 銀座".into()],
        phone: String::new(),
        ..fx::tokyo_recipient("陳小明 Chan Siu Ming")
    };
    // Satchel draws a final label only for iMail, whose numbers come from the merchant's
    // pre-printed labels (R-047); every other service's numbered label is EC-Ship's own.
    let service = if number.is_some() {
        Service::Imail
    } else {
        Service::Speedpost
    };
    Shipment {
        reference: reference.into(),
        item_number: number,
        service,
        ..fx::speedpost(sender, recipient, fx::silk_scarf("Silk scarf 絲巾", 1, 400))
    }
}

/// A database with ORD-A and ORD-B (iMail, with pre-printed item numbers) and ORD-C (a
/// Speedpost draft without one); returns
/// the path, the item numbers, and ORD-C's id.
fn database(dir: &Path) -> (PathBuf, Vec<String>, String) {
    let path = dir.join("satchel.db");
    let mut db = Store::open(&path).unwrap();
    let mut numbers = Vec::new();
    let mut draft_id = String::new();
    for (i, reference) in ["ORD-A", "ORD-B", "ORD-C"].into_iter().enumerate() {
        let number = (i < 2).then(|| ItemNumber::from_parts("LX", 12_345_678 + i as u32, "HK"));
        let number = number.map(|n| n.expect("valid S10"));
        if let Some(n) = &number {
            numbers.push(n.to_string());
        }
        let rec = db
            .create_shipment(
                &ShipmentDraft {
                    shipment: shipment(reference, number),
                    recipient_id: None,
                    sender_id: None,
                },
                &Assessment::default(),
            )
            .unwrap();
        draft_id = rec.id;
    }
    (path, numbers, draft_id)
}

/// Every barcode zbar finds on the PDF's pages rasterised at 203 dpi (a thermal printer's
/// resolution, the coarsest the labels must survive), sorted.
fn barcodes(pdf: &Path, dir: &Path) -> Vec<String> {
    let prefix = dir.join("page");
    tool(
        "pdftoppm",
        "poppler-utils",
        &[
            "-r",
            "203",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let mut pngs: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    pngs.sort();
    assert!(!pngs.is_empty(), "pdftoppm wrote no pages");
    let mut args = vec!["-q", "--raw"];
    args.extend(pngs.iter().map(String::as_str));
    let out = Command::new("zbarimg")
        .args(&args)
        .output()
        .expect("zbarimg runs (package zbar-tools)");
    let mut found: Vec<String> = text(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    found.sort();
    found
}

#[test]
fn pdf_labels_carry_the_item_numbers_as_barcodes_and_drafts_say_draft() {
    let dir = tempfile::tempdir().unwrap();
    let (db, numbers, draft_id) = database(dir.path());
    for format in ["imail-a4", "speedpost", "4x6-pdf"] {
        let out = dir.path().join(format!("{format}.pdf"));
        // ORD-C by its id, the others by reference.
        let keys = format!("ORD-A,ORD-B,{draft_id}");
        let said = ok(
            &satchel(
                &db,
                &[
                    "labels",
                    "--shipments",
                    &keys,
                    "--format",
                    format,
                    "--permit",
                    "PM1234",
                    "--out",
                    out.to_str().unwrap(),
                ],
            ),
            0,
        );
        assert!(said.contains("3 label(s)"), "{said}");
        assert!(said.contains("DRAFT (no item number yet): ORD-C"), "{said}");

        let pages = tempfile::tempdir().unwrap();
        assert_eq!(barcodes(&out, pages.path()), numbers, "{format}");
        let words = tool("pdftotext", "poppler-utils", &[out.to_str().unwrap(), "-"]);
        assert!(words.contains("DRAFT"), "{format}: {words}");
        assert!(words.contains("ORD-C"), "{format}: {words}");
        assert!(
            words.contains("陳小明"),
            "{format}: CJK text drawn: {words}"
        );
    }
}

#[test]
fn labels_by_state_with_a_start_position_fill_the_sheet_from_there() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, _) = database(dir.path());
    let out = dir.path().join("l.pdf");
    let said = ok(
        &satchel(
            &db,
            &[
                "--json",
                "labels",
                "--state",
                "draft",
                "--format",
                "imail-a4",
                "--start",
                "3",
                "--permit",
                "PM1234",
                "--out",
                out.to_str().unwrap(),
            ],
        ),
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&said).unwrap();
    assert_eq!(v["labels"], 3);
    // Position 3 of the first sheet, then positions 1 and 2 of the second.
    assert_eq!(v["pages"], 2);
    assert_eq!(v["drafts"], serde_json::json!(["ORD-C"]));
    let info = tool("pdfinfo", "poppler-utils", &[out.to_str().unwrap()]);
    assert_eq!(page_count(&info), Some(2), "{info}");

    let none = satchel(
        &db,
        &[
            "labels", "--state", "posted", "--format", "imail-a4", "--out", "x.pdf",
        ],
    );
    assert!(ok(&none, 1).contains("no shipments in state posted"));
}

#[test]
fn zpl_labels_are_concatenated_with_code_128_barcodes() {
    let dir = tempfile::tempdir().unwrap();
    let (db, numbers, _) = database(dir.path());
    for (dpi, width) in [("203", "^PW812"), ("300", "^PW1200")] {
        let out = dir.path().join(format!("l{dpi}.zpl"));
        ok(
            &satchel(
                &db,
                &[
                    "labels",
                    "--shipments",
                    "ORD-A,ORD-B,ORD-C",
                    "--format",
                    "zpl",
                    "--dpi",
                    dpi,
                    "--permit",
                    "PM1234",
                    "--out",
                    out.to_str().unwrap(),
                ],
            ),
            0,
        );
        let zpl = std::fs::read_to_string(&out).unwrap();
        assert_eq!(zpl.matches("^XA").count(), 3, "{zpl}");
        assert_eq!(zpl.matches("^XZ").count(), 3, "{zpl}");
        assert_eq!(zpl.matches(width).count(), 3, "{zpl}");
        assert_eq!(
            zpl.matches("^BCN").count(),
            2,
            "the draft has no barcode: {zpl}"
        );
        for n in &numbers {
            assert!(zpl.contains(n.as_str()), "{n} in {zpl}");
        }
        assert!(zpl.contains("DRAFT"), "{zpl}");
    }
}

#[test]
fn unknown_shipments_are_named_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, _) = database(dir.path());
    let out = dir.path().join("l.pdf");
    let o = out.to_str().unwrap();
    let missing = satchel(
        &db,
        &[
            "labels",
            "--shipments",
            "ORD-A,ORD-404,nope",
            "--format",
            "speedpost",
            "--out",
            o,
        ],
    );
    assert_eq!(ok(&missing, 1).trim(), "not found: ORD-404, nope");
    assert!(
        !out.exists(),
        "nothing is written when a shipment is missing"
    );
    let json = satchel(
        &db,
        &[
            "--json",
            "labels",
            "--shipments",
            "ORD-404",
            "--format",
            "zpl",
            "--out",
            o,
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&ok(&json, 1)).unwrap();
    assert_eq!(v["not_found"], serde_json::json!(["ORD-404"]));

    for (args, says) in [
        (
            vec![
                "labels",
                "--state",
                "draft",
                "--format",
                "speedpost",
                "--start",
                "3",
            ],
            "holds positions 1 to 2",
        ),
        (
            vec![
                "labels", "--state", "draft", "--format", "4x6-pdf", "--dpi", "300",
            ],
            "--dpi is for --format zpl",
        ),
        (vec!["labels", "--format", "zpl"], "required"),
        (
            vec!["labels", "--state", "draft", "--format", "a5"],
            "invalid value",
        ),
    ] {
        let mut args = args;
        args.extend(["--out", o]);
        let r = satchel(&db, &args);
        assert_eq!(r.status.code(), Some(2), "{args:?}: {}", text(&r.stderr));
        assert!(
            text(&r.stderr).contains(says),
            "{args:?}: {}",
            text(&r.stderr)
        );
    }
    assert!(!out.exists());
}

#[test]
fn print_refuses_a_file_of_the_wrong_kind() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let zpl = dir.path().join("l.zpl");
    std::fs::write(&zpl, "^XA^FDx^FS^XZ\n").unwrap();
    let pdf = dir.path().join("l.pdf");
    std::fs::write(&pdf, "%PDF-1.4\n").unwrap();
    let r = satchel(&db, &["print", "--printer", "PDF", zpl.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(2));
    assert!(text(&r.stderr).contains("not a PDF"), "{}", text(&r.stderr));
    let r = satchel(
        &db,
        &["print", "--zpl-to", "127.0.0.1:9", pdf.to_str().unwrap()],
    );
    assert_eq!(r.status.code(), Some(2));
    assert!(text(&r.stderr).contains("not ZPL"), "{}", text(&r.stderr));
}

#[test]
fn zpl_goes_byte_for_byte_to_a_network_printer_port() {
    let dir = tempfile::tempdir().unwrap();
    let (db, numbers, _) = database(dir.path());
    let out = dir.path().join("l.zpl");
    ok(
        &satchel(
            &db,
            &[
                "labels",
                "--shipments",
                "ORD-A",
                "--format",
                "zpl",
                "--permit",
                "PM1234",
                "--out",
                out.to_str().unwrap(),
            ],
        ),
        0,
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let printer = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut conn, &mut got).unwrap();
        got
    });
    let r = satchel(
        &db,
        &[
            "print",
            "--zpl-to",
            &addr.to_string(),
            "--timeout",
            "5",
            out.to_str().unwrap(),
        ],
    );
    let got = join_listener(addr, printer, r.status.success());
    let said = ok(&r, 0);
    assert!(said.starts_with("sent "), "{said}");
    assert_eq!(got, std::fs::read(&out).unwrap());
    assert!(text(&got).contains(&numbers[0]));
}

/// The bytes the listener thread read; when the command failed nothing may have connected, so
/// connect once to let the thread finish instead of hanging the test.
fn join_listener(
    addr: std::net::SocketAddr,
    thread: std::thread::JoinHandle<Vec<u8>>,
    succeeded: bool,
) -> Vec<u8> {
    if !succeeded {
        let _ = std::net::TcpStream::connect(addr);
    }
    thread.join().unwrap()
}

#[test]
fn labels_printed_to_the_cups_pdf_queue_come_out_as_a_pdf() {
    let work = print_services();
    let dir = tempfile::tempdir().unwrap();
    let (db, _, _) = database(dir.path());
    let printers = ok(&satchel(&db, &["--json", "printers"]), 0);
    let list: serde_json::Value = serde_json::from_str(&printers).unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "PDF" && p["device_uri"] == "cups-pdf:/"),
        "{printers}"
    );
    let table = ok(&satchel(&db, &["printers"]), 0);
    assert!(table.lines().any(|l| l.starts_with("PDF ")), "{table}");

    let labels = dir.path().join("labels.pdf");
    ok(
        &satchel(
            &db,
            &[
                "labels",
                "--state",
                "draft",
                "--format",
                "speedpost",
                "--permit",
                "PM1234",
                "--out",
                labels.to_str().unwrap(),
            ],
        ),
        0,
    );
    let began = Instant::now();
    let said = ok(
        &satchel(
            &db,
            &[
                "--json",
                "print",
                "--printer",
                "PDF",
                "--media",
                "iso_a4_210x297mm",
                "--timeout",
                "60",
                labels.to_str().unwrap(),
            ],
        ),
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&said).unwrap();
    assert_eq!(v["state"], "completed", "{said}");
    assert_eq!(v["printer"], "PDF");
    let job = v["job"].as_i64().expect("a job id");
    eprintln!("cups-pdf job {job} completed in {:?}", began.elapsed());

    let found = cups_pdf_output(&work, job);
    let info = tool("pdfinfo", "poppler-utils", &[found.to_str().unwrap()]);
    // Three labels on Speedpost sheets, two to a sheet.
    assert_eq!(page_count(&info), Some(2), "{info}");
    std::fs::remove_file(&found).ok();
}

#[test]
fn zpl_through_a_raw_cups_queue_arrives_byte_for_byte() {
    print_services();
    let dir = tempfile::tempdir().unwrap();
    let (db, _, _) = database(dir.path());
    let out = dir.path().join("l.zpl");
    ok(
        &satchel(
            &db,
            &[
                "labels",
                "--shipments",
                "ORD-B",
                "--format",
                "zpl",
                "--permit",
                "PM1234",
                "--out",
                out.to_str().unwrap(),
            ],
        ),
        0,
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let printer = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut conn, &mut got).unwrap();
        got
    });
    // A queue of its own on an ephemeral port, so parallel runs never share a listener.
    let queue = format!("SATCHEL_CLI_RAW_{}", addr.port());
    tool(
        "lpadmin",
        "cups-client",
        &["-p", &queue, "-E", "-v", &format!("socket://{addr}")],
    );
    let r = satchel(
        &db,
        &[
            "print",
            "--printer",
            &queue,
            "--raw",
            "--timeout",
            "60",
            out.to_str().unwrap(),
        ],
    );
    let got = join_listener(addr, printer, r.status.success());
    Command::new("lpadmin").args(["-x", &queue]).status().ok();
    let said = ok(&r, 0);
    assert!(said.contains("completed"), "{said}");
    assert_eq!(got, std::fs::read(&out).unwrap());
}

/// `satchel posting` assembles an iMail posting exactly as the app's posting panel does
/// (`satchel_workflows::posting`): bags one destination each, the default sender as the
/// merchant, and the chosen document as a PDF.
#[test]
fn an_imail_posting_statement_and_bag_labels_are_written_as_pdfs() {
    use satchel_store::{ContactInput, ContactKind};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("satchel.db");
    let mut db = Store::open(&path).unwrap();
    db.create_contact(ContactInput {
        kind: ContactKind::Sender,
        party: fx::little_shop(),
        notes: String::new(),
        tags: vec![],
        is_default: true,
    })
    .unwrap();
    // The smallest posting the rules allow: 20 items, 5 or more per destination, 2 kg or
    // more (R-138–R-140).
    let references: Vec<String> = (1..=20).map(|i| format!("IM-{i}")).collect();
    for (i, reference) in references.iter().enumerate() {
        let recipient = if i < 10 {
            fx::tokyo_recipient("Sato")
        } else {
            fx::taipei_recipient()
        };
        let mut s = Shipment {
            service: Service::Imail,
            reference: reference.clone(),
            ..shipment(reference, None)
        };
        s.parcel.weight_g = 150;
        let s = Shipment { recipient, ..s };
        db.create_shipment(
            &ShipmentDraft {
                shipment: s,
                recipient_id: None,
                sender_id: None,
            },
            &Assessment::default(),
        )
        .unwrap();
    }
    drop(db);

    // Three items are not a posting: the rules are named and nothing is written.
    let out = dir.path().join("statement.pdf");
    let args = [
        "posting",
        "--shipments",
        "IM-1,IM-2,IM-11",
        "--doc",
        "statement",
        "--permit",
        "PM 1234",
        "--out",
        out.to_str().unwrap(),
    ];
    let text = ok(&satchel(&path, &args), 1);
    assert!(text.contains("R-138") && text.contains("R-140"), "{text}");
    assert!(!out.exists());

    let all = references.join(",");
    let args = [
        "--json",
        "posting",
        "--shipments",
        all.as_str(),
        "--doc",
        "statement",
        "--permit",
        "PM 1234",
        "--date",
        "2026-12-07",
        "--out",
        out.to_str().unwrap(),
    ];
    let v: serde_json::Value = serde_json::from_str(ok(&satchel(&path, &args), 0).trim()).unwrap();
    // Japan and Taiwan: one bag per destination (R-148).
    assert_eq!(
        (v["items"].as_u64(), v["bags"].as_u64()),
        (Some(20), Some(2)),
        "{v}"
    );
    assert_eq!(v["date"], "2026-12-07");
    let info = tool("pdfinfo", "poppler-utils", &[out.to_str().unwrap()]);
    assert!(page_count(&info).is_some_and(|n| n >= 1), "{info}");
    let words = tool("pdftotext", "poppler-utils", &[out.to_str().unwrap(), "-"]);
    assert!(
        words.contains("PM 1234") || words.contains("TOTAL"),
        "{words}"
    );

    // An unknown order reference is named, and nothing is written.
    let missing = dir.path().join("none.pdf");
    let args = [
        "posting",
        "--shipments",
        "IM-99",
        "--doc",
        "bag-labels",
        "--out",
        missing.to_str().unwrap(),
    ];
    let text = ok(&satchel(&path, &args), 1);
    assert!(text.contains("IM-99"), "{text}");
    assert!(!missing.exists());
}

/// A shipment EC-Ship numbered is never drawn by Satchel: its stored label is written as it
/// came, next to the output file, and one not downloaded yet is named instead (R-036).
#[test]
fn ecship_numbered_shipments_get_ecship_s_own_label_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _, _) = database(dir.path());
    let mut db = Store::open(&path).unwrap();
    let rec = db
        .create_shipment(
            &ShipmentDraft {
                shipment: shipment("ORD-E", None),
                recipient_id: None,
                sender_id: None,
            },
            &Assessment::default(),
        )
        .unwrap();
    db.queue_submissions(std::slice::from_ref(&rec.id)).unwrap();
    let claim = db.claim_jobs(1, 60_000).unwrap().remove(0);
    let item = ItemNumber::from_parts("EE", 7_654_321, "HK").unwrap();
    let order = satchel_store::EcshipOrder {
        order_no: "ORD-1".into(),
        delivery_charge: None,
        insurance_fee: None,
        created_at: chrono::DateTime::UNIX_EPOCH,
    };
    db.finish_submission(&claim, &item, &order).unwrap();
    let out = dir.path().join("day.pdf");
    let args = [
        "labels",
        "--shipments",
        "ORD-E",
        "--format",
        "speedpost",
        "--out",
        out.to_str().unwrap(),
    ];
    // Not downloaded yet: named, nothing drawn in its place.
    drop(db);
    let r = satchel(&path, &args);
    assert!(!r.status.success());
    assert!(
        text(&r.stderr).contains(item.as_str()),
        "{}",
        text(&r.stderr)
    );
    assert!(!out.exists());

    let label = b"%PDF-1.4\n% EC-Ship's own label\n%%EOF\n".to_vec();
    Store::open(&path)
        .unwrap()
        .save_address_pack(&rec.id, &label)
        .unwrap();
    let said = ok(&satchel(&path, &args), 0);
    let written = dir.path().join(format!("day-{}.pdf", item.as_str()));
    assert!(said.contains(written.to_str().unwrap()), "{said}");
    assert_eq!(std::fs::read(&written).unwrap(), label, "byte for byte");
    assert!(!out.exists(), "no Satchel drawing for it");
}
