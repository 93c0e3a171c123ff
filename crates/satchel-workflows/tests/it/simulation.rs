//! Issue #17: a deterministic simulation of the whole submission system, to show that no
//! interleaving of workers, devices, clocks and faults buys a second label or loses a record.
//!
//! One world per seed: two devices (a laptop running the app and `satchel submit` on one
//! database, a phone running the app) linked through a real hub, each with real SQLite files,
//! and the EC-Ship SIMULATOR set to *accept* a repeated `refNo` (whether the real service
//! refuses one is unknown, so Satchel must not rely on it). A seeded generator picks every
//! step: drafts made and submitted, worker rounds, claims that stall until their lease runs
//! out and another worker takes the job, workers killed after their request left, answers
//! lost after EC-Ship committed, refusals, clock jumps and skew, syncs in any order, and
//! shipments handed from one device to the other after a failure. Steps run one at a time, so
//! a seed replays exactly: `SATCHEL_SIM_SEED=n cargo test -p satchel-workflows --test it
//! simulation -- --nocapture`.
//!
//! At the end the network heals, every device works off its outbox and syncs, and then:
//! orders made == distinct numbered shipments (no second label), no order without its
//! shipment (none orphaned), every shipment numbered, all devices hold the same records, and
//! nothing panicked. `SATCHEL_SIM_SEEDS` and `SATCHEL_SIM_SHIPMENTS` scale it (`cargo xtask
//! soak`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use ecship_simulator::{Faults, SimConfig, SimHandle, Simulator};
use satchel_ecship::{Account, Codes, Identity};
use satchel_fixtures as fx;
use satchel_keychain::MemorySecrets;
use satchel_net::ecship::{EcshipClient, Endpoints};
use satchel_outbox::{self as outbox, Policy};
use satchel_store::{
    Assessment, Claim, Clock, JobKind, ShipmentDraft, ShipmentRecord, ShipmentState, Store,
};
use satchel_sync::{SyncConfig, Syncer};
use satchel_workflows::Engine;
use uuid::Uuid;

const USER: &str = "satchel-sim";
const KEY: &str = "simulation-api-key";
/// 2026-11-21T03:00:00Z, a Saturday morning in Hong Kong.
const T0: u64 = 1_795_230_000_000;
const SECOND: u64 = 1_000;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;
/// The app's lease (satchel-outbox's default).
const LEASE: Duration = Duration::from_secs(120);

/// Seeds are split over this many tests so they run on every core.
const PARTS: u64 = 4;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// The seeds of part `part`: one replayed seed, or `SATCHEL_SIM_SEEDS` (default 100) seeds.
fn seeds(part: u64) -> Vec<u64> {
    if let Ok(seed) = std::env::var("SATCHEL_SIM_SEED") {
        let seed = seed.trim().parse().expect("SATCHEL_SIM_SEED is a number");
        return if part == 0 { vec![seed] } else { vec![] };
    }
    (1..=env_number("SATCHEL_SIM_SEEDS", 100))
        .filter(|s| s % PARTS == part)
        .collect()
}

fn run_part(part: u64) {
    let shipments = env_number("SATCHEL_SIM_SHIPMENTS", 500) as usize;
    let mut totals = Stats::default();
    for seed in seeds(part) {
        let _replay = Replay(seed);
        let world = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(simulate(seed, shipments));
        totals.add(&world);
    }
    // Read by `cargo xtask soak`, which adds the parts up.
    println!(
        "simulated {} seeds x {shipments} shipments: {} orders, {} lost answers, {} stale \
         claims, {} killed workers, {} handoffs, {} syncs, {} edits",
        totals.seeds,
        totals.orders,
        totals.lost,
        totals.stale,
        totals.kills,
        totals.handoffs,
        totals.syncs,
        totals.edits
    );
}

#[test]
fn simulation_part_0() {
    run_part(0);
}

#[test]
fn simulation_part_1() {
    run_part(1);
}

#[test]
fn simulation_part_2() {
    run_part(2);
}

#[test]
fn simulation_part_3() {
    run_part(3);
}

/// Prints how to replay a seed whose run panicked or failed an invariant.
struct Replay(u64);

