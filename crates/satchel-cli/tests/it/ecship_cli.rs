//! `satchel ecship setup | status`, `satchel submit`, `satchel track` and `satchel cancel` as a
//! merchant's script runs them: the real binary, a real database file, the real keychain
//! (run under `crates/satchel-keychain/tests/with-keyring.sh`, which gives a throwaway one),
//! and the EC-Ship SIMULATOR over loopback HTTP standing in for EC-Ship.
//!
//! Each test files its credentials under its own `$SATCHEL_PROFILE`, so tests running at the
//! same time never see each other's keys.
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use ecship_simulator::{Faults, SimConfig, SimHandle, Simulator};
use satchel_core::model::Shipment;
use satchel_fixtures as fx;
use satchel_store::{Assessment, ShipmentDraft, ShipmentState, Store};

const USER: &str = "shop-api";
const KEY: &str = "k3y-that-must-never-be-printed";

struct Env {
    _dir: tempfile::TempDir,
    db: PathBuf,
    profile: String,
}

impl Env {
    fn new(name: &str) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("satchel.db");
        Env {
            _dir: dir,
            db,
            profile: format!("{name}-{}", std::process::id()),
        }
    }

    /// Runs `satchel --db DB ARGS` with `stdin` piped in.
    fn run(&self, args: &[&str], stdin: &str) -> Output {
        crate::common::satchel(&self.db, &self.profile, args, stdin)
    }

    /// `satchel ecship setup` for the simulator, with its REST tracking API.
    fn setup(&self, sim: &SimHandle) {
        self.setup_with(sim, true)
    }

    fn setup_with(&self, sim: &SimHandle, rest_tracking: bool) {
        let base = sim.base_url();
        let tracking = sim.tracking_base_url();
        let mut args = vec![
            "ecship",
            "setup",
            "--base-url",
            &base,
            "--ecship-username",
            "shop",
            "--integrator-username",
            USER,
            "--search-type",
            "R",
            "--sort-order",
            "A",
            // The fixtures are Speedpost; these tests follow createOrder and cancelOrder.
            "--speedpost-route",
            "posting",
            "--accept-edi-notice",
        ];
        if rest_tracking {
            args.extend(["--tracking-base-url", &tracking]);
        }
        let out = self.run(&args, &format!("{KEY}\n"));
        let stdout = ok(&out, 0);
        assert!(stdout.contains("API key stored"), "{stdout}");
        assert_no_key(&out);
    }

    fn store(&self) -> Store {
        Store::open(&self.db).unwrap()
    }
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

fn assert_no_key(o: &Output) {
    assert!(
        !text(&o.stdout).contains(KEY) && !text(&o.stderr).contains(KEY),
        "the API key was printed"
    );
}

fn sim(faults: Faults) -> SimHandle {
    Simulator::start(SimConfig {
        accounts: vec![(USER.into(), KEY.into())],
        faults,
        ..SimConfig::default()
    })
    .unwrap()
}

fn shipment(n: usize) -> Shipment {
    fx::numbered_order(n, 300 + n as u32 * 10)
}

/// `n` shipments in the database, moved to `state`; returns their ids.
fn shipments(db: &Path, n: usize, state: ShipmentState) -> Vec<String> {
    let mut s = Store::open(db).unwrap();
    (0..n)
        .map(|i| {
            let draft = ShipmentDraft {
                shipment: shipment(i),
                recipient_id: None,
                sender_id: None,
            };
            let id = s
                .create_shipment(&draft, &Assessment::default())
                .unwrap()
                .id;
            if state != ShipmentState::Draft {
                s.set_shipment_state(&id, state).unwrap();
            }
            id
        })
        .collect()
}

/// The `numbered <id> <item>` lines, as (id, item) pairs, sorted.
fn numbered(stdout: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("numbered "))
        .map(|l| {
            let (id, item) = l.split_once(' ').expect("numbered <id> <item>");
            (id.to_owned(), item.to_owned())
        })
        .collect();
    v.sort();
    v
}

