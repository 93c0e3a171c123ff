//! The backend-agnostic hub suite against a real SQLite file per test.

use satchel_hub_sqlite::SqliteStorage;

async fn fresh() -> SqliteStorage {
    // The directory is leaked on purpose: it must outlive the storage the case consumes, and
    // the files are tiny and under the OS temp dir.
    let dir = tempfile::tempdir().unwrap().keep();
    SqliteStorage::open(dir.join("hub.sqlite3")).unwrap()
}

satchel_hub_conformance::conformance_tests!(fresh);

#[tokio::test]
async fn reopening_keeps_data_and_does_not_rerun_migrations() {
    use satchel_hub_core::{HubStorage, NewDevice};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.sqlite3");
    let account = uuid::Uuid::now_v7();
    let device = NewDevice {
        device_id: uuid::Uuid::now_v7(),
        label: "laptop".into(),
        secret_hash: [3; 32],
        created_at: chrono::DateTime::UNIX_EPOCH,
    };
    {
        let s = SqliteStorage::open(&path).unwrap();
        s.create_account(account, &device, chrono::DateTime::UNIX_EPOCH)
            .await
            .unwrap();
    }
    let s = SqliteStorage::open(&path).unwrap();
    let got = s.device(device.device_id).await.unwrap().unwrap();
    assert_eq!(got.account_id, account);
}

#[tokio::test]
async fn a_database_from_before_recovery_is_migrated_and_keeps_its_accounts() {
    use satchel_hub_core::{HubStorage, RecoveryVerifier};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hub.sqlite3");
    let account = uuid::Uuid::now_v7();
    {
        // Exactly what the first release left behind: schema 1 and one account.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/0001_hub.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute(
            "INSERT INTO accounts (account_id, created_at) VALUES (?1, 0)",
            [account.as_bytes().as_slice()],
        )
        .unwrap();
    }
    let s = SqliteStorage::open(&path).unwrap();
    let r = RecoveryVerifier {
        lookup: "ab".repeat(32),
        verifier: [9; 32],
    };
    s.set_recovery(account, &r, chrono::DateTime::UNIX_EPOCH)
        .await
        .unwrap();
    assert_eq!(
        s.recovery(&r.lookup).await.unwrap(),
        Some((account, [9; 32]))
    );
}
