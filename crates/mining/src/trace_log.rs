//! The control-flow view of a log: what discovery and conformance need.

/// A log reduced to activity names and its distinct traces (variants).
///
/// Produced from a full event log by the importers' side (`EventLog::to_trace_log`);
/// consumed by discovery and conformance, which never need timestamps or resources.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceLog {
    /// Activity names; an activity id is an index into this vector.
    pub activities: Vec<String>,
    /// Distinct traces as activity-id sequences, with the number of cases that follow each.
    pub variants: Vec<Variant>,
    /// Every case (in log order): its id and the index of its variant in `variants`.
    pub cases: Vec<(String, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub trace: Vec<u32>,
    pub count: u64,
}