impl Drop for Replay {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "simulation seed {} failed; replay it with SATCHEL_SIM_SEED={} cargo test -p \
                 satchel-workflows --test it simulation -- --nocapture",
                self.0, self.0
            );
        }
    }
}

/// SplitMix64: tiny, and the same sequence on every platform and version, so a seed replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

#[derive(Debug, Clone)]
struct SimClock(Arc<AtomicU64>);

impl Clock for SimClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::load)
}

/// One device: its database, one store connection per worker process (worker 0 is the app's,
/// which the sync engine also uses), its sync engine and its EC-Ship client.
struct Device {
    name: &'static str,
    dir: PathBuf,
    clock: SimClock,
    /// This device's wall clock minus the true time.
    offset: i64,
    keychain: Arc<MemorySecrets>,
    sync_config: SyncConfig,
    workers: Vec<Arc<Mutex<Store>>>,
    sync: Syncer<Mutex<Store>>,
    client: EcshipClient,
    /// Claims taken by a worker that stalled before doing anything with them.
    stalled: Vec<(usize, Claim)>,
}

impl Device {
    fn db(&self) -> PathBuf {
        self.dir.join("satchel.db")
    }

    fn open(&self) -> Store {
        Store::open_with_clock(self.db(), Box::new(self.clock.clone())).unwrap()
    }

    fn app(&self) -> &Mutex<Store> {
        &self.workers[0]
    }

    fn store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.app().lock().unwrap())
    }

    /// The process running worker `w` was killed and started again: its connection (and, for
    /// the app, its sync engine) are new, and whatever it held in memory is gone.
    fn restart_worker(&mut self, w: usize) {
        self.stalled.retain(|(owner, _)| *owner != w);
        self.workers[w] = Arc::new(Mutex::new(self.open()));
        if w == 0 {
            self.sync = Syncer::new(
                self.workers[0].clone(),
                self.keychain.clone(),
                self.sync_config.clone(),
            )
            .unwrap();
        }
    }

    fn today(&self) -> chrono::NaiveDate {
        let ms = self.clock.now_ms() as i64 + 8 * HOUR as i64;
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .date_naive()
    }
}

/// What happened in a run (or, summed, in many): printed, and read by `cargo xtask soak`.
#[derive(Default)]
struct Stats {
    seeds: u64,
    orders: u64,
    lost: u64,
    stale: u64,
    kills: u64,
    handoffs: u64,
    syncs: u64,
    edits: u64,
}

impl Stats {
    fn add(&mut self, run: &Stats) {
        self.seeds += run.seeds;
        self.orders += run.orders;
        self.lost += run.lost;
        self.stale += run.stale;
        self.kills += run.kills;
        self.handoffs += run.handoffs;
        self.syncs += run.syncs;
        self.edits += run.edits;
    }
}

struct World {
    seed: u64,
    rng: Rng,
    /// The true time; each device's clock is this plus its offset.
    now: u64,
    devices: Vec<Device>,
    sim: SimHandle,
    /// Shipment ids in the order they were made, and which device the merchant works on
    /// each from (the one that submits it).
    ids: Vec<String>,
    owner: Vec<usize>,
    policy: Policy,
    stats: Stats,
    /// The last steps, printed when an invariant fails.
    trail: Vec<String>,
}

fn faults(rng: &mut Rng) -> Faults {
    Faults {
        drop_after_commit: rng.below(300) as f64 / 1000.0,
        error_status: rng.below(80) as f64 / 1000.0,
        accept_duplicate_ref: true,
        ..Faults::default()
    }
}

fn client(sim: &SimHandle) -> EcshipClient {
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
        // Far longer than any loopback answer: a timeout would make a run depend on load.
        Duration::from_secs(60),
    )
    .unwrap()
}

