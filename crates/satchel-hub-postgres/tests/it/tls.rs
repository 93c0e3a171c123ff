//! TLS to a real PostgreSQL: `sslmode=require` encrypts and verifies the server against the
//! given CA, and refuses a server it cannot verify. `cargo xtask test` starts the throwaway
//! cluster with TLS on and sets `SATCHEL_TEST_PG_URL` and `SATCHEL_TEST_PG_CA`.
// Needs outside services or tools (a keyring, CUPS, PostgreSQL, zbarimg, a CJK font):
// `cargo xtask test` turns the feature on and starts them.
#![cfg(feature = "system-tests")]

use std::path::PathBuf;

use satchel_hub_postgres::{PgOptions, PostgresStorage};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set. These tests need a real PostgreSQL with TLS: run `cargo xtask \
             test` (xtask/src/postgres.rs starts one and sets SATCHEL_TEST_PG_URL and \
             SATCHEL_TEST_PG_CA)"
        )
    })
}

fn with_sslmode(url: &str, mode: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}sslmode={mode}")
}

fn options(ca: Option<PathBuf>) -> PgOptions {
    PgOptions {
        connections: 1,
        schema: Some(format!("tls_{}", uuid::Uuid::now_v7().simple())),
        ca_file: ca,
    }
}

#[tokio::test]
async fn sslmode_require_encrypts_and_verifies_the_server() {
    let url = with_sslmode(&env("SATCHEL_TEST_PG_URL"), "require");
    let ca = PathBuf::from(env("SATCHEL_TEST_PG_CA"));
    let s = PostgresStorage::connect_with(&url, &options(Some(ca)))
        .await
        .unwrap();
    assert!(s.connection_is_encrypted().await.unwrap());
}

#[tokio::test]
async fn a_server_signed_by_an_unknown_ca_is_refused() {
    let url = with_sslmode(&env("SATCHEL_TEST_PG_URL"), "require");
    let err = PostgresStorage::connect_with(&url, &options(None))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.to_lowercase().contains("certificate"), "{err}");
}

#[tokio::test]
async fn a_plain_url_connects_without_tls() {
    let url = env("SATCHEL_TEST_PG_URL");
    let s = PostgresStorage::connect_with(&url, &options(None))
        .await
        .unwrap();
    assert!(!s.connection_is_encrypted().await.unwrap());
}

#[tokio::test]
async fn a_missing_ca_file_is_named_in_the_error() {
    let url = with_sslmode(&env("SATCHEL_TEST_PG_URL"), "require");
    let err =
        PostgresStorage::connect_with(&url, &options(Some(PathBuf::from("/nonexistent/ca.pem"))))
            .await
            .unwrap_err()
            .to_string();
    assert!(
        err.contains("postgres_ca_file /nonexistent/ca.pem"),
        "{err}"
    );
}
