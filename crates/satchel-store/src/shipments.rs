//! Shipments: drafts typed offline, and their life after that.
//!
//! A shipment holds copies of the sender and recipient (with links to the contacts they came
//! from), so editing the address book never rewrites what was posted. The store keeps the last
//! validation result and quote the caller computed with the domain engine, including the
//! rate-file date, so a list can show them without re-running anything.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, OptionalExtension, Row};
use rust_decimal::Decimal;
use satchel_core::model::Shipment;
use satchel_core::validate::{Locale, Problem, Severity};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Error, Result, Store, Writer};

pub use satchel_core::lifecycle::ShipmentState;

/// One validation problem as stored: rendered in both languages when it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredProblem {
    pub code: String,
    pub rule: String,
    pub field: String,
    pub error: bool,
    pub message_en: String,
    pub message_zh_hk: String,
}

impl From<&Problem> for StoredProblem {
    fn from(p: &Problem) -> Self {
        StoredProblem {
            code: p.code.to_owned(),
            rule: p.rule.to_owned(),
            field: p.field.clone(),
            error: p.severity == Severity::Error,
            message_en: p.message(Locale::En),
            message_zh_hk: p.message(Locale::ZhHk),
        }
    }
}

/// The last quote for the chosen service, and which rate file it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredQuote {
    pub service: String,
    pub amount: Decimal,
    /// Effective date of the rate file used.
    pub rates_as_of: NaiveDate,
    pub quoted_on: NaiveDate,
}

/// What the caller found when it checked a draft with the domain engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub problems: Vec<StoredProblem>,
    pub quote: Option<StoredQuote>,
}

impl Assessment {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.error)
    }

    /// S-005: a shipment whose body arrived from another device and has not been checked on
    /// this one. The marker is an error, so it can be neither marked ready nor submitted until
    /// the rules run here (issue #17: nothing merged is submittable before re-assessment).
    pub fn not_checked_here() -> Assessment {
        Assessment {
            problems: vec![StoredProblem {
                code: NOT_CHECKED_HERE.into(),
                rule: "S-005".into(),
                field: String::new(),
                error: true,
                message_en: "Changed on another device and not checked on this one yet.".into(),
                message_zh_hk: "已在另一部裝置更改，尚未在此裝置檢查。".into(),
            }],
            quote: None,
        }
    }

    /// True for [`Assessment::not_checked_here`].
    pub fn is_unchecked(&self) -> bool {
        self.problems.iter().any(|p| p.code == NOT_CHECKED_HERE)
    }
}

/// The problem code of [`Assessment::not_checked_here`].
pub const NOT_CHECKED_HERE: &str = "S-005.not_checked_here";

/// What the shipment editor saves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentDraft {
    pub shipment: Shipment,
    /// The address-book entries the addresses were copied from.
    #[serde(default)]
    pub recipient_id: Option<String>,
    #[serde(default)]
    pub sender_id: Option<String>,
}

/// A stored shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentRecord {
    pub id: String,
    pub state: ShipmentState,
    #[serde(flatten)]
    pub draft: ShipmentDraft,
    /// When it entered each state it has been in.
    pub history: BTreeMap<ShipmentState, DateTime<Utc>>,
    pub assessment: Assessment,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// What EC-Ship answered when it created the order (issue #7).
    #[serde(default)]
    pub ecship: Option<EcshipOrder>,
}

/// EC-Ship's answer to `createOrder`, kept with the shipment (and synced with it): the item
/// number itself lives on the shipment body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EcshipOrder {
    pub order_no: String,
    /// `deliveryCharge`: the postage EC-Ship charged, which may differ from the local quote
    /// (domain.md §10.4: "Postage computed locally is an estimate").
    #[serde(default)]
    pub delivery_charge: Option<Decimal>,
    #[serde(default)]
    pub insurance_fee: Option<Decimal>,
    pub created_at: DateTime<Utc>,
}

