//! [`App`]: the application as the shell sees it, one method per IPC command.
//!
//! Why a struct: the app holds state the CLI does not (the open store shared with background
//! workers, the label font read once, the outbox and sync workers, the lock's wrong-PIN
//! counter). Each method is the whole command, so the shell's adapters are one line each and
//! tests can call the same methods without a window. Events for the window (import, print,
//! submit and sync progress) go through [`Events`], which the shell implements with Tauri.

use std::path::Path;
use std::sync::Arc;

use satchel_ipc::*;
use serde::Serialize;

use crate::clock::{self, today_in_hong_kong};
use crate::ecship::EcshipState;
use crate::labels::{Cups, LabelState, ProfilesPath};
use crate::lock::LockState;
use crate::store::{store_error, SharedStore};
use crate::sync::SyncState;
use crate::{
    contacts, csv, ecship, item, labels, orders, posting, quote, shipments, sync, tariffs, Engine,
};

/// Where the front end's window hears about work in progress. A closed window cannot be told;
/// the work goes on regardless, so emitting never fails.
pub trait Events: Send + Sync + std::fmt::Debug + 'static {
    fn emit(&self, event: &'static str, payload: serde_json::Value);
}

/// The running application.
#[derive(Debug)]
pub struct App {
    /// Replaced whole when new tariffs arrive; a command in flight keeps the one it started
    /// with, so one quote never mixes two tariffs.
    engine: std::sync::RwLock<Arc<Engine>>,
    pub store: SharedStore,
    pub labels: LabelState,
    pub profiles: ProfilesPath,
    pub ecship: EcshipState,
    pub lock: LockState,
    pub sync: SyncState,
    pub(crate) runtime: tokio::runtime::Handle,
    events: Box<dyn Events>,
}

impl App {
    /// Opens the store at `db`; the EC-Ship settings and printer profiles live next to it, so
    /// `$SATCHEL_DB` moves them all. A missing keychain is not fatal: everything offline still
    /// works, and the EC-Ship, lock and sync screens say why secrets cannot be kept.
    pub fn open(
        db: &Path,
        keychain: crate::Secrets,
        runtime: tokio::runtime::Handle,
        events: Box<dyn Events>,
    ) -> Result<Arc<App>, satchel_store::Error> {
        let store = satchel_store::Store::open_with_clock(db, Box::new(crate::clock::AppClock))?;
        let (rates, skipped) = tariffs::rate_set(&store);
        for s in skipped {
            eprintln!("satchel: a stored tariff file was left out: {s}");
        }
        let lock = LockState::new(keychain.clone());
        let store = SharedStore::new(store);
        lock.lock_at_start(&store);
        Ok(Arc::new(App {
            engine: std::sync::RwLock::new(Arc::new(Engine::with_rates(rates))),
            store,
            labels: LabelState::default(),
            profiles: ProfilesPath::next_to(db),
            ecship: EcshipState::new(db, keychain.clone()),
            lock,
            sync: SyncState::new(keychain),
            runtime,
            events,
        }))
    }

    /// Starts the background work: submissions queued before the last exit carry on,
    /// tracking refreshes every 30 minutes, and a linked device syncs.
    pub fn start(self: &Arc<Self>) {
        // Tariffs whose last part arrived through a sync run from the command line.
        self.adopt_synced_tariffs();
        // Shipments merged before the last exit and not checked here yet (S-005).
        shipments::reassess_merged(
            &mut self.store.lock(),
            &self.engine(),
            &[],
            today_in_hong_kong(),
        );
        ecship::start_worker(self);
        ecship::start_tracking_loop(self);
        sync::resume(self);
    }

