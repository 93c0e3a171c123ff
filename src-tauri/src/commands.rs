//! The IPC commands: one line each from the window's `invoke` to the application layer.
//!
//! Every command is declared once in the table below; the macro writes its
//! `#[tauri::command]` adapter, the handler list Tauri registers and [`NAMES`], which a test
//! holds equal to `satchel_ipc::cmd::ALL`, so a command the UI calls cannot go unregistered.
//! `blocking` commands run on Tauri's thread pool (they take the store's lock or wait for
//! the keychain); `awaiting` ones are async (network, or blocking work moved off the runtime
//! by the application layer so that progress events keep flowing). Every adapter asks the
//! application's lock first, so a locked app refuses every command but the lock's own, whoever
//! calls it (issue #18).

use std::sync::Arc;

use satchel_ipc::*;
use satchel_workflows::App;
use tauri::State;

macro_rules! commands {
    ($($kind:ident $name:ident($req:ty) -> $ret:ty;)*) => {
        $(commands!(@one $kind $name $req, $ret);)*

        /// Every registered command's name.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// The handler Tauri registers: exactly the commands of [`NAMES`].
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static
        {
            tauri::generate_handler![$($name),*]
        }
    };
    (@one blocking $name:ident $req:ty, $ret:ty) => {
        #[tauri::command(async)]
        pub fn $name(app: State<'_, Arc<App>>, request: $req) -> $ret {
            app.guard(stringify!($name))?;
            app.$name(request)
        }
    };
    (@one awaiting $name:ident $req:ty, $ret:ty) => {
        #[tauri::command]
        pub async fn $name(app: State<'_, Arc<App>>, request: $req) -> $ret {
            app.guard(stringify!($name))?;
            app.$name(request).await
        }
    };
}

type R<T> = Result<T, CommandError>;

