//! `satchel check-item`: is this S10 item number well formed, and is its check digit right?
//!
//! Merchants type or scan item numbers from pre-printed labels; a mistyped digit must
//! be caught before the item reaches the counter. A wrong number is a finding about the input
//! (exit 1), not a usage error, so scripts can filter a list of numbers with it.

use satchel_core::s10::{ItemNumber, S10Error, ServiceIndicator};
use serde::Serialize;

use crate::{Output, Status};

#[derive(Debug, Serialize)]
struct ItemOut<'a> {
    input: &'a str,
    valid: bool,
    /// Upper-cased, trimmed number, when valid.
    item_number: Option<&'a str>,
    indicator: Option<&'a str>,
    service: Option<ServiceIndicator>,
    serial: Option<&'a str>,
    check_digit: Option<u8>,
    country: Option<&'a str>,
    /// Why it is invalid, when it is (`kind` plus details).
    error: Option<&'a S10Error>,
    message: Option<String>,
}

/// The snake_case name of an indicator kind, as in the JSON (`letter_tracked`).
fn indicator_kind(s: ServiceIndicator) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn check(input: &str, as_json: bool) -> anyhow::Result<Output> {
    let parsed = ItemNumber::parse(input);
    let out = match &parsed {
        Ok(n) => ItemOut {
            input,
            valid: true,
            item_number: Some(n.as_str()),
            indicator: Some(n.indicator()),
            service: Some(n.service()),
            serial: Some(n.serial()),
            check_digit: n.as_str().as_bytes().get(10).map(|b| b - b'0'),
            country: Some(n.country()),
            error: None,
            message: None,
        },
        Err(e) => ItemOut {
            input,
            valid: false,
            item_number: None,
            indicator: None,
            service: None,
            serial: None,
            check_digit: None,
            country: None,
            error: Some(e),
            message: Some(e.to_string()),
        },
    };
    let status = if out.valid {
        Status::Ok
    } else {
        Status::Problems
    };
    if as_json {
        return Ok(Output::new(
            serde_json::to_string_pretty(&out)? + "\n",
            status,
        ));
    }
    let text = match &parsed {
        Ok(n) => format!(
            "{} is a valid S10 item number\n\
             indicator    {} ({})\n\
             serial       {}\n\
             check digit  {}\n\
             country      {}\n",
            n.as_str(),
            n.indicator(),
            indicator_kind(n.service()),
            n.serial(),
            out.check_digit.map(|d| d.to_string()).unwrap_or_default(),
            n.country(),
        ),
        Err(e) => format!("{:?} is not a valid item number: {e}\n", input.trim()),
    };
    Ok(Output::new(text, status))
}
