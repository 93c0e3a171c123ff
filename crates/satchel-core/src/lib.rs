//! Satchel's domain engine: everything a merchant needs to know about an item without a network.
//!
//! This crate is pure on purpose. It does no IO, reads no clock and spawns no threads, so the
//! same rules run in the desktop shell, in the wasm UI and in the CLI, and every rule can be
//! tested as a plain function. Rule ids (`R-0xx`) refer to `docs/reference/domain.md` and are
//! listed with where they are enforced in `docs/rules.md`.
#![forbid(unsafe_code)]

pub mod model;
pub mod s10;
pub mod service;
pub mod tariff;

// Rates and prices.
pub mod compare;
pub mod destination;
pub mod imail;
pub mod insurance;
pub mod label_format;
pub mod lifecycle;
pub mod postage;
pub mod rates;

// Rules, customs and calendar.
pub mod address;
pub mod calendar;
pub mod customs;
pub mod dates;
pub mod notes;
pub mod phone;
pub mod validate;

// Orders from where merchants sell.
pub mod catalogue;
pub mod shop;
