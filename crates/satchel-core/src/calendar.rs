//! Hong Kong holidays, the four kinds of "working day", and the date windows of the seeds
//! (domain.md §4, §6).
//!
//! Pure: every function takes the dates it needs, none reads the clock.
//!
//! | Term (§4.1) | Here | Rule |
//! |---|---|---|
//! | Day | calendar arithmetic (`chrono`) | R-029 |
//! | Public Holiday = Sunday or general holiday | [`HolidayCalendar::is_public_holiday`] | R-059 |
//! | EC-Ship Working Day = Mon–Fri minus holidays | [`DayKind::EcShip`] | R-060 |
//! | Pledge day = Mon–Sat minus holidays | [`DayKind::Pledge`] | R-058 |
//! | MCN / Post Office Working Day = pledge day minus marked severe-weather days | [`DayKind::Mcn`] | R-061, R-062 |
//!
//! General holidays 2025–2027 are bundled (§4.2; 2027 is Medium, not yet gazetted). Newer
//! years, or a gazetted 2027, come from the 1823 iCal-JSON feed through
//! [`HolidayCalendar::load_1823_json`], which replaces the bundled entries of every year the
//! feed covers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::service::Service;

/// Bundled HK general holidays (§4.2). Sundays are never listed (they are Public Holidays
/// anyway); Saturday holidays are.
const BUNDLED: &[(i32, u32, u32, &str)] = &[
    // 2025 (High)
    (2025, 1, 1, "The first day of January"),
    (2025, 1, 29, "Lunar New Year's Day"),
    (2025, 1, 30, "The second day of Lunar New Year"),
    (2025, 1, 31, "The third day of Lunar New Year"),
    (2025, 4, 4, "Ching Ming Festival"),
    (2025, 4, 18, "Good Friday"),
    (2025, 4, 19, "The day following Good Friday"),
    (2025, 4, 21, "Easter Monday"),
    (2025, 5, 1, "Labour Day"),
    (2025, 5, 5, "The Birthday of the Buddha"),
    (2025, 5, 31, "Tuen Ng Festival"),
    (
        2025,
        7,
        1,
        "Hong Kong Special Administrative Region Establishment Day",
    ),
    (2025, 10, 1, "National Day"),
    (
        2025,
        10,
        7,
        "The day following the Chinese Mid-Autumn Festival",
    ),
    (2025, 10, 29, "Chung Yeung Festival"),
    (2025, 12, 25, "Christmas Day"),
    (2025, 12, 26, "The first weekday after Christmas Day"),
    // 2026 (High)
    (2026, 1, 1, "The first day of January"),
    (2026, 2, 17, "Lunar New Year's Day"),
    (2026, 2, 18, "The second day of Lunar New Year"),
    (2026, 2, 19, "The third day of Lunar New Year"),
    (2026, 4, 3, "Good Friday"),
    (2026, 4, 4, "The day following Good Friday"),
    (2026, 4, 6, "The day following Ching Ming Festival"),
    (2026, 4, 7, "The day following Easter Monday"),
    (2026, 5, 1, "Labour Day"),
    (2026, 5, 25, "The day following the Birthday of the Buddha"),
    (2026, 6, 19, "Tuen Ng Festival"),
    (
        2026,
        7,
        1,
        "Hong Kong Special Administrative Region Establishment Day",
    ),
    (
        2026,
        9,
        26,
        "The day following the Chinese Mid-Autumn Festival",
    ),
    (2026, 10, 1, "National Day"),
    (2026, 10, 19, "The day following Chung Yeung Festival"),
    (2026, 12, 25, "Christmas Day"),
    (2026, 12, 26, "The first weekday after Christmas Day"),
    // 2027 (Medium: Python `holidays` only; re-check against the 1823 feed when gazetted)
    (2027, 1, 1, "The first day of January"),
    (2027, 2, 6, "Lunar New Year's Day"),
    (2027, 2, 8, "The third day of Lunar New Year"),
    (2027, 2, 9, "The fourth day of Lunar New Year"),
    (2027, 3, 26, "Good Friday"),
    (2027, 3, 27, "The day following Good Friday"),
    (2027, 3, 29, "Easter Monday"),
    (2027, 4, 5, "Ching Ming Festival"),
    (2027, 5, 1, "Labour Day"),
    (2027, 5, 13, "The Birthday of the Buddha"),
    (2027, 6, 9, "Tuen Ng Festival"),
    (
        2027,
        7,
        1,
        "Hong Kong Special Administrative Region Establishment Day",
    ),
    (
        2027,
        9,
        16,
        "The day following the Chinese Mid-Autumn Festival",
    ),
    (2027, 10, 1, "National Day"),
    (2027, 10, 8, "Chung Yeung Festival"),
    (2027, 12, 25, "Christmas Day"),
    (2027, 12, 27, "The first weekday after Christmas Day"),
];

