//! EC-Ship from the app (issue #7): the credentials screen, "Submit selected", cancelling,
//! pre-printed iMail barcode labels and the tracking timeline.
//!
//! Why the work is split this way: the store's outbox decides *what* may be sent (one job per
//! shipment, leases, "look it up before creating it again"), `satchel-net` decides *how*, and
//! this module only wires them to the front ends. Submitting returns as soon as the jobs are
//! queued; one background worker per app drains the outbox and reports each result as a
//! `submit-progress` event, so a slow or absent network never freezes the screen. Jobs left
//! over from the last run are picked up at start-up.
//!
//! The integrator username and the API key are read from the OS keychain for each round and
//! never written anywhere else (issue #7: "Integrator username and API key from the keychain
//! only"); the other settings are ordinary and live in `ecship-settings.json` next to the
//! database.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use satchel_ecship::mapping::{is_code, DEFAULT_NON_DELIVERY, DEFAULT_SHIP_CODES};
use satchel_ecship::SpeedpostRoute;
use satchel_ipc::Note;
use satchel_ipc::{
    event, AttachItemRequest, CancelOutcome, CancelResponse, CodeRowDto, CodeSource, CommandError,
    EcshipSettingsDto, EcshipSettingsView, IdRequest, PostageCheckDto, PostingPrintResult,
    PrintPostingRequest, Refusal, Refused, SaveEcshipSettingsRequest, ShipmentDto, SubmitOutcome,
    SubmitProgress, SubmitRequest, SubmitResponse, TrackingDto, TrackingEventDto,
};
use satchel_keychain::{Secret, SecretStore, ECSHIP_API_KEY, ECSHIP_INTEGRATOR_USERNAME};

use crate::Secrets;
use satchel_net::ecship::EcshipClient;
use satchel_net::settings::{settings_path, EcshipSettings as Settings, SetupError};
use satchel_outbox::refresh;
use satchel_outbox::{self as outbox, Outcome, Policy};
use satchel_store::StoreAccess;
use satchel_store::{Queued, Store};

use crate::store::store_error;
use crate::App;

/// How often the app refreshes tracking in the background.
const TRACKING_PERIOD: Duration = Duration::from_secs(30 * 60);

/// EC-Ship's app state: where the settings live, the keychain, and whether the outbox worker
/// is running (one at a time).
#[derive(Debug)]
pub struct EcshipState {
    settings_path: PathBuf,
    keychain: Secrets,
    worker_running: AtomicBool,
}

impl EcshipState {
    pub fn new(db: &Path, keychain: Secrets) -> EcshipState {
        EcshipState {
            settings_path: settings_path(db),
            keychain,
            worker_running: AtomicBool::new(false),
        }
    }

    /// A client from the saved settings and the keychain's credentials, or why there is none.
    /// Blocks on the keychain.
    pub fn client(&self) -> Result<EcshipClient, CommandError> {
        let keychain = self.keychain.as_ref().map_err(|why| keychain_error(why))?;
        Settings::load(&self.settings_path)
            .client(keychain)
            .map_err(|e| match e {
                SetupError::NotSetUp => not_set_up(),
                SetupError::Keychain(e) => keychain_error(&e.to_string()),
                SetupError::Client(e) => CommandError::new(
                    "base_url",
                    Refused::EcshipUnreachable {
                        detail: e.to_string(),
                    },
                ),
            })
    }
}

fn not_set_up() -> CommandError {
    CommandError::new("ecship", Refused::EcshipNotSetUp)
}

fn keychain_error(why: &str) -> CommandError {
    CommandError::new(
        "api_key",
        Refused::KeychainUnavailable {
            detail: why.to_owned(),
        },
    )
}

