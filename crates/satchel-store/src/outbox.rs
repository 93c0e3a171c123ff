//! The EC-Ship outbox: this device's durable queue of submissions and cancellations.
//!
//! Why it is in the store: "submit" is pressed offline as often as online, a worker can be
//! killed mid-request, and a double click must not buy two labels (issue #7). So the queue is
//! rows in the same SQLite file as the shipments, and every step of a job changes the job and
//! its shipment in one transaction:
//!
//! - [`Store::queue_submissions`] moves each shipment to `submitted` and adds one job; a unique
//!   index allows one open job per shipment, so pressing twice queues once.
//! - [`Store::claim_jobs`] takes due jobs with a lease and counts the attempt *before* the
//!   request goes out. A job whose worker died is due again when its lease ends, and because
//!   its attempt was counted, the worker is told to [look the order up](Claim::look_up_first)
//!   by `refNo` before creating it again: a lost response never buys a second label.
//! - [`Store::finish_submission`], [`Store::retry_later`], [`Store::fail_job`] and
//!   [`Store::finish_cancel`] record the outcome.
//!
//! The network side lives in `satchel-net::outbox`; this module never talks to EC-Ship.

use rusqlite::{params, OptionalExtension, Row};
use rust_decimal::Decimal;
use satchel_core::s10::ItemNumber;
use satchel_core::service::Service;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::shipments::{at, object, EcshipOrder, ShipmentRecord, ShipmentState};
use crate::{Error, Result, Store};

/// The outbox job's closed sets live with the shipment lifecycle in the core, so the store,
/// the IPC contract and the CLI share one type each.
pub use satchel_core::lifecycle::{JobErrorKind as ErrorKind, JobKind, JobState};

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub shipment_id: String,
    pub kind: JobKind,
    pub state: JobState,
    /// Requests started for this job (counted before each one goes out).
    pub attempts: u32,
    /// Queued: when it may run. Running: when its lease ends.
    pub due_ms: i64,
    pub last_error: Option<String>,
    pub error_kind: Option<ErrorKind>,
    pub created_ms: i64,
    pub updated_ms: i64,
    /// A submission's price of record: what EC-Ship's `getTotalPostage` said, when it was
    /// asked before the merchant submitted (issue #16).
    pub price_of_record: Option<Decimal>,
}

/// What [`Store::queue_submissions`] did with one shipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Queued {
    Queued {
        job: Job,
    },
    /// It already had an open job (a double click): nothing new was queued.
    AlreadyQueued {
        job: Job,
    },
    /// It cannot be sent as it is; `reason` says why.
    Refused {
        shipment_id: String,
        reason: String,
    },
}

/// A job handed to a worker, with what it needs to do it.
#[derive(Debug, Clone)]
pub struct Claim {
    pub job: Job,
    pub shipment: ShipmentRecord,
    /// An earlier request for this shipment may have reached EC-Ship (its answer was lost or
    /// the worker died), so the worker must ask EC-Ship for the order by `refNo` before it
    /// creates one.
    pub look_up_first: bool,
}

const JOB_COLUMNS: &str = "id, shipment_id, kind, state, attempts, due_ms, last_error, \
                           error_kind, created_ms, updated_ms, price_of_record";

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<Job> {
    let kind: String = r.get(2)?;
    let state: String = r.get(3)?;
    let error_kind: Option<String> = r.get(7)?;
    Ok(Job {
        id: r.get(0)?,
        shipment_id: r.get(1)?,
        kind: JobKind::from_id(&kind).unwrap_or(JobKind::Submit),
        state: JobState::from_id(&state).unwrap_or(JobState::Queued),
        attempts: r.get(4)?,
        due_ms: r.get(5)?,
        last_error: r.get(6)?,
        error_kind: error_kind.as_deref().and_then(ErrorKind::from_id),
        created_ms: r.get(8)?,
        updated_ms: r.get(9)?,
        price_of_record: r.get::<_, Option<String>>(10)?.and_then(|s| s.parse().ok()),
    })
}

