//! UPU S10 item numbers (domain.md §7): the 13-character identifiers printed as the barcode on
//! every tracked item, e.g. `LX123456785HK`.
//!
//! Merchants type or scan these (pre-printed iMail labels, R-047), so a typo must be caught
//! offline, before anything reaches the counter. The check digit is the only integrity check
//! the format has.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Weights applied to the eight serial digits, left to right (UPU S10; domain.md §7).
const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];

/// A well-formed S10 item number whose check digit is correct.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemNumber {
    /// Always 13 ASCII characters, upper case.
    text: String,
}

/// Why a string is not a valid S10 item number. Each variant is something a merchant can fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum S10Error {
    #[error("an item number has 13 characters; this one has {len}")]
    Length { len: usize },
    #[error("the first two characters must be letters (the service indicator)")]
    ServiceIndicator,
    #[error("characters 3 to 11 must be digits (serial number and check digit)")]
    Digits,
    #[error("the last two characters must be letters (the country of the issuing post)")]
    CountryCode,
    #[error("'{country}' is not an ISO country code of an issuing post")]
    UnknownCountry { country: String },
    #[error("check digit is {found} but the serial number {serial} needs {expected}")]
    CheckDigit {
        serial: String,
        found: u8,
        expected: u8,
    },
}

/// What the two-letter service indicator says about the item (UPU S10 table, domain.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceIndicator {
    Parcel,
    Ems,
    ECommerceParcel,
    LetterTracked,
    MBag,
    Ibrs,
    LetterRegistered,
    LetterUntracked,
    LetterInsured,
    Reserved,
    DomesticOrBilateral,
}

/// The check digit for an eight-digit serial number, or `None` if `serial` is not 8 digits.
///
/// `11 - (S mod 11)`, where 10 becomes 0 and 11 becomes 5.
pub fn check_digit(serial: &str) -> Option<u8> {
    let bytes = serial.as_bytes();
    if bytes.len() != 8 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        c => c as u8,
    })
}

impl ItemNumber {
    /// Parses after trimming and upper-casing, so scanner and keyboard input both work.
    pub fn parse(input: &str) -> Result<Self, S10Error> {
        let text: String = input.trim().to_ascii_uppercase();
        let b = text.as_bytes();
        if b.len() != 13 || !text.is_ascii() {
            return Err(S10Error::Length {
                len: text.chars().count(),
            });
        }
        if !b[..2].iter().all(u8::is_ascii_uppercase) {
            return Err(S10Error::ServiceIndicator);
        }
        if !b[2..11].iter().all(u8::is_ascii_digit) {
            return Err(S10Error::Digits);
        }
        if !b[11..].iter().all(u8::is_ascii_uppercase) {
            return Err(S10Error::CountryCode);
        }
        let country = &text[11..];
        if !is_issuing_country(country) {
            return Err(S10Error::UnknownCountry {
                country: country.to_owned(),
            });
        }
        let serial = &text[2..10];
        let found = b[10] - b'0';
        let expected = check_digit(serial).expect("eight digits checked above");
        if found != expected {
            return Err(S10Error::CheckDigit {
                serial: serial.to_owned(),
                found,
                expected,
            });
        }
        Ok(Self { text })
    }

