//! The application layer's integration tests: one binary (see xtask's lint).

mod every_service;
mod home;
mod orders;
mod simulation;
mod tariff_sync;
mod tariffs;

use std::sync::Arc;

/// A real hub in-process on a temporary SQLite file, on an ephemeral loopback port, with the
/// rate limits off (the tests make many calls quickly). Returns its URL.
async fn start_hub(dir: &std::path::Path) -> String {
    let mut config = satchel_hub::HubConfig::default();
    config.rate.per_ip_burst = 0;
    // Tests make many accounts from one address; the sign-up cap has its own test.
    config.accounts.per_network_per_day = 0;
    config.rate.per_device_burst = 0;
    let storage =
        Arc::new(satchel_hub_sqlite::SqliteStorage::open(dir.join("hub.sqlite3")).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(satchel_hub::serve(
        config,
        storage,
        listener,
        std::future::pending(),
    ));
    url
}
