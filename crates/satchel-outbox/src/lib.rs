//! The outbox worker: takes due jobs from the store's outbox and asks EC-Ship to do them;
//! [`refresh`] keeps the tracking of stored shipments up to date the same way.
//!
//! Why it is shaped like this (issue #7: "never twice for one parcel"):
//! - The store counts an attempt *before* the request leaves ([`Store::claim_jobs`]); if the
//!   answer is lost, or this process dies, the next attempt is flagged
//!   [`look_up_first`](satchel_store::Claim::look_up_first) and asks EC-Ship for the order by
//!   `refNo` (our shipment id) before creating anything. If that lookup cannot be made, the
//!   job fails with a clear message rather than risk a second label.
//! - The store lock is never held across a network call: claim, unlock, ask, lock, record.
//! - No answer means "try again later" with a capped exponential backoff, forever: a stall
//!   at a market with no signal must not turn into failed jobs. An answer that says no is
//!   EC-Ship's decision, shown to the merchant in its own words, and not retried by itself.

use std::time::Duration;

use satchel_store::{Claim, EcshipOrder, ErrorKind, JobKind, ShipmentRecord, StoreAccess};
use uuid::Uuid;

use satchel_net::ecship::{ClientError, EcshipClient};
use satchel_net::wall_now;

pub mod refresh;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct Policy {
    /// How long a claimed job is ours before another worker may take it over. Longer than
    /// the client's timeout, so a slow answer is not raced by a second request.
    pub lease: Duration,
    /// Jobs claimed per round.
    pub batch: usize,
    /// First retry delay after no answer; doubles per attempt up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Also download EC-Ship's own label PDF (its address pack) after an order is made.
    pub fetch_address_pack: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            lease: Duration::from_secs(120),
            batch: 20,
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            fetch_address_pack: true,
        }
    }
}

impl Policy {
    /// The wait before attempt `attempts + 1`, after `attempts` that got no answer.
    pub fn backoff_after(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(20);
        self.backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff)
    }
}

/// What happened to one job in a round, for progress bars and the CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// EC-Ship made the order (or already had it: `found` is true when the lookup found it).
    Numbered {
        shipment_id: String,
        item_number: String,
        found: bool,
    },
    Cancelled {
        shipment_id: String,
    },
    /// No answer; the job will run again after `after`.
    WillRetry {
        shipment_id: String,
        error: String,
        after: Duration,
    },
    /// Stopped: EC-Ship said no, or Satchel is not set up to ask.
    Failed {
        shipment_id: String,
        error: String,
        kind: ErrorKind,
    },
}

/// A round's failure that is not about one job: the store itself could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(transparent)]
    Store(#[from] satchel_store::Error),
}

/// Claims the jobs due now and does each of them once. Returns what happened to each.
pub async fn run_due(
    store: &impl StoreAccess,
    client: &EcshipClient,
    policy: &Policy,
) -> Result<Vec<Outcome>, WorkerError> {
    let mut out = Vec::new();
    // The jobs due when the round starts, each claimed just before it is worked on (issue
    // #17): a claim never waits behind another job's requests, so its lease is not eaten up
    // before its own request leaves; a job retried in this round waits for the next one.
    let round = store.with_store(|s| s.due_jobs(policy.batch.max(1)))?;
    for job_id in round {
        let Some(claim) = store.with_store(|s| s.claim_job(&job_id, lease_ms(policy)))? else {
            continue;
        };
        out.extend(work(store, client, policy, &claim).await?);
    }
    Ok(out)
}

