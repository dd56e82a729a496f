//! Assigning points to `(kpi, period)` groups without hashing.
//!
//! Period indices are dense, so `kpi * span + (period - first_period)` is a perfect key: when
//! that key space is small relative to the data (the usual case: hundreds of KPIs over a few
//! hundred periods) every pass recomputes the key from a day → period table and no per-point group
//! column is ever stored. Otherwise the occupied keys are sorted once and each point gets the
//! index of its key.

use crate::calendar::Day;
use crate::period::Granularity;

/// Maps every point to a key in `0..key_count()`; keys are ordered by `(kpi, period)`. Some keys
/// may have no points (the dense case): callers drop them.
#[derive(Debug, Clone)]
pub struct Grouping {
    mapping: Mapping,
    key_count: usize,
}

#[derive(Debug, Clone)]
enum Mapping {
    Dense {
        span: usize,
        first_period: i32,
        period_of: PeriodLookup,
    },
    Sparse {
        key_of_point: Vec<u32>,
        keys: Vec<u64>,
    },
}

impl Grouping {
    /// Groups the points given by `kpi` ids and `day`s (same length) by `(kpi, period)`.
    pub fn new(kpi: &[u32], day: &[Day], granularity: Granularity) -> Grouping {
        assert_eq!(kpi.len(), day.len(), "kpi and day columns differ in length");
        let Some((&first_day, &last_day)) = day.iter().min().zip(day.iter().max()) else {
            return Grouping {
                mapping: Mapping::Sparse {
                    key_of_point: Vec::new(),
                    keys: Vec::new(),
                },
                key_count: 0,
            };
        };
        let period_of = PeriodLookup::new(granularity, first_day, last_day, day.len());
        let first_period = granularity.index_of(first_day);
        let span = (granularity.index_of(last_day) - first_period) as u64 + 1;
        let n_kpi = kpi.iter().max().map_or(0, |&k| u64::from(k) + 1);
        let dense_keys = n_kpi * span;
        if dense_keys <= (kpi.len() as u64).max(1 << 16) {
            Grouping {
                mapping: Mapping::Dense {
                    span: span as usize,
                    first_period,
                    period_of,
                },
                key_count: dense_keys as usize,
            }
        } else {
            let sparse_key =
                |k: u32, d: Day| (u64::from(k) << 32) | u64::from(flip(period_of.get(d)));
            let mut keys: Vec<u64> = kpi
                .iter()
                .zip(day)
                .map(|(&k, &d)| sparse_key(k, d))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let key_of_point = kpi
                .iter()
                .zip(day)
                .map(|(&k, &d)| {
                    keys.binary_search(&sparse_key(k, d))
                        .expect("key was collected") as u32
                })
                .collect();
            Grouping {
                key_count: keys.len(),
                mapping: Mapping::Sparse { key_of_point, keys },
            }
        }
    }

    /// Number of keys.
    pub fn key_count(&self) -> usize {
        self.key_count
    }

    /// `(kpi, period index)` of a key.
    pub fn key(&self, key: usize) -> (u32, i32) {
        match &self.mapping {
            Mapping::Dense {
                span, first_period, ..
            } => ((key / span) as u32, first_period + (key % span) as i32),
            Mapping::Sparse { keys, .. } => {
                let k = keys[key];
                ((k >> 32) as u32, flip(k as u32 as i32) as i32)
            }
        }
    }

    /// The key of each point in `range`.
    pub fn keys_of(&self, kpi: &[u32], day: &[Day], range: std::ops::Range<usize>) -> Vec<u32> {
        match &self.mapping {
            Mapping::Dense {
                span,
                first_period,
                period_of,
            } => kpi[range.clone()]
                .iter()
                .zip(&day[range])
                .map(|(&k, &d)| {
                    (k as usize * span + (period_of.get(d) - first_period) as usize) as u32
                })
                .collect(),
            Mapping::Sparse { key_of_point, .. } => key_of_point[range].to_vec(),
        }
    }

    /// Calls `f(key, point)` for every point in order. Generic so that the per-point work is
    /// inlined into each kernel.
    #[inline]
    pub fn for_each(&self, kpi: &[u32], day: &[Day], mut f: impl FnMut(usize, usize)) {
        match &self.mapping {
            Mapping::Dense {
                span,
                first_period,
                period_of,
            } => {
                for (i, (&k, &d)) in kpi.iter().zip(day).enumerate() {
                    f(
                        k as usize * span + (period_of.get(d) - first_period) as usize,
                        i,
                    );
                }
            }
            Mapping::Sparse { key_of_point, .. } => {
                for (i, &key) in key_of_point.iter().enumerate() {
                    f(key as usize, i);
                }
            }
        }
    }
}

/// Order-preserving map of `i32` to `u32` (and back), so sparse keys sort by signed period.
fn flip(p: i32) -> u32 {
    (p as u32) ^ (1 << 31)
}

/// Period index of a day, from a table when the date range is small (it usually spans a few years
/// while there are millions of points) and computed otherwise.
#[derive(Debug, Clone)]
struct PeriodLookup {
    granularity: Granularity,
    first_day: Day,
    table: Vec<i32>,
}

impl PeriodLookup {
    fn new(granularity: Granularity, first_day: Day, last_day: Day, points: usize) -> Self {
        let days = (i64::from(last_day) - i64::from(first_day) + 1) as usize;
        let table = if days <= points.max(4096) {
            (first_day..=last_day)
                .map(|d| granularity.index_of(d))
                .collect()
        } else {
            Vec::new()
        };
        PeriodLookup {
            granularity,
            first_day,
            table,
        }
    }

    #[inline]
    fn get(&self, day: Day) -> i32 {
        match self.table.get(day.wrapping_sub(self.first_day) as usize) {
            Some(&p) => p,
            None => self.granularity.index_of(day),
        }
    }
}
