//! Calendar periods (day, ISO week, month, quarter, year) as dense integer indices.
//!
//! Every period of a granularity maps to one `i32` such that consecutive periods have consecutive
//! indices. That makes "the previous period" a subtraction and lets rollups group by
//! `(kpi, period)` with a counting sort instead of a hash map.

use crate::calendar::{Day, civil_from_days, days_from_civil, format_ymd, iso_week};
use serde::{Deserialize, Serialize};

/// How coarse a period is. Weeks are ISO 8601 weeks, starting on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(clap::ValueEnum)]
pub enum Granularity {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

/// One period of a given granularity, identified by its dense index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub granularity: Granularity,
    pub index: i32,
}

impl Granularity {
    /// The dense index of the period that contains `day`.
    #[inline]
    pub fn index_of(self, day: Day) -> i32 {
        match self {
            Granularity::Day => day,
            // Day 0 is a Thursday, so day + 3 counts from the Monday of that week.
            Granularity::Week => (day + 3).div_euclid(7),
            Granularity::Month => {
                let (y, m, _) = civil_from_days(day);
                y * 12 + m as i32 - 1
            }
            Granularity::Quarter => {
                let (y, m, _) = civil_from_days(day);
                y * 4 + (m as i32 - 1) / 3
            }
            Granularity::Year => civil_from_days(day).0,
        }
    }

    /// The period containing `day`.
    pub fn period_of(self, day: Day) -> Period {
        Period {
            granularity: self,
            index: self.index_of(day),
        }
    }

    /// Typical number of periods in a seasonal cycle: a week of days, a year of weeks, months or
    /// quarters. Years have no shorter cycle (1).
    pub fn season_length(self) -> usize {
        match self {
            Granularity::Day => 7,
            Granularity::Week => 52,
            Granularity::Month => 12,
            Granularity::Quarter => 4,
            Granularity::Year => 1,
        }
    }
}

impl Period {
    /// First day of the period.
    pub fn start(self) -> Day {
        let i = self.index;
        match self.granularity {
            Granularity::Day => i,
            Granularity::Week => i * 7 - 3,
            Granularity::Month => days_from_civil(i.div_euclid(12), i.rem_euclid(12) as u32 + 1, 1),
            Granularity::Quarter => {
                days_from_civil(i.div_euclid(4), i.rem_euclid(4) as u32 * 3 + 1, 1)
            }
            Granularity::Year => days_from_civil(i, 1, 1),
        }
    }

    /// Last day of the period (inclusive).
    pub fn end(self) -> Day {
        self.offset(1).start() - 1
    }

    /// The period `n` steps later (earlier when negative).
    pub fn offset(self, n: i32) -> Period {
        Period {
            granularity: self.granularity,
            index: self.index + n,
        }
    }

    /// The same period one year earlier, used for year-over-year (同比) comparisons.
    ///
    /// Returns `None` when the previous year has no such period: 29 February for days, ISO week 53
    /// for weeks. Years compare with the previous year.
    pub fn same_period_last_year(self) -> Option<Period> {
        let g = self.granularity;
        let index = match g {
            Granularity::Day => {
                let (y, m, d) = civil_from_days(self.index);
                if m == 2 && d == 29 {
                    return None;
                }
                days_from_civil(y - 1, m, d)
            }
            Granularity::Week => {
                let (y, w) = iso_week(self.start());
                let candidate = days_from_civil(y - 1, 1, 4) + (w as i32 - 1) * 7;
                if iso_week(candidate) != (y - 1, w) {
                    return None;
                }
                g.index_of(candidate)
            }
            Granularity::Month => self.index - 12,
            Granularity::Quarter => self.index - 4,
            Granularity::Year => self.index - 1,
        };
        Some(Period {
            granularity: g,
            index,
        })
    }

    /// Human label: `YYYY-MM-DD`, `YYYY-Www` (ISO week), `YYYY-MM`, `YYYY-Qn` or `YYYY`.
    pub fn label(self) -> String {
        let i = self.index;
        match self.granularity {
            Granularity::Day => format_ymd(i),
            Granularity::Week => {
                let (y, w) = iso_week(self.start());
                format!("{y:04}-W{w:02}")
            }
            Granularity::Month => format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1),
            Granularity::Quarter => format!("{:04}-Q{}", i.div_euclid(4), i.rem_euclid(4) + 1),
            Granularity::Year => format!("{i:04}"),
        }
    }
}

