//! The hub on PostgreSQL, for merchants or platforms that outgrow one machine. Point it at any
//! PostgreSQL (managed or replicated included) with a `postgres://` URL.
//!
//! Connections come from a small fixed pool of tokio-postgres clients; a client whose
//! connection died is replaced the next time it is handed out. Uploads lock their account's
//! row, so sequence numbers are assigned and committed in order per account: a reader paging
//! with a cursor can never step over a record whose transaction has not committed yet, which
//! a global sequence could not promise.

#![forbid(unsafe_code)]

mod tls;

use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use satchel_hub_core::*;
use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, Config, NoTls};

pub use tls::RustlsConnect;
use uuid::Uuid;

/// The embedded migrations, in order. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_hub.sql"),
    include_str!("../migrations/0002_recovery.sql"),
    include_str!("../migrations/0003_key_rotation.sql"),
    include_str!("../migrations/0004_pairing_answers.sql"),
];

/// Serialises migrations between hubs that start at the same time ("satc" as an integer).
const MIGRATION_LOCK: i64 = 0x7361_7463;

#[derive(Clone)]
pub struct PostgresStorage {
    inner: Arc<Pool>,
}

/// How to reach the database, beyond its URL.
#[derive(Debug, Clone, Default)]
pub struct PgOptions {
    /// Connections kept open (at least one).
    pub connections: usize,
    /// Keep every table in this schema (created if missing) instead of the default one.
    pub schema: Option<String>,
    /// An extra CA certificate (PEM) to trust for `sslmode=require`, for managed databases
    /// signed by their provider's own CA.
    pub ca_file: Option<PathBuf>,
}

struct Pool {
    config: Config,
    tls: Option<RustlsConnect>,
    schema: Option<String>,
    clients: Vec<Mutex<Client>>,
    next: AtomicUsize,
}

// The URL may carry a password.
impl fmt::Debug for PostgresStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStorage")
            .field("schema", &self.inner.schema)
            .field("connections", &self.inner.clients.len())
            .finish_non_exhaustive()
    }
}

fn be(e: tokio_postgres::Error) -> StorageError {
    // `Display` of a tokio-postgres error holds the server's message, never bound parameters.
    // The cause chain says *why* (a TLS handshake fails on an unknown issuer, say).
    StorageError::Backend(match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => {
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            msg
        }
    })
}

fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

fn hash_from(b: Vec<u8>) -> Result<Hash, StorageError> {
    hash_from_bytes(&b).ok_or_else(|| StorageError::Backend("a stored hash is not 32 bytes".into()))
}

fn ms(t: DateTime<Utc>) -> i64 {
    to_millis(t)
}

/// Only plain lowercase identifiers, because a schema name is spliced into SQL text.
fn check_schema(schema: &str) -> Result<(), StorageError> {
    let ok = !schema.is_empty()
        && schema.len() <= 63
        && schema.starts_with(|c: char| c.is_ascii_lowercase())
        && schema
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(StorageError::Backend(format!(
            "schema name {schema:?} must be lowercase letters, digits and _"
        )))
    }
}

async fn connect_one(
    config: &Config,
    tls: Option<&RustlsConnect>,
    schema: Option<&str>,
) -> Result<Client, StorageError> {
    // A connection's error surfaces to the caller as a closed client; the pool replaces it.
    let client = match tls {
        Some(tls) => {
            let (client, connection) = config.connect(tls.clone()).await.map_err(be)?;
            tokio::spawn(async move {
                let _ = connection.await;
            });
            client
        }
        None => {
            let (client, connection) = config.connect(NoTls).await.map_err(be)?;
            tokio::spawn(async move {
                let _ = connection.await;
            });
            client
        }
    };
    if let Some(s) = schema {
        client
            .batch_execute(&format!("SET search_path TO {s}"))
            .await
            .map_err(be)?;
    }
    Ok(client)
}

impl PostgresStorage {
    /// Connects `connections` clients to `url` and migrates the database.
    pub async fn connect(url: &str, connections: usize) -> Result<PostgresStorage, StorageError> {
        Self::connect_with(
            url,
            &PgOptions {
                connections,
                ..PgOptions::default()
            },
        )
        .await
    }

    /// Like [`connect`](Self::connect), but keeps every table in `schema` (created if
    /// missing). Tests use one fresh schema each; a hub sharing a database can use it too.
    pub async fn connect_in_schema(
        url: &str,
        schema: &str,
        connections: usize,
    ) -> Result<PostgresStorage, StorageError> {
        Self::connect_with(
            url,
            &PgOptions {
                connections,
                schema: Some(schema.to_owned()),
                ca_file: None,
            },
        )
        .await
    }

