//! Accumulates events in file order, then groups them by case and sorts them by time.

use super::{AttrValue, AttributeTable, EventLog, Interner, NO_RESOURCE};

/// Builds an [`EventLog`] from events pushed in any order.
///
/// ```
/// use mining::log::LogBuilder;
/// let mut b = LogBuilder::new();
/// b.push_event("c1", "b", 2_000, None);
/// b.push_event("c2", "a", 500, Some("Ann"));
/// b.push_event("c1", "a", 1_000, Some("Bob"));
/// let log = b.build();
/// assert_eq!(log.num_cases(), 2);
/// // Case c1's events are now in time order.
/// let names: Vec<_> = log.trace(0).iter().map(|&a| log.activity_name(a)).collect();
/// assert_eq!(names, ["a", "b"]);
/// ```
#[derive(Default)]
pub struct LogBuilder {
    case_ids: Interner,
    activities: Interner,
    resources: Interner,
    case: Vec<u32>,
    activity: Vec<u32>,
    resource: Vec<u32>,
    timestamp: Vec<i64>,
    start_timestamp: Option<Vec<i64>>,
    event_attributes: AttributeTable,
    case_attributes: AttributeTable,
}

impl LogBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn num_events(&self) -> usize {
        self.case.len()
    }

    /// Adds an event and returns its row (for attributes).
    pub fn push_event(
        &mut self,
        case: &str,
        activity: &str,
        timestamp_ms: i64,
        resource: Option<&str>,
    ) -> usize {
        self.push_event_ids(case, activity, timestamp_ms, resource, None)
    }

    /// Adds an event with an optional start timestamp and returns its row.
    pub fn push_event_ids(
        &mut self,
        case: &str,
        activity: &str,
        timestamp_ms: i64,
        resource: Option<&str>,
        start_ms: Option<i64>,
    ) -> usize {
        self.push_event_bytes(
            case.as_bytes(),
            activity.as_bytes(),
            timestamp_ms,
            resource.map(str::as_bytes),
            start_ms,
        )
        .expect("str is UTF-8")
    }

    /// Adds an event whose names are raw UTF-8 bytes (validated only when new); fails without
    /// adding anything if a new name is not UTF-8.
    pub fn push_event_bytes(
        &mut self,
        case: &[u8],
        activity: &[u8],
        timestamp_ms: i64,
        resource: Option<&[u8]>,
        start_ms: Option<i64>,
    ) -> Result<usize, std::str::Utf8Error> {
        let row = self.case.len();
        let activity = self.activities.intern_bytes(activity)?;
        let resource = match resource {
            Some(r) => self.resources.intern_bytes(r)?,
            None => NO_RESOURCE,
        };
        let case_id = self.case_ids.intern_bytes(case)?;
        self.case.push(case_id);
        self.activity.push(activity);
        self.resource.push(resource);
        self.timestamp.push(timestamp_ms);
        match (start_ms, &mut self.start_timestamp) {
            (Some(s), Some(v)) => v.push(s),
            (Some(s), None) => {
                // First event with a start time: earlier events started when they completed.
                let mut v = self.timestamp[..row].to_vec();
                v.push(s);
                self.start_timestamp = Some(v);
            }
            (None, Some(v)) => v.push(timestamp_ms),
            (None, None) => {}
        }
        self.event_attributes.push_row();
        self.case_attributes.ensure_rows(self.case_ids.len());
        Ok(row)
    }

    /// Sets an attribute of the event at `row`.
    pub fn set_event_attribute(&mut self, row: usize, name: &str, value: AttrValue) {
        self.event_attributes.set(row, name, value);
    }

    pub fn set_event_text(&mut self, row: usize, name: &str, value: &str) {
        self.event_attributes.set_text(row, name, value);
    }

    /// Declares a case (so cases appear in file order even before their first event) and
    /// returns its index.
    pub fn declare_case(&mut self, case: &str) -> usize {
        let c = self.case_ids.intern(case) as usize;
        self.case_attributes.ensure_rows(self.case_ids.len());
        c
    }

    /// Sets an attribute of `case`; the first value set wins, as a case attribute should not vary.
    pub fn set_case_attribute(&mut self, case: &str, name: &str, value: AttrValue) {
        let c = self.declare_case(case);
        let present = self
            .case_attributes
            .column(name)
            .is_some_and(|col| col.values.get(c).is_some_and(|v| *v != AttrValue::Missing));
        if !present {
            self.case_attributes.set(c, name, value);
        }
    }

    pub fn set_case_text(&mut self, case: &str, name: &str, value: &str) {
        let id = self.case_attributes.text.intern(value);
        self.set_case_attribute(case, name, AttrValue::Text(id));
    }

    /// Interns text for an event attribute value.
    pub fn intern_event_text(&mut self, value: &str) -> AttrValue {
        AttrValue::Text(self.event_attributes.text.intern(value))
    }

    /// Interns text for a case attribute value.
    pub fn intern_case_text(&mut self, value: &str) -> AttrValue {
        AttrValue::Text(self.case_attributes.text.intern(value))
    }

    pub(crate) fn copy_event_attributes(&mut self, row: usize, from: &AttributeTable, e: usize) {
        for (i, col) in from.columns.iter().enumerate() {
            let v = from.value(i, e);
            let v = self.reintern(v, from, true);
            if v != AttrValue::Missing {
                self.event_attributes.set(row, &col.name, v);
            }
        }
    }

    pub(crate) fn copy_case_attributes(&mut self, case: &str, from: &AttributeTable, c: usize) {
        for (i, col) in from.columns.iter().enumerate() {
            let v = self.reintern(from.value(i, c), from, false);
            if v != AttrValue::Missing {
                self.set_case_attribute(case, &col.name, v);
            }
        }
    }

    fn reintern(&mut self, v: AttrValue, from: &AttributeTable, event: bool) -> AttrValue {
        match v {
            AttrValue::Text(id) => {
                let table = if event {
                    &mut self.event_attributes
                } else {
                    &mut self.case_attributes
                };
                AttrValue::Text(table.text.intern(from.text.get(id)))
            }
            other => other,
        }
    }

    /// Appends all events of `other` (built from a later part of the same input) after ours.
    pub fn append(&mut self, other: LogBuilder) {
        let map = |from: &Interner, to: &mut Interner| -> Vec<u32> {
            from.iter().map(|s| to.intern(s)).collect()
        };
        let cases = map(&other.case_ids, &mut self.case_ids);
        let acts = map(&other.activities, &mut self.activities);
        let res = map(&other.resources, &mut self.resources);
        let first_row = self.case.len();
        match (&mut self.start_timestamp, other.start_timestamp) {
            (Some(mine), Some(theirs)) => mine.extend_from_slice(&theirs),
            (Some(mine), None) => mine.extend_from_slice(&other.timestamp),
            (None, Some(theirs)) => {
                let mut v = self.timestamp.clone();
                v.extend_from_slice(&theirs);
                self.start_timestamp = Some(v);
            }
            (None, None) => {}
        }
        self.case
            .extend(other.case.iter().map(|&c| cases[c as usize]));
        self.activity
            .extend(other.activity.iter().map(|&a| acts[a as usize]));
        self.resource.extend(
            other
                .resource
                .iter()
                .map(|&r| if r == NO_RESOURCE { r } else { res[r as usize] }),
        );
        self.timestamp.extend_from_slice(&other.timestamp);
        self.event_attributes.ensure_rows(self.case.len());
        self.case_attributes.ensure_rows(self.case_ids.len());
        if !other.event_attributes.columns.is_empty() {
            for row in 0..other.case.len() {
                self.copy_event_attributes(first_row + row, &other.event_attributes, row);
            }
        }
        if !other.case_attributes.columns.is_empty() {
            for c in 0..other.case_ids.len() {
                self.copy_case_attributes(other.case_ids.get(c as u32), &other.case_attributes, c);
            }
        }
    }

    /// Groups events by case (cases in first-seen order) and orders each case by time, keeping
    /// file order for equal times.
    pub fn build(mut self) -> EventLog {
        let cases = self.case_ids.len();
        // Counting sort by case: linear and stable, so file order survives inside each case.
        let mut bounds = vec![0u32; cases + 1];
        for &c in &self.case {
            bounds[c as usize + 1] += 1;
        }
        for i in 0..cases {
            bounds[i + 1] += bounds[i];
        }
        let mut next = bounds.clone();
        let mut order = vec![0u32; self.case.len()];
        for (e, &c) in self.case.iter().enumerate() {
            let slot = &mut next[c as usize];
            order[*slot as usize] = e as u32;
            *slot += 1;
        }
        let start = self.start_timestamp.as_deref().unwrap_or(&self.timestamp);
        let ts = &self.timestamp;
        for c in 0..cases {
            let slice = &mut order[bounds[c] as usize..bounds[c + 1] as usize];
            let key = |&e: &u32| (start[e as usize], ts[e as usize]);
            // Exported logs are usually already in time order; checking is cheaper than sorting.
            if !slice.is_sorted_by_key(key) {
                slice.sort_by_key(key);
            }
        }
        let gather_u32 = |v: &[u32]| order.iter().map(|&e| v[e as usize]).collect::<Vec<_>>();
        let gather_i64 = |v: &[i64]| order.iter().map(|&e| v[e as usize]).collect::<Vec<_>>();
        self.event_attributes.finish();
        let event_attributes = if self.event_attributes.columns.is_empty() {
            AttributeTable::default()
        } else {
            self.event_attributes.gather(&order)
        };
        self.case_attributes.ensure_rows(cases);
        self.case_attributes.finish();
        EventLog {
            activity: gather_u32(&self.activity),
            resource: gather_u32(&self.resource),
            timestamp: gather_i64(&self.timestamp),
            start_timestamp: self.start_timestamp.as_deref().map(gather_i64),
            case_bounds: bounds,
            case_ids: self.case_ids,
            activities: self.activities,
            resources: self.resources,
            event_attributes,
            case_attributes: self.case_attributes,
        }
    }
}