    /// The tariffs, calendar and destinations in use now.
    pub fn engine(&self) -> Arc<Engine> {
        self.engine
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Prices from now on with the bundled tariffs and every stored version.
    pub(crate) fn reload_tariffs(&self) {
        let (rates, _) = tariffs::rate_set(&self.store.lock());
        *self
            .engine
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Arc::new(Engine::with_rates(rates));
    }

    /// Keeps the tariffs the merchant's other devices sent (issue #16) and prices with them,
    /// and completes imported drafts with products they sent.
    pub(crate) fn adopt_synced_tariffs(&self) {
        let adopted = tariffs::adopt_synced(&mut self.store.lock(), crate::clock::now());
        match adopted {
            Ok(a) => {
                for (name, why) in &a.refused {
                    eprintln!(
                        "satchel: a tariff file from another device was refused: {name}: {why}"
                    );
                }
                if !a.kept.is_empty() {
                    self.reload_tariffs();
                }
            }
            Err(e) => eprintln!("satchel: tariffs from other devices not read: {e}"),
        }
        // Products another device added complete the drafts waiting for them (issue #14).
        let engine = self.engine();
        if let Err(e) =
            orders::complete_waiting(&mut self.store.lock(), &engine, today_in_hong_kong())
        {
            eprintln!("satchel: drafts waiting for products not completed: {e}");
        }
    }

    pub(crate) fn emit(&self, event: &'static str, payload: impl Serialize) {
        if let Ok(v) = serde_json::to_value(payload) {
            self.events.emit(event, v);
        }
    }

    /// Runs blocking work (rendering, waiting for a print job, a long import) off the async
    /// runtime, so the window keeps receiving progress meanwhile.
    async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        what: &str,
        f: impl FnOnce(&App) -> Result<T, CommandError> + Send + 'static,
    ) -> Result<T, CommandError> {
        let app = self.clone();
        tokio::task::spawn_blocking(move || f(&app))
            .await
            .map_err(|e| {
                let detail = e.to_string();
                CommandError::new(what, Refused::Unexpected { detail })
            })?
    }

    /// Asked by the shell before every command: while the app is locked only the lock's own
    /// commands answer (issue #18).
    pub fn guard(&self, command: &str) -> Result<(), CommandError> {
        self.lock.guard(command)
    }

    // --- Item numbers, destinations, quotes -------------------------------------------------

    pub fn check_item_number(&self, r: CheckItemRequest) -> Result<ItemCheck, CommandError> {
        Ok(item::check(&r.input))
    }

    pub fn search_destinations(
        &self,
        r: DestinationQuery,
    ) -> Result<Vec<DestinationChoice>, CommandError> {
        Ok(quote::search(&self.engine().destinations, &r.query))
    }

    pub fn compare_services(&self, r: CompareRequest) -> Result<CompareResponse, CommandError> {
        let e = self.engine();
        quote::compare(&e.rates, &e.calendar, r, today_in_hong_kong())
    }

    // --- Tariffs (issue #16) ---------------------------------------------------------------

    // --- Home screen and first-run setup (issue #15) ---------------------------------------

    pub fn get_home(&self, NoRequest {}: NoRequest) -> Result<HomeDto, CommandError> {
        crate::home::today(&self.store.lock(), &self.engine(), clock::now())
    }

    pub fn get_setup(&self, NoRequest {}: NoRequest) -> Result<SetupStateDto, CommandError> {
        crate::setup::state(&self.store.lock())
    }

    pub fn save_setup_draft(&self, r: SetupDraftDto) -> Result<(), CommandError> {
        crate::setup::save_draft(&mut self.store.lock(), &r)
    }

    pub fn finish_setup(&self, r: SetupDraftDto) -> Result<FinishSetupResponse, CommandError> {
        crate::setup::finish(&mut self.store.lock(), r)
    }

    pub fn list_tariffs(&self, NoRequest {}: NoRequest) -> Result<TariffsDto, CommandError> {
        let base = tariffs::base_url(&self.store.lock());
        Ok(tariffs::list(
            &self.engine().rates,
            &base,
            today_in_hong_kong(),
        ))
    }

    /// Asks the operator's open data for newer tariffs; what arrives is priced with at once.
    pub async fn check_tariffs(
        &self,
        r: CheckTariffsRequest,
    ) -> Result<TariffCheckDto, CommandError> {
        let base = r
            .base_url
            .map(|b| b.trim().to_owned())
            .filter(|b| !b.is_empty());
        if let Some(b) = &base {
            tariffs::check_address(b)?;
            self.store
                .lock()
                .set_tariff_base_url(b)
                .map_err(store_error)?;
        }
        let engine = self.engine();
        let report = tariffs::update(&self.store, &engine.rates, base.as_deref(), clock::now())
            .await
            .map_err(|e| match e {
                tariffs::UpdateError::Store(e) => store_error(e),
                tariffs::UpdateError::Net(detail) => {
                    CommandError::new("base_url", Refused::Unexpected { detail })
                }
            })?;
        if report.new_files().next().is_some() {
            self.reload_tariffs();
        }
        let list = tariffs::list(&self.engine().rates, &report.base_url, today_in_hong_kong());
        Ok(tariffs::check_dto(&report, list))
    }

