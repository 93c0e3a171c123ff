//! `satchel ecship setup | status`, `satchel submit`, `satchel track`, `satchel cancel`:
//! EC-Ship from a terminal (issue #7).
//!
//! Why these are thin: the store's outbox decides what may be sent (one job per shipment, the
//! lookup by `refNo` before any second create), `satchel-net` decides how, and the settings
//! file and keychain entries are the very ones the desktop app uses. So a script can submit
//! a batch, stop, and the app (or the next `satchel submit`) carries on with the same queue,
//! and neither can ever buy a second label for one parcel.
//!
//! Unlike the other commands these print as they go: a submission can wait minutes for a
//! network, and the merchant should see each item number as it arrives. The API key is read
//! from stdin, never argv, because arguments show in `ps` and in the shell history; it is
//! never printed (status says only "stored" or "missing").

use std::collections::HashMap;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use satchel_core::s10::ItemNumber;
use satchel_ipc::wording::{refusal, Lang};
use satchel_ipc::{CancelOutcome, CommandError, Refused};
use satchel_keychain::{Keychain, Secret, ECSHIP_API_KEY, ECSHIP_INTEGRATOR_USERNAME};
use satchel_net::ecship::EcshipClient;
use satchel_net::settings::{settings_path, EcshipSettings};
use satchel_outbox::refresh;
use satchel_outbox::{self as outbox, Outcome, Policy};
use satchel_store::{
    JobKind, JobState, Queued, ShipmentFilter, ShipmentRecord, ShipmentState, Store, TrackingEvent,
};
use satchel_workflows::ecship::cancel_or_withdraw;
use serde_json::{json, Value};

use super::labels::by_keys;
use super::store;
use crate::args::{CancelArgs, SetupArgs, SubmitArgs, TrackArgs, WaitArgs};
use crate::{Output, Status};

/// Lines printed as they happen: text for people, or one JSON object per line with `--json`.
#[derive(Debug, Clone, Copy)]
struct Live {
    json: bool,
}

impl Live {
    fn line(&self, text: &str, value: Value) {
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) must not stop a submission half way: the outbox is the
        // record, the printing is only a view of it.
        let _ = if self.json {
            writeln!(out, "{value}")
        } else {
            writeln!(out, "{text}")
        };
        let _ = out.flush();
    }

    fn outcome(&self, o: &Outcome) {
        match o {
            Outcome::Numbered {
                shipment_id,
                item_number,
                found,
            } => self.line(
                &format!("numbered {shipment_id} {item_number}"),
                json!({"outcome": "numbered", "shipment_id": shipment_id,
                       "item_number": item_number, "found_by_lookup": found}),
            ),
            Outcome::Cancelled { shipment_id } => self.line(
                &format!("cancelled {shipment_id}"),
                json!({"outcome": "cancelled", "shipment_id": shipment_id}),
            ),
            Outcome::WillRetry {
                shipment_id,
                error,
                after,
            } => self.line(
                &format!("will retry {shipment_id}: {error}"),
                json!({"outcome": "will_retry", "shipment_id": shipment_id, "error": error,
                       "after_ms": after.as_millis() as u64}),
            ),
            Outcome::Failed {
                shipment_id,
                error,
                kind,
            } => self.line(
                &format!("failed {shipment_id}: {error}"),
                json!({"outcome": "failed", "shipment_id": shipment_id, "error": error,
                       "kind": kind.id()}),
            ),
        }
    }
}

/// The keychain the desktop app uses; `$SATCHEL_PROFILE` picks the same profile as the app.
fn keychain() -> anyhow::Result<Keychain> {
    let profile = std::env::var("SATCHEL_PROFILE")
        .ok()
        .filter(|p| !p.is_empty());
    Keychain::open_default(profile.as_deref())
        .context("the system keychain (which holds the EC-Ship API key) cannot be used")
}

/// A client from the saved settings and the keychain, or the reason there is none (which
/// names `satchel ecship setup`).
fn client(db: &Path) -> anyhow::Result<(EcshipSettings, Keychain, EcshipClient)> {
    let settings = EcshipSettings::load(&settings_path(db));
    let kc = keychain()?;
    let client = settings.client(&kc).map_err(|e| anyhow!("{e}"))?;
    Ok((settings, kc, client))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the network runtime")
}