    /// Connects with every option. TLS is used when the URL says `sslmode=require`.
    pub async fn connect_with(
        url: &str,
        options: &PgOptions,
    ) -> Result<PostgresStorage, StorageError> {
        if let Some(s) = &options.schema {
            check_schema(s)?;
        }
        let schema = options.schema.clone();
        let config: Config = url.parse().map_err(|_| {
            StorageError::Backend(
                "the PostgreSQL URL is not valid (postgres://USER:PASSWORD@HOST:PORT/DB)".into(),
            )
        })?;
        let tls = match config.get_ssl_mode() {
            SslMode::Require => Some(RustlsConnect::new(options.ca_file.as_deref())?),
            _ => None,
        };
        let n = options.connections.max(1);
        let mut first = connect_one(&config, tls.as_ref(), None).await?;
        if let Some(s) = &schema {
            first
                .batch_execute(&format!(
                    "CREATE SCHEMA IF NOT EXISTS {s}; SET search_path TO {s}"
                ))
                .await
                .map_err(be)?;
        }
        migrate(&mut first).await?;
        let mut clients = vec![Mutex::new(first)];
        for _ in 1..n {
            clients.push(Mutex::new(
                connect_one(&config, tls.as_ref(), schema.as_deref()).await?,
            ));
        }
        Ok(PostgresStorage {
            inner: Arc::new(Pool {
                config,
                tls,
                schema,
                clients,
                next: AtomicUsize::new(0),
            }),
        })
    }

    /// Whether this hub's connections to the database are encrypted (for operators and tests).
    pub async fn connection_is_encrypted(&self) -> Result<bool, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_one(
                "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
                &[],
            )
            .await
            .map_err(be)?;
        Ok(row.get(0))
    }

    async fn client(&self) -> Result<MutexGuard<'_, Client>, StorageError> {
        let p = &self.inner;
        let i = p.next.fetch_add(1, Ordering::Relaxed) % p.clients.len();
        let mut guard = p.clients[i].lock().await;
        if guard.is_closed() {
            *guard = connect_one(&p.config, p.tls.as_ref(), p.schema.as_deref()).await?;
        }
        Ok(guard)
    }
}

async fn migrate(client: &mut Client) -> Result<(), StorageError> {
    let tx = client.transaction().await.map_err(be)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(be)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS hub_migrations (
             version    INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(be)?;
    let current: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM hub_migrations", &[])
        .await
        .map_err(be)?
        .get(0);
    let current = usize::try_from(current).unwrap_or(0);
    check_schema_version(current, MIGRATIONS.len())?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        tx.batch_execute(sql).await.map_err(be)?;
        tx.execute(
            "INSERT INTO hub_migrations (version) VALUES ($1)",
            &[&((i + 1) as i32)],
        )
        .await
        .map_err(be)?;
    }
    tx.commit().await.map_err(be)
}

fn device_from(row: &tokio_postgres::Row) -> Result<Device, StorageError> {
    Ok(Device {
        device_id: row.get(0),
        account_id: row.get(1),
        label: row.get(2),
        secret_hash: hash_from(row.get(3))?,
        created_at: from_millis(row.get(4)),
        revoked_at: row.get::<_, Option<i64>>(5).map(from_millis),
    })
}

const DEVICE_COLS: &str = "device_id, account_id, label, secret_hash, created_at, revoked_at";

/// Sets the account's one recovery row; the UNIQUE lookup refuses another account's.
/// Refuses with [`StorageError::NoAccount`] when the account does not exist.
async fn require_account(
    tx: &tokio_postgres::Transaction<'_>,
    account_id: Uuid,
) -> Result<(), StorageError> {
    tx.query_opt(
        "SELECT 1 FROM accounts WHERE account_id = $1",
        &[&account_id],
    )
    .await
    .map_err(be)?
    .map(drop)
    .ok_or(StorageError::NoAccount)
}

async fn upsert_recovery(
    tx: &tokio_postgres::Transaction<'_>,
    account_id: Uuid,
    r: &RecoveryVerifier,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO account_recovery (account_id, lookup, verifier, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id) DO UPDATE
         SET lookup = excluded.lookup, verifier = excluded.verifier,
             updated_at = excluded.updated_at",
        &[&account_id, &r.lookup, &&r.verifier[..], &ms(now)],
    )
    .await
    .map(|_| ())
    .map_err(|e| {
        if is_unique_violation(&e) {
            StorageError::Conflict("recovery lookup")
        } else {
            be(e)
        }
    })
}

async fn insert_device(
    tx: &tokio_postgres::Transaction<'_>,
    account_id: Uuid,
    d: &NewDevice,
) -> Result<(), StorageError> {
    tx.execute(
        "INSERT INTO devices (device_id, account_id, label, secret_hash, created_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &d.device_id,
            &account_id,
            &d.label,
            &&d.secret_hash[..],
            &ms(d.created_at),
        ],
    )
    .await
    .map(|_| ())
    .map_err(|e| {
        if is_unique_violation(&e) {
            StorageError::Conflict("device id")
        } else {
            be(e)
        }
    })
}