/// Which shipments a list shows. Dates are creation dates, inclusive, as days in the time zone
/// `utc_offset_secs` east of UTC (Hong Kong: 28,800), so "today" means the merchant's today.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentFilter {
    /// Empty: every state.
    pub states: Vec<ShipmentState>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Destination country code.
    pub destination: Option<String>,
    /// 0: no limit.
    pub limit: usize,
    /// The time zone the dates are days in; 0 is UTC.
    pub utc_offset_secs: i32,
    /// Only these shipments; empty: any.
    pub ids: Vec<String>,
    /// `Some(true)`: only shipments whose last check found errors; `Some(false)`: none. Applied
    /// after `limit`.
    pub errors: Option<bool>,
}

const COLUMNS: &str = "id, state, recipient_id, sender_id, body, history, problems, quote, \
                       created_ms, updated_ms, ecship";

fn json_col<T: serde::de::DeserializeOwned>(r: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = r.get(i)?;
    serde_json::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<ShipmentRecord> {
    let state: String = r.get(1)?;
    let quote: Option<String> = r.get(7)?;
    let quote = quote
        .map(|q| serde_json::from_str(&q))
        .transpose()
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e))
        })?;
    Ok(ShipmentRecord {
        id: r.get(0)?,
        state: ShipmentState::from_id(&state).unwrap_or(ShipmentState::Draft),
        draft: ShipmentDraft {
            shipment: json_col(r, 4)?,
            recipient_id: r.get(2)?,
            sender_id: r.get(3)?,
        },
        history: json_col(r, 5)?,
        assessment: Assessment {
            problems: json_col(r, 6)?,
            quote,
        },
        created_ms: r.get(8)?,
        updated_ms: r.get(9)?,
        ecship: {
            let e: Option<String> = r.get(10)?;
            e.map(|e| serde_json::from_str(&e))
                .transpose()
                .map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        10,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?
        },
    })
}

pub(crate) fn at(ms: u64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}

