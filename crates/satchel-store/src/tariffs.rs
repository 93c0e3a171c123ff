//! Tariff files kept on the device (issue #16): every version received after the build, with
//! where it came from, so a shipment is priced with the tariff in force on its posting date
//! and a device offline for a year still has the last tariff it saw.
//!
//! The store keeps text it is given; deciding that a file is a valid tariff and differs from
//! what is known is the workflow's job (it parses with `satchel_core::rates` first). What the
//! store guarantees is that one check's files and their validators land together or not at
//! all, so an update killed halfway leaves the previous tariffs exactly as they were.

use rusqlite::{params, OptionalExtension};
use satchel_core::rates::Source;

use crate::{Result, Store};

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
    pub fn save_tariffs(
        &mut self,
        files: &[NewTariff<'_>],
        validators: &[TariffValidators],
    ) -> Result<usize> {
        self.write(|w| {
            let mut changed = 0;
            for f in files {
                let source = serde_json::to_string(f.source)?;
                changed += w.tx.execute(
                    "INSERT INTO tariff_files (name, last_update, source, received_ms, body)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (name, last_update) DO UPDATE
                       SET source = excluded.source, received_ms = excluded.received_ms,
                           body = excluded.body
                       WHERE body IS NOT excluded.body",
                    params![f.name, f.last_update, source, w.now_ms as i64, f.body],
                )?;
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
