//! XES (IEEE 1849) import, plain or gzip, streaming with quick-xml.

use super::{Lifecycle, LoadOptions, Loaded, Problems, line_of_offset, open_maybe_gz};
use crate::log::{AttrValue, LogBuilder};
use crate::time::TimeParser;
use anyhow::{Context, bail};
use quick_xml::events::{BytesStart, Event};
use std::borrow::Cow;
use std::path::Path;

/// A typed XES attribute value before it is stored.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(i64),
}

/// An event buffered until its trace ends (the trace's `concept:name` may come after it).
/// Buffers are reused from trace to trace, so the hot loop does not allocate per event.
#[derive(Default)]
struct PendingEvent {
    activity: String,
    has_activity: bool,
    timestamp: Option<i64>,
    resource: String,
    has_resource: bool,
    lifecycle: String,
    attributes: Vec<(String, Value)>,
    offset: u64,
    error: Option<String>,
}

impl PendingEvent {
    fn reset(&mut self, offset: u64) {
        self.activity.clear();
        self.has_activity = false;
        self.timestamp = None;
        self.resource.clear();
        self.has_resource = false;
        self.lifecycle.clear();
        self.attributes.clear();
        self.offset = offset;
        self.error = None;
    }
}

#[derive(Default)]
struct PendingTrace {
    case_id: Option<String>,
    attributes: Vec<(String, Value)>,
    events: Vec<PendingEvent>,
    used: usize,
    offset: u64,
}

/// An attribute element's type, key and raw value, borrowed from the parser's buffer.
struct RawAttribute<'a> {
    kind: &'static str,
    key: Cow<'a, str>,
    value: Option<Cow<'a, str>>,
}

/// XML-normalises an attribute value only when it needs it (entities or whitespace escapes);
/// almost no XES value does, and this is the hottest path of the import.
fn attribute_text<'a>(
    a: &quick_xml::events::attributes::Attribute<'a>,
) -> anyhow::Result<Cow<'a, str>> {
    if a.value
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
    {
        Ok(Cow::Owned(
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
                .into_owned(),
        ))
    } else {
        Ok(a.value.clone())
    }
}

/// Reads an attribute element; `Ok(None)` for container types and unknown elements.
fn raw_attribute<'a>(e: &'a BytesStart<'_>) -> anyhow::Result<Option<RawAttribute<'a>>> {
    let kind = match e.local_name().as_ref() {
        "string" => "string",
        "date" => "date",
        "int" => "int",
        "float" => "float",
        "boolean" => "boolean",
        "id" => "id",
        _ => return Ok(None),
    };
    let mut key = None;
    let mut value = None;
    for a in e.attributes().with_checks(false) {
        let a = a.context("malformed XML attribute")?;
        match a.key.as_ref() {
            "key" => key = Some(attribute_text(&a)?),
            "value" => value = Some(attribute_text(&a)?),
            _ => {}
        }
    }
    let key = key.context("attribute without a key")?;
    Ok(Some(RawAttribute { kind, key, value }))
}

impl RawAttribute<'_> {
    fn raw(&self) -> anyhow::Result<&str> {
        self.value
            .as_deref()
            .with_context(|| format!("attribute {:?} has no value", self.key))
    }

    /// The typed value.
    fn typed(&self, time: &TimeParser) -> anyhow::Result<Value> {
        let raw = self.raw()?;
        let key = &self.key;
        Ok(match self.kind {
            "date" => Value::Date(
                time.parse(raw)
                    .with_context(|| format!("attribute {key:?}"))?,
            ),
            "int" => Value::Int(
                raw.trim()
                    .parse()
                    .with_context(|| format!("attribute {key:?}: bad int {raw:?}"))?,
            ),
            "float" => Value::Float(
                raw.trim()
                    .parse()
                    .with_context(|| format!("attribute {key:?}: bad float {raw:?}"))?,
            ),
            "boolean" => Value::Bool(match raw.trim() {
                "true" | "TRUE" | "True" | "1" => true,
                "false" | "FALSE" | "False" | "0" => false,
                other => bail!("attribute {key:?}: bad boolean {other:?}"),
            }),
            _ => Value::Text(raw.to_owned()),
        })
    }
}

/// Applies one attribute element to the event being read.
fn event_attribute(
    ev: &mut PendingEvent,
    a: &RawAttribute<'_>,
    time: &TimeParser,
    keep: bool,
) -> anyhow::Result<()> {
    match (a.key.as_ref(), a.kind) {
        ("concept:name", "string" | "id") => {
            ev.activity.push_str(a.raw()?);
            ev.has_activity = true;
        }
        ("time:timestamp", "date") => {
            ev.timestamp = Some(time.parse(a.raw()?).context("time:timestamp")?)
        }
        ("org:resource", "string" | "id") => {
            ev.resource.push_str(a.raw()?);
            ev.has_resource = true;
        }
        ("lifecycle:transition", "string") => {
            ev.lifecycle.push_str(a.raw()?);
            if keep {
                ev.attributes.push((a.key.to_string(), a.typed(time)?));
            }
        }
        _ if keep => ev.attributes.push((a.key.to_string(), a.typed(time)?)),
        _ => {}
    }
    Ok(())
}

fn store(
    builder: &mut LogBuilder,
    value: &Value,
    text: impl FnOnce(&mut LogBuilder, &str) -> AttrValue,
) -> AttrValue {
    match value {
        Value::Text(s) => text(builder, s),
        Value::Int(v) => AttrValue::Int(*v),
        Value::Float(v) => AttrValue::Float(*v),
        Value::Bool(v) => AttrValue::Bool(*v),
        Value::Date(v) => AttrValue::Date(*v),
    }
}