/// Years whose bundled list is not yet gazetted (§4.2: 2027 from one source only).
pub const PROVISIONAL_YEARS: &[i32] = &[2027];

/// One general holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

/// Why an 1823 feed could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("the holiday feed is not valid JSON: {0}")]
    Json(String),
    #[error("the holiday feed has no vcalendar[0].vevent list")]
    NoEvents,
    #[error("event {index} has no dtstart date")]
    MissingDate { index: usize },
    #[error("event {index} has a dtstart '{value}' that is not a YYYYMMDD date")]
    BadDate { index: usize, value: String },
}

/// Parses the 1823 general-holiday feed (`https://www.1823.gov.hk/common/ical/en.json`, also
/// `tc.json`): iCal-JSON, usually with a UTF-8 byte-order mark, where
/// `vcalendar[0].vevent[i].dtstart[0]` is `"YYYYMMDD"` and `summary` is the name.
pub fn parse_1823_json(text: &str) -> Result<Vec<Holiday>, FeedError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| FeedError::Json(e.to_string()))?;
    let events = v
        .get("vcalendar")
        .and_then(|c| c.get(0))
        .and_then(|c| c.get("vevent"))
        .and_then(|e| e.as_array())
        .ok_or(FeedError::NoEvents)?;
    let mut out = Vec::with_capacity(events.len());
    for (index, ev) in events.iter().enumerate() {
        let raw = match ev.get("dtstart") {
            Some(serde_json::Value::Array(a)) => a.first().and_then(|d| d.as_str()),
            Some(serde_json::Value::String(s)) => Some(s.as_str()),
            _ => None,
        }
        .ok_or(FeedError::MissingDate { index })?;
        let date = NaiveDate::parse_from_str(raw.trim(), "%Y%m%d")
            .ok()
            .filter(|_| raw.trim().len() == 8)
            .ok_or_else(|| FeedError::BadDate {
                index,
                value: raw.to_owned(),
            })?;
        let name = match ev.get("summary") {
            Some(serde_json::Value::String(s)) => s.trim().to_owned(),
            Some(serde_json::Value::Array(a)) => a
                .first()
                .and_then(|s| s.as_str())
                .unwrap_or_default()
                .trim()
                .to_owned(),
            _ => String::new(),
        };
        out.push(Holiday { date, name });
    }
    Ok(out)
}

/// The working-day definition to count with (§4.1, conflict C-08).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// EC-Ship agreement: Mon–Fri minus general holidays (R-060). Used for the iMail
    /// Acceptance Report due date (R-154).
    EcShip,
    /// Performance pledges: Mon–Sat minus general holidays (R-058). Used for delivery
    /// estimates (iMail 4–24, e-Express+ 7–14 working days).
    Pledge,
    /// MCN / Post Office Working Day: Mon–Sat minus general holidays and days the user marked
    /// as Black Rainstorm or Signal No. 8+ days (R-061, R-062).
    Mcn,
}

/// HK general holidays (bundled 2025–2027 plus loaded feed years) and user-marked
/// severe-weather days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HolidayCalendar {
    holidays: BTreeMap<NaiveDate, String>,
    /// Years with a holiday list (bundled or loaded).
    years: BTreeSet<i32>,
    /// Years that came from the 1823 feed (authoritative).
    loaded_years: BTreeSet<i32>,
    /// Black Rainstorm / Signal No. 8+ days marked by the user (R-061, R-062).
    severe_weather: BTreeSet<NaiveDate>,
}

impl HolidayCalendar {
    /// A calendar that knows no holidays at all (tests, or years before 2025).
    pub fn empty() -> Self {
        Self::default()
    }

