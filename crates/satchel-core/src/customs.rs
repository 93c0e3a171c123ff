//! Customs declarations (domain.md §8): CN22 versus CN23, HS codes, description quality and
//! the EU / Switzerland / Norway (ICS2) character rule.
//!
//! These are the building blocks; [`crate::validate`] turns them into problems with rule ids.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::model::Hkd;
use crate::service::Service;

// ---------------------------------------------------------------------------------------------
// CN22 / CN23
// ---------------------------------------------------------------------------------------------

/// The customs form an item needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomsForm {
    Cn22,
    Cn23,
}

/// Value thresholds that pick the form (§8.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomsThresholds {
    /// Speedpost: content value **over** this needs a CN23 (Pos 401C) as well as the upper part
    /// of a CN22. HK$3,000 (002; High).
    pub speedpost_cn23_over_hkd: Hkd,
    /// Other services: the UPU switch is 300 SDR, but the HK$ amount HKP uses is unknown
    /// (§8.1, §13). `None` (the default) means "not known": [`required_form`] then answers
    /// `None` for non-Speedpost items instead of guessing. Set it when HKP publishes a figure.
    pub cn22_max_hkd: Option<Hkd>,
}

impl Default for CustomsThresholds {
    fn default() -> Self {
        Self {
            speedpost_cn23_over_hkd: Decimal::from(3000),
            cn22_max_hkd: None,
        }
    }
}

/// The form an international item needs for a declared total of `total_hkd`, or `None` when
/// that cannot be decided offline (non-Speedpost service and no configured 300 SDR figure) or
/// the service is local (no customs).
pub fn required_form(
    service: Service,
    total_hkd: Hkd,
    t: &CustomsThresholds,
) -> Option<CustomsForm> {
    if service.is_local() {
        return None;
    }
    let over = |limit: Hkd| {
        if total_hkd > limit {
            CustomsForm::Cn23
        } else {
            CustomsForm::Cn22
        }
    };
    match service {
        Service::Speedpost => Some(over(t.speedpost_cn23_over_hkd)),
        _ => t.cn22_max_hkd.map(over),
    }
}

// ---------------------------------------------------------------------------------------------
// HS codes (§8.2)
// ---------------------------------------------------------------------------------------------

/// Shortest and longest HS code accepted (HS6 up to national 10-digit codes; §8.2, Medium).
pub const HS_MIN_DIGITS: usize = 6;
pub const HS_MAX_DIGITS: usize = 10;
/// Speedpost merchandise and samples need exactly this many digits.
pub const HS_SPEEDPOST_DIGITS: usize = 8;

/// Whether `code` is digits only, 6 to 10 of them.
pub fn is_valid_hs_code(code: &str) -> bool {
    (HS_MIN_DIGITS..=HS_MAX_DIGITS).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_digit())
}

/// `9503.00.90` or `9503 0090` → `95030090`: the digits, if only digits and the usual
/// separators (`.`, space, `-`) were typed. Offered as the fix for R-074.
pub fn hs_code_digits(code: &str) -> Option<String> {
    let mut out = String::new();
    for c in code.trim().chars() {
        match c {
            '0'..='9' => out.push(c),
            '.' | ' ' | '-' => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

// ---------------------------------------------------------------------------------------------
// Descriptions
// ---------------------------------------------------------------------------------------------

/// Words that say nothing about the goods (R-077 names "sample" and "merchandise"; §8.2 adds
/// "gift" and "parts"; HKP's HKHS page gives "Garment" as the bad example). Singular forms;
/// a trailing `s` is ignored.
pub const VAGUE_WORDS: &[&str] = &[
    "gift",
    "part",
    "sample",
    "merchandise",
    "good",
    "item",
    "product",
    "thing",
    "stuff",
    "commodity",
    "garment",
    "present",
];

/// Filler that does not make a vague description specific ("some free samples").
const FILLER_WORDS: &[&str] = &[
    "a", "an", "the", "of", "some", "for", "and", "misc", "various", "assorted", "free", "general",
];

/// Whether a description is too vague for customs: every meaningful word in it is a
/// [`VAGUE_WORDS`] entry ("Gift", "Parts", "free samples", "Merchandise"), or it has fewer
/// than three letters. "Men's cotton shirt" or "Birthday gift: teddy bear" are not vague.
pub fn is_vague_description(description: &str) -> bool {
    let letters = description.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 3 {
        return true;
    }
    let mut meaningful = 0;
    for word in description
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let w = word.to_lowercase();
        if FILLER_WORDS.contains(&w.as_str()) {
            continue;
        }
        let singular = w.strip_suffix('s').filter(|s| !s.is_empty()).unwrap_or(&w);
        if !(VAGUE_WORDS.contains(&w.as_str()) || VAGUE_WORDS.contains(&singular)) {
            return false;
        }
        meaningful += 1;
    }
    meaningful > 0
}

// ---------------------------------------------------------------------------------------------
// EU / CH / NO e-customs (ICS2; §8.3, R-068, R-069)
// ---------------------------------------------------------------------------------------------

/// EU27 (ISO alpha-2; Greece is `GR`), Switzerland and Norway, plus the HKP pseudo-codes and
/// ISO codes for parts of the EU customs territory that the rate files list separately:
/// `AX` Åland, `XA` Canary Islands, `XF` Corsica, `XH` Azores, `XI` Madeira, `XJ` Balearic
/// Islands (§5.4 item 5). Transit via these countries cannot be known offline (display only).
pub const ICS2_COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", // EU27
    "CH", "NO", // Switzerland, Norway
    "AX", "XA", "XF", "XH", "XI", "XJ", // parts of the EU customs territory
];

/// Whether items to `country` fall under the EU/CH/NO pre-departure e-customs rules.
pub fn is_ics2_destination(country: &str) -> bool {
    let c = country.trim().to_ascii_uppercase();
    ICS2_COUNTRIES.contains(&c.as_str())
}

/// Whether `text` uses only English letters, digits and spaces: `^[A-Za-z0-9 ]*$`.
pub fn is_ics2_plain(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ')
}

/// Chinese (Han) characters, which must be translated by the merchant, not stripped silently.
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x3134F)
}

