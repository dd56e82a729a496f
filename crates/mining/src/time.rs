//! Timestamp parsing and formatting. Instants are epoch milliseconds, UTC.

use anyhow::{Context, anyhow, bail};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// How to read timestamps: an optional explicit format and the zone of naive times.
#[derive(Debug, Clone)]
pub struct TimeParser {
    format: Option<String>,
    zone: Zone,
}

#[derive(Debug, Clone)]
enum Zone {
    Utc,
    Named(TimeZone),
}

impl Default for TimeParser {
    fn default() -> Self {
        Self {
            format: None,
            zone: Zone::Utc,
        }
    }
}

impl TimeParser {
    /// `format` is a strftime-style pattern (e.g. `%d.%m.%Y %H:%M`); `timezone` an IANA name
    /// (`Asia/Shanghai`), `UTC`, or a fixed offset (`+08:00`).
    pub fn new(format: Option<&str>, timezone: Option<&str>) -> anyhow::Result<Self> {
        let zone = match timezone {
            None => Zone::Utc,
            Some(z) if z.eq_ignore_ascii_case("utc") || z == "Z" => Zone::Utc,
            Some(z) => {
                if let Some(offset) = parse_offset(z.as_bytes()) {
                    let off = jiff::tz::Offset::from_seconds((offset / 1000) as i32)
                        .map_err(|e| anyhow!("bad offset {z}: {e}"))?;
                    Zone::Named(TimeZone::fixed(off))
                } else {
                    Zone::Named(
                        TimeZone::get(z).with_context(|| format!("unknown time zone {z:?}"))?,
                    )
                }
            }
        };
        Ok(Self {
            format: format.map(str::to_owned),
            zone,
        })
    }

    /// Parses one timestamp given as raw bytes (the importers' hot path: ISO-like text needs
    /// no UTF-8 check).
    pub fn parse_bytes(&self, b: &[u8]) -> anyhow::Result<i64> {
        if self.format.is_none() {
            let b = b.trim_ascii();
            if let Some(p) = parse_iso_like(b)
                && (p.offset_ms.is_some() || matches!(self.zone, Zone::Utc))
            {
                return Ok(p.naive_ms - off_or_zero(p.offset_ms));
            }
        }
        self.parse(std::str::from_utf8(b).map_err(|_| anyhow!("timestamp is not valid text"))?)
    }

    /// Parses one timestamp to epoch milliseconds.
    pub fn parse(&self, s: &str) -> anyhow::Result<i64> {
        let s = s.trim();
        if let Some(fmt) = &self.format {
            return self.parse_with_format(fmt, s);
        }
        if let Some(p) = parse_iso_like(s.as_bytes()) {
            return Ok(match p.offset_ms {
                Some(off) => p.naive_ms - off,
                None => self.localize(p.naive_ms)?,
            });
        }
        if let Some(ms) = parse_epoch(s) {
            return Ok(ms);
        }
        bail!("unrecognised timestamp {s:?} (use --timestamp-format)")
    }

    fn localize(&self, naive_ms: i64) -> anyhow::Result<i64> {
        match &self.zone {
            Zone::Utc => Ok(naive_ms),
            Zone::Named(tz) => {
                let ts = jiff::Timestamp::from_millisecond(naive_ms)?;
                let dt = TimeZone::UTC.to_datetime(ts);
                let local = tz.to_ambiguous_timestamp(dt).compatible()?;
                Ok(local.as_millisecond())
            }
        }
    }

    fn parse_with_format(&self, fmt: &str, s: &str) -> anyhow::Result<i64> {
        let tm = jiff::fmt::strtime::parse(fmt, s)
            .with_context(|| format!("timestamp {s:?} does not match format {fmt:?}"))?;
        if tm.offset().is_some() || tm.iana_time_zone().is_some() {
            return Ok(tm.to_timestamp()?.as_millisecond());
        }
        let dt: DateTime = if tm.hour().is_some() {
            tm.to_datetime()?
        } else {
            tm.to_date()?.to_datetime(jiff::civil::Time::midnight())
        };
        let naive = TimeZone::UTC.to_timestamp(dt)?.as_millisecond();
        self.localize(naive)
    }
}

fn off_or_zero(offset_ms: Option<i64>) -> i64 {
    offset_ms.unwrap_or(0)
}

