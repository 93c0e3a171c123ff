//! The application layer: every workflow the app shell and the `satchel` CLI run, with no
//! Tauri and no terminal in it.
//!
//! Why it exists: the domain engine (`satchel-core`) answers questions about one shipment; a
//! merchant's day is made of workflows that join it to the store, the printers, the keychain
//! and the network (read a draft, check and save it, lay out and print a label run and mark
//! it printed, assemble an iMail posting, cancel or withdraw a submission, lock the app, sync).
//! Written once here, the window and the terminal cannot drift apart, and the workflows are
//! tested without a window. [`App`] is the API the shell exposes command by command; the CLI
//! calls the same module functions on the store it opened.
#![forbid(unsafe_code)]

pub mod app;
pub mod calendar;
pub mod clock;
pub mod contacts;
pub mod convert;
pub mod csv;
pub mod ecship;
pub mod home;
pub mod item;
pub mod labels;
pub mod lock;
pub mod operator_label;
pub mod orders;
pub mod posting;
pub mod quote;
pub mod setup;
pub mod shipments;
pub mod store;
pub mod sync;
pub mod tariffs;

pub use app::{App, Events};

/// Where the app keeps secrets (the OS keychain), or why it cannot: everything offline still
/// works without one, and the screens that need it say why.
pub type Secrets = Result<std::sync::Arc<dyn satchel_keychain::SecretStore>, String>;

use satchel_core::calendar::HolidayCalendar;
use satchel_core::destination::{self, Destination};
use satchel_core::rates::RateSet;

/// The loaded domain data every workflow reads; built once at start-up.
#[derive(Debug)]
pub struct Engine {
    pub rates: RateSet,
    /// HK general holidays, for delivery dates.
    pub calendar: HolidayCalendar,
    /// The destination picker's list, derived from the rates in force today.
    pub destinations: Vec<Destination>,
}

impl Engine {
    /// The bundled tariffs only.
    pub fn load() -> Engine {
        Engine::with_rates(RateSet::bundled())
    }

    /// The engine over `rates` (the bundled files and every stored version: `tariffs`).
    pub fn with_rates(rates: RateSet) -> Engine {
        let destinations = destination::destinations(&rates.as_of(clock::today_in_hong_kong()));
        Engine {
            rates,
            calendar: HolidayCalendar::bundled(),
            destinations,
        }
    }
}
