//! Hong Kong time for both front ends. The core never reads a clock (dates are parameters);
//! this module is where the app and the CLI read it, so "today" means the merchant's day in
//! Hong Kong (UTC+8, no daylight saving) wherever the computer's own time zone is set.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// Hong Kong's offset from UTC, in seconds.
pub const HK_OFFSET_SECS: i32 = 8 * 3600;

/// Hong Kong's fixed offset.
pub fn hong_kong() -> FixedOffset {
    FixedOffset::east_opt(HK_OFFSET_SECS).expect("UTC+8 is a valid offset")
}

/// The Hong Kong date at the instant `t`.
pub fn hk_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&hong_kong()).date_naive()
}

/// Today's date in Hong Kong, from the wall clock.
#[allow(clippy::disallowed_methods)] // the clock adapter
pub fn today_in_hong_kong() -> NaiveDate {
    hk_date(Utc::now())
}

/// The date and time in Hong Kong now, from the wall clock (cut-off times are Hong Kong's).
pub fn now_in_hong_kong() -> NaiveDateTime {
    now().with_timezone(&hong_kong()).naive_local()
}

/// Now, from the wall clock.
#[allow(clippy::disallowed_methods)] // the clock adapter
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Now, as milliseconds since the epoch (the store's time stamps).
pub fn now_ms() -> i64 {
    now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_evening_utc_is_the_next_day_in_hong_kong() {
        let t = DateTime::parse_from_rfc3339("2026-12-05T16:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(hk_date(t), NaiveDate::from_ymd_opt(2026, 12, 6).unwrap());
    }
}
