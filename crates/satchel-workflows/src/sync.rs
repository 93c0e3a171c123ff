//! Sync across the merchant's devices from the app (issue #6): create or link an account,
//! sync now and in the background, the status and history, and the device list.
//!
//! Why it looks like this: the engine (`satchel_sync::Syncer`) is bound to one hub and
//! one store, so the app keeps at most one, made when the device is linked (at start-up
//! from the link saved in the store, or by "create account" / "link this device"). One
//! background loop per app syncs every minute while linked, backs off while offline, and
//! reports each round as a `sync-status` event; "Sync now" runs a round at once.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use satchel_ipc::{
    event, ApproveDeviceRequest, CommandError, CreateSyncAccountRequest, DeviceDto, DeviceRevoked,
    JoinRequest, OfferPairingRequest, PairingOfferDto, RecoveryPhraseDto, Refused, RestoreRequest,
    RevokeDeviceRequest, SyncAccountCreated, SyncRunDto, SyncStatusDto, SyncTrouble,
};
use satchel_keychain::SecretStore;

use crate::Secrets;
use satchel_store::StoreAccess;
use satchel_sync::{self as sync, LoopPolicy, Progress, SyncConfig, SyncError, SyncReport, Syncer};

use crate::store::SharedStore;
use crate::App;

/// How many past attempts the history shows.
const HISTORY: usize = 20;

type Engine = Arc<Syncer<SharedStore>>;

/// Sync's app state.
#[derive(Debug)]
pub struct SyncState {
    keychain: Secrets,
    engine: Mutex<Option<Engine>>,
    history: Mutex<VecDeque<SyncRunDto>>,
    running: AtomicBool,
    /// Stops the background loop of an engine that was unlinked.
    generation: std::sync::atomic::AtomicU64,
}

