//! Tariff files kept on the device (issue #16): every version received after the build, with
//! where it came from, so a shipment is priced with the tariff in force on its posting date
//! and a device offline for a year still has the last tariff it saw.
//!
//! The store keeps text it is given; deciding that a file is a valid tariff and differs from
//! what is known is the workflow's job (it parses with `satchel_core::rates` first). What the
//! store guarantees is that one check's files and their validators land together or not at
//! all, so an update killed halfway leaves the previous tariffs exactly as they were.
//!
//! # Through sync
//!
//! A device that has never reached the operator gets the tariffs the merchant's other devices
//! fetched or loaded. A file is too big for one synced record (the hub takes at most 64 KiB
//! a record; the largest published file is 850 KB), so a kept file is logged as
//! [`TARIFF_PART`] changes: the body deflated, base64, cut into parts of [`PART_CHARS`], each
//! naming the file by a content key (a hash of name, date and body). A merge only stages a
//! peer's part after checking its shape ([`Store::apply_remote`] → `stage_part`); once every
//! part of a file is in, [`Store::synced_tariffs`] puts it back together and checks it
//! against its key, and the app parses it like a fetched file before
//! [`Store::settle_synced_tariff`] keeps or refuses it. A file received from a peer is not
//! logged again, and a settled key is never staged again.

use base64::Engine as _;
use blake2::digest::consts::U16;
use blake2::{Blake2b, Digest};
use rusqlite::{params, OptionalExtension};
use satchel_core::rates::Source;
use serde_json::{Map, Value};

use crate::merge::{ApplyReport, RemoteChange, Skipped};
use crate::{Result, Store, Writer};

/// The synced entity that carries tariff files, one part per record.
pub const TARIFF_PART: &str = "tariff_part";
/// Base64 characters per part: with the envelope, well under the hub's 64 KiB per record.
pub const PART_CHARS: usize = 32 * 1024;
/// The most parts a file may have (2 MiB of compressed tariff; today's largest needs 3).
pub const MAX_PARTS: u64 = 64;
/// The most a peer's file may expand to: the same cap as a fetched file.
pub const MAX_TARIFF_BYTES: usize = 8 * 1024 * 1024;

/// A tariff file as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTariff {
    pub name: String,
    /// The file's `lastUpdateDate` as published.
    pub last_update: String,
    pub source: Source,
    pub received_ms: u64,
    pub body: String,
}

/// A file to keep, with the validators of the URL it came from (when fetched).
#[derive(Debug, Clone)]
pub struct NewTariff<'a> {
    pub name: &'a str,
    pub last_update: &'a str,
    pub source: &'a Source,
    pub body: &'a str,
}

