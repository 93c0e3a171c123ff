//! **ecship-simulator**: a local SIMULATOR of Hongkong Post's EC-Ship API, for tests and
//! demos. It never ships in the app.
//!
//! Why it exists: the real EC-Ship cannot be reached from development or CI machines, yet the
//! submission path (issue #7) must be shown never to buy two labels for one parcel when
//! responses are lost. This server implements the public contract of domain.md §10 as the
//! public client code describes it — SOAP 1.1 on `{base}/Posting`, `{base}/Calculator`,
//! `{base}/Tracking` and `{base}/SoazPosting` (Speedpost), the WS-Security PasswordDigest (§10.3, checked with an independent SHA-1
//! implementation), `refNo` uniqueness, UPU S10 item numbers, and the 2024 REST tracking API
//! (§10.6) with its token lifetime and 100 ms rate limit. Where §13 says the real behaviour is
//! unknown (error codes, getItemNo's reply shape, tracking fields) it does what
//! `satchel_ecship::mapping::reply` guesses: **agreement with this simulator proves nothing
//! about the real service.** Every response carries `Server: ecship-simulator`.
//!
//! Simulator status codes (its own; EC-Ship's list is unknown, §13): `0` success, `1` a
//! missing or invalid field, `2` `refNo` already used, `3` not found, `4` already cancelled,
//! `99` an injected fault.
//!
//! Item numbers are `ZZ` + 8-digit serial + S10 check digit + `HK`: the `ZZ` service
//! indicator marks them as simulator numbers at a glance.
//!
//! Faults ([`Faults`]) are switchable at runtime through [`SimHandle::set_faults`] or
//! `POST /__simulator/faults`; they are drawn from a seeded RNG, so a run is reproducible.

mod auth;
mod pdf;
mod rest;
mod soap;

pub use auth::password_digest;

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderValue, Request};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDateTime, Utc};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::SeedableRng;
use satchel_core::s10::ItemNumber;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;
use tower::ServiceExt as _;

/// How the simulator is set up. `accounts` are `(integrator_username, api_key)` pairs.
#[derive(Clone)]
pub struct SimConfig {
    pub accounts: Vec<(String, String)>,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// REST tracking token lifetime (§10.6: 15 minutes).
    pub token_lifetime: Duration,
    /// REST tracking: minimum gap between two requests with one token (§10.6: 100 ms).
    pub min_interval: Duration,
    /// Accepted distance of `wsu:Created` from the simulator's clock.
    pub max_skew: Duration,
    /// The simulator's wall clock for `wsu:Created`; `None` is the system clock. A test
    /// replaying the §10.3 known-answer token (created 2024-01-01) sets it.
    pub fixed_now: Option<DateTime<Utc>>,
    /// Time between scripted tracking events of an item.
    pub tracking_step: Duration,
    /// Seed of the fault RNG.
    pub seed: u64,
    pub faults: Faults,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field(
                "accounts",
                &self.accounts.iter().map(|a| &a.0).collect::<Vec<_>>(),
            )
            .field("port", &self.port)
            .field("token_lifetime", &self.token_lifetime)
            .field("seed", &self.seed)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            accounts: Vec::new(),
            port: 0,
            token_lifetime: Duration::from_secs(15 * 60),
            min_interval: Duration::from_millis(100),
            max_skew: Duration::from_secs(5 * 60),
            fixed_now: None,
            tracking_step: Duration::from_secs(60),
            seed: 7,
            faults: Faults::default(),
        }
    }
}

/// Injected faults; probabilities in `0.0..=1.0`, applied to every SOAP request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Do the work (commit the order), then close the connection without a reply.
    pub drop_after_commit: f64,
    /// Do the work, then hold the reply for `hang_ms` (past any sane client timeout).
    pub hang: f64,
    /// 0 means one minute.
    pub hang_ms: u64,
    /// Refuse with status `99` before doing anything.
    pub error_status: f64,
    /// Added to every request (SOAP and REST) before it is handled.
    pub latency_ms: u64,
    /// Take a second order with a `refNo` already used instead of refusing it: whether the
    /// real EC-Ship refuses repeats is unknown (issue #17), so Satchel must not rely on it.
    pub accept_duplicate_ref: bool,
}