    /// Keeps a tariff file the merchant chose.
    pub fn load_tariff_file(&self, r: LoadTariffRequest) -> Result<TariffCheckDto, CommandError> {
        let engine = self.engine();
        let found = tariffs::load_file(&mut self.store.lock(), &engine.rates, &r.name, &r.json)
            .map_err(|e| match e {
                tariffs::LoadError::Invalid(e) => CommandError::new(
                    "file",
                    Refused::TariffFile {
                        detail: e.to_string(),
                    },
                ),
                tariffs::LoadError::Store(e) => store_error(e),
            })?;
        if found.is_some() {
            self.reload_tariffs();
        }
        let base = tariffs::base_url(&self.store.lock());
        let list = tariffs::list(&self.engine().rates, &base, today_in_hong_kong());
        Ok(TariffCheckDto {
            new_files: found
                .map(|(last_update, changes)| TariffNewDto {
                    name: r.name.clone(),
                    last_update: last_update.date().to_string(),
                    changes: tariffs::changes_dto(&changes),
                })
                .into_iter()
                .collect(),
            unchanged: 0,
            problems: Vec::new(),
            tariffs: list,
        })
    }

    // --- Address book ----------------------------------------------------------------------

    pub fn search_contacts(
        &self,
        r: ContactSearchRequest,
    ) -> Result<Vec<ContactDto>, CommandError> {
        contacts::search(&self.store.lock(), &r)
    }

    pub fn get_contact(&self, r: IdRequest) -> Result<ContactDto, CommandError> {
        contacts::get(&self.store.lock(), &r.id)
    }

    pub fn save_contact(&self, r: SaveContactRequest) -> Result<SaveContactResponse, CommandError> {
        contacts::save(&mut self.store.lock(), r)
    }

    pub fn delete_contact(&self, r: IdRequest) -> Result<(), CommandError> {
        self.store.lock().delete_contact(&r.id).map_err(store_error)
    }

    pub fn list_contact_tags(&self, NoRequest {}: NoRequest) -> Result<Vec<String>, CommandError> {
        self.store.lock().contact_tags().map_err(store_error)
    }

    // --- CSV --------------------------------------------------------------------------------

    pub fn preview_import(&self, r: PreviewImportRequest) -> Result<ImportPreview, CommandError> {
        csv::preview(&self.store.lock(), &self.engine(), &r, today_in_hong_kong())
    }

    /// One transaction for the whole file, with a progress event every few rows.
    pub async fn run_import(
        self: &Arc<Self>,
        r: RunImportRequest,
    ) -> Result<ImportReport, CommandError> {
        let today = today_in_hong_kong();
        self.blocking("import", move |app| {
            let mut progress = |done: usize, total: usize| {
                let p = ImportProgress {
                    done: done as u32,
                    total: total as u32,
                };
                app.emit(event::IMPORT_PROGRESS, p);
            };
            csv::run(
                &mut app.store.lock(),
                &app.engine(),
                &r,
                today,
                &mut progress,
            )
        })
        .await
    }

    // --- The product catalogue (issue #14) ---------------------------------------------------

    pub fn list_products(&self, NoRequest {}: NoRequest) -> Result<Vec<ProductDto>, CommandError> {
        let products = self.store.lock().products().map_err(store_error)?;
        Ok(products.iter().map(orders::product_dto).collect())
    }

