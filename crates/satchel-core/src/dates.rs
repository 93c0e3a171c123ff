//! Dates as Hong Kong writes them: day first (`5/12/2026`, `05-12-2026`) or ISO (`2026-12-05`),
//! never month first (issue #15). Every front end reads typed dates here and shows them with
//! [`day_first`], so the window and the CLI cannot disagree on what `3/4/2026` means.

use chrono::NaiveDate;

/// A date as typed: `D/M/YYYY`, `DD/MM/YYYY`, with `/`, `-` or `.` between the parts, or ISO
/// `YYYY-MM-DD` (also `YYYY/MM/DD`). A two-digit year is refused: `05/12/26` could be either
/// century's, and no one should have to guess which the app picked.
pub fn parse(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let parts: Vec<&str> = t.split(['/', '-', '.']).map(str::trim).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if ![a, b, c]
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|x| x.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d) = match (a.len(), c.len()) {
        (4, 1..=2) if b.len() <= 2 => (a, b, c),
        (1..=2, 4) if b.len() <= 2 => (c, b, a),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// `05/12/2026`: how dates are shown to the merchant.
pub fn day_first(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// An ISO date (`2026-12-05`, as the app's data carries them) shown day first; anything else as
/// it is.
pub fn iso_to_day_first(iso: &str) -> String {
    match NaiveDate::parse_from_str(iso.trim(), "%Y-%m-%d") {
        Ok(d) => day_first(d),
        Err(_) => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_day_comes_first_whatever_the_separator() {
        for text in [
            "5/12/2026",
            "05/12/2026",
            "5-12-2026",
            "05.12.2026",
            " 5 / 12 / 2026 ",
        ] {
            assert_eq!(parse(text), Some(d(2026, 12, 5)), "{text}");
        }
    }

    #[test]
    fn iso_dates_are_read_too() {
        assert_eq!(parse("2026-12-05"), Some(d(2026, 12, 5)));
        assert_eq!(parse("2026/12/5"), Some(d(2026, 12, 5)));
    }

    #[test]
    fn a_month_first_reading_is_never_taken() {
        // 12/5 is the 12th of May in Hong Kong, not the 5th of December.
        assert_eq!(parse("12/5/2026"), Some(d(2026, 5, 12)));
        // 13th month: a US-style 5/13 is not silently "fixed".
        assert_eq!(parse("5/13/2026"), None);
    }

    #[test]
    fn ambiguous_or_impossible_dates_are_refused() {
        for text in [
            "05/12/26",
            "31/02/2026",
            "2026-12",
            "",
            "tomorrow",
            "1/2/3/2026",
            "+5/12/2026",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn dates_are_shown_day_first() {
        assert_eq!(day_first(d(2026, 1, 9)), "09/01/2026");
        assert_eq!(iso_to_day_first("2026-12-05"), "05/12/2026");
        assert_eq!(iso_to_day_first("never"), "never");
    }
}