/// One order as the simulator's inspection API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub account: String,
    /// `shipCode` as sent, or `SOAZ:<service>` for a createSoazOrder.
    pub ship_code: String,
    pub country: String,
    /// The Hong Kong day the order was made (getSoazAddressPack's `createDate`).
    pub created_on: chrono::NaiveDate,
    pub ref_no: String,
    pub item_no: String,
    pub order_no: String,
    pub temporary: bool,
    pub cancelled: bool,
}

/// Counters of what the simulator did to its clients.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub soap_requests: u64,
    pub auth_failures: u64,
    pub dropped: u64,
    pub hung: u64,
    pub injected_errors: u64,
    pub rest_requests: u64,
    pub rate_limited: u64,
    pub unauthorized: u64,
    pub tokens_issued: u64,
}

#[derive(Debug, Clone)]
struct Order {
    account: String,
    ship_code: String,
    country: String,
    ref_no: String,
    item_no: ItemNumber,
    order_no: String,
    temporary: bool,
    cancelled: bool,
    created: Instant,
    created_at: NaiveDateTime,
}

impl Order {
    fn view(&self) -> OrderView {
        OrderView {
            account: self.account.clone(),
            ship_code: self.ship_code.clone(),
            country: self.country.clone(),
            created_on: self.created_at.date(),
            ref_no: self.ref_no.clone(),
            item_no: self.item_no.as_str().to_owned(),
            order_no: self.order_no.clone(),
            temporary: self.temporary,
            cancelled: self.cancelled,
        }
    }
}

#[derive(Debug)]
struct RestToken {
    expires: Instant,
    last: Option<Instant>,
}

#[derive(Debug)]
struct Inner {
    faults: Faults,
    rng: StdRng,
    orders: Vec<Order>,
    nonces: HashSet<(String, String)>,
    next_serial: u32,
    tokens: HashMap<String, RestToken>,
    stats: Stats,
}

#[derive(Debug)]
struct Shared {
    cfg_accounts: HashMap<String, String>,
    token_lifetime: Duration,
    min_interval: Duration,
    max_skew: Duration,
    fixed_now: Option<DateTime<Utc>>,
    tracking_step: Duration,
    seed: u64,
    inner: Mutex<Inner>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panicking handler must not take the simulator down with it.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[allow(clippy::disallowed_methods)] // the simulator's clock, fixable by tests
    fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }

    fn fresh_inner(faults: Faults, seed: u64) -> Inner {
        Inner {
            faults,
            rng: StdRng::seed_from_u64(seed),
            orders: Vec::new(),
            nonces: HashSet::new(),
            next_serial: 10_000_001,
            tokens: HashMap::new(),
            stats: Stats::default(),
        }
    }
}

type AppState = Arc<Shared>;

/// Closes the request's connection without a reply (the "dropped after commit" fault).
#[derive(Clone, Debug)]
struct Killer(Arc<Notify>);

/// Entry point: [`Simulator::start`].
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// Binds 127.0.0.1:`cfg.port` and serves on a thread with its own runtime, so blocking
    /// and async tests can both use it. Stopped when the handle is dropped.
    pub fn start(cfg: SimConfig) -> std::io::Result<SimHandle> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", cfg.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = shared(cfg);
        let stop = Arc::new(Notify::new());
        let (s2, stop2) = (shared.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("ecship-simulator".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("simulator runtime");
                rt.block_on(async move {
                    let l = tokio::net::TcpListener::from_std(listener).expect("listener");
                    serve(l, s2, stop2).await;
                });
            })?;
        Ok(SimHandle {
            addr,
            shared,
            stop,
            thread: Some(thread),
        })
    }
}

fn shared(cfg: SimConfig) -> AppState {
    Arc::new(Shared {
        cfg_accounts: cfg.accounts.into_iter().collect(),
        token_lifetime: cfg.token_lifetime,
        min_interval: cfg.min_interval,
        max_skew: cfg.max_skew,
        fixed_now: cfg.fixed_now,
        tracking_step: cfg.tracking_step,
        seed: cfg.seed,
        inner: Mutex::new(Shared::fresh_inner(cfg.faults, cfg.seed)),
    })
}

