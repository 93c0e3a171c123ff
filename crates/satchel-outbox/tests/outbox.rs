//! The outbox against the EC-Ship SIMULATOR over real loopback HTTP, with a real SQLite file
//! (issue #7 acceptance): answers lost after the order was made, hung replies, workers that
//! die mid-request and refusals — and never two orders for one parcel.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use ecship_simulator::{Faults, SimConfig, SimHandle, Simulator};
use satchel_ecship::{Account, Codes, Identity};
use satchel_fixtures as fx;
use satchel_net::ecship::{EcshipClient, Endpoints};
use satchel_outbox::{self as outbox, Outcome, Policy};
use satchel_store::{Assessment, ErrorKind, JobState, ShipmentDraft, ShipmentState, Store};

const USER: &str = "satchel-test";
const KEY: &str = "outbox-api-key";

fn simulator(seed: u64, faults: Faults) -> SimHandle {
    Simulator::start(SimConfig {
        accounts: vec![(USER.into(), KEY.into())],
        seed,
        faults,
        ..SimConfig::default()
    })
    .expect("the EC-Ship simulator starts")
}

fn client(sim: &SimHandle, timeout: Duration) -> EcshipClient {
    EcshipClient::new(
        Endpoints {
            base_url: sim.base_url(),
            tracking_base_url: sim.tracking_base_url(),
        },
        Account {
            ecship_username: "shop-portal".into(),
            hkp_id: String::new(),
            integrator_username: USER.into(),
            api_key: KEY.into(),
            identity: Identity::EcshipUsername,
        },
        Codes {
            search_type_ref_no: Some("R".into()),
            sort_order: Some("A".into()),
            ..Codes::default()
        },
        timeout,
    )
    .unwrap()
}

/// Fast retries, and a lease well past the client's timeout so no job is raced.
fn policy() -> Policy {
    Policy {
        lease: Duration::from_secs(10),
        batch: 25,
        backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(40),
        fetch_address_pack: false,
    }
}

fn shipment(n: usize) -> ShipmentDraft {
    ShipmentDraft {
        shipment: fx::numbered_order(n, 300 + (n as u32 % 50) * 10),
        recipient_id: None,
        sender_id: None,
    }
}

fn store_with(dir: &tempfile::TempDir, n: usize) -> (Mutex<Store>, Vec<String>) {
    let mut store = Store::open(dir.path().join("satchel.db")).unwrap();
    let ids = (0..n)
        .map(|i| {
            store
                .create_shipment(&shipment(i), &Assessment::default())
                .unwrap()
                .id
        })
        .collect::<Vec<_>>();
    store.queue_submissions(&ids).unwrap();
    (Mutex::new(store), ids)
}

/// Every shipment is numbered with exactly the item number of its one order in the simulator.
fn assert_one_order_each(store: &Mutex<Store>, sim: &SimHandle, ids: &[String]) {
    let orders = sim.orders();
    let mut by_ref: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for o in &orders {
        by_ref.entry(&o.ref_no).or_default().push(&o.item_no);
    }
    let dupes: Vec<_> = by_ref.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(
        dupes.is_empty(),
        "refNos with more than one order: {dupes:?}"
    );
    assert_eq!(orders.len(), ids.len(), "one order per shipment, no more");
    let items: BTreeSet<&str> = orders.iter().map(|o| o.item_no.as_str()).collect();
    assert_eq!(items.len(), ids.len(), "item numbers are unique");

    let s = store.lock().unwrap();
    for id in ids {
        let rec = s.shipment(id).unwrap().unwrap();
        assert_eq!(rec.state, ShipmentState::Numbered, "{id}");
        let item = rec.draft.shipment.item_number.expect("an item number");
        assert_eq!(by_ref[id.as_str()], vec![item.as_str()], "{id}");
    }
    assert!(s.open_jobs().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_submissions_with_lost_answers_make_exactly_two_hundred_orders() {
    let sim = simulator(
        2026,
        Faults {
            drop_after_commit: 0.3,
            hang: 0.03,
            hang_ms: 3_000,
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = store_with(&dir, 200);
    let client = client(&sim, Duration::from_millis(800));

    let mut outcomes = Vec::new();
    outbox::drain(&store, &client, &policy(), Duration::from_secs(60), |o| {
        outcomes.push(o.clone())
    })
    .await
    .unwrap();

    let stats = sim.stats();
    assert!(stats.dropped >= 20, "the faults really happened: {stats:?}");
    let retried = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::WillRetry { .. }))
        .count();
    let found = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Numbered { found: true, .. }))
        .count();
    assert!(
        retried > 0 && found > 0,
        "{retried} retries, {found} found by refNo"
    );
    assert_one_order_each(&store, &sim, &ids);
}