    /// The bundled 2025–2027 tables of §4.2.
    pub fn bundled() -> Self {
        let mut c = Self::default();
        for &(y, m, d, name) in BUNDLED {
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                c.holidays.insert(date, name.to_owned());
                c.years.insert(y);
            }
        }
        c
    }

    /// Adds the years in an 1823 feed, replacing whatever the calendar had for those years.
    /// Returns the number of holidays loaded. A feed with no events changes nothing.
    pub fn load_1823_json(&mut self, text: &str) -> Result<usize, FeedError> {
        let list = parse_1823_json(text)?;
        self.load(&list);
        Ok(list.len())
    }

    /// Replaces every year present in `list` with the holidays in `list`.
    pub fn load(&mut self, list: &[Holiday]) {
        let years: BTreeSet<i32> = list.iter().map(|h| h.date.year()).collect();
        self.holidays.retain(|d, _| !years.contains(&d.year()));
        for h in list {
            self.holidays.insert(h.date, h.name.clone());
        }
        self.years.extend(&years);
        self.loaded_years.extend(&years);
    }

    /// Whether the calendar has a holiday list for `year`. Counting in a year it does not
    /// know treats every weekday as working: the UI should say so.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether `year`'s list is provisional (bundled 2027 not yet replaced by the feed).
    pub fn is_provisional(&self, year: i32) -> bool {
        PROVISIONAL_YEARS.contains(&year) && !self.loaded_years.contains(&year)
    }

    /// All known general holidays in `year`, in date order.
    pub fn holidays_in(&self, year: i32) -> Vec<Holiday> {
        let from = NaiveDate::from_ymd_opt(year, 1, 1);
        let to = NaiveDate::from_ymd_opt(year, 12, 31);
        match (from, to) {
            (Some(f), Some(t)) => self
                .holidays
                .range(f..=t)
                .map(|(d, n)| Holiday {
                    date: *d,
                    name: n.clone(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Marks a day on which a Black Rainstorm Warning or Signal No. 8+ was hoisted.
    pub fn mark_severe_weather(&mut self, date: NaiveDate) {
        self.severe_weather.insert(date);
    }

    pub fn unmark_severe_weather(&mut self, date: NaiveDate) {
        self.severe_weather.remove(&date);
    }

    /// True on a day marked with a Black Rainstorm Warning or Signal No. 8+: not an MCN or
    /// Post Office Working Day (R-061, R-062).
    pub fn is_severe_weather(&self, date: NaiveDate) -> bool {
        self.severe_weather.contains(&date)
    }

    /// A general holiday under Cap. 149 (not counting ordinary Sundays).
    pub fn is_general_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains_key(&date)
    }

    pub fn holiday_name(&self, date: NaiveDate) -> Option<&str> {
        self.holidays.get(&date).map(String::as_str)
    }

    /// EC-Ship "Public Holiday": every Sunday plus every general holiday (R-059).
    pub fn is_public_holiday(&self, date: NaiveDate) -> bool {
        date.weekday() == Weekday::Sun || self.is_general_holiday(date)
    }

    /// EC-Ship "Working Day": not Saturday and not a Public Holiday (R-060).
    pub fn is_ecship_working_day(&self, date: NaiveDate) -> bool {
        date.weekday() != Weekday::Sat && !self.is_public_holiday(date)
    }

    /// Pledge day: Sundays and public holidays excluded, Saturdays count (R-058).
    pub fn is_pledge_day(&self, date: NaiveDate) -> bool {
        !self.is_public_holiday(date)
    }

    /// MCN Working Day / Post Office Working Day: a pledge day that is not a marked Black
    /// Rainstorm / Signal No. 8+ day (R-061, R-062).
    pub fn is_mcn_working_day(&self, date: NaiveDate) -> bool {
        self.is_pledge_day(date) && !self.severe_weather.contains(&date)
    }

    pub fn is_working_day(&self, date: NaiveDate, kind: DayKind) -> bool {
        match kind {
            DayKind::EcShip => self.is_ecship_working_day(date),
            DayKind::Pledge => self.is_pledge_day(date),
            DayKind::Mcn => self.is_mcn_working_day(date),
        }
    }

    /// The `n`-th working day of `kind` after `start` (the start day itself is never counted,
    /// R-130). `n == 0` returns `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32, kind: DayKind) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.succ_opt().unwrap_or(d);
            if self.is_working_day(d, kind) {
                left -= 1;
            }
        }
        d
    }

    /// Working days of `kind` strictly after `from` up to and including `to` (0 if `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate, kind: DayKind) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.succ_opt().unwrap_or(to);
            if self.is_working_day(d, kind) {
                n += 1;
            }
        }
        n
    }

    /// Expected delivery between the `min`-th and the `max`-th working day after posting
    /// (e.g. e-Express+ 7–14, iMail 4–24; pledge days per §4.1). Reference only (R-094).
    pub fn delivery_window(
        &self,
        posted: NaiveDate,
        min: u32,
        max: u32,
        kind: DayKind,
    ) -> DeliveryWindow {
        let (lo, hi) = if min <= max { (min, max) } else { (max, min) };
        let earliest = self.add_working_days(posted, lo, kind);
        let latest = self.add_working_days(posted, hi, kind);
        let holidays_known = (posted.year()..=latest.year()).all(|y| self.covers(y));
        DeliveryWindow {
            earliest,
            latest,
            holidays_known,
        }
    }

    /// The date the iMail Item Acceptance Report should be on EC-Ship: 3 working days after
    /// posting, 7 in the peak season, counted in EC-Ship working days (R-154; §4.1 picks the
    /// EC-Ship definition because it gives the later date).
    pub fn acceptance_report_due(&self, posted: NaiveDate, peak: &PeakSeason) -> NaiveDate {
        let n = if peak.contains(posted) { 7 } else { 3 };
        self.add_working_days(posted, n, DayKind::EcShip)
    }
}

/// A delivery estimate; `holidays_known` is false when a year in the range has no holiday list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryWindow {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    pub holidays_known: bool,
}

/// The iMail peak season, as a set of months. The current calendar is unknown (§4.1, Low);
/// the default is November to February, after the 2018/19 example in 000.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeakSeason {
    /// Month numbers 1–12.
    pub months: BTreeSet<u32>,
}

