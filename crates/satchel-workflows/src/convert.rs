//! Conversions between the domain and store types and the IPC DTOs that more than one
//! command module needs: addresses, problems, money and dates.
//!
//! Kept in one place so an address or a problem looks the same on every screen.

use chrono::{DateTime, NaiveDate};
use rust_decimal::Decimal;
use satchel_core::model::Party;
use satchel_core::validate::Problem;
use satchel_ipc::{PartyDto, ProblemDto};
use satchel_store::StoredProblem;

pub fn party(p: PartyDto) -> Party {
    Party {
        name: p.name,
        company: p.company,
        lines: p.lines,
        city: p.city,
        state: p.state,
        postcode: p.postcode,
        country: p.country,
        phone: p.phone,
        email: p.email,
    }
}

pub fn party_dto(p: &Party) -> PartyDto {
    PartyDto {
        name: p.name.clone(),
        company: p.company.clone(),
        lines: p.lines.clone(),
        city: p.city.clone(),
        state: p.state.clone(),
        postcode: p.postcode.clone(),
        country: p.country.clone(),
        phone: p.phone.clone(),
        email: p.email.clone(),
    }
}

/// A rules-engine problem, worded in both languages now (the UI has no message catalog).
pub fn problem(p: &Problem) -> ProblemDto {
    stored_problem(&StoredProblem::from(p))
}

pub fn stored_problem(p: &StoredProblem) -> ProblemDto {
    ProblemDto {
        code: p.code.clone(),
        rule: p.rule.clone(),
        field: p.field.clone(),
        error: p.error,
        message_en: p.message_en.clone(),
        message_zh_hk: p.message_zh_hk.clone(),
    }
}

/// HK$ with at least two decimals ("39.80"); extra digits (iMail estimates) are kept.
pub fn money(amount: Decimal) -> String {
    let mut a = amount;
    if a.scale() < 2 {
        a.rescale(2);
    }
    a.to_string()
}

pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A stored time (ms since the epoch) as Hong Kong local time, the merchant's clock.
pub fn hk_time(ms: i64) -> String {
    let hk = crate::clock::hong_kong();
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&hk).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_always_shows_cents() {
        assert_eq!(money("39.8".parse().unwrap()), "39.80");
        assert_eq!(money("84.869".parse().unwrap()), "84.869");
    }

    #[test]
    fn times_are_shown_in_hong_kong() {
        // 2026-01-01 16:30 UTC is half past midnight on the 2nd in Hong Kong.
        assert_eq!(hk_time(1_767_285_000_000), "2026-01-02 00:30");
    }
}
