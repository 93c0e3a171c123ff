//! Optional insurance premiums per service (domain.md §6), offline.
//!
//! The sources disagree or are silent in places, so a premium is not always a number: the
//! result says whether it is known, a range from conflicting sources (e-Express+, C-02),
//! unknown (Speedpost up to HK$1,500), or not offered (Registered Mail, R-116). We never fill
//! an unknown with a guess. Live premiums come from the API (`insurancePremiumFee`).

use rust_decimal::Decimal;
use serde::Serialize;
use thiserror::Error;

use crate::model::Hkd;
use crate::service::Service;

/// The premium for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Premium {
    Known {
        amount: Hkd,
    },
    /// Sources conflict; show as "HK$9–11, unconfirmed" (C-02).
    Unconfirmed {
        min: Hkd,
        max: Hkd,
    },
    /// No public source gives the premium.
    Unknown {
        reason: &'static str,
    },
    /// The service has no insurance option.
    NotOffered {
        reason: &'static str,
    },
}

/// A premium with its cover limit and warnings to show the merchant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InsuranceQuote {
    pub service: Service,
    pub insured: Hkd,
    pub premium: Premium,
    /// Highest sum that can be insured, where known.
    pub max_cover: Option<Hkd>,
    /// The rule ids behind the figures, for help text.
    pub rules: &'static str,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InsuranceError {
    #[error("the insured amount must be more than zero (got HK${0})")]
    NotPositive(Hkd),
    /// never insure for more than the contents are worth.
    #[error("insured amount HK${insured} exceeds the declared value HK${declared} (R-115, R-136)")]
    ExceedsDeclaredValue { insured: Hkd, declared: Hkd },
    #[error("insured amount HK${insured} exceeds the maximum cover of HK${max}")]
    ExceedsMaxCover { insured: Hkd, max: Hkd },
}

/// Speedpost Insurance premiums (§6, table effective 1 Apr 2022): (sum insured up to, premium).
/// Each band is "over the previous bound, up to and including this one".
const SPEEDPOST_TABLE: [(u32, u32); 7] = [
    (2500, 30),
    (5000, 48),
    (10000, 83),
    (20000, 125),
    (30000, 180),
    (40000, 215),
    (50000, 240),
];

/// C-02: union of the destinations excluded by 002 (MX, ZA; R-112) and 001 (BR, IL, LB, RU,
/// ZA, TR, VN; R-113).
pub const E_EXPRESS_EXCLUDED: [&str; 8] = ["BR", "IL", "LB", "MX", "RU", "TR", "VN", "ZA"];