commands! {
    blocking get_home(NoRequest) -> R<HomeDto>;
    blocking get_setup(NoRequest) -> R<SetupStateDto>;
    blocking save_setup_draft(SetupDraftDto) -> R<()>;
    blocking finish_setup(SetupDraftDto) -> R<FinishSetupResponse>;

    blocking check_item_number(CheckItemRequest) -> R<ItemCheck>;
    blocking search_destinations(DestinationQuery) -> R<Vec<DestinationChoice>>;
    blocking compare_services(CompareRequest) -> R<CompareResponse>;

    blocking list_tariffs(NoRequest) -> R<TariffsDto>;
    awaiting check_tariffs(CheckTariffsRequest) -> R<TariffCheckDto>;
    blocking load_tariff_file(LoadTariffRequest) -> R<TariffCheckDto>;

    blocking search_contacts(ContactSearchRequest) -> R<Vec<ContactDto>>;
    blocking get_contact(IdRequest) -> R<ContactDto>;
    blocking save_contact(SaveContactRequest) -> R<SaveContactResponse>;
    blocking delete_contact(IdRequest) -> R<()>;
    blocking list_contact_tags(NoRequest) -> R<Vec<String>>;

    blocking preview_import(PreviewImportRequest) -> R<ImportPreview>;
    awaiting run_import(RunImportRequest) -> R<ImportReport>;
    blocking export_contacts(NoRequest) -> R<ExportFile>;
    blocking export_shipments(ShipmentFilterRequest) -> R<ExportFile>;

    blocking list_products(NoRequest) -> R<Vec<ProductDto>>;
    blocking save_product(ProductDto) -> R<CatalogueReportDto>;
    blocking import_catalogue(ImportCatalogueRequest) -> R<CatalogueReportDto>;
    blocking export_catalogue(NoRequest) -> R<ExportFile>;
    blocking get_shipping_defaults(NoRequest) -> R<ShippingDefaultsDto>;
    blocking set_shipping_defaults(ShippingDefaultsDto) -> R<ShippingDefaultsDto>;

    blocking check_draft(ShipmentDraftDto) -> R<DraftCheck>;
    blocking save_shipment(SaveShipmentRequest) -> R<ShipmentDto>;
    blocking get_shipment(IdRequest) -> R<ShipmentDto>;
    blocking list_shipments(ShipmentFilterRequest) -> R<Vec<ShipmentSummary>>;
    blocking copy_shipment(IdRequest) -> R<ShipmentDto>;
    blocking delete_shipment(IdRequest) -> R<()>;
    blocking set_shipment_state(SetStateRequest) -> R<ShipmentDto>;

    blocking list_printers(NoRequest) -> R<Vec<PrinterDto>>;
    blocking preview_labels(LabelRequest) -> R<LabelPreview>;
    awaiting print_labels(PrintLabelsRequest) -> R<PrintResult>;
    blocking preview_posting(PostingRequest) -> R<PostingPreview>;
    awaiting print_posting(PrintPostingRequest) -> R<PostingPrintResult>;
    blocking get_severe_weather(NoRequest) -> R<SevereWeatherDto>;
    blocking set_severe_weather(SevereWeatherRequest) -> R<SevereWeatherDto>;

    blocking get_ecship_settings(NoRequest) -> R<EcshipSettingsView>;
    blocking save_ecship_settings(SaveEcshipSettingsRequest) -> R<EcshipSettingsView>;
    awaiting confirm_postage(ConfirmPostageRequest) -> R<Vec<PostageCheckDto>>;
    blocking submit_shipments(SubmitRequest) -> R<SubmitResponse>;
    blocking cancel_submission(IdRequest) -> R<CancelResponse>;
    blocking get_tracking(IdRequest) -> R<TrackingDto>;
    awaiting refresh_tracking(IdRequest) -> R<TrackingDto>;
    blocking attach_item_number(AttachItemRequest) -> R<ShipmentDto>;

    blocking get_sync_status(NoRequest) -> R<SyncStatusDto>;
    awaiting create_sync_account(CreateSyncAccountRequest) -> R<SyncAccountCreated>;
    awaiting offer_pairing(OfferPairingRequest) -> R<PairingOfferDto>;
    awaiting join_with_code(JoinRequest) -> R<SyncStatusDto>;
    awaiting restore_with_phrase(RestoreRequest) -> R<SyncStatusDto>;
    awaiting sync_now(NoRequest) -> R<SyncStatusDto>;
    awaiting list_devices(NoRequest) -> R<Vec<DeviceDto>>;
    awaiting revoke_device(RevokeDeviceRequest) -> R<DeviceRevoked>;
    awaiting unlink_device(NoRequest) -> R<SyncStatusDto>;
    awaiting show_recovery_phrase(NoRequest) -> R<RecoveryPhraseDto>;
    awaiting approve_device(ApproveDeviceRequest) -> R<Vec<DeviceDto>>;

    blocking get_lock_settings(NoRequest) -> R<LockSettingsDto>;
    blocking set_lock(SetLockRequest) -> R<LockSettingsDto>;
    blocking unlock(UnlockRequest) -> R<LockSettingsDto>;
    blocking lock_app(NoRequest) -> R<LockSettingsDto>;
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    #[test]
    fn every_command_the_ui_can_call_is_registered_and_nothing_else() {
        let registered: BTreeSet<&str> = super::NAMES.iter().copied().collect();
        let contract: BTreeSet<&str> = satchel_ipc::cmd::ALL.iter().copied().collect();
        assert_eq!(
            registered.len(),
            super::NAMES.len(),
            "a command is listed twice"
        );
        let unregistered: Vec<_> = contract.difference(&registered).collect();
        let unknown: Vec<_> = registered.difference(&contract).collect();
        assert!(
            unregistered.is_empty() && unknown.is_empty(),
            "named in satchel_ipc::cmd but not registered: {unregistered:?}; \
             registered but not in satchel_ipc::cmd: {unknown:?}"
        );
    }
}