async fn simulate(seed: u64, shipments: usize) -> Stats {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(seed);
    let sim = Simulator::start(SimConfig {
        accounts: vec![(USER.into(), KEY.into())],
        seed,
        faults: faults(&mut rng),
        ..SimConfig::default()
    })
    .unwrap();
    let hub = crate::start_hub(tmp.path()).await;
    let mut devices = Vec::new();
    for (name, workers) in [("laptop", 2), ("phone", 1)] {
        // Clocks up to six hours apart: wrong, but within the day merge accepts.
        let offset = rng.below(12 * HOUR) as i64 - 6 * HOUR as i64;
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let clock = SimClock(Arc::new(AtomicU64::new(T0.saturating_add_signed(offset))));
        let sync_config = SyncConfig::new(&hub);
        let open = || Store::open_with_clock(dir.join("satchel.db"), Box::new(clock.clone()));
        let workers: Vec<_> = (0..workers)
            .map(|_| Arc::new(Mutex::new(open().unwrap())))
            .collect();
        let keychain = Arc::new(MemorySecrets::default());
        let sync = Syncer::new(workers[0].clone(), keychain.clone(), sync_config.clone()).unwrap();
        devices.push(Device {
            name,
            dir,
            clock,
            offset,
            keychain,
            sync_config,
            workers,
            sync,
            client: client(&sim),
            stalled: Vec::new(),
        });
    }
    devices[0].sync.create_account("laptop").await.unwrap();
    let offer = devices[0].sync.offer_pairing("phone").await.unwrap();
    devices[1]
        .sync
        .join_with_code(&offer.qr_payload)
        .await
        .unwrap();

    let mut world = World {
        seed,
        rng,
        now: T0,
        devices,
        sim,
        ids: Vec::new(),
        owner: Vec::new(),
        policy: Policy {
            lease: LEASE,
            batch: 20,
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            fetch_address_pack: false,
        },
        stats: Stats::default(),
        trail: Vec::new(),
    };
    while world.ids.len() < shipments {
        world.step(shipments).await;
    }
    // A few more turns of chaos after the last draft, then the network heals.
    for _ in 0..shipments / 5 {
        world.step(shipments).await;
    }
    world.settle().await;
    world.check();
    Stats {
        seeds: 1,
        orders: world.sim.orders().len() as u64,
        ..world.stats
    }
}

impl World {
    fn note(&mut self, step: String) {
        if self.trail.len() == 40 {
            self.trail.remove(0);
        }
        self.trail.push(step);
    }

    fn set_time(&mut self, now: u64) {
        self.now = now;
        for d in &self.devices {
            d.clock
                .0
                .store(now.saturating_add_signed(d.offset), Ordering::SeqCst);
        }
    }

    async fn step(&mut self, target: usize) {
        let roll = self.rng.below(100);
        let d = self.rng.pick(self.devices.len());
        let w = self.rng.pick(self.devices[d].workers.len());
        match roll {
            0..=17 if self.ids.len() < target => self.draft(d, target),
            0..=29 => self.submit(d),
            30..=54 => self.round(d, w).await,
            55..=62 => self.stall(d, w),
            63..=70 => self.resume(d).await,
            71..=73 => self.kill(d, w).await,
            74..=85 => {
                // Mostly seconds; sometimes past a lease, so stalled claims go stale.
                let by = if self.rng.chance(250) {
                    LEASE.as_millis() as u64 + self.rng.below(5 * MINUTE)
                } else {
                    self.rng.below(30 * SECOND)
                };
                self.note(format!("time +{by} ms"));
                self.set_time(self.now + by);
            }
            86..=91 => self.sync(d).await,
            92..=94 => self.edit(d),
            95..=96 => self.handoff(d).await,
            97 => {
                // A device's clock is corrected by up to ten minutes either way.
                let jump = self.rng.below(20 * MINUTE) as i64 - 10 * MINUTE as i64;
                self.devices[d].offset += jump;
                self.note(format!("{} clock {jump:+} ms", self.devices[d].name));
                self.set_time(self.now);
            }
            _ => {
                let f = faults(&mut self.rng);
                self.note(format!("faults {f:?}"));
                self.sim.set_faults(f);
            }
        }
    }

