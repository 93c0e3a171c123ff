//! The sync hub server: the v0 HTTP API of `satchel-sync-proto` over axum, on any
//! [`HubStorage`](satchel_hub_core::HubStorage) backend.
//!
//! The hub is built to have nothing worth stealing: it holds ciphertext that devices
//! encrypted, hashes of device credentials and refresh tokens, and the least metadata sync
//! needs. Every route but account creation, login, refresh, the one-time pairing fetch and
//! recovery with the phrase's proof needs an access token, and the account it acts on comes
//! only from that token (recovery's from the verifier the proof matches).

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod rate;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use satchel_hub_core::{HubStorage, StorageError};
use satchel_hub_postgres::{PgOptions, PostgresStorage};
use satchel_hub_sqlite::SqliteStorage;
use tokio::net::TcpListener;

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

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    config: HubConfig,
    storage: Arc<dyn HubStorage>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let pruner = tokio::spawn(prune_forever(config.clone(), Arc::clone(&storage)));
    let app = router(AppState::new(config, storage));
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    pruner.abort();
    served
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
