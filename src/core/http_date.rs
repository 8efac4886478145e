//! HTTP dates (RFC 9110 §5.6.7), for rule 9's `Retry-After`, read without a date crate.
//!
//! All three forms a recipient must accept are read:
//! - IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT` (what servers send today);
//! - obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`;
//! - obsolete asctime: `Sun Nov  6 08:49:37 1994`.
//!
//! Runs of spaces are accepted where one is expected. The weekday must be a weekday
//! name but is not checked against the date.

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// 50 years, for RFC 850's two-digit years.
const FIFTY_YEARS_S: f64 = 50.0 * 365.2425 * 86_400.0;

/// Parses an HTTP date to seconds since the Unix epoch. `None` when it is not one.
///
/// `now_s` only serves RFC 850's two-digit year: a year that would be more than 50
/// years after `now_s` is read as the century before.
pub fn parse(value: &str, now_s: f64) -> Option<f64> {
    let mut parts = value.split_ascii_whitespace();
    let first = parts.next()?;
    let time = match first.strip_suffix(',') {
        Some(day) if DAYS.contains(&day) => imf_fixdate(&mut parts)?,
        Some(day) if LONG_DAYS.contains(&day) => rfc850(&mut parts, now_s)?,
        None if DAYS.contains(&first) => asctime(&mut parts)?,
        _ => return None,
    };
    match parts.next() {
        None => Some(time),
        Some(_) => None,
    }
}

/// `06 Nov 1994 08:49:37 GMT`
fn imf_fixdate<'a>(parts: &mut impl Iterator<Item = &'a str>) -> Option<f64> {
    let day = digits(parts.next()?, 2)?;
    let month = month(parts.next()?)?;
    let year = digits(parts.next()?, 4)?;
    let clock = hms(parts.next()?)?;
    gmt(parts.next()?)?;
    timestamp(year, month, day, clock)
}

/// `06-Nov-94 08:49:37 GMT`
fn rfc850<'a>(parts: &mut impl Iterator<Item = &'a str>, now_s: f64) -> Option<f64> {
    let mut date = parts.next()?.split('-');
    let day = digits(date.next()?, 2)?;
    let month = month(date.next()?)?;
    let yy = digits(date.next()?, 2)?;
    if date.next().is_some() {
        return None;
    }
    let clock = hms(parts.next()?)?;
    gmt(parts.next()?)?;
    let recent = timestamp(2000 + yy, month, day, clock)?;
    if recent > now_s + FIFTY_YEARS_S {
        timestamp(1900 + yy, month, day, clock)
    } else {
        Some(recent)
    }
}

/// `Nov  6 08:49:37 1994`
fn asctime<'a>(parts: &mut impl Iterator<Item = &'a str>) -> Option<f64> {
    let month = month(parts.next()?)?;
    let day_text = parts.next()?;
    let day = digits(day_text, 1).or_else(|| digits(day_text, 2))?;
    let clock = hms(parts.next()?)?;
    let year = digits(parts.next()?, 4)?;
    timestamp(year, month, day, clock)
}

fn gmt(zone: &str) -> Option<()> {
    (zone == "GMT").then_some(())
}

/// A month name, as 1..=12.
fn month(name: &str) -> Option<u32> {
    let index = MONTHS.iter().position(|m| *m == name)?;
    u32::try_from(index + 1).ok()
}

/// Exactly `len` ASCII digits.
fn digits(text: &str, len: usize) -> Option<u32> {
    if text.len() != len || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `hh:mm:ss` as seconds into the day; a leap second `60` is accepted.
fn hms(text: &str) -> Option<u32> {
    let mut fields = text.split(':');
    let h = digits(fields.next()?, 2)?;
    let m = digits(fields.next()?, 2)?;
    let s = digits(fields.next()?, 2)?;
    if fields.next().is_some() || h > 23 || m > 59 || s > 60 {
        return None;
    }
    Some(h * 3600 + m * 60 + s)
}

fn is_leap(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Seconds since the epoch of a checked civil date (Howard Hinnant's days_from_civil).
fn timestamp(year: u32, month: u32, day: u32, seconds_of_day: u32) -> Option<f64> {
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + i64::from(seconds_of_day)) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: f64 = 1_750_000_000.0; // June 2025
    const RFC_EXAMPLE: f64 = 784_111_777.0; // Sun, 06 Nov 1994 08:49:37 GMT

    #[test]
    fn accepted_forms() {
        let table = [
            ("Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE),
            ("Sunday, 06-Nov-94 08:49:37 GMT", RFC_EXAMPLE),
            ("Sun Nov  6 08:49:37 1994", RFC_EXAMPLE),
            ("Sun Nov 06 08:49:37 1994", RFC_EXAMPLE),
            ("  Sun,  06 Nov 1994 08:49:37 GMT ", RFC_EXAMPLE),
            ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
            ("Wed, 31 Dec 1969 23:59:59 GMT", -1.0),
            ("Tue, 29 Feb 2000 12:00:00 GMT", 951_825_600.0),
            ("Sat, 01 Jan 2000 00:00:00 GMT", 946_684_800.0),
            ("Fri, 31 Dec 9999 23:59:59 GMT", 253_402_300_799.0),
            ("Wed, 01 Jan 2025 00:00:60 GMT", 1_735_689_660.0),
            // RFC 850: within 50 years ahead -> 20yy, else 19yy.
            ("Monday, 01-Jan-30 00:00:00 GMT", 1_893_456_000.0),
            ("Monday, 01-Jan-99 00:00:00 GMT", 915_148_800.0),
        ];
        for (text, want) in table {
            assert_eq!(parse(text, NOW), Some(want), "{text}");
        }
    }

    #[test]
    fn refused_forms() {
        let table = [
            "",
            "120",
            "Sun, 06 Nov 1994 08:49:37",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 29 Feb 1900 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37:00 GMT",
            "Sun, 06 Nov +994 08:49:37 GMT",
            "Sunday, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06-Nov-94 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Sunday, 06-Nov-94-1 08:49:37 GMT",
            "Sun Nov  6 08:49:37 94",
            "Sun Nov 6 08:49:37 1994 GMT",
            "Funday, 06-Nov-94 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT\u{0}",
            "Sun, ٠٦ Nov 1994 08:49:37 GMT",
        ];
        for text in table {
            assert_eq!(parse(text, NOW), None, "{text:?}");
        }
    }
}