    /// The merchant makes a few drafts on device `d` and submits most of them at once.
    fn draft(&mut self, d: usize, target: usize) {
        let n = (1 + self.rng.pick(8)).min(target - self.ids.len());
        let submit_now = self.rng.chance(700);
        let made: Vec<String> = (0..n)
            .map(|_| {
                let k = self.ids.len();
                let draft = ShipmentDraft {
                    shipment: fx::numbered_order(k, 300 + (k as u32 % 40) * 25),
                    recipient_id: None,
                    sender_id: None,
                };
                let id = self.devices[d]
                    .store(|s| s.create_shipment(&draft, &Assessment::default()))
                    .unwrap()
                    .id;
                self.ids.push(id.clone());
                self.owner.push(d);
                id
            })
            .collect();
        self.note(format!("{} drafts {n}", self.devices[d].name));
        if submit_now {
            self.devices[d]
                .store(|s| s.queue_submissions(&made))
                .unwrap();
        }
    }

    /// The merchant changes the weight of a shipment on device `d`, which may hold a stale
    /// copy: the other device may have submitted it, or EC-Ship numbered it, meanwhile.
    fn edit(&mut self, d: usize) {
        if self.ids.is_empty() {
            return;
        }
        // A few tries at finding a shipment this device still shows as editable.
        for _ in 0..20 {
            let k = self.rng.pick(self.ids.len());
            let weight = 300 + self.rng.below(40) as u32 * 25;
            let id = self.ids[k].clone();
            let edited = self.devices[d].store(|s| {
                let Some(mut rec) = s.shipment(&id).unwrap() else {
                    return false;
                };
                if !rec.state.is_editable() || rec.assessment.is_unchecked() {
                    return false;
                }
                rec.draft.shipment.parcel.weight_g = weight;
                s.update_shipment(&id, &rec.draft, &Assessment::default())
                    .is_ok()
            });
            if edited {
                self.stats.edits += 1;
                self.note(format!("{} edits shipment {k}", self.devices[d].name));
                return;
            }
        }
    }

    /// The merchant submits what device `d` holds as drafts or ready (after a refusal), as the
    /// app does: merged shipments are checked here first.
    fn submit(&mut self, d: usize) {
        let today = self.devices[d].today();
        let mine = self.owned(d);
        let picked: Vec<String> = self.devices[d].store(|s| {
            satchel_workflows::shipments::reassess_merged(s, engine(), &[], today);
            mine.into_iter()
                .filter(|id| {
                    s.shipment(id).unwrap().is_some_and(|r| {
                        matches!(r.state, ShipmentState::Draft | ShipmentState::Ready)
                    })
                })
                .collect()
        });
        let picked: Vec<String> = picked
            .into_iter()
            .filter(|_| self.rng.chance(600))
            .collect();
        self.note(format!("{} submits {}", self.devices[d].name, picked.len()));
        self.devices[d]
            .store(|s| s.queue_submissions(&picked))
            .unwrap();
    }

    /// The shipments the merchant works on from device `d`, in the order they were made.
    fn owned(&self, d: usize) -> Vec<String> {
        (0..self.ids.len())
            .filter(|&k| self.owner[k] == d)
            .map(|k| self.ids[k].clone())
            .collect()
    }

    fn count(&mut self, outcomes: &[outbox::Outcome]) {
        self.stats.lost += outcomes
            .iter()
            .filter(|o| matches!(o, outbox::Outcome::WillRetry { .. }))
            .count() as u64;
    }

    /// Worker `w` of device `d` runs one round of a random size.
    async fn round(&mut self, d: usize, w: usize) {
        let policy = Policy {
            batch: 1 + self.rng.pick(12),
            ..self.policy.clone()
        };
        let dev = &self.devices[d];
        let outcomes = outbox::run_due(&*dev.workers[w], &dev.client, &policy)
            .await
            .unwrap();
        self.note(format!(
            "{} worker {w} round: {outcomes:?}",
            self.devices[d].name
        ));
        self.count(&outcomes);
    }

    /// Worker `w` of device `d` claims the next due job, as a round would, if there is one.
    fn claim_next(&self, d: usize, w: usize) -> Option<Claim> {
        let lease = outbox::lease_ms(&self.policy);
        let mut s = self.devices[d].workers[w].lock().unwrap();
        let due = s.due_jobs(1).unwrap();
        due.first().and_then(|job| s.claim_job(job, lease).unwrap())
    }

    /// Worker `w` claims the next due job and stalls before doing anything with it.
    fn stall(&mut self, d: usize, w: usize) {
        if let Some(claim) = self.claim_next(d, w) {
            let dev = &mut self.devices[d];
            dev.stalled.push((w, claim));
            let name = dev.name;
            self.note(format!("{name} worker {w} stalls on a claim"));
        }
    }