/// Does one claimed job once: what [`run_due`] does with each claim it takes. `None` when
/// the claim went stale before its request left or its result was recorded (its lease ran out
/// and another worker took the job over): that worker's result stands, and this claim sent
/// nothing after losing the job.
pub async fn work(
    store: &impl StoreAccess,
    client: &EcshipClient,
    policy: &Policy,
    claim: &Claim,
) -> Result<Option<Outcome>, WorkerError> {
    let outcome = match claim.job.kind {
        JobKind::Submit => submit(store, client, policy, claim).await,
        JobKind::Cancel => cancel(store, client, policy, claim).await,
    };
    match outcome {
        Ok(o) => Ok(Some(o)),
        Err(WorkerError::Store(satchel_store::Error::Transition { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Runs rounds until no job is left open, sleeping until the next one is due; for the CLI's
/// `satchel submit` and for tests. Gives up waiting after `patience` without progress.
pub async fn drain(
    store: &impl StoreAccess,
    client: &EcshipClient,
    policy: &Policy,
    patience: Duration,
    mut on_outcome: impl FnMut(&Outcome),
) -> Result<(), WorkerError> {
    let mut idle = Duration::ZERO;
    loop {
        let outcomes = run_due(store, client, policy).await?;
        outcomes.iter().for_each(&mut on_outcome);
        let open = store.with_store(|s| s.open_jobs())?;
        let Some(next) = open.iter().map(|j| j.due_ms).min() else {
            return Ok(());
        };
        if outcomes.is_empty() {
            let now = wall_now().timestamp_millis();
            let wait = Duration::from_millis(u64::try_from(next - now).unwrap_or(0))
                .clamp(Duration::from_millis(20), Duration::from_secs(1));
            idle += wait;
            if idle > patience {
                return Ok(());
            }
            tokio::time::sleep(wait).await;
        } else {
            idle = Duration::ZERO;
        }
    }
}

/// The lease a claim made under `policy` holds, for a caller that claims by itself.
pub fn lease_ms(policy: &Policy) -> u64 {
    policy.lease.as_millis() as u64
}

/// Fences the next request of `claim` (issue #17): the job must still be this claim's, and its
/// lease is extended before the request leaves. A stale claim ends here with the store's
/// `Transition` error, which [`run_due`] treats as "taken over": it never sends.
fn fence(store: &impl StoreAccess, policy: &Policy, claim: &Claim) -> Result<(), WorkerError> {
    Ok(store.with_store(|s| s.fence(&claim.job, lease_ms(policy)))?)
}

/// What a lookup by `refNo` found: the order made for this shipment, nothing, or orders that
/// do not carry its reference (never adopted, and never a reason to create another).
#[derive(Debug, PartialEq, Eq)]
enum Lookup {
    Found(satchel_ecship::FoundItem),
    Nothing,
    Unmatched(usize),
}

fn lookup(found: Vec<satchel_ecship::FoundItem>, id: Uuid) -> Lookup {
    let total = found.len();
    let reference = id.to_string();
    match found
        .into_iter()
        .find(|f| f.ref_no.trim().eq_ignore_ascii_case(&reference))
    {
        Some(hit) => Lookup::Found(hit),
        None if total == 0 => Lookup::Nothing,
        None => Lookup::Unmatched(total),
    }
}

fn shipment_uuid(rec: &ShipmentRecord) -> Uuid {
    // Ids are UUIDv7 strings made by the store; one that does not parse cannot have been
    // sent, and the nil UUID would be refused by EC-Ship rather than collide.
    Uuid::parse_str(&rec.id).unwrap_or_default()
}

async fn submit(
    store: &impl StoreAccess,
    client: &EcshipClient,
    policy: &Policy,
    claim: &Claim,
) -> Result<Outcome, WorkerError> {
    let id = shipment_uuid(&claim.shipment);
    let shipment_id = claim.shipment.id.clone();
    if claim.look_up_first {
        fence(store, policy, claim)?;
        match client.find_by_ref(id).await.map(|found| lookup(found, id)) {
            Ok(Lookup::Unmatched(n)) => {
                // EC-Ship answered with orders that are not this shipment's: adopting one would
                // put another parcel's label on it, creating one might buy a second label.
                let error = format!(
                    "EC-Ship's lookup by reference returned {n} order(s), none with this \
                     shipment's reference, so nothing was sent again; check the order on \
                     EC-Ship before submitting it once more"
                );
                store.with_store(|s| s.fail_job(&claim.job, &error, ErrorKind::Setup))?;
                return Ok(Outcome::Failed {
                    shipment_id,
                    error,
                    kind: ErrorKind::Setup,
                });
            }
            Ok(Lookup::Nothing) => {}
            Ok(Lookup::Found(item)) => {
                let order = EcshipOrder {
                    order_no: item.order_no.unwrap_or_default(),
                    delivery_charge: None,
                    insurance_fee: None,
                    created_at: wall_now(),
                };
                return numbered(store, client, policy, claim, &item.item_no, &order, true).await;
            }
            Err(e) => {
                let context = "Could not check whether EC-Ship already has this order, so it \
                               was not sent again";
                return settle_error(store, policy, claim, e, context);
            }
        }
    }
    fence(store, policy, claim)?;
    match client
        .create_order(id, &claim.shipment.draft.shipment)
        .await
    {
        Ok(created) => {
            let order = EcshipOrder {
                order_no: created.order_no.clone(),
                delivery_charge: created.delivery_charge,
                insurance_fee: created.insur_perm_fee,
                created_at: wall_now(),
            };
            numbered(
                store,
                client,
                policy,
                claim,
                &created.item_no,
                &order,
                false,
            )
            .await
        }
        Err(e) => settle_error(store, policy, claim, e, "EC-Ship did not create the order"),
    }
}

/// Records EC-Ship's order for `claim` and fetches its label. If the shipment was numbered
/// otherwise meanwhile (another device's order), the store has stopped the job saying so.
async fn numbered(
    store: &impl StoreAccess,
    client: &EcshipClient,
    policy: &Policy,
    claim: &Claim,
    item: &satchel_core::s10::ItemNumber,
    order: &EcshipOrder,
    found: bool,
) -> Result<Outcome, WorkerError> {
    let shipment_id = claim.shipment.id.clone();
    let rec = store.with_store(|s| s.finish_submission(claim, item, order))?;
    if rec.draft.shipment.item_number.as_ref() != Some(item) {
        let error = store
            .with_store(|s| s.jobs_for(&shipment_id))?
            .into_iter()
            .find(|j| j.id == claim.job.id)
            .and_then(|j| j.last_error)
            .unwrap_or_default();
        return Ok(Outcome::Failed {
            shipment_id,
            error,
            kind: ErrorKind::Ecship,
        });
    }
    fetch_address_pack(store, client, policy, &shipment_id, item).await;
    Ok(Outcome::Numbered {
        shipment_id,
        item_number: item.as_str().to_owned(),
        found,
    })
}

async fn cancel(
    store: &impl StoreAccess,
    client: &EcshipClient,
    policy: &Policy,
    claim: &Claim,
) -> Result<Outcome, WorkerError> {
    let shipment_id = claim.shipment.id.clone();
    let (Some(item), Some(order)) = (
        claim.shipment.draft.shipment.item_number.as_ref(),
        claim.shipment.ecship.as_ref(),
    ) else {
        let error = "This shipment has no EC-Ship order to cancel".to_owned();
        store.with_store(|s| s.fail_job(&claim.job, &error, ErrorKind::Setup))?;
        return Ok(Outcome::Failed {
            shipment_id,
            error,
            kind: ErrorKind::Setup,
        });
    };
    if order.order_no.trim().is_empty() {
        // A Speedpost order made through SoazPosting has no order number and the public API
        // has no cancel operation for it (domain.md §10.4).
        let error = "EC-Ship's API cannot cancel this Speedpost order; withdraw it on the \
                     EC-Ship portal or at the post office"
            .to_owned();
        store.with_store(|s| s.fail_job(&claim.job, &error, ErrorKind::Ecship))?;
        return Ok(Outcome::Failed {
            shipment_id,
            error,
            kind: ErrorKind::Ecship,
        });
    }
    fence(store, policy, claim)?;
    match client.cancel_order(item, &order.order_no).await {
        Ok(()) => {
            store.with_store(|s| s.finish_cancel(&claim.job))?;
            Ok(Outcome::Cancelled { shipment_id })
        }
        Err(e) => settle_error(store, policy, claim, e, "EC-Ship did not cancel the order"),
    }
}

/// Records a failed request: no answer → retry later; an answer or a setup problem → stop.
fn settle_error(
    store: &impl StoreAccess,
    policy: &Policy,
    claim: &Claim,
    e: ClientError,
    context: &str,
) -> Result<Outcome, WorkerError> {
    let shipment_id = claim.shipment.id.clone();
    if e.outcome_unknown() {
        let after = policy.backoff_after(claim.job.attempts);
        let error = format!("No answer from EC-Ship yet ({e}); trying again");
        store.with_store(|s| {
            s.retry_later(
                &claim.job,
                &error,
                ErrorKind::Transport,
                after.as_millis() as u64,
            )
        })?;
        return Ok(Outcome::WillRetry {
            shipment_id,
            error,
            after,
        });
    }
    let kind = match e {
        ClientError::Reply(_) => ErrorKind::Ecship,
        _ => ErrorKind::Setup,
    };
    let error = format!("{context}: {e}");
    store.with_store(|s| s.fail_job(&claim.job, &error, kind))?;
    Ok(Outcome::Failed {
        shipment_id,
        error,
        kind,
    })
}

/// Keeps EC-Ship's own label PDF, the one that goes to the counter.
/// A label that cannot be had now is not a failed order: the order stands, and the label is
/// asked for again when the merchant prints ([`fetch_label`]).
async fn fetch_address_pack(
    store: &impl StoreAccess,
    client: &EcshipClient,
    policy: &Policy,
    shipment_id: &str,
    item: &satchel_core::s10::ItemNumber,
) {
    if !policy.fetch_address_pack {
        return;
    }
    let _ = fetch_label(store, client, shipment_id, item).await;
}

/// Downloads and stores the operator's label for a numbered shipment (getAddressPack, or
/// getSoazAddressPack for Speedpost on the Soaz route), dated with the order's Hong Kong day.
pub async fn fetch_label(
    store: &impl StoreAccess,
    client: &EcshipClient,
    shipment_id: &str,
    item: &satchel_core::s10::ItemNumber,
) -> Result<Vec<u8>, ClientError> {
    let rec = store.with_store(|s| s.shipment(shipment_id)).ok().flatten();
    let created = rec
        .as_ref()
        .and_then(|r| r.ecship.as_ref())
        .map_or_else(wall_now, |o| o.created_at);
    let hk = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    let day = created.with_timezone(&hk).date_naive();
    let shipment = rec.map(|r| r.draft.shipment);
    let pdf = match shipment {
        Some(s) => client.label(&s, item, day).await?,
        None => client.address_pack(std::slice::from_ref(item)).await?,
    };
    let _ = store.with_store(|s| s.save_address_pack(shipment_id, &pdf));
    Ok(pdf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use satchel_core::s10::ItemNumber;
    use satchel_ecship::FoundItem;

    fn found(ref_no: &str) -> FoundItem {
        FoundItem {
            ref_no: ref_no.into(),
            item_no: ItemNumber::parse("EE123456785HK").unwrap(),
            order_no: Some("O-1".into()),
        }
    }

    /// Issue #17: a lookup hit is adopted only when it carries this shipment's reference.
    #[test]
    fn a_lookup_hit_must_carry_the_shipment_s_reference() {
        let id = Uuid::now_v7();
        assert_eq!(lookup(vec![], id), Lookup::Nothing);
        assert_eq!(
            lookup(vec![found("someone-else"), found("")], id),
            Lookup::Unmatched(2)
        );
        let mine = found(&id.to_string().to_uppercase());
        assert_eq!(
            lookup(vec![found("someone-else"), mine.clone()], id),
            Lookup::Found(mine)
        );
    }
}
