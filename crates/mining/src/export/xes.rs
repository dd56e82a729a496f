//! XES export (IEEE 1849-2016), readable back by the XES importer and by PM4Py.

use crate::log::{AttrValue, AttributeTable, EventLog};
use crate::time::format_rfc3339;
use quick_xml::escape::escape;
use std::io::Write;

fn attribute(
    out: &mut impl Write,
    indent: &str,
    table: &AttributeTable,
    name: &str,
    v: AttrValue,
) -> std::io::Result<()> {
    let (tag, value) = match v {
        AttrValue::Missing => return Ok(()),
        AttrValue::Text(id) => ("string", table.text.get(id).to_owned()),
        AttrValue::Int(i) => ("int", i.to_string()),
        AttrValue::Float(f) => ("float", f.to_string()),
        AttrValue::Bool(b) => ("boolean", b.to_string()),
        AttrValue::Date(ms) => ("date", format_rfc3339(ms)),
    };
    writeln!(
        out,
        "{indent}<{tag} key=\"{}\" value=\"{}\"/>",
        escape(name),
        escape(&value)
    )
}

/// Writes the log as XES with the concept, time, organizational and lifecycle extensions.
pub fn write_xes(log: &EventLog, mut out: impl Write) -> anyhow::Result<()> {
    let o = &mut out;
    writeln!(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        o,
        "<log xes.version=\"1849-2016\" xes.features=\"\" xmlns=\"http://www.xes-standard.org/\">"
    )?;
    for (name, prefix) in [
        ("Concept", "concept"),
        ("Time", "time"),
        ("Organizational", "org"),
        ("Lifecycle", "lifecycle"),
    ] {
        writeln!(
            o,
            "  <extension name=\"{name}\" prefix=\"{prefix}\" uri=\"http://www.xes-standard.org/{prefix}.xesext\"/>"
        )?;
    }
    let ev = &log.event_attributes;
    let ca = &log.case_attributes;
    for c in 0..log.num_cases() {
        writeln!(o, "  <trace>")?;
        writeln!(
            o,
            "    <string key=\"concept:name\" value=\"{}\"/>",
            escape(log.case_id(c))
        )?;
        for (i, col) in ca.columns.iter().enumerate() {
            if col.name != "concept:name" {
                attribute(o, "    ", ca, &col.name, ca.value(i, c))?;
            }
        }
        for e in log.case_range(c) {
            writeln!(o, "    <event>")?;
            writeln!(
                o,
                "      <string key=\"concept:name\" value=\"{}\"/>",
                escape(log.activity_name(log.activity[e]))
            )?;
            writeln!(
                o,
                "      <date key=\"time:timestamp\" value=\"{}\"/>",
                format_rfc3339(log.timestamp[e])
            )?;
            if let Some(r) = log.resource_name(e) {
                writeln!(
                    o,
                    "      <string key=\"org:resource\" value=\"{}\"/>",
                    escape(r)
                )?;
            }
            if let Some(s) = &log.start_timestamp {
                writeln!(
                    o,
                    "      <date key=\"start_timestamp\" value=\"{}\"/>",
                    format_rfc3339(s[e])
                )?;
            }
            for (i, col) in ev.columns.iter().enumerate() {
                attribute(o, "      ", ev, &col.name, ev.value(i, e))?;
            }
            writeln!(o, "    </event>")?;
        }
        writeln!(o, "  </trace>")?;
    }
    writeln!(o, "</log>")?;
    o.flush()?;
    Ok(())
}