/// The shipments named by id or order reference; any name that matches none is a usage
/// error, checked before anything is sent.
fn resolve(db: &Store, keys: &[String]) -> anyhow::Result<Vec<ShipmentRecord>> {
    let (found, missing) = by_keys(db, keys)?;
    if !missing.is_empty() {
        bail!(
            "ID_OR_REF: no shipment has the id or order reference {}",
            missing.join(", ")
        );
    }
    Ok(found)
}

/// Reads the API key from stdin: the first non-empty line, trimmed. Empty means "keep the
/// stored one".
fn read_api_key() -> anyhow::Result<Option<String>> {
    let stdin = std::io::stdin();
    let mut text = String::new();
    if stdin.is_terminal() {
        eprint!(
            "EC-Ship API key (shown as typed; to hide it, pipe it in: satchel ecship setup \
             ... < key.txt), or Enter to keep the stored one: "
        );
        let _ = std::io::stderr().flush();
        stdin
            .read_line(&mut text)
            .context("API key (stdin): cannot read it")?;
    } else {
        stdin
            .lock()
            .read_to_string(&mut text)
            .context("API key (stdin): cannot read it")?;
    }
    Ok(text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned))
}

pub fn setup(db: Option<&Path>, a: &SetupArgs, json: bool) -> anyhow::Result<Output> {
    let user = a.integrator_username.trim();
    if user.is_empty() {
        bail!("--integrator-username: enter the integrator username EC-Ship issued for the API");
    }
    let opt = |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let (ecship_username, hkp_id) = (opt(&a.ecship_username), opt(&a.hkp_id));
    let identity = a.identity.as_str();
    if identity != "hkp_id" && ecship_username.is_empty() {
        bail!("--ecship-username: needed with --identity {identity} (your EC-Ship portal account)");
    }
    if identity != "ecship_username" && hkp_id.is_empty() {
        bail!("--hkp-id: needed with --identity {identity}");
    }
    let path = store::db_path(db)?;
    let kc = keychain()?;
    let key = read_api_key()?;
    let had_key = kc
        .get(ECSHIP_API_KEY)
        .context("the keychain cannot be read")?
        .is_some();
    if key.is_none() && !had_key {
        bail!(
            "API key (stdin): none given and none stored; pipe it in, e.g. \
             `satchel ecship setup ... < key.txt`"
        );
    }
    kc.set(ECSHIP_INTEGRATOR_USERNAME, &Secret::new(user.to_owned()))
        .context("--integrator-username: cannot store it in the keychain")?;
    if let Some(key) = key.as_ref() {
        kc.set(ECSHIP_API_KEY, &Secret::new(key.clone()))
            .context("API key: cannot store it in the keychain")?;
    }
    let settings = EcshipSettings {
        base_url: a.base_url.trim().to_owned(),
        tracking_base_url: a
            .tracking_base_url
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        ecship_username,
        hkp_id,
        identity: identity.to_owned(),
        search_type: opt(&a.search_type),
        sort_order: opt(&a.sort_order),
        ship_codes: a.ship_codes.iter().cloned().collect(),
        non_delivery: a.non_delivery_codes.iter().cloned().collect(),
        country_codes: Default::default(),
        edi_notice_accepted: a.accept_edi_notice
            || EcshipSettings::load(&settings_path(&path)).edi_notice_accepted,
        speedpost_route: a.speedpost_route.clone(),
        soaz_service: opt(&a.soaz_service),
    };
    let file = settings_path(&path);
    settings
        .save(&file)
        .with_context(|| format!("cannot save the EC-Ship settings to {}", file.display()))?;
    let key_note = if key.is_some() {
        "stored"
    } else {
        "kept as it was"
    };
    let text = format!(
        "EC-Ship settings saved to {}\nIntegrator username stored, API key {key_note}, in the {} \
         (service {})\n",
        file.display(),
        kc.backend(),
        kc.service()
    );
    let value = json!({"settings_file": file, "api_key": "stored",
                       "keychain": kc.backend().to_string(), "service": kc.service()});
    Ok(Output::new(
        if json { format!("{value}\n") } else { text },
        Status::Ok,
    ))
}

