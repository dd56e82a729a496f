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
    /// `start_timestamp`: interval logs (PM4Py's convention, and our own XES export).
    start: Option<i64>,
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
        self.start = None;
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

/// The `key` and `value` XML attributes of an XES attribute element, if present.
type KeyValue<'a> = (Option<Cow<'a, str>>, Option<Cow<'a, str>>);

/// Scans `key="…" value="…"` straight from the tag's bytes: the import's hottest loop, and XES
/// writers emit exactly this shape. `None` when anything needs real XML handling (an entity,
/// whitespace escapes, an unexpected token), so the caller falls back to quick-xml.
fn scan_key_value(raw: &str) -> Option<KeyValue<'_>> {
    let b = raw.as_bytes();
    let (mut key, mut value) = (None, None);
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] == b'/' {
            return Some((key, value));
        }
        let name_start = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = &raw[name_start..i];
        if i >= b.len() || b[i] != b'=' || i + 1 >= b.len() {
            return None;
        }
        let quote = b[i + 1];
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let start = i + 2;
        let len = memchr::memchr(quote, &b[start..])?;
        let v = &raw[start..start + len];
        if memchr::memchr3(b'&', b'\n', b'\r', v.as_bytes()).is_some() || v.contains('\t') {
            return None;
        }
        match name {
            "key" => key = Some(Cow::Borrowed(v)),
            "value" => value = Some(Cow::Borrowed(v)),
            _ => {}
        }
        i = start + len + 1;
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
    let (key, value) = match scan_key_value(e.attributes_raw()) {
        Some(kv) => kv,
        None => {
            // Unusual markup (entities, odd quoting): let quick-xml do it properly.
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
            (key, value)
        }
    };
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
        ("start_timestamp", "date") => {
            ev.start = Some(time.parse(a.raw()?).context("start_timestamp")?)
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

/// Input is cut into chunks of about this size at `</trace>` boundaries and parsed in parallel.
const CHUNK_BYTES: usize = 8 << 20;

/// Problems found in a chunk: offset within the chunk and reason. Resolved to file lines (and
/// to the `--on-error` policy) when chunks are merged in file order.
type ChunkProblems = Vec<(u64, String)>;

/// What one chunk parses to: its events in a local builder, and its problems.
struct ChunkOut {
    base: u64,
    builder: LogBuilder,
    problems: ChunkProblems,
}

/// Reads an XES log. Nested attributes (`list`, `container`, children of any attribute) are
/// skipped; trace attributes become case attributes, the other event attributes are kept only
/// when [`LoadOptions::keep_attributes`] is set.
///
/// The reading thread cuts the (decompressed) stream into chunks of whole traces; two workers
/// parse chunks while it reads on; chunks are merged in file order, so the result is the same
/// as a sequential parse.
pub fn read_xes(path: &Path, options: &LoadOptions) -> anyhow::Result<Loaded> {
    read_xes_in_chunks(path, options, CHUNK_BYTES)
}

fn read_xes_in_chunks(
    path: &Path,
    options: &LoadOptions,
    chunk_bytes: usize,
) -> anyhow::Result<Loaded> {
    let mut input = open_maybe_gz(path)?;
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<(usize, u64, Vec<u8>)>(workers);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<(usize, anyhow::Result<ChunkOut>)>();
    let read_result = std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            scope.spawn(move || {
                loop {
                    let job = work_rx.lock().expect("work queue").recv();
                    let Ok((index, base, bytes)) = job else { break };
                    let out = parse_chunk(&bytes, base, options);
                    if done_tx.send((index, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let result = split_into_chunks(&mut input, chunk_bytes, |index, base, bytes| {
            work_tx.send((index, base, bytes)).is_ok()
        });
        drop(work_tx);
        result
    });
    read_result.with_context(|| format!("cannot read {}", path.display()))?;
    let mut chunks: Vec<(usize, anyhow::Result<ChunkOut>)> = done_rx.into_iter().collect();
    chunks.sort_by_key(|(i, _)| *i);

    let mut builder = LogBuilder::new();
    let mut problems = Problems::new(path, options.on_error);
    for (_, chunk) in chunks {
        let chunk = chunk.map_err(|e| {
            let msg = format!("{e:#}");
            // Malformed XML carries its byte offset; turn it into a line.
            match msg.split_once("@offset ") {
                Some((head, off)) => {
                    let off: u64 = off.trim().parse().unwrap_or(0);
                    anyhow::anyhow!("{}:{}: {head}", path.display(), line_of_offset(path, off))
                }
                None => anyhow::anyhow!("{}: {msg}", path.display()),
            }
        })?;
        for (offset, reason) in &chunk.problems {
            let line = if problems.wants_detail() {
                line_of_offset(path, chunk.base + offset)
            } else {
                0
            };
            problems.bad(line, reason)?;
        }
        builder.append(chunk.builder);
    }
    Ok(Loaded {
        log: builder.build(),
        skipped: problems.finish(),
    })
}

/// Reads `input` and hands out chunks that end right after a `</trace>` (the last one ends
/// where the input ends). `send` returns false when the consumers are gone.
fn split_into_chunks(
    input: &mut dyn std::io::Read,
    chunk_bytes: usize,
    mut send: impl FnMut(usize, u64, Vec<u8>) -> bool,
) -> anyhow::Result<()> {
    let finder = memchr::memmem::FinderRev::new(b"</trace>");
    let block = chunk_bytes.clamp(1, 1 << 20);
    let mut pending: Vec<u8> = Vec::with_capacity(chunk_bytes + block);
    let mut base = 0u64;
    let mut index = 0;
    loop {
        let before = pending.len();
        pending.resize(before + block, 0);
        let n = loop {
            match input.read(&mut pending[before..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e.into()),
            }
        };
        pending.truncate(before + n);
        let eof = n == 0;
        if pending.len() >= chunk_bytes || eof {
            let cut = if eof {
                pending.len()
            } else {
                match finder.rfind(&pending) {
                    Some(i) => i + b"</trace>".len(),
                    None => continue,
                }
            };
            let rest = pending[cut..].to_vec();
            pending.truncate(cut);
            let len = pending.len() as u64;
            let chunk = std::mem::replace(&mut pending, Vec::with_capacity(chunk_bytes + block));
            if !chunk.is_empty() && !send(index, base, chunk) {
                return Ok(());
            }
            index += 1;
            base += len;
            pending.extend_from_slice(&rest);
        }
        if eof {
            return Ok(());
        }
    }
}

/// Parses one chunk of whole traces (the first chunk also holds the log header).
fn parse_chunk(bytes: &[u8], base: u64, options: &LoadOptions) -> anyhow::Result<ChunkOut> {
    let mut xml = quick_xml::Reader::from_reader(bytes);
    xml.config_mut().trim_text(true);
    // A chunk after the first ends with the log's closing tag but never saw its opening one.
    xml.config_mut().allow_unmatched_ends = true;
    let mut buf = Vec::with_capacity(1024);
    let mut builder = LogBuilder::new();
    let mut problems: ChunkProblems = Vec::new();
    let keep = options.keep_attributes;
    let mut trace = PendingTrace::default();
    let mut in_trace = false;
    let mut in_event = false;
    // >0 while inside the children of a nested attribute (or of anything we ignore).
    let mut skip_depth = 0usize;

    loop {
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => bail!(
                "malformed XML ({e}) @offset {}",
                base + xml.error_position()
            ),
        };
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
                            problems.push((offset, format!("trace attribute: {err:#}")));
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
                    flush_trace(&mut trace, &mut builder, &mut problems, options);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if in_trace {
        bail!(
            "the file ends inside a trace @offset {}",
            base + bytes.len() as u64
        );
    }
    Ok(ChunkOut {
        base,
        builder,
        problems,
    })
}

fn flush_trace(
    trace: &mut PendingTrace,
    builder: &mut LogBuilder,
    problems: &mut ChunkProblems,
    options: &LoadOptions,
) {
    let Some(case) = trace.case_id.take() else {
        if trace.used > 0 {
            problems.push((
                trace.offset,
                format!("trace without concept:name ({} events skipped)", trace.used),
            ));
        }
        return;
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
            problems.push((ev.offset, reason));
            continue;
        }
        if options.lifecycle == Lifecycle::Complete
            && !ev.lifecycle.is_empty()
            && !ev.lifecycle.eq_ignore_ascii_case("complete")
        {
            continue;
        }
        let resource = ev.has_resource.then_some(ev.resource.as_str());
        let row = builder.push_event_ids(
            &case,
            &ev.activity,
            ev.timestamp.unwrap_or_default(),
            resource,
            ev.start,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "<log><string key=\"x\" value=\"1\"/>\n<trace><string key=\"concept:name\" value=\"1\"/><event><string key=\"concept:name\" value=\"a\"/><date key=\"time:timestamp\" value=\"2023-01-01T00:00:00Z\"/></event></trace>\n<trace><string key=\"concept:name\" value=\"2\"/><event><string key=\"concept:name\" value=\"b\"/><date key=\"time:timestamp\" value=\"2023-01-01T00:00:00Z\"/></event><event><string key=\"concept:name\" value=\"c\"/><date key=\"time:timestamp\" value=\"2023-01-02T00:00:00Z\"/></event></trace>\n<trace><string key=\"concept:name\" value=\"1\"/><event><string key=\"concept:name\" value=\"d\"/><date key=\"time:timestamp\" value=\"2023-01-03T00:00:00Z\"/></event></trace></log>\n";

    #[test]
    fn chunks_end_at_trace_boundaries_and_cover_the_input() {
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        split_into_chunks(&mut LOG.as_bytes(), 16, |i, base, bytes| {
            assert_eq!(i, chunks.len());
            assert_eq!(base as usize, chunks.iter().map(Vec::len).sum::<usize>());
            chunks.push(bytes);
            true
        })
        .unwrap();
        assert!(chunks.len() >= 3);
        for c in &chunks[..chunks.len() - 1] {
            assert!(c.ends_with(b"</trace>"));
        }
        assert_eq!(chunks.concat(), LOG.as_bytes());
    }

    #[test]
    fn parsing_in_small_chunks_equals_parsing_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.xes");
        std::fs::write(&path, LOG).unwrap();
        let options = LoadOptions::default();
        let whole = read_xes_in_chunks(&path, &options, 1 << 20).unwrap().log;
        let pieces = read_xes_in_chunks(&path, &options, 16).unwrap().log;
        assert_eq!(whole, pieces);
        // Case "1" has traces in two chunks; both parts join one case in file order.
        let names: Vec<_> = pieces
            .trace(0)
            .iter()
            .map(|&a| pieces.activity_name(a))
            .collect();
        assert_eq!(names, ["a", "d"]);
    }
}