impl Default for PeakSeason {
    fn default() -> Self {
        Self {
            months: [11, 12, 1, 2].into_iter().collect(),
        }
    }
}

impl PeakSeason {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.months.contains(&date.month())
    }
}

// ---------------------------------------------------------------------------------------------
// Calendar-day windows (R-029: "day" means calendar day)
// ---------------------------------------------------------------------------------------------

/// `date` plus `n` calendar months, clamped to the end of the month (31 Jan + 1 month =
/// 28/29 Feb). Saturates at chrono's maximum date instead of panicking.
pub fn add_months(date: NaiveDate, n: u32) -> NaiveDate {
    date.checked_add_months(Months::new(n))
        .unwrap_or(NaiveDate::MAX)
}

/// `date` plus `n` calendar days, saturating.
pub fn add_days(date: NaiveDate, n: u64) -> NaiveDate {
    date.checked_add_days(Days::new(n))
        .unwrap_or(NaiveDate::MAX)
}

/// An inclusive range of calendar dates during which something can be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateWindow {
    pub opens: NaiveDate,
    /// The last day it can still be done.
    pub closes: NaiveDate,
}

/// Where `today` falls relative to a [`DateWindow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowStatus {
    NotYetOpen,
    Open,
    Closed,
}

impl DateWindow {
    pub fn status(&self, today: NaiveDate) -> WindowStatus {
        if today < self.opens {
            WindowStatus::NotYetOpen
        } else if today <= self.closes {
            WindowStatus::Open
        } else {
            WindowStatus::Closed
        }
    }
}

/// Registered Mail and iMail tracing: from 2 weeks to 5 months after posting (R-117, R-160).
pub fn trace_window(posted: NaiveDate) -> DateWindow {
    DateWindow {
        opens: add_days(posted, 14),
        closes: add_months(posted, 5),
    }
}

/// e-Express+ claims: 2 to 4 months after posting (R-101).
pub fn eexpress_claim_window(posted: NaiveDate) -> DateWindow {
    DateWindow {
        opens: add_months(posted, 2),
        closes: add_months(posted, 4),
    }
}

/// Speedpost enquiries: within 3 months of posting (R-129).
pub fn speedpost_enquiry_window(posted: NaiveDate) -> DateWindow {
    DateWindow {
        opens: posted,
        closes: add_months(posted, 3),
    }
}

/// Outward parcel enquiries: within 5 months of posting (R-133).
pub fn parcel_enquiry_window(posted: NaiveDate) -> DateWindow {
    DateWindow {
        opens: posted,
        closes: add_months(posted, 5),
    }
}

/// Certificate of Posting download: within 6 months of posting (R-106).
pub fn certificate_of_posting_window(posted: NaiveDate) -> DateWindow {
    DateWindow {
        opens: posted,
        closes: add_months(posted, 6),
    }
}

/// The enquiry / trace window that applies to an item of `service`, if the seeds give one.
pub fn enquiry_window(service: Service, posted: NaiveDate) -> Option<DateWindow> {
    match service {
        Service::Speedpost => Some(speedpost_enquiry_window(posted)),
        Service::AirParcel | Service::SurfaceParcel => Some(parcel_enquiry_window(posted)),
        Service::AirRegistered(_) | Service::SurfaceRegistered(_) | Service::Imail => {
            Some(trace_window(posted))
        }
        Service::EExpress => Some(eexpress_claim_window(posted)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Label validity (C-01)
// ---------------------------------------------------------------------------------------------

/// Days after which Satchel treats an unposted label as expired (C-01: the T&C's 30 days,
/// R-025/R-026/R-027). Calendar days (R-029).
pub const LABEL_VALID_DAYS: u64 = 30;
/// The FAQ's figure (R-030/R-031), shown in help text as the other source's number.
pub const LABEL_VALID_DAYS_FAQ: u64 = 90;

/// What a label's 30-day validity is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpiryBasis {
    /// First created and saved (R-025, R-027).
    FirstSaved,
    /// Paid online; Registered Mail labels (R-026).
    Payment,
}

/// When a label stops being usable, by C-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelExpiry {
    /// The first day the label must be treated as expired (30 calendar days after the basis).
    pub expires_on: NaiveDate,
    /// The same by the FAQ's 90 days, for display only.
    pub faq_expires_on: NaiveDate,
    pub basis: ExpiryBasis,
}

impl LabelExpiry {
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        today >= self.expires_on
    }

    /// Whole days left before `expires_on` (0 once expired).
    pub fn days_left(&self, today: NaiveDate) -> u32 {
        u32::try_from((self.expires_on - today).num_days().max(0)).unwrap_or(u32::MAX)
    }
}