/// The settings as the screen shows them: secrets never leave the keychain, only whether the
/// key is there.
pub fn view(state: &EcshipState) -> EcshipSettingsView {
    let s = Settings::load(&state.settings_path);
    let (integrator_username, has_api_key, keychain, keychain_ok) = match &state.keychain {
        Ok(k) => {
            let user = k
                .get(ECSHIP_INTEGRATOR_USERNAME)
                .ok()
                .flatten()
                .map(|u| u.expose().to_owned())
                .unwrap_or_default();
            let has_key = matches!(k.get(ECSHIP_API_KEY), Ok(Some(_)));
            (user, has_key, k.describe(), true)
        }
        Err(why) => (String::new(), false, why.clone(), false),
    };
    let codes = code_rows(&s);
    EcshipSettingsView {
        settings: EcshipSettingsDto {
            base_url: s.base_url,
            tracking_base_url: s.tracking_base_url,
            ecship_username: s.ecship_username,
            hkp_id: s.hkp_id,
            identity: if s.identity.is_empty() {
                "ecship_username".into()
            } else {
                s.identity
            },
            integrator_username,
            search_type: s.search_type.clone(),
            sort_order: s.sort_order.clone(),
            ship_codes: s.ship_codes.clone(),
            non_delivery: s.non_delivery.clone(),
            speedpost_route: SpeedpostRoute::from_id(&s.speedpost_route)
                .unwrap_or_default()
                .id()
                .to_owned(),
            soaz_service: s.soaz_service.clone(),
        },
        has_api_key,
        keychain,
        keychain_ok,
        codes,
    }
}

/// The service families a merchant can submit through EC-Ship's API, in the order the
/// screen lists them (letter post without registration has no item to submit).
pub const SUBMITTABLE_FAMILIES: [&str; 9] = [
    "e_express",
    "speedpost",
    "air_registered",
    "surface_registered",
    "air_parcel",
    "surface_parcel",
    "imail",
    "local_parcel",
    "local_courierpost",
];

/// Every code a submission needs, the value in use and where it comes from.
pub fn code_rows(s: &Settings) -> Vec<CodeRowDto> {
    let set = |m: &std::collections::BTreeMap<String, String>, k: &str| {
        m.get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut rows: Vec<CodeRowDto> = SUBMITTABLE_FAMILIES
        .iter()
        .map(|family| {
            let default = DEFAULT_SHIP_CODES
                .iter()
                .find(|(f, _)| f == family)
                .map(|(_, c)| (*c).to_owned())
                .unwrap_or_default();
            let (value, source) = match set(&s.ship_codes, family) {
                Some(v) => (v, CodeSource::Configured),
                None if default.is_empty() => (String::new(), CodeSource::Missing),
                None => (default.clone(), CodeSource::PublicClient),
            };
            CodeRowDto {
                table: "ship_code".into(),
                key: (*family).to_owned(),
                value,
                default,
                source,
            }
        })
        .collect();
    rows.extend(DEFAULT_NON_DELIVERY.iter().map(|(id, default)| {
        let (value, source) = match set(&s.non_delivery, id) {
            Some(v) => (v, CodeSource::Configured),
            None => ((*default).to_owned(), CodeSource::Unverified),
        };
        CodeRowDto {
            table: "non_delivery".into(),
            key: (*id).to_owned(),
            value,
            default: (*default).to_owned(),
            source,
        }
    }));
    rows
}

/// Checks and saves the settings; the username and the key go to the keychain.
pub fn save(
    state: &EcshipState,
    r: &SaveEcshipSettingsRequest,
) -> Result<EcshipSettingsView, CommandError> {
    let d = &r.settings;
    // https, or plain http to this computer only (a local simulator): issue #18.
    let url_ok = |u: &str| satchel_net::is_allowed_address(u.trim());
    if !url_ok(&d.base_url) {
        return Err(CommandError::new("base_url", Refused::BaseUrl));
    }
    if !d.tracking_base_url.trim().is_empty() && !url_ok(&d.tracking_base_url) {
        return Err(CommandError::new("tracking_base_url", Refused::TrackingUrl));
    }
    if d.integrator_username.trim().is_empty() {
        return Err(CommandError::new(
            "integrator_username",
            Refused::IntegratorMissing,
        ));
    }
    if !matches!(d.identity.as_str(), "ecship_username" | "hkp_id" | "both") {
        return Err(CommandError::new("identity", Refused::IdentityMissing));
    }
    let speedpost_route = match d.speedpost_route.trim() {
        "" => SpeedpostRoute::default(),
        r => SpeedpostRoute::from_id(r).ok_or_else(|| {
            CommandError::new(
                "speedpost_route",
                Refused::CodeFormat {
                    value: r.to_owned(),
                },
            )
        })?,
    };
    for (table, map) in [
        ("ship_codes", &d.ship_codes),
        ("non_delivery", &d.non_delivery),
    ] {
        if let Some((k, _)) = map
            .iter()
            .find(|(_, v)| !v.trim().is_empty() && !is_code(v))
        {
            return Err(CommandError::new(
                format!("{table}.{k}"),
                Refused::CodeFormat {
                    value: map[k].clone(),
                },
            ));
        }
    }
    let keychain = state.keychain.as_ref().map_err(|why| keychain_error(why))?;
    let has_key = matches!(keychain.get(ECSHIP_API_KEY), Ok(Some(_)));
    let new_key = r
        .api_key
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if new_key.is_none() && !has_key {
        return Err(CommandError::new("api_key", Refused::ApiKeyMissing));
    }
    let kc = |e: satchel_keychain::Error| keychain_error(&e.to_string());
    keychain
        .set(
            ECSHIP_INTEGRATOR_USERNAME,
            &Secret::new(d.integrator_username.trim().to_owned()),
        )
        .map_err(kc)?;
    if let Some(key) = new_key {
        keychain
            .set(ECSHIP_API_KEY, &Secret::new(key.to_owned()))
            .map_err(kc)?;
    }
    let before = Settings::load(&state.settings_path);
    Settings {
        base_url: d.base_url.trim().to_owned(),
        tracking_base_url: d.tracking_base_url.trim().to_owned(),
        ecship_username: d.ecship_username.trim().to_owned(),
        hkp_id: d.hkp_id.trim().to_owned(),
        identity: d.identity.clone(),
        search_type: d.search_type.trim().to_owned(),
        sort_order: d.sort_order.trim().to_owned(),
        ship_codes: codes_only(&d.ship_codes),
        non_delivery: codes_only(&d.non_delivery),
        // Kept as they were: not on this screen.
        country_codes: before.country_codes,
        edi_notice_accepted: before.edi_notice_accepted,
        speedpost_route: speedpost_route.id().to_owned(),
        soaz_service: d.soaz_service.trim().to_owned(),
    }
    .save(&state.settings_path)
    .map_err(|e| {
        let detail = e.to_string();
        CommandError::new("base_url", Refused::SettingsNotSaved { detail })
    })?;
    Ok(view(state))
}

/// The entered codes, trimmed, without the empty ones (empty means "use the default").
fn codes_only(
    m: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    m.iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.clone(), v.trim().to_ascii_uppercase()))
        .collect()
}

