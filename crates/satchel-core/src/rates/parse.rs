//! Reading one open-data rate file exactly as the operator publishes it (domain.md §5.2).
//!
//! Kept apart from the in-memory tables so that the quirks of the wire format (every scalar a
//! string, kg and HK$ as decimal text, optional keys, trailing spaces, a possible BOM) are
//! handled in one place and never reach the pricing code.

use chrono::NaiveDateTime;
use serde::Deserialize;

use super::table::{Pricing, RateEntry, ServiceTable, Step};
use super::RateFileError;
use crate::destination::Code;
use crate::model::Grams;
use crate::service::{LetterFormat, Service};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawFile {
    last_update_date: String,
    data: Vec<RawService>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawService {
    service_code: String,
    #[serde(rename = "serviceNameEN")]
    service_name_en: String,
    #[serde(rename = "serviceNameTC", default)]
    service_name_tc: String,
    /// "0" | "1" | "2"; absent for IML.
    #[serde(default)]
    tracking_level: Option<String>,
    postage: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEntry {
    destination_code: String,
    zone_code: String,
    #[serde(rename = "destinationNameEN", default)]
    name_en: String,
    #[serde(rename = "destinationNameTC", default)]
    name_tc: String,
    #[serde(rename = "destinationNameSC", default)]
    name_sc: String,
    #[serde(default)]
    wgt_limit: Option<String>,
    #[serde(default)]
    weight_step: Option<Vec<RawStep>>,
    /// iMail only: HK$ per kg.
    #[serde(default)]
    amount: Option<String>,
    /// iMail only: HK$ per item.
    #[serde(default)]
    handle_fee: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawStep {
    weight_from: String,
    weight_to: String,
    amount: String,
    #[serde(default)]
    additional_weight: Option<String>,
    #[serde(default)]
    additional_amount: Option<String>,
}

/// Parses decimal text with at most `scale` significant fractional digits into an integer
/// of the smallest unit ("0.050" kg → 50 g, "29.70" HK$ → 2970 cents). Extra fractional
/// digits are accepted only if they are zeros, so nothing is ever rounded silently.
pub(crate) fn parse_fixed(s: &str, scale: u32) -> Option<u64> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: u64 = 0;
    for b in int.bytes() {
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    let mut digits = frac.bytes();
    for _ in 0..scale {
        let d = digits.next().map_or(0, |b| u64::from(b - b'0'));
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    if digits.any(|b| b != b'0') {
        return None;
    }
    Some(v)
}

fn service_of(code: &str, name_en: &str) -> Option<Service> {
    // §5.4 item 1: the format is only in the English name's suffix.
    let format = || {
        let n = name_en.trim();
        if n.ends_with("(Small Letter)") {
            Some(LetterFormat::SmallLetter)
        } else if n.ends_with("(Large Letter)") {
            Some(LetterFormat::LargeLetter)
        } else if n.ends_with("(Packet)") {
            Some(LetterFormat::Packet)
        } else {
            None
        }
    };
    Some(match code.trim() {
        "IML" => Service::Imail,
        "EXP" => Service::EExpress,
        "SPT_STD" => Service::Speedpost,
        "AIR_PAR" => Service::AirParcel,
        "SUR_PAR" => Service::SurfaceParcel,
        "LOC_PAR" => Service::LocalParcel,
        "LCP_STD" => Service::LocalCourierPost,
        "AIR_REG" => Service::AirRegistered(format()?),
        "SUR_REG" => Service::SurfaceRegistered(format()?),
        "AIR_ORD" => Service::AirMail(format()?),
        "SUR_ORD" => Service::SurfaceMail(format()?),
        // §5.4 item 11: local-SMP also says LOC_ORD ("Local Mail (...)").
        "LOC_ORD" => Service::LocalOrdinary(format()?),
        "LOC_REG" => Service::LocalRegistered(format()?),
        _ => return None,
    })
}

/// Everything parsed from one file.
pub(crate) struct Parsed {
    pub last_update: NaiveDateTime,
    pub tables: Vec<ServiceTable>,
}

pub(crate) fn parse_file(json: &str) -> Result<Parsed, RateFileError> {
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    let raw: RawFile =
        serde_json::from_str(json).map_err(|e| RateFileError::Json(e.to_string()))?;
    let date = raw.last_update_date.trim();
    let last_update = NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M:%S")
        .map_err(|_| RateFileError::BadDate(raw.last_update_date.clone()))?;
    if raw.data.is_empty() {
        return Err(RateFileError::Empty);
    }
    let mut tables: Vec<ServiceTable> = Vec::with_capacity(raw.data.len());
    for rs in raw.data {
        let service = service_of(&rs.service_code, &rs.service_name_en).ok_or_else(|| {
            RateFileError::UnknownService {
                code: rs.service_code.clone(),
                name_en: rs.service_name_en.trim().to_owned(),
            }
        })?;
        if tables.iter().any(|t| t.service() == service) {
            return Err(RateFileError::DuplicateService(service.id()));
        }
        let tracking_level = match rs.tracking_level.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => Some(t.parse::<u8>().map_err(|_| RateFileError::BadValue {
                at: service.id(),
                field: "trackingLevel",
                value: t.to_owned(),
            })?),
        };
        let mut entries = Vec::with_capacity(rs.postage.len());
        for e in rs.postage {
            entries.push(parse_entry(service, e)?);
        }
        let table = ServiceTable::new(
            service,
            rs.service_name_en.trim().to_owned(),
            rs.service_name_tc.trim().to_owned(),
            tracking_level,
            last_update,
            entries,
        )
        .map_err(|(d, z)| RateFileError::DuplicateEntry {
            service: service.id(),
            destination: d.to_string(),
            zone: z.to_string(),
        })?;
        tables.push(table);
    }
    Ok(Parsed {
        last_update,
        tables,
    })
}

fn parse_entry(service: Service, e: RawEntry) -> Result<RateEntry, RateFileError> {
    let at = || {
        format!(
            "{} {}/{}",
            service.id(),
            e.destination_code.trim(),
            e.zone_code.trim()
        )
    };
    let code = |field: &'static str, v: &str| {
        Code::parse(v).ok_or_else(|| RateFileError::BadValue {
            at: at(),
            field,
            value: v.to_owned(),
        })
    };
    let destination = code("destinationCode", &e.destination_code)?;
    let zone = code("zoneCode", &e.zone_code)?;
    let num = |field: &'static str, v: &str, scale: u32| -> Result<u32, RateFileError> {
        parse_fixed(v, scale)
            .and_then(|x| u32::try_from(x).ok())
            .ok_or_else(|| RateFileError::BadValue {
                at: at(),
                field,
                value: v.to_owned(),
            })
    };
    let grams = |field, v: &str| -> Result<Grams, RateFileError> { num(field, v, 3) };
    let cents = |field, v: &str| num(field, v, 2);

    let wgt_limit_g = match e.wgt_limit.as_deref().map(str::trim) {
        None | Some("") => None, // §5.4 item 6: sometimes missing
        Some(v) => Some(grams("wgtLimit", v)?),
    };
    let pricing = if service == Service::Imail {
        // §5.2: iMail entries are flat: HK$/kg and HK$/item.
        let per_kg = e.amount.as_deref().unwrap_or("");
        let fee = e.handle_fee.as_deref().unwrap_or("");
        Pricing::PerKg {
            per_kg_c: cents("amount", per_kg)?,
            handle_fee_c: cents("handleFee", fee)?,
        }
    } else {
        let raw = e.weight_step.as_deref().unwrap_or(&[]);
        if raw.is_empty() {
            return Err(RateFileError::BadValue {
                at: at(),
                field: "weightStep",
                value: "(none)".to_owned(),
            });
        }
        let mut steps = Vec::with_capacity(raw.len());
        for s in raw {
            let from_g = grams("weightFrom", &s.weight_from)?;
            let to_g = grams("weightTo", &s.weight_to)?;
            if from_g >= to_g {
                return Err(RateFileError::BadValue {
                    at: at(),
                    field: "weightTo",
                    value: format!("{} (not above weightFrom {})", s.weight_to, s.weight_from),
                });
            }
            let (add_g, add_c) = match (&s.additional_weight, &s.additional_amount) {
                (None, None) => (0, 0),
                (Some(w), Some(a)) => {
                    let w_g = grams("additionalWeight", w)?;
                    if w_g == 0 {
                        return Err(RateFileError::BadValue {
                            at: at(),
                            field: "additionalWeight",
                            value: w.clone(),
                        });
                    }
                    (w_g, cents("additionalAmount", a)?)
                }
                // §5.2: both or neither.
                (Some(_), None) | (None, Some(_)) => {
                    return Err(RateFileError::BadValue {
                        at: at(),
                        field: "additionalWeight/additionalAmount",
                        value: "only one of the pair".to_owned(),
                    })
                }
            };
            steps.push(Step {
                from_g,
                to_g,
                amount_c: cents("amount", &s.amount)?,
                add_g,
                add_c,
            });
        }
        Pricing::from_steps(steps, wgt_limit_g)
    };
    Ok(RateEntry {
        destination,
        zone,
        // §5.4 item 10: trailing spaces in names.
        name_en: e.name_en.trim().to_owned(),
        name_tc: e.name_tc.trim().to_owned(),
        name_sc: e.name_sc.trim().to_owned(),
        wgt_limit_g,
        pricing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_parsing_is_exact() {
        assert_eq!(parse_fixed("0.050", 3), Some(50));
        assert_eq!(parse_fixed("2.000", 3), Some(2000));
        assert_eq!(parse_fixed("29.70", 2), Some(2970));
        assert_eq!(parse_fixed(" 5 ", 2), Some(500));
        assert_eq!(parse_fixed("1.5", 2), Some(150));
        assert_eq!(parse_fixed("1.2300", 2), Some(123));
        assert_eq!(parse_fixed("1.234", 2), None); // would need rounding
        assert_eq!(parse_fixed("-1", 2), None);
        assert_eq!(parse_fixed("abc", 2), None);
        assert_eq!(parse_fixed("", 2), None);
        assert_eq!(parse_fixed(".", 2), None);
    }

    #[test]
    fn service_suffix_decides_the_format_5_4_item_1() {
        assert_eq!(
            service_of("AIR_REG", "Air Registered Mail (Packet) "),
            Some(Service::AirRegistered(LetterFormat::Packet))
        );
        assert_eq!(
            service_of("LOC_ORD", "Local Mail (Small Letter)"),
            Some(Service::LocalOrdinary(LetterFormat::SmallLetter))
        );
        assert_eq!(service_of("AIR_REG", "Air Registered Mail"), None);
        assert_eq!(service_of("XYZ", "Whatever"), None);
    }
}
