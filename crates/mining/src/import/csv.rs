//! CSV import: column choice, encodings (UTF-8 with or without BOM, GBK/GB18030), delimiters.

use super::{LoadOptions, Loaded, Problems};
use crate::log::LogBuilder;
use anyhow::{Context, bail};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Which CSV columns hold the case, activity, timestamps and resource; `None` = recognise by name.
#[derive(Debug, Clone, Default)]
pub struct CsvColumns {
    pub case: Option<String>,
    pub activity: Option<String>,
    pub timestamp: Option<String>,
    pub resource: Option<String>,
    pub start_timestamp: Option<String>,
}

// Usual names, most specific first (PM4Py's XES-style names win over generic ones).
const CASE_NAMES: &[&str] = &["case:concept:name", "case_id", "case id", "caseid", "case"];
const ACTIVITY_NAMES: &[&str] = &["concept:name", "activity", "activity_name", "event", "task"];
const TIME_NAMES: &[&str] = &[
    "time:timestamp",
    "timestamp",
    "complete_timestamp",
    "end_timestamp",
    "time",
    "datetime",
];
const RESOURCE_NAMES: &[&str] = &["org:resource", "resource", "user", "performer"];
const START_NAMES: &[&str] = &["start_timestamp", "time:start_timestamp", "start_time"];

fn find_column(
    header: &[String],
    chosen: Option<&str>,
    usual: &[&str],
    what: &str,
) -> anyhow::Result<Option<usize>> {
    if let Some(name) = chosen {
        return header
            .iter()
            .position(|h| h == name)
            .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
            .map(Some)
            .with_context(|| format!("no {what} column named {name:?}; columns are {header:?}"));
    }
    Ok(usual
        .iter()
        .find_map(|u| header.iter().position(|h| h.trim().eq_ignore_ascii_case(u))))
}

/// Guesses the delimiter from the header line: the most frequent of `, ; \t |` outside quotes.
pub(crate) fn detect_delimiter(first_line: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let cands = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in first_line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = cands.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 { b',' } else { cands[best] }
}

