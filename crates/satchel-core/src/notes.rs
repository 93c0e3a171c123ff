//! What the merchant should know when a batch goes out, from the seeds' posting rules: things
//! that are not wrong with any one item, and that no validation can fix, but that decide
//! whether the counter takes the items today and what happens after.
//!
//! - posting data, personal data included, goes by EDI to overseas posts and customs
//!   (international items); the front ends show it before the first submission.
//! - 20 or more e-Express+ or Registered Mail items in one go must be posted by 4 pm.
//! - the General Post Office does not take iMail on Sundays and public holidays.
//! - after posting to the EU, Switzerland or Norway, watch for the customs SMS
//!   for 2–3 days; Hongkong Post's SMS never carries a link asking for personal data.
//! - on a day the merchant marked as Black Rainstorm / Signal No. 8, post
//!   offices are not open for business; the next Post Office Working Day is named.
//!
//! Pure: the posting day and the time of day are passed in.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::calendar::{DayKind, HolidayCalendar};
use crate::customs::is_ics2_destination;
use crate::service::Service;

/// how many items in one go bring the 4 pm limit.
pub const BULK_POSTING_ITEMS: usize = 20;

/// the latest posting time for a bulk posting.
pub fn bulk_posting_cutoff() -> NaiveTime {
    NaiveTime::from_hms_opt(16, 0, 0).expect("16:00 is a time")
}

/// One note for a batch; the front ends word it (both languages) from its kind and values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// the batch has international items.
    EdiPrivacy,
    /// `items` e-Express+ / Registered items: post by 4 pm; `late` when `now` is past it.
    BulkCutoff { items: usize, late: bool },
    /// iMail on a Sunday or public holiday: not at the General Post Office.
    GpoNoImail { date: NaiveDate },
    /// items to the EU, Switzerland or Norway: watch the customs SMS.
    CustomsSms,
    /// `date` is marked as a severe-weather day: post offices are closed;
    /// `next_open` is the next Post Office Working Day.
    SevereWeather {
        date: NaiveDate,
        next_open: NaiveDate,
    },
}

impl Note {
    /// The operator's rule behind the note.
    pub fn rule(&self) -> &'static str {
        match self {
            Note::EdiPrivacy => "R-008",
            Note::BulkCutoff { .. } => "R-055",
            Note::GpoNoImail { .. } => "R-057",
            Note::CustomsSms => "R-072",
            Note::SevereWeather { .. } => "R-062",
        }
    }
}

/// The notes for items of `(service, destination country)` posted on `day` at `now`
/// (Hong Kong time), in the order a merchant meets them (R-062, R-008, R-055, R-057, R-072,
///
pub fn posting_notes(
    items: &[(Service, String)],
    day: NaiveDate,
    now: NaiveTime,
    calendar: &HolidayCalendar,
) -> Vec<Note> {
    let mut out = Vec::new();
    if !items.is_empty() && calendar.is_severe_weather(day) {
        out.push(Note::SevereWeather {
            date: day,
            next_open: calendar.add_working_days(day, 1, DayKind::Mcn),
        });
    }
    if items.iter().any(|(s, _)| !s.is_local()) {
        out.push(Note::EdiPrivacy);
    }
    let bulk = items
        .iter()
        .filter(|(s, _)| {
            matches!(
                s,
                Service::EExpress | Service::AirRegistered(_) | Service::SurfaceRegistered(_)
            )
        })
        .count();
    if bulk >= BULK_POSTING_ITEMS {
        out.push(Note::BulkCutoff {
            items: bulk,
            late: now > bulk_posting_cutoff(),
        });
    }
    if items.iter().any(|(s, _)| *s == Service::Imail) && calendar.is_public_holiday(day) {
        out.push(Note::GpoNoImail { date: day });
    }
    if items.iter().any(|(_, c)| is_ics2_destination(c)) {
        out.push(Note::CustomsSms);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::LetterFormat;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn r055_twenty_registered_or_e_express_items_must_go_by_4_pm() {
        let cal = HolidayCalendar::bundled();
        let monday = d(2026, 11, 23);
        let mut items = vec![(Service::EExpress, "JP".to_owned()); 10];
        items.extend(vec![
            (
                Service::AirRegistered(LetterFormat::Packet),
                "GB".to_owned()
            );
            9
        ]);
        assert!(!posting_notes(&items, monday, t(10, 0), &cal)
            .iter()
            .any(|n| n.rule() == "R-055"));
        items.push((
            Service::SurfaceRegistered(LetterFormat::Packet),
            "US".to_owned(),
        ));
        let notes = posting_notes(&items, monday, t(15, 59), &cal);
        assert!(notes.contains(&Note::BulkCutoff {
            items: 20,
            late: false
        }));
        let notes = posting_notes(&items, monday, t(16, 1), &cal);
        assert!(notes.contains(&Note::BulkCutoff {
            items: 20,
            late: true
        }));
    }

    #[test]
    fn r057_no_imail_at_the_gpo_on_sundays_and_public_holidays() {
        let cal = HolidayCalendar::bundled();
        let imail = [(Service::Imail, "US".to_owned())];
        let sunday = d(2026, 11, 22);
        let christmas = d(2026, 12, 25);
        let monday = d(2026, 11, 23);
        for day in [sunday, christmas] {
            assert!(
                posting_notes(&imail, day, t(9, 0), &cal).contains(&Note::GpoNoImail { date: day })
            );
        }
        assert!(!posting_notes(&imail, monday, t(9, 0), &cal)
            .iter()
            .any(|n| n.rule() == "R-057"));
    }

    #[test]
    fn r062_a_marked_severe_weather_day_names_the_next_post_office_working_day() {
        let mut cal = HolidayCalendar::bundled();
        let saturday = d(2026, 11, 21);
        let items = [(Service::LocalParcel, "HK".to_owned())];
        assert!(posting_notes(&items, saturday, t(9, 0), &cal).is_empty());
        cal.mark_severe_weather(saturday);
        // Sunday is no Post Office Working Day either: Monday is the next one.
        assert_eq!(
            posting_notes(&items, saturday, t(9, 0), &cal),
            vec![Note::SevereWeather {
                date: saturday,
                next_open: d(2026, 11, 23)
            }]
        );
    }

    #[test]
    fn r008_edi_for_international_items_and_r072_sms_for_eu_ch_no() {
        let cal = HolidayCalendar::bundled();
        let monday = d(2026, 11, 23);
        let local = [(Service::LocalParcel, "HK".to_owned())];
        assert!(posting_notes(&local, monday, t(9, 0), &cal).is_empty());
        let to_de = [(Service::Speedpost, "DE".to_owned())];
        assert_eq!(
            posting_notes(&to_de, monday, t(9, 0), &cal),
            vec![Note::EdiPrivacy, Note::CustomsSms]
        );
    }
}
