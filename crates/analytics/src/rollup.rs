//! Rolling points up to one value per `(kpi, period)` and aggregation.

use crate::agg::{Agg, quantile_select, quantile_sorted};
use crate::calendar::Day;
use crate::groups::Grouping;
use crate::period::{Granularity, Period};
use crate::points::Points;
use serde::{Deserialize, Serialize};
use std::ops::Range;

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
    let threads = if points.len() >= PARALLEL_MIN_VALUES {
        2
    } else {
        1
    };
    let mut runs = Runs::new(&grouping, points, needs_days, threads);
    let occupied: Vec<usize> = (0..grouping.key_count())
        .filter(|&k| runs.start[k] < runs.start[k + 1])
        .collect();
    let columns = aggregate_runs(&mut runs, &occupied, aggs, threads);
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
    /// Counts and scatters in two threads for big inputs: each thread takes half of the points
    /// and, within every run, the slots after those of the first half, so the order stays stable.
    fn new(grouping: &Grouping, points: &Points, with_days: bool, threads: usize) -> Runs {
        let n = points.len();
        let key_count = grouping.key_count();
        let threads = threads.clamp(1, n.max(1));
        let parts: Vec<Range<usize>> = (0..threads)
            .map(|t| n * t / threads..n * (t + 1) / threads)
            .collect();
        let count_part = |range: &Range<usize>| {
            let keys = grouping.keys_of(&points.kpi, &points.day, range.clone());
            let mut counts = vec![0u32; key_count];
            for &k in &keys {
                counts[k as usize] += 1;
            }
            (keys, counts)
        };
        let counted: Vec<(Vec<u32>, Vec<u32>)> = in_parallel(&parts, count_part);
        let mut start = vec![0usize; key_count + 1];
        let mut cursors: Vec<Vec<usize>> = vec![Vec::with_capacity(key_count); parts.len()];
        for k in 0..key_count {
            let mut next = start[k];
            for (cursor, (_, counts)) in cursors.iter_mut().zip(&counted) {
                cursor.push(next);
                next += counts[k] as usize;
            }
            start[k + 1] = next;
        }
        let mut values = vec![0.0f64; n];
        let mut days = vec![0 as Day; if with_days { n } else { 0 }];
        let out = ScatterTarget {
            values: values.as_mut_ptr(),
            days: with_days.then_some(days.as_mut_ptr()),
            len: n,
        };
        let jobs: Vec<(Range<usize>, &Vec<u32>, Vec<usize>)> = parts
            .iter()
            .cloned()
            .zip(counted.iter().map(|(keys, _)| keys))
            .zip(cursors)
            .map(|((r, k), c)| (r, k, c))
            .collect();
        in_parallel(&jobs, |(range, keys, cursor)| {
            scatter(&out, keys, cursor.clone(), points, range.start)
        });
        Runs {
            start,
            values,
            days,
        }
    }
}

/// Runs `f` on every item, the first item on this thread and each other on its own thread.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    match items {
        [] => Vec::new(),
        [only] => vec![f(only)],
        [first, rest @ ..] => std::thread::scope(|scope| {
            let f = &f;
            let others: Vec<_> = rest
                .iter()
                .map(|item| scope.spawn(move || f(item)))
                .collect();
            let mut results = vec![f(first)];
            results.extend(
                others
                    .into_iter()
                    .map(|h| h.join().expect("rollup thread panicked")),
            );
            results
        }),
    }
}

/// The output columns of a scatter, written by several threads at disjoint positions.
struct ScatterTarget {
    values: *mut f64,
    days: Option<*mut Day>,
    len: usize,
}

// SAFETY: threads only write through the pointers, each at positions no other thread writes
// (see `scatter`), while the owning vectors outlive the threads and are not otherwise accessed.
unsafe impl Sync for ScatterTarget {}