/// A running simulator. Dropping it stops the server.
#[derive(Debug)]
pub struct SimHandle {
    addr: SocketAddr,
    shared: AppState,
    stop: Arc<Notify>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The SOAP base: `{base}/Posting`, `{base}/Calculator`, `{base}/Tracking`.
    pub fn base_url(&self) -> String {
        format!("http://{}/API-sim/services", self.addr)
    }

    /// The REST tracking base: `{base}/api/authenticate`, `{base}/api/version/1/mailTracking`.
    pub fn tracking_base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().faults = faults;
    }

    pub fn faults(&self) -> Faults {
        self.shared.lock().faults.clone()
    }

    pub fn orders(&self) -> Vec<OrderView> {
        self.shared.lock().orders.iter().map(Order::view).collect()
    }

    pub fn order_count(&self) -> usize {
        self.shared.lock().orders.len()
    }

    pub fn stats(&self) -> Stats {
        self.shared.lock().stats.clone()
    }

    /// Forgets orders, nonces, tokens and counters; keeps the faults; reseeds the RNG.
    pub fn reset(&self) {
        reset(&self.shared);
    }
}

fn reset(s: &Shared) {
    let mut g = s.lock();
    let faults = g.faults.clone();
    *g = Shared::fresh_inner(faults, s.seed);
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/API-sim/services/{service}", post(soap::handle))
        .route(
            satchel_ecship::rest::AUTHENTICATE_PATH,
            post(rest::authenticate),
        )
        .route(
            satchel_ecship::rest::MAIL_TRACKING_PATH,
            post(rest::mail_tracking),
        )
        .route("/__simulator/orders", get(ctl_orders))
        .route("/__simulator/count", get(ctl_count))
        .route("/__simulator/stats", get(ctl_stats))
        .route("/__simulator/reset", post(ctl_reset))
        .route(
            "/__simulator/faults",
            get(ctl_get_faults).post(ctl_set_faults),
        )
        .with_state(state)
}

async fn ctl_orders(State(s): State<AppState>) -> Json<Vec<OrderView>> {
    Json(s.lock().orders.iter().map(Order::view).collect())
}

async fn ctl_count(State(s): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "orders": s.lock().orders.len() }))
}

async fn ctl_stats(State(s): State<AppState>) -> Json<Stats> {
    Json(s.lock().stats.clone())
}

async fn ctl_reset(State(s): State<AppState>) -> &'static str {
    reset(&s);
    "reset\n"
}

async fn ctl_get_faults(State(s): State<AppState>) -> Json<Faults> {
    Json(s.lock().faults.clone())
}

async fn ctl_set_faults(State(s): State<AppState>, Json(f): Json<Faults>) -> Json<Faults> {
    s.lock().faults = f.clone();
    Json(f)
}

/// Serves until `stop` is notified. Each connection gets a [`Killer`] so a handler can drop
/// it without a reply, which `axum::serve` cannot do.
async fn serve(listener: tokio::net::TcpListener, state: AppState, stop: Arc<Notify>) {
    let app = router(state);
    loop {
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(_) => continue,
            },
            _ = stop.notified() => break,
        };
        let app = app.clone();
        tokio::spawn(async move {
            let kill = Arc::new(Notify::new());
            let k = kill.clone();
            let svc = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(Killer(k.clone()));
                let app = app.clone();
                async move {
                    let mut resp = app.oneshot(req).await?;
                    resp.headers_mut().insert(
                        axum::http::header::SERVER,
                        HeaderValue::from_static("ecship-simulator"),
                    );
                    Ok::<_, Infallible>(resp)
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
            }
        });
    }
}

/// For the binary: serve on an already-bound listener until the process ends.
pub async fn run(listener: tokio::net::TcpListener, cfg: SimConfig) {
    serve(listener, shared(cfg), Arc::new(Notify::new())).await;
}
