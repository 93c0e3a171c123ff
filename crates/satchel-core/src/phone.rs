//! Hong Kong mobile numbers (domain.md §9.1), for the EU/CH/NO e-customs rule that the sender
//! gives a local mobile number able to receive Hongkong Post's SMS.
//!
//! Two checks, because neither alone is right:
//!
//! * **Lenient** ([`normalise_hk`], [`lenient_hk_mobile`]): after dropping `+852`, spaces,
//!   dashes, dots and brackets, the number must be eight digits starting 4–9
//!   (`^[4-9]\d{7}$`). This is what the merchant must fix before the item can go.
//! * **Strict** ([`strict_hk_kind`]): the number's type in Google's libphonenumber metadata,
//!   through the pure-Rust [`phonenumber`] crate (0.3.10, metadata 9.0.33). It builds for
//!   `wasm32-unknown-unknown` (checked with `cargo check --target wasm32-unknown-unknown`),
//!   so the same answer is given in the desktop shell and in the browser UI.
//!
//! The strict answer only ever produces warnings in the rules engine, except a fixed line,
//! which can never receive an SMS: which ranges HKP's SMS gateway accepts is unknown (§13),
//! and the metadata lags the regulator. The 9.0.33 metadata bundled with the crate lacks two
//! blocks that 9.0.43 (the version quoted in §9.1) knows as mobile: `406[0-3]xxxx` and
//! `710[1-4]xxxx`. Numbers there get a "not in a known mobile range" warning until the crate
//! is updated; the lenient check still accepts them.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use serde::{Deserialize, Serialize};

/// What libphonenumber says an eight-digit Hong Kong number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HkNumberKind {
    Mobile,
    /// 7x blocks: pagers cannot receive SMS.
    Pager,
    /// 81x–83x "personal numbers", routed to some other line.
    PersonalNumber,
    /// 2x, 3x and 58x: fixed lines.
    FixedLine,
    /// Toll free, premium, VoIP, UAN and other non-mobile types.
    OtherService,
    /// Not in any range the metadata knows (unallocated, or newer than the metadata).
    Unknown,
}

/// Outcome of the lenient check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Lenient {
    /// Eight digits starting 4–9; `national` is the normalised form, e.g. `51234567`.
    Plausible { national: String },
    /// Nothing was entered.
    Missing,
    /// Not an eight-digit HK number starting 4–9 after normalisation.
    NotHkMobile,
}

/// Strips `+852` / `852` / `00852`, spaces, dashes, dots and brackets. Returns the remaining
/// digits (any length) or `None` if something other than digits and those separators is left.
pub fn normalise_hk(input: &str) -> Option<String> {
    let mut s = input.trim();
    if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    }
    let mut digits = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return None,
        }
    }
    let national = if digits.len() == 13 && digits.starts_with("00852") {
        digits[5..].to_owned()
    } else if digits.len() == 11 && digits.starts_with("852") {
        digits[3..].to_owned()
    } else {
        digits
    };
    Some(national)
}

/// The lenient R-071 check: `^[4-9]\d{7}$` after [`normalise_hk`].
pub fn lenient_hk_mobile(input: &str) -> Lenient {
    if input.trim().is_empty() {
        return Lenient::Missing;
    }
    match normalise_hk(input) {
        Some(n) if n.len() == 8 && matches!(n.as_bytes()[0], b'4'..=b'9') => {
            Lenient::Plausible { national: n }
        }
        _ => Lenient::NotHkMobile,
    }
}

/// The strict check: what libphonenumber's HK metadata says `national` (eight digits) is.
pub fn strict_hk_kind(national: &str) -> HkNumberKind {
    if national.len() != 8 || !national.bytes().all(|b| b.is_ascii_digit()) {
        return HkNumberKind::Unknown;
    }
    let Ok(number) = phonenumber::parse(Some(Id::HK), national) else {
        return HkNumberKind::Unknown;
    };
    if !number.is_valid() {
        return HkNumberKind::Unknown;
    }
    use phonenumber::Type;
    match number.number_type(&DATABASE) {
        Type::Mobile => HkNumberKind::Mobile,
        Type::Pager => HkNumberKind::Pager,
        Type::PersonalNumber => HkNumberKind::PersonalNumber,
        Type::FixedLine | Type::FixedLineOrMobile => HkNumberKind::FixedLine,
        Type::Unknown => HkNumberKind::Unknown,
        _ => HkNumberKind::OtherService,
    }
}