/// Moves the values (and days) of points `offset..offset + keys.len()` to the next free slot of
/// their key's run, starting from `cursor`.
///
/// With thousands of keys nearly every store misses the cache, so the slot of the point a few
/// places ahead is prefetched: the misses then overlap instead of queueing one by one.
fn scatter(
    out: &ScatterTarget,
    keys: &[u32],
    mut cursor: Vec<usize>,
    points: &Points,
    offset: usize,
) {
    const AHEAD: usize = 16;
    for (j, &key) in keys.iter().enumerate() {
        if let Some(&next) = keys.get(j + AHEAD) {
            let slot = cursor[next as usize].min(out.len.saturating_sub(1));
            prefetch_for_write(out.values.wrapping_add(slot));
            if let Some(days) = out.days {
                prefetch_for_write(days.wrapping_add(slot));
            }
        }
        let c = &mut cursor[key as usize];
        let i = offset + j;
        assert!(*c < out.len);
        // SAFETY: `*c` is in bounds (checked above). Each part's cursor for a key runs over
        // that key's slots reserved for the part (its count of points with the key), and parts'
        // slot ranges are disjoint, so no position is written twice or by two threads.
        unsafe {
            *out.values.add(*c) = points.value[i];
            if let Some(days) = out.days {
                *days.add(*c) = points.day[i];
            }
        }
        *c += 1;
    }
}

/// Hints the CPU to fetch the cache line at `address`; a no-op where unsupported.
#[inline(always)]
fn prefetch_for_write<T>(address: *const T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: prefetching has no architectural effect: it never faults, whatever the address.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

/// Below this many points one thread does all the work.
const PARALLEL_MIN_VALUES: usize = 1 << 20;

/// One column per aggregation over the runs of `keys`; big inputs are split in two halves of
/// keys aggregated by two threads.
fn aggregate_runs(runs: &mut Runs, keys: &[usize], aggs: &[Agg], threads: usize) -> Vec<Vec<f64>> {
    let Runs {
        start,
        values,
        days,
    } = runs;
    let mut columns = vec![Vec::with_capacity(keys.len()); aggs.len()];
    if threads < 2 || keys.len() < 2 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_of_sums_per_kpi_and_period() {
        // KPI 1 in January: (9 + 1) / (10 + 10); February has no denominator; KPI 0: NaN skipped.
        let jan = crate::calendar::days_from_civil(2026, 1, 1);
        let feb = jan + 31;
        let r = ratio_of_sums(
            &[1, 1, 1, 0, 0],
            &[jan, jan + 5, feb, jan, jan + 1],
            &[9.0, 1.0, 3.0, 2.0, f64::NAN],
            &[10.0, 10.0, 0.0, 4.0, 4.0],
            Granularity::Month,
        );
        assert_eq!(r.kpi, [0, 1, 1]);
        assert_eq!(r.period, [2026 * 12, 2026 * 12, 2026 * 12 + 1]);
        assert_eq!(r.numerator, [2.0, 10.0, 3.0]);
        assert_eq!(r.denominator, [8.0, 20.0, 0.0]);
        assert_eq!(r.ratio, [Some(0.25), Some(0.5), None]);
    }

    #[test]
    fn threads_split_the_work_without_changing_the_result() {
        let n = 5000;
        let points = Points {
            kpi_names: vec!["a".into(), "b".into(), "c".into()],
            kpi: (0..n).map(|i| (i * 7 % 3) as u32).collect(),
            day: (0..n).map(|i| (i * 31 % 400) as Day).collect(),
            value: (0..n)
                .map(|i| {
                    if i % 97 == 0 {
                        f64::NAN
                    } else {
                        (i * 13 % 101) as f64
                    }
                })
                .collect(),
        };
        let aggs = [
            Agg::Sum,
            Agg::First,
            Agg::Last,
            Agg::Percentile(50.0),
            Agg::Percentile(90.0),
        ];
        for g in [Granularity::Day, Granularity::Month] {
            let grouping = Grouping::new(&points.kpi, &points.day, g);
            let keys: Vec<usize> = (0..grouping.key_count()).collect();
            let mut one = Runs::new(&grouping, &points, true, 1);
            let mut three = Runs::new(&grouping, &points, true, 3);
            assert_eq!((&one.start, &one.days), (&three.start, &three.days));
            assert!(
                one.values
                    .iter()
                    .zip(&three.values)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            let serial = aggregate_runs(&mut one, &keys, &aggs, 1);
            let parallel = aggregate_runs(&mut three, &keys, &aggs, 2);
            assert_eq!(format!("{serial:?}"), format!("{parallel:?}"));
        }
    }
}
