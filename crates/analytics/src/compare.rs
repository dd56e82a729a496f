//! Period-over-period (环比) and year-over-year (同比) changes.

use crate::period::Period;
use crate::series::PeriodSeries;
use serde::{Deserialize, Serialize};

/// The change of one period against its base period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Label of the period, e.g. `2026-03`.
    pub period: String,
    pub value: Option<f64>,
    /// Label of the base period, `None` when it does not exist (see [`Gap::NoBasePeriod`]).
    pub base_period: Option<String>,
    pub base: Option<f64>,
    /// `value - base`.
    pub delta: Option<f64>,
    /// `(value - base) / |base|`: +0.1 means 10 % better than the base in the direction of the
    /// number, also when the base is negative.
    pub ratio: Option<f64>,
    /// Why `delta` or `ratio` is missing, if it is.
    pub gap: Option<Gap>,
}

/// Why a change cannot be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// The period itself has no value.
    NoValue,
    /// The calendar has no base period (29 February or ISO week 53 a year earlier).
    NoBasePeriod,
    /// The base period has no value (missing, or before the series starts).
    NoBaseValue,
    /// The base is zero: the delta exists but a ratio does not.
    ZeroBase,
}

/// 环比: each period against the one before it.
///
/// ```
/// use analytics::{Granularity, PeriodSeries, compare::{Gap, period_over_period}};
/// let s = PeriodSeries { granularity: Granularity::Month, start: 2026 * 12, values: vec![Some(100.0), None, Some(90.0), Some(99.0)] };
/// let c = period_over_period(&s);
/// assert_eq!(c[1].gap, Some(Gap::NoValue));
/// assert_eq!(c[2].gap, Some(Gap::NoBaseValue));
/// assert_eq!(c[3].period, "2026-04");
/// assert!((c[3].ratio.unwrap() - 0.1).abs() < 1e-12);
/// ```
pub fn period_over_period(series: &PeriodSeries) -> Vec<Change> {
    changes(series, |p| Some(p.offset(-1)))
}

/// 同比: each period against the same period a year earlier (month − 12, quarter − 4, ISO week
/// with the same number, same calendar day).
pub fn year_over_year(series: &PeriodSeries) -> Vec<Change> {
    changes(series, Period::same_period_last_year)
}

fn changes(series: &PeriodSeries, base_of: impl Fn(Period) -> Option<Period>) -> Vec<Change> {
    (0..series.len())
        .map(|i| {
            let period = series.period(i);
            let value = series.values[i];
            let base_period = base_of(period);
            let base = base_period.and_then(|b| series.value_at(b));
            let delta = value.zip(base).map(|(v, b)| v - b);
            let ratio = delta
                .zip(base)
                .filter(|(_, b)| *b != 0.0)
                .map(|(d, b)| d / b.abs());
            let gap = if value.is_none() {
                Some(Gap::NoValue)
            } else if base_period.is_none() {
                Some(Gap::NoBasePeriod)
            } else if base.is_none() {
                Some(Gap::NoBaseValue)
            } else if ratio.is_none() {
                Some(Gap::ZeroBase)
            } else {
                None
            };
            Change {
                period: period.label(),
                value,
                base_period: base_period.map(Period::label),
                base,
                delta,
                ratio,
                gap,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_ymd;
    use crate::period::Granularity;

    #[test]
    fn year_over_year_on_months_and_missing_calendar_periods() {
        let start = parse_ymd(b"2024-11-01").unwrap();
        let mut values = vec![Some(10.0); 15];
        values[1] = Some(0.0); // 2024-12
        values[13] = Some(-5.0); // 2025-12
        let s = PeriodSeries::new(Granularity::Month, start, values);
        let c = year_over_year(&s);
        assert_eq!(c[0].gap, Some(Gap::NoBaseValue));
        assert_eq!(c[12].period, "2025-11");
        assert_eq!(c[12].base_period.as_deref(), Some("2024-11"));
        assert_eq!(c[12].ratio, Some(0.0));
        assert_eq!(c[13].delta, Some(-5.0));
        assert_eq!(c[13].gap, Some(Gap::ZeroBase));
        assert_eq!(c[13].ratio, None);

        let leap = PeriodSeries::new(
            Granularity::Day,
            parse_ymd(b"2024-02-29").unwrap(),
            vec![Some(1.0)],
        );
        assert_eq!(year_over_year(&leap)[0].gap, Some(Gap::NoBasePeriod));
    }

    #[test]
    fn ratio_against_a_negative_base_keeps_the_direction() {
        let s = PeriodSeries::new(
            Granularity::Year,
            parse_ymd(b"2024-01-01").unwrap(),
            vec![Some(-10.0), Some(-5.0)],
        );
        let c = period_over_period(&s);
        assert_eq!(c[1].delta, Some(5.0));
        assert_eq!(c[1].ratio, Some(0.5));
    }
}
