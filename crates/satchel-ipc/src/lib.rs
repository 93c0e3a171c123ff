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
    pub const RATE_FILES: &str = "rate_files";
}

/// Every command takes one argument named `request`; this is its key in the `invoke` payload.
pub const REQUEST_ARG: &str = "request";

/// A problem the UI shows next to a field: structured so it can be matched on and translated,
/// never a bare string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Stable code, e.g. `R-063.us_goods_suspended` or `s10.check_digit`.
    pub code: String,
    /// Rule id from the domain reference (`R-063`), when the problem comes from one.
    pub rule: Option<String>,
    /// Field path, e.g. `customs.lines[0].hs_code`.
    pub field: String,
    pub severity: Severity,
    /// English and Traditional Chinese text, rendered by the engine's catalog.
    pub message_en: String,
    pub message_zh_hk: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

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