    /// A stalled worker carries on with its claim, however old it is by now.
    async fn resume(&mut self, d: usize) {
        if self.devices[d].stalled.is_empty() {
            return;
        }
        let i = self.rng.pick(self.devices[d].stalled.len());
        let (w, claim) = self.devices[d].stalled.remove(i);
        let dev = &self.devices[d];
        let done = outbox::work(&*dev.workers[w], &dev.client, &self.policy, &claim)
            .await
            .unwrap();
        if done.is_none() {
            self.stats.stale += 1;
        }
        self.note(format!(
            "{} worker {w} resumes: {done:?}",
            self.devices[d].name
        ));
        self.count(done.as_slice());
    }

    /// Worker `w` claims the next due job, sends its request as the worker would, and is
    /// killed before it can record the answer (or, on a lookup, before it sends anything).
    async fn kill(&mut self, d: usize, w: usize) {
        let lease = outbox::lease_ms(&self.policy);
        let claim = self.claim_next(d, w);
        let dev = &self.devices[d];
        if let Some(c) = claim.filter(|c| c.job.kind == JobKind::Submit && !c.look_up_first) {
            let fenced = dev.workers[w].lock().unwrap().fence(&c.job, lease).is_ok();
            if fenced {
                let id = Uuid::parse_str(&c.shipment.id).unwrap();
                let _ = dev
                    .client
                    .create_order(id, &c.shipment.draft.shipment)
                    .await;
            }
        }
        self.stats.kills += 1;
        self.note(format!("{} worker {w} killed", self.devices[d].name));
        self.devices[d].restart_worker(w);
    }

    /// Device `d` syncs with the hub, then checks what it merged, as the app does.
    async fn sync(&mut self, d: usize) {
        let dev = &self.devices[d];
        let report = dev.sync.sync_now().await.unwrap();
        let today = dev.today();
        dev.store(|s| satchel_workflows::shipments::reassess_merged(s, engine(), &[], today));
        self.stats.syncs += 1;
        self.note(format!("{} syncs: {report:?}", self.devices[d].name));
    }

    /// A shipment EC-Ship refused on device `d` is taken up on the other device: the merchant
    /// syncs both and carries on there.
    async fn handoff(&mut self, d: usize) {
        let ready: Vec<usize> = (0..self.ids.len())
            .filter(|&k| self.owner[k] == d)
            .filter(|&k| {
                self.devices[d].store(|s| {
                    s.shipment(&self.ids[k])
                        .unwrap()
                        .is_some_and(|r| r.state == ShipmentState::Ready)
                })
            })
            .collect();
        if ready.is_empty() {
            return;
        }
        let k = ready[self.rng.pick(ready.len())];
        let other = (d + 1) % self.devices.len();
        self.sync(d).await;
        self.sync(other).await;
        self.owner[k] = other;
        self.stats.handoffs += 1;
        self.note(format!(
            "shipment {k} handed to {}",
            self.devices[other].name
        ));
    }

    /// The network heals: every stalled worker carries on, every device works off its outbox,
    /// submits what is left and syncs, until nothing is open and the devices agree.
    async fn settle(&mut self) {
        self.sim.set_faults(Faults {
            accept_duplicate_ref: true,
            ..Faults::default()
        });
        for _ in 0..30 {
            self.set_time(self.now + 10 * MINUTE);
            for d in 0..self.devices.len() {
                while !self.devices[d].stalled.is_empty() {
                    self.resume(d).await;
                }
                self.sync(d).await;
                self.submit_all(d);
                for w in 0..self.devices[d].workers.len() {
                    loop {
                        let dev = &self.devices[d];
                        let policy = Policy {
                            batch: 50,
                            ..self.policy.clone()
                        };
                        let outcomes = outbox::run_due(&*dev.workers[w], &dev.client, &policy)
                            .await
                            .unwrap();
                        if outcomes.is_empty() {
                            break;
                        }
                        self.note(format!("settle {} worker {w}: {outcomes:?}", dev.name));
                    }
                }
            }
            for d in 0..self.devices.len() {
                self.sync(d).await;
            }
            if self.all_numbered() {
                return;
            }
        }
    }

