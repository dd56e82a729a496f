//! One KPI's values on consecutive periods, with missing periods explicit.

use crate::agg::Agg;
use crate::calendar::Day;
use crate::period::{Granularity, Period};
use crate::points::Points;
use crate::rollup::{Rollup, rollup};
use serde::{Deserialize, Serialize};

/// Values of one KPI on consecutive periods: `values[i]` belongs to period `start + i` and is
/// `None` when that period has no value. This is the input of comparisons, moving windows,
/// anomaly detection and forecasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodSeries {
    pub granularity: Granularity,
    /// Index of the first period (see [`Period`]).
    pub start: i32,
    pub values: Vec<Option<f64>>,
}

impl PeriodSeries {
    /// A series from explicit values starting at the period that contains `first_day`.
    pub fn new(granularity: Granularity, first_day: Day, values: Vec<Option<f64>>) -> Self {
        PeriodSeries {
            granularity,
            start: granularity.index_of(first_day),
            values,
        }
    }

    /// Rolls one KPI's dated values up to `granularity` with `agg`, one entry per period from the
    /// first to the last period with data.
    ///
    /// ```
    /// use analytics::{Agg, Granularity, PeriodSeries, calendar::parse_ymd};
    /// let d = |s: &str| parse_ymd(s.as_bytes()).unwrap();
    /// let s = PeriodSeries::from_points(
    ///     &[d("2026-01-15"), d("2026-03-02"), d("2026-03-09")],
    ///     &[5.0, 1.0, 2.0],
    ///     Granularity::Month,
    ///     Agg::Sum,
    /// );
    /// assert_eq!(s.values, [Some(5.0), None, Some(3.0)]);
    /// assert_eq!(s.period(2).label(), "2026-03");
    /// ```
    pub fn from_points(days: &[Day], values: &[f64], granularity: Granularity, agg: Agg) -> Self {
        let points = Points {
            kpi_names: vec![String::new()],
            kpi: vec![0; days.len()],
            day: days.to_vec(),
            value: values.to_vec(),
        };
        Self::from_rollup(&rollup(&points, granularity, &[agg]), 0, 0)
    }

    /// The series of KPI id `kpi` in column `column` of a rollup. Rows with no value (NaN, e.g.
    /// the mean of a period whose points all lack a value) become `None`.
    pub fn from_rollup(rollup: &Rollup, kpi: u32, column: usize) -> Self {
        let rows: Vec<usize> = (0..rollup.len())
            .filter(|&r| rollup.kpi[r] == kpi)
            .collect();
        let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
            return PeriodSeries {
                granularity: rollup.granularity,
                start: 0,
                values: Vec::new(),
            };
        };
        let start = rollup.period[first];
        let mut values = vec![None; (rollup.period[last] - start) as usize + 1];
        for r in rows {
            let v = rollup.columns[column][r];
            values[(rollup.period[r] - start) as usize] = (!v.is_nan()).then_some(v);
        }
        PeriodSeries {
            granularity: rollup.granularity,
            start,
            values,
        }
    }

    /// Number of periods (present or not).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the series covers no period.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The period at position `i`.
    pub fn period(&self, i: usize) -> Period {
        Period {
            granularity: self.granularity,
            index: self.start + i as i32,
        }
    }

    /// The value of a period, `None` outside the series or when missing.
    pub fn value_at(&self, period: Period) -> Option<f64> {
        let i = usize::try_from(period.index - self.start).ok()?;
        self.values.get(i).copied().flatten()
    }

    /// Positions and values of the periods that have a value.
    pub fn observed(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
    }
}
