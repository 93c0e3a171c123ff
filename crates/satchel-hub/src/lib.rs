//! The sync hub server: the v0 HTTP API of `satchel-sync-proto` over axum, on any
//! [`HubStorage`](satchel_hub_core::HubStorage) backend.
//!
//! The hub is built to have nothing worth stealing: it holds ciphertext that devices
//! encrypted, hashes of device credentials and refresh tokens, and the least metadata sync
//! needs. Every route but account creation, login, refresh, the one-time pairing fetch, the
//! one-time answer to a typed code (issue #18) and recovery with the phrase's proof needs an
//! access token, and the account it acts on comes only from that token (recovery's from the
//! verifier the proof matches).
//!
//! It is also built to stay up for honest devices while others abuse it (issue #18): [`serve`]
//! caps connections and closes the ones that are slow to send a request or idle; [`api`] caps
//! requests in flight, times them out, limits bodies per route and rate-limits per network,
//! device and account; sign-ups are capped per network (optionally invite-only), devices per
//! account, and the ciphertext the whole hub holds. The limits are in [`HubConfig`].

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod rate;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::{Extension, Router};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use satchel_hub_core::{HubStorage, StorageError};
use satchel_hub_postgres::{PgOptions, PostgresStorage};
use satchel_hub_sqlite::SqliteStorage;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tower::Layer as _;

pub use api::{router, AppState};
pub use config::{DatabaseUrl, HubConfig, Secret, DEFAULT_CONFIG_TOML};

/// Opens the backend the database URL names: `postgres://` or `postgresql://` for
/// PostgreSQL (TLS with `?sslmode=require`), `sqlite://PATH` (or a bare path) for a SQLite
/// file.
pub async fn open_storage(config: &HubConfig) -> Result<Arc<dyn HubStorage>, StorageError> {
    let url = config.database_url.expose();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let options = PgOptions {
            connections: config.postgres_connections,
            schema: None,
            ca_file: config.postgres_ca_file.clone(),
        };
        let s = PostgresStorage::connect_with(url, &options).await?;
        return Ok(Arc::new(s));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    if path.is_empty() {
        return Err(StorageError::Backend(
            "database_url names no SQLite file".into(),
        ));
    }
    let path = path.to_owned();
    let s = tokio::task::spawn_blocking(move || SqliteStorage::open(path))
        .await
        .map_err(|e| StorageError::Backend(e.to_string()))??;
    Ok(Arc::new(s))
}

/// Serves the API on `listener` until `shutdown` completes, then lets open requests finish.
pub async fn serve(
    config: HubConfig,
    storage: Arc<dyn HubStorage>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let pruner = tokio::spawn(prune_forever(config.clone(), Arc::clone(&storage)));
    let server = config.server.clone();
    let app = router(AppState::new(config, storage));
    let served = accept_loop(listener, app, &server, shutdown).await;
    pruner.abort();
    served
}

/// The accept loop `axum::serve` would run, plus what it cannot be told: each connection
/// holds one of `max_connections` slots (at the cap the loop waits, and new connections wait
/// in the kernel's queue), and a client must send its headers within `header_timeout_ms`,
/// which also closes keep-alive connections left idle that long. HTTP/1.1 only: devices and
/// proxies speak it, and it skips sniffing for HTTP/2, which would wait on a silent client
/// with no timeout.
async fn accept_loop(
    listener: TcpListener,
    app: Router,
    server: &config::ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(server.max_connections as usize));
    let header_timeout = Duration::from_millis(server.header_timeout_ms);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break, // never closed
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // A connection that died before it was accepted is the client's
                    // business. Anything else (out of file descriptors, mostly) passes with
                    // time: wait rather than spin.
                    if !matches!(
                        e.kind(),
                        std::io::ErrorKind::ConnectionRefused
                            | std::io::ErrorKind::ConnectionAborted
                            | std::io::ErrorKind::ConnectionReset
                    ) {
                        eprintln!("satchel-hub: accepting a connection failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
        };
        let app = app.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            // Given back when the connection ends, however it ends.
            let _slot = slot;
            serve_connection(stream, peer, app, header_timeout, stop).await;
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot until it ends, so holding them all means all have ended.
    let _all = slots.acquire_many(server.max_connections).await;
    Ok(())
}

/// One connection, HTTP/1.1 with keep-alive, until the client leaves, a timeout closes it, or
/// the hub stops (then the request in flight, if any, is answered first).
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true);
    // What `into_make_service_with_connect_info` did: handlers and limits read the peer
    // address from the request's extensions.
    let service = TowerToHyperService::new(Extension(ConnectInfo(peer)).layer(app));
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        // A client that breaks off or times out is no error of the hub's.
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.as_mut().await;
        }
    }
}

/// Clears old upload answers, old audit entries and expired pairing slots, now and then every
/// `retention.prune_every_secs`. A failure is reported and retried next time.
async fn prune_forever(config: HubConfig, storage: Arc<dyn HubStorage>) {
    let r = config.retention;
    let mut every = tokio::time::interval(std::time::Duration::from_secs(r.prune_every_secs));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        #[allow(clippy::disallowed_methods)] // the hub's pruning clock
        let now = chrono::Utc::now();
        let days = |d: u32| now - chrono::Duration::days(i64::from(d));
        if let Err(e) = storage
            .prune(days(r.upload_ids_days), days(r.audit_days), now)
            .await
        {
            eprintln!("satchel-hub: pruning failed: {e}");
        }
    }
}

/// A hub running in the background on a loopback port, for tests and benchmarks of this and
/// other crates (the sync engine's tests talk to a real hub through it).
#[derive(Debug)]
pub struct RunningHub {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningHub {
    /// Starts a hub on 127.0.0.1 with a free port.
    pub async fn start(
        config: HubConfig,
        storage: Arc<dyn HubStorage>,
    ) -> std::io::Result<RunningHub> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(config, storage, listener, async {
            let _ = rx.await;
        }));
        Ok(RunningHub {
            addr,
            stop: Some(tx),
            task,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets open requests finish, and waits for that.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        (&mut self.task).await.map_err(std::io::Error::other)?
    }
}

impl Drop for RunningHub {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}
