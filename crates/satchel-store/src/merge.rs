//! Merging changes from the merchant's other devices into this store, and the markers the
//! sync engine keeps between runs.
//!
//! The sync engine pushes this device's `change_log` ([`Store::outgoing`], then
//! [`Store::mark_pushed`]) and pulls everyone's changes in pages, handing each page to
//! [`Store::apply_remote_page`], which merges it and saves the hub's cursor in the same
//! transaction. A killed sync therefore resumes from the last page applied, and a page applied
//! twice changes nothing.
//!
//! # Merge rules
//!
//! - **Per field, last writer wins** by hybrid logical clock. Every row keeps the stamp of
//!   each field's last change in `clocks`; a remote field is taken only when its stamp is
//!   greater. Stamps are totally ordered (wall ms, counter, then device id), so two devices
//!   that edited the same field at the same millisecond still pick the same winner. Equal
//!   stamps mean the same change, which is why a batch applied twice is a no-op.
//! - **Deletes win for good.** A delete is the field `deleted` with its own stamp. A record
//!   with a `deleted` stamp is a tombstone whatever else arrives, before or after: an edit made
//!   concurrently on another device is merged into the hidden row (so every device holds the
//!   same row) but does not bring the record back. Nothing ever sends `deleted: false`.
//! - **Unknown records are created**, hidden until their creating change has arrived (a
//!   contact's `kind`, a shipment's `body`: local inserts log every field). So a shipment that
//!   arrives before the contact it links to gets a hidden placeholder contact (the foreign key
//!   holds), and an edit that overtakes its record's creation is kept and shown once the
//!   creation arrives.
//! - **Remote changes are not logged again**: they are already on the hub. The local clock
//!   observes every remote stamp first, so an edit made here afterwards sorts after
//!   everything this device has seen, even if its wall clock is behind.
//! - **Two invariants the schema enforces are repaired with new local changes.** At most one
//!   live default sender profile (`contacts_one_default`) and at most one live, uncancelled
//!   shipment per item number (`shipments_by_item_number`). When a merge would break one, the
//!   later `is_default` stamp keeps the flag, and the shipment whose body was stamped first
//!   keeps the item number (it was labelled first); the loser is changed by a fresh local
//!   change that is logged and pushed like any edit. Every device applies the same rule, and
//!   the repair is itself an ordinary last-writer-wins change, so the devices still converge
//!   whatever order changes arrive in. [`ApplyReport::resolved`] names the records changed so
//!   the app can tell the merchant.
//! - **Derived columns.** A contact's search index entries and dedupe key are rewritten from
//!   the merged fields by the same code as a local save. A shipment's reference, destination,
//!   service and item-number columns are re-derived from the merged body. Its stored
//!   assessment (problems, quote) is not synced and is left as it was, because computing it
//!   needs the rate files and today's date, which the store does not own; the ids whose body
//!   changed are in [`ApplyReport::reassess`] for the caller to check again.
//! - **Values are checked before anything is written.** A change whose fields have the wrong
//!   shape (from a newer app, or a bug) is skipped and reported by entity, id and field name,
//!   never by value; fields this version does not know are ignored.
//! - **Tariff files are not merged but staged.** A `tariff_part` is immutable content named by
//!   its file's hash: it is checked and kept until its file is whole (`tariffs.rs`), never
//!   logged again.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use satchel_core::model::{Party, Shipment};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::contacts::{ContactInput, ContactKind};
use crate::shipments::ShipmentState;
use crate::{Change, Error, Hlc, Result, Store, Writer};

const PUSHED_KEY: &str = "sync_pushed_seq";
const CURSOR_KEY: &str = "sync_pull_cursor";

/// The synced fields of a contact, as `ContactInput::fields` names them.
const CONTACT_FIELDS: &[&str] = &[
    "kind",
    "name",
    "company",
    "lines",
    "city",
    "state",
    "postcode",
    "country",
    "phone",
    "email",
    "notes",
    "tags",
    "is_default",
];

/// The synced fields of a shipment. Problems and quote are derived and stay local.
const SHIPMENT_FIELDS: &[&str] = &[
    "state",
    "recipient_id",
    "sender_id",
    "body",
    "history",
    "ecship",
];