/// Whether `text` has any Chinese characters (R-069 fix message; R-088 parcels).
pub fn has_han(text: &str) -> bool {
    text.chars().any(is_han)
}

/// The result of [`ics2_clean`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ics2Clean {
    /// Letters, digits and single spaces only; trimmed. May be empty.
    pub text: String,
    /// Chinese characters were removed: the merchant must write the English themselves.
    pub removed_chinese: bool,
    /// Other non-English letters (é, ü, ...) were removed (nothing is transliterated).
    pub removed_other_letters: bool,
}

/// Makes `text` pass [`is_ics2_plain`] without transliterating anything: apostrophes, full
/// stops and a slash after a digit are dropped (`Men's` → `Mens`, `3/F` → `3F`), every other
/// punctuation or whitespace character becomes a space (`repair/return` → `repair return`),
/// non-ASCII letters (Chinese included) are dropped, and runs of spaces collapse to one.
/// Idempotent.
pub fn ics2_clean(text: &str) -> Ics2Clean {
    let mut raw = String::with_capacity(text.len());
    let mut removed_chinese = false;
    let mut removed_other_letters = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            raw.push(c);
        } else if matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '.')
            || (c == '/' && raw.ends_with(|p: char| p.is_ascii_digit()))
        {
            // dropped without a gap: "Men's" -> "Mens", "3/F" -> "3F"
        } else if is_han(c) {
            removed_chinese = true;
        } else if c.is_alphanumeric() {
            removed_other_letters = true;
        } else {
            raw.push(' ');
        }
    }
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    Ics2Clean {
        text,
        removed_chinese,
        removed_other_letters,
    }
}

/// Chinese characters are allowed in parcel declarations only to Macao, the Mainland and
/// Taiwan.
pub fn chinese_allowed_in_parcel_declaration(country: &str) -> bool {
    matches!(
        country.trim().to_ascii_uppercase().as_str(),
        "MO" | "CN" | "TW"
    )
}