impl SyncState {
    pub fn new(keychain: Secrets) -> SyncState {
        SyncState {
            keychain,
            engine: Mutex::new(None),
            history: Mutex::new(VecDeque::new()),
            running: AtomicBool::new(false),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn engine(&self) -> Option<Engine> {
        self.engine
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn keychain(&self) -> Result<std::sync::Arc<dyn SecretStore>, CommandError> {
        self.keychain
            .clone()
            .map_err(|detail| CommandError::new("hub_url", Refused::SyncKeysNotKept { detail }))
    }

    fn record(&self, run: SyncRunDto) {
        let mut h = self.history.lock().unwrap_or_else(PoisonError::into_inner);
        h.push_front(run);
        h.truncate(HISTORY);
    }
}

fn hk(t: DateTime<Utc>) -> String {
    let hk = crate::clock::hong_kong();
    t.with_timezone(&hk).format("%Y-%m-%d %H:%M:%S").to_string()
}

fn sync_error(e: &SyncError) -> CommandError {
    let field = match e {
        SyncError::Pairing(_) => "code",
        SyncError::Phrase(_) | SyncError::WrongPhrase | SyncError::NoAccountKey => "phrase",
        SyncError::Hub { field: Some(f), .. } => f.as_str(),
        _ => "hub_url",
    };
    let trouble = match e {
        SyncError::Offline(_) => SyncTrouble::Offline,
        SyncError::Pairing(_) => SyncTrouble::PairingCode,
        SyncError::Phrase(_) | SyncError::WrongPhrase => SyncTrouble::Phrase,
        SyncError::NotLinked => SyncTrouble::NotLinked,
        SyncError::AlreadyLinked => SyncTrouble::AlreadyLinked,
        _ => SyncTrouble::Other,
    };
    let detail = e.to_string();
    CommandError::new(field, Refused::Sync { trouble, detail })
}

fn url_refusal() -> CommandError {
    CommandError::new("hub_url", Refused::HubUrl)
}

fn check_url(url: &str) -> Result<String, CommandError> {
    let u = url.trim().trim_end_matches('/');
    // The hub sees who syncs when: https, or plain http only to a hub on this computer.
    if satchel_net::is_allowed_address(u) {
        Ok(u.to_owned())
    } else {
        Err(url_refusal())
    }
}

/// The status as the screen shows it.
pub fn status(state: &SyncState) -> SyncStatusDto {
    let history = state
        .history
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .cloned()
        .collect();
    let running = state.running.load(Ordering::SeqCst);
    match state.engine().map(|e| e.status()) {
        Some(Ok(s)) => SyncStatusDto {
            linked: s.linked,
            hub_url: s.hub_url,
            last_synced: s.last_synced_at.map(hk),
            last_error: s.last_error,
            pending: s.pending,
            running,
            progress: None,
            history,
            phrase_changed: s.phrase_changed,
            awaiting_approval: s.awaiting_approval,
        },
        Some(Err(e)) => SyncStatusDto {
            last_error: Some(e.to_string()),
            running,
            history,
            ..SyncStatusDto::default()
        },
        None => SyncStatusDto {
            history,
            ..SyncStatusDto::default()
        },
    }
}

fn make_engine(app: &App, hub_url: &str) -> Result<Engine, CommandError> {
    let keychain = app.sync.keychain()?;
    Syncer::new(
        Arc::new(app.store.clone()),
        keychain,
        SyncConfig::new(hub_url),
    )
    .map(Arc::new)
    .map_err(|e| sync_error(&e))
}

/// Runs one sync, records it in the history and tells the window.
async fn run_once(app: &Arc<App>, engine: &Engine) -> Result<SyncReport, SyncError> {
    let state = &app.sync;
    state.running.store(true, Ordering::SeqCst);
    app.emit(event::SYNC_STATUS, status(state));
    let (mut pushed, mut pulled) = (0, 0);
    let events = app.clone();
    let outcome = engine
        .sync_with_progress(&mut move |p| {
            match p {
                Progress::Pushed { done } => pushed = done,
                Progress::Pulled { done, .. } => pulled = done,
            }
            let mut now = status(&events.sync);
            now.progress = Some(SyncRunDto {
                at: hk(crate::clock::now()),
                pushed: pushed as u32,
                pulled: pulled as u32,
                error: None,
            });
            events.emit(event::SYNC_STATUS, now);
        })
        .await;
    state.running.store(false, Ordering::SeqCst);
    after_round(app, &outcome);
    outcome
}

fn after_round(app: &App, outcome: &Result<SyncReport, SyncError>) {
    if let Ok(r) = outcome {
        // Tariffs another device fetched price from now on, and shipments are checked with
        // them.
        app.adopt_synced_tariffs();
        // What other devices changed is checked here before it can be submitted (S-005).
        crate::shipments::reassess_merged(
            &mut app.store.lock(),
            &app.engine(),
            &r.reassess,
            crate::clock::today_in_hong_kong(),
        );
    }
    let state = &app.sync;
    state.record(match outcome {
        Ok(r) => SyncRunDto {
            at: hk(crate::clock::now()),
            pushed: r.pushed as u32,
            pulled: r.pulled as u32,
            error: None,
        },
        Err(e) => SyncRunDto {
            at: hk(crate::clock::now()),
            pushed: 0,
            pulled: 0,
            error: Some(e.to_string()),
        },
    });
    app.emit(event::SYNC_STATUS, status(state));
}

/// Installs `engine` and starts its background loop; a previous engine's loop stops.
fn install(app: &Arc<App>, engine: Engine) {
    let state = &app.sync;
    let generation = state.generation.fetch_add(1, Ordering::SeqCst) + 1;
    *state.engine.lock().unwrap_or_else(PoisonError::into_inner) = Some(engine.clone());
    let app = app.clone();
    app.runtime.clone().spawn(async move {
        let stopped = {
            let app = app.clone();
            async move {
                while app.sync.generation.load(Ordering::SeqCst) == generation {
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                }
            }
        };
        let on_app = app.clone();
        engine
            .run(&LoopPolicy::default(), stopped, move |outcome| {
                after_round(&on_app, outcome)
            })
            .await;
    });
}

/// At start-up: a device linked in an earlier run syncs again without asking.
pub fn resume(app: &Arc<App>) {
    let hub = app
        .store
        .with_store(|s| sync::saved_hub_url(s).ok().flatten());
    if let Some(hub) = hub {
        if let Ok(engine) = make_engine(app, &hub) {
            install(app, engine);
        }
    }
}

fn linked_engine(state: &SyncState) -> Result<Engine, CommandError> {
    state
        .engine()
        .ok_or_else(|| sync_error(&SyncError::NotLinked))
}

/// The pairing payload as a QR code, drawn as SVG for the window.
fn qr_svg(payload: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(payload.as_bytes()) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build(),
        Err(_) => String::new(),
    }
}

/// After linking (or restoring the key): the initial sync runs at once, so the merchant sees
/// the data arrive, and the background loop takes over.
async fn start_linked(
    app: &Arc<App>,
    engine: Engine,
    linked: Result<(), SyncError>,
) -> Result<SyncStatusDto, CommandError> {
    linked.map_err(|e| sync_error(&e))?;
    let _ = run_once(app, &engine).await;
    install(app, engine);
    Ok(status(&app.sync))
}

fn devices_dto(
    list: Vec<satchel_sync_proto::DeviceInfo>,
    asking: &[satchel_sync::JoinRequest],
) -> Vec<DeviceDto> {
    let label_of = |id: uuid::Uuid| {
        list.iter()
            .find(|d| d.device_id == id)
            .map_or_else(|| id.to_string(), |d| d.label.clone())
    };
    list.iter()
        .map(|d| DeviceDto {
            id: d.device_id.to_string(),
            label: d.label.clone(),
            created: hk(d.created_at),
            revoked: d.revoked_at.is_some(),
            current: d.current,
            removal_at: d.removal_at.map(hk),
            removal_asked_by: d.removal_asked_by.map(label_of),
            join_fingerprint: asking
                .iter()
                .find(|r| r.device_id == d.device_id)
                .map(|r| r.fingerprint.clone()),
            join_approved: asking
                .iter()
                .any(|r| r.device_id == d.device_id && r.approved),
        })
        .collect()
}

pub async fn create_account(
    app: &Arc<App>,
    request: CreateSyncAccountRequest,
) -> Result<SyncAccountCreated, CommandError> {
    let hub = check_url(&request.hub_url)?;
    if app
        .sync
        .engine()
        .is_some_and(|e| e.status().is_ok_and(|s| s.linked))
    {
        return Err(sync_error(&SyncError::AlreadyLinked));
    }
    let engine = make_engine(app, &hub)?;
    let phrase = engine
        .create_account(device_label(&request.device_label))
        .await
        .map_err(|e| sync_error(&e))?;
    install(app, engine);
    Ok(SyncAccountCreated {
        recovery_phrase: phrase.as_str().to_owned(),
        status: status(&app.sync),
    })
}

/// The name a device goes by in the device list; "Satchel" when none was typed.
fn device_label(typed: &str) -> &str {
    match typed.trim() {
        "" => "Satchel",
        label => label,
    }
}

pub async fn offer_pairing(
    app: &App,
    request: OfferPairingRequest,
) -> Result<PairingOfferDto, CommandError> {
    let engine = linked_engine(&app.sync)?;
    let offer = engine
        .offer_pairing(device_label(&request.device_label))
        .await
        .map_err(|e| sync_error(&e))?;
    Ok(PairingOfferDto {
        code: offer.code.display(),
        qr_svg: qr_svg(&offer.qr_payload),
        expires: hk(offer.expires_at),
    })
}

pub async fn join_with_code(
    app: &Arc<App>,
    request: JoinRequest,
) -> Result<SyncStatusDto, CommandError> {
    let engine = make_engine(app, &check_url(&request.hub_url)?)?;
    let linked = engine.join_with_code(&request.code).await;
    start_linked(app, engine, linked).await
}

pub async fn restore_with_phrase(
    app: &Arc<App>,
    request: RestoreRequest,
) -> Result<SyncStatusDto, CommandError> {
    let (engine, restored) = match app.sync.engine() {
        // Still linked, but the keychain lost the key: put it back.
        Some(engine) => {
            let r = engine.restore_with_phrase(&request.phrase).await;
            (engine, r)
        }
        // Every device lost: the phrase alone gets a new device into the account.
        None => {
            let engine = make_engine(app, &check_url(&request.hub_url)?)?;
            let r = engine
                .recover_with_phrase(&request.phrase, device_label(&request.device_label))
                .await;
            (engine, r)
        }
    };
    start_linked(app, engine, restored).await
}

pub async fn sync_now(app: &Arc<App>) -> Result<SyncStatusDto, CommandError> {
    let engine = linked_engine(&app.sync)?;
    // The outcome is in the status (last error, history) either way.
    let _ = run_once(app, &engine).await;
    Ok(status(&app.sync))
}

pub async fn list_devices(app: &App) -> Result<Vec<DeviceDto>, CommandError> {
    let engine = linked_engine(&app.sync)?;
    devices_of(&engine).await
}

async fn devices_of(engine: &Engine) -> Result<Vec<DeviceDto>, CommandError> {
    let list = engine.devices().await.map_err(|e| sync_error(&e))?;
    // Best effort: the list is worth showing even when the keys cannot be read just now.
    let asking = engine.join_requests().await.unwrap_or_default();
    Ok(devices_dto(list, &asking))
}

/// Lets in a device that took this device's typed code, once the merchant saw the same
/// fingerprint on both screens (issue #18).
pub async fn approve_device(
    app: &App,
    request: ApproveDeviceRequest,
) -> Result<Vec<DeviceDto>, CommandError> {
    let engine = linked_engine(&app.sync)?;
    let id = uuid::Uuid::parse_str(request.device_id.trim())
        .map_err(|_| CommandError::new("device_id", Refused::NotADevice))?;
    engine
        .approve_join(id, &request.fingerprint)
        .await
        .map_err(|e| sync_error(&e))?;
    devices_of(&engine).await
}

pub async fn revoke_device(
    app: &App,
    request: RevokeDeviceRequest,
) -> Result<DeviceRevoked, CommandError> {
    let engine = linked_engine(&app.sync)?;
    let id = uuid::Uuid::parse_str(request.device_id.trim())
        .map_err(|_| CommandError::new("device_id", Refused::NotADevice))?;
    let outcome = engine.revoke_device(id).await.map_err(|e| sync_error(&e))?;
    let devices = devices_of(&engine).await?;
    let (new_recovery_phrase, pending_until) = match outcome {
        satchel_sync::Revoked::Removed { new_phrase } => {
            (new_phrase.map(|p| p.as_str().to_owned()), None)
        }
        satchel_sync::Revoked::Pending { effective_at } => (None, Some(hk(effective_at))),
    };
    Ok(DeviceRevoked {
        devices,
        new_recovery_phrase,
        pending_until,
    })
}

/// The current recovery phrase, for a device whose status says it changed (issue #18).
pub async fn show_recovery_phrase(app: &App) -> Result<RecoveryPhraseDto, CommandError> {
    let engine = linked_engine(&app.sync)?;
    let phrase = engine.recovery_phrase().await.map_err(|e| sync_error(&e))?;
    Ok(RecoveryPhraseDto {
        phrase: phrase.as_str().to_owned(),
    })
}

pub async fn unlink_device(app: &App) -> Result<SyncStatusDto, CommandError> {
    let state = &app.sync;
    let engine = linked_engine(state)?;
    engine.unlink().await.map_err(|e| sync_error(&e))?;
    state.generation.fetch_add(1, Ordering::SeqCst);
    *state.engine.lock().unwrap_or_else(PoisonError::into_inner) = None;
    Ok(status(state))
}
