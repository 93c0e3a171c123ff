//! A shipment's cover and calendar, as the editor and the shipment view show them: the
//! insurance premium, cap and exclusions (domain.md §6, C-02), and the dated windows — the
//! label's validity (C-01), tracing and enquiries, e-Express+
//! claims, the Certificate of Posting, iMail's Acceptance Report —
//! and the notes for a batch about to be posted.
//!
//! Why here: the core computes each of these from dates passed in; a rule no screen shows is
//! not enforced, so this is where they meet the stored shipment and today's date.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use satchel_core::calendar::{
    certificate_of_posting_window, eexpress_claim_window, enquiry_window, label_expiry, DateWindow,
    HolidayCalendar, PeakSeason, WindowStatus,
};
use satchel_core::insurance::{premium, InsuranceError, Premium};
use satchel_core::model::Shipment;
use satchel_core::notes::{posting_notes, Note};
use satchel_core::service::Service;
use satchel_ipc::{InsuranceDto, PremiumDto, WindowDto, WindowKind};
use std::collections::BTreeSet;

use satchel_store::{ShipmentRecord, ShipmentState, Store};

use crate::clock::hk_date;

/// The bundled holiday calendar, as the engine's (`Engine::load`), read once.
fn holidays() -> &'static HolidayCalendar {
    static CALENDAR: std::sync::OnceLock<HolidayCalendar> = std::sync::OnceLock::new();
    CALENDAR.get_or_init(HolidayCalendar::bundled)
}

/// The store's key for the days the merchant marked as Black Rainstorm / Signal No. 8.
const SEVERE_WEATHER_KEY: &str = "severe_weather_days";

/// The days marked as Black Rainstorm / Signal No. 8 on this device, oldest
/// first; a value that cannot be read counts as none marked.
pub fn severe_weather_days(store: &Store) -> Vec<NaiveDate> {
    store
        .meta(SEVERE_WEATHER_KEY)
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_str::<BTreeSet<NaiveDate>>(&v).ok())
        .map(|days| days.into_iter().collect())
        .unwrap_or_default()
}

/// Marks (`on`) or unmarks `date` as a severe-weather day; the days marked afterwards.
pub fn set_severe_weather(
    store: &mut Store,
    date: NaiveDate,
    on: bool,
) -> Result<Vec<NaiveDate>, satchel_store::Error> {
    let mut days: BTreeSet<NaiveDate> = severe_weather_days(store).into_iter().collect();
    if on {
        days.insert(date);
    } else {
        days.remove(&date);
    }
    let text = serde_json::to_string(&days).expect("dates serialise");
    store.set_meta(SEVERE_WEATHER_KEY, &text)?;
    Ok(days.into_iter().collect())
}

/// What to know before posting `records` at `at` (Hong Kong time),
/// on the `severe` days the merchant marked, R-072/R-073
/// (`satchel_core::notes`).
pub fn notes(records: &[ShipmentRecord], at: NaiveDateTime, severe: &[NaiveDate]) -> Vec<Note> {
    let items: Vec<(Service, String)> = records
        .iter()
        .map(|r| (r.draft.shipment.service, r.draft.shipment.country()))
        .collect();
    let mut calendar = holidays().clone();
    for day in severe {
        calendar.mark_severe_weather(*day);
    }
    posting_notes(&items, at.date(), at.time(), &calendar)
}