/// What the simulator holds, as (refNo, item number) pairs, sorted.
fn orders(sim: &SimHandle) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = sim
        .orders()
        .into_iter()
        .map(|o| (o.ref_no, o.item_no))
        .collect();
    v.sort();
    v
}

#[test]
fn setup_submit_track_and_cancel_against_the_simulator() {
    let sim = sim(Faults::default());
    let env = Env::new("happy");
    env.setup(&sim);

    // The key is in the keychain only: status says "stored" and the settings file lacks it.
    let out = env.run(&["ecship", "status"], "");
    let status = ok(&out, 0);
    assert_no_key(&out);
    assert!(status.contains("API key:              stored"), "{status}");
    assert!(status.contains(&sim.base_url()), "{status}");
    assert!(status.contains("Outbox: 0 open, 0 failed"), "{status}");
    let settings = std::fs::read_to_string(env.db.with_file_name("ecship-settings.json")).unwrap();
    assert!(!settings.contains(KEY) && !settings.contains(USER));

    let ready = shipments(&env.db, 2, ShipmentState::Ready);
    // A draft is not "ready" and stays behind.
    let mut s = env.store();
    let draft = s
        .create_shipment(
            &ShipmentDraft {
                shipment: shipment(9),
                recipient_id: None,
                sender_id: None,
            },
            &Assessment::default(),
        )
        .unwrap()
        .id;
    drop(s);

    let out = env.run(&["submit", "--all-ready"], "");
    let stdout = ok(&out, 0);
    assert_no_key(&out);
    for id in &ready {
        assert!(stdout.contains(&format!("queued {id}")), "{stdout}");
    }
    let got = numbered(&stdout);
    assert_eq!(got.len(), 2, "{stdout}");
    assert_eq!(
        got,
        orders(&sim),
        "each shipment got its own order's item number"
    );
    let s = env.store();
    for (id, item) in &got {
        let rec = s.shipment(id).unwrap().unwrap();
        assert_eq!(rec.state, ShipmentState::Numbered);
        assert_eq!(rec.draft.shipment.item_number.unwrap().as_str(), item);
    }
    assert_eq!(
        s.shipment(&draft).unwrap().unwrap().state,
        ShipmentState::Draft
    );
    drop(s);

    // Pressing it again buys nothing.
    let again = ok(&env.run(&["submit", "--all-ready"], ""), 0);
    assert!(again.contains("no shipments are ready"), "{again}");
    let again = ok(&env.run(&["submit", &ready[0]], ""), 1);
    assert!(again.contains(&format!("refused {}", ready[0])), "{again}");
    assert_eq!(sim.order_count(), 2);

    // Tracking through the REST API: a timeline per shipment, stored.
    let out = env.run(&["track", "--all"], "");
    let timeline = ok(&out, 0);
    for (id, item) in &got {
        assert!(timeline.contains(&format!("{id} {item}")), "{timeline}");
    }
    assert_eq!(
        timeline.matches("Item posted (ecship-simulator)").count(),
        2,
        "{timeline}"
    );
    assert_eq!(env.store().tracking(&got[0].0).unwrap().len(), 1);

    // Cancel one at EC-Ship.
    let cancelled = ok(&env.run(&["cancel", &got[1].0], ""), 0);
    assert!(
        cancelled.contains(&format!("cancelled {}", got[1].0)),
        "{cancelled}"
    );
    let o = sim
        .orders()
        .into_iter()
        .find(|o| o.ref_no == got[1].0)
        .unwrap();
    assert!(o.cancelled);
    assert_eq!(
        env.store().shipment(&got[1].0).unwrap().unwrap().state,
        ShipmentState::Cancelled
    );

    // Offline: the stored timeline, a note, exit 1.
    drop(sim);
    let out = env.run(&["track", &got[0].0], "");
    let offline = ok(&out, 1);
    assert!(
        offline.contains("Item posted (ecship-simulator)"),
        "{offline}"
    );
    assert!(offline.contains("could not be reached"), "{offline}");
}