pub(crate) fn object(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl Writer<'_> {
    /// Inserts a shipment in `state`. Returns its id.
    pub(crate) fn insert_shipment(
        &mut self,
        draft: &ShipmentDraft,
        assessment: &Assessment,
    ) -> Result<String> {
        let id = self.new_id();
        let hlc = self.stamp();
        let history = BTreeMap::from([(ShipmentState::Draft, at(self.now_ms))]);
        let fields = object(vec![
            ("state", Value::String("draft".into())),
            ("recipient_id", serde_json::to_value(&draft.recipient_id)?),
            ("sender_id", serde_json::to_value(&draft.sender_id)?),
            ("body", serde_json::to_value(&draft.shipment)?),
            ("history", serde_json::to_value(&history)?),
        ]);
        let clocks: Map<String, Value> = fields
            .keys()
            .map(|k| (k.clone(), Value::String(hlc.to_string())))
            .collect();
        let s = &draft.shipment;
        self.tx
            .prepare_cached(
                "INSERT INTO shipments (id, state, recipient_id, sender_id, reference,
                   destination, service, item_number, body, history, problems, quote,
                   created_ms, updated_ms, hlc, clocks)
                 VALUES (?1, 'draft', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13,
                   ?14)",
            )?
            .execute(params![
                id,
                draft.recipient_id,
                draft.sender_id,
                s.reference.trim(),
                s.country(),
                s.service.id(),
                s.item_number.as_ref().map(|n| n.as_str().to_owned()),
                serde_json::to_string(s)?,
                serde_json::to_string(&history)?,
                serde_json::to_string(&assessment.problems)?,
                assessment
                    .quote
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()?,
                self.now_ms as i64,
                hlc.to_string(),
                Value::Object(clocks).to_string(),
            ])?;
        self.log("shipment", &id, &hlc, &fields)?;
        Ok(id)
    }

    pub(crate) fn load_shipment(&self, id: &str) -> Result<(ShipmentRecord, Map<String, Value>)> {
        self.tx
            .query_row(
                &format!("SELECT {COLUMNS}, clocks FROM shipments WHERE id = ?1 AND deleted = 0"),
                [id],
                |r| {
                    let clocks: String = r.get(11)?;
                    Ok((from_row(r)?, clocks))
                },
            )
            .optional()?
            .map(|(rec, clocks)| Ok((rec, serde_json::from_str(&clocks)?)))
            .unwrap_or_else(|| {
                Err(Error::NotFound {
                    entity: "shipment",
                    id: id.to_owned(),
                })
            })
    }

    /// Writes `rec` over the stored row, logging the fields in `changed`.
    pub(crate) fn store_shipment(
        &mut self,
        rec: &ShipmentRecord,
        mut clocks: Map<String, Value>,
        changed: Map<String, Value>,
    ) -> Result<()> {
        if changed.is_empty() {
            return Ok(());
        }
        let hlc = self.stamp();
        for k in changed.keys() {
            clocks.insert(k.clone(), Value::String(hlc.to_string()));
        }
        let s = &rec.draft.shipment;
        self.tx
            .prepare_cached(
                "UPDATE shipments SET state = ?2, recipient_id = ?3, sender_id = ?4,
                   reference = ?5, destination = ?6, service = ?7, item_number = ?8, body = ?9,
                   history = ?10, problems = ?11, quote = ?12, updated_ms = ?13, hlc = ?14,
                   clocks = ?15, ecship = ?16
                 WHERE id = ?1",
            )?
            .execute(params![
                rec.id,
                rec.state.id(),
                rec.draft.recipient_id,
                rec.draft.sender_id,
                s.reference.trim(),
                s.country(),
                s.service.id(),
                s.item_number.as_ref().map(|n| n.as_str().to_owned()),
                serde_json::to_string(s)?,
                serde_json::to_string(&rec.history)?,
                serde_json::to_string(&rec.assessment.problems)?,
                rec.assessment
                    .quote
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()?,
                self.now_ms as i64,
                hlc.to_string(),
                Value::Object(clocks).to_string(),
                rec.ecship.as_ref().map(serde_json::to_string).transpose()?,
            ])?;
        self.log("shipment", &rec.id, &hlc, &changed)
    }

    pub(crate) fn update_shipment(
        &mut self,
        id: &str,
        draft: &ShipmentDraft,
        assessment: &Assessment,
    ) -> Result<()> {
        let (mut rec, clocks) = self.load_shipment(id)?;
        if !rec.state.is_editable() {
            return Err(Error::Transition {
                from: rec.state.id().into(),
                to: "edited".into(),
            });
        }
        let mut changed = Map::new();
        let new_body = serde_json::to_value(&draft.shipment)?;
        if serde_json::to_value(&rec.draft.shipment)? != new_body {
            changed.insert("body".into(), new_body);
        }
        if rec.draft.recipient_id != draft.recipient_id {
            changed.insert(
                "recipient_id".into(),
                serde_json::to_value(&draft.recipient_id)?,
            );
        }
        if rec.draft.sender_id != draft.sender_id {
            changed.insert("sender_id".into(), serde_json::to_value(&draft.sender_id)?);
        }
        // An edited ready item must be checked again before it is submitted.
        if !changed.is_empty() && rec.state == ShipmentState::Ready {
            rec.state = ShipmentState::Draft;
            rec.history.insert(ShipmentState::Draft, at(self.now_ms));
            changed.insert("state".into(), Value::String("draft".into()));
            changed.insert("history".into(), serde_json::to_value(&rec.history)?);
        }
        let assessment_changed = rec.assessment != *assessment;
        rec.draft = draft.clone();
        rec.assessment = assessment.clone();
        if changed.is_empty() && assessment_changed {
            // Results are derived data: stored, not synced (each device recomputes them).
            self.tx.execute(
                "UPDATE shipments SET problems = ?2, quote = ?3 WHERE id = ?1",
                params![
                    id,
                    serde_json::to_string(&rec.assessment.problems)?,
                    rec.assessment
                        .quote
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()?
                ],
            )?;
            return Ok(());
        }
        self.store_shipment(&rec, clocks, changed)
    }

    pub(crate) fn shipment_with_reference(&self, reference: &str) -> Result<Option<String>> {
        with_reference(&self.tx, reference)
    }
}

