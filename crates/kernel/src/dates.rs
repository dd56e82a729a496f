//! Calendar dates are `YYYY-MM-DD` text; instants are UTC epoch milliseconds.
use time::{Date, OffsetDateTime, format_description::FormatItem, macros::format_description};

const DATE: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");
const INSTANT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute]");

/// Parses a strict `YYYY-MM-DD` calendar date.
pub fn parse_date(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    Date::parse(s, DATE).ok()
}

pub fn format_date(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}

/// Today's date in the given UTC offset (hours), from an epoch-ms instant.
pub fn date_of(ms: i64, offset_hours: i8) -> Date {
    let odt = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let off = time::UtcOffset::from_hms(offset_hours, 0, 0).unwrap_or(time::UtcOffset::UTC);
    odt.to_offset(off).date()
}

/// `YYYY-MM-DD HH:MM` in the given offset, for display.
pub fn format_instant(ms: i64, offset_hours: i8) -> String {
    let odt = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let off = time::UtcOffset::from_hms(offset_hours, 0, 0).unwrap_or(time::UtcOffset::UTC);
    odt.to_offset(off).format(INSTANT).unwrap_or_default()
}

/// RFC 3339 rendering of an epoch-ms instant, for the JSON API.
pub fn rfc3339(ms: i64) -> String {
    let odt = OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    odt.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates() {
        assert!(parse_date("2026-02-28").is_some());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026-2-3").is_none());
        assert!(parse_date("2026-02-28T00:00").is_none());
        assert_eq!(format_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
    }

    #[test]
    fn instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_instant(0, 8), "1970-01-01 08:00");
        assert_eq!(format_date(date_of(16 * 3_600_000, 8)), "1970-01-02");
    }
}