#[test]
fn lost_replies_never_buy_a_second_label() {
    let sim = sim(Faults {
        drop_after_commit: 0.3,
        ..Faults::default()
    });
    let env = Env::new("lost");
    env.setup(&sim);
    let ids = shipments(&env.db, 4, ShipmentState::Ready);
    let mut args = vec!["submit", "--wait", "120"];
    args.extend(ids.iter().map(String::as_str));
    let out = env.run(&args, "");
    let stdout = ok(&out, 0);
    assert!(
        stdout.contains("will retry"),
        "some replies were dropped: {stdout}"
    );
    let got = numbered(&stdout);
    assert_eq!(
        got,
        orders(&sim),
        "exactly one order per shipment: {stdout}"
    );
    let refs: BTreeSet<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(refs, ids.iter().map(String::as_str).collect());
    assert!(sim.stats().dropped > 0);
}

#[test]
fn refusals_show_ecship_text_in_status_and_unsent_items_withdraw() {
    let sim = sim(Faults {
        error_status: 1.0,
        ..Faults::default()
    });
    let env = Env::new("refused");
    env.setup(&sim);
    let ids = shipments(&env.db, 2, ShipmentState::Ready);

    let out = env.run(&["submit", &ids[0]], "");
    let stdout = ok(&out, 1);
    assert!(stdout.contains(&format!("failed {}: ", ids[0])), "{stdout}");
    assert_eq!(sim.order_count(), 0);
    let status = ok(&env.run(&["ecship", "status"], ""), 0);
    assert!(status.contains("Outbox: 0 open, 1 failed"), "{status}");
    assert!(
        status.contains(&format!("failed    submit {}: ", ids[0])),
        "{status}"
    );
    // EC-Ship's own words reach the merchant (the simulator's injected-fault text).
    let line = status
        .lines()
        .find(|l| l.contains("failed    submit"))
        .unwrap();
    assert!(line.to_lowercase().contains("simulator"), "{line}");
    assert_eq!(
        env.store().shipment(&ids[0]).unwrap().unwrap().state,
        ShipmentState::Ready
    );

    // Queued without waiting, then taken back before anything was sent.
    let queued = ok(&env.run(&["submit", "--no-wait", "ORD-1"], ""), 0);
    assert!(queued.contains(&format!("queued {}", ids[1])), "{queued}");
    let status = ok(&env.run(&["ecship", "status"], ""), 0);
    assert!(status.contains("Outbox: 1 open"), "{status}");
    let withdrawn = ok(&env.run(&["cancel", "ORD-1"], ""), 0);
    assert!(
        withdrawn.contains(&format!("withdrawn {}", ids[1])),
        "{withdrawn}"
    );
    assert_eq!(
        env.store().shipment(&ids[1]).unwrap().unwrap().state,
        ShipmentState::Ready
    );
    assert_eq!(
        sim.stats().soap_requests,
        3,
        "EC-Ship's price asked for each (issue #16); only the first submission was sent"
    );
}

#[test]
fn not_set_up_is_a_usage_error_and_queues_nothing() {
    let env = Env::new("unset");
    let ids = shipments(&env.db, 1, ShipmentState::Ready);
    let out = env.run(&["submit", &ids[0]], "");
    ok(&out, 2);
    assert!(
        text(&out.stderr).contains("satchel ecship setup"),
        "{}",
        text(&out.stderr)
    );
    assert!(env.store().open_jobs().unwrap().is_empty());
    assert_eq!(
        env.store().shipment(&ids[0]).unwrap().unwrap().state,
        ShipmentState::Ready
    );
    let out = env.run(&["track", "--all"], "");
    ok(&out, 2);
    assert!(text(&out.stderr).contains("satchel ecship setup"));

    let status = ok(&env.run(&["ecship", "status"], ""), 0);
    assert!(status.contains("EC-Ship is not set up"), "{status}");
    assert!(status.contains("API key:              missing"), "{status}");

    // Setup with no key on stdin and none stored: the error names the API key.
    let out = env.run(
        &[
            "ecship",
            "setup",
            "--base-url",
            "https://service.hongkongpost.hk/API-trial/services",
            "--ecship-username",
            "shop",
            "--integrator-username",
            USER,
        ],
        "",
    );
    ok(&out, 2);
    assert!(
        text(&out.stderr).contains("API key"),
        "{}",
        text(&out.stderr)
    );
    // A bad address is refused by name before anything is stored.
    let out = env.run(
        &[
            "ecship",
            "setup",
            "--base-url",
            "ftp://example",
            "--integrator-username",
            USER,
        ],
        KEY,
    );
    ok(&out, 2);
    assert!(
        text(&out.stderr).contains("--base-url"),
        "{}",
        text(&out.stderr)
    );
    // An unknown shipment is named.
    let out = env.run(&["submit", "ORD-404"], "");
    ok(&out, 2);
    assert!(text(&out.stderr).contains("ORD-404"));
}