/// Queues the shipments; the caller starts the worker.
pub fn queue(
    store: &mut Store,
    r: &SubmitRequest,
    at: chrono::NaiveDateTime,
) -> Result<SubmitResponse, CommandError> {
    let selected: Vec<_> = r
        .ids
        .iter()
        .filter_map(|id| store.shipment(id).ok().flatten())
        .collect();
    let problems = crate::labels::batch_problems(&selected);
    // R-008 is said before the first submission, not after every one.
    let notes = crate::calendar::notes(&selected, at, &crate::calendar::severe_weather_days(store))
        .into_iter()
        .filter(|n| *n != Note::EdiPrivacy)
        .collect();
    let results = store.queue_submissions(&r.ids).map_err(store_error)?;
    let mut out = SubmitResponse {
        queued: 0,
        already_queued: 0,
        refused: vec![],
        problems,
        notes,
    };
    for q in results {
        match q {
            Queued::Queued { .. } => out.queued += 1,
            Queued::AlreadyQueued { .. } => out.already_queued += 1,
            Queued::Refused {
                shipment_id,
                reason,
            } => out.refused.push(Refusal {
                id: shipment_id,
                reason,
            }),
        }
    }
    Ok(out)
}

fn progress(o: &Outcome, remaining: u32) -> SubmitProgress {
    let (shipment_id, outcome, item_number, error) = match o {
        Outcome::Numbered {
            shipment_id,
            item_number,
            ..
        } => (
            shipment_id,
            SubmitOutcome::Numbered,
            Some(item_number.clone()),
            None,
        ),
        Outcome::Cancelled { shipment_id } => (shipment_id, SubmitOutcome::Cancelled, None, None),
        Outcome::WillRetry {
            shipment_id, error, ..
        } => (
            shipment_id,
            SubmitOutcome::WillRetry,
            None,
            Some(error.clone()),
        ),
        Outcome::Failed {
            shipment_id, error, ..
        } => (
            shipment_id,
            SubmitOutcome::Failed,
            None,
            Some(error.clone()),
        ),
    };
    SubmitProgress {
        shipment_id: shipment_id.clone(),
        outcome,
        item_number,
        error,
        remaining,
    }
}

