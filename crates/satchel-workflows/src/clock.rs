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

/// Today's date in Hong Kong, from [`now`].
pub fn today_in_hong_kong() -> NaiveDate {
    hk_date(now())
}

/// The date and time in Hong Kong now, from [`now`] (cut-off times are Hong Kong's).
pub fn now_in_hong_kong() -> NaiveDateTime {
    now().with_timezone(&hong_kong()).naive_local()
}

/// The environment variable that sets the app's clock (RFC 3339, e.g.
/// `2026-12-05T10:00:00+08:00`): the app and the CLI start at that instant and their clock runs
/// on from there. It is how the end-to-end tests show a seeded day's reminders; a merchant never
/// sets it, and it can move nothing the computer's own clock setting could not.
pub const CLOCK_ENV: &str = "SATCHEL_CLOCK";

/// Where the clock was set to start, and when (monotonic) it was set.
fn shifted_start() -> Option<&'static (DateTime<Utc>, std::time::Instant)> {
    static START: std::sync::OnceLock<Option<(DateTime<Utc>, std::time::Instant)>> =
        std::sync::OnceLock::new();
    START
        .get_or_init(|| {
            let text = std::env::var(CLOCK_ENV).ok()?;
            let at = DateTime::parse_from_rfc3339(text.trim()).ok()?;
            Some((at.with_timezone(&Utc), std::time::Instant::now()))
        })
        .as_ref()
}

/// Now: the wall clock, or the clock set by [`CLOCK_ENV`] running on from its start. Time
/// keeps moving either way, so job leases and retry delays behave as they do in real use.
#[allow(clippy::disallowed_methods)] // the clock adapter
pub fn now() -> DateTime<Utc> {
    match shifted_start() {
        Some((at, since)) => *at + chrono::Duration::from_std(since.elapsed()).unwrap_or_default(),
        None => Utc::now(),
    }
}

/// The store's clock: [`now`], so that a clock set by [`CLOCK_ENV`] dates what the store writes
/// too (a shipment posted "today" is posted on the app's today).
#[derive(Debug, Clone, Copy, Default)]
pub struct AppClock;

impl satchel_store::Clock for AppClock {
    fn now_ms(&self) -> u64 {
        u64::try_from(now_ms()).unwrap_or(0)
    }
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
