//! Assigning points to `(kpi, period)` groups without hashing.
//!
//! Period indices are dense, so `kpi * span + (period - first_period)` is a perfect key. When that
//! key space is small relative to the data (the usual case: hundreds of KPIs over a few hundred
//! periods) a counting pass finds the occupied groups; otherwise the occupied keys are sorted.

use crate::calendar::Day;
use crate::period::Granularity;

/// The group of every point and the key of every group, groups ordered by `(kpi, period)`.
#[derive(Debug, Clone, Default)]
pub struct Groups {
    /// Group id of each point.
    pub gid: Vec<u32>,
    /// KPI id of each group.
    pub kpi: Vec<u32>,
    /// Period index of each group.
    pub period: Vec<i32>,
}

impl Groups {
    /// Number of groups.
    pub fn len(&self) -> usize {
        self.kpi.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.kpi.is_empty()
    }

    /// Groups the points given by `kpi` ids and `day`s (same length) by `(kpi, period)`.
    pub fn build(kpi: &[u32], day: &[Day], granularity: Granularity) -> Groups {
        assert_eq!(kpi.len(), day.len(), "kpi and day columns differ in length");
        let Some((&first_day, &last_day)) = day.iter().min().zip(day.iter().max()) else {
            return Groups::default();
        };
        let period_of = PeriodLookup::new(granularity, first_day, last_day, day.len());
        let first_period = granularity.index_of(first_day);
        let span = (granularity.index_of(last_day) - first_period) as u64 + 1;
        let n_kpi = kpi.iter().max().map_or(0, |&k| k as u64 + 1);
        let dense_keys = n_kpi * span;
        if dense_keys <= (kpi.len() as u64).max(1 << 16) * 2 {
            Self::build_dense(
                kpi,
                day,
                &period_of,
                first_period,
                span as usize,
                dense_keys as usize,
            )
        } else {
            Self::build_sparse(kpi, day, &period_of)
        }
    }

    fn build_dense(
        kpi: &[u32],
        day: &[Day],
        period_of: &PeriodLookup,
        first_period: i32,
        span: usize,
        dense_keys: usize,
    ) -> Groups {
        let mut occupied = vec![false; dense_keys];
        let mut gid: Vec<u32> = kpi
            .iter()
            .zip(day)
            .map(|(&k, &d)| {
                let key = k as usize * span + (period_of.get(d) - first_period) as usize;
                occupied[key] = true;
                key as u32
            })
            .collect();
        let mut remap = vec![u32::MAX; dense_keys];
        let mut groups = Groups::default();
        for (key, _) in occupied.iter().enumerate().filter(|(_, o)| **o) {
            remap[key] = groups.kpi.len() as u32;
            groups.kpi.push((key / span) as u32);
            groups.period.push(first_period + (key % span) as i32);
        }
        for g in &mut gid {
            *g = remap[*g as usize];
        }
        groups.gid = gid;
        groups
    }

    fn build_sparse(kpi: &[u32], day: &[Day], period_of: &PeriodLookup) -> Groups {
        let key =
            |k: u32, d: Day| (u64::from(k) << 32) | u64::from(period_of.get(d) as u32 ^ (1 << 31));
        let mut keys: Vec<u64> = kpi.iter().zip(day).map(|(&k, &d)| key(k, d)).collect();
        keys.sort_unstable();
        keys.dedup();
        let gid = kpi
            .iter()
            .zip(day)
            .map(|(&k, &d)| keys.binary_search(&key(k, d)).expect("key was collected") as u32)
            .collect();
        Groups {
            gid,
            kpi: keys.iter().map(|&k| (k >> 32) as u32).collect(),
            period: keys
                .iter()
                .map(|&k| (k as u32 ^ (1 << 31)) as i32)
                .collect(),
        }
    }
}

/// Period index of a day, from a table when the date range is small (it usually spans a few years
/// while there are millions of points) and computed otherwise.
struct PeriodLookup {
    granularity: Granularity,
    first_day: Day,
    table: Vec<i32>,
}

impl PeriodLookup {
    fn new(granularity: Granularity, first_day: Day, last_day: Day, points: usize) -> Self {
        let days = (last_day as i64 - first_day as i64 + 1) as usize;
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
        match self.table.get((day - self.first_day) as usize) {
            Some(&p) => p,
            None => self.granularity.index_of(day),
        }
    }
}