/// `+852 5123 4567` for display, from an eight-digit national number.
pub fn format_hk(national: &str) -> String {
    if national.len() == 8 && national.is_ascii() {
        format!("+852 {} {}", &national[..4], &national[4..])
    } else {
        national.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    // domain.md §9.1 vector table (libphonenumber 9.0.43); every row names R-071.
    #[rstest]
    #[case::r071_mobile_5x("51234567", HkNumberKind::Mobile)]
    #[case::r071_mobile_6x("61234567", HkNumberKind::Mobile)]
    #[case::r071_mobile_9x("91234567", HkNumberKind::Mobile)]
    #[case::r071_mobile_444("44412345", HkNumberKind::Mobile)]
    #[case::r071_mobile_461("46112345", HkNumberKind::Mobile)]
    #[case::r071_mobile_470("47012345", HkNumberKind::Mobile)]
    #[case::r071_mobile_707("70712345", HkNumberKind::Mobile)]
    #[case::r071_mobile_701("70112345", HkNumberKind::Mobile)]
    #[case::r071_mobile_840("84012345", HkNumberKind::Mobile)]
    #[case::r071_mobile_844("84412345", HkNumberKind::Mobile)]
    #[case::r071_mobile_595("59512345", HkNumberKind::Mobile)]
    #[case::r071_mobile_987("98765432", HkNumberKind::Mobile)]
    #[case::r071_invalid_712("71234567", HkNumberKind::Unknown)]
    #[case::r071_invalid_401("40123456", HkNumberKind::Unknown)]
    #[case::r071_personal_812("81234567", HkNumberKind::PersonalNumber)]
    #[case::r071_fixed_2x("21234567", HkNumberKind::FixedLine)]
    #[case::r071_fixed_3x("31234567", HkNumberKind::FixedLine)]
    #[case::r071_pager_example("71123456", HkNumberKind::Pager)]
    fn strict_kind_matches_section_9_1_vectors(#[case] n: &str, #[case] kind: HkNumberKind) {
        assert_eq!(strict_hk_kind(n), kind, "{n}");
    }

    // §9.1: 90012345 and 55512345 do not match the 9.0.43 mobile regex.
    #[rstest]
    #[case::r071_900("90012345")]
    #[case::r071_555("55512345")]
    fn strict_rejects_numbers_outside_the_mobile_regex(#[case] n: &str) {
        assert_ne!(strict_hk_kind(n), HkNumberKind::Mobile, "{n}");
    }

    #[rstest]
    #[case::r071_plain("51234567", Some("51234567"))]
    #[case::r071_plus852_spaced("+852 5123 4567", Some("51234567"))]
    #[case::r071_852_dashed("852-5123-4567", Some("51234567"))]
    #[case::r071_00852("00852 51234567", Some("51234567"))]
    #[case::r071_brackets("(852) 5123.4567", Some("51234567"))]
    #[case::r071_letters("5123 45A7", None)]
    fn normalises_common_spellings(#[case] input: &str, #[case] out: Option<&str>) {
        assert_eq!(normalise_hk(input).as_deref(), out);
    }

    #[rstest]
    #[case::r071_ok("+852 9123 4567", true)]
    #[case::r071_pager_passes_lenient("7123 4567", true)]
    #[case::r071_fixed_fails("2123 4567", false)]
    #[case::r071_short("5123456", false)]
    #[case::r071_long("512345678", false)]
    #[case::r071_foreign("+44 7700 900123", false)]
    fn lenient_accepts_4_to_9_eight_digits(#[case] input: &str, #[case] ok: bool) {
        assert_eq!(
            matches!(lenient_hk_mobile(input), Lenient::Plausible { .. }),
            ok,
            "{input}"
        );
    }

    #[test]
    fn r071_empty_is_missing() {
        assert_eq!(lenient_hk_mobile("  "), Lenient::Missing);
    }

    #[test]
    fn r071_formats_for_display() {
        assert_eq!(format_hk("51234567"), "+852 5123 4567");
    }
}
