//! The backend-agnostic hub suite against a real PostgreSQL, one fresh schema per test.
//!
//! The server's URL comes from `SATCHEL_TEST_PG_URL` (`cargo xtask test` starts a throwaway
//! cluster and sets it). Without it these tests fail rather than pass vacuously.
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]

use satchel_hub_postgres::PostgresStorage;

fn pg_url() -> String {
    std::env::var("SATCHEL_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "SATCHEL_TEST_PG_URL is not set. These tests need a real PostgreSQL: run \
             `cargo xtask test`, or start a throwaway cluster (toolchain.md §8.1) and export \
             SATCHEL_TEST_PG_URL=postgres://app@127.0.0.1:PORT/satchel (the port is in target/tmp/pg/port)"
        )
    })
}

async fn fresh() -> PostgresStorage {
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    PostgresStorage::connect_in_schema(&pg_url(), &schema, 4)
        .await
        .expect("connecting to SATCHEL_TEST_PG_URL")
}

satchel_hub_conformance::conformance_tests!(fresh);