pub fn status(db: Option<&Path>, json: bool) -> anyhow::Result<Output> {
    let path = store::db_path(db)?;
    let file = settings_path(&path);
    let s = EcshipSettings::load(&file);
    let (user, has_key, keychain_text) = match keychain() {
        Ok(kc) => {
            let user = kc
                .get(ECSHIP_INTEGRATOR_USERNAME)
                .ok()
                .flatten()
                .map(|u| u.expose().to_owned())
                .unwrap_or_default();
            let has_key = matches!(kc.get(ECSHIP_API_KEY), Ok(Some(_)));
            (
                user,
                has_key,
                format!("{} (service {})", kc.backend(), kc.service()),
            )
        }
        Err(e) => (String::new(), false, format!("unavailable: {e:#}")),
    };
    let st = store::open(Some(&path))?;
    let open = st.open_jobs()?;
    let failed: Vec<_> = st
        .latest_jobs()?
        .into_iter()
        .filter(|j| j.state == JobState::Failed)
        .collect();
    let identity = if s.identity.is_empty() {
        "ecship_username"
    } else {
        s.identity.as_str()
    };
    let set_up = !s.base_url.trim().is_empty() && !user.is_empty() && has_key;
    if json {
        let job = |j: &satchel_store::Job| {
            json!({"shipment_id": j.shipment_id, "kind": j.kind.id(),
                   "state": j.state.id(), "attempts": j.attempts,
                   "error": j.last_error})
        };
        let value = json!({
            "set_up": set_up,
            "settings_file": file,
            "base_url": s.base_url,
            "tracking_base_url": s.tracking_base_url,
            "ecship_username": s.ecship_username,
            "hkp_id": s.hkp_id,
            "identity": identity,
            "search_type": s.search_type,
            "sort_order": s.sort_order,
            "integrator_username": user,
            "api_key": if has_key { "stored" } else { "missing" },
            "keychain": keychain_text,
            "open_jobs": open.iter().map(job).collect::<Vec<_>>(),
            "failed_jobs": failed.iter().map(job).collect::<Vec<_>>(),
        });
        return Ok(Output::new(format!("{value}\n"), Status::Ok));
    }
    let or_none = |v: &str, none: &str| {
        if v.trim().is_empty() {
            none.to_owned()
        } else {
            v.to_owned()
        }
    };
    let mut t = String::new();
    if !set_up {
        t.push_str("EC-Ship is not set up: run `satchel ecship setup` (see --help)\n");
    }
    t.push_str(&format!("Settings file:        {}\n", file.display()));
    t.push_str(&format!(
        "Service address:      {}\n",
        or_none(&s.base_url, "(none)")
    ));
    t.push_str(&format!(
        "Tracking address:     {}\n",
        or_none(&s.tracking_base_url, "(none: tracking uses getTTInfo)")
    ));
    t.push_str(&format!(
        "EC-Ship username:     {}\n",
        or_none(&s.ecship_username, "(none)")
    ));
    t.push_str(&format!(
        "HKP id:               {}\n",
        or_none(&s.hkp_id, "(none)")
    ));
    t.push_str(&format!("Identity:             {identity}\n"));
    t.push_str(&format!(
        "Integrator username:  {}\n",
        or_none(&user, "missing")
    ));
    t.push_str(&format!(
        "API key:              {}\n",
        if has_key { "stored" } else { "missing" }
    ));
    t.push_str(&format!("Keychain:             {keychain_text}\n"));
    t.push_str(&format!(
        "Lookup by refNo:      {}\n",
        if s.codes().search_type_ref_no.is_some() {
            format!("searchType {}, sortOrder {}", s.search_type, s.sort_order)
        } else {
            "not configured (a submission whose reply was lost fails instead of being resent)"
                .to_owned()
        }
    ));
    t.push_str(&format!(
        "\nOutbox: {} open, {} failed\n",
        open.len(),
        failed.len()
    ));
    for j in &open {
        t.push_str(&format!(
            "  {:<9} {} {} ({} attempt{}){}\n",
            j.state.id(),
            j.kind.id(),
            j.shipment_id,
            j.attempts,
            if j.attempts == 1 { "" } else { "s" },
            j.last_error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ));
    }
    for j in &failed {
        t.push_str(&format!(
            "  failed    {} {}: {}\n",
            j.kind.id(),
            j.shipment_id,
            j.last_error.as_deref().unwrap_or("(no message)")
        ));
    }
    Ok(Output::new(t, Status::Ok))
}