fn load_job(tx: &rusqlite::Connection, id: &str) -> Result<Job> {
    tx.prepare_cached(&format!("SELECT {JOB_COLUMNS} FROM outbox WHERE id = ?1"))?
        .query_row([id], job_from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "outbox job",
            id: id.to_owned(),
        })
}

fn open_job(tx: &rusqlite::Connection, shipment_id: &str, kind: JobKind) -> Result<Option<Job>> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {JOB_COLUMNS} FROM outbox WHERE shipment_id = ?1 AND kind = ?2
               AND state IN ('queued', 'running')"
        ))?
        .query_row(params![shipment_id, kind.id()], job_from_row)
        .optional()?)
}

/// Whether a new submission of `rec` must ask EC-Ship for the order by `refNo` before creating
/// one, for reasons this device's own attempt count cannot show (issue #17):
/// - the shipment's last submission was made on another device (its synced history says it
///   was submitted at a moment none of this device's jobs was queued), and only that device
///   knew whether its attempts reached EC-Ship; or
/// - an earlier job of this device already had to look up, and no order has been found since
///   (the shipment would be numbered): what was unknown then is still unknown.
fn must_look_up(conn: &rusqlite::Connection, rec: &ShipmentRecord) -> Result<bool> {
    let Some(last_submitted) = rec.history.get(&ShipmentState::Submitted) else {
        return Ok(false);
    };
    let (own_last, marked): (Option<i64>, bool) = conn
        .prepare_cached(
            "SELECT MAX(CASE WHEN rowid = (SELECT MAX(rowid) FROM outbox
                                           WHERE shipment_id = ?1 AND kind = 'submit')
                        THEN created_ms END),
                    COALESCE(MAX(look_up), 0)
             FROM outbox WHERE shipment_id = ?1 AND kind = 'submit'",
        )?
        .query_row([&rec.id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let elsewhere = own_last != Some(last_submitted.timestamp_millis());
    Ok(elsewhere || marked)
}

/// True while an EC-Ship request for the shipment is queued or out, its outcome not yet known:
/// the shipment may then not change state, be edited or be copied by hand (issue #17).
pub(crate) fn has_open_job(conn: &rusqlite::Connection, shipment_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM outbox WHERE shipment_id = ?1 AND state IN ('queued', 'running')",
        )?
        .query_row([shipment_id], |_| Ok(()))
        .optional()?
        .is_some())
}