/// The premium to insure one item for `insured` HK$ with `service` to `country`, whose
/// declared contents are worth `declared_value` HK$.
pub fn premium(
    service: Service,
    country: &str,
    insured: Hkd,
    declared_value: Hkd,
) -> Result<InsuranceQuote, InsuranceError> {
    let quote = |premium, max_cover, rules| InsuranceQuote {
        service,
        insured,
        premium,
        max_cover,
        rules,
        warnings: Vec::new(),
    };
    let not_offered = match service {
        Service::AirRegistered(_) | Service::SurfaceRegistered(_) => Some(quote(
            Premium::NotOffered {
                reason: "Registered Mail via EC-Ship has no extra insurance option",
            },
            None,
            "R-116",
        )),
        Service::AirMail(_)
        | Service::SurfaceMail(_)
        | Service::LocalOrdinary(_)
        | Service::LocalRegistered(_)
        | Service::LocalParcel
        | Service::LocalCourierPost => Some(quote(
            Premium::Unknown {
                reason: "no source gives an insurance option for this service",
            },
            None,
            "§6",
        )),
        _ => None,
    };
    if let Some(q) = not_offered {
        return Ok(q);
    }
    if insured <= Decimal::ZERO {
        return Err(InsuranceError::NotPositive(insured));
    }
    if insured > declared_value {
        return Err(InsuranceError::ExceedsDeclaredValue {
            insured,
            declared: declared_value,
        });
    }
    let check_max = |max: Decimal| {
        if insured > max {
            Err(InsuranceError::ExceedsMaxCover { insured, max })
        } else {
            Ok(Some(max))
        }
    };
    let q = match service {
        // HK$2.8 per item, cover up to HK$1,000.
        Service::Imail => quote(
            Premium::Known {
                amount: Decimal::new(28, 1),
            },
            check_max(Decimal::new(1000, 0))?,
            "R-167",
        ),
        // §6 Speedpost Insurance table; ≤ HK$1,500 unknown (compensation without insurance
        // reaches HK$1,500, R-124–R-131).
        Service::Speedpost => {
            let max = check_max(Decimal::new(50000, 0))?;
            let band = SPEEDPOST_TABLE
                .iter()
                .find(|(upto, _)| insured <= Decimal::from(*upto));
            let premium = match band {
                Some(_) if insured <= Decimal::new(1500, 0) => Premium::Unknown {
                    reason:
                        "the Speedpost premium for a sum insured up to HK$1,500 is not published",
                },
                Some((_, p)) => Premium::Known {
                    amount: Decimal::from(*p),
                },
                None => unreachable!("checked against the maximum above"),
            };
            quote(premium, max, "§6 Speedpost Insurance (1 Apr 2022)")
        }
        // C-02: HK$9 (002) or HK$11 (001), cover up to HK$5,000; warn on the union of
        // excluded destinations.
        Service::EExpress => {
            let mut q = quote(
                Premium::Unconfirmed {
                    min: Decimal::new(9, 0),
                    max: Decimal::new(11, 0),
                },
                check_max(Decimal::new(5000, 0))?,
                "C-02, R-112, R-113",
            );
            let c = country.trim().to_ascii_uppercase();
            if E_EXPRESS_EXCLUDED.contains(&c.as_str()) {
                q.warnings.push(format!(
                    "e-Express+ insurance may not be available to {c}: the operator's terms \
                     exclude MX and ZA, its FAQ excludes BR, IL, LB, RU, ZA, TR and VN (C-02)"
                ));
            }
            q
        }
        // as ordinary parcels: HK$2.5 per HK$500 or part, up to HK$46,000.
        Service::AirParcel | Service::SurfaceParcel => {
            let max = check_max(Decimal::new(46000, 0))?;
            let units = (insured / Decimal::new(500, 0)).ceil();
            let mut q = quote(
                Premium::Known {
                    amount: units * Decimal::new(25, 1),
                },
                max,
                "R-132, R-136",
            );
            q.warnings
                .push("destination insurance limits vary and are not in the data".to_owned());
            q
        }
        _ => unreachable!("handled above"),
    };
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::LetterFormat;
    use rust_decimal_macros::dec;

    fn amount(q: &InsuranceQuote) -> Decimal {
        match q.premium {
            Premium::Known { amount } => amount,
            ref p => panic!("not known: {p:?}"),
        }
    }

    #[test]
    fn imail_flat_per_item_r167() {
        let q = premium(Service::Imail, "US", dec!(1000), dec!(1200)).unwrap();
        assert_eq!(amount(&q), dec!(2.8));
        assert!(matches!(
            premium(Service::Imail, "US", dec!(1000.01), dec!(2000)),
            Err(InsuranceError::ExceedsMaxCover { .. })
        ));
    }

    #[test]
    fn speedpost_table_and_unknown_low_band() {
        let p = |v| premium(Service::Speedpost, "JP", v, dec!(100000)).unwrap();
        assert!(matches!(p(dec!(1500)).premium, Premium::Unknown { .. }));
        assert!(matches!(p(dec!(100)).premium, Premium::Unknown { .. }));
        assert_eq!(amount(&p(dec!(1500.01))), dec!(30));
        assert_eq!(amount(&p(dec!(2500))), dec!(30));
        assert_eq!(amount(&p(dec!(2500.01))), dec!(48));
        assert_eq!(amount(&p(dec!(10000))), dec!(83));
        assert_eq!(amount(&p(dec!(40001))), dec!(240));
        assert_eq!(amount(&p(dec!(50000))), dec!(240));
        assert!(premium(Service::Speedpost, "JP", dec!(50001), dec!(60000)).is_err());
    }

    #[test]
    fn e_express_is_unconfirmed_and_warns_on_union_c02() {
        let q = premium(Service::EExpress, "GB", dec!(500), dec!(500)).unwrap();
        assert_eq!(
            q.premium,
            Premium::Unconfirmed {
                min: dec!(9),
                max: dec!(11)
            }
        );
        assert!(q.warnings.is_empty());
        for c in E_EXPRESS_EXCLUDED {
            let q = premium(Service::EExpress, c, dec!(500), dec!(500)).unwrap();
            assert_eq!(q.warnings.len(), 1, "{c}");
        }
        assert!(premium(Service::EExpress, "GB", dec!(5001), dec!(6000)).is_err());
    }

    #[test]
    fn registered_has_no_insurance_r116() {
        let q = premium(
            Service::AirRegistered(LetterFormat::Packet),
            "US",
            dec!(100),
            dec!(100),
        )
        .unwrap();
        assert!(matches!(q.premium, Premium::NotOffered { .. }));
    }

    #[test]
    fn parcel_per_500_or_part_r132() {
        let p = |v| amount(&premium(Service::AirParcel, "GB", v, dec!(50000)).unwrap());
        assert_eq!(p(dec!(1)), dec!(2.5));
        assert_eq!(p(dec!(500)), dec!(2.5));
        assert_eq!(p(dec!(500.01)), dec!(5.0));
        assert_eq!(p(dec!(46000)), dec!(230));
        assert!(premium(Service::SurfaceParcel, "GB", dec!(46000.5), dec!(50000)).is_err());
    }

    #[test]
    fn never_above_declared_value_r115_r136() {
        for s in [
            Service::Imail,
            Service::Speedpost,
            Service::EExpress,
            Service::AirParcel,
        ] {
            assert_eq!(
                premium(s, "GB", dec!(300), dec!(200)),
                Err(InsuranceError::ExceedsDeclaredValue {
                    insured: dec!(300),
                    declared: dec!(200)
                })
            );
        }
        assert!(premium(Service::Imail, "GB", dec!(0), dec!(200)).is_err());
    }
}
