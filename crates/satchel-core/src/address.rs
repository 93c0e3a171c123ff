//! Address checks that the seed rules imply (domain.md §9.2, §9.3).
//!
//! * The sender (return) address must be in Hong Kong and must not be a Mail
//!   Collection Number address.
//! * A US recipient needs a valid ZIP code or EC-Ship will not make a label. The
//!   Office of Exchange is assigned by EC-Ship from the ZIP: the digit → OE table is
//!   unknown (§13), so this module deliberately has no function that computes it.

use serde::{Deserialize, Serialize};

/// Whether an ISO alpha-2 country field means Hong Kong (`HK`, any case, surrounding spaces).
pub fn is_hong_kong(country: &str) -> bool {
    country.trim().eq_ignore_ascii_case("HK")
}

/// Whether `country` is the United States (`US`). Puerto Rico (`PR`) is not US for customs
/// (R-063 names the US) but is for the parcel size rule, see [`is_us_for_parcel_size`].
/// An assigned ISO 3166-1 alpha-2 code (upper case), e.g. `GB`; `XX` is not one.
pub fn is_country_code(code: &str) -> bool {
    crate::s10::is_issuing_country(code)
}

pub fn is_united_states(country: &str) -> bool {
    country.trim().eq_ignore_ascii_case("US")
}

/// "USA (including Puerto Rico)" has the lower XP length-plus-girth limit.
pub fn is_us_for_parcel_size(country: &str) -> bool {
    is_united_states(country) || country.trim().eq_ignore_ascii_case("PR")
}

/// A well-formed MCN address line, exactly as R-186 prints it: `MCN: 0354 7901 (PLCMC)`.
///
/// Regex (*derived*, §9.3): `^MCN: \d{4} \d{4} \(([A-Z]{3}|[A-Z]{5})\)$`.
pub fn is_mcn_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("MCN: ") else {
        return false;
    };
    let b = rest.as_bytes();
    if b.len() < 12 {
        return false;
    }
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if !(digits(&b[0..4]) && b[4] == b' ' && digits(&b[5..9]) && b[9] == b' ' && b[10] == b'(') {
        return false;
    }
    let inner = &b[11..];
    let Some((&b')', code)) = inner.split_last() else {
        return false;
    };
    matches!(code.len(), 3 | 5) && code.iter().all(u8::is_ascii_uppercase)
}

/// Looser than [`is_mcn_line`], for R-051: any text that carries a Mail Collection Number,
/// i.e. the word `MCN` (any case) followed, after optional `:`/`#`/`.`/spaces, by eight
/// digits that may be split by one space or dash. Catches `mcn 03547901` as well as the
/// printed form, because neither is a proper return address.
pub fn mentions_mcn(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut from = 0;
    while let Some(pos) = upper[from..].find("MCN") {
        let start = from + pos;
        let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let mut i = start + 3;
        while i < bytes.len() && matches!(bytes[i], b':' | b'#' | b'.' | b' ' | b'-') {
            i += 1;
        }
        let mut digits = 0;
        while i < bytes.len() && digits < 8 {
            match bytes[i] {
                b'0'..=b'9' => digits += 1,
                b' ' | b'-' if digits == 4 => {}
                _ => break,
            }
            i += 1;
        }
        if before_ok && digits == 8 {
            return true;
        }
        from = start + 3;
    }
    false
}

/// A US ZIP code, `^\d{5}(?:[ -]\d{4})?$` (§9.2, libaddressinput).
pub fn is_us_zip(zip: &str) -> bool {
    let b = zip.as_bytes();
    let five = |s: &[u8]| s.len() == 5 && s.iter().all(u8::is_ascii_digit);
    match b.len() {
        5 => five(b),
        10 => five(&b[..5]) && matches!(b[5], b' ' | b'-') && b[6..].iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// The ZIP in canonical form (`12345` or `12345-6789`) if the input is one after trimming,
/// or is a bare nine-digit ZIP+4. Used to offer a fix for R-064.
pub fn normalise_us_zip(zip: &str) -> Option<String> {
    let t = zip.trim();
    if is_us_zip(t) {
        return Some(if t.len() == 10 {
            format!("{}-{}", &t[..5], &t[6..])
        } else {
            t.to_owned()
        });
    }
    let digits: String = t.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("{}-{}", &digits[..5], &digits[5..]));
    }
    None
}

