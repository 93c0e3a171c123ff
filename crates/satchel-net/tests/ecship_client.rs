//! The EC-Ship clients against the EC-Ship SIMULATOR over real loopback HTTP: item numbers,
//! `refNo` uniqueness and lookup, the address pack, cancel, how failures are classified, and
//! the REST tracking limits (domain.md §10.6) with a fake clock and with the real one.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use ecship_simulator::{Faults, SimConfig, SimHandle, Simulator};
use rust_decimal::Decimal;
use satchel_core::model::Shipment;
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use satchel_ecship::{Account, Codes, Identity, ReplyError, SpeedpostRoute};
use satchel_fixtures as fx;
use satchel_net::ecship::{ClientError, EcshipClient, Endpoints};
use satchel_net::tracking::{Clock, TrackingClient, TrackingConfig};
use uuid::Uuid;

const USER: &str = "shop-api";
const KEY: &str = "test-api-key";

fn sim(cfg: SimConfig) -> SimHandle {
    Simulator::start(SimConfig {
        accounts: vec![(USER.into(), KEY.into())],
        ..cfg
    })
    .unwrap()
}

fn client_with(sim: &SimHandle, key: &str, timeout: Duration) -> EcshipClient {
    client_codes(sim, key, timeout, SpeedpostRoute::Posting)
}

fn client_codes(
    sim: &SimHandle,
    key: &str,
    timeout: Duration,
    speedpost_route: SpeedpostRoute,
) -> EcshipClient {
    EcshipClient::new(
        Endpoints {
            base_url: sim.base_url(),
            tracking_base_url: sim.tracking_base_url(),
        },
        Account {
            ecship_username: "shop".into(),
            integrator_username: USER.into(),
            api_key: key.into(),
            identity: Identity::EcshipUsername,
            ..Account::default()
        },
        Codes {
            search_type_ref_no: Some("R".into()),
            sort_order: Some("A".into()),
            speedpost_route,
            ..Codes::default()
        },
        timeout,
    )
    .unwrap()
}

fn client(sim: &SimHandle) -> EcshipClient {
    client_with(sim, KEY, Duration::from_secs(20))
}

fn shipment() -> Shipment {
    fx::toy_car_sale("陳大文 <Tom & Jerry>")
}

#[tokio::test]
async fn create_find_pack_cancel() {
    let sim = sim(SimConfig::default());
    let c = client(&sim);
    let id = Uuid::now_v7();
    let first = c.create_order(id, &shipment()).await.unwrap();
    ItemNumber::parse(first.item_no.as_str()).expect("a valid S10 number");

    // The same shipment id again: EC-Ship refuses; nothing new is bought.
    let again = c.create_order(id, &shipment()).await.unwrap_err();
    assert!(!again.outcome_unknown());
    assert!(
        matches!(&again, ClientError::Reply(ReplyError::Status { message, .. }) if message.contains("refNo already used")),
        "{again}"
    );
    assert_eq!(sim.order_count(), 1);

    let found = c.find_by_ref(id).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].item_no, first.item_no);
    assert!(c.find_by_ref(Uuid::now_v7()).await.unwrap().is_empty());

    let pdf = c
        .address_pack(std::slice::from_ref(&first.item_no))
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    let events = c.mtt_info(&first.item_no).await.unwrap();
    assert_eq!(events[0].code, "0");
    assert!(!c.tt_info(&first.item_no).await.unwrap().is_empty());
    assert!(c.total_postage(&shipment()).await.unwrap().total_postage > Decimal::ZERO);

    c.cancel_order(&first.item_no, &first.order_no)
        .await
        .unwrap();
    assert!(sim.orders()[0].cancelled);
    let pack = c
        .address_pack(std::slice::from_ref(&first.item_no))
        .await
        .unwrap_err();
    assert!(matches!(
        pack,
        ClientError::Reply(ReplyError::Status { .. })
    ));
}

#[tokio::test]
async fn temporary_order_is_recorded_as_such() {
    let sim = sim(SimConfig::default());
    let o = client(&sim)
        .create_temporary_order(Uuid::now_v7(), &shipment())
        .await
        .unwrap();
    let orders = sim.orders();
    assert_eq!(orders.len(), 1);
    assert!(orders[0].temporary);
    assert_eq!(orders[0].item_no, o.item_no.as_str());
}

#[tokio::test]
async fn lost_reply_is_outcome_unknown_and_the_order_can_be_found() {
    let sim = sim(SimConfig {
        faults: Faults {
            drop_after_commit: 1.0,
            ..Faults::default()
        },
        ..SimConfig::default()
    });
    let c = client(&sim);
    let id = Uuid::now_v7();
    let e = c.create_order(id, &shipment()).await.unwrap_err();
    assert!(matches!(e, ClientError::Transport(_)), "{e}");
    assert!(e.outcome_unknown());
    sim.set_faults(Faults::default());
    let found = c.find_by_ref(id).await.unwrap();
    assert_eq!(
        found.len(),
        1,
        "the order was committed before the reply was lost"
    );
    assert_eq!(sim.order_count(), 1);
}

#[tokio::test]
async fn hang_past_the_timeout_is_outcome_unknown() {
    let sim = sim(SimConfig {
        faults: Faults {
            hang: 1.0,
            hang_ms: 10_000,
            ..Faults::default()
        },
        ..SimConfig::default()
    });
    let c = client_with(&sim, KEY, Duration::from_millis(300));
    let e = c
        .create_order(Uuid::now_v7(), &shipment())
        .await
        .unwrap_err();
    assert!(e.outcome_unknown(), "{e}");
    assert!(e.to_string().contains("timed out"), "{e}");
    assert_eq!(sim.order_count(), 1);
}

