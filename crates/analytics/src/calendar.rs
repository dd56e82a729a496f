//! Calendar arithmetic on days since the Unix epoch (1970-01-01 is day 0).
//!
//! Dates are plain `i32` day numbers so that columns stay small and period keys are a few integer
//! operations away; the civil conversions follow Howard Hinnant's `days_from_civil` algorithms,
//! which are exact for the whole proleptic Gregorian calendar.

/// A calendar date as days since 1970-01-01.
pub type Day = i32;

/// Converts a civil date to days since 1970-01-01. `month` is 1–12, `day` 1–31 (not validated).
pub const fn days_from_civil(year: i32, month: u32, day: u32) -> Day {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400) as u32;
    // (Written with `as` casts and `if` so that it can be a const fn.)
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

/// Converts days since 1970-01-01 back to `(year, month, day)`.
pub fn civil_from_days(days: Day) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe as i32 + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

/// Whether `year` is a Gregorian leap year.
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in the given month.
pub const fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ISO weekday, Monday = 0 … Sunday = 6.
pub fn weekday_monday0(days: Day) -> u32 {
    // 1970-01-01 was a Thursday (index 3 counting from Monday).
    (days + 3).rem_euclid(7) as u32
}

/// ISO 8601 week-numbering year and week (1–53) of a date.
pub fn iso_week(days: Day) -> (i32, u32) {
    // The ISO week belongs to the year that contains its Thursday.
    let thursday = days - weekday_monday0(days) as i32 + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    (year, week as u32)
}

/// Parses a strict `YYYY-MM-DD` date. Returns `None` for anything else, including impossible
/// dates such as 2026-02-30.
pub fn parse_ymd(text: &[u8]) -> Option<Day> {
    if text.len() != 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        text[range].iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let year = digits(0..4)? as i32;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let offset = usize::try_from(year - TABLE_FIRST_YEAR).ok();
    let start = offset.and_then(|o| MONTH_STARTS.get(o * 12 + month as usize - 1));
    Some(match start {
        Some(&start) => start + day as i32 - 1,
        None => days_from_civil(year, month, day),
    })
}

const TABLE_FIRST_YEAR: i32 = 1900;
const TABLE_YEARS: usize = 300;

/// First day of every month from 1900 to 2199, computed at compile time: parsing millions of
/// dates then needs one lookup instead of the civil-calendar arithmetic.
static MONTH_STARTS: [Day; TABLE_YEARS * 12] = {
    let mut table = [0; TABLE_YEARS * 12];
    let mut i = 0;
    while i < TABLE_YEARS * 12 {
        table[i] = days_from_civil(TABLE_FIRST_YEAR + (i / 12) as i32, (i % 12) as u32 + 1, 1);
        i += 1;
    }
    table
};

/// Formats a day number as `YYYY-MM-DD`.
pub fn format_ymd(days: Day) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for d in (-800_000..800_000).step_by(7) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn iso_weeks_at_year_boundaries() {
        // 2020 has 53 ISO weeks; 2021-01-03 (Sunday) still belongs to 2020-W53.
        assert_eq!(iso_week(days_from_civil(2020, 12, 31)), (2020, 53));
        assert_eq!(iso_week(days_from_civil(2021, 1, 3)), (2020, 53));
        assert_eq!(iso_week(days_from_civil(2021, 1, 4)), (2021, 1));
        // 2024-12-30 (Monday) starts 2025-W01.
        assert_eq!(iso_week(days_from_civil(2024, 12, 30)), (2025, 1));
        assert_eq!(iso_week(days_from_civil(2026, 1, 26)), (2026, 5));
    }

    #[test]
    fn parses_only_real_dates() {
        assert_eq!(parse_ymd(b"2024-02-29"), Some(days_from_civil(2024, 2, 29)));
        assert_eq!(parse_ymd(b"2023-02-29"), None);
        assert_eq!(parse_ymd(b"2023-13-01"), None);
        assert_eq!(parse_ymd(b"2023-1-01"), None);
        assert_eq!(parse_ymd(b"2023/01/01"), None);
        assert_eq!(format_ymd(days_from_civil(1999, 12, 31)), "1999-12-31");
        // Inside and outside the month table.
        for (y, m, d) in [
            (1900, 1, 1),
            (2199, 12, 31),
            (1899, 12, 31),
            (2200, 1, 1),
            (9999, 12, 31),
            (0, 3, 1),
        ] {
            let text = format!("{y:04}-{m:02}-{d:02}");
            assert_eq!(
                parse_ymd(text.as_bytes()),
                Some(days_from_civil(y, m, d)),
                "{text}"
            );
        }
    }
}