/// One change from another device, as the hub delivered it (after decryption).
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteChange {
    /// `contact`, `shipment`, or `tariff_part` (a part of a tariff file; see `tariffs.rs`).
    pub entity: String,
    pub record_id: String,
    pub hlc: Hlc,
    /// The changed fields and their new values; a delete is `{"deleted": true}`.
    pub fields: Map<String, Value>,
}

impl From<Change> for RemoteChange {
    fn from(c: Change) -> RemoteChange {
        RemoteChange {
            entity: c.entity,
            record_id: c.record_id,
            hlc: c.hlc,
            fields: c.fields,
        }
    }
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub received: usize,
    /// Fields that took the remote value.
    pub fields_applied: usize,
    /// Fields this store already had from a later (or the same) change.
    pub fields_stale: usize,
    /// Rows created for records this store had not seen (including hidden placeholders).
    pub records_created: usize,
    /// Records changed here to keep an invariant; each change is logged and will be pushed.
    pub resolved: Vec<Resolution>,
    /// Live shipments whose body changed: their stored assessment is stale until re-checked.
    pub reassess: Vec<String>,
    /// Changes refused because a value had the wrong shape or the entity is unknown.
    pub skipped: Vec<Skipped>,
}

/// A record this store changed on its own while merging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Two contacts of the same kind were both the default; this one lost the flag.
    DefaultFlag { contact_id: String },
    /// Two live shipments had the same item number; this one lost it, and the merchant should
    /// check which parcel carries the label.
    ItemNumber { shipment_id: String },
    /// A sender profile merged from a peer is not a proper Hong Kong return address (R-049,
    /// R-051, issue #17): it was kept so the devices agree, but it may not be the default
    /// sender, and any shipment using it fails its check until the profile is corrected.
    SenderRule {
        contact_id: String,
        rule: &'static str,
    },
}

/// A change the merge refused. Names the field, never its value (it may be personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub entity: String,
    pub record_id: String,
    pub reason: String,
}