/// Starts the outbox worker unless one is running. It runs rounds until no job is open,
/// sleeping until the next one is due; jobs that only wait for the network keep it alive.
pub fn start_worker(app: &Arc<App>) {
    if app.ecship.worker_running.swap(true, Ordering::SeqCst) {
        return;
    }
    let app = app.clone();
    app.runtime.clone().spawn(async move {
        let policy = Policy::default();
        loop {
            let open = app.store.with_store(|s| s.open_jobs()).unwrap_or_default();
            let Some(next_due) = open.iter().map(|j| j.due_ms).min() else {
                break;
            };
            // Credentials are read per round: fixing them on the settings screen lets
            // waiting jobs go without a restart.
            let handle = app.clone();
            let client = tokio::task::spawn_blocking(move || handle.ecship.client()).await;
            let client = match client {
                Ok(Ok(c)) => c,
                _ => {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    continue;
                }
            };
            let outcomes = outbox::run_due(&app.store, &client, &policy)
                .await
                .unwrap_or_default();
            if outcomes.is_empty() {
                let now = crate::clock::now_ms();
                let wait = u64::try_from(next_due - now).unwrap_or(0).clamp(50, 5_000);
                tokio::time::sleep(Duration::from_millis(wait)).await;
                continue;
            }
            let remaining = app
                .store
                .with_store(|s| s.open_jobs())
                .map(|j| j.len() as u32)
                .unwrap_or(0);
            for o in &outcomes {
                app.emit(event::SUBMIT_PROGRESS, progress(o, remaining));
            }
        }
        app.ecship.worker_running.store(false, Ordering::SeqCst);
    });
}

fn tracking_dto(
    store: &Store,
    id: &str,
    error: Option<CommandError>,
) -> Result<TrackingDto, CommandError> {
    let rec = store.shipment(id).map_err(store_error)?.ok_or_else(|| {
        store_error(satchel_store::Error::NotFound {
            entity: "shipment",
            id: id.to_owned(),
        })
    })?;
    let events = store
        .tracking(id)
        .map_err(store_error)?
        .into_iter()
        .map(|e| TrackingEventDto {
            at: e.at.replace('T', " ").chars().take(16).collect(),
            code: e.code,
            description: e.description,
            location: e.location,
        })
        .collect();
    Ok(TrackingDto {
        shipment_id: rec.id,
        item_number: rec
            .draft
            .shipment
            .item_number
            .map(|n| n.as_str().to_owned()),
        events,
        error,
    })
}

/// Every 30 minutes, refreshes the timelines of parcels in the post (numbered, printed,
/// posted). Offline or not set up, a round does nothing and the next one tries again.
pub fn start_tracking_loop(app: &Arc<App>) {
    let app = app.clone();
    app.runtime.clone().spawn(async move {
        loop {
            tokio::time::sleep(TRACKING_PERIOD).await;
            let Ok(keychain) = &app.ecship.keychain else {
                continue;
            };
            let ids = refresh::tracked_ids(&app.store);
            if ids.is_empty() {
                continue;
            }
            let settings = Settings::load(&app.ecship.settings_path);
            let _ = refresh::refresh_tracking(&app.store, &settings, keychain, &ids).await;
        }
    });
}

/// The operator's price of record (issue #16): EC-Ship's `getTotalPostage` for each shipment
/// about to be submitted, next to the estimate Satchel made from the tariff files, so a
/// merchant whose tariffs are out of date sees the real price before buying the label. iMail
/// is not asked (it is charged per bag at posting, §5.7). A shipment EC-Ship cannot price
/// says why; asking never changes anything.
pub async fn confirm_postage(
    app: &App,
    ids: &[String],
) -> Result<Vec<PostageCheckDto>, CommandError> {
    let client = app.ecship.client()?;
    let records: Vec<satchel_store::ShipmentRecord> = {
        let store = app.store.lock();
        ids.iter()
            .filter_map(|id| store.shipment(id).ok().flatten())
            .collect()
    };
    let prices = prices_of_record(&client, &records).await;
    // What EC-Ship said is kept, so the submission that follows records the figure it was
    // made at (the outbox's price of record).
    let mut store = app.store.lock();
    for (p, rec) in prices.iter().zip(&records) {
        if let Some(amount) = p.ecship.as_deref().and_then(|a| a.parse().ok()) {
            store
                .record_price_of_record(&rec.id, amount)
                .map_err(store_error)?;
        }
    }
    Ok(prices)
}