/// The server's validators for one URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TariffValidators {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl Store {
    /// Every stored file, oldest first.
    pub fn tariff_files(&self) -> Result<Vec<StoredTariff>> {
        let mut st = self.conn.prepare(
            "SELECT name, last_update, source, received_ms, body FROM tariff_files ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (name, last_update, source, received_ms, body) = row?;
            let source = serde_json::from_str(&source)?;
            out.push(StoredTariff {
                name,
                last_update,
                source,
                received_ms: u64::try_from(received_ms).unwrap_or(0),
                body,
            });
        }
        Ok(out)
    }

    /// The validators kept for `url`, if any.
    pub fn tariff_validators(&self, url: &str) -> Result<Option<TariffValidators>> {
        Ok(self
            .conn
            .query_row(
                "SELECT etag, last_modified FROM tariff_validators WHERE url = ?1",
                [url],
                |r| {
                    Ok(TariffValidators {
                        url: url.to_owned(),
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// Keeps `files` and `validators` in one transaction. A file with the same name and date
    /// as a stored one replaces its body only when the body differs. Returns how many files
    /// were added or replaced.
    ///
    /// A file added or replaced here (fetched or loaded, not one received from a peer) is also
    /// logged as parts for the merchant's other devices, in the same transaction.
    pub fn save_tariffs(
        &mut self,
        files: &[NewTariff<'_>],
        validators: &[TariffValidators],
    ) -> Result<usize> {
        self.write(|w| {
            let mut changed = 0;
            for f in files {
                let added = insert_tariff(w, f)?;
                if added && !matches!(f.source, Source::Peer { .. }) {
                    log_parts(w, f)?;
                }
                changed += usize::from(added);
            }
            for v in validators {
                w.tx.execute(
                    "INSERT INTO tariff_validators (url, etag, last_modified) VALUES (?1, ?2, ?3)
                     ON CONFLICT (url) DO UPDATE
                       SET etag = excluded.etag, last_modified = excluded.last_modified",
                    params![v.url, v.etag, v.last_modified],
                )?;
            }
            Ok(changed)
        })
    }

    /// The open-data address set by the merchant, if any (the default is the operator's).
    pub fn tariff_base_url(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'tariff_base_url'",
                [],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets the open-data address; an empty one goes back to the default.
    pub fn set_tariff_base_url(&mut self, url: &str) -> Result<()> {
        self.write(|w| {
            if url.trim().is_empty() {
                w.tx.execute("DELETE FROM meta WHERE key = 'tariff_base_url'", [])?;
            } else {
                w.tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('tariff_base_url', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [url.trim()],
                )?;
            }
            Ok(())
        })
    }
}

/// Adds `f` (or replaces a stored body with the same name and date). True when a row changed.
fn insert_tariff(w: &Writer<'_>, f: &NewTariff<'_>) -> Result<bool> {
    let source = serde_json::to_string(f.source)?;
    let n = w.tx.execute(
        "INSERT INTO tariff_files (name, last_update, source, received_ms, body)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (name, last_update) DO UPDATE
           SET source = excluded.source, received_ms = excluded.received_ms,
               body = excluded.body
           WHERE body IS NOT excluded.body",
        params![f.name, f.last_update, source, w.now_ms as i64, f.body],
    )?;
    Ok(n > 0)
}

/// The content key of a file: the same file from two devices is one file, and parts of two
/// versions never mix.
pub fn tariff_key(name: &str, last_update: &str, body: &str) -> String {
    content_id(&[name.as_bytes(), last_update.as_bytes(), body.as_bytes()])
}

/// A 128-bit BLAKE2b of length-prefixed `parts`, as 32 hex characters: an id two devices
/// derive alike from the same content (a tariff file, a product's SKU).
pub(crate) fn content_id(parts: &[&[u8]]) -> String {
    let mut h = Blake2b::<U16>::new();
    for part in parts {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Logs `f` as its parts, and marks its key settled so its echo from the hub is not staged.
fn log_parts(w: &mut Writer<'_>, f: &NewTariff<'_>) -> Result<()> {
    let key = tariff_key(f.name, f.last_update, f.body);
    let packed = base64::engine::general_purpose::STANDARD
        .encode(miniz_oxide::deflate::compress_to_vec(f.body.as_bytes(), 9));
    // Base64 is ASCII, so cutting at any byte keeps every part valid text.
    let parts: Vec<&str> = packed
        .as_bytes()
        .chunks(PART_CHARS)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    for (index, data) in parts.iter().enumerate() {
        let mut fields = Map::new();
        fields.insert("key".into(), Value::from(key.clone()));
        fields.insert("index".into(), Value::from(index as u64));
        fields.insert("count".into(), Value::from(parts.len() as u64));
        fields.insert("name".into(), Value::from(f.name));
        fields.insert("last_update".into(), Value::from(f.last_update));
        fields.insert("data".into(), Value::from(*data));
        let stamp = w.stamp();
        w.log(TARIFF_PART, &format!("{key}-{index}"), &stamp, &fields)?;
    }
    settle(w, &key, "sent")
}

fn settle(w: &Writer<'_>, key: &str, outcome: &str) -> Result<()> {
    w.tx.execute("DELETE FROM tariff_parts WHERE file_key = ?1", [key])?;
    w.tx.execute(
        "INSERT INTO tariff_parts_done (file_key, outcome) VALUES (?1, ?2)
         ON CONFLICT (file_key) DO NOTHING",
        [key, outcome],
    )?;
    Ok(())
}

/// A peer's part, checked field by field before it is kept.
struct Part<'a> {
    key: &'a str,
    index: u64,
    count: u64,
    name: &'a str,
    last_update: &'a str,
    data: &'a str,
}

/// A peer's part, or why it cannot be a part of a tariff file.
fn read_part(c: &RemoteChange) -> std::result::Result<Part<'_>, &'static str> {
    let text = |field: &str, max: usize| {
        c.fields
            .get(field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.len() <= max && !s.chars().any(char::is_control))
    };
    let number = |field: &str| c.fields.get(field).and_then(Value::as_u64);
    let key = text("key", 32)
        .filter(|k| k.len() == 32 && k.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or("field `key` is not a content key")?;
    let count = number("count")
        .filter(|n| (1..=MAX_PARTS).contains(n))
        .ok_or("field `count` is out of range")?;
    let index = number("index")
        .filter(|i| *i < count)
        .ok_or("field `index` is out of range")?;
    if c.record_id != format!("{key}-{index}") {
        return Err("record id does not match the part");
    }
    let part = Part {
        key,
        index,
        count,
        name: text("name", 200).ok_or("field `name` has the wrong type")?,
        last_update: text("last_update", 40).ok_or("field `last_update` has the wrong type")?,
        data: text("data", PART_CHARS)
            .filter(|d| {
                d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
            })
            .ok_or("field `data` is not base64 of the allowed size")?,
    };
    Ok(part)
}

/// Keeps a peer's part until its file is whole (see the module doc). A part of a file already
/// settled here, or one seen before, changes nothing.
pub(crate) fn stage_part(
    w: &mut Writer<'_>,
    c: &RemoteChange,
    report: &mut ApplyReport,
) -> Result<()> {
    let part = match read_part(c) {
        Ok(p) => p,
        Err(reason) => {
            report.skipped.push(Skipped {
                entity: c.entity.clone(),
                record_id: c.record_id.clone(),
                reason: reason.into(),
            });
            return Ok(());
        }
    };
    let added = w.tx.execute(
        "INSERT INTO tariff_parts (file_key, idx, count, name, last_update, data)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6
         WHERE NOT EXISTS (SELECT 1 FROM tariff_parts_done WHERE file_key = ?1)
         ON CONFLICT (file_key, idx) DO NOTHING",
        params![
            part.key,
            part.index as i64,
            part.count as i64,
            part.name,
            part.last_update,
            part.data
        ],
    )?;
    if added > 0 {
        report.fields_applied += 1;
    } else {
        report.fields_stale += 1;
    }
    Ok(())
}

/// A tariff file whose parts have all arrived from a peer, put back together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedTariff {
    pub key: String,
    pub name: String,
    pub last_update: String,
    /// The file's text, or why the parts do not make the file they name.
    pub body: std::result::Result<String, String>,
}

impl Store {
    /// Every file whose parts have all arrived and is not settled yet.
    pub fn synced_tariffs(&self) -> Result<Vec<SyncedTariff>> {
        let mut st = self.conn.prepare(
            "SELECT file_key, count, name, last_update, data FROM tariff_parts
             ORDER BY file_key, idx",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Staged {
                key: r.get(0)?,
                count: r.get(1)?,
                name: r.get(2)?,
                last_update: r.get(3)?,
                data: r.get(4)?,
            })
        })?;
        let mut by_key: Vec<Vec<Staged>> = Vec::new();
        for row in rows {
            let part = row?;
            match by_key.last_mut() {
                Some(parts) if parts[0].key == part.key => parts.push(part),
                _ => by_key.push(vec![part]),
            }
        }
        let mut out = Vec::new();
        for parts in by_key {
            let first = &parts[0];
            let agree = parts.iter().all(|p| {
                p.count == first.count && p.name == first.name && p.last_update == first.last_update
            });
            if agree && parts.len() as i64 != first.count {
                continue; // more parts to come
            }
            let body = if agree {
                let packed: String = parts.iter().map(|p| p.data.as_str()).collect();
                unpack(&packed).and_then(|body| {
                    if tariff_key(&first.name, &first.last_update, &body) == first.key {
                        Ok(body)
                    } else {
                        Err("the file does not match its content key".to_owned())
                    }
                })
            } else {
                Err("its parts disagree on the file they belong to".to_owned())
            };
            out.push(SyncedTariff {
                key: first.key.clone(),
                name: first.name.clone(),
                last_update: first.last_update.clone(),
                body,
            });
        }
        Ok(out)
    }

    /// Settles a synced file in one transaction: keeps `keep` (when it tells something new)
    /// and forgets the parts, so they are never staged again. `outcome` says what happened,
    /// for the record. Returns whether a file was added.
    pub fn settle_synced_tariff(
        &mut self,
        key: &str,
        keep: Option<&NewTariff<'_>>,
        outcome: &str,
    ) -> Result<bool> {
        self.write(|w| {
            let added = match keep {
                Some(f) => insert_tariff(w, f)?,
                None => false,
            };
            settle(w, key, outcome)?;
            Ok(added)
        })
    }
}

/// One staged part as read back.
struct Staged {
    key: String,
    count: i64,
    name: String,
    last_update: String,
    data: String,
}

/// The text a file's joined parts carry: base64, deflate (at most [`MAX_TARIFF_BYTES`]), UTF-8.
fn unpack(packed: &str) -> std::result::Result<String, String> {
    let deflated = base64::engine::general_purpose::STANDARD
        .decode(packed)
        .map_err(|_| "its parts are not base64".to_owned())?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, MAX_TARIFF_BYTES)
        .map_err(|_| "its parts do not inflate to a file of at most 8 MiB".to_owned())?;
    String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_owned())
}