/// Where the US Office of Exchange comes from. There is intentionally no variant computed
/// locally: the OE is printed on the label and returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OfficeOfExchange {
    /// Not known until EC-Ship assigns it.
    PendingFromEcShip,
    /// As printed on the label / returned by EC-Ship, e.g. `1-JFK`.
    FromEcShip { indicator: String },
}

impl OfficeOfExchange {
    /// segregation is binary, New York (JFK) versus all other offices.
    pub fn is_new_york(&self) -> Option<bool> {
        match self {
            Self::PendingFromEcShip => None,
            Self::FromEcShip { indicator } => Some(indicator.to_ascii_uppercase().contains("JFK")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::r049_hk("HK", true)]
    #[case::r049_lower_spaced(" hk ", true)]
    #[case::r049_mo("MO", false)]
    #[case::r049_cn("CN", false)]
    #[case::r049_empty("", false)]
    fn r049_hong_kong_country(#[case] c: &str, #[case] hk: bool) {
        assert_eq!(is_hong_kong(c), hk);
    }

    #[rstest]
    #[case::r051_po("MCN: 0354 7901 (PLC)", true)]
    #[case::r051_ipostal("MCN: 0354 7901 (PLCMC)", true)]
    #[case::r051_four_letters("MCN: 0354 7901 (PLCM)", false)]
    #[case::r051_lowercase_code("MCN: 0354 7901 (plcmc)", false)]
    #[case::r051_no_space("MCN: 03547901 (PLCMC)", false)]
    #[case::r051_trailing("MCN: 0354 7901 (PLCMC) x", false)]
    #[case::r051_seven_digits("MCN: 0354 790 (PLCMC)", false)]
    fn r051_strict_mcn_line(#[case] line: &str, #[case] ok: bool) {
        assert_eq!(is_mcn_line(line), ok, "{line}");
    }

    #[rstest]
    #[case::r051_printed("MCN: 0354 7901 (PLCMC)", true)]
    #[case::r051_loose("mcn 03547901", true)]
    #[case::r051_dash("Mcn#0354-7901", true)]
    #[case::r051_in_sentence("c/o MCN: 1234 5678", true)]
    #[case::r051_street("12 Rock Hill Street", false)]
    #[case::r051_word_inside("ACMCN 12345678", false)]
    #[case::r051_short_number("MCN 1234", false)]
    fn r051_mentions_mcn(#[case] text: &str, #[case] hit: bool) {
        assert_eq!(mentions_mcn(text), hit, "{text}");
    }

    #[rstest]
    #[case::r064_five("95014", true)]
    #[case::r064_plus4_dash("22162-1010", true)]
    #[case::r064_plus4_space("22162 1010", true)]
    #[case::r064_four("9501", false)]
    #[case::r064_letters("9501A", false)]
    #[case::r064_bare_nine("221621010", false)]
    #[case::r064_uk("SW1A 1AA", false)]
    #[case::r064_empty("", false)]
    fn r064_us_zip(#[case] zip: &str, #[case] ok: bool) {
        assert_eq!(is_us_zip(zip), ok, "{zip}");
    }

    #[rstest]
    #[case::r064_trim(" 95014 ", Some("95014"))]
    #[case::r064_space_to_dash("22162 1010", Some("22162-1010"))]
    #[case::r064_bare_nine("221621010", Some("22162-1010"))]
    #[case::r064_bad("950", None)]
    fn r064_normalise_zip(#[case] zip: &str, #[case] out: Option<&str>) {
        assert_eq!(normalise_us_zip(zip).as_deref(), out);
    }

    #[test]
    fn r066_oe_segregation_is_jfk_or_not() {
        let jfk = OfficeOfExchange::FromEcShip {
            indicator: "1-JFK".into(),
        };
        let lax = OfficeOfExchange::FromEcShip {
            indicator: "2-LAX".into(),
        };
        assert_eq!(jfk.is_new_york(), Some(true));
        assert_eq!(lax.is_new_york(), Some(false));
        assert_eq!(OfficeOfExchange::PendingFromEcShip.is_new_york(), None);
    }

    #[rstest]
    #[case::r172_us("US", true)]
    #[case::r172_pr("pr", true)]
    #[case::r172_ca("CA", false)]
    fn r172_us_including_puerto_rico(#[case] c: &str, #[case] us: bool) {
        assert_eq!(is_us_for_parcel_size(c), us);
    }
}