#[tokio::test]
async fn wrong_key_is_a_fault_not_unknown() {
    let sim = sim(SimConfig::default());
    let e = client_with(&sim, "not-the-key", Duration::from_secs(20))
        .create_order(Uuid::now_v7(), &shipment())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ClientError::Reply(ReplyError::Fault { message, .. }) if message.contains("digest")),
        "{e}"
    );
    assert!(!e.outcome_unknown());
    assert_eq!(sim.order_count(), 0);
}

#[tokio::test]
async fn unmappable_shipment_never_reaches_the_wire() {
    let sim = sim(SimConfig::default());
    let mut s = shipment();
    s.service = Service::Imail; // no public shipCode and none configured
    let e = client(&sim)
        .create_order(Uuid::now_v7(), &s)
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Mapping(_)));
    assert_eq!(sim.stats().soap_requests, 0);
}

#[tokio::test]
async fn nothing_listening_is_outcome_unknown() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let c = EcshipClient::new(
        Endpoints {
            base_url: format!("http://{addr}/services"),
            tracking_base_url: String::new(),
        },
        Account::default(),
        Codes::default(),
        Duration::from_secs(5),
    )
    .unwrap();
    let e = c
        .cancel_order(&ItemNumber::parse("RR123456785HK").unwrap(), "1")
        .await
        .unwrap_err();
    assert!(e.outcome_unknown(), "{e}");
}

/// A clock that only moves when the client sleeps.
#[derive(Debug, Default)]
struct FakeClock {
    now: AtomicU64,
}

impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }

    fn sleep(&self, ms: u64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        self.now.fetch_add(ms, Ordering::SeqCst);
        Box::pin(std::future::ready(()))
    }
}

fn numbers(n: u32) -> Vec<ItemNumber> {
    (1..=n)
        .map(|i| ItemNumber::from_parts("RR", 20_000_000 + i, "HK").unwrap())
        .collect()
}

#[tokio::test]
async fn fake_clock_thirty_batches_are_spaced_100_ms() {
    // The simulator's own limit is off: the fake clock runs faster than real time, and what
    // is under test is the client's schedule.
    let sim = sim(SimConfig {
        min_interval: Duration::ZERO,
        ..SimConfig::default()
    });
    let mut cfg = TrackingConfig::new(sim.tracking_base_url());
    cfg.batch = 2;
    let t = TrackingClient::with_clock(cfg, USER, KEY, FakeClock::default()).unwrap();
    let got = t.track(&numbers(60)).await.unwrap();
    assert_eq!(got.len(), 60);
    let sends = t.send_times();
    assert_eq!(sends.len(), 31, "one authenticate and 30 batches");
    for w in sends.windows(2) {
        assert!(w[1] - w[0] >= 100, "{w:?}");
    }
    assert_eq!(sim.stats().tokens_issued, 1);
}

#[tokio::test]
async fn real_clock_never_hits_the_simulators_limit() {
    let sim = sim(SimConfig::default());
    let o = client(&sim)
        .create_order(Uuid::now_v7(), &shipment())
        .await
        .unwrap();
    let mut items = numbers(9);
    items.push(o.item_no.clone());
    let mut cfg = TrackingConfig::new(sim.tracking_base_url());
    cfg.batch = 2;
    let t = TrackingClient::new(cfg, USER, KEY).unwrap();
    let got = t.track(&items).await.unwrap();
    assert_eq!(got.len(), 10);
    let mine = got
        .iter()
        .find(|i| i.item_no == o.item_no.as_str())
        .unwrap();
    assert_eq!(mine.events[0].code, "0");
    assert_eq!(sim.stats().rate_limited, 0);
    assert_eq!(sim.stats().rest_requests, 6);
}

#[tokio::test]
async fn token_renewed_after_expiry() {
    let sim = sim(SimConfig {
        token_lifetime: Duration::from_secs(1),
        ..SimConfig::default()
    });
    let t = TrackingClient::new(TrackingConfig::new(sim.tracking_base_url()), USER, KEY).unwrap();
    t.track(&numbers(3)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    t.track(&numbers(3)).await.unwrap();
    let s = sim.stats();
    assert_eq!(s.tokens_issued, 2);
    assert_eq!(s.unauthorized, 0, "renewed before the server refused it");
    assert_eq!(s.rate_limited, 0);
}

#[tokio::test]
async fn wrong_key_for_tracking_is_unauthorized() {
    let sim = sim(SimConfig::default());
    let t =
        TrackingClient::new(TrackingConfig::new(sim.tracking_base_url()), USER, "nope").unwrap();
    assert!(matches!(
        t.track(&numbers(1)).await,
        Err(satchel_net::tracking::TrackingError::Unauthorized)
    ));
}

#[tokio::test]
async fn speedpost_goes_through_soaz_posting_and_its_label_is_the_cop_field() {
    let sim = sim(SimConfig::default());
    let c = client_codes(&sim, KEY, Duration::from_secs(20), SpeedpostRoute::Soaz);
    let s = shipment();
    assert_eq!(s.service, Service::Speedpost);
    let id = Uuid::now_v7();
    let made = c.create_order(id, &s).await.unwrap();
    assert!(made.order_no.is_empty(), "createSoazOrder has no orderNo");
    let orders = sim.orders();
    assert_eq!(orders[0].ship_code, "SOAZ:SPGDE");
    assert_eq!(orders[0].ref_no, id.to_string());
    let today = orders[0].created_on;
    let pdf = c.label(&s, &made.item_no, today).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // A wrong creation date is EC-Ship's refusal, not a transport failure.
    let e = c
        .label(&s, &made.item_no, today.pred_opt().unwrap())
        .await
        .unwrap_err();
    assert!(!e.outcome_unknown(), "{e}");
}