/// An ISO-style alpha-2 code: two ASCII capital letters (R-081 origin; not a list check).
pub fn is_alpha2(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// An ISO 4217-style currency code: three ASCII capital letters.
pub fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::LetterFormat;
    use proptest::prelude::*;
    use rstest::rstest;
    use rust_decimal_macros::dec;

    #[rstest]
    #[case::r082_speedpost_at_3000(Service::Speedpost, dec!(3000), Some(CustomsForm::Cn22))]
    #[case::r082_speedpost_over_3000(Service::Speedpost, dec!(3000.01), Some(CustomsForm::Cn23))]
    #[case::r038_other_unknown_sdr(Service::AirParcel, dec!(99999), None)]
    #[case::r038_local_none(Service::LocalParcel, dec!(10), None)]
    fn r082_required_form_default_thresholds(
        #[case] s: Service,
        #[case] v: Hkd,
        #[case] form: Option<CustomsForm>,
    ) {
        assert_eq!(required_form(s, v, &CustomsThresholds::default()), form);
    }

    #[rstest]
    #[case::r038_under(dec!(2500), Some(CustomsForm::Cn22))]
    #[case::r038_over(dec!(2500.01), Some(CustomsForm::Cn23))]
    fn r038_configured_sdr_threshold(#[case] v: Hkd, #[case] form: Option<CustomsForm>) {
        let t = CustomsThresholds {
            cn22_max_hkd: Some(dec!(2500)),
            ..Default::default()
        };
        let s = Service::AirRegistered(LetterFormat::Packet);
        assert_eq!(required_form(s, v, &t), form);
    }

    #[rstest]
    #[case::r074_hs6("950300", true)]
    #[case::r074_hs8("95030090", true)]
    #[case::r074_hs10("9503009000", true)]
    #[case::r074_five("95030", false)]
    #[case::r074_eleven("95030090001", false)]
    #[case::r074_dots("9503.00.90", false)]
    #[case::r074_letter("9503009A", false)]
    #[case::r074_empty("", false)]
    fn r074_hs_code_format(#[case] code: &str, #[case] ok: bool) {
        assert_eq!(is_valid_hs_code(code), ok, "{code}");
    }

    #[rstest]
    #[case::r074_dots("9503.00.90", Some("95030090"))]
    #[case::r074_spaces(" 9503 0090 ", Some("95030090"))]
    #[case::r074_letters("HS9503", None)]
    #[case::r074_blank("  ", None)]
    fn r074_hs_code_digits(#[case] code: &str, #[case] out: Option<&str>) {
        assert_eq!(hs_code_digits(code).as_deref(), out);
    }

    #[rstest]
    #[case::r077_gift("Gift", true)]
    #[case::r077_gifts("gifts", true)]
    #[case::r077_parts("Parts", true)]
    #[case::r077_sample("sample", true)]
    #[case::r077_free_samples("Free samples", true)]
    #[case::r077_merchandise("MERCHANDISE", true)]
    #[case::r077_garment("Garment", true)]
    #[case::r077_too_short("x", true)]
    #[case::r077_shirt("Men's cotton shirt", false)]
    #[case::r077_gift_with_detail("Birthday gift: teddy bear", false)]
    #[case::r077_parts_with_detail("Bicycle brake parts", false)]
    #[case::r077_glass("glass", false)]
    fn r077_vague_descriptions(#[case] d: &str, #[case] vague: bool) {
        assert_eq!(is_vague_description(d), vague, "{d}");
    }

    #[rstest]
    #[case::r068_de("DE", true)]
    #[case::r068_gr("gr", true)]
    #[case::r068_ch("CH", true)]
    #[case::r068_no("NO", true)]
    #[case::r068_canaries("XA", true)]
    #[case::r068_gb("GB", false)]
    #[case::r068_us("US", false)]
    #[case::r068_hk("HK", false)]
    fn r068_ics2_destinations(#[case] c: &str, #[case] yes: bool) {
        assert_eq!(is_ics2_destination(c), yes, "{c}");
    }

    #[test]
    fn r068_eu27_plus_ch_no_are_all_listed() {
        // 27 + 2 + 6 territories, no duplicates.
        let mut v = ICS2_COUNTRIES.to_vec();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), 35);
    }

    #[rstest]
    #[case::r069_apostrophe("Men's cotton shirt", "Mens cotton shirt", false)]
    #[case::r069_floor("Flat A, 3/F, 12 Rock Hill St.", "Flat A 3F 12 Rock Hill St", false)]
    #[case::r069_hyphen("Wan-Chai  road", "Wan Chai road", false)]
    #[case::r069_chinese("香港 Central 中環", "Central", true)]
    #[case::r069_only_chinese("手袋", "", true)]
    #[case::r069_plain("Cotton shirt 2", "Cotton shirt 2", false)]
    #[case::r069_slash_between_words("repair/return", "repair return", false)]
    fn r069_cleaning(#[case] input: &str, #[case] out: &str, #[case] chinese: bool) {
        let c = ics2_clean(input);
        assert_eq!(c.text, out);
        assert_eq!(c.removed_chinese, chinese);
        assert!(is_ics2_plain(&c.text));
    }

    #[test]
    fn r069_accents_are_dropped_not_transliterated() {
        let c = ics2_clean("Café Zürich");
        assert_eq!(c.text, "Caf Zrich");
        assert!(c.removed_other_letters);
        assert!(!c.removed_chinese);
    }

    #[rstest]
    #[case::r069_plain("Abc 123", true)]
    #[case::r069_comma("Abc, 123", false)]
    #[case::r069_tab("Abc\t123", false)]
    #[case::r069_accent("Café", false)]
    fn r069_plain_check(#[case] t: &str, #[case] ok: bool) {
        assert_eq!(is_ics2_plain(t), ok);
    }

    #[rstest]
    #[case::r088_mo("MO", true)]
    #[case::r088_cn("CN", true)]
    #[case::r088_tw("TW", true)]
    #[case::r088_sg("SG", false)]
    fn r088_chinese_allowed(#[case] c: &str, #[case] ok: bool) {
        assert_eq!(chinese_allowed_in_parcel_declaration(c), ok);
    }

    proptest! {
        // cleaning is idempotent and its output always passes the check.
        #[test]
        fn r069_clean_is_idempotent_and_plain(s in "\\PC{0,40}") {
            let once = ics2_clean(&s).text;
            prop_assert!(is_ics2_plain(&once));
            prop_assert_eq!(ics2_clean(&once).text, once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }

        // text that already passes keeps all its letters and digits.
        #[test]
        fn r069_clean_keeps_plain_words(s in "[A-Za-z0-9]{1,8}( [A-Za-z0-9]{1,8}){0,4}") {
            prop_assert_eq!(ics2_clean(&s).text, s);
        }

        // every 6–10 digit string is accepted; anything with a non-digit is not.
        #[test]
        fn r074_digit_strings(s in "[0-9]{6,10}", junk in "[^0-9]") {
            prop_assert!(is_valid_hs_code(&s));
            let bad = format!("{s}{junk}");
            prop_assert!(!is_valid_hs_code(&bad));
        }
    }
}