/// [`confirm_postage`] for shipments already read, one request each.
pub async fn prices_of_record(
    client: &EcshipClient,
    records: &[satchel_store::ShipmentRecord],
) -> Vec<PostageCheckDto> {
    let mut out = Vec::with_capacity(records.len());
    for rec in records {
        let s = &rec.draft.shipment;
        let satchel = rec.assessment.quote.as_ref().map(|q| q.amount);
        let (ecship, error) = if s.service == satchel_core::service::Service::Imail {
            (
                None,
                Some("not asked: iMail is charged per bag at posting".to_owned()),
            )
        } else {
            match client.total_postage(s).await {
                Ok(t) => (
                    Some(t.total_postage + t.additional_charge.unwrap_or_default()),
                    None,
                ),
                Err(e) => (None, Some(e.to_string())),
            }
        };
        let label = if s.reference.trim().is_empty() {
            s.recipient.name.clone()
        } else {
            s.reference.clone()
        };
        out.push(PostageCheckDto {
            id: rec.id.clone(),
            label,
            differs: matches!((satchel, ecship), (Some(a), Some(b)) if a != b),
            satchel: satchel.map(crate::convert::money),
            ecship: ecship.map(crate::convert::money),
            error,
        });
    }
    out
}

/// Checks the settings first: nothing is queued when nothing could ever be sent.
pub fn submit(app: &Arc<App>, request: &SubmitRequest) -> Result<SubmitResponse, CommandError> {
    app.ecship.client()?;
    let international = {
        let store = app.store.lock();
        request.ids.iter().any(|id| {
            store
                .shipment(id)
                .ok()
                .flatten()
                .is_some_and(|r| !r.draft.shipment.service.is_local())
        })
    };
    edi_notice(
        &app.ecship.settings_path,
        international,
        request.accept_edi_notice,
    )?;
    let out = queue(
        &mut app.store.lock(),
        request,
        crate::clock::now_in_hong_kong(),
    )?;
    start_worker(app);
    Ok(out)
}

/// international items are submitted only once the merchant has seen that their
/// posting data goes by EDI to overseas posts and customs. Accepting it is remembered in the
/// EC-Ship settings, so it is asked once per database, in the app and the CLI alike.
pub fn edi_notice(
    settings_path: &Path,
    international: bool,
    accept: bool,
) -> Result<(), CommandError> {
    let mut settings = Settings::load(settings_path);
    if !international || settings.edi_notice_accepted {
        return Ok(());
    }
    if !accept {
        return Err(CommandError::new("edi_notice", Refused::EdiNoticeNeeded).with_rule("R-008"));
    }
    settings.edi_notice_accepted = true;
    settings.save(settings_path).map_err(|e| {
        let detail = e.to_string();
        CommandError::new("edi_notice", Refused::SettingsNotSaved { detail })
    })
}

/// Cancel-or-withdraw, as both front ends do it: a shipment that was queued but never sent is
/// withdrawn locally; one that may have reached EC-Ship can only be cancelled there, so a
/// cancel job is queued, after `before_queue` (the CLI checks that it can reach EC-Ship).
pub fn cancel_or_withdraw(
    store: &mut Store,
    id: &str,
    before_queue: impl FnOnce() -> Result<(), CommandError>,
) -> Result<CancelOutcome, CommandError> {
    let rec = store.shipment(id).map_err(store_error)?.ok_or_else(|| {
        store_error(satchel_store::Error::NotFound {
            entity: "shipment",
            id: id.to_owned(),
        })
    })?;
    if rec.state == satchel_store::ShipmentState::Submitted && store.withdraw_submission(id).is_ok()
    {
        return Ok(CancelOutcome::Withdrawn);
    }
    before_queue()?;
    match store.queue_cancel(id).map_err(store_error)? {
        Queued::Queued { .. } => Ok(CancelOutcome::Queued),
        Queued::AlreadyQueued { .. } => Ok(CancelOutcome::AlreadyQueued),
        Queued::Refused { reason, .. } => Err(CommandError::new(
            "state",
            Refused::NotCancellable { reason },
        )),
    }
}

pub fn cancel(app: &Arc<App>, request: &IdRequest) -> Result<CancelResponse, CommandError> {
    let outcome = cancel_or_withdraw(&mut app.store.lock(), &request.id, || Ok(()))?;
    if outcome != CancelOutcome::Withdrawn {
        start_worker(app);
    }
    Ok(CancelResponse { outcome })
}

pub fn get_tracking(app: &App, request: &IdRequest) -> Result<TrackingDto, CommandError> {
    tracking_dto(&app.store.lock(), &request.id, None)
}