/// Stores grants of `epoch`, each only for a live device of this account that has none for
/// that epoch: a device can never hand the key to a revoked or foreign one. Returns how many
/// were stored. `FOR SHARE` holds a device that a concurrent revocation would otherwise
/// retire between the check and the insert.
async fn insert_grants(
    tx: &tokio_postgres::Transaction<'_>,
    account_id: Uuid,
    epoch: i64,
    grants: &[KeyGrant],
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let ins = tx
        .prepare(
            "INSERT INTO key_grants (account_id, device_id, epoch, blob, created_at)
             SELECT account_id, device_id, $3::BIGINT, $4::BYTEA, $5::BIGINT FROM devices
             WHERE account_id = $1 AND device_id = $2 AND revoked_at IS NULL
             FOR SHARE
             ON CONFLICT (device_id, epoch) DO NOTHING",
        )
        .await
        .map_err(be)?;
    let mut stored = 0;
    for g in grants {
        stored += tx
            .execute(
                &ins,
                &[&account_id, &g.device_id, &epoch, &g.blob, &ms(now)],
            )
            .await
            .map_err(be)?;
    }
    Ok(stored)
}

/// The account's key epoch, its row locked until the transaction ends so that rotations and
/// grants of one account take turns. `NoAccount` when the account is missing.
async fn lock_key_epoch(
    tx: &tokio_postgres::Transaction<'_>,
    account_id: Uuid,
) -> Result<i64, StorageError> {
    Ok(tx
        .query_opt(
            "SELECT key_epoch FROM accounts WHERE account_id = $1 FOR UPDATE",
            &[&account_id],
        )
        .await
        .map_err(be)?
        .ok_or(StorageError::NoAccount)?
        .get(0))
}

/// Locks the account's row (if there is one) until the transaction ends. Every revocation takes
/// it before touching a device, in the order `rotate_key` does (account, then devices), so a
/// revocation and a rotation of one account take turns instead of deadlocking.
async fn lock_account(
    tx: &tokio_postgres::Transaction<'_>,
    account_id: Uuid,
) -> Result<(), StorageError> {
    tx.execute(
        "SELECT 1 FROM accounts WHERE account_id = $1 FOR UPDATE",
        &[&account_id],
    )
    .await
    .map_err(be)?;
    Ok(())
}