impl crate::Writer<'_> {
    /// Leases `job` for `lease_ms` and counts its attempt.
    fn claim(&mut self, mut job: Job, lease_ms: u64) -> Result<Claim> {
        let now = self.now_ms as i64;
        // Requests for this shipment's order whose outcome nobody knows: every attempt counted
        // so far, except the last one of a job that failed on an answer (EC-Ship said no, or
        // the request was never built), which is known not to have made an order. A job
        // retried after a refusal therefore creates directly, without needing the
        // undocumented lookup (domain.md §13).
        let earlier: i64 = self.tx.query_row(
            "SELECT COALESCE(SUM(CASE
                 WHEN state = 'failed' AND error_kind IN ('ecship', 'setup')
                   THEN attempts - 1
                 ELSE attempts END), 0)
             FROM outbox WHERE shipment_id = ?1 AND kind = 'submit'",
            [&job.shipment_id],
            |r| r.get(0),
        )?;
        let marked: bool =
            self.tx
                .query_row("SELECT look_up FROM outbox WHERE id = ?1", [&job.id], |r| {
                    r.get(0)
                })?;
        job.attempts += 1;
        job.state = JobState::Running;
        job.due_ms = now + lease_ms as i64;
        self.tx
            .prepare_cached(
                "UPDATE outbox SET state = 'running', attempts = ?2, due_ms = ?3,
                   updated_ms = ?4 WHERE id = ?1",
            )?
            .execute(params![job.id, job.attempts, job.due_ms, now])?;
        let (shipment, _) = self.load_shipment(&job.shipment_id)?;
        Ok(Claim {
            look_up_first: job.kind == JobKind::Submit && (earlier > 0 || marked),
            job,
            shipment,
        })
    }

    fn insert_job(&mut self, shipment_id: &str, kind: JobKind) -> Result<Job> {
        let id = self.new_id();
        self.tx
            .prepare_cached(
                "INSERT INTO outbox (id, shipment_id, kind, state, due_ms, created_ms, updated_ms,
                                     price_of_record)
                 VALUES (?1, ?2, ?3, 'queued', ?4, ?4, ?4,
                         CASE WHEN ?3 = 'submit' THEN
                           (SELECT amount FROM prices_of_record WHERE shipment_id = ?2)
                         END)",
            )?
            .execute(params![id, shipment_id, kind.id(), self.now_ms as i64])?;
        load_job(&self.tx, &id)
    }

    /// Moves the shipment to `to` (checking the lifecycle), with `extra` changed fields.
    fn move_shipment(
        &mut self,
        id: &str,
        to: ShipmentState,
        edit: impl FnOnce(&mut ShipmentRecord, &mut serde_json::Map<String, Value>) -> Result<()>,
    ) -> Result<()> {
        let (mut rec, clocks) = self.load_shipment(id)?;
        if rec.state != to && !rec.state.can_become(to) {
            return Err(Error::Transition {
                from: rec.state.id().into(),
                to: to.id().into(),
            });
        }
        let mut changed = serde_json::Map::new();
        if rec.state != to {
            rec.state = to;
            rec.history.insert(to, at(self.now_ms));
            changed.insert("state".into(), Value::String(to.id().into()));
            changed.insert("history".into(), serde_json::to_value(&rec.history)?);
        }
        edit(&mut rec, &mut changed)?;
        self.store_shipment(&rec, clocks, changed)
    }

    fn set_job(
        &mut self,
        job_id: &str,
        state: JobState,
        due_ms: i64,
        error: Option<(&str, ErrorKind)>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE outbox SET state = ?2, due_ms = ?3, last_error = ?4, error_kind = ?5,
                   updated_ms = ?6 WHERE id = ?1",
            )?
            .execute(params![
                job_id,
                state.id(),
                due_ms,
                error.map(|e| e.0),
                error.map(|e| e.1.id()),
                self.now_ms as i64
            ])?;
        Ok(())
    }

    /// The running job `job_id`; anything else means another worker or the merchant got there
    /// first, and this worker's result must not be recorded.
    /// The job as `claim` holds it, still running under that claim: the attempt number is the
    /// fencing token (issue #17). A job claimed again by another worker since (its lease ran
    /// out) has a higher attempt number, and this claim's results and requests are refused.
    fn fenced_job(&self, claim: &Job) -> Result<Job> {
        let job = load_job(&self.tx, &claim.id)?;
        if job.state != JobState::Running {
            return Err(Error::Transition {
                from: format!("outbox job {}", job.state.id()),
                to: "finished".into(),
            });
        }
        if job.attempts != claim.attempts {
            return Err(Error::Transition {
                from: format!(
                    "outbox job claimed again (attempt {} now, this claim is attempt {})",
                    job.attempts, claim.attempts
                ),
                to: "finished by a stale claim".into(),
            });
        }
        Ok(job)
    }
}