#[test]
fn without_a_rest_address_tracking_uses_get_tt_info_and_json_is_one_object_per_line() {
    let sim = sim(Faults::default());
    let env = Env::new("soap");
    env.setup_with(&sim, false);
    let status = ok(&env.run(&["ecship", "status"], ""), 0);
    assert!(status.contains("tracking uses getTTInfo"), "{status}");
    let ids = shipments(&env.db, 1, ShipmentState::Ready);
    // Satchel priced it at HK$1.00, which EC-Ship will not agree with.
    {
        let mut s = env.store();
        let rec = s.shipment(&ids[0]).unwrap().unwrap();
        let quote = satchel_store::StoredQuote {
            service: "speedpost".into(),
            amount: rust_decimal::Decimal::ONE,
            rates_as_of: chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            quoted_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap(),
        };
        s.update_shipment(
            &ids[0],
            &rec.draft,
            &Assessment {
                problems: vec![],
                quote: Some(quote),
            },
        )
        .unwrap();
    }
    let json_lines = |out: &Output, code| -> Vec<serde_json::Value> {
        ok(out, code)
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect()
    };

    // Issue #16: EC-Ship's price is asked first; where it differs nothing is bought unless
    // the merchant accepts it.
    let out = env.run(&["--json", "submit", "ORD-0"], "");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--accept-ecship-price"),
        "{}",
        text(&out.stderr)
    );
    let price = &text(&out.stdout);
    let price: serde_json::Value = serde_json::from_str(price.trim()).unwrap();
    assert_eq!(price["outcome"], "price");
    assert_eq!(price["satchel"], "1.00");
    assert_eq!(price["differs"], true);
    assert_eq!(
        sim.order_count(),
        0,
        "nothing bought at a price not accepted"
    );

    let out = env.run(&["--json", "submit", "--accept-ecship-price", "ORD-0"], "");
    let lines = json_lines(&out, 0);
    assert_eq!(lines[0]["outcome"], "price");
    assert_eq!(lines[1]["outcome"], "queued");
    assert_eq!(lines[2]["outcome"], "numbered");
    assert_eq!(lines[2]["shipment_id"], ids[0].as_str());
    assert_eq!(lines[2]["item_number"], sim.orders()[0].item_no.as_str());
    // The outbox keeps the price it was bought at.
    let job = env.store().jobs_for(&ids[0]).unwrap().pop().unwrap();
    assert_eq!(
        job.price_of_record.map(|p| p.to_string()).as_deref(),
        lines[0]["ecship"].as_str()
    );

    let timeline = ok(&env.run(&["track", "ORD-0"], ""), 0);
    assert!(
        timeline.contains(&format!("{} {}", ids[0], sim.orders()[0].item_no)),
        "{timeline}"
    );
    assert!(
        timeline.contains("Item posted (ecship-simulator)"),
        "{timeline}"
    );
    assert_eq!(
        sim.stats().rest_requests,
        0,
        "no REST address, no REST request"
    );
}

