//! The operator's side of the network: the EC-Ship SOAP client ([`ecship`]), the 2024 REST
//! tracking client with its rate limit ([`tracking`]), the connection settings ([`settings`]),
//! and the open-data tariff files ([`opendata`]).
//!
//! Why a crate of its own: the rest of the workspace must keep working with the cable pulled,
//! so HTTP lives in two crates only, this one (the operator) and `satchel-sync` (the
//! merchant's hub), which `deny.toml` enforces. What to do with EC-Ship's answers (the outbox, tracking
//! refresh over the store) is `satchel-outbox`'s business; this crate only asks and reads.
//!
//! Two rules hold for every request here (issue #18): it goes only to an address that
//! [`is_allowed_address`] accepts (https, or plain http to this computer), and its reply is
//! read through [`read_capped`], never into memory without a limit.

pub mod address;
pub mod capped;
pub mod ecship;
pub mod opendata;
pub mod settings;
pub mod tracking;

pub use address::{check_address, is_allowed_address, AddressRefused};
pub use capped::{read_capped, ReadError};

/// The wall clock, for the network side's time stamps (WS-Security `Created`, leases, token
/// expiry). The one place this crate reads it; tests of time-dependent logic inject a clock.
#[allow(clippy::disallowed_methods)] // the network side's clock adapter
pub fn wall_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
