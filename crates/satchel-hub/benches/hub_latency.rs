//! Hub latency under load (issue #6): 1,000 simulated devices, each its own account, hit one
//! hub on a SQLite file at the same time over loopback HTTP. Each device does rounds of "upload
//! a batch of encrypted-size records, then download what is new", as a syncing device does.
//! Prints p50/p90/p99/max per operation and the request rate; asserts nothing about speed.
//!
//! `cargo bench -p satchel-hub --bench hub_latency`; `SATCHEL_BENCH_DEVICES` and
//! `SATCHEL_BENCH_ROUNDS` change the load (defaults 1000 and 5).

use std::sync::Arc;
use std::time::{Duration, Instant};

use satchel_hub::{HubConfig, RunningHub};
use satchel_hub_sqlite::SqliteStorage;
use satchel_sync_proto as proto;
use serde_json::json;
use uuid::Uuid;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

struct Sim {
    token: String,
    cursor: i64,
}

#[derive(Default)]
struct Samples {
    upload: Vec<Duration>,
    download: Vec<Duration>,
    errors: usize,
}

fn report(name: &str, v: &mut [Duration]) {
    if v.is_empty() {
        return;
    }
    v.sort();
    let q = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "  {name:<9} n={:<6} p50={:>8.2?} p90={:>8.2?} p99={:>8.2?} max={:>8.2?}",
        v.len(),
        q(0.50),
        q(0.90),
        q(0.99),
        v[v.len() - 1]
    );
}

fn main() {
    let devices = env_num("SATCHEL_BENCH_DEVICES", 1000);
    let rounds = env_num("SATCHEL_BENCH_ROUNDS", 5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(devices, rounds));
}

async fn run(devices: usize, rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(dir.path().join("hub.sqlite3")).unwrap();
    let mut cfg = HubConfig::default();
    // Every simulated device shares 127.0.0.1; the limits are what this bench is not about.
    cfg.rate.per_ip_burst = 0;
    cfg.rate.per_device_burst = 0;
    cfg.accounts.per_network_per_day = 0;
    let hub = RunningHub::start(cfg, Arc::new(storage)).await.unwrap();
    let base = hub.base_url();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(devices)
        .build()
        .unwrap();

    let started = Instant::now();
    let mut sims = Vec::with_capacity(devices);
    for chunk in (0..devices).collect::<Vec<_>>().chunks(50) {
        let mut tasks = Vec::new();
        for _ in chunk {
            let (http, base) = (http.clone(), base.clone());
            tasks.push(tokio::spawn(async move {
                let mut secret = [0u8; 32];
                getrandom::fill(&mut secret).unwrap();
                let r: proto::CreateAccountResponse = http
                    .post(format!("{base}/v0/accounts"))
                    .json(&json!({ "device_label": "bench", "device_secret": b64(&secret) }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                Sim {
                    token: r.tokens.access_token.0,
                    cursor: 0,
                }
            }));
        }
        for t in tasks {
            sims.push(t.await.unwrap());
        }
    }
    println!(
        "hub_latency: {devices} devices (one account each), {rounds} rounds of upload 10 + \
         download, SQLite; setup {:.1?}",
        started.elapsed()
    );

    let gate = Arc::new(tokio::sync::Barrier::new(devices));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (n, mut sim) in sims.into_iter().enumerate() {
        let (http, base, gate) = (http.clone(), base.clone(), Arc::clone(&gate));
        tasks.push(tokio::spawn(async move {
            let mut s = Samples::default();
            gate.wait().await;
            for round in 0..rounds {
                let records: Vec<_> = (0..10)
                    .map(|i| {
                        json!({
                            "record_id": format!("{n}-{round}-{i}"),
                            "entity": "contact",
                            "version": format!("{:012x}-000000-dev{n}", round * 10 + i),
                            "ciphertext": b64(&[0x5a; 240]),
                        })
                    })
                    .collect();
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/v0/records"))
                    .bearer_auth(&sim.token)
                    .json(&json!({ "upload_id": Uuid::now_v7(), "records": records }))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        s.upload.push(t.elapsed());
                    }
                    _ => s.errors += 1,
                }
                let t = Instant::now();
                let r = http
                    .get(format!("{base}/v0/records?after={}&limit=100", sim.cursor))
                    .bearer_auth(&sim.token)
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let page: proto::DownloadResponse = r.json().await.unwrap();
                        s.download.push(t.elapsed());
                        sim.cursor = page.next_cursor;
                    }
                    _ => s.errors += 1,
                }
            }
            s
        }));
    }
    let mut all = Samples::default();
    for t in tasks {
        let s = t.await.unwrap();
        all.upload.extend(s.upload);
        all.download.extend(s.download);
        all.errors += s.errors;
    }
    let elapsed = started.elapsed();
    let requests = all.upload.len() + all.download.len();
    let mut both: Vec<Duration> = all.upload.iter().chain(&all.download).copied().collect();
    report("upload", &mut all.upload);
    report("download", &mut all.download);
    report("all", &mut both);
    println!(
        "  {requests} requests in {elapsed:.2?} ({:.0} req/s), {} errors",
        requests as f64 / elapsed.as_secs_f64(),
        all.errors
    );
    hub.stop().await.unwrap();
}
