//! Rolling points up to one value per `(kpi, period)` and aggregation.

use crate::agg::{Agg, quantile_select, quantile_sorted};
use crate::calendar::Day;
use crate::groups::Groups;
use crate::period::{Granularity, Period};
use crate::points::Points;
use serde::{Deserialize, Serialize};

/// The result of a rollup, column by column: row `r` is KPI `kpi_names[kpi[r]]` in period
/// `period[r]`, with `columns[a][r]` the value of aggregation `aggs[a]`. Rows are ordered by KPI
/// id, then period; only periods with at least one point appear.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup {
    pub granularity: Granularity,
    pub aggs: Vec<Agg>,
    pub kpi_names: Vec<String>,
    pub kpi: Vec<u32>,
    pub period: Vec<i32>,
    pub columns: Vec<Vec<f64>>,
}

impl Rollup {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.kpi.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.kpi.is_empty()
    }

    /// The period of row `r`.
    pub fn period_of_row(&self, r: usize) -> Period {
        Period {
            granularity: self.granularity,
            index: self.period[r],
        }
    }
}

/// Rolls `points` up to `granularity` with every aggregation in `aggs`.
///
/// ```
/// use analytics::{Agg, Granularity, Points, rollup, calendar::parse_ymd};
/// let d = |s: &str| parse_ymd(s.as_bytes()).unwrap();
/// let points = Points::from_rows([
///     ("orders", d("2026-01-30"), 4.0),
///     ("orders", d("2026-01-31"), 6.0),
///     ("orders", d("2026-02-01"), 5.0),
/// ]);
/// let r = rollup(&points, Granularity::Month, &[Agg::Sum, Agg::Last]);
/// assert_eq!(r.period_of_row(0).label(), "2026-01");
/// assert_eq!(r.columns[0], vec![10.0, 5.0]);
/// assert_eq!(r.columns[1], vec![6.0, 5.0]);
/// ```
pub fn rollup(points: &Points, granularity: Granularity, aggs: &[Agg]) -> Rollup {
    let groups = Groups::build(&points.kpi, &points.day, granularity);
    let stats = streaming_stats(&groups, &points.day, &points.value);
    let percentiles: Vec<f64> = aggs
        .iter()
        .filter_map(|a| match a {
            Agg::Percentile(p) => Some(p / 100.0),
            _ => None,
        })
        .collect();
    let percentile_columns = if percentiles.is_empty() {
        Vec::new()
    } else {
        group_percentiles(&groups, &stats, &points.value, &percentiles)
    };
    let mut next_percentile = percentile_columns.into_iter();
    let columns = aggs
        .iter()
        .map(|agg| match agg {
            Agg::Sum => stats.iter().map(GroupStats::sum).collect(),
            Agg::Mean => stats.iter().map(|s| s.sum() / s.count as f64).collect(),
            Agg::Min => stats.iter().map(|s| s.min).collect(),
            Agg::Max => stats.iter().map(|s| s.max).collect(),
            Agg::First => stats.iter().map(|s| s.first).collect(),
            Agg::Last => stats.iter().map(|s| s.last).collect(),
            Agg::Count => stats.iter().map(|s| s.count as f64).collect(),
            Agg::Percentile(_) => next_percentile.next().expect("one column per percentile"),
        })
        .collect();
    Rollup {
        granularity,
        aggs: aggs.to_vec(),
        kpi_names: points.kpi_names.clone(),
        kpi: groups.kpi,
        period: groups.period,
        columns,
    }
}

/// Per-period ratio of two sums, for ratio KPIs such as an on-time rate:
/// `value = Σ numerator / Σ denominator` over the points of the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatioRollup {
    pub granularity: Granularity,
    pub kpi: Vec<u32>,
    pub period: Vec<i32>,
    pub numerator: Vec<f64>,
    pub denominator: Vec<f64>,
    /// `None` when the denominator sums to zero: the ratio has no value.
    pub ratio: Vec<Option<f64>>,
}