/// The cover asked for, or `None` when there is no insured value.
pub fn insurance(s: &Shipment) -> Option<InsuranceDto> {
    let insured = s.insured_value?;
    let declared: Decimal = s
        .customs
        .as_ref()
        .map(|c| c.lines.iter().map(|l| l.value).sum())
        .unwrap_or(insured);
    let country = s.country();
    let to_dto = |p: &Premium| match p {
        Premium::Known { amount } => PremiumDto::Known {
            amount: amount.to_string(),
        },
        Premium::Unconfirmed { min, max } => PremiumDto::Unconfirmed {
            min: min.to_string(),
            max: max.to_string(),
        },
        Premium::Unknown { .. } => PremiumDto::Unknown,
        Premium::NotOffered { .. } => PremiumDto::NotOffered,
    };
    let excluded = s.service == Service::EExpress
        && satchel_core::insurance::E_EXPRESS_EXCLUDED.contains(&country.as_str());
    Some(match premium(s.service, &country, insured, declared) {
        Ok(q) => InsuranceDto {
            premium: to_dto(&q.premium),
            max_cover: q.max_cover.map(|m| m.to_string()),
            rules: q.rules.to_owned(),
            excluded_destination: excluded,
            over_cap: false,
        },
        Err(InsuranceError::ExceedsMaxCover { max, .. }) => InsuranceDto {
            premium: PremiumDto::Unknown,
            max_cover: Some(max.to_string()),
            rules: String::new(),
            excluded_destination: excluded,
            over_cap: true,
        },
        // Not positive, or over the declared value: the validation problems say so (R-115,
        // R-136); there is no premium to show.
        Err(_) => InsuranceDto {
            premium: PremiumDto::Unknown,
            max_cover: None,
            rules: String::new(),
            excluded_destination: excluded,
            over_cap: false,
        },
    })
}

fn window(kind: WindowKind, w: DateWindow, rule: &str, today: NaiveDate) -> WindowDto {
    WindowDto {
        kind,
        opens: w.opens.format("%Y-%m-%d").to_string(),
        closes: w.closes.format("%Y-%m-%d").to_string(),
        status: match w.status(today) {
            WindowStatus::NotYetOpen => "not_yet_open",
            WindowStatus::Open => "open",
            WindowStatus::Closed => "closed",
        }
        .to_owned(),
        rule: rule.to_owned(),
    }
}

/// The rule behind a service's trace or enquiry window.
fn trace_rule(service: Service) -> &'static str {
    match service {
        Service::Speedpost => "R-129",
        Service::AirParcel | Service::SurfaceParcel => "R-133",
        Service::Imail => "R-160",
        _ => "R-117",
    }
}

