//! Directly-follows graph with frequencies and waiting-time statistics per edge.

use super::summary::quantile_sorted;
use crate::log::EventLog;
use foldhash::HashMap;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityCount {
    pub name: String,
    pub count: u64,
}

/// One directly-follows edge. Durations are from the source's completion to the target's start
/// (its completion when the log has no start times), in seconds, never negative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DfgEdge {
    pub source: String,
    pub target: String,
    pub count: u64,
    pub mean_seconds: f64,
    pub median_seconds: f64,
    pub min_seconds: f64,
    pub max_seconds: f64,
    pub p90_seconds: f64,
    /// Sum of all durations (not part of the `--json` schema; used for bottleneck ranking).
    #[serde(skip)]
    pub total_seconds: f64,
}

/// The `dfg --json` schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dfg {
    pub activities: Vec<ActivityCount>,
    pub edges: Vec<DfgEdge>,
    pub start_activities: Vec<ActivityCount>,
    pub end_activities: Vec<ActivityCount>,
}

/// Per-edge durations in milliseconds, keyed by `(source, target)` activity ids, in
/// first-seen order. Shared by the DFG and the bottleneck analysis.
pub(crate) fn edge_durations(log: &EventLog) -> (Vec<(u32, u32)>, Vec<Vec<i64>>) {
    let mut index: HashMap<u64, u32> = HashMap::default();
    let mut keys = Vec::new();
    let mut durations: Vec<Vec<i64>> = Vec::new();
    for c in 0..log.num_cases() {
        let r = log.case_range(c);
        for e in r.start..r.end.saturating_sub(1) {
            let (a, b) = (log.activity[e], log.activity[e + 1]);
            let key = (u64::from(a) << 32) | u64::from(b);
            let slot = *index.entry(key).or_insert_with(|| {
                keys.push((a, b));
                durations.push(Vec::new());
                (keys.len() - 1) as u32
            });
            // PM4Py: max(next start, this completion) - this completion.
            let wait = (log.start_of(e + 1) - log.timestamp[e]).max(0);
            durations[slot as usize].push(wait);
        }
    }
    (keys, durations)
}

fn counted(log: &EventLog, counts: &[u64]) -> Vec<ActivityCount> {
    let mut v: Vec<ActivityCount> = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(a, &count)| ActivityCount {
            name: log.activity_name(a as u32).to_owned(),
            count,
        })
        .collect();
    v.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.name.cmp(&y.name)));
    v
}

/// Computes the DFG. Lists are sorted by count (descending), then by name.
pub fn dfg(log: &EventLog) -> Dfg {
    let n = log.activities.len();
    let mut act = vec![0u64; n];
    for &a in &log.activity {
        act[a as usize] += 1;
    }
    let (mut start, mut end) = (vec![0u64; n], vec![0u64; n]);
    for c in 0..log.num_cases() {
        let t = log.trace(c);
        if let (Some(&f), Some(&l)) = (t.first(), t.last()) {
            start[f as usize] += 1;
            end[l as usize] += 1;
        }
    }
    let (keys, mut durations) = edge_durations(log);
    let mut edges: Vec<DfgEdge> = keys
        .iter()
        .zip(durations.iter_mut())
        .map(|(&(a, b), d)| edge(log, a, b, d))
        .collect();
    edges.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then_with(|| x.source.cmp(&y.source))
            .then_with(|| x.target.cmp(&y.target))
    });
    Dfg {
        activities: counted(log, &act),
        edges,
        start_activities: counted(log, &start),
        end_activities: counted(log, &end),
    }
}

fn edge(log: &EventLog, a: u32, b: u32, d: &mut [i64]) -> DfgEdge {
    d.sort_unstable();
    let secs: Vec<f64> = d.iter().map(|&v| v as f64 / 1000.0).collect();
    let total: i128 = d.iter().map(|&v| i128::from(v)).sum();
    DfgEdge {
        source: log.activity_name(a).to_owned(),
        target: log.activity_name(b).to_owned(),
        count: d.len() as u64,
        mean_seconds: total as f64 / d.len() as f64 / 1000.0,
        median_seconds: quantile_sorted(&secs, 0.5),
        min_seconds: secs[0],
        max_seconds: secs[secs.len() - 1],
        p90_seconds: quantile_sorted(&secs, 0.9),
        total_seconds: total as f64 / 1000.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogBuilder;

    #[test]
    fn counts_and_waits() {
        let mut b = LogBuilder::new();
        for (c, a, t) in [
            ("1", "a", 0),
            ("1", "b", 10_000),
            ("1", "b", 40_000),
            ("2", "a", 0),
            ("2", "b", 20_000),
        ] {
            b.push_event(c, a, t, None);
        }
        let d = dfg(&b.build());
        let ab = d
            .edges
            .iter()
            .find(|e| e.source == "a" && e.target == "b")
            .unwrap();
        assert_eq!(ab.count, 2);
        assert_eq!(ab.mean_seconds, 15.0);
        assert_eq!(ab.median_seconds, 15.0);
        assert_eq!((ab.min_seconds, ab.max_seconds), (10.0, 20.0));
        let bb = d
            .edges
            .iter()
            .find(|e| e.source == "b" && e.target == "b")
            .unwrap();
        assert_eq!((bb.count, bb.mean_seconds), (1, 30.0));
        assert_eq!(
            d.start_activities,
            vec![ActivityCount {
                name: "a".into(),
                count: 2
            }]
        );
        assert_eq!(
            d.activities[0],
            ActivityCount {
                name: "b".into(),
                count: 3
            }
        );
    }
}
