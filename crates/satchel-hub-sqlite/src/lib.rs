//! The hub's embedded backend: everything in one SQLite file, so `satchel-hub serve` with no
//! configuration needs no database server.
//!
//! SQLite allows one writer at a time, so writes go through one connection (which also makes
//! per-account sequence numbers trivially gapless), while reads use a small pool of their own
//! connections in WAL mode and never wait for a writer. rusqlite is blocking, so every call
//! runs on tokio's blocking pool, but only after it has won a first-come-first-served async
//! gate: otherwise a thousand waiting requests become hundreds of blocking threads fighting
//! over one unfair lock, and the unlucky ones wait seconds.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use satchel_hub_core::*;
use uuid::Uuid;

/// The embedded migrations, in order. Append only.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_hub.sql"),
    include_str!("../migrations/0002_recovery.sql"),
    include_str!("../migrations/0003_key_rotation.sql"),
    include_str!("../migrations/0004_pairing_answers.sql"),
];

const READERS: usize = 4;

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    /// FIFO queue for the writer (tokio's mutex is fair).
    write_gate: tokio::sync::Mutex<()>,
    /// One permit per reader connection, handed out in arrival order.
    read_gate: tokio::sync::Semaphore,
}

trait OrBackend<T> {
    fn be(self) -> Result<T, StorageError>;
}

impl<T> OrBackend<T> for rusqlite::Result<T> {
    fn be(self) -> Result<T, StorageError> {
        self.map_err(|e| StorageError::Backend(e.to_string()))
    }
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn blob(id: Uuid) -> [u8; 16] {
    *id.as_bytes()
}

fn uuid_col(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let b: Vec<u8> = row.get(i)?;
    Uuid::from_slice(&b).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e))
    })
}

fn hash_col(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Hash> {
    let b: Vec<u8> = row.get(i)?;
    hash_from_bytes(&b).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Blob,
            "hash is not 32 bytes".into(),
        )
    })
}

fn ms(t: DateTime<Utc>) -> i64 {
    to_millis(t)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // NORMAL in WAL mode loses at most the last commits on power loss, never consistency;
    // devices re-upload anything the hub did not acknowledge durably.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<(), StorageError> {
    conn.pragma_update(None, "journal_mode", "WAL").be()?;
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .be()?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    check_schema_version(current, MIGRATIONS.len())?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .be()?;
        tx.execute_batch(sql).be()?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .be()?;
        tx.commit().be()?;
    }
    Ok(())
}

impl SqliteStorage {
    /// Opens (creating if needed) the hub database at `path` and migrates it.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStorage, StorageError> {
        let path = path.as_ref().to_path_buf();
        let mut writer = Connection::open(&path).be()?;
        configure(&writer).be()?;
        migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .be()?;
            configure(&r).be()?;
            readers.push(Mutex::new(r));
        }
        Ok(SqliteStorage {
            inner: Arc::new(Inner {
                path,
                writer: Mutex::new(writer),
                readers,
                write_gate: tokio::sync::Mutex::new(()),
                read_gate: tokio::sync::Semaphore::new(READERS),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    async fn write<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let _turn = self.inner.write_gate.lock().await;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a transaction open (rusqlite rolls
            // back on drop), so a poisoned connection is still usable.
            let mut conn = inner.writer.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut conn)
        })
        .await
        .map_err(|e| StorageError::Backend(format!("blocking task failed: {e}")))?
    }

    async fn read<T, F>(&self, f: F) -> Result<T, StorageError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
    {
        let _permit = self
            .inner
            .read_gate
            .acquire()
            .await
            .map_err(|_| StorageError::Backend("the reader pool is closed".into()))?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // Holding a permit means at most READERS - 1 other readers are busy, so one
            // connection is free; a permit is only returned after its connection is.
            let conn = inner
                .readers
                .iter()
                .find_map(|c| c.try_lock().ok())
                .unwrap_or_else(|| inner.readers[0].lock().unwrap_or_else(|p| p.into_inner()));
            f(&conn)
        })
        .await
        .map_err(|e| StorageError::Backend(format!("blocking task failed: {e}")))?
    }
}

/// Refuses with [`StorageError::NoAccount`] when the account does not exist.
fn require_account(conn: &Connection, account_id: Uuid) -> Result<(), StorageError> {
    conn.query_row(
        "SELECT 1 FROM accounts WHERE account_id = ?1",
        [blob(account_id)],
        |r| r.get::<_, i64>(0),
    )
    .optional()
    .be()?
    .map(drop)
    .ok_or(StorageError::NoAccount)
}