    /// Builds an item number from its parts, computing the check digit.
    pub fn from_parts(indicator: &str, serial: u32, country: &str) -> Result<Self, S10Error> {
        if serial > 99_999_999 {
            return Err(S10Error::Digits);
        }
        let serial = format!("{serial:08}");
        let digit = check_digit(&serial).expect("eight digits by construction");
        Self::parse(&format!("{indicator}{serial}{digit}{country}"))
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn indicator(&self) -> &str {
        &self.text[..2]
    }

    pub fn serial(&self) -> &str {
        &self.text[2..10]
    }

    pub fn country(&self) -> &str {
        &self.text[11..]
    }

    /// The kind of mail the indicator's first letter denotes.
    pub fn service(&self) -> ServiceIndicator {
        let b = self.text.as_bytes();
        match (b[0], b[1]) {
            (b'C', _) => ServiceIndicator::Parcel,
            (b'E', _) => ServiceIndicator::Ems,
            (b'H', _) => ServiceIndicator::ECommerceParcel,
            (b'L', _) => ServiceIndicator::LetterTracked,
            (b'M', _) => ServiceIndicator::MBag,
            (b'Q', b'A'..=b'M') => ServiceIndicator::Ibrs,
            (b'R', _) => ServiceIndicator::LetterRegistered,
            (b'U', _) => ServiceIndicator::LetterUntracked,
            (b'V', _) => ServiceIndicator::LetterInsured,
            (b'J' | b'K', _) => ServiceIndicator::Reserved,
            _ => ServiceIndicator::DomesticOrBilateral,
        }
    }
}

impl fmt::Display for ItemNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for ItemNumber {
    type Err = S10Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ItemNumber {
    type Error = S10Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ItemNumber> for String {
    fn from(n: ItemNumber) -> Self {
        n.text
    }
}

/// ISO 3166-1 alpha-2 codes that a post can issue S10 numbers under. `XX` and other unassigned
/// codes are rejected (domain.md §7 vector `RB123456785XX`).
pub(crate) fn is_issuing_country(code: &str) -> bool {
    ISO_ALPHA2.split(' ').any(|c| c == code)
}

const ISO_ALPHA2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH \
BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY \
CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP \
GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM \
KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR \
MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS \
PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD \
TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA \
ZM ZW";

#[cfg(test)]
mod tests {
    use super::*;

    /// domain.md §7 test vectors, verbatim.
    #[rstest::rstest]
    #[case("RB123456785GB")]
    #[case("RB123456785US")]
    #[case("RB123456785CV")]
    #[case("RB123456785CF")]
    #[case("EE123456785HK")]
    #[case("LX123456785HK")]
    #[case("KK981387689HK")]
    #[case(" lx123456785hk ")]
    fn valid_vectors(#[case] input: &str) {
        let n = ItemNumber::parse(input).unwrap();
        assert_eq!(n.as_str(), input.trim().to_ascii_uppercase());
    }

    #[rstest::rstest]
    #[case("RB123456786US", S10Error::CheckDigit { serial: "12345678".into(), found: 6, expected: 5 })]
    #[case("RB123456789HK", S10Error::CheckDigit { serial: "12345678".into(), found: 9, expected: 5 })]
    #[case("RB123456785XX", S10Error::UnknownCountry { country: "XX".into() })]
    #[case("RB12345678HK", S10Error::Length { len: 12 })]
    #[case("1B123456785HK", S10Error::ServiceIndicator)]
    #[case("RB1234A6785HK", S10Error::Digits)]
    #[case("RB12345678511", S10Error::CountryCode)]
    fn invalid_vectors(#[case] input: &str, #[case] err: S10Error) {
        assert_eq!(ItemNumber::parse(input), Err(err));
    }

    #[rstest::rstest]
    #[case("12345678", 5)] // S = 204
    #[case("47312482", 9)] // S = 200, Wikipedia worked example
    #[case("10000014", 0)] // S mod 11 = 1, C = 10 -> 0
    #[case("20000004", 5)] // S mod 11 = 0, C = 11 -> 5
    #[case("00000000", 5)]
    fn check_digit_vectors(#[case] serial: &str, #[case] digit: u8) {
        assert_eq!(check_digit(serial), Some(digit));
    }

    #[test]
    fn check_digit_rejects_non_serials() {
        assert_eq!(check_digit("1234567"), None);
        assert_eq!(check_digit("1234567a"), None);
    }

    #[test]
    fn parts_and_indicator() {
        let n = ItemNumber::from_parts("LX", 12_345_678, "HK").unwrap();
        assert_eq!(n.as_str(), "LX123456785HK");
        assert_eq!(
            (n.indicator(), n.serial(), n.country()),
            ("LX", "12345678", "HK")
        );
        assert_eq!(n.service(), ServiceIndicator::LetterTracked);
        assert_eq!(
            ItemNumber::parse("EE123456785HK").unwrap().service(),
            ServiceIndicator::Ems
        );
        assert_eq!(
            ItemNumber::parse("KK981387689HK").unwrap().service(),
            ServiceIndicator::Reserved
        );
    }

    proptest::proptest! {
        /// Every serial gets a digit that makes it parse, and any other digit is rejected.
        #[test]
        fn any_serial_round_trips(serial in 0u32..=99_999_999, wrong in 0u8..=9) {
            let n = ItemNumber::from_parts("RR", serial, "HK").unwrap();
            proptest::prop_assert_eq!(ItemNumber::parse(n.as_str()).unwrap(), n.clone());
            let right = n.as_str().as_bytes()[10] - b'0';
            if wrong != right {
                let mut bad = n.as_str().to_owned();
                bad.replace_range(10..11, &wrong.to_string());
                let rejected = matches!(ItemNumber::parse(&bad), Err(S10Error::CheckDigit { .. }));
                proptest::prop_assert!(rejected);
            }
        }
    }
}