impl Store {
    /// Queues EC-Ship submission of each shipment, in one transaction. A shipment must be
    /// ready, or a draft whose last check found no errors; it moves to `submitted` at once,
    /// so it can no longer be edited while EC-Ship is asked.
    pub fn queue_submissions(&mut self, ids: &[String]) -> Result<Vec<Queued>> {
        self.write(|w| {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(job) = open_job(&w.tx, id, JobKind::Submit)? {
                    out.push(Queued::AlreadyQueued { job });
                    continue;
                }
                let (rec, _) = w.load_shipment(id)?;
                let look_up = must_look_up(&w.tx, &rec)?;
                let refuse = |reason: String| Queued::Refused {
                    shipment_id: id.clone(),
                    reason,
                };
                if !matches!(rec.state, ShipmentState::Draft | ShipmentState::Ready) {
                    out.push(refuse(format!(
                        "it is {}; only drafts and ready items can be submitted",
                        rec.state.id()
                    )));
                    continue;
                }
                if let Some(p) = rec.assessment.problems.iter().find(|p| p.error) {
                    out.push(refuse(format!(
                        "{} ({}): {}",
                        p.field, p.rule, p.message_en
                    )));
                    continue;
                }
                if rec.state == ShipmentState::Draft {
                    w.move_shipment(id, ShipmentState::Ready, |_, _| Ok(()))?;
                }
                w.move_shipment(id, ShipmentState::Submitted, |_, _| Ok(()))?;
                let job = w.insert_job(id, JobKind::Submit)?;
                if look_up {
                    w.tx.prepare_cached("UPDATE outbox SET look_up = 1 WHERE id = ?1")?
                        .execute([&job.id])?;
                }
                out.push(Queued::Queued { job });
            }
            Ok(out)
        })
    }

    /// Queues cancellation of an order EC-Ship made (numbered or printed, not yet posted).
    /// A submission that has not been sent yet is simply withdrawn instead.
    pub fn queue_cancel(&mut self, id: &str) -> Result<Queued> {
        self.write(|w| {
            if let Some(job) = open_job(&w.tx, id, JobKind::Cancel)? {
                return Ok(Queued::AlreadyQueued { job });
            }
            let (rec, _) = w.load_shipment(id)?;
            if !rec.state.can_become(ShipmentState::Cancelled) {
                return Ok(Queued::Refused {
                    shipment_id: id.to_owned(),
                    reason: format!(
                        "it is {}; only numbered or printed items, not yet posted, can be \
                         cancelled at EC-Ship",
                        rec.state.id()
                    ),
                });
            }
            let job = w.insert_job(id, JobKind::Cancel)?;
            Ok(Queued::Queued { job })
        })
    }

    /// Takes back a submission that was queued but never sent (no attempt yet): the job is
    /// withdrawn and the shipment is ready again. Once a request may have gone out, the only
    /// way back is cancelling the order at EC-Ship.
    pub fn withdraw_submission(&mut self, id: &str) -> Result<ShipmentRecord> {
        self.write(|w| {
            let job = open_job(&w.tx, id, JobKind::Submit)?
                .filter(|j| j.state == JobState::Queued && j.attempts == 0)
                .ok_or_else(|| Error::Transition {
                    from: "submitted (already sent to EC-Ship)".into(),
                    to: "withdrawn".into(),
                })?;
            let now = w.now_ms as i64;
            w.set_job(&job.id, JobState::Withdrawn, now, None)?;
            w.move_shipment(id, ShipmentState::Ready, |_, _| Ok(()))
        })?;
        self.require_shipment(id)
    }

    /// Claims up to `limit` jobs that are due now (queued and due, or running with an expired
    /// lease), leasing each for `lease_ms` and counting its attempt.
    pub fn claim_jobs(&mut self, limit: usize, lease_ms: u64) -> Result<Vec<Claim>> {
        self.write(|w| {
            let now = w.now_ms as i64;
            let due: Vec<Job> =
                w.tx.prepare_cached(&format!(
                    "SELECT {JOB_COLUMNS} FROM outbox
                     WHERE state IN ('queued', 'running') AND due_ms <= ?1
                     ORDER BY due_ms, rowid LIMIT ?2"
                ))?
                .query_map(params![now, limit as i64], job_from_row)?
                .collect::<rusqlite::Result<_>>()?;
            due.into_iter().map(|job| w.claim(job, lease_ms)).collect()
        })
    }

    /// Claims the job `job_id` if it is still due now (another worker may have taken it or
    /// finished it since it was listed): a worker takes the jobs of a round one at a time, each
    /// just before it works on it, so no claim waits behind another job's requests.
    pub fn claim_job(&mut self, job_id: &str, lease_ms: u64) -> Result<Option<Claim>> {
        self.write(|w| {
            let job = load_job(&w.tx, job_id)?;
            let due = matches!(job.state, JobState::Queued | JobState::Running)
                && job.due_ms <= w.now_ms as i64;
            if !due {
                return Ok(None);
            }
            w.claim(job, lease_ms).map(Some)
        })
    }

    /// The ids of the jobs due now (by the store's clock), oldest due first: one round of a
    /// worker.
    pub fn due_jobs(&self, limit: usize) -> Result<Vec<String>> {
        let now_ms = self.clock.now_ms() as i64;
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM outbox WHERE state IN ('queued', 'running') AND due_ms <= ?1
                 ORDER BY due_ms, rowid LIMIT ?2",
            )?
            .query_map(params![now_ms, limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Records EC-Ship's order: the item number goes onto the shipment, which becomes
    /// `numbered`; the job is done.
    ///
    /// The shipment is numbered with the body `claim` sent, and from whatever unsettled state
    /// it is in by now: a peer's edit of a stale copy may have been merged while the request
    /// was out (moving it back to draft, changing its weight), but EC-Ship's answer is about
    /// what was sent, and a label bought is never dropped (issue #17). A shipment already
    /// settled otherwise keeps its number, and the job fails saying there may be two orders:
    /// the returned record then carries a different item number (or none).
    pub fn finish_submission(
        &mut self,
        claim: &Claim,
        item_number: &ItemNumber,
        order: &EcshipOrder,
    ) -> Result<ShipmentRecord> {
        let shipment_id = self.write(|w| {
            let job = w.fenced_job(&claim.job)?;
            let (mut rec, clocks) = w.load_shipment(&job.shipment_id)?;
            if !matches!(
                rec.state,
                ShipmentState::Draft | ShipmentState::Ready | ShipmentState::Submitted
            ) {
                // Settled elsewhere meanwhile (another device's order): this answer is a
                // second order, which only the merchant can sort out at EC-Ship. The job stops
                // with that said; the shipment keeps the number it has.
                let error = format!(
                    "EC-Ship answered {} for this shipment, but it was already {} (by another \
                     device): it may now have two orders; cancel one on EC-Ship",
                    item_number.as_str(),
                    rec.state.id()
                );
                let now = w.now_ms as i64;
                w.set_job(
                    &job.id,
                    JobState::Failed,
                    now,
                    Some((&error, ErrorKind::Ecship)),
                )?;
                return Ok(job.shipment_id);
            }
            rec.state = ShipmentState::Numbered;
            rec.history.insert(ShipmentState::Numbered, at(w.now_ms));
            rec.draft.shipment = claim.shipment.draft.shipment.clone();
            rec.draft.shipment.item_number = Some(item_number.clone());
            rec.ecship = Some(order.clone());
            let changed = serde_json::Map::from_iter([
                ("state".to_owned(), Value::String(rec.state.id().into())),
                ("history".to_owned(), serde_json::to_value(&rec.history)?),
                (
                    "body".to_owned(),
                    serde_json::to_value(&rec.draft.shipment)?,
                ),
                ("ecship".to_owned(), serde_json::to_value(order)?),
            ]);
            w.store_shipment(&rec, clocks, changed)?;
            let now = w.now_ms as i64;
            w.set_job(&job.id, JobState::Done, now, None)?;
            Ok(job.shipment_id)
        })?;
        self.require_shipment(&shipment_id)
    }

    /// The order was cancelled at EC-Ship: the shipment becomes `cancelled`.
    pub fn finish_cancel(&mut self, claim: &Job) -> Result<ShipmentRecord> {
        let shipment_id = self.write(|w| {
            let job = w.fenced_job(claim)?;
            w.move_shipment(&job.shipment_id, ShipmentState::Cancelled, |_, _| Ok(()))?;
            let now = w.now_ms as i64;
            w.set_job(&job.id, JobState::Done, now, None)?;
            Ok(job.shipment_id)
        })?;
        self.require_shipment(&shipment_id)
    }

    /// The attempt got no answer (or a passing one): run the job again after `delay_ms`.
    pub fn retry_later(
        &mut self,
        claim: &Job,
        error: &str,
        kind: ErrorKind,
        delay_ms: u64,
    ) -> Result<()> {
        self.write(|w| {
            let job = w.fenced_job(claim)?;
            let due = w.now_ms as i64 + delay_ms as i64;
            w.set_job(&job.id, JobState::Queued, due, Some((error, kind)))
        })
    }

    /// Just before a request for `claim` leaves: checks, in one transaction, that the job is
    /// still this claim's (running, same attempt number) and extends its lease by `lease_ms`
    /// from now, so no other worker can take it over while the request is out. A stale claim
    /// gets [`Error::Transition`] and must not send (issue #17: a fenced send).
    pub fn fence(&mut self, claim: &Job, lease_ms: u64) -> Result<()> {
        self.write(|w| {
            let job = w.fenced_job(claim)?;
            let due = w.now_ms as i64 + lease_ms as i64;
            w.tx.prepare_cached("UPDATE outbox SET due_ms = ?2 WHERE id = ?1")?
                .execute(params![job.id, due])?;
            Ok(())
        })
    }

    /// Stops the job for good with `error` (EC-Ship's text, or what is missing). A failed
    /// submission puts the shipment back to `ready`, so the merchant can fix it and send it
    /// again. `kind` matters for that resend: after an answer (`Ecship`, `Setup`) the last
    /// attempt is known not to have made an order; any `Transport` attempt before it may have.
    pub fn fail_job(&mut self, claim: &Job, error: &str, kind: ErrorKind) -> Result<()> {
        self.write(|w| {
            let job = w.fenced_job(claim)?;
            let now = w.now_ms as i64;
            w.set_job(&job.id, JobState::Failed, now, Some((error, kind)))?;
            // Back to ready for another try; a shipment a peer has moved meanwhile (an edit of
            // a stale copy made it a draft again) stays where the merchant put it.
            let (rec, _) = w.load_shipment(&job.shipment_id)?;
            if job.kind == JobKind::Submit && rec.state == ShipmentState::Submitted {
                w.move_shipment(&job.shipment_id, ShipmentState::Ready, |_, _| Ok(()))?;
            }
            Ok(())
        })
    }

    /// Keeps EC-Ship's price for a shipment about to be submitted (`getTotalPostage`); the
    /// next submission job of the shipment carries it. Asking again replaces it.
    pub fn record_price_of_record(&mut self, shipment_id: &str, amount: Decimal) -> Result<()> {
        self.write(|w| {
            w.tx.prepare_cached(
                "INSERT INTO prices_of_record (shipment_id, amount, asked_ms)
                 SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM shipments WHERE id = ?1)
                 ON CONFLICT (shipment_id) DO UPDATE
                   SET amount = excluded.amount, asked_ms = excluded.asked_ms",
            )?
            .execute(params![shipment_id, amount.to_string(), w.now_ms as i64])?;
            Ok(())
        })
    }

    /// Every job of one shipment, oldest first.
    pub fn jobs_for(&self, shipment_id: &str) -> Result<Vec<Job>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM outbox WHERE shipment_id = ?1 ORDER BY rowid"
            ))?
            .query_map([shipment_id], job_from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The newest job of each shipment that has one: what the shipments list shows.
    pub fn latest_jobs(&self) -> Result<Vec<Job>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM outbox o WHERE rowid =
                   (SELECT MAX(rowid) FROM outbox WHERE shipment_id = o.shipment_id)"
            ))?
            .query_map([], job_from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Jobs still to run (queued or running).
    pub fn open_jobs(&self) -> Result<Vec<Job>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM outbox WHERE state IN ('queued', 'running')
                 ORDER BY due_ms, rowid"
            ))?
            .query_map([], job_from_row)?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Sticks the number of a pre-printed iMail barcode label on a shipment. The
    /// number must be a valid S10 number (check digit included, domain.md §7), the item must
    /// be iMail and still editable, and no other live shipment may carry it.
    pub fn attach_item_number(&mut self, id: &str, number: &str) -> Result<ShipmentRecord> {
        let problem = |message: String| Error::Rule {
            field: "item_number",
            rule: "R-047",
            message,
        };
        let parsed = ItemNumber::parse(number).map_err(|e| problem(e.to_string()))?;
        self.write(|w| {
            let (mut rec, clocks) = w.load_shipment(id)?;
            if rec.draft.shipment.service != Service::Imail {
                return Err(problem(
                    "pre-printed barcode labels are for iMail items only".into(),
                ));
            }
            if !rec.state.is_editable() {
                return Err(Error::Transition {
                    from: rec.state.id().into(),
                    to: "relabelled".into(),
                });
            }
            let other: Option<String> =
                w.tx.query_row(
                    "SELECT id FROM shipments WHERE item_number = ?1 AND id <> ?2
                       AND deleted = 0 AND state <> 'cancelled'",
                    params![parsed.as_str(), id],
                    |r| r.get(0),
                )
                .optional()?;
            if other.is_some() {
                return Err(problem(format!(
                    "{} is already on another shipment",
                    parsed.as_str()
                )));
            }
            rec.draft.shipment.item_number = Some(parsed);
            let changed = object(vec![("body", serde_json::to_value(&rec.draft.shipment)?)]);
            w.store_shipment(&rec, clocks, changed)
        })?;
        self.require_shipment(id)
    }

    /// Replaces the stored tracking events of a shipment with `events` (EC-Ship returns the
    /// whole history each time).
    pub fn save_tracking(&mut self, shipment_id: &str, events: &[TrackingEvent]) -> Result<()> {
        self.write(|w| {
            w.tx.execute(
                "DELETE FROM tracking_events WHERE shipment_id = ?1",
                [shipment_id],
            )?;
            let mut st = w.tx.prepare_cached(
                "INSERT OR IGNORE INTO tracking_events
                   (shipment_id, at, code, description, location, fetched_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for e in events {
                st.execute(params![
                    shipment_id,
                    e.at,
                    e.code,
                    e.description,
                    e.location,
                    w.now_ms as i64
                ])?;
            }
            Ok(())
        })
    }

    /// A shipment's tracking events, oldest first.
    pub fn tracking(&self, shipment_id: &str) -> Result<Vec<TrackingEvent>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT at, code, description, location FROM tracking_events
                 WHERE shipment_id = ?1 ORDER BY at, code",
            )?
            .query_map([shipment_id], |r| {
                Ok(TrackingEvent {
                    at: r.get(0)?,
                    code: r.get(1)?,
                    description: r.get(2)?,
                    location: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Keeps EC-Ship's own label PDF (its address pack) for a shipment.
    pub fn save_address_pack(&mut self, shipment_id: &str, pdf: &[u8]) -> Result<()> {
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO ecship_documents (shipment_id, kind, bytes, fetched_ms)
                 VALUES (?1, 'address_pack', ?2, ?3)
                 ON CONFLICT (shipment_id, kind) DO UPDATE
                   SET bytes = excluded.bytes, fetched_ms = excluded.fetched_ms",
                params![shipment_id, pdf, w.now_ms as i64],
            )?;
            Ok(())
        })
    }

    pub fn address_pack(&self, shipment_id: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT bytes FROM ecship_documents
                 WHERE shipment_id = ?1 AND kind = 'address_pack'",
                [shipment_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// One printing of a shipment's label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelPrint {
    pub printed_ms: i64,
    /// The device or user who printed (no customer data).
    pub who: String,
    pub copies: u32,
    /// EC-Ship's own label, not Satchel's layout.
    pub operator_label: bool,
}

impl Store {
    /// Logs a print of `shipment_id`'s label, stamped with the store's clock.
    pub fn record_label_print(
        &mut self,
        shipment_id: &str,
        who: &str,
        copies: u32,
        operator_label: bool,
    ) -> Result<()> {
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO label_prints (shipment_id, printed_ms, who, copies, operator_label)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    shipment_id,
                    w.now_ms as i64,
                    who,
                    copies.max(1),
                    operator_label
                ],
            )?;
            Ok(())
        })
    }

    /// The label's print log, oldest first.
    pub fn label_prints(&self, shipment_id: &str) -> Result<Vec<LabelPrint>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT printed_ms, who, copies, operator_label FROM label_prints
                 WHERE shipment_id = ?1 ORDER BY printed_ms, id",
            )?
            .query_map([shipment_id], |r| {
                Ok(LabelPrint {
                    printed_ms: r.get(0)?,
                    who: r.get(1)?,
                    copies: r.get(2)?,
                    operator_label: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    }
}

/// One tracking event as stored: `at` is EC-Ship's local time as it gave it (ISO 8601).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingEvent {
    pub at: String,
    pub code: String,
    pub description: String,
    pub location: String,
}
