//! The server's clock: system time plus an offset that a test control can
//! shift (`POST /__sandbox/clock`), so tests can play a server whose clock
//! differs from the page's. Token `iat`/`exp`, the expiry check, the `Date`
//! header and `Retry-After` dates all read this one clock.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::util::now_secs;

/// Largest offset accepted, in seconds (ten years either way).
pub const MAX_OFFSET_S: i64 = 315_360_000;

/// System time shifted by an offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset: AtomicI64,
}

impl Clock {
    /// The server's time in Unix seconds.
    pub fn now(&self) -> i64 {
        now_secs().saturating_add(self.offset())
    }

    /// The current offset from system time, in seconds.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    /// Sets the offset (callers check the range).
    pub fn set_offset(&self, offset_s: i64) {
        self.offset.store(offset_s, Ordering::SeqCst);
    }
}

/// `(year, month 1..=12, day 1..=31)` of a Unix day number (Howard Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // month is 1..=12 and day 1..=31 by construction.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// `(year, month 1..=12)` of Unix seconds, in UTC.
pub fn year_month(unix: i64) -> (i64, u32) {
    let (y, m, _) = civil_from_days(unix.div_euclid(86_400));
    (y, m)
}

/// An IMF-fixdate (RFC 9110 HTTP-date): `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let weekday = usize::try_from(days.rem_euclid(7)).unwrap_or(0);
    let month_name = usize::try_from(month - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .unwrap_or(&"Jan");
    format!(
        "{}, {day:02} {month_name} {year:04} {:02}:{:02}:{:02} GMT",
        DAYS.get(weekday).unwrap_or(&"Thu"),
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

/// Middleware: every response carries a `Date` from the server's clock
/// (hyper keeps a `Date` the application set).
pub async fn date_header(State(clock): State<Arc<Clock>>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&http_date(clock.now())) {
        res.headers_mut().insert(header::DATE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(1_709_210_096), "Thu, 29 Feb 2024 12:34:56 GMT");
        assert_eq!(year_month(1_709_210_096), (2024, 2));
    }

    #[test]
    fn offsets_shift_now() {
        let c = Clock::default();
        let before = c.now();
        c.set_offset(-86_400);
        assert!((before - 86_400 - c.now()).abs() <= 1);
        c.set_offset(0);
        assert!((c.now() - before).abs() <= 1);
    }
}