/// Reads an XES log. Nested attributes (`list`, `container`, children of any attribute) are
/// skipped; trace attributes become case attributes, the other event attributes are kept only
/// when [`LoadOptions::keep_attributes`] is set.
pub fn read_xes(path: &Path, options: &LoadOptions) -> anyhow::Result<Loaded> {
    let input = open_maybe_gz(path)?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::with_capacity(1 << 17, input));
    xml.config_mut().trim_text(true);
    let mut buf = Vec::with_capacity(1024);
    let mut builder = LogBuilder::new();
    let mut problems = Problems::new(path, options.on_error);
    let keep = options.keep_attributes;
    let mut trace = PendingTrace::default();
    let mut in_trace = false;
    let mut in_event = false;
    // >0 while inside the children of a nested attribute (or of anything we ignore).
    let mut skip_depth = 0usize;

    loop {
        let event = xml.read_event_into(&mut buf).with_context(|| {
            let pos = xml.error_position();
            format!(
                "{}:{}: malformed XML",
                path.display(),
                line_of_offset(path, pos)
            )
        })?;
        // The end of the element just read: on the line where it starts, except for tags that
        // span lines, which XES writers do not produce.
        let offset = xml.buffer_position().saturating_sub(1);
        match event {
            Event::Start(_) if skip_depth > 0 => skip_depth += 1,
            Event::Empty(_) if skip_depth > 0 => {}
            Event::End(_) if skip_depth > 0 => skip_depth -= 1,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(event, Event::Start(_));
                match e.local_name().as_ref() {
                    "trace" if !in_trace => {
                        in_trace = true;
                        trace.case_id = None;
                        trace.attributes.clear();
                        trace.used = 0;
                        trace.offset = offset;
                        if !is_start {
                            in_trace = false;
                        }
                    }
                    "event" if in_trace && !in_event => {
                        if trace.used == trace.events.len() {
                            trace.events.push(PendingEvent::default());
                        }
                        trace.events[trace.used].reset(offset);
                        trace.used += 1;
                        in_event = is_start;
                        if !is_start {
                            trace.events[trace.used - 1].error =
                                Some("event without attributes".into());
                        }
                    }
                    _ if in_event => {
                        let ev = &mut trace.events[trace.used - 1];
                        let applied = raw_attribute(e).and_then(|a| match a {
                            Some(a) => event_attribute(ev, &a, &options.time, keep),
                            None => Ok(()),
                        });
                        if let Err(err) = applied
                            && ev.error.is_none()
                        {
                            ev.error = Some(format!("{err:#}"));
                        }
                        if is_start {
                            skip_depth = 1;
                        }
                    }
                    _ if in_trace => {
                        let read = raw_attribute(e).and_then(|a| match a {
                            Some(a) if a.key == "concept:name" => {
                                trace.case_id = Some(a.raw()?.to_owned());
                                Ok(())
                            }
                            Some(a) => {
                                let v = a.typed(&options.time)?;
                                trace.attributes.push((a.key.into_owned(), v));
                                Ok(())
                            }
                            None => Ok(()),
                        });
                        if let Err(err) = read {
                            problems.bad(
                                line_of_offset(path, offset),
                                format!("trace attribute: {err:#}"),
                            )?;
                        }
                        if is_start {
                            skip_depth = 1;
                        }
                    }
                    // Log-level elements (extensions, globals, classifiers, log attributes).
                    "log" => {}
                    _ => {
                        if is_start {
                            skip_depth = 1;
                        }
                    }
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                "event" if in_event => in_event = false,
                "trace" if in_trace => {
                    in_trace = false;
                    flush_trace(&mut trace, &mut builder, &mut problems, path, options)?;
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if in_trace {
        bail!("{}: the file ends inside a trace", path.display());
    }
    Ok(Loaded {
        log: builder.build(),
        skipped: problems.finish(),
    })
}

fn flush_trace(
    trace: &mut PendingTrace,
    builder: &mut LogBuilder,
    problems: &mut Problems<'_>,
    path: &Path,
    options: &LoadOptions,
) -> anyhow::Result<()> {
    let Some(case) = trace.case_id.take() else {
        if trace.used > 0 {
            problems.bad(
                line_of_offset(path, trace.offset),
                format!("trace without concept:name ({} events skipped)", trace.used),
            )?;
        }
        return Ok(());
    };
    let mut pushed = false;
    for ev in &trace.events[..trace.used] {
        let reason = if let Some(err) = &ev.error {
            Some(err.clone())
        } else if !ev.has_activity {
            Some("event without concept:name".to_owned())
        } else if ev.timestamp.is_none() {
            Some("event without time:timestamp".to_owned())
        } else {
            None
        };
        if let Some(reason) = reason {
            problems.bad(line_of_offset(path, ev.offset), reason)?;
            continue;
        }
        if options.lifecycle == Lifecycle::Complete
            && !ev.lifecycle.is_empty()
            && !ev.lifecycle.eq_ignore_ascii_case("complete")
        {
            continue;
        }
        let resource = ev.has_resource.then_some(ev.resource.as_str());
        let row = builder.push_event(
            &case,
            &ev.activity,
            ev.timestamp.unwrap_or_default(),
            resource,
        );
        for (key, value) in &ev.attributes {
            let v = store(builder, value, |b, s| b.intern_event_text(s));
            builder.set_event_attribute(row, key, v);
        }
        pushed = true;
    }
    if pushed {
        for (key, value) in &trace.attributes {
            let v = store(builder, value, |b, s| b.intern_case_text(s));
            builder.set_case_attribute(&case, key, v);
        }
    }
    Ok(())
}