/// Runs the outbox until it is empty or `wait.wait` seconds have passed. A request cut off by
/// the deadline keeps its job leased for a minute; its next attempt looks the order up first.
fn drain(
    st: &Mutex<Store>,
    client: &EcshipClient,
    wait: &WaitArgs,
    live: Live,
) -> anyhow::Result<()> {
    let policy = Policy {
        // Longer than the client's 30 s request timeout (see Policy::lease), but short, so a
        // rerun soon after an interrupted one picks the job up again.
        lease: Duration::from_secs(60),
        // Someone is watching and the wait is bounded: retry sooner than the app's
        // background worker, which may back off for minutes.
        backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(10),
        ..Policy::default()
    };
    let limit = Duration::from_secs(wait.wait);
    let res = runtime()?.block_on(async {
        tokio::time::timeout(
            limit,
            outbox::drain(st, client, &policy, limit, |o| live.outcome(o)),
        )
        .await
    });
    match res {
        Ok(r) => r.context("the outbox could not be used"),
        // The wait ran out; the caller reports what is still open.
        Err(_) => Ok(()),
    }
}

/// After a drain: whether every watched job of `kind` is done, printing the ones still open.
fn settle(st: &Store, watch: &[String], kind: JobKind, live: Live) -> anyhow::Result<bool> {
    let mut all_done = true;
    let mut waiting = 0;
    for id in watch {
        let Some(job) = st.jobs_for(id)?.into_iter().rfind(|j| j.kind == kind) else {
            continue;
        };
        match job.state {
            JobState::Done => {}
            JobState::Queued | JobState::Running => {
                all_done = false;
                waiting += 1;
                let why = job.last_error.as_deref().unwrap_or("not sent yet");
                live.line(
                    &format!("still waiting {id}: {why}"),
                    json!({"outcome": "still_waiting", "shipment_id": id, "error": job.last_error}),
                );
            }
            JobState::Failed | JobState::Withdrawn => all_done = false,
        }
    }
    if waiting > 0 {
        eprintln!(
            "note: {waiting} job(s) are still queued and kept in the outbox; run `satchel \
             submit` again (or open the app) to send them"
        );
    }
    Ok(all_done)
}

/// Issue #16, as the app's price dialog: EC-Ship's own price for each shipment is asked
/// before anything is queued and kept as the price of record; where it differs from Satchel's
/// estimate both are shown and nothing is submitted unless the merchant accepts EC-Ship's.
/// Offline, or where EC-Ship cannot price an item, the submission goes ahead as before.
fn price_of_record(
    st: &mut Store,
    client: &EcshipClient,
    records: &[satchel_store::ShipmentRecord],
    accept: bool,
    live: Live,
) -> anyhow::Result<()> {
    let asked = runtime()?.block_on(satchel_workflows::ecship::prices_of_record(client, records));
    let mut differs = false;
    for (p, rec) in asked.iter().zip(records) {
        let money = |m: &Option<String>| m.as_deref().map_or("-".to_owned(), |m| format!("HK${m}"));
        match (&p.ecship, &p.error) {
            (Some(amount), _) => {
                if let Ok(amount) = amount.parse() {
                    st.record_price_of_record(&rec.id, amount)?;
                }
                differs |= p.differs;
                live.line(
                    &format!(
                        "price {}: Satchel {}, EC-Ship {}{}",
                        p.label,
                        money(&p.satchel),
                        money(&p.ecship),
                        if p.differs { " (differs)" } else { "" }
                    ),
                    json!({"outcome": "price", "shipment_id": p.id, "satchel": p.satchel,
                           "ecship": p.ecship, "differs": p.differs}),
                );
            }
            (None, error) => live.line(
                &format!(
                    "price {}: Satchel {}, EC-Ship not asked: {}",
                    p.label,
                    money(&p.satchel),
                    error.as_deref().unwrap_or("no answer")
                ),
                json!({"outcome": "price", "shipment_id": p.id, "satchel": p.satchel,
                       "ecship": null, "error": error}),
            ),
        }
    }
    if differs && !accept {
        bail!(
            "EC-Ship's price differs from Satchel's estimate for some of these (above); nothing \
             was submitted.\nRun again with --accept-ecship-price to submit at EC-Ship's price."
        );
    }
    Ok(())
}