impl Store {
    /// The last change-log sequence number the hub has acknowledged (0: none yet).
    pub fn pushed_up_to(&self) -> Result<i64> {
        Ok(get_meta(&self.conn, PUSHED_KEY)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    /// Records that the hub holds every local change up to `seq`. Never moves backwards, so
    /// a late acknowledgement of an older page cannot cause a re-push of everything after.
    pub fn mark_pushed(&mut self, seq: i64) -> Result<()> {
        self.write(|w| {
            let old: i64 = get_meta(&w.tx, PUSHED_KEY)?
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            if seq > old {
                set_meta(&w.tx, PUSHED_KEY, &seq.to_string())?;
            }
            Ok(())
        })
    }

    /// Local changes the hub does not have yet, oldest first, at most `limit`.
    pub fn outgoing(&self, limit: usize) -> Result<Vec<Change>> {
        self.changes_since(self.pushed_up_to()?, limit)
    }

    /// The hub's cursor after the last page applied, if any (opaque to the store).
    /// How many local changes the hub does not have yet.
    pub fn pending_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM change_log WHERE seq > ?1")?
            .query_row([self.pushed_up_to()?], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    pub fn pull_cursor(&self) -> Result<Option<String>> {
        get_meta(&self.conn, CURSOR_KEY)
    }

    /// Merges changes from other devices (see the module doc for the rules), in one
    /// transaction: all of the batch or none of it.
    pub fn apply_remote(&mut self, changes: &[RemoteChange]) -> Result<ApplyReport> {
        self.apply(changes, None)
    }

    /// [`Store::apply_remote`], and saves the hub's `cursor` for the next pull in the same
    /// transaction, so the cursor never runs ahead of what was merged.
    pub fn apply_remote_page(
        &mut self,
        changes: &[RemoteChange],
        cursor: &str,
    ) -> Result<ApplyReport> {
        self.apply(changes, Some(cursor))
    }

    fn apply(&mut self, changes: &[RemoteChange], cursor: Option<&str>) -> Result<ApplyReport> {
        self.write(|w| {
            let mut report = ApplyReport {
                received: changes.len(),
                ..ApplyReport::default()
            };
            // A stamp more than a day ahead of this device's clock is refused (issue #17): taken
            // in, it would push every later local stamp past it, and one peer with a wrong
            // clock would stall every device. Only accepted changes move the clock.
            let horizon = w.now_ms.saturating_add(MAX_CLOCK_LEAD_MS);
            let (accepted, ahead): (Vec<&RemoteChange>, Vec<&RemoteChange>) =
                changes.iter().partition(|c| c.hlc.wall_ms <= horizon);
            for c in ahead {
                report.skipped.push(Skipped {
                    entity: c.entity.clone(),
                    record_id: c.record_id.clone(),
                    reason: "stamped more than a day ahead of this device's clock".into(),
                });
            }
            // Observe the whole batch first: a repair made while merging must be stamped after
            // every change in it, or a later change in the same batch could undo it.
            for c in &accepted {
                w.hlc.observe(&c.hlc);
            }
            for c in accepted {
                match c.entity.as_str() {
                    "contact" => merge_contact(w, c, &mut report)?,
                    "shipment" => merge_shipment(w, c, &mut report)?,
                    crate::catalogue::PRODUCT => {
                        crate::catalogue::merge_product(w, c, &mut report)?;
                    }
                    crate::tariffs::TARIFF_PART => {
                        crate::tariffs::stage_part(w, c, &mut report)?;
                    }
                    _ => report.skipped.push(Skipped {
                        entity: c.entity.clone(),
                        record_id: c.record_id.clone(),
                        reason: "unknown entity".into(),
                    }),
                }
            }
            if let Some(cursor) = cursor {
                set_meta(&w.tx, CURSOR_KEY, cursor)?;
            }
            Ok(report)
        })
    }
}

/// How far ahead of this device's clock a peer's stamp may be (one day).
pub const MAX_CLOCK_LEAD_MS: u64 = 24 * 60 * 60 * 1000;

fn get_meta(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn set_meta(conn: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// The stamp of `field`'s last change; `None` (older than any stamp) if never set or
/// unreadable.
fn clock_of(clocks: &Map<String, Value>, field: &str) -> Option<Hlc> {
    clocks
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
}

/// The first field of `c` whose value has the wrong shape for `ok`.
fn bad_field<'a>(
    c: &'a RemoteChange,
    known: &[&str],
    ok: fn(&str, &Value) -> bool,
) -> Option<&'a str> {
    c.fields
        .iter()
        .find(|(k, v)| known.contains(&k.as_str()) && !ok(k, v))
        .map(|(k, _)| k.as_str())
}

/// How merging reads and creates the rows of one synced table.
struct Table {
    entity: &'static str,
    fields: &'static [&'static str],
    value_ok: fn(&str, &Value) -> bool,
    load: fn(&rusqlite::Connection, &str) -> Result<Option<Merged>>,
    placeholder: fn(&rusqlite::Connection, &str, &Hlc) -> Result<()>,
}

const CONTACTS: Table = Table {
    entity: "contact",
    fields: CONTACT_FIELDS,
    value_ok: contact_value_ok,
    load: load_contact,
    placeholder: insert_contact_placeholder,
};

const SHIPMENTS: Table = Table {
    entity: "shipment",
    fields: SHIPMENT_FIELDS,
    value_ok: shipment_value_ok,
    load: load_shipment,
    placeholder: insert_shipment_placeholder,
};

/// The row a change applies to, created as a hidden placeholder when the record is not known
/// yet; `None` (noted in the report) when a field has the wrong type, as a newer or broken
/// peer could send.
fn row_for(
    w: &mut Writer<'_>,
    c: &RemoteChange,
    report: &mut ApplyReport,
    t: &Table,
) -> Result<Option<Merged>> {
    if let Some(field) = bad_field(c, t.fields, t.value_ok) {
        report.skipped.push(Skipped {
            entity: c.entity.clone(),
            record_id: c.record_id.clone(),
            reason: format!("field `{field}` has the wrong type"),
        });
        return Ok(None);
    }
    if let Some(row) = (t.load)(&w.tx, &c.record_id)? {
        return Ok(Some(row));
    }
    (t.placeholder)(&w.tx, &c.record_id, &c.hlc)?;
    report.records_created += 1;
    (t.load)(&w.tx, &c.record_id)?
        .map(Some)
        .ok_or_else(|| Error::NotFound {
            entity: t.entity,
            id: c.record_id.clone(),
        })
}

/// A record's synced values and per-field clocks, as merging sees them.
struct Merged {
    rowid: i64,
    values: Map<String, Value>,
    clocks: Map<String, Value>,
    deleted: bool,
    created_ms: i64,
    updated_ms: i64,
    hlc: String,
}

impl Merged {
    /// Takes every field of `c` whose stamp is newer. Returns the fields taken.
    fn take(&mut self, c: &RemoteChange, known: &[&str], report: &mut ApplyReport) -> Vec<String> {
        let mut taken = Vec::new();
        for (k, v) in &c.fields {
            let is_delete = k == "deleted";
            if is_delete && v != &Value::Bool(true) || !is_delete && !known.contains(&k.as_str()) {
                continue;
            }
            if clock_of(&self.clocks, k).is_some_and(|cur| cur >= c.hlc) {
                report.fields_stale += 1;
                continue;
            }
            if !is_delete {
                self.values.insert(k.clone(), v.clone());
            }
            self.clocks
                .insert(k.clone(), Value::String(c.hlc.to_string()));
            report.fields_applied += 1;
            taken.push(k.clone());
        }
        taken
    }

    /// Shown in lists and search: created (its creating field has arrived) and not deleted.
    fn live(&self, created_by: &str) -> bool {
        self.clocks.contains_key(created_by) && !self.clocks.contains_key("deleted")
    }

    /// A field stamped by this device while merging (a repair).
    fn set_local(&mut self, field: &str, value: Value, stamp: &Hlc) {
        self.values.insert(field.to_owned(), value);
        self.clocks
            .insert(field.to_owned(), Value::String(stamp.to_string()));
    }

    /// The row's `hlc` column after the merge: its latest stamp.
    fn latest(&self, c: &RemoteChange, local: Option<&Hlc>) -> String {
        let mut best = self.hlc.parse::<Hlc>().ok();
        for h in std::iter::once(&c.hlc).chain(local) {
            if best.as_ref().is_none_or(|b| h > b) {
                best = Some(h.clone());
            }
        }
        best.map_or_else(|| c.hlc.to_string(), |h| h.to_string())
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    Ok(serde_json::from_str(s)?)
}

// ---------------------------------------------------------------------------------------------
// Contacts

fn contact_value_ok(field: &str, v: &Value) -> bool {
    match field {
        "kind" => matches!(v.as_str(), Some("recipient" | "sender")),
        "lines" | "tags" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        "is_default" => v.is_boolean(),
        _ => v.is_string(),
    }
}

/// Inserts a hidden row for a contact this store has not seen: the placeholder that merged
/// fields land in until the creating change arrives.
fn insert_contact_placeholder(tx: &rusqlite::Connection, id: &str, hlc: &Hlc) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO contacts (id, kind, name, country, dedupe_key, created_ms, updated_ms, hlc,
           clocks, deleted)
         VALUES (?1, 'recipient', '', '', '', ?2, ?2, ?3, '{}', 1)",
    )?
    .execute(params![id, hlc.wall_ms as i64, hlc.to_string()])?;
    Ok(())
}

fn load_contact(tx: &rusqlite::Connection, id: &str) -> Result<Option<Merged>> {
    let row = tx
        .prepare_cached(
            "SELECT rowid, kind, name, company, lines, city, state, postcode, country, phone,
               email, notes, tags, is_default, clocks, deleted, created_ms, updated_ms, hlc
             FROM contacts WHERE id = ?1",
        )?
        .query_row([id], |r| {
            let text = |i: usize| -> rusqlite::Result<Value> { Ok(Value::String(r.get(i)?)) };
            let mut values = Map::new();
            values.insert("kind".into(), text(1)?);
            values.insert("name".into(), text(2)?);
            values.insert("company".into(), text(3)?);
            values.insert("lines".into(), text(4)?);
            for (i, k) in [
                (5, "city"),
                (6, "state"),
                (7, "postcode"),
                (8, "country"),
                (9, "phone"),
                (10, "email"),
                (11, "notes"),
            ] {
                values.insert(k.into(), text(i)?);
            }
            values.insert("tags".into(), text(12)?);
            values.insert("is_default".into(), Value::Bool(r.get(13)?));
            Ok((
                r.get::<_, i64>(0)?,
                values,
                r.get::<_, String>(14)?,
                r.get::<_, bool>(15)?,
                r.get::<_, i64>(16)?,
                r.get::<_, i64>(17)?,
                r.get::<_, String>(18)?,
            ))
        })
        .optional()?;
    let Some((rowid, mut values, clocks, deleted, created_ms, updated_ms, hlc)) = row else {
        return Ok(None);
    };
    // `lines` and `tags` are stored as JSON text; merge them as JSON arrays.
    for k in ["lines", "tags"] {
        let raw = values[k].as_str().unwrap_or("[]").to_owned();
        values.insert(k.into(), parse_json(&raw)?);
    }
    Ok(Some(Merged {
        rowid,
        values,
        clocks: parse_json(&clocks)?,
        deleted,
        created_ms,
        updated_ms,
        hlc,
    }))
}

#[derive(Deserialize)]
struct ContactFields {
    kind: ContactKind,
    name: String,
    company: String,
    lines: Vec<String>,
    city: String,
    state: String,
    postcode: String,
    country: String,
    phone: String,
    email: String,
    notes: String,
    tags: Vec<String>,
    is_default: bool,
}

fn contact_input(values: &Map<String, Value>) -> Result<ContactInput> {
    let f: ContactFields = serde_json::from_value(Value::Object(values.clone()))?;
    Ok(ContactInput {
        kind: f.kind,
        party: Party {
            name: f.name,
            company: f.company,
            lines: f.lines,
            city: f.city,
            state: f.state,
            postcode: f.postcode,
            country: f.country,
            phone: f.phone,
            email: f.email,
        },
        notes: f.notes,
        tags: f.tags,
        is_default: f.is_default,
    })
}

/// The other live contact of `kind` holding the default flag, with the flag's stamp.
fn other_default(
    tx: &rusqlite::Connection,
    kind: ContactKind,
    id: &str,
) -> Result<Option<(String, Option<Hlc>)>> {
    let found: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT id, clocks FROM contacts
             WHERE kind = ?1 AND is_default = 1 AND deleted = 0 AND id <> ?2",
        )?
        .query_row([kind.as_str(), id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    found
        .map(|(other, clocks)| {
            let clocks: Map<String, Value> = parse_json(&clocks)?;
            Ok((other, clock_of(&clocks, "is_default")))
        })
        .transpose()
}

/// Takes the default flag off the contact being merged, as a repair stamped here (logged by
/// the caller, so the other devices make the same change).
fn lose_default_flag(w: &mut Writer<'_>, row: &mut Merged, input: &mut ContactInput) -> Hlc {
    let stamp = w.stamp();
    row.set_local("is_default", Value::Bool(false), &stamp);
    input.is_default = false;
    stamp
}

fn merge_contact(w: &mut Writer<'_>, c: &RemoteChange, report: &mut ApplyReport) -> Result<()> {
    let Some(mut row) = row_for(w, c, report, &CONTACTS)? else {
        return Ok(());
    };
    let was_live = !row.deleted;
    let was_created = row.clocks.contains_key("kind");
    if row.take(c, CONTACT_FIELDS, report).is_empty() {
        return Ok(());
    }
    let live = row.live("kind");
    let mut input = contact_input(&row.values)?;
    let mut repair: Option<Hlc> = None;
    // Checked before the default flag is settled: a profile that is not a proper return
    // address never competes for it.
    if live && input.kind == ContactKind::Sender {
        let broken = satchel_core::validate::validate_party(
            satchel_core::validate::Role::Sender,
            &input.party,
        )
        .into_iter()
        .find(|p| p.severity == satchel_core::validate::Severity::Error);
        if let Some(p) = broken {
            if input.is_default {
                repair = Some(lose_default_flag(w, &mut row, &mut input));
            }
            report.resolved.push(Resolution::SenderRule {
                contact_id: c.record_id.clone(),
                rule: p.rule,
            });
        }
    }
    if live && input.is_default {
        if let Some((other, other_clock)) = other_default(&w.tx, input.kind, &c.record_id)? {
            if clock_of(&row.clocks, "is_default") > other_clock {
                w.set_default_flag(&other, false)?;
                report
                    .resolved
                    .push(Resolution::DefaultFlag { contact_id: other });
            } else {
                repair = Some(lose_default_flag(w, &mut row, &mut input));
                report.resolved.push(Resolution::DefaultFlag {
                    contact_id: c.record_id.clone(),
                });
            }
        }
    }
    let created_ms = if !was_created && row.clocks.contains_key("kind") {
        c.hlc.wall_ms as i64
    } else {
        row.created_ms
    };
    let p = &input.party;
    w.tx.prepare_cached(
        "UPDATE contacts SET kind = ?2, name = ?3, company = ?4, lines = ?5, city = ?6,
           state = ?7, postcode = ?8, country = ?9, phone = ?10, email = ?11, notes = ?12,
           tags = ?13, is_default = ?14, dedupe_key = ?15, created_ms = ?16, updated_ms = ?17,
           hlc = ?18, clocks = ?19, deleted = ?20
         WHERE rowid = ?1",
    )?
    .execute(params![
        row.rowid,
        input.kind.as_str(),
        p.name,
        p.company,
        serde_json::to_string(&p.lines)?,
        p.city,
        p.state,
        p.postcode,
        p.country,
        p.phone,
        p.email,
        input.notes,
        serde_json::to_string(&input.tags)?,
        // A tombstone never holds the flag, as after a local delete. A record still waiting
        // for its creation keeps the merged value: the column is where it is remembered.
        input.is_default && !row.clocks.contains_key("deleted"),
        input.dedupe_key(),
        created_ms,
        row.updated_ms.max(c.hlc.wall_ms as i64),
        row.latest(c, repair.as_ref()),
        Value::Object(row.clocks.clone()).to_string(),
        !live,
    ])?;
    if was_live {
        w.unindex_contact(row.rowid)?;
    }
    if live {
        w.index_contact(row.rowid, &input)?;
    }
    if let Some(stamp) = repair {
        let mut f = Map::new();
        f.insert("is_default".into(), Value::Bool(false));
        w.log("contact", &c.record_id, &stamp, &f)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Shipments

fn shipment_value_ok(field: &str, v: &Value) -> bool {
    match field {
        "state" => v.as_str().and_then(ShipmentState::from_id).is_some(),
        "recipient_id" | "sender_id" => v.is_null() || v.is_string(),
        "body" => Shipment::deserialize(v).is_ok(),
        "history" => BTreeMap::<ShipmentState, DateTime<Utc>>::deserialize(v).is_ok(),
        // Read back with the type that reads it everywhere else, so a record like
        // `"ecship": {}` is refused here instead of breaking every list (issue #17).
        "ecship" => v.is_null() || crate::shipments::EcshipOrder::deserialize(v).is_ok(),
        _ => false,
    }
}

fn insert_shipment_placeholder(tx: &rusqlite::Connection, id: &str, hlc: &Hlc) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO shipments (id, state, destination, service, body, history, created_ms,
           updated_ms, hlc, clocks, deleted)
         VALUES (?1, 'draft', '', '', '{}', '{}', ?2, ?2, ?3, '{}', 1)",
    )?
    .execute(params![id, hlc.wall_ms as i64, hlc.to_string()])?;
    Ok(())
}

fn load_shipment(tx: &rusqlite::Connection, id: &str) -> Result<Option<Merged>> {
    let row = tx
        .prepare_cached(
            "SELECT rowid, state, recipient_id, sender_id, body, history, ecship, clocks,
               deleted, created_ms, updated_ms, hlc
             FROM shipments WHERE id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                [r.get::<_, String>(4)?, r.get::<_, String>(5)?],
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                (
                    r.get::<_, bool>(8)?,
                    r.get::<_, i64>(9)?,
                    r.get::<_, i64>(10)?,
                ),
                r.get::<_, String>(11)?,
            ))
        })
        .optional()?;
    let Some((rowid, state, recipient, sender, [body, history], ecship, clocks, meta, hlc)) = row
    else {
        return Ok(None);
    };
    let (deleted, created_ms, updated_ms) = meta;
    let mut values = Map::new();
    values.insert("state".into(), Value::String(state));
    values.insert(
        "recipient_id".into(),
        recipient.map_or(Value::Null, Value::String),
    );
    values.insert(
        "sender_id".into(),
        sender.map_or(Value::Null, Value::String),
    );
    values.insert("body".into(), parse_json(&body)?);
    values.insert("history".into(), parse_json(&history)?);
    values.insert(
        "ecship".into(),
        ecship
            .map(|e| parse_json(&e))
            .transpose()?
            .unwrap_or(Value::Null),
    );
    Ok(Some(Merged {
        rowid,
        values,
        clocks: parse_json(&clocks)?,
        deleted,
        created_ms,
        updated_ms,
        hlc,
    }))
}