/// Revokes one device of the account and every token family it holds; the caller holds
/// [`lock_account`]. `None` when the account has no such device, else whether it was live
/// until now: only then does the account's key become due for rotation, and the device's own
/// pending removal goes (it happened). Revoking twice keeps the first time.
async fn revoke_in(
    tx: &tokio_postgres::Transaction<'_>,
    account_id: Uuid,
    device_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<bool>, StorageError> {
    let live = tx
        .execute(
            "UPDATE devices SET revoked_at = $3, removal_asked_by = NULL, removal_at = NULL
             WHERE account_id = $1 AND device_id = $2 AND revoked_at IS NULL",
            &[&account_id, &device_id, &ms(now)],
        )
        .await
        .map_err(be)?
        == 1;
    if !live {
        let exists = tx
            .query_opt(
                "SELECT 1 FROM devices WHERE account_id = $1 AND device_id = $2",
                &[&account_id, &device_id],
            )
            .await
            .map_err(be)?
            .is_some();
        if !exists {
            return Ok(None);
        }
    }
    tx.execute(
        "UPDATE token_families SET revoked_at = COALESCE(revoked_at, $3)
         WHERE account_id = $1 AND device_id = $2",
        &[&account_id, &device_id, &ms(now)],
    )
    .await
    .map_err(be)?;
    if live {
        tx.execute(
            "UPDATE accounts SET rotation_due = TRUE WHERE account_id = $1",
            &[&account_id],
        )
        .await
        .map_err(be)?;
    }
    Ok(Some(live))
}

/// Whether the account has a removal to carry out or to drop (its asker gone). The usual
/// answer is no, from one probe of the partial index, so every sync round can ask.
const REMOVAL_WORK: &str = "SELECT 1 FROM devices d
     LEFT JOIN devices a ON a.device_id = d.removal_asked_by AND a.account_id = d.account_id
     WHERE d.account_id = $1 AND d.removal_at IS NOT NULL AND d.revoked_at IS NULL
       AND (d.removal_at <= $2 OR a.device_id IS NULL OR a.revoked_at IS NOT NULL)
     LIMIT 1";

#[async_trait]
impl HubStorage for PostgresStorage {
    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    async fn create_account_with_recovery(
        &self,
        account_id: Uuid,
        device: &NewDevice,
        recovery: Option<&RecoveryVerifier>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        tx.execute(
            "INSERT INTO accounts (account_id, created_at) VALUES ($1, $2)",
            &[&account_id, &ms(now)],
        )
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StorageError::Conflict("account id")
            } else {
                be(e)
            }
        })?;
        insert_device(&tx, account_id, device).await?;
        if let Some(r) = recovery {
            upsert_recovery(&tx, account_id, r, now).await?;
        }
        tx.commit().await.map_err(be)
    }

    async fn set_recovery(
        &self,
        account_id: Uuid,
        recovery: &RecoveryVerifier,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        require_account(&tx, account_id).await?;
        upsert_recovery(&tx, account_id, recovery, now).await?;
        tx.commit().await.map_err(be)
    }

    async fn recovery(&self, lookup: &str) -> Result<Option<(Uuid, Hash)>, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT account_id, verifier FROM account_recovery WHERE lookup = $1",
                &[&lookup],
            )
            .await
            .map_err(be)?;
        row.map(|r| Ok((r.get(0), hash_from(r.get(1))?)))
            .transpose()
    }

    async fn device(&self, device_id: Uuid) -> Result<Option<Device>, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                &format!("SELECT {DEVICE_COLS} FROM devices WHERE device_id = $1"),
                &[&device_id],
            )
            .await
            .map_err(be)?;
        row.as_ref().map(device_from).transpose()
    }

    async fn list_devices(&self, account_id: Uuid) -> Result<Vec<Device>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!(
                    "SELECT {DEVICE_COLS} FROM devices WHERE account_id = $1
                     ORDER BY created_at, device_id"
                ),
                &[&account_id],
            )
            .await
            .map_err(be)?;
        rows.iter().map(device_from).collect()
    }

    async fn add_device(&self, account_id: Uuid, device: &NewDevice) -> Result<(), StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        require_account(&tx, account_id).await?;
        insert_device(&tx, account_id, device).await?;
        tx.commit().await.map_err(be)
    }

    async fn revoke_device(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        lock_account(&tx, account_id).await?;
        let found = revoke_in(&tx, account_id, device_id, now).await?.is_some();
        tx.commit().await.map_err(be)?;
        Ok(found)
    }

    async fn set_device_key(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        key: &DeviceKey,
    ) -> Result<bool, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        // Grants are sealed to the key they were made for: a new key (the device lost its
        // secret) drops them, and another device grants the current key again.
        tx.execute(
            "DELETE FROM key_grants WHERE device_id = $2
               AND EXISTS (SELECT 1 FROM devices WHERE account_id = $1 AND device_id = $2
                             AND public_key IS NOT NULL AND public_key <> $3)",
            &[&account_id, &device_id, &key.public_key],
        )
        .await
        .map_err(be)?;
        let n = tx
            .execute(
                "UPDATE devices SET public_key = $3, key_tag = $4
                 WHERE account_id = $1 AND device_id = $2 AND revoked_at IS NULL",
                &[&account_id, &device_id, &key.public_key, &key.tag],
            )
            .await
            .map_err(be)?;
        tx.commit().await.map_err(be)?;
        Ok(n == 1)
    }

    async fn key_state(&self, account_id: Uuid, device_id: Uuid) -> Result<KeyState, StorageError> {
        let mut c = self.client().await?;
        // One snapshot: the epoch, the grant and the flags agree even while a rotation commits.
        let tx = c
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(be)?;
        let acc = tx
            .query_opt(
                "SELECT key_epoch, keyring, rotation_due,
                        EXISTS (SELECT 1 FROM account_recovery r
                                WHERE r.account_id = accounts.account_id)
                 FROM accounts WHERE account_id = $1",
                &[&account_id],
            )
            .await
            .map_err(be)?
            .ok_or(StorageError::NoAccount)?;
        let epoch: i64 = acc.get(0);
        let keyring: Option<Vec<u8>> = acc.get(1);
        let rotation_due: bool = acc.get(2);
        let recovery_set: bool = acc.get(3);
        let grant: Option<Vec<u8>> = tx
            .query_opt(
                "SELECT g.blob FROM key_grants g JOIN devices d ON d.device_id = g.device_id
                 WHERE g.device_id = $2 AND g.epoch = $3 AND d.account_id = $1",
                &[&account_id, &device_id, &epoch],
            )
            .await
            .map_err(be)?
            .map(|r| r.get(0));
        let rows = tx
            .query(
                "SELECT d.device_id, d.public_key, d.key_tag,
                        EXISTS (SELECT 1 FROM key_grants g
                                WHERE g.device_id = d.device_id AND g.epoch = $2)
                 FROM devices d
                 WHERE d.account_id = $1 AND d.revoked_at IS NULL
                 ORDER BY d.created_at, d.device_id",
                &[&account_id, &epoch],
            )
            .await
            .map_err(be)?;
        tx.commit().await.map_err(be)?;
        let devices = rows
            .iter()
            .map(|r| {
                let public_key: Option<Vec<u8>> = r.get(1);
                let tag: Option<Vec<u8>> = r.get(2);
                DeviceKeyInfo {
                    device_id: r.get(0),
                    key: public_key
                        .zip(tag)
                        .map(|(public_key, tag)| DeviceKey { public_key, tag }),
                    granted: r.get(3),
                }
            })
            .collect();
        Ok(KeyState {
            epoch,
            keyring,
            grant,
            devices,
            rotation_due,
            recovery_set,
        })
    }

    async fn rotate_key(
        &self,
        account_id: Uuid,
        rotation: &KeyRotation,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        // Two devices rotating at once take turns on the account row; the second sees the
        // epoch moved and gets false, its key never stored.
        let current = lock_key_epoch(&tx, account_id).await?;
        let due: bool = tx
            .query_one(
                "SELECT rotation_due FROM accounts WHERE account_id = $1",
                &[&account_id],
            )
            .await
            .map_err(be)?
            .get(0);
        // No device was removed since the last rotation: nothing to rotate for.
        if current.checked_add(1) != Some(rotation.epoch) || !due {
            return Ok(false);
        }
        tx.execute(
            "UPDATE accounts SET key_epoch = $2, keyring = $3, rotation_due = FALSE
             WHERE account_id = $1",
            &[&account_id, &rotation.epoch, &rotation.keyring],
        )
        .await
        .map_err(be)?;
        insert_grants(&tx, account_id, rotation.epoch, &rotation.grants, now).await?;
        if let Some(r) = &rotation.recovery {
            // An error here drops `tx`, which rolls the whole rotation back.
            upsert_recovery(&tx, account_id, r, now).await?;
        }
        tx.commit().await.map_err(be)?;
        Ok(true)
    }

    async fn add_grants(
        &self,
        account_id: Uuid,
        epoch: i64,
        grants: &[KeyGrant],
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        // The lock keeps a rotation from committing between this check and the inserts; a
        // grant of an older epoch would hand out a key the account has moved past.
        if lock_key_epoch(&tx, account_id).await? != epoch {
            return Ok(0);
        }
        let stored = insert_grants(&tx, account_id, epoch, grants, now).await?;
        tx.commit().await.map_err(be)?;
        Ok(stored)
    }

    async fn defer_revocation(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        asked_by: Uuid,
        effective_at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        // Under the account lock no revocation of the target or its asker lands in between.
        lock_account(&tx, account_id).await?;
        let Some(row) = tx
            .query_opt(
                "SELECT d.removal_at,
                        EXISTS (SELECT 1 FROM devices a
                                WHERE a.device_id = d.removal_asked_by
                                  AND a.account_id = d.account_id
                                  AND a.revoked_at IS NULL)
                 FROM devices d
                 WHERE d.account_id = $1 AND d.device_id = $2 AND d.revoked_at IS NULL",
                &[&account_id, &device_id],
            )
            .await
            .map_err(be)?
        else {
            return Ok(None);
        };
        let stands = match (row.get::<_, Option<i64>>(0), row.get::<_, bool>(1)) {
            // Asking again, or another device asking, must not push the removal back.
            (Some(at), true) => at,
            _ => {
                tx.execute(
                    "UPDATE devices SET removal_asked_by = $3, removal_at = $4
                     WHERE account_id = $1 AND device_id = $2",
                    &[&account_id, &device_id, &asked_by, &ms(effective_at)],
                )
                .await
                .map_err(be)?;
                ms(effective_at)
            }
        };
        tx.commit().await.map_err(be)?;
        Ok(Some(from_millis(stands)))
    }

    async fn pending_removals(
        &self,
        account_id: Uuid,
    ) -> Result<Vec<PendingRemoval>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT d.device_id, d.removal_asked_by, d.removal_at FROM devices d
                 JOIN devices a ON a.device_id = d.removal_asked_by
                 WHERE d.account_id = $1 AND d.removal_at IS NOT NULL AND d.revoked_at IS NULL
                   AND a.account_id = $1 AND a.revoked_at IS NULL
                 ORDER BY d.removal_at, d.device_id",
                &[&account_id],
            )
            .await
            .map_err(be)?;
        Ok(rows
            .iter()
            .map(|r| PendingRemoval {
                device_id: r.get(0),
                asked_by: r.get(1),
                effective_at: from_millis(r.get(2)),
            })
            .collect())
    }

    async fn apply_due_revocations(
        &self,
        account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let mut c = self.client().await?;
        // Outside a transaction and without locks: the usual round (nothing due) costs one
        // round trip and holds nothing up.
        if c.query_opt(REMOVAL_WORK, &[&account_id, &ms(now)])
            .await
            .map_err(be)?
            .is_none()
        {
            return Ok(0);
        }
        let tx = c.transaction().await.map_err(be)?;
        lock_account(&tx, account_id).await?;
        let pending = tx
            .query(
                "SELECT d.device_id, d.removal_asked_by, d.removal_at,
                        a.device_id IS NOT NULL AND a.revoked_at IS NULL
                 FROM devices d
                 LEFT JOIN devices a ON a.device_id = d.removal_asked_by
                                    AND a.account_id = d.account_id
                 WHERE d.account_id = $1 AND d.removal_at IS NOT NULL AND d.revoked_at IS NULL
                 ORDER BY d.removal_at, d.device_id",
                &[&account_id],
            )
            .await
            .map_err(be)?;
        let mut revoked: Vec<Uuid> = Vec::new();
        // In the order they came due: a removal whose asker an earlier one just removed is
        // dropped, as it would have been had someone synced in between.
        for r in &pending {
            let device_id: Uuid = r.get(0);
            let asked_by: Uuid = r.get(1);
            let at: i64 = r.get(2);
            let asker_live = r.get::<_, bool>(3) && !revoked.contains(&asked_by);
            if asker_live && at <= ms(now) {
                revoke_in(&tx, account_id, device_id, now).await?;
                revoked.push(device_id);
            } else if !asker_live {
                tx.execute(
                    "UPDATE devices SET removal_asked_by = NULL, removal_at = NULL
                     WHERE account_id = $1 AND device_id = $2",
                    &[&account_id, &device_id],
                )
                .await
                .map_err(be)?;
            }
        }
        tx.commit().await.map_err(be)?;
        Ok(revoked.len() as u64)
    }

    async fn insert_refresh(&self, t: &RefreshToken) -> Result<(), StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        tx.execute(
            "INSERT INTO token_families (family_id, account_id, device_id, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (family_id) DO NOTHING",
            &[&t.family_id, &t.account_id, &t.device_id, &ms(t.created_at)],
        )
        .await
        .map_err(be)?;
        tx.execute(
            "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
            &[
                &&t.hash[..],
                &t.family_id,
                &ms(t.created_at),
                &ms(t.expires_at),
            ],
        )
        .await
        .map_err(be)?;
        tx.commit().await.map_err(be)
    }

    async fn rotate_refresh(
        &self,
        old_hash: &Hash,
        next: &RefreshToken,
        now: DateTime<Utc>,
    ) -> Result<RotateOutcome, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        // FOR UPDATE: two refreshes racing with the same token must not both succeed; the
        // second waits and then sees the token used.
        let row = tx
            .query_opt(
                "SELECT rt.family_id, rt.expires_at, rt.used_at, f.account_id, f.device_id,
                        f.revoked_at, d.revoked_at
                 FROM refresh_tokens rt
                 JOIN token_families f ON f.family_id = rt.family_id
                 JOIN devices d ON d.device_id = f.device_id
                 WHERE rt.token_hash = $1
                 FOR UPDATE OF rt, f",
                &[&&old_hash[..]],
            )
            .await
            .map_err(be)?;
        let found = row.map(|r| PresentedToken {
            family_id: r.get(0),
            expires_at: r.get(1),
            used: r.get::<_, Option<i64>>(2).is_some(),
            account_id: r.get(3),
            device_id: r.get(4),
            family_revoked: r.get::<_, Option<i64>>(5).is_some(),
            device_revoked: r.get::<_, Option<i64>>(6).is_some(),
        });
        match rotate_step(found, now) {
            RotateStep::Refuse(outcome) => Ok(outcome),
            RotateStep::RevokeFamily(family) => {
                tx.execute(
                    "UPDATE token_families SET revoked_at = $2 WHERE family_id = $1",
                    &[&family, &ms(now)],
                )
                .await
                .map_err(be)?;
                tx.commit().await.map_err(be)?;
                Ok(RotateOutcome::Reused)
            }
            RotateStep::Rotate { family_id, outcome } => {
                tx.execute(
                    "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1",
                    &[&&old_hash[..], &ms(now)],
                )
                .await
                .map_err(be)?;
                tx.execute(
                    "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
                     VALUES ($1, $2, $3, $4)",
                    &[
                        &&next.hash[..],
                        &family_id,
                        &ms(next.created_at),
                        &ms(next.expires_at),
                    ],
                )
                .await
                .map_err(be)?;
                tx.commit().await.map_err(be)?;
                Ok(outcome)
            }
        }
    }

    async fn session_state(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        family_id: Uuid,
    ) -> Result<SessionState, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT d.revoked_at, f.revoked_at
                 FROM token_families f JOIN devices d ON d.device_id = f.device_id
                 WHERE f.family_id = $1 AND f.account_id = $2 AND f.device_id = $3
                   AND d.account_id = $2",
                &[&family_id, &account_id, &device_id],
            )
            .await
            .map_err(be)?;
        Ok(session_state(row.map(|r| (r.get(0), r.get(1)))))
    }

    async fn upload(
        &self,
        account_id: Uuid,
        _device_id: Uuid,
        batch: &UploadBatch,
        quota: Quota,
        now: DateTime<Utc>,
    ) -> Result<UploadOutcome, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        // The account row lock comes first: it orders concurrent uploads of one account, the
        // idempotency check below included.
        let acc = tx
            .query_opt(
                "SELECT last_seq, record_count, byte_count FROM accounts
                 WHERE account_id = $1 FOR UPDATE",
                &[&account_id],
            )
            .await
            .map_err(be)?
            .ok_or(StorageError::NoAccount)?;
        let earlier = tx
            .query_opt(
                "SELECT digest, stored, duplicates, last_seq FROM uploads
                 WHERE account_id = $1 AND upload_id = $2",
                &[&account_id, &batch.upload_id],
            )
            .await
            .map_err(be)?;
        if let Some(r) = earlier {
            let digest = hash_from(r.get(0))?;
            let result = UploadResult {
                stored: r.get::<_, i64>(1) as u32,
                duplicates: r.get::<_, i64>(2) as u32,
                last_seq: r.get(3),
            };
            return Ok(earlier_upload(&digest, batch, result));
        }
        let mut tally = UploadTally::new(acc.get(0), acc.get(1), acc.get(2));
        let ins = tx
            .prepare(
                "INSERT INTO records
                 (account_id, seq, entity, record_id, version, ciphertext, received_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (account_id, entity, record_id, version) DO NOTHING",
            )
            .await
            .map_err(be)?;
        for r in &batch.records {
            let n = tx
                .execute(
                    &ins,
                    &[
                        &account_id,
                        &tally.next_seq(),
                        &r.entity,
                        &r.record_id,
                        &r.version,
                        &r.ciphertext,
                        &ms(now),
                    ],
                )
                .await
                .map_err(be)?;
            tally.count(n == 1, r.ciphertext.len());
        }
        // Returning before commit drops `tx`, which rolls the batch back.
        if let Some(refusal) = tally.over_quota(quota) {
            return Ok(refusal);
        }
        let (last_seq, count, bytes) = tally.account_row();
        let result = tally.result();
        tx.execute(
            "UPDATE accounts SET last_seq = $2, record_count = $3, byte_count = $4
             WHERE account_id = $1",
            &[&account_id, &last_seq, &count, &bytes],
        )
        .await
        .map_err(be)?;
        tx.execute(
            "INSERT INTO uploads
             (account_id, upload_id, digest, stored, duplicates, last_seq, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &account_id,
                &batch.upload_id,
                &&batch.digest[..],
                &i64::from(result.stored),
                &i64::from(result.duplicates),
                &last_seq,
                &ms(now),
            ],
        )
        .await
        .map_err(be)?;
        tx.commit().await.map_err(be)?;
        Ok(UploadOutcome::Stored(result))
    }

    async fn download(
        &self,
        account_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT seq, record_id, entity, version, ciphertext FROM records
                 WHERE account_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                &[&account_id, &after, &i64::from(limit)],
            )
            .await
            .map_err(be)?;
        Ok(rows
            .iter()
            .map(|r| StoredRecord {
                seq: r.get(0),
                record_id: r.get(1),
                entity: r.get(2),
                version: r.get(3),
                ciphertext: r.get(4),
            })
            .collect())
    }

    async fn purge_record(
        &self,
        account_id: Uuid,
        entity: &str,
        record_id: &str,
    ) -> Result<u64, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        tx.execute(
            "SELECT 1 FROM accounts WHERE account_id = $1 FOR UPDATE",
            &[&account_id],
        )
        .await
        .map_err(be)?;
        let row = tx
            .query_one(
                "WITH gone AS (
                     DELETE FROM records
                     WHERE account_id = $1 AND entity = $2 AND record_id = $3
                     RETURNING length(ciphertext) AS len
                 )
                 SELECT count(*)::BIGINT, coalesce(sum(len), 0)::BIGINT FROM gone",
                &[&account_id, &entity, &record_id],
            )
            .await
            .map_err(be)?;
        let (n, bytes): (i64, i64) = (row.get(0), row.get(1));
        if n > 0 {
            tx.execute(
                "UPDATE accounts SET record_count = record_count - $2,
                                     byte_count = byte_count - $3
                 WHERE account_id = $1",
                &[&account_id, &n, &bytes],
            )
            .await
            .map_err(be)?;
        }
        tx.commit().await.map_err(be)?;
        Ok(n as u64)
    }

    async fn usage(&self, account_id: Uuid) -> Result<Usage, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT record_count, byte_count FROM accounts WHERE account_id = $1",
                &[&account_id],
            )
            .await
            .map_err(be)?
            .ok_or(StorageError::NoAccount)?;
        Ok(Usage {
            records: row.get::<_, i64>(0) as u64,
            bytes: row.get::<_, i64>(1) as u64,
        })
    }

    async fn total_usage(&self) -> Result<Usage, StorageError> {
        let c = self.client().await?;
        // SUM over BIGINT is NUMERIC in PostgreSQL; the cast brings it back to an i64.
        let row = c
            .query_one(
                "SELECT COALESCE(SUM(record_count), 0)::BIGINT,
                        COALESCE(SUM(byte_count), 0)::BIGINT
                 FROM accounts",
                &[],
            )
            .await
            .map_err(be)?;
        Ok(Usage {
            records: row.get::<_, i64>(0) as u64,
            bytes: row.get::<_, i64>(1) as u64,
        })
    }

    async fn put_pairing(
        &self,
        slot: &PairingSlot,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        tx.execute(
            "DELETE FROM pairing_slots WHERE expires_at <= $1",
            &[&ms(now)],
        )
        .await
        .map_err(be)?;
        let n = tx
            .execute(
                "INSERT INTO pairing_slots
                 (lookup_id, account_id, blob, created_at, expires_at, answerable)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (lookup_id) DO NOTHING",
                &[
                    &slot.lookup_id,
                    &slot.account_id,
                    &slot.blob,
                    &ms(slot.created_at),
                    &ms(slot.expires_at),
                    &slot.answerable,
                ],
            )
            .await
            .map_err(be)?;
        tx.commit().await.map_err(be)?;
        Ok(n == 1)
    }

    async fn take_pairing(
        &self,
        lookup_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Uuid, Vec<u8>)>, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "DELETE FROM pairing_slots WHERE lookup_id = $1 AND NOT answerable
                 RETURNING account_id, blob, expires_at",
                &[&lookup_id],
            )
            .await
            .map_err(be)?;
        Ok(live_pairing(
            row.map(|r| (r.get(0), r.get(1), r.get(2))),
            now,
        ))
    }

    async fn answer_pairing(
        &self,
        lookup_id: &str,
        answer: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<(Uuid, Vec<u8>)>, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "UPDATE pairing_slots SET answer = $2
                 WHERE lookup_id = $1 AND answerable AND answer IS NULL AND expires_at > $3
                 RETURNING account_id, blob",
                &[&lookup_id, &answer, &ms(now)],
            )
            .await
            .map_err(be)?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn drop_pairing(&self, account_id: Uuid, lookup_id: &str) -> Result<bool, StorageError> {
        let c = self.client().await?;
        let n = c
            .execute(
                "DELETE FROM pairing_slots WHERE lookup_id = $1 AND account_id = $2",
                &[&lookup_id, &account_id],
            )
            .await
            .map_err(be)?;
        Ok(n == 1)
    }

    async fn pairing_answer(
        &self,
        account_id: Uuid,
        lookup_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT answer FROM pairing_slots
                 WHERE lookup_id = $1 AND account_id = $2 AND expires_at > $3
                   AND answer IS NOT NULL",
                &[&lookup_id, &account_id, &ms(now)],
            )
            .await
            .map_err(be)?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn prune(
        &self,
        uploads_before: DateTime<Utc>,
        audit_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Pruned, StorageError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(be)?;
        let uploads = tx
            .execute(
                "DELETE FROM uploads WHERE created_at < $1",
                &[&ms(uploads_before)],
            )
            .await
            .map_err(be)?;
        let audit_entries = tx
            .execute("DELETE FROM audit_log WHERE at < $1", &[&ms(audit_before)])
            .await
            .map_err(be)?;
        let pairing_slots = tx
            .execute(
                "DELETE FROM pairing_slots WHERE expires_at <= $1",
                &[&ms(now)],
            )
            .await
            .map_err(be)?;
        tx.commit().await.map_err(be)?;
        Ok(Pruned {
            uploads,
            audit_entries,
            pairing_slots,
        })
    }

    async fn append_audit(&self, e: &AuditEntry) -> Result<(), StorageError> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO audit_log (account_id, device_id, action, detail, at)
             VALUES ($1, $2, $3, $4, $5)",
            &[&e.account_id, &e.device_id, &e.action, &e.detail, &ms(e.at)],
        )
        .await
        .map_err(be)?;
        Ok(())
    }

    async fn list_audit(
        &self,
        account_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT id, device_id, action, detail, at FROM audit_log
                 WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
                &[&account_id, &after, &i64::from(limit)],
            )
            .await
            .map_err(be)?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                id: r.get(0),
                account_id,
                device_id: r.get(1),
                action: r.get(2),
                detail: r.get(3),
                at: from_millis(r.get(4)),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    /// Shipped migrations are never edited (a hub that ran the old text would never run the
    /// new one): add the next `NNNN_*.sql` instead, and pin its hash here.
    #[test]
    fn shipped_migrations_are_unchanged() {
        let now = satchel_hub_core::migration_fingerprints(super::MIGRATIONS);
        assert_eq!(
            now,
            [
                0x56914b1a44bdedb0,
                0xbd1359359c43c818,
                0x30d045aa33dbb8fa,
                0x173721d8eef05ae3
            ]
        );
    }
}
