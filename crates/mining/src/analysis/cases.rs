//! Case durations and rework per case.

use super::summary::Distribution;
use crate::log::EventLog;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseInfo {
    pub case: String,
    pub events: usize,
    pub start: String,
    pub end: String,
    pub duration_seconds: f64,
    /// Events that repeat an activity already seen in the case.
    pub rework_events: usize,
    /// Activities that occur more than once in the case.
    pub reworked_activities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cases {
    pub duration_seconds: Distribution,
    pub cases_with_rework: usize,
    /// Per case, longest first.
    pub cases: Vec<CaseInfo>,
}

/// Per-case durations (longest first) and their distribution; `limit` caps the per-case list.
pub fn cases(log: &EventLog, limit: Option<usize>) -> Cases {
    let mut seen = vec![0u32; log.activities.len()];
    let mut durations = Vec::with_capacity(log.num_cases());
    let mut list = Vec::with_capacity(log.num_cases());
    let mut with_rework = 0;
    for c in 0..log.num_cases() {
        let r = log.case_range(c);
        let trace = log.trace(c);
        for &a in trace {
            seen[a as usize] += 1;
        }
        let mut reworked: Vec<String> = Vec::new();
        let mut rework_events = 0;
        for &a in trace {
            let n = seen[a as usize];
            if n > 1 {
                rework_events += n as usize - 1;
                reworked.push(log.activity_name(a).to_owned());
            }
            seen[a as usize] = 0;
        }
        reworked.sort();
        if rework_events > 0 {
            with_rework += 1;
        }
        let d = log.case_duration_ms(c);
        durations.push(d);
        list.push(CaseInfo {
            case: log.case_id(c).to_owned(),
            events: r.len(),
            start: crate::time::format_rfc3339(log.timestamp[r.start]),
            end: crate::time::format_rfc3339(log.timestamp[r.end - 1]),
            duration_seconds: d as f64 / 1000.0,
            rework_events,
            reworked_activities: reworked,
        });
    }
    list.sort_by(|a, b| {
        b.duration_seconds
            .total_cmp(&a.duration_seconds)
            .then_with(|| a.case.cmp(&b.case))
    });
    if let Some(k) = limit {
        list.truncate(k);
    }
    Cases {
        duration_seconds: Distribution::from_millis(&mut durations),
        cases_with_rework: with_rework,
        cases: list,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogBuilder;

    #[test]
    fn rework_counts_repeats() {
        let mut b = LogBuilder::new();
        for (i, a) in ["a", "b", "a", "a", "c"].iter().enumerate() {
            b.push_event("x", a, i as i64 * 1000, None);
        }
        b.push_event("y", "a", 0, None);
        let r = cases(&b.build(), None);
        assert_eq!(r.cases_with_rework, 1);
        let x = r.cases.iter().find(|c| c.case == "x").unwrap();
        assert_eq!((x.rework_events, x.duration_seconds), (2, 4.0));
        assert_eq!(x.reworked_activities, ["a"]);
        assert_eq!(r.duration_seconds.max, 4.0);
    }
}
