//! Instants as the portal reads and writes them (docspace-api.md 2.2).
//!
//! The server stores .NET `DateTime` ticks (100 ns) and answers in the portal's own
//! time zone with seven fractional digits, so a client comparing strings instead of
//! instants breaks. The simulator reproduces that on purpose.

use std::fmt::Write as _;

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ToSpan};

/// Parses an `expirationDate` the way the server's model binder does: a full
/// timestamp with offset, or a civil date-time or date read in the portal's offset.
/// Anything else is `None`: the server drops an unparseable expiry without an error.
pub(crate) fn parse_request_instant(text: &str, portal: Offset) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(truncate_to_ticks(ts));
    }
    let civil = text
        .parse::<DateTime>()
        .or_else(|_| {
            text.parse::<Date>()
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        })
        .ok()?;
    civil
        .to_zoned(TimeZone::fixed(portal))
        .ok()
        .map(|z| truncate_to_ticks(z.timestamp()))
}

/// The seed file speaks manifest vocabulary: RFC 3339, or a bare date meaning 00:00 UTC.
pub(crate) fn parse_seed_instant(text: &str) -> Result<Timestamp, String> {
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(truncate_to_ticks(ts));
    }
    text.parse::<Date>()
        .ok()
        .and_then(|d| d.to_zoned(TimeZone::UTC).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| format!("`{text}` is neither an RFC 3339 timestamp nor a YYYY-MM-DD date"))
}

/// `2027-01-01T01:00:00.0000000+01:00`; `Z` only when the offset is zero.
pub(crate) fn format_portal_instant(ts: Timestamp, portal: Offset) -> String {
    let dt = ts.to_zoned(TimeZone::fixed(portal)).datetime();
    let mut out = String::with_capacity(33);
    let _ = write!(
        out,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.subsec_nanosecond() / 100
    );
    let seconds = portal.seconds();
    if seconds == 0 {
        out.push('Z');
    } else {
        let sign = if seconds < 0 { '-' } else { '+' };
        let minutes = seconds.unsigned_abs() / 60;
        let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
    }
    out
}

/// The latest expiry the server accepts; beyond it a write answers 400.
pub(crate) fn ten_years_after(now: Timestamp) -> Timestamp {
    now.to_zoned(TimeZone::UTC)
        .checked_add(10.years())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

fn truncate_to_ticks(ts: Timestamp) -> Timestamp {
    let nanos = ts.as_nanosecond();
    Timestamp::from_nanosecond(nanos - nanos.rem_euclid(100)).unwrap_or(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("test timestamp")
    }

    #[test]
    fn writes_back_in_the_portal_offset_with_seven_digits() {
        let t = ts("2027-01-01T00:00:00Z");
        assert_eq!(
            format_portal_instant(t, Offset::constant(1)),
            "2027-01-01T01:00:00.0000000+01:00"
        );
        assert_eq!(
            format_portal_instant(t, Offset::constant(-5)),
            "2026-12-31T19:00:00.0000000-05:00"
        );
        assert_eq!(
            format_portal_instant(t, Offset::UTC),
            "2027-01-01T00:00:00.0000000Z"
        );
    }

    #[test]
    fn keeps_sub_second_ticks_only() {
        let t =
            parse_request_instant("2027-01-01T00:00:00.123456789Z", Offset::UTC).expect("parses");
        assert_eq!(
            format_portal_instant(t, Offset::UTC),
            "2027-01-01T00:00:00.1234567Z"
        );
    }

    #[test]
    fn request_instants_without_offset_are_portal_local() {
        let portal = Offset::constant(1);
        assert_eq!(
            parse_request_instant("2027-01-01T01:00:00", portal),
            Some(ts("2027-01-01T00:00:00Z"))
        );
        assert_eq!(
            parse_request_instant("2027-01-01", portal),
            Some(ts("2026-12-31T23:00:00Z"))
        );
        assert_eq!(parse_request_instant("next tuesday", portal), None);
        assert_eq!(parse_request_instant("", portal), None);
    }

    #[test]
    fn seed_dates_are_midnight_utc() {
        assert_eq!(
            parse_seed_instant("2027-06-30"),
            Ok(ts("2027-06-30T00:00:00Z"))
        );
        assert!(parse_seed_instant("soon").is_err());
    }

    #[test]
    fn ten_years_is_calendar_years() {
        assert_eq!(
            ten_years_after(ts("2024-02-29T12:00:00Z")),
            ts("2034-02-28T12:00:00Z")
        );
    }
}