/// Label validity (C-01): 30 calendar days from first save; for a Registered Mail label paid
/// online, 30 days from the payment date. EC-Ship's own expiry, when synced, prevails.
pub fn label_expiry(
    service: Service,
    first_saved: NaiveDate,
    paid_on: Option<NaiveDate>,
) -> LabelExpiry {
    let registered = matches!(
        service,
        Service::AirRegistered(_) | Service::SurfaceRegistered(_)
    );
    let (base, basis) = match paid_on {
        Some(p) if registered => (p, ExpiryBasis::Payment),
        _ => (first_saved, ExpiryBasis::FirstSaved),
    };
    LabelExpiry {
        expires_on: add_days(base, LABEL_VALID_DAYS),
        faq_expires_on: add_days(base, LABEL_VALID_DAYS_FAQ),
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::LetterFormat;
    use proptest::prelude::*;
    use rstest::rstest;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// §4.2 tables as (y, m, d), typed independently of `BUNDLED`.
    const TABLE: &[(i32, u32, u32)] = &[
        (2025, 1, 1),
        (2025, 1, 29),
        (2025, 1, 30),
        (2025, 1, 31),
        (2025, 4, 4),
        (2025, 4, 18),
        (2025, 4, 19),
        (2025, 4, 21),
        (2025, 5, 1),
        (2025, 5, 5),
        (2025, 5, 31),
        (2025, 7, 1),
        (2025, 10, 1),
        (2025, 10, 7),
        (2025, 10, 29),
        (2025, 12, 25),
        (2025, 12, 26),
        (2026, 1, 1),
        (2026, 2, 17),
        (2026, 2, 18),
        (2026, 2, 19),
        (2026, 4, 3),
        (2026, 4, 4),
        (2026, 4, 6),
        (2026, 4, 7),
        (2026, 5, 1),
        (2026, 5, 25),
        (2026, 6, 19),
        (2026, 7, 1),
        (2026, 9, 26),
        (2026, 10, 1),
        (2026, 10, 19),
        (2026, 12, 25),
        (2026, 12, 26),
        (2027, 1, 1),
        (2027, 2, 6),
        (2027, 2, 8),
        (2027, 2, 9),
        (2027, 3, 26),
        (2027, 3, 27),
        (2027, 3, 29),
        (2027, 4, 5),
        (2027, 5, 1),
        (2027, 5, 13),
        (2027, 6, 9),
        (2027, 7, 1),
        (2027, 9, 16),
        (2027, 10, 1),
        (2027, 10, 8),
        (2027, 12, 25),
        (2027, 12, 27),
    ];

    #[test]
    fn r059_every_table_date_is_a_general_holiday_and_nothing_else_is() {
        let cal = HolidayCalendar::bundled();
        for &(y, m, day) in TABLE {
            assert!(cal.is_general_holiday(d(y, m, day)), "{y}-{m}-{day}");
            assert!(cal.is_public_holiday(d(y, m, day)));
        }
        for y in 2025..=2027 {
            let want = TABLE.iter().filter(|t| t.0 == y).count();
            assert_eq!(cal.holidays_in(y).len(), want, "{y}");
            assert!(cal.covers(y));
        }
        assert!(!cal.covers(2028));
        assert!(cal.is_provisional(2027) && !cal.is_provisional(2026));
    }

    #[test]
    fn r059_bundled_holidays_never_fall_on_sunday() {
        let cal = HolidayCalendar::bundled();
        for y in 2025..=2027 {
            for h in cal.holidays_in(y) {
                assert_ne!(h.date.weekday(), Weekday::Sun, "{}", h.date);
            }
        }
    }

    // §4.2 substitution: a holiday on a Sunday moves to the next weekday; LNY day 2 on a
    // Sunday makes day 4 the holiday; Saturday holidays do not move.
    #[rstest]
    #[case::r059_ching_ming_2026_sunday(d(2026, 4, 5), d(2026, 4, 6))]
    #[case::r059_buddha_2026_sunday(d(2026, 5, 24), d(2026, 5, 25))]
    #[case::r059_chung_yeung_2026_sunday(d(2026, 10, 18), d(2026, 10, 19))]
    #[case::r059_lny2_2027_sunday(d(2027, 2, 7), d(2027, 2, 9))]
    #[case::r059_christmas_2027_saturday_then_sunday(d(2027, 12, 26), d(2027, 12, 27))]
    fn r059_sunday_holidays_are_substituted(#[case] sunday: NaiveDate, #[case] sub: NaiveDate) {
        let cal = HolidayCalendar::bundled();
        assert_eq!(sunday.weekday(), Weekday::Sun);
        assert!(!cal.is_general_holiday(sunday), "Sundays are not listed");
        assert!(cal.is_public_holiday(sunday));
        assert!(cal.is_general_holiday(sub));
        assert_ne!(sub.weekday(), Weekday::Sun);
    }

    #[rstest]
    #[case::r059_good_friday_next_day_2025(d(2025, 4, 19))]
    #[case::r059_tuen_ng_2025(d(2025, 5, 31))]
    #[case::r059_mid_autumn_2026(d(2026, 9, 26))]
    #[case::r059_lny_2027(d(2027, 2, 6))]
    fn r059_saturday_holidays_stay_on_saturday(#[case] sat: NaiveDate) {
        let cal = HolidayCalendar::bundled();
        assert_eq!(sat.weekday(), Weekday::Sat);
        assert!(cal.is_general_holiday(sat));
    }

    // Day definitions on ordinary and holiday dates (C-08).
    #[rstest]
    //                                       date           public ecship pledge
    #[case::r060_ordinary_monday(d(2026, 3, 2), false, true, true)]
    #[case::r060_ordinary_saturday(d(2026, 3, 7), false, false, true)]
    #[case::r059_ordinary_sunday(d(2026, 3, 8), true, false, false)]
    #[case::r058_holiday_saturday(d(2026, 4, 4), true, false, false)]
    #[case::r060_holiday_weekday(d(2025, 12, 25), true, false, false)]
    fn r058_r059_r060_day_definitions(
        #[case] date: NaiveDate,
        #[case] public: bool,
        #[case] ecship: bool,
        #[case] pledge: bool,
    ) {
        let cal = HolidayCalendar::bundled();
        assert_eq!(cal.is_public_holiday(date), public);
        assert_eq!(cal.is_ecship_working_day(date), ecship);
        assert_eq!(cal.is_pledge_day(date), pledge);
        assert_eq!(cal.is_mcn_working_day(date), pledge);
    }

    #[test]
    fn r061_marked_black_rainstorm_day_is_not_an_mcn_working_day() {
        let mut cal = HolidayCalendar::bundled();
        let day = d(2026, 7, 14); // a Tuesday
        assert!(cal.is_mcn_working_day(day));
        cal.mark_severe_weather(day);
        assert!(!cal.is_mcn_working_day(day));
        assert!(
            cal.is_ecship_working_day(day),
            "only MCN counting skips marked days"
        );
        assert_eq!(
            cal.add_working_days(d(2026, 7, 13), 1, DayKind::Mcn),
            d(2026, 7, 15)
        );
        cal.unmark_severe_weather(day);
        assert!(cal.is_mcn_working_day(day));
    }

    #[rstest]
    // LNY 2026: Tue 17 – Thu 19 Feb. From Fri 13 Feb: Mon 16, Fri 20, Mon 23.
    #[case::r060_lny_2026_ecship(d(2026, 2, 13), 3, DayKind::EcShip, d(2026, 2, 23))]
    // Pledge counts Saturdays: Sat 14, Mon 16, Fri 20.
    #[case::r058_lny_2026_pledge(d(2026, 2, 13), 3, DayKind::Pledge, d(2026, 2, 20))]
    // Easter 2026: Fri 3, Sat 4, Mon 6, Tue 7 Apr. From Thu 2 Apr: Wed 8 Apr.
    #[case::r060_easter_2026_ecship(d(2026, 4, 2), 1, DayKind::EcShip, d(2026, 4, 8))]
    #[case::r058_easter_2026_pledge(d(2026, 4, 2), 2, DayKind::Pledge, d(2026, 4, 9))]
    // Christmas 2025: Thu 25, Fri 26; from Wed 24 Dec: Mon 29, Tue 30, Wed 31, Fri 2 Jan.
    #[case::r060_christmas_2025_ecship(d(2025, 12, 24), 4, DayKind::EcShip, d(2026, 1, 2))]
    #[case::r058_christmas_2025_pledge(d(2025, 12, 24), 1, DayKind::Pledge, d(2025, 12, 27))]
    #[case::r060_zero_days(d(2026, 3, 7), 0, DayKind::EcShip, d(2026, 3, 7))]
    fn add_working_days_across_holidays(
        #[case] start: NaiveDate,
        #[case] n: u32,
        #[case] kind: DayKind,
        #[case] want: NaiveDate,
    ) {
        let cal = HolidayCalendar::bundled();
        assert_eq!(cal.add_working_days(start, n, kind), want);
        assert_eq!(cal.working_days_between(start, want, kind), n);
    }

    #[test]
    fn r094_delivery_window_e_express_7_to_14_pledge_days() {
        let cal = HolidayCalendar::bundled();
        // Posted Mon 2 Mar 2026: pledge days Tue 3 .. ; 7th = Tue 10 Mar, 14th = Wed 18 Mar.
        let w = cal.delivery_window(d(2026, 3, 2), 7, 14, DayKind::Pledge);
        assert_eq!((w.earliest, w.latest), (d(2026, 3, 10), d(2026, 3, 18)));
        assert!(w.holidays_known);
        let late = cal.delivery_window(d(2027, 12, 20), 4, 24, DayKind::Pledge);
        assert!(!late.holidays_known, "2028 has no holiday list");
    }

    #[rstest]
    // Non-peak (Mar): 3 EC-Ship days from Thu 2 Apr 2026 across Easter: 8, 9, 10 Apr.
    #[case::r154_non_peak_easter(d(2026, 4, 2), d(2026, 4, 10))]
    // Peak (Dec): 7 EC-Ship days from Wed 24 Dec 2025: 29, 30, 31 Dec, 2, 5, 6, 7 Jan.
    #[case::r154_peak_christmas(d(2025, 12, 24), d(2026, 1, 7))]
    fn r154_acceptance_report_due(#[case] posted: NaiveDate, #[case] due: NaiveDate) {
        let cal = HolidayCalendar::bundled();
        assert_eq!(
            cal.acceptance_report_due(posted, &PeakSeason::default()),
            due
        );
    }

    #[test]
    fn r154_peak_season_is_configurable() {
        let cal = HolidayCalendar::bundled();
        let posted = d(2026, 3, 2); // Monday, non-peak by default
        assert_eq!(
            cal.acceptance_report_due(posted, &PeakSeason::default()),
            d(2026, 3, 5)
        );
        let march_peak = PeakSeason {
            months: [3].into_iter().collect(),
        };
        assert_eq!(
            cal.acceptance_report_due(posted, &march_peak),
            d(2026, 3, 11)
        );
    }

    #[rstest]
    #[case::r029_jan31_plus_1_2026(d(2026, 1, 31), 1, d(2026, 2, 28))]
    #[case::r029_jan31_plus_1_leap_2028(d(2028, 1, 31), 1, d(2028, 2, 29))]
    #[case::r117_oct31_plus_5(d(2025, 10, 31), 5, d(2026, 3, 31))]
    #[case::r117_sep30_plus_5(d(2025, 9, 30), 5, d(2026, 2, 28))]
    #[case::r029_aug31_plus_6(d(2025, 8, 31), 6, d(2026, 2, 28))]
    fn r029_months_clamp_to_month_end(
        #[case] from: NaiveDate,
        #[case] n: u32,
        #[case] to: NaiveDate,
    ) {
        assert_eq!(add_months(from, n), to);
    }

    #[test]
    fn r117_r160_trace_window_2_weeks_to_5_months() {
        let w = trace_window(d(2025, 9, 30));
        assert_eq!(
            w,
            DateWindow {
                opens: d(2025, 10, 14),
                closes: d(2026, 2, 28)
            }
        );
        assert_eq!(w.status(d(2025, 10, 13)), WindowStatus::NotYetOpen);
        assert_eq!(w.status(d(2025, 10, 14)), WindowStatus::Open);
        assert_eq!(w.status(d(2026, 2, 28)), WindowStatus::Open);
        assert_eq!(w.status(d(2026, 3, 1)), WindowStatus::Closed);
    }

    #[test]
    fn r101_eexpress_claim_window_2_to_4_months() {
        let w = eexpress_claim_window(d(2025, 12, 31));
        assert_eq!(
            w,
            DateWindow {
                opens: d(2026, 2, 28),
                closes: d(2026, 4, 30)
            }
        );
    }

    #[rstest]
    #[case::r129_speedpost(Service::Speedpost, d(2025, 11, 30), d(2026, 2, 28))]
    #[case::r133_air_parcel(Service::AirParcel, d(2025, 11, 30), d(2026, 4, 30))]
    #[case::r117_registered(
        Service::AirRegistered(LetterFormat::Packet),
        d(2025, 11, 30),
        d(2026, 4, 30)
    )]
    #[case::r160_imail(Service::Imail, d(2025, 11, 30), d(2026, 4, 30))]
    #[case::r101_eexpress(Service::EExpress, d(2025, 11, 30), d(2026, 3, 30))]
    fn enquiry_window_by_service(
        #[case] s: Service,
        #[case] posted: NaiveDate,
        #[case] closes: NaiveDate,
    ) {
        assert_eq!(enquiry_window(s, posted).map(|w| w.closes), Some(closes));
    }

    #[test]
    fn r106_certificate_of_posting_6_months() {
        let w = certificate_of_posting_window(d(2025, 8, 31));
        assert_eq!((w.opens, w.closes), (d(2025, 8, 31), d(2026, 2, 28)));
        assert_eq!(enquiry_window(Service::LocalParcel, d(2025, 8, 31)), None);
    }

    #[rstest]
    #[case::c01_eexpress_first_save(
        Service::EExpress,
        None,
        d(2026, 1, 31),
        ExpiryBasis::FirstSaved
    )]
    #[case::c01_registered_unpaid(
        Service::AirRegistered(LetterFormat::Packet),
        None,
        d(2026, 1, 31),
        ExpiryBasis::FirstSaved
    )]
    #[case::c01_registered_paid(
        Service::AirRegistered(LetterFormat::Packet),
        Some(d(2026, 1, 10)),
        d(2026, 2, 9),
        ExpiryBasis::Payment
    )]
    #[case::c01_speedpost_paid_counts_from_save(
        Service::Speedpost,
        Some(d(2026, 1, 10)),
        d(2026, 1, 31),
        ExpiryBasis::FirstSaved
    )]
    fn c01_label_expiry_30_calendar_days(
        #[case] s: Service,
        #[case] paid: Option<NaiveDate>,
        #[case] expires: NaiveDate,
        #[case] basis: ExpiryBasis,
    ) {
        let e = label_expiry(s, d(2026, 1, 1), paid);
        assert_eq!(e.expires_on, expires);
        assert_eq!(e.basis, basis);
        assert_eq!(e.faq_expires_on - e.expires_on, chrono::Duration::days(60));
        assert!(!e.is_expired(e.expires_on.pred_opt().unwrap()));
        assert!(e.is_expired(e.expires_on));
        assert_eq!(e.days_left(e.expires_on.pred_opt().unwrap()), 1);
        assert_eq!(e.days_left(add_days(e.expires_on, 5)), 0);
    }

    const FEED: &str = "\u{feff}{\"vcalendar\":[{\"prodid\":\"-//1823//EN\",\"version\":\"2.0\",\
        \"vevent\":[\
        {\"dtstart\":[\"20280101\",{\"value\":\"DATE\"}],\"dtend\":[\"20280102\",{\"value\":\"DATE\"}],\"transp\":\"TRANSPARENT\",\"uid\":\"20280101@1823.gov.hk\",\"summary\":\"The first day of January\"},\
        {\"dtstart\":[\"20280126\",{\"value\":\"DATE\"}],\"summary\":\"Lunar New Year's Day\"},\
        {\"dtstart\":[\"20271227\",{\"value\":\"DATE\"}],\"summary\":\"The first weekday after Christmas Day\"}\
        ]}]}";

    #[test]
    fn r059_parses_1823_feed_with_bom() {
        let list = parse_1823_json(FEED).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(
            list[0],
            Holiday {
                date: d(2028, 1, 1),
                name: "The first day of January".into()
            }
        );
        assert_eq!(list[1].date, d(2028, 1, 26));
    }

    #[test]
    fn r059_feed_replaces_the_years_it_covers() {
        let mut cal = HolidayCalendar::bundled();
        assert_eq!(cal.load_1823_json(FEED).unwrap(), 3);
        assert!(cal.covers(2028));
        assert!(cal.is_general_holiday(d(2028, 1, 26)));
        // 2027 now comes from the feed, which (in this test feed) lists only 27 Dec.
        assert_eq!(cal.holidays_in(2027).len(), 1);
        assert!(!cal.is_provisional(2027));
        // Other years untouched.
        assert_eq!(cal.holidays_in(2026).len(), 17);
    }

    #[test]
    fn r059_feed_in_chinese_and_without_bom() {
        let tc = r#"{"vcalendar":[{"vevent":[{"dtstart":["20280101",{"value":"DATE"}],"summary":"一月一日"}]}]}"#;
        let list = parse_1823_json(tc).unwrap();
        assert_eq!(list[0].name, "一月一日");
    }

    #[rstest]
    #[case::r059_not_json("\u{feff}<html>", "Json")]
    #[case::r059_no_vevent(r#"{"vcalendar":[{}]}"#, "NoEvents")]
    #[case::r059_bad_date(
        r#"{"vcalendar":[{"vevent":[{"dtstart":["2028-01-01"]}]}]}"#,
        "BadDate"
    )]
    #[case::r059_missing_date(r#"{"vcalendar":[{"vevent":[{"summary":"x"}]}]}"#, "MissingDate")]
    fn r059_feed_errors(#[case] text: &str, #[case] kind: &str) {
        let err = parse_1823_json(text).unwrap_err();
        assert!(format!("{err:?}").starts_with(kind), "{err:?}");
    }

    fn kind() -> impl Strategy<Value = DayKind> {
        prop_oneof![
            Just(DayKind::EcShip),
            Just(DayKind::Pledge),
            Just(DayKind::Mcn)
        ]
    }

    proptest! {
        // R-058/R-060: the result is a working day of that kind, strictly after the start,
        // and exactly n working days away.
        #[test]
        fn add_working_days_lands_on_a_working_day(
            offset in 0u64..(3 * 366), n in 1u32..40, k in kind()
        ) {
            let cal = HolidayCalendar::bundled();
            let start = add_days(d(2025, 1, 1), offset);
            let end = cal.add_working_days(start, n, k);
            prop_assert!(end > start);
            prop_assert!(cal.is_working_day(end, k));
            prop_assert_eq!(cal.working_days_between(start, end, k), n);
        }

        // R-029: adding months never overshoots the target month.
        #[test]
        fn add_months_stays_in_target_month(offset in 0u64..3000, n in 0u32..24) {
            let start = add_days(d(2025, 1, 1), offset);
            let end = add_months(start, n);
            let months = (end.year() - start.year()) * 12 + end.month() as i32 - start.month() as i32;
            prop_assert_eq!(months, n as i32);
            prop_assert!(end.day() <= start.day());
        }
    }
}
