//! The home screen ("Today", issue #15): what needs doing, in the order a merchant does it,
//! the calendar's reminders, the posting notes for what is waiting to be posted, and how old
//! the tariff is.
//!
//! Why here: the counts and reminders come from the stored shipments and the calendar rules
//! (C-01, R-101, R-117, R-129, R-133, R-160) on a date passed in; the window and `satchel
//! today` both show this one answer.

use chrono::{DateTime, NaiveDate, Utc};
use satchel_ipc::{
    CommandError, HomeCount, HomeDto, HomeLine, ReminderDto, ShipmentFilterRequest, WindowKind,
};
use satchel_store::{ShipmentFilter, ShipmentRecord, ShipmentState, Store};

use crate::clock::hong_kong;
use crate::store::store_error;
use crate::Engine;

/// How far ahead (and, for a trace window that has just opened, back) a date is worth a
/// reminder: a week, the span a merchant plans posting and follow-ups in.
pub const REMINDER_DAYS: i64 = 7;

/// The home screen at the instant `at`.
pub fn today(store: &Store, engine: &Engine, at: DateTime<Utc>) -> Result<HomeDto, CommandError> {
    let local = at.with_timezone(&hong_kong()).naive_local();
    let today = local.date();
    let all = store
        .list_shipments(&ShipmentFilter::default())
        .map_err(store_error)?;
    let counts = HomeLine::ALL
        .into_iter()
        .map(|line| {
            let count = all.iter().filter(|r| on_line(line, r)).count() as u32;
            HomeCount {
                line,
                count,
                filter: line_filter(line),
            }
        })
        .collect();
    let mut reminders: Vec<ReminderDto> = all.iter().flat_map(|r| reminders(r, today)).collect();
    reminders.sort_by(|a, b| (a.days, &a.reference).cmp(&(b.days, &b.reference)));
    let mut ids: Vec<String> = reminders.iter().map(|r| r.shipment_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let to_post: Vec<ShipmentRecord> = all
        .into_iter()
        .filter(|r| r.state == ShipmentState::Printed)
        .collect();
    let posting_notes = if to_post.is_empty() {
        Vec::new()
    } else {
        crate::calendar::notes(
            &to_post,
            local,
            &crate::calendar::severe_weather_days(store),
        )
    };
    let tariffs = crate::tariffs::list(&engine.rates, "", today);
    Ok(HomeDto {
        today: today.to_string(),
        now: local.format("%H:%M").to_string(),
        counts,
        reminders,
        reminders_filter: ShipmentFilterRequest {
            ids,
            ..ShipmentFilterRequest::default()
        },
        posting_notes,
        tariff_newest: tariffs.newest,
        tariff_stale: tariffs.stale,
        needs_setup: store.default_sender().map_err(store_error)?.is_none(),
    })
}

fn errors(r: &ShipmentRecord) -> bool {
    r.assessment.problems.iter().any(|p| p.error)
}

fn on_line(line: HomeLine, r: &ShipmentRecord) -> bool {
    match line {
        HomeLine::Problems => r.state == ShipmentState::Draft && errors(r),
        HomeLine::Drafts => r.state == ShipmentState::Draft && !errors(r),
        _ => Some(r.state) == line_state(line),
    }
}

fn line_state(line: HomeLine) -> Option<ShipmentState> {
    Some(match line {
        HomeLine::Problems | HomeLine::Drafts => ShipmentState::Draft,
        HomeLine::Ready => ShipmentState::Ready,
        HomeLine::Waiting => ShipmentState::Submitted,
        HomeLine::ToPrint => ShipmentState::Numbered,
        HomeLine::ToPost => ShipmentState::Printed,
        HomeLine::InTransit => ShipmentState::Posted,
    })
}

/// The shipments list that shows exactly a line's shipments.
fn line_filter(line: HomeLine) -> ShipmentFilterRequest {
    ShipmentFilterRequest {
        state: line_state(line),
        problems: match line {
            HomeLine::Problems => Some(true),
            HomeLine::Drafts => Some(false),
            _ => None,
        },
        ..ShipmentFilterRequest::default()
    }
}

/// The shipment's dates worth a reminder on `today`: its label's last posting day within the
/// week (C-01), a trace or enquiry window opening within a week either side,
/// an e-Express+ claim window closing within the week.
fn reminders(r: &ShipmentRecord, today: NaiveDate) -> Vec<ReminderDto> {
    let days_to = |iso: &str| {
        NaiveDate::parse_from_str(iso, "%Y-%m-%d")
            .ok()
            .map(|d| (d - today).num_days())
    };
    // Delivered, returned or cancelled items need no chasing.
    let live = matches!(
        r.state,
        ShipmentState::Numbered | ShipmentState::Printed | ShipmentState::Posted
    );
    if !live {
        return Vec::new();
    }
    crate::calendar::windows(r, today)
        .into_iter()
        .filter_map(|w| {
            let (date, days) = match w.kind {
                WindowKind::LabelValid | WindowKind::Claim => {
                    let days = days_to(&w.closes)?;
                    (w.status == "open" && days <= REMINDER_DAYS).then_some((w.closes, days))?
                }
                // A window open from the day of posting is no news; one opening later is.
                WindowKind::Trace if w.opens != posted_on(r)? => {
                    let days = days_to(&w.opens)?;
                    (w.status != "closed" && days.abs() <= REMINDER_DAYS)
                        .then_some((w.opens, days))?
                }
                _ => return None,
            };
            let s = &r.draft.shipment;
            Some(ReminderDto {
                kind: w.kind,
                shipment_id: r.id.clone(),
                reference: s.reference.clone(),
                item_number: s.item_number.as_ref().map(|n| n.as_str().to_owned()),
                date,
                days,
                rule: w.rule,
            })
        })
        .collect()
}

fn posted_on(r: &ShipmentRecord) -> Option<String> {
    r.history
        .get(&ShipmentState::Posted)
        .map(|t| crate::clock::hk_date(*t).to_string())
}