    /// Saves one product after the content-line rules (each problem on its field), then
    /// completes the imported drafts that were waiting for its SKU.
    pub fn save_product(&self, r: ProductDto) -> Result<CatalogueReportDto, CommandError> {
        let product = orders::product_from_dto(&r).map_err(|why| {
            let field = why.split(':').next().unwrap_or_default().to_owned();
            CommandError::new(field, Refused::StoreRule { message: why })
        })?;
        let engine = self.engine();
        let today = today_in_hong_kong();
        let problems: Vec<ProblemDto> =
            satchel_core::catalogue::validate_product(&product, &engine.rates.as_of(today))
                .iter()
                .filter(|p| p.is_error())
                .map(crate::convert::problem)
                .collect();
        if product.sku.is_empty() {
            return Err(CommandError::new(
                "sku",
                Refused::StoreRule {
                    message: "a product needs the SKU its shop writes".into(),
                },
            ));
        }
        if !problems.is_empty() {
            return Err(CommandError::invalid(problems));
        }
        let report = orders::add_products(
            &mut self.store.lock(),
            &engine,
            vec![(product.sku.clone(), Ok(product))],
            today,
        )
        .map_err(store_error)?;
        Ok(orders::catalogue_dto(&report))
    }

    /// A catalogue CSV: each row checked; the good ones saved in one transaction.
    pub fn import_catalogue(
        &self,
        r: ImportCatalogueRequest,
    ) -> Result<CatalogueReportDto, CommandError> {
        let rows = satchel_store::catalogue::read_products(&r.text).map_err(store_error)?;
        let items = rows
            .into_iter()
            .map(|(line, p)| (format!("line {line}"), p))
            .collect();
        let report = orders::add_products(
            &mut self.store.lock(),
            &self.engine(),
            items,
            today_in_hong_kong(),
        )
        .map_err(store_error)?;
        Ok(orders::catalogue_dto(&report))
    }

    pub fn get_shipping_defaults(
        &self,
        NoRequest {}: NoRequest,
    ) -> Result<ShippingDefaultsDto, CommandError> {
        let d = self.store.lock().shipping_defaults().map_err(store_error)?;
        Ok(orders::defaults_dto(&d))
    }

    /// Saves how imported orders are drafted from now on (drafts already made stay as they are).
    pub fn set_shipping_defaults(
        &self,
        r: ShippingDefaultsDto,
    ) -> Result<ShippingDefaultsDto, CommandError> {
        let d = orders::defaults_from_dto(&r)?;
        let mut store = self.store.lock();
        store.set_shipping_defaults(&d).map_err(store_error)?;
        Ok(orders::defaults_dto(&d))
    }

    pub fn export_catalogue(&self, NoRequest {}: NoRequest) -> Result<ExportFile, CommandError> {
        Ok(ExportFile {
            file_name: format!("satchel-catalogue-{}.csv", today_in_hong_kong()),
            text: self.store.lock().export_products().map_err(store_error)?,
        })
    }

    pub fn export_contacts(&self, NoRequest {}: NoRequest) -> Result<ExportFile, CommandError> {
        csv::export_contacts_file(&self.store.lock(), today_in_hong_kong())
    }

    pub fn export_shipments(&self, r: ShipmentFilterRequest) -> Result<ExportFile, CommandError> {
        shipments::export(&self.store.lock(), &r, today_in_hong_kong())
    }

    // --- Shipments --------------------------------------------------------------------------

    pub fn check_draft(&self, r: ShipmentDraftDto) -> Result<DraftCheck, CommandError> {
        Ok(shipments::check(&self.engine(), &r, today_in_hong_kong()))
    }

    pub fn save_shipment(&self, r: SaveShipmentRequest) -> Result<ShipmentDto, CommandError> {
        shipments::save(
            &mut self.store.lock(),
            &self.engine(),
            r,
            today_in_hong_kong(),
        )
    }

    pub fn get_shipment(&self, r: IdRequest) -> Result<ShipmentDto, CommandError> {
        shipments::get(&self.store.lock(), &r.id, today_in_hong_kong())
    }

    pub fn list_shipments(
        &self,
        r: ShipmentFilterRequest,
    ) -> Result<Vec<ShipmentSummary>, CommandError> {
        shipments::list(&self.store.lock(), &self.engine(), &r, today_in_hong_kong())
    }

    pub fn copy_shipment(&self, r: IdRequest) -> Result<ShipmentDto, CommandError> {
        let rec = self
            .store
            .lock()
            .copy_shipment(&r.id)
            .map_err(store_error)?;
        Ok(shipments::shipment_dto(&rec, today_in_hong_kong()))
    }