/// The other live, uncancelled shipment with this item number, with its body's stamp.
fn other_with_item_number(
    tx: &rusqlite::Connection,
    item: &str,
    id: &str,
) -> Result<Option<(String, Option<Hlc>)>> {
    let found: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT id, clocks FROM shipments
             WHERE item_number = ?1 AND deleted = 0 AND state <> 'cancelled' AND id <> ?2",
        )?
        .query_row([item, id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    found
        .map(|(other, clocks)| {
            let clocks: Map<String, Value> = parse_json(&clocks)?;
            Ok((other, clock_of(&clocks, "body")))
        })
        .transpose()
}

fn without_item_number(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(b) = body.as_object_mut() {
        b.insert("item_number".into(), Value::Null);
    }
    body
}

/// Takes the item number off another shipment's body, as a logged local change.
fn clear_item_number(w: &mut Writer<'_>, id: &str) -> Result<()> {
    let body: String =
        w.tx.query_row("SELECT body FROM shipments WHERE id = ?1", [id], |r| {
            r.get(0)
        })?;
    let body = without_item_number(&parse_json(&body)?);
    let stamp = w.stamp();
    w.tx.execute(
        "UPDATE shipments SET body = ?2, item_number = NULL, updated_ms = ?3, hlc = ?4,
           clocks = json_set(clocks, '$.body', ?4)
         WHERE id = ?1",
        params![id, body.to_string(), w.now_ms as i64, stamp.to_string()],
    )?;
    let mut f = Map::new();
    f.insert("body".into(), body);
    w.log("shipment", id, &stamp, &f)
}

/// States EC-Ship's answer has settled: a shipment never goes back from one of these to
/// draft, ready or submitted, whatever a peer says (issue #17).
fn settled(s: ShipmentState) -> bool {
    !matches!(
        s,
        ShipmentState::Draft | ShipmentState::Ready | ShipmentState::Submitted
    )
}

fn merge_shipment(w: &mut Writer<'_>, c: &RemoteChange, report: &mut ApplyReport) -> Result<()> {
    let Some(mut row) = row_for(w, c, report, &SHIPMENTS)? else {
        return Ok(());
    };
    let local_state = row.values["state"]
        .as_str()
        .and_then(ShipmentState::from_id);
    let remote_state = c
        .fields
        .get("state")
        .and_then(Value::as_str)
        .and_then(ShipmentState::from_id);
    let was_created = row.clocks.contains_key("body");
    // Two groups of fields are ranked before their stamps are compared, so that every device
    // ends with the same values whatever order changes arrive in (issue #17):
    // - `state` and `history`: a settled state (EC-Ship has answered) outranks an unsettled
    //   one, so a stale peer never moves a shipment back to draft, ready or submitted, and a
    //   device holding a later "ready" still takes the "numbered" that came before it;
    // - `body` and `ecship`: the body EC-Ship numbered (it travels with its order) outranks
    //   any edit of a copy that was still a draft somewhere, so the label's item number and
    //   contents are never overwritten by an edit made without knowing of the order.
    // Between equal ranks, the later stamp wins as for every other field.
    let ranks = [
        (
            ["state", "history"],
            remote_state.is_some_and(settled),
            row.clocks.contains_key("state") && local_state.is_some_and(settled),
        ),
        (
            ["body", "ecship"],
            c.fields.get("ecship").is_some_and(|v| !v.is_null()),
            !row.values["ecship"].is_null(),
        ),
    ];
    let mut fields = c.fields.clone();
    for (group, remote, local) in ranks {
        for field in group {
            if !fields.contains_key(field) {
                continue;
            }
            if remote && !local {
                row.clocks.remove(field);
            } else if local && !remote {
                fields.remove(field);
                report.fields_stale += 1;
            }
        }
    }
    let ranked = RemoteChange {
        fields,
        ..c.clone()
    };
    let c = &ranked;
    let taken = row.take(c, SHIPMENT_FIELDS, report);
    if taken.is_empty() {
        return Ok(());
    }
    // The links must point at rows (foreign keys): a contact not seen yet gets a placeholder.
    for link in ["recipient_id", "sender_id"] {
        if let Some(contact) = row.values[link].as_str() {
            if load_contact(&w.tx, contact)?.is_none() {
                insert_contact_placeholder(&w.tx, contact, &c.hlc)?;
                report.records_created += 1;
            }
        }
    }
    let live = row.live("body");
    let state = row.values["state"]
        .as_str()
        .and_then(ShipmentState::from_id)
        .unwrap_or(ShipmentState::Draft);
    let mut repair: Option<Hlc> = None;
    let body: Option<Shipment> = if row.clocks.contains_key("body") {
        let mut body = Shipment::deserialize(&row.values["body"])?;
        // only iMail carries a number Satchel did not get from EC-Ship (a pre-printed
        // barcode label); any other service's number comes with EC-Ship's order. A peer's
        // number without one is not trusted: it would print a final label (issue #17).
        if body.item_number.is_some()
            && body.service != satchel_core::service::Service::Imail
            && row.values["ecship"].is_null()
        {
            let stamp = w.stamp();
            let cleared = without_item_number(&row.values["body"]);
            row.set_local("body", cleared, &stamp);
            body.item_number = None;
            repair = Some(stamp);
            report.resolved.push(Resolution::ItemNumber {
                shipment_id: c.record_id.clone(),
            });
        }
        let item = body.item_number.as_ref().map(|n| n.as_str().to_owned());
        if let (true, false, Some(item)) = (live, state == ShipmentState::Cancelled, item) {
            if let Some((other, other_clock)) = other_with_item_number(&w.tx, &item, &c.record_id)?
            {
                // The shipment labelled first keeps the number.
                if clock_of(&row.clocks, "body") < other_clock {
                    clear_item_number(w, &other)?;
                    report
                        .resolved
                        .push(Resolution::ItemNumber { shipment_id: other });
                } else {
                    let stamp = w.stamp();
                    let cleared = without_item_number(&row.values["body"]);
                    row.set_local("body", cleared, &stamp);
                    body.item_number = None;
                    repair = Some(stamp);
                    report.resolved.push(Resolution::ItemNumber {
                        shipment_id: c.record_id.clone(),
                    });
                }
            }
        }
        Some(body)
    } else {
        None
    };
    if live && taken.iter().any(|f| f == "body") {
        report.reassess.push(c.record_id.clone());
        // Not submittable, printable or "ready" until this device's rules have run on it.
        let unchecked = crate::shipments::Assessment::not_checked_here();
        w.tx.prepare_cached("UPDATE shipments SET problems = ?2, quote = NULL WHERE rowid = ?1")?
            .execute(params![
                row.rowid,
                serde_json::to_string(&unchecked.problems)?
            ])?;
    }
    let created_ms = if !was_created && row.clocks.contains_key("body") {
        c.hlc.wall_ms as i64
    } else {
        row.created_ms
    };
    let ecship = match &row.values["ecship"] {
        Value::Null => None,
        v => Some(v.to_string()),
    };
    // Placeholders keep their empty derived columns until their body arrives.
    let derived = body.as_ref().map(|s| {
        (
            s.reference.trim().to_owned(),
            s.country(),
            s.service.id(),
            s.item_number.as_ref().map(|n| n.as_str().to_owned()),
        )
    });
    let (reference, destination, service, item_number) =
        derived.unwrap_or_else(|| (String::new(), String::new(), String::new(), None));
    w.tx.prepare_cached(
        "UPDATE shipments SET state = ?2, recipient_id = ?3, sender_id = ?4, reference = ?5,
           destination = ?6, service = ?7, item_number = ?8, body = ?9, history = ?10,
           ecship = ?11, created_ms = ?12, updated_ms = ?13, hlc = ?14, clocks = ?15,
           deleted = ?16
         WHERE rowid = ?1",
    )?
    .execute(params![
        row.rowid,
        state.id(),
        row.values["recipient_id"].as_str(),
        row.values["sender_id"].as_str(),
        reference,
        destination,
        service,
        item_number,
        row.values["body"].to_string(),
        row.values["history"].to_string(),
        ecship,
        created_ms,
        row.updated_ms.max(c.hlc.wall_ms as i64),
        row.latest(c, repair.as_ref()),
        Value::Object(row.clocks.clone()).to_string(),
        !live,
    ])?;
    if let Some(stamp) = repair {
        let mut f = Map::new();
        f.insert("body".into(), row.values["body"].clone());
        w.log("shipment", &c.record_id, &stamp, &f)?;
    }
    Ok(())
}