pub fn submit(db: Option<&Path>, a: &SubmitArgs, json: bool) -> anyhow::Result<Output> {
    let live = Live { json };
    let path = store::db_path(db)?;
    let mut st = store::open(Some(&path))?;
    let records = if a.all_ready {
        let mut list = st.list_shipments(&ShipmentFilter {
            states: vec![ShipmentState::Ready],
            utc_offset_secs: 8 * 3600,
            ..ShipmentFilter::default()
        })?;
        // Oldest first: the order they were entered in.
        list.reverse();
        list
    } else {
        resolve(&st, &a.ids)?
    };
    // Refuse before queueing anything when nothing could ever be sent.
    let (_, _, client) = client(&path)?;
    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
    let mut refused = false;
    let mut watch = Vec::new();
    if a.all_ready && ids.is_empty() {
        live.line(
            "no shipments are ready to submit",
            json!({"outcome": "nothing_ready"}),
        );
    }
    // R-008, before the first international submission, as the app asks it.
    let international = records.iter().any(|r| !r.draft.shipment.service.is_local());
    if let Err(e) = satchel_workflows::ecship::edi_notice(
        &settings_path(&path),
        international,
        a.accept_edi_notice,
    ) {
        if e.reason == satchel_ipc::Refused::EdiNoticeNeeded {
            bail!(
                "{}\nRun again with --accept-edi-notice to accept it.",
                satchel_ipc::wording::EDI_NOTICE_EN
            );
        }
        bail!(
            "{}",
            satchel_ipc::wording::refusal(&e, satchel_ipc::wording::Lang::En)
        );
    }
    // What to know before posting them today.
    let now = satchel_workflows::clock::now_in_hong_kong();
    let severe = satchel_workflows::calendar::severe_weather_days(&st);
    for n in satchel_workflows::calendar::notes(&records, now, &severe) {
        if n == satchel_ipc::Note::EdiPrivacy {
            continue;
        }
        live.line(
            &format!(
                "note: {}",
                satchel_ipc::wording::note(&n, satchel_ipc::wording::Lang::En)
            ),
            json!({"outcome": "note", "rule": n.rule(), "note": n}),
        );
    }
    // The batch rules, as the app's Submit shows them: warnings
    // said before the batch goes, never a reason to hold it back.
    for p in satchel_workflows::labels::batch_problems(&records) {
        live.line(
            &format!("warning {} ({}): {}", p.field, p.rule, p.message_en),
            json!({"outcome": "warning", "rule": p.rule, "field": p.field, "message": p.message_en}),
        );
    }
    price_of_record(&mut st, &client, &records, a.accept_ecship_price, live)?;
    for q in st.queue_submissions(&ids)? {
        match q {
            Queued::Queued { job } => {
                live.line(
                    &format!("queued {}", job.shipment_id),
                    json!({"outcome": "queued", "shipment_id": job.shipment_id}),
                );
                watch.push(job.shipment_id);
            }
            Queued::AlreadyQueued { job } => {
                live.line(
                    &format!("already queued {}", job.shipment_id),
                    json!({"outcome": "already_queued", "shipment_id": job.shipment_id}),
                );
                watch.push(job.shipment_id);
            }
            Queued::Refused {
                shipment_id,
                reason,
            } => {
                refused = true;
                live.line(
                    &format!("refused {shipment_id}: {reason}"),
                    json!({"outcome": "refused", "shipment_id": shipment_id, "reason": reason}),
                );
            }
        }
    }
    if ids.is_empty() && !a.all_ready {
        // `satchel submit` alone: wait for what earlier runs (or the app) queued.
        watch = st
            .open_jobs()?
            .into_iter()
            .filter(|j| j.kind == JobKind::Submit)
            .map(|j| j.shipment_id)
            .collect();
        if watch.is_empty() {
            live.line(
                "nothing is queued for EC-Ship",
                json!({"outcome": "nothing_queued"}),
            );
        }
    }
    let verdict = |ok: bool| if ok { Status::Ok } else { Status::Problems };
    if a.wait.no_wait || watch.is_empty() {
        return Ok(Output::new(String::new(), verdict(!refused)));
    }
    let st = Mutex::new(st);
    drain(&st, &client, &a.wait, live)?;
    let st = st.into_inner().unwrap_or_else(|p| p.into_inner());
    let done = settle(&st, &watch, JobKind::Submit, live)?;
    Ok(Output::new(String::new(), verdict(done && !refused)))
}