/// The live shipment with this (non-empty) reference, if any.
pub(crate) fn with_reference(
    conn: &rusqlite::Connection,
    reference: &str,
) -> Result<Option<String>> {
    if reference.trim().is_empty() {
        return Ok(None);
    }
    Ok(conn
        .prepare_cached(
            // `reference <> ''` lets SQLite use the partial index `shipments_by_reference`
            // (it cannot prove a parameter non-empty); without it every lookup scans the table
            // and a 5,000-order import is quadratic.
            "SELECT id FROM shipments WHERE reference = ?1 AND reference <> '' AND deleted = 0
             ORDER BY rowid LIMIT 1",
        )?
        .query_row([reference.trim()], |r| r.get(0))
        .optional()?)
}

impl Store {
    /// Replaces a shipment's stored assessment (derived data: not synced, nothing logged).
    pub fn set_assessment(&mut self, id: &str, assessment: &Assessment) -> Result<()> {
        self.write(|w| {
            w.tx.execute(
                "UPDATE shipments SET problems = ?2, quote = ?3 WHERE id = ?1",
                params![
                    id,
                    serde_json::to_string(&assessment.problems)?,
                    assessment
                        .quote
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()?
                ],
            )?;
            Ok(())
        })
    }

    /// Live shipments marked [`Assessment::not_checked_here`]: merged from another device and
    /// waiting for this device's rules.
    pub fn unchecked_shipments(&self) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM shipments WHERE deleted = 0 AND instr(problems, ?1) > 0",
            )?
            .query_map([NOT_CHECKED_HERE], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Saves a new draft with the caller's assessment of it.
    pub fn create_shipment(
        &mut self,
        draft: &ShipmentDraft,
        assessment: &Assessment,
    ) -> Result<ShipmentRecord> {
        let id = self.write(|w| w.insert_shipment(draft, assessment))?;
        self.require_shipment(&id)
    }

    /// Saves an edit of a draft (or ready) shipment.
    pub fn update_shipment(
        &mut self,
        id: &str,
        draft: &ShipmentDraft,
        assessment: &Assessment,
    ) -> Result<ShipmentRecord> {
        self.write(|w| w.update_shipment(id, draft, assessment))?;
        self.require_shipment(id)
    }

    /// Moves a shipment along its lifecycle, recording when. A draft with errors cannot
    /// become ready.
    pub fn set_shipment_state(&mut self, id: &str, to: ShipmentState) -> Result<ShipmentRecord> {
        self.write(|w| {
            let (mut rec, clocks) = w.load_shipment(id)?;
            if crate::outbox::has_open_job(&w.tx, id)? {
                // The outbox moves it when EC-Ship answers; a hand move now could drop a paid
                // result or send it twice (issue #17).
                return Err(Error::Transition {
                    from: format!("{} (an EC-Ship request is open)", rec.state.id()),
                    to: to.id().into(),
                });
            }
            if !rec.state.can_become(to) {
                return Err(Error::Transition {
                    from: rec.state.id().into(),
                    to: to.id().into(),
                });
            }
            if to == ShipmentState::Ready && rec.assessment.has_errors() {
                return Err(Error::HasErrors { to: to.id().into() });
            }
            rec.state = to;
            rec.history.insert(to, at(w.now_ms));
            let changed = object(vec![
                ("state", Value::String(to.id().into())),
                ("history", serde_json::to_value(&rec.history)?),
            ]);
            w.store_shipment(&rec, clocks, changed)
        })?;
        self.require_shipment(id)
    }

    /// A new draft with the same sender, recipient, service, parcel and contents; the
    /// reference and item number are cleared because each item needs its own.
    pub fn copy_shipment(&mut self, id: &str) -> Result<ShipmentRecord> {
        let src = self.require_shipment(id)?;
        if crate::outbox::has_open_job(&self.conn, id)? {
            // A copy submitted while the original's outcome is unknown could be a second label
            // for the same parcel (issue #17).
            return Err(Error::Transition {
                from: format!("{} (an EC-Ship request is open)", src.state.id()),
                to: "copied".into(),
            });
        }
        let mut draft = src.draft;
        draft.shipment.reference.clear();
        draft.shipment.item_number = None;
        self.create_shipment(&draft, &src.assessment)
    }

    /// Deletes a draft (a tombstone). Submitted shipments cannot be deleted, only cancelled.
    pub fn delete_shipment(&mut self, id: &str) -> Result<()> {
        self.write(|w| {
            let (rec, _) = w.load_shipment(id)?;
            if !rec.state.is_editable() {
                return Err(Error::Transition {
                    from: rec.state.id().into(),
                    to: "deleted".into(),
                });
            }
            let hlc = w.stamp();
            w.tx.execute(
                "UPDATE shipments SET deleted = 1, updated_ms = ?2, hlc = ?3,
                   clocks = json_set(clocks, '$.deleted', ?3) WHERE id = ?1",
                params![id, w.now_ms as i64, hlc.to_string()],
            )?;
            w.log(
                "shipment",
                id,
                &hlc,
                &object(vec![("deleted", Value::Bool(true))]),
            )
        })
    }

    pub fn shipment(&self, id: &str) -> Result<Option<ShipmentRecord>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM shipments WHERE id = ?1 AND deleted = 0"
            ))?
            .query_row([id], from_row)
            .optional()?)
    }

    pub(crate) fn require_shipment(&self, id: &str) -> Result<ShipmentRecord> {
        self.shipment(id)?.ok_or_else(|| Error::NotFound {
            entity: "shipment",
            id: id.to_owned(),
        })
    }

    /// Shipments matching `f`, newest first.
    pub fn list_shipments(&self, f: &ShipmentFilter) -> Result<Vec<ShipmentRecord>> {
        let states: Vec<&str> = f.states.iter().map(|s| s.id()).collect();
        let offset_ms = i64::from(f.utc_offset_secs) * 1000;
        let day_ms = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp_millis() - offset_ms)
        };
        let from_ms = f.from.and_then(day_ms);
        let to_ms = f.to.and_then(|d| d.succ_opt()).and_then(day_ms);
        let limit = if f.limit == 0 { -1 } else { f.limit as i64 };
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM shipments
             WHERE deleted = 0
               AND (?1 = '[]' OR state IN (SELECT value FROM json_each(?1)))
               AND (?2 IS NULL OR created_ms >= ?2)
               AND (?3 IS NULL OR created_ms < ?3)
               AND (?4 IS NULL OR destination = ?4)
               AND (?6 = '[]' OR id IN (SELECT value FROM json_each(?6)))
             ORDER BY created_ms DESC, rowid DESC LIMIT ?5"
        ))?;
        let mut rows: Vec<ShipmentRecord> = st
            .query_map(
                params![
                    serde_json::to_string(&states)?,
                    from_ms,
                    to_ms,
                    f.destination
                        .as_ref()
                        .map(|d| d.trim().to_ascii_uppercase()),
                    limit,
                    serde_json::to_string(&f.ids)?,
                ],
                from_row,
            )?
            .collect::<rusqlite::Result<_>>()?;
        if let Some(errors) = f.errors {
            rows.retain(|r| r.assessment.problems.iter().any(|p| p.error) == errors);
        }
        Ok(rows)
    }
}