struct IsoParts {
    naive_ms: i64,
    offset_ms: Option<i64>,
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        b.iter()
            .fold(0i64, |acc, &d| acc * 10 + i64::from(d - b'0')),
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `±HH:MM`, `±HHMM`, `±HH` or `Z` → milliseconds east of UTC.
fn parse_offset(b: &[u8]) -> Option<i64> {
    if b == b"Z" || b == b"z" {
        return Some(0);
    }
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &b[1..];
    let (h, m) = match rest.len() {
        2 => (digits(rest)?, 0),
        4 => (digits(&rest[..2])?, digits(&rest[2..])?),
        5 if rest[2] == b':' => (digits(&rest[..2])?, digits(&rest[3..])?),
        _ => return None,
    };
    (h <= 23 && m <= 59).then_some(sign * (h * 3600 + m * 60) * 1000)
}

/// Hand-written fast path for `YYYY-MM-DD[( |T)HH:MM[:SS[.fff…]]][zone]`, also with `/` between
/// date parts. This is the hot loop of CSV and XES import, so it avoids any general parser.
fn parse_iso_like(b: &[u8]) -> Option<IsoParts> {
    if b.len() < 10 || !(b[4] == b'-' || b[4] == b'/') || b[7] != b[4] {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, mo, d) * 86_400_000;
    let mut i = 10;
    if i < b.len() && (b[i] == b'T' || b[i] == b' ') && b.len() >= i + 6 && b[i + 3] == b':' {
        let h = digits(&b[i + 1..i + 3])?;
        let mi = digits(&b[i + 4..i + 6])?;
        let mut sec = 0;
        i += 6;
        if i + 3 <= b.len() && b[i] == b':' {
            sec = digits(&b[i + 1..i + 3])?;
            i += 3;
            if i < b.len() && (b[i] == b'.' || b[i] == b',') {
                let start = i + 1;
                let mut end = start;
                while end < b.len() && b[end].is_ascii_digit() {
                    end += 1;
                }
                if end == start {
                    return None;
                }
                // Keep milliseconds; finer digits are dropped, like PM4Py's ms-resolution math.
                let frac = &b[start..end.min(start + 3)];
                let mut f = digits(frac)?;
                for _ in frac.len()..3 {
                    f *= 10;
                }
                ms += f;
                i = end;
            }
        }
        if h > 24 || mi > 59 || sec > 60 {
            return None;
        }
        ms += (h * 3600 + mi * 60 + sec) * 1000;
    }
    let rest = &b[i..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let offset_ms = if rest.is_empty() {
        None
    } else if rest == b"UTC" {
        Some(0)
    } else {
        Some(parse_offset(rest)?)
    };
    Some(IsoParts {
        naive_ms: ms,
        offset_ms,
    })
}

/// Epoch seconds or milliseconds (values above 10¹¹ are taken as milliseconds).
fn parse_epoch(s: &str) -> Option<i64> {
    let v: f64 = s.parse().ok()?;
    if !v.is_finite()
        || !s
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b'.' || c == b'-')
    {
        return None;
    }
    Some(if v.abs() >= 1e11 {
        v.round() as i64
    } else {
        (v * 1000.0).round() as i64
    })
}

/// `2023-01-02T08:32:47.759+00:00`.
pub fn format_rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, f) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{f:03}+00:00")
}

/// `2023-01-02 08:32` (UTC), for human-facing output.
pub fn format_short(ms: i64) -> String {
    let s = format_rfc3339(ms);
    format!("{} {}", &s[..10], &s[11..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> i64 {
        TimeParser::default().parse(s).unwrap()
    }

    #[test]
    fn iso_variants_agree() {
        let utc = 1_672_648_367_759; // 2023-01-02T08:32:47.759Z
        assert_eq!(p("2023-01-02T08:32:47.759+00:00"), utc);
        assert_eq!(p("2023-01-02T08:32:47.759Z"), utc);
        assert_eq!(p("2023-01-02 09:32:47.759+01:00"), utc);
        assert_eq!(p("2023-01-02 08:32:47.759000"), utc);
        assert_eq!(p("2023-01-02T10:32:47.759+0200"), utc);
        assert_eq!(p("2023/01/02 08:32"), utc - 47_759);
        assert_eq!(
            p("2023-01-02"),
            utc - (8 * 3600 + 32 * 60 + 47) * 1000 - 759
        );
    }

    #[test]
    fn epoch_seconds_and_millis() {
        assert_eq!(p("1672648367"), 1_672_648_367_000);
        assert_eq!(p("1672648367759"), 1_672_648_367_759);
    }

    #[test]
    fn naive_times_use_the_zone() {
        let sh = TimeParser::new(None, Some("Asia/Shanghai")).unwrap();
        assert_eq!(
            sh.parse("2023-01-02 16:32:47.759").unwrap(),
            1_672_648_367_759
        );
        let fixed = TimeParser::new(None, Some("+08:00")).unwrap();
        assert_eq!(
            fixed.parse("2023-01-02 16:32:47.759").unwrap(),
            1_672_648_367_759
        );
        // An explicit offset wins over the zone.
        assert_eq!(
            sh.parse("2023-01-02T08:32:47.759Z").unwrap(),
            1_672_648_367_759
        );
    }

    #[test]
    fn custom_format() {
        let f = TimeParser::new(Some("%d.%m.%Y %H:%M"), None).unwrap();
        assert_eq!(f.parse("02.01.2023 08:32").unwrap(), 1_672_648_320_000);
        assert!(f.parse("2023-01-02").is_err());
    }

    #[test]
    fn rejects_garbage() {
        assert!(TimeParser::default().parse("yesterday").is_err());
        assert!(TimeParser::default().parse("2023-13-02").is_err());
    }

    #[test]
    fn format_round_trips() {
        for ms in [0, 1_672_648_367_759, -86_400_001, 4_102_444_800_000] {
            assert_eq!(p(&format_rfc3339(ms)), ms);
        }
    }
}