/// The shipment's windows on `today`: the label's validity until it is posted, then the
/// trace, claim and certificate windows counted from the day it was posted.
pub fn windows(rec: &ShipmentRecord, today: NaiveDate) -> Vec<WindowDto> {
    let service = rec.draft.shipment.service;
    let mut out = Vec::new();
    let posted = rec.history.get(&ShipmentState::Posted).map(|t| hk_date(*t));
    match (posted, &rec.ecship) {
        (None, Some(order)) if rec.state != ShipmentState::Cancelled => {
            let made = hk_date(order.created_at);
            let v = label_expiry(service, made, Some(made));
            // The last day it can be posted is the day before it counts as expired.
            let last = v.expires_on.pred_opt().unwrap_or(v.expires_on);
            out.push(window(
                WindowKind::LabelValid,
                DateWindow {
                    opens: made,
                    closes: last,
                },
                "C-01",
                today,
            ));
        }
        (Some(day), _) => {
            if let Some(w) = enquiry_window(service, day) {
                out.push(window(WindowKind::Trace, w, trace_rule(service), today));
            }
            if service == Service::EExpress {
                out.push(window(
                    WindowKind::Claim,
                    eexpress_claim_window(day),
                    "R-101",
                    today,
                ));
            }
            out.push(window(
                WindowKind::Certificate,
                certificate_of_posting_window(day),
                "R-106",
                today,
            ));
            if service == Service::Imail {
                let due = holidays().acceptance_report_due(day, &PeakSeason::default());
                out.push(window(
                    WindowKind::AcceptanceReport,
                    DateWindow {
                        opens: day,
                        closes: due,
                    },
                    "R-154",
                    today,
                ));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use satchel_fixtures as fx;
    use satchel_store::{Assessment, EcshipOrder, ShipmentDraft, Store};

    #[test]
    fn e_express_cover_to_an_excluded_destination_says_so() {
        let mut s = fx::toy_car_sale("Ivan");
        s.service = Service::EExpress;
        s.recipient.country = "RU".into();
        s.insured_value = Some(dec!(100));
        let i = insurance(&s).unwrap();
        assert!(i.excluded_destination);
        assert_eq!(i.max_cover.as_deref(), Some("5000"));
        assert!(matches!(i.premium, PremiumDto::Unconfirmed { .. }));
        s.recipient.country = "JP".into();
        assert!(!insurance(&s).unwrap().excluded_destination);
        s.insured_value = None;
        assert_eq!(insurance(&s), None);
    }

    #[test]
    fn speedpost_cover_over_its_cap_is_flagged() {
        let mut s = fx::toy_car_sale("Sato");
        s.customs.as_mut().unwrap().lines[0].value = dec!(80000);
        s.insured_value = Some(dec!(60000));
        let i = insurance(&s).unwrap();
        assert!(i.over_cap);
        assert_eq!(i.max_cover.as_deref(), Some("50000"));
    }

    #[test]
    fn a_numbered_label_shows_its_last_posting_day_then_posting_opens_the_trace_windows() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let rec = store
            .create_shipment(
                &ShipmentDraft {
                    shipment: fx::toy_car_sale("Sato"),
                    recipient_id: None,
                    sender_id: None,
                },
                &Assessment::default(),
            )
            .unwrap();
        store
            .queue_submissions(std::slice::from_ref(&rec.id))
            .unwrap();
        let claim = store.claim_jobs(1, 60_000).unwrap().remove(0);
        let made = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let order = EcshipOrder {
            order_no: "O-1".into(),
            delivery_charge: None,
            insurance_fee: None,
            created_at: made.and_hms_opt(2, 0, 0).unwrap().and_utc(),
        };
        let item = satchel_core::s10::ItemNumber::parse("EE123456785HK").unwrap();
        let rec = store.finish_submission(&claim, &item, &order).unwrap();
        let w = windows(&rec, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(w.len(), 1);
        assert_eq!(
            (w[0].kind, w[0].rule.as_str()),
            (WindowKind::LabelValid, "C-01")
        );
        // 30 calendar days from 2 Nov: expired on 2 Dec, so 1 Dec is the last day.
        assert_eq!(w[0].closes, "2026-12-01");
        assert_eq!(w[0].status, "open");
        let late = windows(&rec, NaiveDate::from_ymd_opt(2026, 12, 2).unwrap());
        assert_eq!(late[0].status, "closed");

        for to in [ShipmentState::Printed, ShipmentState::Posted] {
            store.set_shipment_state(&rec.id, to).unwrap();
        }
        let rec = store.shipment(&rec.id).unwrap().unwrap();
        let posted = hk_date(rec.history[&ShipmentState::Posted]);
        let w = windows(&rec, posted);
        let kinds: Vec<_> = w.iter().map(|w| (w.kind, w.rule.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (WindowKind::Trace, "R-129"),
                (WindowKind::Certificate, "R-106")
            ]
        );
        assert_eq!(w[0].status, "open", "Speedpost enquiries open on posting");
    }

    #[test]
    fn a_marked_severe_weather_day_is_kept_and_shows_in_the_posting_notes() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let rec = store
            .create_shipment(
                &ShipmentDraft {
                    shipment: fx::toy_car_sale("Sato"),
                    recipient_id: None,
                    sender_id: None,
                },
                &Assessment::default(),
            )
            .unwrap();
        let friday = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let at = friday.and_hms_opt(10, 0, 0).unwrap();
        let severe = severe_weather_days(&store);
        assert!(severe.is_empty());
        assert!(!notes(std::slice::from_ref(&rec), at, &severe)
            .iter()
            .any(|n| n.rule() == "R-062"));
        assert_eq!(
            set_severe_weather(&mut store, friday, true).unwrap(),
            vec![friday]
        );
        drop(store);
        let mut store = Store::open(dir.path().join("s.db")).unwrap();
        let severe = severe_weather_days(&store);
        assert_eq!(severe, vec![friday], "kept in the database");
        let got = notes(std::slice::from_ref(&rec), at, &severe);
        assert!(got.contains(&Note::SevereWeather {
            date: friday,
            next_open: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
        }));
        assert!(set_severe_weather(&mut store, friday, false)
            .unwrap()
            .is_empty());
    }
}
