//! The contract between the Leptos UI (wasm) and the Tauri shell (native).
//!
//! Both sides compile this crate, so a renamed command or a changed field is a compile error
//! rather than a silent `undefined` at run time. It holds only plain data: the UI never links
//! the domain engine, and the shell converts domain types into these DTOs. Money travels as
//! decimal strings (never floats) and weights as integer grams.
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};

/// Command names, shared so neither side can misspell one.
pub mod cmd {
    pub const CHECK_ITEM_NUMBER: &str = "check_item_number";
    pub const SEARCH_DESTINATIONS: &str = "search_destinations";
    pub const COMPARE_SERVICES: &str = "compare_services";
}

/// Every command takes one argument named `request`; this is its key in the `invoke` payload.
pub const REQUEST_ARG: &str = "request";

/// `check_item_number` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItemRequest {
    pub input: String,
}

/// `check_item_number` response: the parts of a valid number, or why it is not one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum ItemCheck {
    Valid {
        number: String,
        indicator: String,
        serial: String,
        country: String,
        /// What the service indicator means, as a catalog key (`ems`, `letter_tracked`, ...).
        kind: String,
    },
    Invalid {
        problem: ItemProblem,
    },
}

/// Why an item number is invalid (UPU S10, domain.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemProblem {
    Length { len: usize },
    ServiceIndicator,
    Digits,
    CountryCode,
    UnknownCountry { country: String },
    CheckDigit { found: u8, expected: u8 },
}

/// `search_destinations` request: a fragment of a name (English or Chinese) or a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationQuery {
    pub query: String,
}

/// One choice in the destination picker: a country, or one sub-zone of a split country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationChoice {
    /// ISO-like two-letter `destinationCode`.
    pub country: String,
    /// The open-data `zoneCode`; equals `country` unless the country is split.
    pub zone: String,
    pub name_en: String,
    pub name_zh_hk: String,
    /// iMail zone 1–3, for display.
    pub imail_zone: Option<u8>,
}

/// `compare_services` request: one item to price with every service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareRequest {
    pub country: String,
    pub zone: Option<String>,
    pub weight_g: u32,
    /// Length, width, height in millimetres, when the merchant measured them.
    pub dimensions_mm: Option<[u32; 3]>,
    /// `documents`, `gift`, `sale_of_goods`, `commercial_sample`, `returned_goods`, `other`.
    pub category: String,
}

/// `compare_services` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareResponse {
    /// The posting date the tariffs and delivery dates were computed for (YYYY-MM-DD).
    pub as_of: String,
    /// Cheapest first.
    pub options: Vec<ServiceQuote>,
    pub excluded: Vec<ExcludedService>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceQuote {
    pub id: String,
    pub name_en: String,
    pub name_zh_hk: String,
    /// Tariff price, HK$, as a decimal string ("88.44").
    pub estimate: String,
    /// What the counter charges: rounded down to HK$0.10.
    pub counter: String,
    /// `lastUpdateDate` of the rate file used (YYYY-MM-DD): shown, because files age.
    pub tariff_date: String,
    pub delivery: Option<DeliveryDto>,
}

/// A stated delivery window and the dates it gives from the posting date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDto {
    pub min_days: u16,
    pub max_days: u16,
    pub rule: String,
    pub earliest: String,
    pub latest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedService {
    pub id: String,
    pub name_en: String,
    pub name_zh_hk: String,
    pub reason: ExclusionReason,
}

/// Why a service cannot carry the item; the UI words it in the merchant's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExclusionReason {
    UsGoodsSuspended,
    LocalOnly,
    InternationalOnly,
    NoTariff,
    NotServed,
    OverLimit { limit_g: u32 },
    AmbiguousRate,
    OverSize { rule: String },
    InvalidDestination,
    NoStep,
}

/// A request the shell refused, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    pub field: String,
    pub message_en: String,
    pub message_zh_hk: String,
}
