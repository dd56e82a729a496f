//! The in-memory event log: columnar, with interned ids and events grouped by case.

mod attributes;
mod builder;
mod interner;

pub use attributes::{AttrValue, AttributeColumn, AttributeTable};
pub use builder::LogBuilder;
pub use interner::Interner;

use crate::trace_log::{TraceLog, Variant};
use foldhash::HashMap;

/// Resource id of events that have no resource.
pub const NO_RESOURCE: u32 = u32::MAX;

/// An event log in columnar form.
///
/// Events of one case are contiguous (`case_bounds[c]..case_bounds[c + 1]`) and ordered by
/// timestamp (by start timestamp first when the log has them); equal timestamps keep file order,
/// as PM4Py does. Cases are numbered in order of first appearance in the file. About 20 bytes per
/// event without extra attributes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventLog {
    pub case_ids: Interner,
    pub activities: Interner,
    pub resources: Interner,
    /// `case_bounds[c]..case_bounds[c + 1]` are the events of case `c`; `len = cases + 1`.
    pub case_bounds: Vec<u32>,
    pub activity: Vec<u32>,
    /// [`NO_RESOURCE`] where the event has none.
    pub resource: Vec<u32>,
    /// Completion time, epoch milliseconds UTC.
    pub timestamp: Vec<i64>,
    /// Start time, epoch milliseconds UTC, when the log has start timestamps.
    pub start_timestamp: Option<Vec<i64>>,
    /// One row per event (same order as the columns above); empty when not loaded.
    pub event_attributes: AttributeTable,
    /// One row per case.
    pub case_attributes: AttributeTable,
}

impl EventLog {
    pub fn num_events(&self) -> usize {
        self.activity.len()
    }

    pub fn num_cases(&self) -> usize {
        self.case_bounds.len().saturating_sub(1)
    }

    /// Event index range of case `c`.
    pub fn case_range(&self, c: usize) -> std::ops::Range<usize> {
        self.case_bounds[c] as usize..self.case_bounds[c + 1] as usize
    }

    /// Activity ids of case `c`, in order.
    pub fn trace(&self, c: usize) -> &[u32] {
        &self.activity[self.case_range(c)]
    }

    pub fn case_id(&self, c: usize) -> &str {
        self.case_ids.get(c as u32)
    }

    pub fn activity_name(&self, a: u32) -> &str {
        self.activities.get(a)
    }

    /// The resource name of event `e`, if it has one.
    pub fn resource_name(&self, e: usize) -> Option<&str> {
        match self.resource[e] {
            NO_RESOURCE => None,
            r => Some(self.resources.get(r)),
        }
    }

    /// When event `e` started: its start timestamp if the log has them, else its completion.
    pub fn start_of(&self, e: usize) -> i64 {
        match &self.start_timestamp {
            Some(s) => s[e],
            None => self.timestamp[e],
        }
    }

    /// Case duration in milliseconds: last completion minus first completion, as PM4Py computes
    /// it by default (start timestamps are not used, so results match PM4Py).
    pub fn case_duration_ms(&self, c: usize) -> i64 {
        let r = self.case_range(c);
        if r.is_empty() {
            return 0;
        }
        let ts = &self.timestamp[r];
        ts[ts.len() - 1] - ts[0]
    }

    /// Groups cases by their activity sequence: returns the distinct traces (first-seen order)
    /// with their case lists' variant index per case.
    pub fn variant_index(&self) -> (Vec<&[u32]>, Vec<u32>) {
        let mut index: HashMap<&[u32], u32> = HashMap::default();
        let mut traces: Vec<&[u32]> = Vec::new();
        let mut of_case = Vec::with_capacity(self.num_cases());
        for c in 0..self.num_cases() {
            let t = self.trace(c);
            let id = *index.entry(t).or_insert_with(|| {
                traces.push(t);
                (traces.len() - 1) as u32
            });
            of_case.push(id);
        }
        (traces, of_case)
    }

    /// The control-flow view used by discovery and conformance.
    pub fn to_trace_log(&self) -> TraceLog {
        let (traces, of_case) = self.variant_index();
        let mut variants: Vec<Variant> = traces
            .iter()
            .map(|t| Variant {
                trace: t.to_vec(),
                count: 0,
            })
            .collect();
        for &v in &of_case {
            variants[v as usize].count += 1;
        }
        TraceLog {
            activities: self.activities.to_vec(),
            variants,
            cases: of_case
                .iter()
                .enumerate()
                .map(|(c, &v)| (self.case_id(c).to_owned(), v))
                .collect(),
        }
    }

    /// A new log with the chosen cases (in the given order) and, within them, the events for
    /// which `keep_event` is true. Cases left without events are dropped.
    pub fn select(&self, cases: &[u32], mut keep_event: impl FnMut(usize) -> bool) -> EventLog {
        let mut b = LogBuilder::new();
        let keep_attrs = !self.event_attributes.columns.is_empty();
        for &c in cases {
            let c = c as usize;
            let mut first = true;
            for e in self.case_range(c) {
                if !keep_event(e) {
                    continue;
                }
                let row = b.push_event_ids(
                    self.case_id(c),
                    self.activity_name(self.activity[e]),
                    self.timestamp[e],
                    self.resource_name(e),
                    self.start_timestamp.as_ref().map(|s| s[e]),
                );
                if keep_attrs {
                    b.copy_event_attributes(row, &self.event_attributes, e);
                }
                if first {
                    b.copy_case_attributes(self.case_id(c), &self.case_attributes, c);
                    first = false;
                }
            }
        }
        b.build()
    }
}