#[test]
fn offline_submissions_stay_queued_and_a_later_submit_finishes_them() {
    let first = sim(Faults::default());
    let env = Env::new("offline");
    env.setup(&first);
    drop(first);
    let ids = shipments(&env.db, 1, ShipmentState::Ready);

    let out = env.run(&["submit", "--wait", "2", "ORD-0"], "");
    let stdout = ok(&out, 1);
    assert!(
        stdout.contains(&format!("will retry {}", ids[0])),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("still waiting {}", ids[0])),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).contains("run `satchel submit` again"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(env.store().open_jobs().unwrap().len(), 1);
    assert_eq!(
        env.store().shipment(&ids[0]).unwrap().unwrap().state,
        ShipmentState::Submitted
    );

    // Back online (EC-Ship at a new address): `satchel submit` alone sends what is queued.
    let second = sim(Faults::default());
    env.setup(&second);
    let stdout = ok(&env.run(&["submit", "--wait", "90"], ""), 0);
    let got = numbered(&stdout);
    assert_eq!(got, orders(&second), "{stdout}");
    assert_eq!(got[0].0, ids[0]);
    assert!(env.store().open_jobs().unwrap().is_empty());
}

/// the first international submission waits for the EDI privacy notice to be
/// accepted; once accepted it is not asked again.
#[test]
fn the_edi_privacy_notice_is_accepted_once_before_the_first_international_submission() {
    let sim = sim(Faults::default());
    let env = Env::new("edi-notice");
    let base = sim.base_url();
    let args = [
        "ecship",
        "setup",
        "--base-url",
        &base,
        "--ecship-username",
        "shop",
        "--integrator-username",
        USER,
        "--search-type",
        "R",
        "--sort-order",
        "A",
    ];
    ok(&env.run(&args, &format!("{KEY}\n")), 0);
    let ids = shipments(&env.db, 2, ShipmentState::Ready);

    let out = env.run(&["submit", &ids[0]], "");
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("R-008") && said.contains("--accept-edi-notice"),
        "{said}"
    );
    assert_eq!(sim.order_count(), 0);
    assert_eq!(
        env.store().shipment(&ids[0]).unwrap().unwrap().state,
        ShipmentState::Ready,
        "nothing queued"
    );

    ok(&env.run(&["submit", "--accept-edi-notice", &ids[0]], ""), 0);
    ok(&env.run(&["submit", &ids[1]], ""), 0);
    assert_eq!(sim.order_count(), 2);
}

/// EC-Ship's Certificate of Posting comes from EC-Ship (getCOP), written as it came; items
/// without an EC-Ship number are named instead.
#[test]
fn the_official_certificate_of_posting_comes_from_ecship() {
    let sim = sim(Faults::default());
    let env = Env::new("certificate");
    env.setup(&sim);
    let ids = shipments(&env.db, 3, ShipmentState::Ready);
    ok(&env.run(&["submit", &ids[0], &ids[1]], ""), 0);
    let out = env.db.with_file_name("cop.pdf");
    let o = out.to_str().unwrap();
    let args = [
        "posting",
        "--shipments",
        &format!("{},{}", ids[0], ids[2]),
        "--doc",
        "ecship-certificate",
        "--permit",
        "PM 1234",
        "--out",
        o,
    ];
    let r = env.run(&args, "");
    assert!(!r.status.success());
    let said = String::from_utf8_lossy(&r.stderr).into_owned();
    assert!(said.contains("1 of the selected items"), "{said}");
    assert!(!out.exists());

    let both = format!("{},{}", ids[0], ids[1]);
    let args = [
        "posting",
        "--shipments",
        &both,
        "--doc",
        "ecship-certificate",
        "--permit",
        "PM 1234",
        "--out",
        o,
    ];
    let said = ok(&env.run(&args, ""), 0);
    assert!(said.contains("as EC-Ship made it"), "{said}");
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = String::from_utf8_lossy(&pdf);
    for order in sim.orders() {
        assert!(
            text.contains(&order.item_no),
            "{} on the certificate",
            order.item_no
        );
    }
    assert!(
        text.contains("Certificate of Posting"),
        "the simulator's certificate"
    );
}
