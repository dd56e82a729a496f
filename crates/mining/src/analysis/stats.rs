//! Headline numbers of a log.

use crate::log::{EventLog, NO_RESOURCE};
use serde::Serialize;

/// Sizes and time span of a log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub events: usize,
    pub cases: usize,
    pub activities: usize,
    pub variants: usize,
    pub resources: usize,
    /// Earliest and latest event, RFC 3339 UTC (`None` for an empty log).
    pub first_event: Option<String>,
    pub last_event: Option<String>,
    pub span_seconds: f64,
}

pub fn stats(log: &EventLog) -> Stats {
    let first = log.timestamp.iter().copied().min();
    let last = log.timestamp.iter().copied().max();
    let used_resources = {
        let mut seen = vec![false; log.resources.len()];
        for &r in &log.resource {
            if r != NO_RESOURCE {
                seen[r as usize] = true;
            }
        }
        seen.iter().filter(|&&s| s).count()
    };
    Stats {
        events: log.num_events(),
        cases: log.num_cases(),
        activities: log.activities.len(),
        variants: log.variant_index().0.len(),
        resources: used_resources,
        first_event: first.map(crate::time::format_rfc3339),
        last_event: last.map(crate::time::format_rfc3339),
        span_seconds: match (first, last) {
            (Some(a), Some(b)) => (b - a) as f64 / 1000.0,
            _ => 0.0,
        },
    }
}
