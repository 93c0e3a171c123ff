//! Satchel's local database: the address book, shipments and the change log, in one SQLite
//! file on the device.
//!
//! This is the only crate that uses rusqlite. Everything a merchant types in offline lives
//! here, so the rules are strict: the schema comes only from the numbered files in the
//! top-level `migrations/` (applied on open), every write is one IMMEDIATE transaction, and
//! every change is stamped with a hybrid logical clock and appended to `change_log` for the
//! sync engine. Records are never hard-deleted: a delete is a tombstone that syncs.
//!
//! The store reads wall time only through [`Clock`], so tests can pin it and a clock that
//! jumps backwards cannot reorder changes (the HLC high-water mark is persisted).
#![forbid(unsafe_code)]

pub mod assess;
pub mod catalogue;
pub mod contacts;
pub mod csv_io;
mod error;
pub mod hlc;
pub mod merge;
pub mod migrate;
pub mod outbox;
mod search;
pub mod shipments;
pub mod tariffs;

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use serde_json::{Map, Value};

pub use catalogue::{OrderDraft, OrdersImport};
pub use contacts::{Contact, ContactInput, ContactKind, ContactQuery};
pub use error::{Error, Result};
pub use hlc::Hlc;
pub use merge::{ApplyReport, RemoteChange};
pub use migrate::{latest_version, MIGRATIONS};
pub use outbox::{Claim, ErrorKind, Job, JobKind, JobState, LabelPrint, Queued, TrackingEvent};
pub use shipments::{
    Assessment, EcshipOrder, ShipmentDraft, ShipmentFilter, ShipmentRecord, ShipmentState,
    StoredProblem, StoredQuote,
};
pub use tariffs::{NewTariff, StoredTariff, SyncedTariff, TariffValidators, TARIFF_PART};

/// Where the store reads wall time (milliseconds since the Unix epoch).
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now_ms(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the store's clock adapter
    fn now_ms(&self) -> u64 {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    }
}

/// An open store. Not `Sync`: the shell keeps it behind a mutex.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    device: String,
    clock: Box<dyn Clock>,
    hlc: hlc::HlcClock,
}

/// What a write transaction sees: the SQLite transaction plus a stamp source. Every change
/// goes through [`Writer::log`], so nothing reaches the database without a change-log row.
pub(crate) struct Writer<'a> {
    pub tx: rusqlite::Transaction<'a>,
    hlc: hlc::HlcClock,
    device: &'a str,
    pub now_ms: u64,
}

impl Writer<'_> {
    /// A fresh clock stamp for one change.
    pub fn stamp(&mut self) -> Hlc {
        self.hlc.tick(self.now_ms, self.device)
    }

    /// Appends one change to the change log.
    pub fn log(
        &self,
        entity: &str,
        id: &str,
        hlc: &Hlc,
        fields: &Map<String, Value>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO change_log (entity, record_id, hlc, fields) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute((
                entity,
                id,
                hlc.to_string(),
                Value::Object(fields.clone()).to_string(),
            ))?;
        Ok(())
    }

    /// A new record id: UUIDv7 (time-ordered, made on this device without coordination).
    pub fn new_id(&self) -> String {
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            self.now_ms / 1000,
            u32::try_from((self.now_ms % 1000) * 1_000_000).unwrap_or(0),
        );
        uuid::Uuid::new_v7(ts).to_string()
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        Store::open_with_clock(path, Box::new(SystemClock))
    }

    pub fn open_with_clock(path: impl AsRef<Path>, clock: Box<dyn Clock>) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        // WAL: readers never block the writer, and a killed writer leaves the last commit.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate::to_latest(&mut conn)?;
        let (device, hlc) = Store::identity(&mut conn, clock.as_ref())?;
        Ok(Store {
            conn,
            device,
            clock,
            hlc,
        })
    }

    /// This device's id (created on first open) and the clock's persisted high-water mark.
    fn identity(conn: &mut Connection, clock: &dyn Clock) -> Result<(String, hlc::HlcClock)> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let get = |key: &str| -> Result<Option<String>> {
            Ok(tx
                .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .optional()?)
        };
        let device = match get("device_id")? {
            Some(d) => d,
            None => {
                let ms = clock.now_ms();
                let ts = uuid::Timestamp::from_unix(uuid::NoContext, ms / 1000, 0);
                let d = uuid::Uuid::new_v7(ts).simple().to_string();
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('device_id', ?1)",
                    [&d],
                )?;
                d
            }
        };
        let high = get("hlc_high")?.and_then(|s| s.parse::<Hlc>().ok());
        tx.commit()?;
        Ok((device, hlc::HlcClock::resume(high.as_ref())))
    }

    /// A device-local setting from the `meta` table (never synced), e.g. the app lock's idle
    /// time or the sync link; `None` when unset.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    /// Sets a device-local setting in `meta`, in its own transaction.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([key, value])?;
        Ok(())
    }

    /// This device's id, as stamped into every HLC it makes.
    pub fn device_id(&self) -> &str {
        &self.device
    }

    /// The raw connection, for read-only reporting and tests (`PRAGMA integrity_check`).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it commits, or none of it.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let now_ms = self.clock.now_ms();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The app and the CLI may write to one database, each with its own clock in memory:
        // re-reading the high-water mark inside the write lock makes every stamp this
        // transaction issues greater than any other process's (issue #17), so two changes
        // never share a stamp.
        let mut hlc = self.hlc.clone();
        let persisted: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'hlc_high'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if let Some(high) = persisted.and_then(|s| s.parse::<hlc::Hlc>().ok()) {
            hlc.observe(&high);
        }
        let mut w = Writer {
            tx,
            hlc,
            device: &self.device,
            now_ms,
        };
        let out = f(&mut w)?;
        let high = w.hlc.high(&self.device);
        w.tx.prepare_cached(
            "INSERT INTO meta (key, value) VALUES ('hlc_high', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )?
        .execute([high.to_string()])?;
        let Writer { tx, hlc, .. } = w;
        tx.commit()?;
        // The in-memory clock advances only with a commit, like the persisted one.
        self.hlc = hlc;
        Ok(out)
    }

    /// Changes after `after_seq`, oldest first, at most `limit`: what a sync push sends.
    pub fn changes_since(&self, after_seq: i64, limit: usize) -> Result<Vec<Change>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, entity, record_id, hlc, fields FROM change_log
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = st.query_map((after_seq, limit as i64), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, entity, record_id, hlc, fields) = row?;
            out.push(Change {
                seq,
                entity,
                record_id,
                hlc: hlc.parse()?,
                fields: serde_json::from_str(&fields)?,
            });
        }
        Ok(out)
    }
}

/// One row of the change log.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub seq: i64,
    /// `contact` or `shipment`.
    pub entity: String,
    pub record_id: String,
    pub hlc: Hlc,
    pub fields: Map<String, Value>,
}

/// How a worker that must not hold the store across a network call reaches it: one short
/// call at a time. The store is not `Sync`; the app keeps it behind a mutex and so does the
/// CLI (the EC-Ship outbox, tracking refresh and sync all take it this way).
pub trait StoreAccess: Send + Sync {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T;
}

impl StoreAccess for Mutex<Store> {
    fn with_store<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        // Every store write is one transaction, so a panic elsewhere cannot leave it half
        // written: carry on past a poisoned lock.
        f(&mut self.lock().unwrap_or_else(PoisonError::into_inner))
    }
}