/// Reads a CSV event log.
pub fn read_csv(path: &Path, options: &LoadOptions) -> anyhow::Result<Loaded> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut head = vec![0u8; 64 * 1024];
    let n = read_up_to(&mut file, &mut head)?;
    head.truncate(n);
    file.seek(SeekFrom::Start(0))?;

    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let encoding = match options.encoding {
        Some(e) => e,
        None if bom => encoding_rs::UTF_8,
        // A 64 KiB sample can end inside a multi-byte character; only a real error counts.
        None => match std::str::from_utf8(&head) {
            Ok(_) => encoding_rs::UTF_8,
            Err(e) if e.error_len().is_none() => encoding_rs::UTF_8,
            Err(_) => encoding_rs::GB18030,
        },
    };
    let reader: Box<dyn Read> = if encoding == encoding_rs::UTF_8 {
        if bom {
            file.seek(SeekFrom::Start(3))?;
        }
        Box::new(file)
    } else {
        Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .build(file),
        )
    };
    let delimiter = options.delimiter.unwrap_or_else(|| {
        let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        let end = memchr::memchr(b'\n', body).unwrap_or(body.len());
        detect_delimiter(&body[..end])
    });
    let mut csv = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(BufReader::with_capacity(1 << 16, reader));

    let header: Vec<String> = csv
        .byte_headers()
        .with_context(|| format!("{}: cannot read the header", path.display()))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_owned())
        .collect();
    let cols = &options.columns;
    let need = |i: Option<usize>, what: &str, usual: &[&str]| -> anyhow::Result<usize> {
        i.with_context(|| {
            format!(
                "{}: no {what} column (looked for {usual:?}; choose one with --{what}); columns are {header:?}",
                path.display()
            )
        })
    };
    let case_col = need(
        find_column(&header, cols.case.as_deref(), CASE_NAMES, "case")?,
        "case",
        CASE_NAMES,
    )?;
    let act_col = need(
        find_column(
            &header,
            cols.activity.as_deref(),
            ACTIVITY_NAMES,
            "activity",
        )?,
        "activity",
        ACTIVITY_NAMES,
    )?;
    let ts_col = need(
        find_column(&header, cols.timestamp.as_deref(), TIME_NAMES, "timestamp")?,
        "timestamp",
        TIME_NAMES,
    )?;
    let res_col = find_column(
        &header,
        cols.resource.as_deref(),
        RESOURCE_NAMES,
        "resource",
    )?;
    let start_col = find_column(
        &header,
        cols.start_timestamp.as_deref(),
        START_NAMES,
        "start-timestamp",
    )?;
    if case_col == act_col || case_col == ts_col || act_col == ts_col {
        bail!(
            "{}: case, activity and timestamp must be different columns",
            path.display()
        );
    }
    let used = [
        Some(case_col),
        Some(act_col),
        Some(ts_col),
        res_col,
        start_col,
    ];
    let extra: Vec<(usize, bool)> = if options.keep_attributes {
        (0..header.len())
            .filter(|i| !used.contains(&Some(*i)) && !header[*i].is_empty())
            .map(|i| (i, header[i].starts_with("case:")))
            .collect()
    } else {
        Vec::new()
    };

    let mut builder = LogBuilder::new();
    let mut problems = Problems::new(path, options.on_error);
    let mut record = ::csv::ByteRecord::new();
    loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.bad(line, format!("unreadable row: {e}"))?;
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue; // blank line
        }
        let raw = |i: usize| -> Result<&[u8], String> {
            record
                .get(i)
                .ok_or_else(|| format!("missing column {:?}", header[i]))
        };
        let field = |i: usize| -> Result<&str, String> {
            std::str::from_utf8(raw(i)?)
                .map_err(|_| format!("column {:?} is not valid text", header[i]))
        };
        let parsed = (|| -> Result<_, String> {
            let case = raw(case_col)?;
            let activity = raw(act_col)?;
            if case.is_empty() {
                return Err("empty case id".into());
            }
            if activity.is_empty() {
                return Err("empty activity".into());
            }
            let ts = options
                .time
                .parse_bytes(raw(ts_col)?)
                .map_err(|e| format!("column {:?}: {e}", header[ts_col]))?;
            let start = match start_col {
                Some(c) => match raw(c)? {
                    b"" => None,
                    s => Some(
                        options
                            .time
                            .parse_bytes(s)
                            .map_err(|e| format!("column {:?}: {e}", header[c]))?,
                    ),
                },
                None => None,
            };
            let resource = match res_col {
                Some(c) => Some(raw(c)?).filter(|r| !r.is_empty()),
                None => None,
            };
            Ok((case, activity, ts, start, resource))
        })();
        match parsed {
            Ok((case, activity, ts, start, resource)) => {
                let Ok(row) = builder.push_event_bytes(case, activity, ts, resource, start) else {
                    problems.bad(line, "case, activity or resource is not valid text")?;
                    continue;
                };
                if !extra.is_empty() {
                    let case = field(case_col).unwrap_or_default();
                    for &(i, is_case) in &extra {
                        let Ok(v) = field(i) else { continue };
                        if v.is_empty() {
                            continue;
                        }
                        if is_case {
                            builder.set_case_text(case, &header[i], v);
                        } else {
                            builder.set_event_text(row, &header[i], v);
                        }
                    }
                }
            }
            Err(reason) => problems.bad(line, reason)?,
        }
    }
    Ok(Loaded {
        log: builder.build(),
        skipped: problems.finish(),
    })
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_detection_ignores_quoted_commas() {
        assert_eq!(detect_delimiter(b"a;b;\"c,d,e\""), b';');
        assert_eq!(detect_delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter(b"a,b,c"), b',');
        assert_eq!(detect_delimiter(b"single"), b',');
    }
}