    fn submit_all(&mut self, d: usize) {
        let today = self.devices[d].today();
        let mine = self.owned(d);
        self.devices[d].store(|s| {
            satchel_workflows::shipments::reassess_merged(s, engine(), &[], today);
            s.queue_submissions(&mine).unwrap();
        });
    }

    fn all_numbered(&self) -> bool {
        self.devices.iter().all(|dev| {
            dev.store(|s| {
                s.open_jobs().unwrap().is_empty()
                    && self.ids.iter().all(|id| {
                        s.shipment(id)
                            .unwrap()
                            .is_some_and(|r| r.state == ShipmentState::Numbered)
                    })
            })
        })
    }

    /// Every shipment as device `d` holds it, in the order they were made.
    fn records(&self, d: usize) -> Vec<Option<ShipmentRecord>> {
        self.devices[d].store(|s| self.ids.iter().map(|id| s.shipment(id).unwrap()).collect())
    }

    /// What every device must agree on about a shipment (the assessment is each device's own).
    fn synced(r: &Option<ShipmentRecord>) -> serde_json::Value {
        r.as_ref().map_or(serde_json::Value::Null, |r| {
            serde_json::json!({
                "state": r.state.id(),
                "draft": r.draft,
                "history": r.history,
                "ecship": r.ecship,
            })
        })
    }

    /// Shipment `k` on every device, with its jobs there, for a failure message.
    fn describe(&self, k: usize) -> String {
        let id = &self.ids[k];
        let owner = self.devices[self.owner[k]].name;
        let mut out = format!("owned by the {owner}");
        for dev in &self.devices {
            dev.store(|s| {
                let rec = s.shipment(id).unwrap();
                let jobs: Vec<_> = s
                    .jobs_for(id)
                    .unwrap()
                    .into_iter()
                    .map(|j| (j.kind, j.state, j.attempts, j.last_error))
                    .collect();
                out.push_str(&format!(
                    "; {}: {:?} {:?}, jobs {jobs:?}",
                    dev.name,
                    rec.as_ref().map(|r| r.state),
                    rec.as_ref().map(|r| &r.assessment.problems),
                ));
            });
        }
        out
    }

    fn check(&self) {
        let trail = || self.trail.join("\n");
        let seed = self.seed;
        let orders = self.sim.orders();
        let mut by_ref: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for o in orders.iter().filter(|o| !o.cancelled) {
            by_ref.entry(&o.ref_no).or_default().push(&o.item_no);
        }
        let index: BTreeMap<&str, usize> = self
            .ids
            .iter()
            .enumerate()
            .map(|(k, id)| (id.as_str(), k))
            .collect();
        let twice: Vec<_> = by_ref
            .iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(r, v)| (index.get(r), v))
            .collect();
        assert!(
            twice.is_empty(),
            "seed {seed}: shipments (by number) with more than one label: {twice:?}\n{}",
            trail()
        );
        let laptop = self.records(0);
        for (k, (id, rec)) in self.ids.iter().zip(&laptop).enumerate() {
            let rec = rec.as_ref().expect("no shipment is lost");
            assert_eq!(
                rec.state,
                ShipmentState::Numbered,
                "seed {seed}: shipment {k} did not end numbered: {}\n{}",
                self.describe(k),
                trail()
            );
            let item = rec.draft.shipment.item_number.as_ref().map(|i| i.as_str());
            assert_eq!(
                by_ref.get(id.as_str()).map(|v| v[0]),
                item,
                "seed {seed}: shipment {k} does not carry its order's label\n{}",
                trail()
            );
        }
        assert_eq!(
            by_ref.len(),
            self.ids.len(),
            "seed {seed}: an order was made for no shipment of ours (orphaned)"
        );
        for d in 1..self.devices.len() {
            let there = self.records(d);
            for (k, (a, b)) in laptop.iter().zip(&there).enumerate() {
                assert_eq!(
                    World::synced(a),
                    World::synced(b),
                    "seed {seed}: shipment {k} differs between the laptop and the {}",
                    self.devices[d].name
                );
            }
        }
    }
}