    pub fn delete_shipment(&self, r: IdRequest) -> Result<(), CommandError> {
        self.store
            .lock()
            .delete_shipment(&r.id)
            .map_err(store_error)
    }

    pub fn set_shipment_state(&self, r: SetStateRequest) -> Result<ShipmentDto, CommandError> {
        shipments::set_state(&mut self.store.lock(), &r, today_in_hong_kong())
    }

    // --- Labels and posting documents -------------------------------------------------------

    pub fn list_printers(&self, NoRequest {}: NoRequest) -> Result<Vec<PrinterDto>, CommandError> {
        let mut list = labels::printers(satchel_print::list_printers())?;
        if let Some(p) = labels::load_profiles(&self.profiles.0) {
            labels::mark_profiles(&mut list, &p);
        }
        Ok(list)
    }

    pub fn preview_labels(&self, r: LabelRequest) -> Result<LabelPreview, CommandError> {
        labels::preview(&self.store.lock(), &r, crate::clock::now_in_hong_kong())
    }

    pub async fn print_labels(
        self: &Arc<Self>,
        r: PrintLabelsRequest,
    ) -> Result<PrintResult, CommandError> {
        let today = today_in_hong_kong();
        ecship::fetch_missing_labels(self, &r.shipment_ids).await;
        self.blocking("printer", move |app| {
            let mut progress = |p: PrintProgress| app.emit(event::PRINT_PROGRESS, p);
            labels::print(
                &app.store,
                || app.labels.font(),
                &r,
                today,
                &Cups,
                &app.profiles.0,
                &mut progress,
            )
        })
        .await
    }

    pub fn preview_posting(&self, r: PostingRequest) -> Result<PostingPreview, CommandError> {
        let engine = self.engine();
        let rates = &engine.rates;
        posting::preview(&self.store.lock(), rates, &r, today_in_hong_kong())
    }

    pub async fn print_posting(
        self: &Arc<Self>,
        r: PrintPostingRequest,
    ) -> Result<PostingPrintResult, CommandError> {
        if r.posting.doc.from_ecship() {
            return ecship::print_certificate(self, r).await;
        }
        let today = today_in_hong_kong();
        self.blocking("printer", move |app| {
            let font = || app.labels.font();
            posting::print(&app.store, &app.engine().rates, font, &r, today, &Cups)
        })
        .await
    }

    // --- Severe weather (R-061, R-062) -------------------------------------------------------

    pub fn get_severe_weather(
        &self,
        NoRequest {}: NoRequest,
    ) -> Result<SevereWeatherDto, CommandError> {
        let days = crate::calendar::severe_weather_days(&self.store.lock());
        Ok(severe_weather_dto(days))
    }

    pub fn set_severe_weather(
        &self,
        r: SevereWeatherRequest,
    ) -> Result<SevereWeatherDto, CommandError> {
        let date = chrono::NaiveDate::parse_from_str(r.date.trim(), "%Y-%m-%d").map_err(|_| {
            CommandError::new(
                "date",
                Refused::DateFormat {
                    value: r.date.clone(),
                },
            )
        })?;
        let days = crate::calendar::set_severe_weather(&mut self.store.lock(), date, r.on)
            .map_err(store_error)?;
        Ok(severe_weather_dto(days))
    }

    // --- EC-Ship ----------------------------------------------------------------------------

    pub fn get_ecship_settings(
        &self,
        NoRequest {}: NoRequest,
    ) -> Result<EcshipSettingsView, CommandError> {
        Ok(ecship::view(&self.ecship))
    }

    pub fn save_ecship_settings(
        self: &Arc<Self>,
        r: SaveEcshipSettingsRequest,
    ) -> Result<EcshipSettingsView, CommandError> {
        let out = ecship::save(&self.ecship, &r)?;
        // Jobs that were waiting for credentials can go now.
        ecship::start_worker(self);
        Ok(out)
    }

    /// EC-Ship's price for each shipment about to be submitted, next to Satchel's.
    pub async fn confirm_postage(
        &self,
        r: ConfirmPostageRequest,
    ) -> Result<Vec<PostageCheckDto>, CommandError> {
        ecship::confirm_postage(self, &r.ids).await
    }