pub fn cancel(db: Option<&Path>, a: &CancelArgs, json: bool) -> anyhow::Result<Output> {
    let live = Live { json };
    let path = store::db_path(db)?;
    let mut st = store::open(Some(&path))?;
    let rec = resolve(&st, std::slice::from_ref(&a.id))?
        .into_iter()
        .next()
        .context("ID_OR_REF: no shipment given")?;
    let id = rec.id.clone();
    // The same cancel-or-withdraw as the app; EC-Ship must be set up only when the cancel
    // has to go there (a submission never sent is withdrawn with no network).
    let mut client = None;
    let mut not_set_up = None;
    let outcome = cancel_or_withdraw(&mut st, &id, || match self::client(&path) {
        Ok(c) => {
            client = Some(c);
            Ok(())
        }
        Err(e) => {
            not_set_up = Some(e);
            Err(CommandError::new("ecship", Refused::EcshipNotSetUp))
        }
    });
    if let Some(e) = not_set_up {
        return Err(e);
    }
    let client = match outcome {
        Ok(CancelOutcome::Withdrawn) => {
            live.line(
                &format!("withdrawn {id}: it had not been sent to EC-Ship and is ready again"),
                json!({"outcome": "withdrawn", "shipment_id": id}),
            );
            return Ok(Output::new(String::new(), Status::Ok));
        }
        Ok(queued) => {
            let (text, name) = match queued {
                CancelOutcome::AlreadyQueued => ("cancel already queued", "already_queued"),
                _ => ("queued cancel", "queued"),
            };
            live.line(
                &format!("{text} {id}"),
                json!({"outcome": name, "shipment_id": id}),
            );
            client.map(|(_, _, c)| c).context("EC-Ship client")?
        }
        Err(CommandError {
            reason: Refused::NotCancellable { reason },
            ..
        }) => {
            live.line(
                &format!("refused {id}: {reason}"),
                json!({"outcome": "refused", "shipment_id": id, "reason": reason}),
            );
            return Ok(Output::new(String::new(), Status::Problems));
        }
        Err(e) => bail!("{}", refusal(&e, Lang::En)),
    };
    if a.wait.no_wait {
        return Ok(Output::new(String::new(), Status::Ok));
    }
    let st = Mutex::new(st);
    drain(&st, &client, &a.wait, live)?;
    let st = st.into_inner().unwrap_or_else(|p| p.into_inner());
    let done = settle(&st, std::slice::from_ref(&id), JobKind::Cancel, live)?;
    Ok(Output::new(
        String::new(),
        if done { Status::Ok } else { Status::Problems },
    ))
}

fn timeline_text(rec: &ShipmentRecord, events: &[TrackingEvent], note: Option<&str>) -> String {
    let s = &rec.draft.shipment;
    let item = s
        .item_number
        .as_ref()
        .map(|n| n.as_str().to_owned())
        .unwrap_or_else(|| "(no item number)".into());
    let mut t = format!("{} {} {}", rec.id, item, s.reference.trim());
    t = t.trim_end().to_owned();
    t.push('\n');
    if let Some(note) = note {
        t.push_str(&format!("  note: {note}\n"));
    }
    if events.is_empty() {
        t.push_str("  (no tracking events)\n");
    }
    for e in events {
        let at: String = e.at.replace('T', " ").chars().take(16).collect();
        let place = if e.location.trim().is_empty() {
            String::new()
        } else {
            format!(" ({})", e.location.trim())
        };
        t.push_str(&format!("  {at}  {}{place}\n", e.description.trim()));
    }
    t
}

