//! Rolling points up to one value per `(kpi, period)` and aggregation.

use crate::agg::{Agg, quantile_select, quantile_sorted};
use crate::calendar::Day;
use crate::groups::Grouping;
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
    let grouping = Grouping::new(&points.kpi, &points.day, granularity);
    let needs_days = aggs.iter().any(|a| matches!(a, Agg::First | Agg::Last));
    let mut runs = Runs::new(&grouping, points, needs_days);
    let occupied: Vec<usize> = (0..grouping.key_count())
        .filter(|&k| runs.start[k] < runs.start[k + 1])
        .collect();
    let columns = aggregate_runs(&mut runs, &occupied, aggs);
    let (kpi, period) = occupied.iter().map(|&k| grouping.key(k)).unzip();
    Rollup {
        granularity,
        aggs: aggs.to_vec(),
        kpi_names: points.kpi_names.clone(),
        kpi,
        period,
        columns,
    }
}

/// The values (and, when needed, days) of every key stored contiguously in input order: a stable
/// counting sort, so each group is then aggregated from a sequential run instead of by random
/// updates of per-group state.
struct Runs {
    start: Vec<usize>,
    values: Vec<f64>,
    days: Vec<Day>,
}

impl Runs {
    fn new(grouping: &Grouping, points: &Points, with_days: bool) -> Runs {
        let mut start = vec![0usize; grouping.key_count() + 1];
        grouping.for_each(&points.kpi, &points.day, |key, _| start[key + 1] += 1);
        for k in 0..grouping.key_count() {
            start[k + 1] += start[k];
        }
        let mut cursor = start.clone();
        let mut values = vec![0.0f64; points.len()];
        let mut days = vec![0 as Day; if with_days { points.len() } else { 0 }];
        if with_days {
            grouping.for_each(&points.kpi, &points.day, |key, i| {
                let c = &mut cursor[key];
                values[*c] = points.value[i];
                days[*c] = points.day[i];
                *c += 1;
            });
        } else {
            grouping.for_each(&points.kpi, &points.day, |key, i| {
                let c = &mut cursor[key];
                values[*c] = points.value[i];
                *c += 1;
            });
        }
        Runs {
            start,
            values,
            days,
        }
    }
}

/// Below this many values one thread aggregates every run.
const PARALLEL_MIN_VALUES: usize = 1 << 20;

/// One column per aggregation over the runs of `keys`; big inputs are split in two halves of
/// keys aggregated by two threads.
fn aggregate_runs(runs: &mut Runs, keys: &[usize], aggs: &[Agg]) -> Vec<Vec<f64>> {
    let Runs {
        start,
        values,
        days,
    } = runs;
    let mut columns = vec![Vec::with_capacity(keys.len()); aggs.len()];
    if values.len() < PARALLEL_MIN_VALUES || keys.len() < 2 {
        aggregate_keys(start, values, days, keys, aggs, &mut columns);
        return columns;
    }
    let middle = keys
        .partition_point(|&k| start[k] < values.len() / 2)
        .max(1);
    let (first_keys, second_keys) = keys.split_at(middle);
    let cut = start[second_keys[0]];
    let (first_values, second_values) = values.split_at_mut(cut);
    let mut second_columns = vec![Vec::with_capacity(second_keys.len()); aggs.len()];
    std::thread::scope(|scope| {
        scope.spawn(|| {
            aggregate_keys_from(
                cut,
                start,
                second_values,
                days,
                second_keys,
                aggs,
                &mut second_columns,
            )
        });
        aggregate_keys(start, first_values, days, first_keys, aggs, &mut columns);
    });
    for (column, tail) in columns.iter_mut().zip(second_columns) {
        column.extend(tail);
    }
    columns
}

fn aggregate_keys(
    start: &[usize],
    values: &mut [f64],
    days: &[Day],
    keys: &[usize],
    aggs: &[Agg],
    columns: &mut [Vec<f64>],
) {
    aggregate_keys_from(0, start, values, days, keys, aggs, columns);
}