pub async fn refresh_tracking(app: &App, request: &IdRequest) -> Result<TrackingDto, CommandError> {
    let state = &app.ecship;
    let error = match &state.keychain {
        Err(why) => Some(keychain_error(why)),
        Ok(keychain) => {
            let settings = Settings::load(&state.settings_path);
            let ids = [request.id.clone()];
            let failed =
                |detail: String| CommandError::new("tracking", Refused::TrackingFailed { detail });
            match refresh::refresh_tracking(&app.store, &settings, keychain, &ids).await {
                Ok(r) if r.updated == 1 => None,
                Ok(r) => Some(r.errors.first().map_or_else(
                    || CommandError::new("item_number", Refused::NotNumberedYet),
                    |(_, e)| failed(e.text.clone()),
                )),
                Err(e) => Some(failed(e.to_string())),
            }
        }
    };
    tracking_dto(&app.store.lock(), &request.id, error)
}

pub fn attach_item_number(
    app: &App,
    request: &AttachItemRequest,
) -> Result<ShipmentDto, CommandError> {
    let rec = app
        .store
        .lock()
        .attach_item_number(&request.id, request.item_number.trim())
        .map_err(store_error)?;
    Ok(crate::shipments::shipment_dto(
        &rec,
        crate::clock::today_in_hong_kong(),
    ))
}

/// Downloads EC-Ship's label for each of `ids` that has an EC-Ship item number but no stored
/// label yet (the download after submission can fail while the order stands). Best effort:
/// a label still missing afterwards is refused by the print run with its reason.
pub async fn fetch_missing_labels(app: &Arc<crate::App>, ids: &[String]) {
    let missing: Vec<(String, satchel_core::s10::ItemNumber)> = {
        let s = app.store.lock();
        ids.iter()
            .filter_map(|id| s.shipment(id).ok().flatten())
            .filter(crate::operator_label::is_operator_label)
            .filter(|r| matches!(s.address_pack(&r.id), Ok(None)))
            .filter_map(|r| Some((r.id.clone(), r.draft.shipment.item_number.clone()?)))
            .collect()
    };
    if missing.is_empty() {
        return;
    }
    let handle = app.clone();
    let Ok(Ok(client)) = tokio::task::spawn_blocking(move || handle.ecship.client()).await else {
        return;
    };
    for (id, item) in missing {
        let _ = outbox::fetch_label(&app.store, &client, &id, &item).await;
    }
}

/// EC-Ship's official Certificate of Posting (`getCOP`) for the items of a posting, sent to
/// the printer as EC-Ship made it (byte for byte, scaling off). Every item must carry an
/// EC-Ship item number; nothing of Satchel's is drawn.
pub async fn print_certificate(
    app: &Arc<App>,
    r: PrintPostingRequest,
) -> Result<PostingPrintResult, CommandError> {
    let numbers = crate::posting::ecship_numbers(&app.store.lock(), &r.posting.shipment_ids)?;
    let handle = app.clone();
    let client = tokio::task::spawn_blocking(move || handle.ecship.client())
        .await
        .map_err(|e| {
            let detail = e.to_string();
            CommandError::new("ecship", Refused::Unexpected { detail })
        })??;
    let pdf = client.certificate_of_posting(&numbers).await.map_err(|e| {
        let detail = e.to_string();
        CommandError::new("ecship", Refused::EcshipUnreachable { detail })
    })?;
    let printer = r.printer.clone();
    tokio::task::spawn_blocking(move || {
        use crate::labels::Spooler as _;
        let options = satchel_print::PrintOptions {
            title: format!(
                "Satchel: EC-Ship certificate of posting x {}",
                numbers.len()
            ),
            actual_size: true,
            ..satchel_print::PrintOptions::default()
        };
        let spooler = crate::labels::Cups;
        let job = spooler
            .send(&printer, &pdf, &options)
            .map_err(crate::labels::print_error)?;
        let state = spooler.wait(&job).map_err(crate::labels::print_error)?;
        Ok(PostingPrintResult {
            job_id: job.id,
            printer,
            state: crate::labels::job_state(state),
            pages: crate::operator_label::page_count(&pdf),
            missing_glyphs: String::new(),
        })
    })
    .await
    .map_err(|e| {
        let detail = e.to_string();
        CommandError::new("printer", Refused::Unexpected { detail })
    })?
}
