//! The EC-Ship (Hongkong Post) wire format, without the wire.
//!
//! Why this crate exists: submitting a shipment, asking for its item number, cancelling it and
//! pricing it on the server all go through EC-Ship's SOAP API (domain.md §10). The parts of
//! that which can be got wrong quietly — the WS-Security PasswordDigest (§10.3), the field
//! names and codes (§10.4, §10.5, §10.7) and XML escaping of what the merchant typed — are
//! pure functions of their inputs, so they live here, apart from any HTTP client, and are
//! tested as strings. Issue #7.
//!
//! - [`wssec`]: the UsernameToken PasswordDigest and the `<wsse:Security>` header. The nonce
//!   and the creation time are parameters: this crate reads no clock and draws no random
//!   numbers.
//! - [`mapping`]: the one place where a [`satchel_core::model::Shipment`] becomes EC-Ship
//!   fields. Every value that is guessed rather than documented says so and cites domain.md
//!   §13 ("Unknown — do not invent"); values with no public source are configuration, or an
//!   error, never made up.
//! - [`envelope`]: SOAP 1.1 envelopes for `getTotalPostage`, `createOrder`,
//!   `createTemporaryOrder`, `getItemNo`, `cancelOrder`, `getAddressPack`, `getCOP`,
//!   `getTTInfo`, `getMTTInfo`, and Speedpost's `createSoazOrder` and `getSoazAddressPack`.
//! - [`response`]: the replies, read into typed results or a [`ReplyError`] (prefix-agnostic,
//!   through [`dom`]).
//! - [`rest`]: the 2024 REST tracking API's bodies, its [`rest::Throttle`] and
//!   [`rest::TokenCache`] (§10.6), with time passed in.
//!
//! No network code lives here: the client is `satchel-net`. `ecship-simulator` is a local
//! stand-in written from the public client code in §10.1, named as such; agreement with it
//! proves nothing about the real service.

pub mod dom;
pub mod envelope;
pub mod mapping;
pub mod response;
pub mod rest;
pub mod wssec;
mod xml;

pub use envelope::{
    cancel_order, create_order, create_soaz_order, create_temporary_order, get_address_pack,
    get_cop, get_item_no, get_mtt_info, get_soaz_address_pack, get_total_postage, get_tt_info,
    Stamp,
};
pub use mapping::{Account, Codes, Identity, MappingError, PrintMode, SpeedpostRoute};
pub use response::{FoundItem, OrderCreated, ReplyError, TotalPostage, TrackingEvent};
