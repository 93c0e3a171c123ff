//! Item-number checks: the first screen, and the path every later command follows.

use satchel_core::s10::{ItemNumber, S10Error, ServiceIndicator};
use satchel_ipc::{ItemCheck, ItemProblem};

/// The command's body, free of Tauri so it is unit-tested directly.
pub fn check(input: &str) -> ItemCheck {
    match ItemNumber::parse(input) {
        Ok(n) => ItemCheck::Valid {
            number: n.to_string(),
            indicator: n.indicator().to_owned(),
            serial: n.serial().to_owned(),
            country: n.country().to_owned(),
            kind: kind_key(n.service()).to_owned(),
        },
        Err(e) => ItemCheck::Invalid {
            problem: problem(e),
        },
    }
}

fn problem(e: S10Error) -> ItemProblem {
    match e {
        S10Error::Length { len } => ItemProblem::Length { len },
        S10Error::ServiceIndicator => ItemProblem::ServiceIndicator,
        S10Error::Digits => ItemProblem::Digits,
        S10Error::CountryCode => ItemProblem::CountryCode,
        S10Error::UnknownCountry { country } => ItemProblem::UnknownCountry { country },
        S10Error::CheckDigit {
            found, expected, ..
        } => ItemProblem::CheckDigit { found, expected },
    }
}

fn kind_key(s: ServiceIndicator) -> &'static str {
    match s {
        ServiceIndicator::Parcel => "parcel",
        ServiceIndicator::Ems => "ems",
        ServiceIndicator::ECommerceParcel => "e_commerce_parcel",
        ServiceIndicator::LetterTracked => "letter_tracked",
        ServiceIndicator::MBag => "m_bag",
        ServiceIndicator::Ibrs => "ibrs",
        ServiceIndicator::LetterRegistered => "letter_registered",
        ServiceIndicator::LetterUntracked => "letter_untracked",
        ServiceIndicator::LetterInsured => "letter_insured",
        ServiceIndicator::Reserved => "reserved",
        ServiceIndicator::DomesticOrBilateral => "domestic",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_number_is_split_into_parts() {
        assert_eq!(
            check(" lx123456785hk"),
            ItemCheck::Valid {
                number: "LX123456785HK".into(),
                indicator: "LX".into(),
                serial: "12345678".into(),
                country: "HK".into(),
                kind: "letter_tracked".into(),
            }
        );
    }

    #[test]
    fn wrong_check_digit_names_the_expected_digit() {
        assert_eq!(
            check("RB123456786US"),
            ItemCheck::Invalid {
                problem: ItemProblem::CheckDigit {
                    found: 6,
                    expected: 5
                }
            }
        );
    }
}
