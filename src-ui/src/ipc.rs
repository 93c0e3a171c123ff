//! The one place that talks to the shell: typed requests in through Tauri's `invoke`, typed
//! responses and events out.
//!
//! Command and event names come from `satchel-ipc`, so a rename breaks the build instead of
//! the app.

use satchel_ipc::{
    cmd, event, AttachItemRequest, CancelResponse, CatalogueReportDto, CheckItemRequest,
    CommandError, CompareRequest, CompareResponse, ContactDto, ContactSearchRequest,
    CreateSyncAccountRequest, DestinationChoice, DestinationQuery, DeviceDto, DraftCheck,
    EcshipSettingsView, ExportFile, IdRequest, ImportCatalogueRequest, ImportPreview,
    ImportProgress, ImportReport, ItemCheck, JoinRequest, LabelPreview, LabelRequest,
    LockSettingsDto, NoRequest, OfferPairingRequest, PairingOfferDto, PostingPreview,
    PostingPrintResult, PostingRequest, PreviewImportRequest, PrintLabelsRequest,
    PrintPostingRequest, PrintProgress, PrintResult, PrinterDto, ProductDto, RestoreRequest,
    RevokeDeviceRequest, RunImportRequest, SaveContactRequest, SaveContactResponse,
    SaveEcshipSettingsRequest, SaveShipmentRequest, SetLockRequest, SetStateRequest,
    SevereWeatherDto, SevereWeatherRequest, ShipmentDraftDto, ShipmentDto, ShipmentFilterRequest,
    ShipmentSummary, ShippingDefaultsDto, SubmitProgress, SubmitRequest, SubmitResponse,
    SyncAccountCreated, SyncStatusDto, TrackingDto, UnlockRequest,
};
use satchel_ipc::{
    ApproveDeviceRequest, DeviceRevoked, FinishSetupResponse, HomeDto, RecoveryPhraseDto,
    SetupDraftDto, SetupStateDto,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::js_sys;

#[wasm_bindgen]
extern "C" {
    // Provided by the shell because `withGlobalTauri` is on in tauri.conf.json.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    // Resolves to the function that stops listening.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "event"], js_name = listen, catch)]
    async fn listen(event: &str, handler: &js_sys::Function) -> Result<JsValue, JsValue>;
}

/// Why a call produced no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The command refused the request; `field` says which input to fix.
    Refused(CommandError),
    /// The call did not reach the command, or its answer could not be read.
    Failed(String),
}

/// The payload `{ request: ... }`: every command takes one argument named
/// [`satchel_ipc::REQUEST_ARG`].
#[derive(Serialize)]
struct Args<'a, Req> {
    request: &'a Req,
}

