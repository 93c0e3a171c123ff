//! The Tauri shell: the only crate that knows Tauri.
//!
//! It wires commands to the domain engine and the local store, and holds app-wide state. Commands are thin adapters
//! (request DTO → domain call → response DTO) so that every decision stays in `satchel-core`,
//! where it is tested without a window.
#![forbid(unsafe_code)]

pub mod commands;
pub mod convert;
pub mod store;

use satchel_core::calendar::HolidayCalendar;
use satchel_core::destination::{self, Destination};
use satchel_core::rates::RateSet;

/// The loaded domain data every command reads; built once at start-up.
#[derive(Debug)]
pub struct Engine {
    pub rates: RateSet,
    /// HK general holidays, for delivery dates.
    pub calendar: HolidayCalendar,
    /// The destination picker's list, derived from the rates in force today.
    pub destinations: Vec<Destination>,
}

impl Engine {
    pub fn load() -> Engine {
        let rates = RateSet::bundled();
        let destinations = destination::destinations(&rates.as_of(today_in_hong_kong()));
        Engine {
            rates,
            calendar: HolidayCalendar::bundled(),
            destinations,
        }
    }
}

/// Today's date in Hong Kong (UTC+8, no daylight saving): the shell owns the clock so the
/// core never reads one.
pub fn today_in_hong_kong() -> chrono::NaiveDate {
    let hk = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::Utc::now().with_timezone(&hk).date_naive()
}

/// `$SATCHEL_PROFILE` files this app's keychain entries under their own name, so a second
/// profile on one machine (a test device, a second shop) never sees the first one's secrets.
fn keychain_profile() -> Option<String> {
    std::env::var("SATCHEL_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
}

#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    tauri::Builder::default()
        .manage(Engine::load())
        .manage(commands::labels::LabelState::default())
        .setup(|app| {
            use tauri::Manager;
            let path = store::db_path(std::env::var_os(store::DB_ENV), || {
                app.path().app_data_dir()
            })?;
            app.manage(commands::labels::ProfilesPath::next_to(&path));
            // A missing keychain is not fatal: everything offline still works, and the
            // EC-Ship screen says why credentials cannot be saved.
            let keychain = satchel_keychain::Keychain::open_default(keychain_profile().as_deref())
                .map_err(|e| e.to_string());
            app.manage(commands::ecship::EcshipState::new(&path, keychain.clone()));
            app.manage(commands::lock::LockState::new(keychain.clone()));
            app.manage(commands::sync::SyncState::new(keychain));
            app.manage(store::StoreState::new(satchel_store::Store::open(path)?));
            // Submissions queued before the last exit carry on, and a linked device syncs.
            commands::ecship::start_worker(app.handle());
            commands::ecship::start_tracking_loop(app.handle());
            commands::sync::resume(app.handle());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::item::check_item_number,
            commands::quote::search_destinations,
            commands::quote::compare_services,
            commands::contacts::search_contacts,
            commands::contacts::get_contact,
            commands::contacts::save_contact,
            commands::contacts::delete_contact,
            commands::contacts::list_contact_tags,
            commands::csv::preview_import,
            commands::csv::run_import,
            commands::csv::export_contacts,
            commands::shipments::check_draft,
            commands::shipments::save_shipment,
            commands::shipments::get_shipment,
            commands::shipments::list_shipments,
            commands::shipments::copy_shipment,
            commands::shipments::delete_shipment,
            commands::shipments::set_shipment_state,
            commands::shipments::export_shipments,
            commands::ecship::get_ecship_settings,
            commands::ecship::save_ecship_settings,
            commands::ecship::submit_shipments,
            commands::ecship::cancel_submission,
            commands::ecship::get_tracking,
            commands::ecship::refresh_tracking,
            commands::ecship::attach_item_number,
            commands::sync::get_sync_status,
            commands::sync::create_sync_account,
            commands::sync::offer_pairing,
            commands::sync::join_with_code,
            commands::sync::restore_with_phrase,
            commands::sync::sync_now,
            commands::sync::list_devices,
            commands::sync::revoke_device,
            commands::sync::unlink_device,
            commands::lock::get_lock_settings,
            commands::lock::set_lock,
            commands::lock::unlock,
            commands::labels::list_printers,
            commands::labels::preview_labels,
            commands::labels::print_labels,
            commands::posting::preview_posting,
            commands::posting::print_posting,
        ])
        .run(tauri::generate_context!())
        .expect("the Tauri runtime failed to start");
}