    pub fn submit_shipments(
        self: &Arc<Self>,
        r: SubmitRequest,
    ) -> Result<SubmitResponse, CommandError> {
        ecship::submit(self, &r)
    }

    pub fn cancel_submission(
        self: &Arc<Self>,
        r: IdRequest,
    ) -> Result<CancelResponse, CommandError> {
        ecship::cancel(self, &r)
    }

    pub fn get_tracking(&self, r: IdRequest) -> Result<TrackingDto, CommandError> {
        ecship::get_tracking(self, &r)
    }

    pub async fn refresh_tracking(&self, r: IdRequest) -> Result<TrackingDto, CommandError> {
        ecship::refresh_tracking(self, &r).await
    }

    pub fn attach_item_number(&self, r: AttachItemRequest) -> Result<ShipmentDto, CommandError> {
        ecship::attach_item_number(self, &r)
    }

    // --- Sync -------------------------------------------------------------------------------

    pub fn get_sync_status(&self, NoRequest {}: NoRequest) -> Result<SyncStatusDto, CommandError> {
        Ok(sync::status(&self.sync))
    }

    pub async fn create_sync_account(
        self: &Arc<Self>,
        r: CreateSyncAccountRequest,
    ) -> Result<SyncAccountCreated, CommandError> {
        sync::create_account(self, r).await
    }

    pub async fn offer_pairing(
        &self,
        r: OfferPairingRequest,
    ) -> Result<PairingOfferDto, CommandError> {
        sync::offer_pairing(self, r).await
    }

    pub async fn join_with_code(
        self: &Arc<Self>,
        r: JoinRequest,
    ) -> Result<SyncStatusDto, CommandError> {
        sync::join_with_code(self, r).await
    }

    pub async fn restore_with_phrase(
        self: &Arc<Self>,
        r: RestoreRequest,
    ) -> Result<SyncStatusDto, CommandError> {
        sync::restore_with_phrase(self, r).await
    }

    pub async fn sync_now(
        self: &Arc<Self>,
        NoRequest {}: NoRequest,
    ) -> Result<SyncStatusDto, CommandError> {
        sync::sync_now(self).await
    }

    pub async fn list_devices(
        &self,
        NoRequest {}: NoRequest,
    ) -> Result<Vec<DeviceDto>, CommandError> {
        sync::list_devices(self).await
    }

    pub async fn revoke_device(
        &self,
        r: RevokeDeviceRequest,
    ) -> Result<DeviceRevoked, CommandError> {
        sync::revoke_device(self, r).await
    }

    pub async fn approve_device(
        &self,
        r: ApproveDeviceRequest,
    ) -> Result<Vec<DeviceDto>, CommandError> {
        sync::approve_device(self, r).await
    }

    pub async fn show_recovery_phrase(
        &self,
        NoRequest {}: NoRequest,
    ) -> Result<RecoveryPhraseDto, CommandError> {
        sync::show_recovery_phrase(self).await
    }

    pub async fn unlink_device(
        &self,
        NoRequest {}: NoRequest,
    ) -> Result<SyncStatusDto, CommandError> {
        sync::unlink_device(self).await
    }

    // --- App lock ---------------------------------------------------------------------------

    pub fn get_lock_settings(
        &self,
        NoRequest {}: NoRequest,
    ) -> Result<LockSettingsDto, CommandError> {
        Ok(self.lock.settings(&self.store))
    }

    pub fn set_lock(&self, r: SetLockRequest) -> Result<LockSettingsDto, CommandError> {
        self.lock.set(&self.store, &r)
    }

    pub fn unlock(&self, r: UnlockRequest) -> Result<LockSettingsDto, CommandError> {
        self.lock.unlock(&self.store, &r.pin, clock::now())
    }

    pub fn lock_app(&self, _: NoRequest) -> Result<LockSettingsDto, CommandError> {
        Ok(self.lock.lock_now(&self.store))
    }
}

fn severe_weather_dto(days: Vec<chrono::NaiveDate>) -> SevereWeatherDto {
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    SevereWeatherDto {
        today: iso(today_in_hong_kong()),
        days: days.into_iter().map(iso).collect(),
    }
}