fn insert_device(conn: &Connection, account_id: Uuid, d: &NewDevice) -> Result<(), StorageError> {
    match conn.execute(
        "INSERT INTO devices (device_id, account_id, label, secret_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            blob(d.device_id),
            blob(account_id),
            d.label,
            d.secret_hash,
            ms(d.created_at)
        ],
    ) {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(StorageError::Conflict("device id")),
        Err(e) => Err(StorageError::Backend(e.to_string())),
    }
}

/// Sets the account's one recovery row; the UNIQUE lookup refuses another account's.
fn upsert_recovery(
    conn: &Connection,
    account_id: Uuid,
    r: &RecoveryVerifier,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    match conn.execute(
        "INSERT INTO account_recovery (account_id, lookup, verifier, updated_at)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account_id) DO UPDATE
         SET lookup = excluded.lookup, verifier = excluded.verifier,
             updated_at = excluded.updated_at",
        params![blob(account_id), r.lookup, r.verifier, ms(now)],
    ) {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(StorageError::Conflict("recovery lookup")),
        Err(e) => Err(StorageError::Backend(e.to_string())),
    }
}

/// The account's key epoch, `NoAccount` when the account is missing.
fn key_epoch(conn: &Connection, account_id: Uuid) -> Result<i64, StorageError> {
    conn.query_row(
        "SELECT key_epoch FROM accounts WHERE account_id = ?1",
        [blob(account_id)],
        |r| r.get(0),
    )
    .optional()
    .be()?
    .ok_or(StorageError::NoAccount)
}

/// Revokes one device of the account and every token family it holds. `None` when the account
/// has no such device, else whether it was live until now: only then does the account's key
/// become due for rotation, and the device's own pending removal goes (it happened). Revoking
/// twice keeps the first time.
fn revoke_in(
    conn: &Connection,
    account_id: Uuid,
    device_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<bool>, StorageError> {
    let live = conn
        .execute(
            "UPDATE devices SET revoked_at = ?3, removal_asked_by = NULL, removal_at = NULL
             WHERE account_id = ?1 AND device_id = ?2 AND revoked_at IS NULL",
            params![blob(account_id), blob(device_id), ms(now)],
        )
        .be()?
        == 1;
    if !live {
        let exists = conn
            .query_row(
                "SELECT 1 FROM devices WHERE account_id = ?1 AND device_id = ?2",
                params![blob(account_id), blob(device_id)],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .be()?
            .is_some();
        if !exists {
            return Ok(None);
        }
    }
    conn.execute(
        "UPDATE token_families SET revoked_at = COALESCE(revoked_at, ?3)
         WHERE account_id = ?1 AND device_id = ?2",
        params![blob(account_id), blob(device_id), ms(now)],
    )
    .be()?;
    if live {
        conn.execute(
            "UPDATE accounts SET rotation_due = 1 WHERE account_id = ?1",
            [blob(account_id)],
        )
        .be()?;
    }
    Ok(Some(live))
}

/// Whether the account has a removal to carry out or to drop (its asker gone). The usual
/// answer is no, from one probe of the partial index, so every sync round can ask.
const REMOVAL_WORK: &str = "SELECT 1 FROM devices d
     LEFT JOIN devices a ON a.device_id = d.removal_asked_by AND a.account_id = d.account_id
     WHERE d.account_id = ?1 AND d.removal_at IS NOT NULL AND d.revoked_at IS NULL
       AND (d.removal_at <= ?2 OR a.device_id IS NULL OR a.revoked_at IS NOT NULL)
     LIMIT 1";

/// Stores grants of `epoch`, each only for a live device of this account that has none for
/// that epoch: a device can never hand the key to a revoked or foreign one. Returns how many
/// were stored.
fn insert_grants(
    conn: &Connection,
    account_id: Uuid,
    epoch: i64,
    grants: &[KeyGrant],
    now: DateTime<Utc>,
) -> Result<u64, StorageError> {
    let mut st = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO key_grants (account_id, device_id, epoch, blob, created_at)
             SELECT account_id, device_id, ?3, ?4, ?5 FROM devices
             WHERE account_id = ?1 AND device_id = ?2 AND revoked_at IS NULL",
        )
        .be()?;
    let mut stored = 0;
    for g in grants {
        stored += st
            .execute(params![
                blob(account_id),
                blob(g.device_id),
                epoch,
                g.blob,
                ms(now)
            ])
            .be()? as u64;
    }
    Ok(stored)
}

/// Columns: device_id, public_key, key_tag, granted.
fn read_key_info(row: &rusqlite::Row<'_>) -> rusqlite::Result<DeviceKeyInfo> {
    let public_key: Option<Vec<u8>> = row.get(1)?;
    let tag: Option<Vec<u8>> = row.get(2)?;
    Ok(DeviceKeyInfo {
        device_id: uuid_col(row, 0)?,
        key: public_key
            .zip(tag)
            .map(|(public_key, tag)| DeviceKey { public_key, tag }),
        granted: row.get(3)?,
    })
}

fn read_device(row: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        device_id: uuid_col(row, 0)?,
        account_id: uuid_col(row, 1)?,
        label: row.get(2)?,
        secret_hash: hash_col(row, 3)?,
        created_at: from_millis(row.get(4)?),
        revoked_at: row.get::<_, Option<i64>>(5)?.map(from_millis),
    })
}

