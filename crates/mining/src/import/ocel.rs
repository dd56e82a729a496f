//! OCEL 2.0 import (JSON and XML), flattened on one object type: each object of that type
//! becomes a case holding the events related to it (like PM4Py's `ocel_flattening`).

use super::{LoadOptions, Loaded, Problems, line_of_offset, open_maybe_gz};
use crate::log::{AttrValue, LogBuilder};
use anyhow::{Context, bail};
use foldhash::HashMap;
use quick_xml::events::Event;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// An object-centric event before flattening.
struct OcelEvent {
    activity: String,
    time: i64,
    attributes: Vec<(String, AttrText)>,
    objects: Vec<String>,
}

enum AttrText {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

struct Ocel {
    events: Vec<OcelEvent>,
    object_types: HashMap<String, String>,
}

#[derive(Deserialize)]
struct JsonLog {
    #[serde(default)]
    objects: Vec<JsonObject>,
    #[serde(default)]
    events: Vec<JsonEvent>,
}

#[derive(Deserialize)]
struct JsonObject {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct JsonEvent {
    #[serde(rename = "type")]
    kind: String,
    time: String,
    #[serde(default)]
    attributes: Vec<JsonAttribute>,
    #[serde(default)]
    relationships: Vec<JsonRelationship>,
}

#[derive(Deserialize)]
struct JsonAttribute {
    name: String,
    value: serde_json::Value,
}

#[derive(Deserialize)]
struct JsonRelationship {
    #[serde(rename = "objectId")]
    object_id: String,
}

/// Reads an OCEL 2.0 JSON file and flattens it on `options.object_type`.
pub fn read_ocel_json(path: &Path, options: &LoadOptions) -> anyhow::Result<Loaded> {
    let reader = std::io::BufReader::new(open_maybe_gz(path)?);
    let log: JsonLog = serde_json::from_reader(reader)
        .with_context(|| format!("{}: not an OCEL 2.0 JSON log", path.display()))?;
    let mut problems = Problems::new(path, options.on_error);
    let mut events = Vec::with_capacity(log.events.len());
    for (i, e) in log.events.into_iter().enumerate() {
        let time = match options.time.parse(&e.time) {
            Ok(t) => t,
            Err(err) => {
                // JSON has no line numbers once parsed; the event's position identifies it.
                problems.bad(i as u64 + 1, format!("event #{}: {err:#}", i + 1))?;
                continue;
            }
        };
        events.push(OcelEvent {
            activity: e.kind,
            time,
            attributes: e
                .attributes
                .into_iter()
                .map(|a| {
                    let v = match a.value {
                        serde_json::Value::Bool(b) => AttrText::Bool(b),
                        serde_json::Value::Number(n) => match n.as_i64() {
                            Some(i) => AttrText::Int(i),
                            None => AttrText::Float(n.as_f64().unwrap_or(f64::NAN)),
                        },
                        serde_json::Value::String(s) => AttrText::Text(s),
                        other => AttrText::Text(other.to_string()),
                    };
                    (a.name, v)
                })
                .collect(),
            objects: e.relationships.into_iter().map(|r| r.object_id).collect(),
        });
    }
    let ocel = Ocel {
        events,
        object_types: log.objects.into_iter().map(|o| (o.id, o.kind)).collect(),
    };
    flatten(ocel, options, problems)
}

/// Reads an OCEL 2.0 XML file and flattens it on `options.object_type`.
pub fn read_ocel_xml(path: &Path, options: &LoadOptions) -> anyhow::Result<Loaded> {
    // Text is not trimmed by the reader: entity references split it into pieces whose
    // surrounding spaces matter. Whole attribute values are trimmed instead.
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(open_maybe_gz(path)?));
    let mut problems = Problems::new(path, options.on_error);
    let mut buf = Vec::new();
    let mut object_types = HashMap::default();
    let mut events = Vec::new();
    let mut current: Option<(OcelEvent, u64, Option<String>)> = None;
    let mut attr_name: Option<String> = None;
    let mut attr_text = String::new();
    let attr =
        |e: &quick_xml::events::BytesStart<'_>, name: &str| -> anyhow::Result<Option<String>> {
            for a in e.attributes().with_checks(false) {
                let a = a?;
                if a.key.as_ref() == name {
                    return Ok(Some(
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
                            .into_owned(),
                    ));
                }
            }
            Ok(None)
        };
    loop {
        let ev = xml.read_event_into(&mut buf).with_context(|| {
            format!(
                "{}:{}: malformed XML",
                path.display(),
                line_of_offset(path, xml.error_position())
            )
        })?;
        let offset = xml.buffer_position().saturating_sub(1);
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(ev, Event::Start(_));
                match e.local_name().as_ref() {
                    "object" if current.is_none() => {
                        if let (Some(id), Some(kind)) = (attr(e, "id")?, attr(e, "type")?) {
                            object_types.insert(id, kind);
                        }
                    }
                    "event" => {
                        let activity = attr(e, "type")?.unwrap_or_default();
                        let time = attr(e, "time")?.unwrap_or_default();
                        let (t, err) = match options.time.parse(&time) {
                            Ok(t) => (t, None),
                            Err(err) => (0, Some(format!("{err:#}"))),
                        };
                        let event = OcelEvent {
                            activity,
                            time: t,
                            attributes: Vec::new(),
                            objects: Vec::new(),
                        };
                        current = Some((event, offset, err));
                        if !is_start {
                            finish_xml_event(&mut current, &mut events, &mut problems, path)?;
                        }
                    }
                    "relationship" => {
                        if let Some((event, _, _)) = current.as_mut()
                            && let Some(id) = attr(e, "object-id")?
                        {
                            event.objects.push(id);
                        }
                    }
                    "attribute" if current.is_some() => {
                        attr_name = attr(e, "name")?;
                        attr_text.clear();
                        if !is_start {
                            attr_name = None;
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if attr_name.is_some() => attr_text.push_str(&t.xml10_content()),
            Event::CData(t) if attr_name.is_some() => attr_text.push_str(&t),
            Event::GeneralRef(r) if attr_name.is_some() => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    attr_text.push(c);
                } else {
                    let name: &str = &r;
                    if let Some(s) = quick_xml::escape::resolve_predefined_entity(name) {
                        attr_text.push_str(s);
                    }
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                "attribute" => {
                    if let (Some(name), Some((event, _, _))) = (attr_name.take(), current.as_mut())
                    {
                        event
                            .attributes
                            .push((name, AttrText::Text(std::mem::take(&mut attr_text))));
                    }
                }
                "event" => finish_xml_event(&mut current, &mut events, &mut problems, path)?,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    flatten(
        Ocel {
            events,
            object_types,
        },
        options,
        problems,
    )
}

fn finish_xml_event(
    current: &mut Option<(OcelEvent, u64, Option<String>)>,
    events: &mut Vec<OcelEvent>,
    problems: &mut Problems<'_>,
    path: &Path,
) -> anyhow::Result<()> {
    if let Some((event, offset, err)) = current.take() {
        match err {
            Some(err) => problems.bad(line_of_offset(path, offset), err)?,
            None => events.push(event),
        }
    }
    Ok(())
}

/// The object types of an OCEL log with their object counts, for messages and `--object-type`.
fn type_counts(object_types: &HashMap<String, String>) -> BTreeMap<&str, usize> {
    let mut counts = BTreeMap::new();
    for t in object_types.values() {
        *counts.entry(t.as_str()).or_insert(0) += 1;
    }
    counts
}

fn flatten(
    mut ocel: Ocel,
    options: &LoadOptions,
    problems: Problems<'_>,
) -> anyhow::Result<Loaded> {
    let counts = type_counts(&ocel.object_types);
    let Some(object_type) = options.object_type.as_deref() else {
        bail!(
            "an OCEL log must be flattened on one object type: choose --object-type among {counts:?}"
        );
    };
    if !counts.contains_key(object_type) {
        bail!("no objects of type {object_type:?}; object types are {counts:?}");
    }
    // Stable: events with equal times keep file order.
    ocel.events.sort_by_key(|e| e.time);
    let mut builder = LogBuilder::new();
    let mut seen: Vec<&str> = Vec::new();
    for e in &ocel.events {
        seen.clear();
        for o in &e.objects {
            if ocel.object_types.get(o).map(String::as_str) != Some(object_type)
                || seen.contains(&o.as_str())
            {
                continue;
            }
            seen.push(o);
            let row = builder.push_event(o, &e.activity, e.time, None);
            if options.keep_attributes {
                for (name, v) in &e.attributes {
                    let value = match v {
                        AttrText::Text(s) => builder.intern_event_text(s),
                        AttrText::Int(i) => AttrValue::Int(*i),
                        AttrText::Float(f) => AttrValue::Float(*f),
                        AttrText::Bool(b) => AttrValue::Bool(*b),
                    };
                    builder.set_event_attribute(row, name, value);
                }
            }
        }
    }
    Ok(Loaded {
        log: builder.build(),
        skipped: problems.finish(),
    })
}
