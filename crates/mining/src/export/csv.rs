//! CSV export with PM4Py's column names, readable back by the CSV importer.

use crate::log::EventLog;
use crate::time::format_rfc3339;
use std::io::Write;

/// Writes one row per event: `case:concept:name, concept:name, time:timestamp, org:resource`,
/// `start_timestamp` when present, then case attributes (`case:` prefix) and event attributes.
pub fn write_csv(log: &EventLog, out: impl Write) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![
        "case:concept:name".to_owned(),
        "concept:name".into(),
        "time:timestamp".into(),
        "org:resource".into(),
    ];
    if log.start_timestamp.is_some() {
        header.push("start_timestamp".into());
    }
    let case_cols: Vec<usize> = (0..log.case_attributes.columns.len())
        .filter(|&i| log.case_attributes.columns[i].name != "concept:name")
        .collect();
    for &i in &case_cols {
        let name = &log.case_attributes.columns[i].name;
        header.push(if name.starts_with("case:") {
            name.clone()
        } else {
            format!("case:{name}")
        });
    }
    for c in &log.event_attributes.columns {
        header.push(c.name.clone());
    }
    w.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for c in 0..log.num_cases() {
        for e in log.case_range(c) {
            row.clear();
            row.push(log.case_id(c).to_owned());
            row.push(log.activity_name(log.activity[e]).to_owned());
            row.push(format_rfc3339(log.timestamp[e]));
            row.push(log.resource_name(e).unwrap_or("").to_owned());
            if let Some(s) = &log.start_timestamp {
                row.push(format_rfc3339(s[e]));
            }
            for &i in &case_cols {
                row.push(
                    log.case_attributes
                        .display(log.case_attributes.value(i, c))
                        .unwrap_or_default(),
                );
            }
            for i in 0..log.event_attributes.columns.len() {
                row.push(
                    log.event_attributes
                        .display(log.event_attributes.value(i, e))
                        .unwrap_or_default(),
                );
            }
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}