const DEVICE_COLS: &str = "device_id, account_id, label, secret_hash, created_at, revoked_at";

#[async_trait]
impl HubStorage for SqliteStorage {
    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    async fn create_account_with_recovery(
        &self,
        account_id: Uuid,
        device: &NewDevice,
        recovery: Option<&RecoveryVerifier>,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let device = device.clone();
        let recovery = recovery.cloned();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            match tx.execute(
                "INSERT INTO accounts (account_id, created_at) VALUES (?1, ?2)",
                params![blob(account_id), ms(now)],
            ) {
                Ok(_) => {}
                Err(e) if is_unique_violation(&e) => {
                    return Err(StorageError::Conflict("account id"))
                }
                Err(e) => return Err(StorageError::Backend(e.to_string())),
            }
            insert_device(&tx, account_id, &device)?;
            if let Some(r) = &recovery {
                upsert_recovery(&tx, account_id, r, now)?;
            }
            tx.commit().be()
        })
        .await
    }

    async fn set_recovery(
        &self,
        account_id: Uuid,
        recovery: &RecoveryVerifier,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let recovery = recovery.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            require_account(&tx, account_id)?;
            upsert_recovery(&tx, account_id, &recovery, now)?;
            tx.commit().be()
        })
        .await
    }

    async fn recovery(&self, lookup: &str) -> Result<Option<(Uuid, Hash)>, StorageError> {
        let lookup = lookup.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT account_id, verifier FROM account_recovery WHERE lookup = ?1",
            )
            .be()?
            .query_row([lookup], |r| Ok((uuid_col(r, 0)?, hash_col(r, 1)?)))
            .optional()
            .be()
        })
        .await
    }

    async fn device(&self, device_id: Uuid) -> Result<Option<Device>, StorageError> {
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {DEVICE_COLS} FROM devices WHERE device_id = ?1"
            ))
            .be()?
            .query_row([blob(device_id)], read_device)
            .optional()
            .be()
        })
        .await
    }

    async fn list_devices(&self, account_id: Uuid) -> Result<Vec<Device>, StorageError> {
        self.read(move |conn| {
            let mut st = conn
                .prepare_cached(&format!(
                    "SELECT {DEVICE_COLS} FROM devices WHERE account_id = ?1
                     ORDER BY created_at, device_id"
                ))
                .be()?;
            let rows = st.query_map([blob(account_id)], read_device).be()?;
            rows.collect::<rusqlite::Result<Vec<_>>>().be()
        })
        .await
    }

    async fn add_device(&self, account_id: Uuid, device: &NewDevice) -> Result<(), StorageError> {
        let device = device.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            require_account(&tx, account_id)?;
            insert_device(&tx, account_id, &device)?;
            tx.commit().be()
        })
        .await
    }

    async fn revoke_device(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            let found = revoke_in(&tx, account_id, device_id, now)?.is_some();
            tx.commit().be()?;
            Ok(found)
        })
        .await
    }

    async fn set_device_key(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        key: &DeviceKey,
    ) -> Result<bool, StorageError> {
        let key = key.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            // Grants are sealed to the key they were made for: a new key (the device lost its
            // secret) drops them, and another device grants the current key again.
            tx.execute(
                "DELETE FROM key_grants WHERE device_id = ?2
                   AND EXISTS (SELECT 1 FROM devices WHERE account_id = ?1 AND device_id = ?2
                                 AND public_key IS NOT NULL AND public_key <> ?3)",
                params![blob(account_id), blob(device_id), key.public_key],
            )
            .be()?;
            let n = tx
                .execute(
                    "UPDATE devices SET public_key = ?3, key_tag = ?4
                     WHERE account_id = ?1 AND device_id = ?2 AND revoked_at IS NULL",
                    params![blob(account_id), blob(device_id), key.public_key, key.tag],
                )
                .be()?;
            tx.commit().be()?;
            Ok(n == 1)
        })
        .await
    }

    async fn key_state(&self, account_id: Uuid, device_id: Uuid) -> Result<KeyState, StorageError> {
        self.read(move |conn| {
            // One read transaction: the epoch, the grant and the flags come from one snapshot
            // even while a rotation commits.
            let tx = conn.unchecked_transaction().be()?;
            let (epoch, keyring, rotation_due, recovery_set) = tx
                .query_row(
                    "SELECT key_epoch, keyring, rotation_due,
                            EXISTS (SELECT 1 FROM account_recovery r
                                    WHERE r.account_id = accounts.account_id)
                     FROM accounts WHERE account_id = ?1",
                    [blob(account_id)],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, Option<Vec<u8>>>(1)?,
                            r.get::<_, bool>(2)?,
                            r.get::<_, bool>(3)?,
                        ))
                    },
                )
                .optional()
                .be()?
                .ok_or(StorageError::NoAccount)?;
            let grant = tx
                .query_row(
                    "SELECT g.blob FROM key_grants g JOIN devices d ON d.device_id = g.device_id
                     WHERE g.device_id = ?2 AND g.epoch = ?3 AND d.account_id = ?1",
                    params![blob(account_id), blob(device_id), epoch],
                    |r| r.get::<_, Vec<u8>>(0),
                )
                .optional()
                .be()?;
            let devices = {
                let mut st = tx
                    .prepare_cached(
                        "SELECT d.device_id, d.public_key, d.key_tag,
                                EXISTS (SELECT 1 FROM key_grants g
                                        WHERE g.device_id = d.device_id AND g.epoch = ?2)
                         FROM devices d
                         WHERE d.account_id = ?1 AND d.revoked_at IS NULL
                         ORDER BY d.created_at, d.device_id",
                    )
                    .be()?;
                let rows = st
                    .query_map(params![blob(account_id), epoch], read_key_info)
                    .be()?;
                rows.collect::<rusqlite::Result<Vec<_>>>().be()?
            };
            tx.commit().be()?;
            Ok(KeyState {
                epoch,
                keyring,
                grant,
                devices,
                rotation_due,
                recovery_set,
            })
        })
        .await
    }

    async fn rotate_key(
        &self,
        account_id: Uuid,
        rotation: &KeyRotation,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let rotation = rotation.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            let current = key_epoch(&tx, account_id)?;
            let due: bool = tx
                .query_row(
                    "SELECT rotation_due FROM accounts WHERE account_id = ?1",
                    [blob(account_id)],
                    |r| r.get(0),
                )
                .be()?;
            // Another device rotated first (its key stands, and this one starts over from it),
            // or no device was removed since the last rotation: nothing to rotate for.
            if current.checked_add(1) != Some(rotation.epoch) || !due {
                return Ok(false);
            }
            tx.execute(
                "UPDATE accounts SET key_epoch = ?2, keyring = ?3, rotation_due = 0
                 WHERE account_id = ?1",
                params![blob(account_id), rotation.epoch, rotation.keyring],
            )
            .be()?;
            insert_grants(&tx, account_id, rotation.epoch, &rotation.grants, now)?;
            if let Some(r) = &rotation.recovery {
                // An error here drops `tx`, which rolls the whole rotation back.
                upsert_recovery(&tx, account_id, r, now)?;
            }
            tx.commit().be()?;
            Ok(true)
        })
        .await
    }

    async fn add_grants(
        &self,
        account_id: Uuid,
        epoch: i64,
        grants: &[KeyGrant],
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let grants = grants.to_vec();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            // A grant of an older epoch would hand out a key the account has moved past.
            if key_epoch(&tx, account_id)? != epoch {
                return Ok(0);
            }
            let stored = insert_grants(&tx, account_id, epoch, &grants, now)?;
            tx.commit().be()?;
            Ok(stored)
        })
        .await
    }

    async fn defer_revocation(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        asked_by: Uuid,
        effective_at: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StorageError> {
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            // The target's pending time, if any, and whether its asker is still live.
            let found = tx
                .query_row(
                    "SELECT d.removal_at,
                            EXISTS (SELECT 1 FROM devices a
                                    WHERE a.device_id = d.removal_asked_by
                                      AND a.account_id = d.account_id
                                      AND a.revoked_at IS NULL)
                     FROM devices d
                     WHERE d.account_id = ?1 AND d.device_id = ?2 AND d.revoked_at IS NULL",
                    params![blob(account_id), blob(device_id)],
                    |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, bool>(1)?)),
                )
                .optional()
                .be()?;
            let stands = match found {
                None => return Ok(None),
                // Asking again, or another device asking, must not push the removal back.
                Some((Some(at), true)) => at,
                Some(_) => {
                    tx.execute(
                        "UPDATE devices SET removal_asked_by = ?3, removal_at = ?4
                         WHERE account_id = ?1 AND device_id = ?2",
                        params![
                            blob(account_id),
                            blob(device_id),
                            blob(asked_by),
                            ms(effective_at)
                        ],
                    )
                    .be()?;
                    ms(effective_at)
                }
            };
            tx.commit().be()?;
            Ok(Some(from_millis(stands)))
        })
        .await
    }

    async fn pending_removals(
        &self,
        account_id: Uuid,
    ) -> Result<Vec<PendingRemoval>, StorageError> {
        self.read(move |conn| {
            let mut st = conn
                .prepare_cached(
                    "SELECT d.device_id, d.removal_asked_by, d.removal_at FROM devices d
                     JOIN devices a ON a.device_id = d.removal_asked_by
                     WHERE d.account_id = ?1 AND d.removal_at IS NOT NULL
                       AND d.revoked_at IS NULL
                       AND a.account_id = ?1 AND a.revoked_at IS NULL
                     ORDER BY d.removal_at, d.device_id",
                )
                .be()?;
            let rows = st
                .query_map([blob(account_id)], |r| {
                    Ok(PendingRemoval {
                        device_id: uuid_col(r, 0)?,
                        asked_by: uuid_col(r, 1)?,
                        effective_at: from_millis(r.get(2)?),
                    })
                })
                .be()?;
            rows.collect::<rusqlite::Result<Vec<_>>>().be()
        })
        .await
    }

    async fn apply_due_revocations(
        &self,
        account_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        // Asked first on a reader, so the usual round (nothing due) never waits for the writer.
        let work = self
            .read(move |conn| {
                conn.prepare_cached(REMOVAL_WORK)
                    .be()?
                    .query_row(params![blob(account_id), ms(now)], |r| r.get::<_, i64>(0))
                    .optional()
                    .be()
            })
            .await?;
        if work.is_none() {
            return Ok(0);
        }
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            let pending = {
                let mut st = tx
                    .prepare_cached(
                        "SELECT d.device_id, d.removal_asked_by, d.removal_at,
                                a.device_id IS NOT NULL AND a.revoked_at IS NULL
                         FROM devices d
                         LEFT JOIN devices a ON a.device_id = d.removal_asked_by
                                            AND a.account_id = d.account_id
                         WHERE d.account_id = ?1 AND d.removal_at IS NOT NULL
                           AND d.revoked_at IS NULL
                         ORDER BY d.removal_at, d.device_id",
                    )
                    .be()?;
                let rows = st
                    .query_map([blob(account_id)], |r| {
                        Ok((
                            uuid_col(r, 0)?,
                            uuid_col(r, 1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, bool>(3)?,
                        ))
                    })
                    .be()?;
                rows.collect::<rusqlite::Result<Vec<_>>>().be()?
            };
            let mut revoked = Vec::new();
            // In the order they came due: a removal whose asker an earlier one just removed
            // is dropped, as it would have been had someone synced in between.
            for (device_id, asked_by, at, asker_live) in pending {
                let asker_live = asker_live && !revoked.contains(&asked_by);
                if asker_live && at <= ms(now) {
                    revoke_in(&tx, account_id, device_id, now)?;
                    revoked.push(device_id);
                } else if !asker_live {
                    tx.execute(
                        "UPDATE devices SET removal_asked_by = NULL, removal_at = NULL
                         WHERE account_id = ?1 AND device_id = ?2",
                        params![blob(account_id), blob(device_id)],
                    )
                    .be()?;
                }
            }
            tx.commit().be()?;
            Ok(revoked.len() as u64)
        })
        .await
    }

    async fn insert_refresh(&self, token: &RefreshToken) -> Result<(), StorageError> {
        let t = token.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            tx.execute(
                "INSERT OR IGNORE INTO token_families (family_id, account_id, device_id, created_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    blob(t.family_id),
                    blob(t.account_id),
                    blob(t.device_id),
                    ms(t.created_at)
                ],
            )
            .be()?;
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    t.hash,
                    blob(t.family_id),
                    ms(t.created_at),
                    ms(t.expires_at)
                ],
            )
            .be()?;
            tx.commit().be()
        })
        .await
    }

    async fn rotate_refresh(
        &self,
        old_hash: &Hash,
        next: &RefreshToken,
        now: DateTime<Utc>,
    ) -> Result<RotateOutcome, StorageError> {
        let old_hash = *old_hash;
        let next = next.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            let found = tx
                .query_row(
                    "SELECT rt.family_id, rt.expires_at, rt.used_at, f.account_id, f.device_id,
                            f.revoked_at, d.revoked_at
                     FROM refresh_tokens rt
                     JOIN token_families f ON f.family_id = rt.family_id
                     JOIN devices d ON d.device_id = f.device_id
                     WHERE rt.token_hash = ?1",
                    [old_hash],
                    |r| {
                        Ok(PresentedToken {
                            family_id: uuid_col(r, 0)?,
                            expires_at: r.get(1)?,
                            used: r.get::<_, Option<i64>>(2)?.is_some(),
                            account_id: uuid_col(r, 3)?,
                            device_id: uuid_col(r, 4)?,
                            family_revoked: r.get::<_, Option<i64>>(5)?.is_some(),
                            device_revoked: r.get::<_, Option<i64>>(6)?.is_some(),
                        })
                    },
                )
                .optional()
                .be()?;
            match rotate_step(found, now) {
                RotateStep::Refuse(outcome) => Ok(outcome),
                RotateStep::RevokeFamily(family) => {
                    tx.execute(
                        "UPDATE token_families SET revoked_at = ?2 WHERE family_id = ?1",
                        params![blob(family), ms(now)],
                    )
                    .be()?;
                    tx.commit().be()?;
                    Ok(RotateOutcome::Reused)
                }
                RotateStep::Rotate { family_id, outcome } => {
                    tx.execute(
                        "UPDATE refresh_tokens SET used_at = ?2 WHERE token_hash = ?1",
                        params![old_hash, ms(now)],
                    )
                    .be()?;
                    tx.execute(
                        "INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at)
                         VALUES (?1, ?2, ?3, ?4)",
                        params![
                            next.hash,
                            blob(family_id),
                            ms(next.created_at),
                            ms(next.expires_at)
                        ],
                    )
                    .be()?;
                    tx.commit().be()?;
                    Ok(outcome)
                }
            }
        })
        .await
    }

    async fn session_state(
        &self,
        account_id: Uuid,
        device_id: Uuid,
        family_id: Uuid,
    ) -> Result<SessionState, StorageError> {
        self.read(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT d.revoked_at, f.revoked_at
                     FROM token_families f JOIN devices d ON d.device_id = f.device_id
                     WHERE f.family_id = ?1 AND f.account_id = ?2 AND f.device_id = ?3
                       AND d.account_id = ?2",
                )
                .be()?
                .query_row(
                    params![blob(family_id), blob(account_id), blob(device_id)],
                    |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
                )
                .optional()
                .be()?;
            Ok(session_state(row))
        })
        .await
    }

    async fn upload(
        &self,
        account_id: Uuid,
        _device_id: Uuid,
        batch: &UploadBatch,
        quota: Quota,
        now: DateTime<Utc>,
    ) -> Result<UploadOutcome, StorageError> {
        let batch = batch.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            let earlier = tx
                .query_row(
                    "SELECT digest, stored, duplicates, last_seq FROM uploads
                     WHERE account_id = ?1 AND upload_id = ?2",
                    params![blob(account_id), blob(batch.upload_id)],
                    |r| {
                        Ok((
                            hash_col(r, 0)?,
                            UploadResult {
                                stored: r.get(1)?,
                                duplicates: r.get(2)?,
                                last_seq: r.get(3)?,
                            },
                        ))
                    },
                )
                .optional()
                .be()?;
            if let Some((digest, result)) = earlier {
                return Ok(earlier_upload(&digest, &batch, result));
            }
            let mut tally = tx
                .query_row(
                    "SELECT last_seq, record_count, byte_count FROM accounts
                     WHERE account_id = ?1",
                    [blob(account_id)],
                    |r| Ok(UploadTally::new(r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .be()?
                .ok_or(StorageError::NoAccount)?;
            {
                let mut ins = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO records
                         (account_id, seq, entity, record_id, version, ciphertext, received_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    )
                    .be()?;
                for r in &batch.records {
                    let n = ins
                        .execute(params![
                            blob(account_id),
                            tally.next_seq(),
                            r.entity,
                            r.record_id,
                            r.version,
                            r.ciphertext,
                            ms(now)
                        ])
                        .be()?;
                    tally.count(n == 1, r.ciphertext.len());
                }
            }
            // Dropping `tx` without commit rolls the whole batch back.
            if let Some(refusal) = tally.over_quota(quota) {
                return Ok(refusal);
            }
            let (last_seq, count, bytes) = tally.account_row();
            tx.execute(
                "UPDATE accounts SET last_seq = ?2, record_count = ?3, byte_count = ?4
                 WHERE account_id = ?1",
                params![blob(account_id), last_seq, count, bytes],
            )
            .be()?;
            let result = tally.result();
            tx.execute(
                "INSERT INTO uploads
                 (account_id, upload_id, digest, stored, duplicates, last_seq, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    blob(account_id),
                    blob(batch.upload_id),
                    batch.digest,
                    result.stored,
                    result.duplicates,
                    result.last_seq,
                    ms(now)
                ],
            )
            .be()?;
            tx.commit().be()?;
            Ok(UploadOutcome::Stored(result))
        })
        .await
    }

    async fn download(
        &self,
        account_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StorageError> {
        self.read(move |conn| {
            let mut st = conn
                .prepare_cached(
                    "SELECT seq, record_id, entity, version, ciphertext FROM records
                     WHERE account_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                )
                .be()?;
            let rows = st
                .query_map(params![blob(account_id), after, limit], |r| {
                    Ok(StoredRecord {
                        seq: r.get(0)?,
                        record_id: r.get(1)?,
                        entity: r.get(2)?,
                        version: r.get(3)?,
                        ciphertext: r.get(4)?,
                    })
                })
                .be()?;
            rows.collect::<rusqlite::Result<Vec<_>>>().be()
        })
        .await
    }

    async fn purge_record(
        &self,
        account_id: Uuid,
        entity: &str,
        record_id: &str,
    ) -> Result<u64, StorageError> {
        let (entity, record_id) = (entity.to_owned(), record_id.to_owned());
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            let (n, bytes): (i64, i64) = tx
                .query_row(
                    "SELECT count(*), coalesce(sum(length(ciphertext)), 0) FROM records
                     WHERE account_id = ?1 AND entity = ?2 AND record_id = ?3",
                    params![blob(account_id), entity, record_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .be()?;
            if n > 0 {
                tx.execute(
                    "DELETE FROM records WHERE account_id = ?1 AND entity = ?2 AND record_id = ?3",
                    params![blob(account_id), entity, record_id],
                )
                .be()?;
                tx.execute(
                    "UPDATE accounts SET record_count = record_count - ?2,
                                         byte_count = byte_count - ?3
                     WHERE account_id = ?1",
                    params![blob(account_id), n, bytes],
                )
                .be()?;
            }
            tx.commit().be()?;
            Ok(n as u64)
        })
        .await
    }

    async fn usage(&self, account_id: Uuid) -> Result<Usage, StorageError> {
        self.read(move |conn| {
            conn.query_row(
                "SELECT record_count, byte_count FROM accounts WHERE account_id = ?1",
                [blob(account_id)],
                |r| {
                    Ok(Usage {
                        records: r.get::<_, i64>(0)? as u64,
                        bytes: r.get::<_, i64>(1)? as u64,
                    })
                },
            )
            .optional()
            .be()?
            .ok_or(StorageError::NoAccount)
        })
        .await
    }

    async fn total_usage(&self) -> Result<Usage, StorageError> {
        self.read(move |conn| {
            conn.query_row(
                "SELECT COALESCE(SUM(record_count), 0), COALESCE(SUM(byte_count), 0)
                 FROM accounts",
                [],
                |r| {
                    Ok(Usage {
                        records: r.get::<_, i64>(0)? as u64,
                        bytes: r.get::<_, i64>(1)? as u64,
                    })
                },
            )
            .be()
        })
        .await
    }

    async fn put_pairing(
        &self,
        slot: &PairingSlot,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let slot = slot.clone();
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            // Sweeping every expired slot here keeps the table as small as the live codes.
            tx.execute(
                "DELETE FROM pairing_slots WHERE expires_at <= ?1",
                [ms(now)],
            )
            .be()?;
            let n = tx
                .execute(
                    "INSERT OR IGNORE INTO pairing_slots
                     (lookup_id, account_id, blob, created_at, expires_at, answerable)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        slot.lookup_id,
                        blob(slot.account_id),
                        slot.blob,
                        ms(slot.created_at),
                        ms(slot.expires_at),
                        slot.answerable
                    ],
                )
                .be()?;
            tx.commit().be()?;
            Ok(n == 1)
        })
        .await
    }

    async fn take_pairing(
        &self,
        lookup_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Uuid, Vec<u8>)>, StorageError> {
        let lookup_id = lookup_id.to_owned();
        self.write(move |conn| {
            // Expired or not, the slot goes: a stale code must not linger.
            conn.query_row(
                "DELETE FROM pairing_slots WHERE lookup_id = ?1 AND answerable = 0
                 RETURNING account_id, blob, expires_at",
                [lookup_id],
                |r| {
                    Ok((
                        uuid_col(r, 0)?,
                        r.get::<_, Vec<u8>>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )
            .optional()
            .be()
            .map(|row| live_pairing(row, now))
        })
        .await
    }

    async fn answer_pairing(
        &self,
        lookup_id: &str,
        answer: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<(Uuid, Vec<u8>)>, StorageError> {
        let (lookup_id, answer) = (lookup_id.to_owned(), answer.to_vec());
        self.write(move |conn| {
            conn.query_row(
                "UPDATE pairing_slots SET answer = ?2
                 WHERE lookup_id = ?1 AND answerable = 1 AND answer IS NULL AND expires_at > ?3
                 RETURNING account_id, blob",
                params![lookup_id, answer, ms(now)],
                |r| Ok((uuid_col(r, 0)?, r.get::<_, Vec<u8>>(1)?)),
            )
            .optional()
            .be()
        })
        .await
    }

    async fn drop_pairing(&self, account_id: Uuid, lookup_id: &str) -> Result<bool, StorageError> {
        let lookup_id = lookup_id.to_owned();
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM pairing_slots WHERE lookup_id = ?1 AND account_id = ?2",
                params![lookup_id, blob(account_id)],
            )
            .be()
            .map(|n| n == 1)
        })
        .await
    }

    async fn pairing_answer(
        &self,
        account_id: Uuid,
        lookup_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<u8>>, StorageError> {
        let lookup_id = lookup_id.to_owned();
        self.read(move |conn| {
            conn.query_row(
                "SELECT answer FROM pairing_slots
                 WHERE lookup_id = ?1 AND account_id = ?2 AND expires_at > ?3
                   AND answer IS NOT NULL",
                params![lookup_id, blob(account_id), ms(now)],
                |r| r.get::<_, Vec<u8>>(0),
            )
            .optional()
            .be()
        })
        .await
    }

    async fn prune(
        &self,
        uploads_before: DateTime<Utc>,
        audit_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Pruned, StorageError> {
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .be()?;
            let uploads = tx
                .execute(
                    "DELETE FROM uploads WHERE created_at < ?1",
                    [ms(uploads_before)],
                )
                .be()?;
            let audit_entries = tx
                .execute("DELETE FROM audit_log WHERE at < ?1", [ms(audit_before)])
                .be()?;
            let pairing_slots = tx
                .execute(
                    "DELETE FROM pairing_slots WHERE expires_at <= ?1",
                    [ms(now)],
                )
                .be()?;
            tx.commit().be()?;
            Ok(Pruned {
                uploads: uploads as u64,
                audit_entries: audit_entries as u64,
                pairing_slots: pairing_slots as u64,
            })
        })
        .await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StorageError> {
        let e = entry.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO audit_log (account_id, device_id, action, detail, at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .be()?
            .execute(params![
                blob(e.account_id),
                e.device_id.map(blob),
                e.action,
                e.detail,
                ms(e.at)
            ])
            .be()?;
            Ok(())
        })
        .await
    }

    async fn list_audit(
        &self,
        account_id: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StorageError> {
        self.read(move |conn| {
            let mut st = conn
                .prepare_cached(
                    "SELECT id, device_id, action, detail, at FROM audit_log
                     WHERE account_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                )
                .be()?;
            let rows = st
                .query_map(params![blob(account_id), after, limit], |r| {
                    let dev: Option<Vec<u8>> = r.get(1)?;
                    Ok(AuditEntry {
                        id: r.get(0)?,
                        account_id,
                        device_id: dev.and_then(|b| Uuid::from_slice(&b).ok()),
                        action: r.get(2)?,
                        detail: r.get(3)?,
                        at: from_millis(r.get(4)?),
                    })
                })
                .be()?;
            rows.collect::<rusqlite::Result<Vec<_>>>().be()
        })
        .await
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
                0xc30bf04d1720bd9a,
                0x80be6580dd4aa344,
                0x53af2af72ba47b95,
                0x5c765b1c749ca985
            ]
        );
    }
}