thread_local! {
    /// What to do when the shell answers that the app is locked (set by the app lock).
    static ON_LOCKED: std::cell::RefCell<Option<Box<dyn Fn()>>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` whenever a command is refused because the app is locked: the shell locked it
/// (at start, or another part of the window locked it), so the window shows the PIN prompt.
pub fn on_locked(f: impl Fn() + 'static) {
    ON_LOCKED.with(|cell| *cell.borrow_mut() = Some(Box::new(f)));
}

async fn call<Req: Serialize, Resp: DeserializeOwned>(
    command: &str,
    request: &Req,
) -> Result<Resp, CallError> {
    // json_compatible: plain JS objects, not `Map`s, which Tauri's deserializer expects.
    let payload = Args { request }
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| CallError::Failed(e.to_string()))?;
    let value =
        invoke(command, payload).await.map_err(|e| {
            match serde_wasm_bindgen::from_value::<CommandError>(e.clone()) {
                Ok(refusal) => {
                    if refusal.reason == satchel_ipc::Refused::Locked {
                        ON_LOCKED.with(|cell| {
                            if let Some(f) = cell.borrow().as_ref() {
                                f();
                            }
                        });
                    }
                    CallError::Refused(refusal)
                }
                Err(_) => CallError::Failed(e.as_string().unwrap_or_else(|| format!("{e:?}"))),
            }
        })?;
    serde_wasm_bindgen::from_value(value).map_err(|e| CallError::Failed(e.to_string()))
}

pub async fn check_item_number(input: String) -> Result<ItemCheck, CallError> {
    call(cmd::CHECK_ITEM_NUMBER, &CheckItemRequest { input }).await
}

pub async fn search_destinations(query: String) -> Result<Vec<DestinationChoice>, CallError> {
    call(cmd::SEARCH_DESTINATIONS, &DestinationQuery { query }).await
}

pub async fn compare_services(request: CompareRequest) -> Result<CompareResponse, CallError> {
    call(cmd::COMPARE_SERVICES, &request).await
}

pub async fn list_tariffs() -> Result<satchel_ipc::TariffsDto, CallError> {
    call(cmd::LIST_TARIFFS, &NoRequest {}).await
}

pub async fn check_tariffs(
    base_url: Option<String>,
) -> Result<satchel_ipc::TariffCheckDto, CallError> {
    let request = satchel_ipc::CheckTariffsRequest { base_url };
    call(cmd::CHECK_TARIFFS, &request).await
}

pub async fn load_tariff_file(
    name: String,
    json: String,
) -> Result<satchel_ipc::TariffCheckDto, CallError> {
    let request = satchel_ipc::LoadTariffRequest { name, json };
    call(cmd::LOAD_TARIFF_FILE, &request).await
}

pub async fn search_contacts(request: ContactSearchRequest) -> Result<Vec<ContactDto>, CallError> {
    call(cmd::SEARCH_CONTACTS, &request).await
}

pub async fn get_contact(id: String) -> Result<ContactDto, CallError> {
    call(cmd::GET_CONTACT, &IdRequest { id }).await
}

pub async fn save_contact(request: SaveContactRequest) -> Result<SaveContactResponse, CallError> {
    call(cmd::SAVE_CONTACT, &request).await
}

pub async fn delete_contact(id: String) -> Result<(), CallError> {
    call(cmd::DELETE_CONTACT, &IdRequest { id }).await
}

pub async fn list_contact_tags() -> Result<Vec<String>, CallError> {
    call(cmd::LIST_CONTACT_TAGS, &NoRequest {}).await
}

pub async fn preview_import(request: PreviewImportRequest) -> Result<ImportPreview, CallError> {
    call(cmd::PREVIEW_IMPORT, &request).await
}

pub async fn run_import(request: RunImportRequest) -> Result<ImportReport, CallError> {
    call(cmd::RUN_IMPORT, &request).await
}

pub async fn export_contacts() -> Result<ExportFile, CallError> {
    call(cmd::EXPORT_CONTACTS, &NoRequest {}).await
}

pub async fn export_shipments(request: ShipmentFilterRequest) -> Result<ExportFile, CallError> {
    call(cmd::EXPORT_SHIPMENTS, &request).await
}

pub async fn get_home() -> Result<HomeDto, CallError> {
    call(cmd::GET_HOME, &NoRequest {}).await
}

pub async fn get_setup() -> Result<SetupStateDto, CallError> {
    call(cmd::GET_SETUP, &NoRequest {}).await
}

pub async fn save_setup_draft(request: SetupDraftDto) -> Result<(), CallError> {
    call(cmd::SAVE_SETUP_DRAFT, &request).await
}

pub async fn finish_setup(request: SetupDraftDto) -> Result<FinishSetupResponse, CallError> {
    call(cmd::FINISH_SETUP, &request).await
}

pub async fn list_products() -> Result<Vec<ProductDto>, CallError> {
    call(cmd::LIST_PRODUCTS, &NoRequest {}).await
}

pub async fn save_product(request: ProductDto) -> Result<CatalogueReportDto, CallError> {
    call(cmd::SAVE_PRODUCT, &request).await
}

pub async fn import_catalogue(text: String) -> Result<CatalogueReportDto, CallError> {
    call(cmd::IMPORT_CATALOGUE, &ImportCatalogueRequest { text }).await
}

pub async fn export_catalogue() -> Result<ExportFile, CallError> {
    call(cmd::EXPORT_CATALOGUE, &NoRequest {}).await
}

pub async fn get_shipping_defaults() -> Result<ShippingDefaultsDto, CallError> {
    call(cmd::GET_SHIPPING_DEFAULTS, &NoRequest {}).await
}

pub async fn set_shipping_defaults(
    request: ShippingDefaultsDto,
) -> Result<ShippingDefaultsDto, CallError> {
    call(cmd::SET_SHIPPING_DEFAULTS, &request).await
}

pub async fn check_draft(request: ShipmentDraftDto) -> Result<DraftCheck, CallError> {
    call(cmd::CHECK_DRAFT, &request).await
}

pub async fn save_shipment(request: SaveShipmentRequest) -> Result<ShipmentDto, CallError> {
    call(cmd::SAVE_SHIPMENT, &request).await
}

pub async fn get_shipment(id: String) -> Result<ShipmentDto, CallError> {
    call(cmd::GET_SHIPMENT, &IdRequest { id }).await
}

pub async fn list_shipments(
    request: ShipmentFilterRequest,
) -> Result<Vec<ShipmentSummary>, CallError> {
    call(cmd::LIST_SHIPMENTS, &request).await
}

pub async fn copy_shipment(id: String) -> Result<ShipmentDto, CallError> {
    call(cmd::COPY_SHIPMENT, &IdRequest { id }).await
}

pub async fn delete_shipment(id: String) -> Result<(), CallError> {
    call(cmd::DELETE_SHIPMENT, &IdRequest { id }).await
}

pub async fn set_shipment_state(request: SetStateRequest) -> Result<ShipmentDto, CallError> {
    call(cmd::SET_SHIPMENT_STATE, &request).await
}

pub async fn get_severe_weather() -> Result<SevereWeatherDto, CallError> {
    call(cmd::GET_SEVERE_WEATHER, &NoRequest {}).await
}

pub async fn set_severe_weather(date: String, on: bool) -> Result<SevereWeatherDto, CallError> {
    call(cmd::SET_SEVERE_WEATHER, &SevereWeatherRequest { date, on }).await
}

pub async fn list_printers() -> Result<Vec<PrinterDto>, CallError> {
    call(cmd::LIST_PRINTERS, &NoRequest {}).await
}

pub async fn preview_labels(request: LabelRequest) -> Result<LabelPreview, CallError> {
    call(cmd::PREVIEW_LABELS, &request).await
}

pub async fn print_labels(request: PrintLabelsRequest) -> Result<PrintResult, CallError> {
    call(cmd::PRINT_LABELS, &request).await
}

pub async fn preview_posting(request: PostingRequest) -> Result<PostingPreview, CallError> {
    call(cmd::PREVIEW_POSTING, &request).await
}

pub async fn print_posting(request: PrintPostingRequest) -> Result<PostingPrintResult, CallError> {
    call(cmd::PRINT_POSTING, &request).await
}

pub async fn get_ecship_settings() -> Result<EcshipSettingsView, CallError> {
    call(cmd::GET_ECSHIP_SETTINGS, &NoRequest {}).await
}

pub async fn save_ecship_settings(
    request: SaveEcshipSettingsRequest,
) -> Result<EcshipSettingsView, CallError> {
    call(cmd::SAVE_ECSHIP_SETTINGS, &request).await
}

/// EC-Ship's price for each shipment about to be submitted, next to Satchel's (issue #16).
pub async fn confirm_postage(
    ids: Vec<String>,
) -> Result<Vec<satchel_ipc::PostageCheckDto>, CallError> {
    let request = satchel_ipc::ConfirmPostageRequest { ids };
    call(cmd::CONFIRM_POSTAGE, &request).await
}

/// `accept_edi_notice`: the merchant has just accepted the EDI privacy notice.
pub async fn submit_shipments(
    ids: Vec<String>,
    accept_edi_notice: bool,
) -> Result<SubmitResponse, CallError> {
    let request = SubmitRequest {
        ids,
        accept_edi_notice,
    };
    call(cmd::SUBMIT_SHIPMENTS, &request).await
}

pub async fn cancel_submission(id: String) -> Result<CancelResponse, CallError> {
    call(cmd::CANCEL_SUBMISSION, &IdRequest { id }).await
}

pub async fn get_tracking(id: String) -> Result<TrackingDto, CallError> {
    call(cmd::GET_TRACKING, &IdRequest { id }).await
}

pub async fn refresh_tracking(id: String) -> Result<TrackingDto, CallError> {
    call(cmd::REFRESH_TRACKING, &IdRequest { id }).await
}

pub async fn attach_item_number(request: AttachItemRequest) -> Result<ShipmentDto, CallError> {
    call(cmd::ATTACH_ITEM_NUMBER, &request).await
}

pub async fn get_sync_status() -> Result<SyncStatusDto, CallError> {
    call(cmd::GET_SYNC_STATUS, &NoRequest {}).await
}

/// Creates the account and links this device; the answer carries the recovery phrase, which
/// the caller shows once and then forgets.
pub async fn create_sync_account(
    request: CreateSyncAccountRequest,
) -> Result<SyncAccountCreated, CallError> {
    call(cmd::CREATE_SYNC_ACCOUNT, &request).await
}

pub async fn offer_pairing(device_label: String) -> Result<PairingOfferDto, CallError> {
    call(cmd::OFFER_PAIRING, &OfferPairingRequest { device_label }).await
}

pub async fn join_with_code(request: JoinRequest) -> Result<SyncStatusDto, CallError> {
    call(cmd::JOIN_WITH_CODE, &request).await
}

/// What `restore_with_phrase` may answer: the contract's doc names [`SyncAccountCreated`],
/// the shell returns the status alone; either is read, and only the status is kept (the
/// merchant typed the phrase, so it is not shown back).
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum RestoreAnswer {
    Created(SyncAccountCreated),
    Status(SyncStatusDto),
}

pub async fn restore_with_phrase(request: RestoreRequest) -> Result<SyncStatusDto, CallError> {
    match call(cmd::RESTORE_WITH_PHRASE, &request).await? {
        RestoreAnswer::Created(c) => Ok(c.status),
        RestoreAnswer::Status(s) => Ok(s),
    }
}

pub async fn sync_now() -> Result<SyncStatusDto, CallError> {
    call(cmd::SYNC_NOW, &NoRequest {}).await
}

pub async fn list_devices() -> Result<Vec<DeviceDto>, CallError> {
    call(cmd::LIST_DEVICES, &NoRequest {}).await
}

pub async fn revoke_device(device_id: String) -> Result<DeviceRevoked, CallError> {
    call(cmd::REVOKE_DEVICE, &RevokeDeviceRequest { device_id }).await
}

pub async fn approve_device(
    device_id: String,
    fingerprint: String,
) -> Result<Vec<DeviceDto>, CallError> {
    call(
        cmd::APPROVE_DEVICE,
        &ApproveDeviceRequest {
            device_id,
            fingerprint,
        },
    )
    .await
}

pub async fn show_recovery_phrase() -> Result<RecoveryPhraseDto, CallError> {
    call(cmd::SHOW_RECOVERY_PHRASE, &NoRequest {}).await
}

pub async fn unlink_device() -> Result<SyncStatusDto, CallError> {
    call(cmd::UNLINK_DEVICE, &NoRequest {}).await
}

pub async fn get_lock_settings() -> Result<LockSettingsDto, CallError> {
    call(cmd::GET_LOCK_SETTINGS, &NoRequest {}).await
}

pub async fn set_lock(request: SetLockRequest) -> Result<LockSettingsDto, CallError> {
    call(cmd::SET_LOCK, &request).await
}

/// Checks the PIN in the shell (the PIN lives in the keychain, never in the window).
pub async fn unlock(pin: String) -> Result<LockSettingsDto, CallError> {
    call(cmd::UNLOCK, &UnlockRequest { pin }).await
}

/// Locks the app in the shell, which then refuses every command until the PIN is typed.
pub async fn lock_app() -> Result<LockSettingsDto, CallError> {
    call(cmd::LOCK_APP, &NoRequest {}).await
}

/// A live event subscription; dropping it stops listening and frees the handler.
#[derive(Debug)]
pub struct Subscription {
    unlisten: js_sys::Function,
    _handler: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let _ = self.unlisten.call0(&JsValue::NULL);
    }
}

/// Calls `f` with each `import-progress` event until the subscription is dropped.
pub async fn on_import_progress(
    f: impl FnMut(ImportProgress) + 'static,
) -> Result<Subscription, CallError> {
    subscribe(event::IMPORT_PROGRESS, f).await
}

/// Calls `f` with each `print-progress` event until the subscription is dropped.
pub async fn on_print_progress(
    f: impl FnMut(PrintProgress) + 'static,
) -> Result<Subscription, CallError> {
    subscribe(event::PRINT_PROGRESS, f).await
}

/// Calls `f` with each `submit-progress` event (one per EC-Ship job the outbox worker ran)
/// until the subscription is dropped. The worker runs after `submit_shipments` has answered,
/// so a screen listens for as long as it is shown, not just around the call.
pub async fn on_submit_progress(
    f: impl FnMut(SubmitProgress) + 'static,
) -> Result<Subscription, CallError> {
    subscribe(event::SUBMIT_PROGRESS, f).await
}

/// Calls `f` with each `sync-status` event (after every sync attempt, background or "Sync
/// now") until the subscription is dropped.
pub async fn on_sync_status(
    f: impl FnMut(SyncStatusDto) + 'static,
) -> Result<Subscription, CallError> {
    subscribe(event::SYNC_STATUS, f).await
}

async fn subscribe<T: DeserializeOwned + 'static>(
    name: &str,
    mut f: impl FnMut(T) + 'static,
) -> Result<Subscription, CallError> {
    let handler = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        // The event object is `{ event, id, payload }`.
        let payload = js_sys::Reflect::get(&e, &JsValue::from_str("payload")).ok();
        if let Some(p) = payload.and_then(|p| serde_wasm_bindgen::from_value(p).ok()) {
            f(p);
        }
    });
    let unlisten = listen(name, handler.as_ref().unchecked_ref())
        .await
        .map_err(|e| CallError::Failed(e.as_string().unwrap_or_else(|| format!("{e:?}"))))?;
    Ok(Subscription {
        unlisten: unlisten.unchecked_into(),
        _handler: handler,
    })
}
