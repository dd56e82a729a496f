//! Test-only helpers: a minimal CSV loader (case, activity, timestamp columns; events of a
//! case stably sorted by time) and access to the shared logs and golden files.
#![allow(dead_code)]

use std::path::PathBuf;

use mining::trace_log::{TraceLog, Variant};

pub fn shared_log(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/eventlogs")
        .join(name);
    assert!(
        p.exists(),
        "shared event log {} is missing (CI must have shared/ beside the repo)",
        p.display()
    );
    p
}

pub fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

/// Seconds since 1970 for `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]`.
fn parse_time(s: &str) -> f64 {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> i64 {
        s[r].parse()
            .unwrap_or_else(|_| panic!("bad timestamp {s:?}"))
    };
    let (y, mo, d) = (num(0..4), num(5..7), num(8..10));
    let (h, mi, sec) = (num(11..13), num(14..16), num(17..19));
    let mut i = 19;
    let mut frac = 0.0;
    if b.get(i) == Some(&b'.') {
        let start = i;
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac = s[start..i].parse::<f64>().unwrap();
    }
    let mut offset = 0i64;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        let sign = if b[i] == b'-' { -1 } else { 1 };
        offset = sign * (num(i + 1..i + 3) * 3600 + num(i + 4..i + 6) * 60);
    }
    // Days from civil (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    (days * 86400 + h * 3600 + mi * 60 + sec - offset) as f64 + frac
}

/// Splits one CSV line (quotes allowed, no embedded newlines).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// (timestamp, row, activity) of one event.
type TimedEvent = (f64, usize, String);

/// Loads a CSV event log into a `TraceLog` (cases in order of first appearance).
pub fn load_csv(path: &std::path::Path, case: &str, activity: &str, time: &str) -> TraceLog {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = split_csv(lines.next().unwrap().trim_start_matches('\u{feff}'));
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("no column {n}"))
    };
    let (ci, ai, ti) = (col(case), col(activity), col(time));
    let mut case_ix: std::collections::HashMap<String, usize> = Default::default();
    let mut cases: Vec<(String, Vec<TimedEvent>)> = Vec::new();
    for (row, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let f = split_csv(line);
        let k = *case_ix.entry(f[ci].clone()).or_insert_with(|| {
            cases.push((f[ci].clone(), Vec::new()));
            cases.len() - 1
        });
        cases[k].1.push((parse_time(&f[ti]), row, f[ai].clone()));
    }
    let mut activities: Vec<String> = Vec::new();
    let mut act_ix: std::collections::HashMap<String, u32> = Default::default();
    let mut variant_ix: std::collections::HashMap<Vec<u32>, u32> = Default::default();
    let mut log = TraceLog::default();
    for (id, mut events) in cases {
        events.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
        let trace: Vec<u32> = events
            .into_iter()
            .map(|(_, _, a)| {
                *act_ix.entry(a.clone()).or_insert_with(|| {
                    activities.push(a);
                    (activities.len() - 1) as u32
                })
            })
            .collect();
        let v = *variant_ix.entry(trace.clone()).or_insert_with(|| {
            log.variants.push(Variant { trace, count: 0 });
            (log.variants.len() - 1) as u32
        });
        log.variants[v as usize].count += 1;
        log.cases.push((id, v));
    }
    log.activities = activities;
    log
}

/// Builds a `TraceLog` from named variants with counts (cases are numbered).
pub fn from_variants(variants: &[(Vec<String>, u64)]) -> TraceLog {
    let mut log = TraceLog::default();
    let mut act_ix: std::collections::HashMap<String, u32> = Default::default();
    for (vi, (names, count)) in variants.iter().enumerate() {
        let trace = names
            .iter()
            .map(|a| {
                *act_ix.entry(a.clone()).or_insert_with(|| {
                    log.activities.push(a.clone());
                    (log.activities.len() - 1) as u32
                })
            })
            .collect();
        log.variants.push(Variant {
            trace,
            count: *count,
        });
        for _ in 0..*count {
            log.cases
                .push((format!("case{}", log.cases.len() + 1), vi as u32));
        }
    }
    log
}