impl Period {
    /// Parses a label as [`Period::label`] writes it (`YYYY-MM-DD`, `YYYY-Www`, `YYYY-MM`,
    /// `YYYY-Qn`, `YYYY`) for the given granularity. A date also names the period that contains
    /// it, so `2026-03-14` is the month `2026-03`.
    pub fn parse(granularity: Granularity, label: &str) -> Option<Period> {
        let label = label.trim();
        if let Some(day) = crate::calendar::parse_ymd(label.as_bytes()) {
            return Some(granularity.period_of(day));
        }
        let year = |s: &str| -> Option<i32> {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok())?
        };
        let index = match granularity {
            Granularity::Day => return None,
            Granularity::Week => {
                let (y, w) = label.split_once("-W")?;
                let (y, w): (i32, u32) = (year(y)?, w.parse().ok()?);
                if w == 0 || w > 53 {
                    return None;
                }
                let day = days_from_civil(y, 1, 4) + (w as i32 - 1) * 7;
                if iso_week(day) != (y, w) {
                    return None;
                }
                granularity.index_of(day)
            }
            Granularity::Month => {
                let (y, m) = label.split_once('-')?;
                let m: u32 = (m.len() == 2).then(|| m.parse().ok())??;
                if !(1..=12).contains(&m) {
                    return None;
                }
                year(y)? * 12 + m as i32 - 1
            }
            Granularity::Quarter => {
                let (y, q) = label.split_once("-Q")?;
                let q: i32 = (q.len() == 1).then(|| q.parse().ok())??;
                if !(1..=4).contains(&q) {
                    return None;
                }
                year(y)? * 4 + q - 1
            }
            Granularity::Year => year(label)?,
        };
        Some(Period { granularity, index })
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_ymd;

    fn day(s: &str) -> Day {
        parse_ymd(s.as_bytes()).unwrap()
    }

    #[test]
    fn labels_and_bounds() {
        let d = day("2026-01-28");
        assert_eq!(Granularity::Day.period_of(d).label(), "2026-01-28");
        assert_eq!(Granularity::Week.period_of(d).label(), "2026-W05");
        assert_eq!(Granularity::Month.period_of(d).label(), "2026-01");
        assert_eq!(Granularity::Quarter.period_of(d).label(), "2026-Q1");
        assert_eq!(Granularity::Year.period_of(d).label(), "2026");
        let w = Granularity::Week.period_of(d);
        assert_eq!(format_ymd(w.start()), "2026-01-26");
        assert_eq!(format_ymd(w.end()), "2026-02-01");
        let q = Granularity::Quarter.period_of(day("2024-05-17"));
        assert_eq!(format_ymd(q.start()), "2024-04-01");
        assert_eq!(format_ymd(q.end()), "2024-06-30");
        assert_eq!(
            Granularity::Week.period_of(day("2021-01-03")).label(),
            "2020-W53"
        );
    }

    #[test]
    fn labels_parse_back() {
        for g in [
            Granularity::Day,
            Granularity::Week,
            Granularity::Month,
            Granularity::Quarter,
            Granularity::Year,
        ] {
            let mut p = g.period_of(day("2019-12-20"));
            for _ in 0..120 {
                assert_eq!(Period::parse(g, &p.label()), Some(p), "{g:?} {p}");
                p = p.offset(1);
            }
        }
        assert_eq!(
            Period::parse(Granularity::Month, "2026-03-14").map(Period::label),
            Some("2026-03".into())
        );
        for bad in ["2026-13", "2026-1", "26-01", "2026-Q5", "x"] {
            assert_eq!(Period::parse(Granularity::Month, bad), None, "{bad}");
        }
        assert_eq!(Period::parse(Granularity::Quarter, "2026-Q0"), None);
        assert_eq!(Period::parse(Granularity::Week, "2019-W53"), None);
    }

    #[test]
    fn consecutive_periods_have_consecutive_indices() {
        for g in [
            Granularity::Day,
            Granularity::Week,
            Granularity::Month,
            Granularity::Quarter,
            Granularity::Year,
        ] {
            let mut p = g.period_of(day("1999-11-30"));
            for _ in 0..300 {
                let next = p.offset(1);
                assert_eq!(next.start(), p.end() + 1, "{g:?} {p}");
                assert_eq!(g.period_of(next.start()), next);
                p = next;
            }
        }
    }

    #[test]
    fn same_period_last_year() {
        let label = |g: Granularity, s: &str| {
            g.period_of(day(s))
                .same_period_last_year()
                .map(Period::label)
        };
        assert_eq!(label(Granularity::Day, "2025-03-01").unwrap(), "2024-03-01");
        assert_eq!(label(Granularity::Day, "2024-02-29"), None);
        assert_eq!(label(Granularity::Week, "2026-01-28").unwrap(), "2025-W05");
        assert_eq!(label(Granularity::Week, "2021-01-01"), None); // 2020-W53, 2019 had 52 weeks
        assert_eq!(label(Granularity::Month, "2026-01-28").unwrap(), "2025-01");
        assert_eq!(
            label(Granularity::Quarter, "2026-01-28").unwrap(),
            "2025-Q1"
        );
        assert_eq!(label(Granularity::Year, "2026-01-28").unwrap(), "2025");
    }
}