pub fn track(db: Option<&Path>, a: &TrackArgs, json: bool) -> anyhow::Result<Output> {
    let live = Live { json };
    let path = store::db_path(db)?;
    let mut st = store::open(Some(&path))?;
    let records = if a.all {
        let mut list = st.list_shipments(&ShipmentFilter {
            utc_offset_secs: 8 * 3600,
            ..ShipmentFilter::default()
        })?;
        list.retain(|r| {
            r.draft.shipment.item_number.is_some()
                && !matches!(
                    r.state,
                    ShipmentState::Draft
                        | ShipmentState::Ready
                        | ShipmentState::Submitted
                        | ShipmentState::Cancelled
                )
        });
        list.reverse();
        list
    } else {
        resolve(&st, &a.ids)?
    };
    let (settings, kc, client) = client(&path)?;
    let items: Vec<ItemNumber> = records
        .iter()
        .filter_map(|r| r.draft.shipment.item_number.clone())
        .collect();
    let mut fetched = if items.is_empty() {
        HashMap::new()
    } else {
        runtime()?.block_on(refresh::fetch(&settings, &kc, &client, &items))
    };
    if records.is_empty() {
        live.line(
            "no shipments with item numbers to track",
            json!({"outcome": "nothing_to_track"}),
        );
    }
    let mut all_ok = true;
    let mut any_offline = false;
    for rec in &records {
        let note = match &rec.draft.shipment.item_number {
            None => Some("no item number yet; submit it first".to_owned()),
            Some(item) => match fetched.remove(item.as_str()) {
                Some(Ok(events)) => {
                    st.save_tracking(&rec.id, &events)?;
                    None
                }
                Some(Err(stale)) => {
                    any_offline |= stale.offline;
                    Some(if stale.offline {
                        format!(
                            "EC-Ship could not be reached, so these are the events stored \
                             on this device ({})",
                            stale.text
                        )
                    } else {
                        format!("tracking was not refreshed: {}", stale.text)
                    })
                }
                None => Some("tracking was not refreshed".to_owned()),
            },
        };
        all_ok &= note.is_none();
        let events = st.tracking(&rec.id)?;
        live.line(
            timeline_text(rec, &events, note.as_deref()).trim_end(),
            json!({
                "shipment_id": rec.id,
                "item_number": rec.draft.shipment.item_number.as_ref().map(|n| n.as_str()),
                "events": events,
                "error": note,
            }),
        );
    }
    if any_offline {
        eprintln!("note: offline; the timelines shown are the ones stored on this device");
    }
    Ok(Output::new(
        String::new(),
        if all_ok { Status::Ok } else { Status::Problems },
    ))
}

/// `satchel posting --doc ecship-certificate`: EC-Ship's Certificate of Posting for the items,
/// written as EC-Ship made it.
pub fn certificate(db: &Path, ids: &[String], out: &Path, json: bool) -> anyhow::Result<Output> {
    let store = store::open(Some(db))?;
    let numbers = satchel_workflows::posting::ecship_numbers(&store, ids).map_err(|e| {
        anyhow!(
            "{}: {}",
            e.field,
            satchel_ipc::wording::refusal(&e, satchel_ipc::wording::Lang::En)
        )
    })?;
    let (_, _, client) = client(db)?;
    let pdf = runtime()?
        .block_on(client.certificate_of_posting(&numbers))
        .map_err(|e| anyhow!("EC-Ship's certificate of posting: {e}"))?;
    std::fs::write(out, &pdf).with_context(|| format!("cannot write {}", out.display()))?;
    let text = format!(
        "EC-Ship's Certificate of Posting for {} item(s), as EC-Ship made it: {}\n",
        numbers.len(),
        out.display()
    );
    let value = json!({"out": out.display().to_string(), "doc": "ecship_certificate",
                       "items": numbers.len()});
    Ok(Output::new(
        if json { format!("{value}\n") } else { text },
        Status::Ok,
    ))
}