/// Rolls up a ratio KPI given as numerator and denominator columns (same length as `kpi`/`day`).
///
/// ```
/// use analytics::{Granularity, ratio_of_sums};
/// // 9 of 10 on time on day 0, 1 of 10 on day 1: the month is 50 %, not the mean of 90 % and 10 %.
/// let r = ratio_of_sums(&[0, 0], &[0, 1], &[9.0, 1.0], &[10.0, 10.0], Granularity::Month);
/// assert_eq!(r.ratio, vec![Some(0.5)]);
/// ```
pub fn ratio_of_sums(
    kpi: &[u32],
    day: &[Day],
    numerator: &[f64],
    denominator: &[f64],
    granularity: Granularity,
) -> RatioRollup {
    assert_eq!(numerator.len(), kpi.len(), "numerator length");
    assert_eq!(denominator.len(), kpi.len(), "denominator length");
    let groups = Groups::build(kpi, day, granularity);
    let num = streaming_stats(&groups, day, numerator);
    let den = streaming_stats(&groups, day, denominator);
    let numerator: Vec<f64> = num.iter().map(GroupStats::sum).collect();
    let denominator: Vec<f64> = den.iter().map(GroupStats::sum).collect();
    let ratio = numerator
        .iter()
        .zip(&denominator)
        .map(|(&n, &d)| (d != 0.0).then(|| n / d))
        .collect();
    RatioRollup {
        granularity,
        kpi: groups.kpi,
        period: groups.period,
        numerator,
        denominator,
        ratio,
    }
}

/// Everything about a group that one pass in input order can compute.
#[derive(Debug, Clone, Copy)]
struct GroupStats {
    sum: f64,
    // Neumaier compensation: keeps sums of millions of values as exact as pandas' Kahan sums.
    compensation: f64,
    min: f64,
    max: f64,
    count: u64,
    first_day: Day,
    first: f64,
    last_day: Day,
    last: f64,
}

impl GroupStats {
    const EMPTY: GroupStats = GroupStats {
        sum: 0.0,
        compensation: 0.0,
        min: f64::NAN,
        max: f64::NAN,
        count: 0,
        first_day: Day::MAX,
        first: f64::NAN,
        last_day: Day::MIN,
        last: f64::NAN,
    };

    fn sum(&self) -> f64 {
        self.sum + self.compensation
    }

    #[inline]
    fn add(&mut self, day: Day, v: f64) {
        let t = self.sum + v;
        self.compensation += if self.sum.abs() >= v.abs() {
            (self.sum - t) + v
        } else {
            (v - t) + self.sum
        };
        self.sum = t;
        if self.count == 0 {
            self.min = v;
            self.max = v;
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.count += 1;
        if day < self.first_day {
            self.first_day = day;
            self.first = v;
        }
        if day >= self.last_day {
            self.last_day = day;
            self.last = v;
        }
    }
}

fn streaming_stats(groups: &Groups, day: &[Day], value: &[f64]) -> Vec<GroupStats> {
    let mut stats = vec![GroupStats::EMPTY; groups.len()];
    for ((&g, &d), &v) in groups.gid.iter().zip(day).zip(value) {
        if !v.is_nan() {
            stats[g as usize].add(d, v);
        }
    }
    stats
}

/// Percentile columns (one per entry of `quantiles`, fractions in [0, 1]) computed by scattering
/// the values into contiguous per-group runs (a counting sort) and selecting within each run.
fn group_percentiles(
    groups: &Groups,
    stats: &[GroupStats],
    value: &[f64],
    quantiles: &[f64],
) -> Vec<Vec<f64>> {
    let mut start = Vec::with_capacity(stats.len() + 1);
    let mut total = 0usize;
    for s in stats {
        start.push(total);
        total += s.count as usize;
    }
    start.push(total);
    let mut cursor = start.clone();
    let mut grouped = vec![0.0f64; total];
    for (&g, &v) in groups.gid.iter().zip(value) {
        if !v.is_nan() {
            let c = &mut cursor[g as usize];
            grouped[*c] = v;
            *c += 1;
        }
    }
    let mut columns = vec![Vec::with_capacity(stats.len()); quantiles.len()];
    for w in start.windows(2) {
        let run = &mut grouped[w[0]..w[1]];
        if let [q] = quantiles {
            columns[0].push(quantile_select(run, *q));
        } else {
            run.sort_unstable_by(f64::total_cmp);
            for (column, &q) in columns.iter_mut().zip(quantiles) {
                column.push(quantile_sorted(run, q));
            }
        }
    }
    columns
}