/// Issue #17: with EC-Ship taking repeated `refNo`s (as the real one might), two workers on one
/// database (the app and `satchel submit`) working through lost and hung answers still make
/// exactly one order per shipment: every retry after an unknown outcome, by either worker, looks
/// the order up first (without that this test finds duplicates). That a taken-over claim never
/// sends is shown where it is decided, in the store's `a_stale_claim_is_fenced_off_before_it_can_send`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_on_one_database_make_one_order_each_even_when_ecship_takes_repeats() {
    let sim = simulator(
        17,
        Faults {
            drop_after_commit: 0.2,
            hang: 0.25,
            hang_ms: 2_000,
            accept_duplicate_ref: true,
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = store_with(&dir, 60);
    let client = client(&sim, Duration::from_millis(800));
    // The lease outlasts one request (the fence renews it before each), as `Policy` requires.
    let policy = Policy {
        lease: Duration::from_millis(1_200),
        batch: 3,
        ..policy()
    };
    let worker = || outbox::drain(&store, &client, &policy, Duration::from_secs(60), |_| {});
    let (a, b) = tokio::join!(worker(), worker());
    a.unwrap();
    b.unwrap();
    let stats = sim.stats();
    // Dropped answers happen at 20% of some 80 requests: that none happened would be a
    // broken simulator, not bad luck (0.8^80 ≈ 2e-8).
    assert!(stats.dropped > 0, "the faults really happened: {stats:?}");
    assert_one_order_each(&store, &sim, &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_died_after_sending_does_not_buy_a_second_label() {
    let sim = simulator(1, Faults::default());
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = store_with(&dir, 1);
    let client = client(&sim, Duration::from_secs(5));

    // A worker claims the job, EC-Ship makes the order, and the worker dies before it can
    // record the answer.
    let claim = store.lock().unwrap().claim_jobs(1, 300).unwrap().remove(0);
    let id = uuid::Uuid::parse_str(&claim.shipment.id).unwrap();
    client
        .create_order(id, &claim.shipment.draft.shipment)
        .await
        .unwrap();
    assert_eq!(sim.order_count(), 1);

    // After the lease runs out the next worker looks the order up instead of creating it.
    tokio::time::sleep(Duration::from_millis(350)).await;
    let mut outcomes = Vec::new();
    outbox::drain(&store, &client, &policy(), Duration::from_secs(10), |o| {
        outcomes.push(o.clone())
    })
    .await
    .unwrap();
    assert!(
        matches!(&outcomes[..], [Outcome::Numbered { found: true, .. }]),
        "{outcomes:?}"
    );
    assert_one_order_each(&store, &sim, &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_shows_ecship_s_words_and_a_retry_after_it_makes_one_order() {
    let sim = simulator(
        3,
        Faults {
            error_status: 1.0,
            ..Faults::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = store_with(&dir, 1);
    let client = client(&sim, Duration::from_secs(5));
    outbox::drain(&store, &client, &policy(), Duration::from_secs(10), |_| {})
        .await
        .unwrap();
    {
        let s = store.lock().unwrap();
        let job = s.jobs_for(&ids[0]).unwrap().pop().unwrap();
        assert_eq!(job.state, JobState::Failed);
        assert_eq!(job.error_kind, Some(ErrorKind::Ecship));
        let text = job.last_error.unwrap();
        assert!(text.contains("status 99"), "EC-Ship's own words: {text}");
        assert_eq!(
            s.shipment(&ids[0]).unwrap().unwrap().state,
            ShipmentState::Ready,
            "back to ready, so the merchant can fix and resend"
        );
    }
    assert_eq!(sim.order_count(), 0);

    // The merchant presses "Retry": EC-Ship's "no" made no order, so it is created once.
    sim.set_faults(Faults::default());
    store.lock().unwrap().queue_submissions(&ids).unwrap();
    outbox::drain(&store, &client, &policy(), Duration::from_secs(10), |_| {})
        .await
        .unwrap();
    assert_one_order_each(&store, &sim, &ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_jobs_wait_and_go_when_ecship_answers_again() {
    // Nothing listens on this port: the merchant is offline.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = store_with(&dir, 3);
    let offline = EcshipClient::new(
        Endpoints {
            base_url: format!("http://127.0.0.1:{port}/API-trial/services"),
            tracking_base_url: String::new(),
        },
        Account {
            integrator_username: USER.into(),
            api_key: KEY.into(),
            ..Account::default()
        },
        Codes {
            search_type_ref_no: Some("R".into()),
            sort_order: Some("A".into()),
            ..Codes::default()
        },
        Duration::from_millis(300),
    )
    .unwrap();
    let outcomes = outbox::run_due(&store, &offline, &policy()).await.unwrap();
    assert_eq!(outcomes.len(), 3);
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, Outcome::WillRetry { .. })));
    {
        let s = store.lock().unwrap();
        assert_eq!(
            s.open_jobs().unwrap().len(),
            3,
            "nothing failed, nothing lost"
        );
        let job = s.jobs_for(&ids[0]).unwrap().pop().unwrap();
        assert_eq!(job.error_kind, Some(ErrorKind::Transport));
    }

    // Back online (the app restarts onto the same file): the jobs complete.
    let sim = simulator(4, Faults::default());
    let store = {
        drop(store);
        Mutex::new(Store::open(dir.path().join("satchel.db")).unwrap())
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    outbox::drain(
        &store,
        &client(&sim, Duration::from_secs(5)),
        &policy(),
        Duration::from_secs(10),
        |_| {},
    )
    .await
    .unwrap();
    assert_one_order_each(&store, &sim, &ids);
}