/// Aggregates the runs of `keys`, where `values` holds the run values from position `offset`.
fn aggregate_keys_from(
    offset: usize,
    start: &[usize],
    values: &mut [f64],
    days: &[Day],
    keys: &[usize],
    aggs: &[Agg],
    columns: &mut [Vec<f64>],
) {
    let sorted_percentiles = aggs
        .iter()
        .filter(|a| matches!(a, Agg::Percentile(_)))
        .count()
        > 1;
    for &k in keys {
        let (from, to) = (start[k], start[k + 1]);
        let run = &mut values[from - offset..to - offset];
        let run_days = if days.is_empty() {
            &[][..]
        } else {
            &days[from..to]
        };
        let stats = RunStats::of(run, run_days);
        // Percentiles reorder the run, so they come after every order-dependent statistic.
        let present = move_missing_last(run, stats.count);
        if sorted_percentiles {
            present.sort_unstable_by(f64::total_cmp);
        }
        for (agg, column) in aggs.iter().zip(columns.iter_mut()) {
            column.push(match agg {
                Agg::Sum => stats.sum,
                Agg::Mean => stats.sum / stats.count as f64,
                Agg::Min => stats.min,
                Agg::Max => stats.max,
                Agg::First => stats.first,
                Agg::Last => stats.last,
                Agg::Count => stats.count as f64,
                Agg::Percentile(p) if sorted_percentiles => quantile_sorted(present, p / 100.0),
                Agg::Percentile(p) => quantile_select(present, p / 100.0),
            });
        }
    }
}

/// Moves NaN values behind the others (order is not kept) and returns the non-NaN part.
fn move_missing_last(run: &mut [f64], present: usize) -> &mut [f64] {
    if present < run.len() {
        let mut write = 0;
        for read in 0..run.len() {
            if !run[read].is_nan() {
                run.swap(write, read);
                write += 1;
            }
        }
    }
    &mut run[..present]
}

/// Statistics of one run of values in input order (`days` empty when first/last are not needed).
struct RunStats {
    sum: f64,
    count: usize,
    min: f64,
    max: f64,
    first: f64,
    last: f64,
}

impl RunStats {
    fn of(values: &[f64], days: &[Day]) -> RunStats {
        let mut sum = NeumaierSum::default();
        let mut stats = RunStats {
            sum: 0.0,
            count: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            first: f64::NAN,
            last: f64::NAN,
        };
        for &v in values.iter().filter(|v| !v.is_nan()) {
            sum.add(v);
            stats.count += 1;
            stats.min = stats.min.min(v);
            stats.max = stats.max.max(v);
        }
        stats.sum = sum.total();
        if stats.count == 0 {
            stats.min = f64::NAN;
            stats.max = f64::NAN;
        }
        if !days.is_empty() {
            let (mut first_day, mut last_day) = (Day::MAX, Day::MIN);
            for (&v, &d) in values.iter().zip(days).filter(|(v, _)| !v.is_nan()) {
                if d < first_day {
                    (first_day, stats.first) = (d, v);
                }
                if d >= last_day {
                    (last_day, stats.last) = (d, v);
                }
            }
        }
        stats
    }
}

/// Compensated summation: sums of millions of values stay as exact as pandas' Kahan sums.
#[derive(Default, Clone)]
struct NeumaierSum {
    sum: f64,
    compensation: f64,
}

impl NeumaierSum {
    #[inline]
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        self.compensation += if self.sum.abs() >= v.abs() {
            (self.sum - t) + v
        } else {
            (v - t) + self.sum
        };
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.compensation
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
    let grouping = Grouping::new(kpi, day, granularity);
    let mut num = vec![NeumaierSum::default(); grouping.key_count()];
    let mut den = vec![NeumaierSum::default(); grouping.key_count()];
    let mut rows = vec![0u32; grouping.key_count()];
    grouping.for_each(kpi, day, |key, i| {
        rows[key] += 1;
        // A missing part leaves the other sum alone, as pandas' sum skips NaN.
        if !numerator[i].is_nan() {
            num[key].add(numerator[i]);
        }
        if !denominator[i].is_nan() {
            den[key].add(denominator[i]);
        }
    });
    let occupied: Vec<usize> = (0..rows.len()).filter(|&k| rows[k] > 0).collect();
    let numerator: Vec<f64> = occupied.iter().map(|&k| num[k].total()).collect();
    let denominator: Vec<f64> = occupied.iter().map(|&k| den[k].total()).collect();
    let ratio = numerator
        .iter()
        .zip(&denominator)
        .map(|(&n, &d)| (d != 0.0).then(|| n / d))
        .collect();
    let (kpi, period) = occupied.iter().map(|&k| grouping.key(k)).unzip();
    RatioRollup {
        granularity,
        kpi,
        period,
        numerator,
        denominator,
        ratio,
    }
}
