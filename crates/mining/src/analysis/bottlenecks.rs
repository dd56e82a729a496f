//! Where cases wait, loop back, and change hands.

use super::dfg::edge_durations;
use crate::log::{EventLog, NO_RESOURCE};
use foldhash::HashMap;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EdgeWait {
    pub source: String,
    pub target: String,
    pub count: u64,
    pub total_seconds: f64,
    pub mean_seconds: f64,
}

/// Waiting before an activity: from the previous event's completion to this event's start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityWait {
    pub activity: String,
    pub count: u64,
    pub total_wait_seconds: f64,
    pub mean_wait_seconds: f64,
    /// Mean time from start to completion, when the log has start timestamps.
    pub mean_service_seconds: Option<f64>,
}

/// A loop: the path from one occurrence of an activity back to the same activity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReworkLoop {
    pub path: Vec<String>,
    pub occurrences: u64,
    pub cases: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handover {
    pub from: String,
    pub to: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResourceLoad {
    pub resource: String,
    pub events: u64,
    pub cases: u64,
    pub share_of_events: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bottlenecks {
    pub edges_by_total_wait: Vec<EdgeWait>,
    pub edges_by_mean_wait: Vec<EdgeWait>,
    pub activities_by_total_wait: Vec<ActivityWait>,
    pub activities_by_mean_wait: Vec<ActivityWait>,
    pub rework_loops: Vec<ReworkLoop>,
    pub handovers: Vec<Handover>,
    pub resource_workload: Vec<ResourceLoad>,
}

/// Loops longer than this are not reported as one path (they are rarely actionable).
const MAX_LOOP_LEN: usize = 8;

/// Ranks edges, activities, loops, handovers and resources; each list keeps its `top` first.
pub fn bottlenecks(log: &EventLog, top: usize) -> Bottlenecks {
    let (keys, durations) = edge_durations(log);
    let edges: Vec<EdgeWait> = keys
        .iter()
        .zip(&durations)
        .map(|(&(a, b), d)| {
            let total: i64 = d.iter().sum();
            EdgeWait {
                source: log.activity_name(a).to_owned(),
                target: log.activity_name(b).to_owned(),
                count: d.len() as u64,
                total_seconds: total as f64 / 1000.0,
                mean_seconds: total as f64 / d.len() as f64 / 1000.0,
            }
        })
        .collect();
    let by = |mut v: Vec<EdgeWait>, key: fn(&EdgeWait) -> f64| {
        v.sort_by(|x, y| {
            key(y)
                .total_cmp(&key(x))
                .then_with(|| (&x.source, &x.target).cmp(&(&y.source, &y.target)))
        });
        v.truncate(top);
        v
    };

    let n = log.activities.len();
    let (mut wait, mut waits, mut service) = (vec![0i64; n], vec![0u64; n], vec![0i64; n]);
    let mut occurrences = vec![0u64; n];
    let mut loops: HashMap<Vec<u32>, (u64, u64, usize)> = HashMap::default();
    let mut handovers: HashMap<(u32, u32), u64> = HashMap::default();
    let mut last_seen: HashMap<u32, usize> = HashMap::default();
    let mut res_events = vec![0u64; log.resources.len()];
    let mut res_cases = vec![0u64; log.resources.len()];
    let mut res_last_case = vec![usize::MAX; log.resources.len()];
    for c in 0..log.num_cases() {
        let r = log.case_range(c);
        last_seen.clear();
        for e in r.clone() {
            let a = log.activity[e];
            occurrences[a as usize] += 1;
            if let Some(starts) = &log.start_timestamp {
                service[a as usize] += log.timestamp[e] - starts[e];
            }
            if e > r.start {
                wait[a as usize] += (log.start_of(e) - log.timestamp[e - 1]).max(0);
                waits[a as usize] += 1;
                let (p, q) = (log.resource[e - 1], log.resource[e]);
                if p != NO_RESOURCE && q != NO_RESOURCE && p != q {
                    *handovers.entry((p, q)).or_default() += 1;
                }
            }
            if let Some(&prev) = last_seen.get(&a)
                && e - prev <= MAX_LOOP_LEN
            {
                let entry = loops.entry(log.activity[prev..=e].to_vec()).or_default();
                entry.0 += 1;
                if entry.2 != c + 1 {
                    entry.1 += 1;
                    entry.2 = c + 1;
                }
            }
            last_seen.insert(a, e);
            let res = log.resource[e];
            if res != NO_RESOURCE {
                res_events[res as usize] += 1;
                if res_last_case[res as usize] != c {
                    res_last_case[res as usize] = c;
                    res_cases[res as usize] += 1;
                }
            }
        }
    }

    let activities: Vec<ActivityWait> = (0..n)
        .filter(|&a| occurrences[a] > 0)
        .map(|a| ActivityWait {
            activity: log.activity_name(a as u32).to_owned(),
            count: occurrences[a],
            total_wait_seconds: wait[a] as f64 / 1000.0,
            mean_wait_seconds: if waits[a] == 0 {
                0.0
            } else {
                wait[a] as f64 / waits[a] as f64 / 1000.0
            },
            mean_service_seconds: log
                .start_timestamp
                .as_ref()
                .map(|_| service[a] as f64 / occurrences[a] as f64 / 1000.0),
        })
        .collect();
    let by_act = |mut v: Vec<ActivityWait>, key: fn(&ActivityWait) -> f64| {
        v.sort_by(|x, y| {
            key(y)
                .total_cmp(&key(x))
                .then_with(|| x.activity.cmp(&y.activity))
        });
        v.truncate(top);
        v
    };

    let mut rework_loops: Vec<ReworkLoop> = loops
        .into_iter()
        .map(|(path, (occ, cases, _))| ReworkLoop {
            path: path
                .iter()
                .map(|&a| log.activity_name(a).to_owned())
                .collect(),
            occurrences: occ,
            cases,
        })
        .collect();
    rework_loops.sort_by(|x, y| {
        y.occurrences
            .cmp(&x.occurrences)
            .then_with(|| x.path.cmp(&y.path))
    });
    rework_loops.truncate(top);

    let mut handovers: Vec<Handover> = handovers
        .into_iter()
        .map(|((p, q), count)| Handover {
            from: log.resources.get(p).to_owned(),
            to: log.resources.get(q).to_owned(),
            count,
        })
        .collect();
    handovers.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then_with(|| (&x.from, &x.to).cmp(&(&y.from, &y.to)))
    });
    handovers.truncate(top);

    let total_events = log.num_events().max(1) as f64;
    let mut resource_workload: Vec<ResourceLoad> = (0..log.resources.len())
        .filter(|&r| res_events[r] > 0)
        .map(|r| ResourceLoad {
            resource: log.resources.get(r as u32).to_owned(),
            events: res_events[r],
            cases: res_cases[r],
            share_of_events: res_events[r] as f64 / total_events,
        })
        .collect();
    resource_workload.sort_by(|x, y| {
        y.events
            .cmp(&x.events)
            .then_with(|| x.resource.cmp(&y.resource))
    });
    resource_workload.truncate(top);

    Bottlenecks {
        edges_by_total_wait: by(edges.clone(), |e| e.total_seconds),
        edges_by_mean_wait: by(edges, |e| e.mean_seconds),
        activities_by_total_wait: by_act(activities.clone(), |a| a.total_wait_seconds),
        activities_by_mean_wait: by_act(activities, |a| a.mean_wait_seconds),
        rework_loops,
        handovers,
        resource_workload,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogBuilder;

    #[test]
    fn finds_loops_waits_and_handovers() {
        let mut b = LogBuilder::new();
        let events = [
            ("a", "R1", 0),
            ("q", "R2", 1000),
            ("r", "R2", 2000),
            ("q", "R1", 10_000),
        ];
        for case in ["1", "2"] {
            for (a, r, t) in events {
                b.push_event(case, a, t, Some(r));
            }
        }
        let x = bottlenecks(&b.build(), 10);
        assert_eq!(x.rework_loops[0].path, ["q", "r", "q"]);
        assert_eq!(
            (x.rework_loops[0].occurrences, x.rework_loops[0].cases),
            (2, 2)
        );
        assert_eq!(x.edges_by_total_wait[0].source, "r");
        assert_eq!(x.edges_by_total_wait[0].total_seconds, 16.0);
        assert_eq!(x.activities_by_mean_wait[0].activity, "q");
        assert_eq!(x.handovers.iter().map(|h| h.count).sum::<u64>(), 4);
        assert_eq!(x.resource_workload[0].events, 4);
    }
}
