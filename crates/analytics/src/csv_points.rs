//! Reading `kpi,date,value` CSV files into [`Points`].
//!
//! Hand-written rather than a general CSV reader because this is the hot path of the command
//! line (tens of millions of rows): the file is streamed in large blocks, lines are split with
//! `memchr`, KPI names are interned on the fly and dates parsed without allocation. Quoted fields
//! (RFC 4180, `""` for a quote) are supported; a quoted field may not span lines.

use crate::calendar::parse_ymd;
use crate::points::{KpiInterner, Points, pack_prefix};
use std::borrow::Cow;
use std::io::Read;

/// Why a points file could not be read. Every row error names the line (1-based, the header is
/// line 1) and the field.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read input: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty: a header line `kpi,date,value` is required")]
    Empty,
    #[error("line 1 (header): missing column `{0}` (the header must name kpi, date and value)")]
    MissingColumn(&'static str),
    #[error("line {line}, field `{field}`: {message}")]
    Row {
        line: usize,
        field: &'static str,
        message: String,
    },
}

const BLOCK: usize = 1 << 22;

/// Blocks are parsed by two threads when they are at least this large; below, spawning costs more
/// than it saves.
const PARALLEL_MIN: usize = 1 << 16;

/// Reads a CSV with a header naming the columns `kpi`, `date` (YYYY-MM-DD) and `value` (any
/// order, other columns ignored). An empty value means "no value" (NaN, skipped by rollups, as in
/// pandas). KPI ids come out in name order.
///
/// ```
/// let csv = "kpi,date,value\nb,2026-01-02,1.5\na,2026-01-01,\n";
/// let points = analytics::csv_points::read_points(csv.as_bytes()).unwrap();
/// assert_eq!(points.kpi_names, ["a", "b"]);
/// assert_eq!(points.kpi, [1, 0]);
/// assert!(points.value[1].is_nan());
/// ```
pub fn read_points(mut input: impl Read) -> Result<Points, ReadError> {
    let mut buf = vec![0u8; BLOCK];
    let mut filled = 0;
    let mut reader = Reader::default();
    loop {
        if filled == buf.len() {
            // No line end in a whole buffer: a very long line.
            buf.resize(buf.len() * 2, 0);
        }
        let n = read_full(&mut input, &mut buf[filled..])?;
        filled += n;
        if n == 0 {
            reader.block(&buf[..filled])?;
            break;
        }
        // Only whole lines are parsed; the tail waits for the next block.
        let whole = memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |i| i + 1);
        reader.block(&buf[..whole])?;
        buf.copy_within(whole..filled, 0);
        filled -= whole;
    }
    reader.finish()
}

fn read_full(input: &mut impl Read, mut out: &mut [u8]) -> std::io::Result<usize> {
    let mut total = 0;
    while !out.is_empty() {
        match input.read(out) {
            Ok(0) => break,
            Ok(n) => {
                total += n;
                out = &mut out[n..];
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(total)
}

/// Whole-file state: the header, global KPI ids and the columns read so far.
#[derive(Default)]
struct Reader {
    lines_before: usize,
    columns: Option<Columns>,
    interner: KpiInterner,
    points: Points,
}

impl Reader {
    /// Parses a run of whole lines (the last may lack its newline at the end of the file).
    fn block(&mut self, mut text: &[u8]) -> Result<(), ReadError> {
        if text.is_empty() {
            return Ok(());
        }
        let columns = match self.columns {
            Some(c) => c,
            None => {
                let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
                let c = header(strip_cr(&text[..end]))?;
                self.columns = Some(c);
                self.lines_before = 1;
                text = &text[(end + 1).min(text.len())..];
                c
            }
        };
        let halves = if text.len() >= PARALLEL_MIN {
            let middle = text.len() / 2;
            let cut = memchr::memchr(b'\n', &text[middle..]).map_or(text.len(), |i| middle + i + 1);
            let (first, second) = text.split_at(cut);
            std::thread::scope(|scope| {
                let other = scope.spawn(|| parse_lines(second, columns));
                let mine = parse_lines(first, columns);
                vec![mine, other.join().expect("parser thread panicked")]
            })
        } else {
            vec![parse_lines(text, columns)]
        };
        for parsed in halves {
            let chunk = parsed.map_err(|e| e.at_line(self.lines_before))?;
            self.lines_before += chunk.lines;
            self.append(chunk);
        }
        Ok(())
    }

    fn append(&mut self, chunk: Chunk) {
        let global: Vec<u32> = chunk
            .interner
            .names()
            .iter()
            .map(|name| self.interner.intern(name))
            .collect();
        self.points
            .kpi
            .extend(chunk.kpi.iter().map(|&k| global[k as usize]));
        self.points.day.extend_from_slice(&chunk.day);
        self.points.value.extend_from_slice(&chunk.value);
    }

    fn finish(mut self) -> Result<Points, ReadError> {
        if self.columns.is_none() {
            return Err(ReadError::Empty);
        }
        self.points.kpi_names = self.interner.into_names();
        self.points.sort_kpi_ids_by_name();
        Ok(self.points)
    }
}

/// Points of one run of lines, with KPI ids local to the run.
#[derive(Default)]
struct Chunk {
    /// Lines in the run (every line of a run but the file's last ends with a newline).
    lines: usize,
    interner: KpiInterner,
    kpi: Vec<u32>,
    day: Vec<i32>,
    value: Vec<f64>,
}

/// A row error with its line counted from the start of the run (1-based).
struct LocalError {
    line: usize,
    field: &'static str,
    message: String,
}

impl LocalError {
    fn at_line(self, lines_before: usize) -> ReadError {
        ReadError::Row {
            line: lines_before + self.line,
            field: self.field,
            message: self.message,
        }
    }
}

#[derive(Clone, Copy)]
struct Columns {
    kpi: usize,
    date: usize,
    value: usize,
    count: usize,
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn parse_lines(text: &[u8], columns: Columns) -> Result<Chunk, LocalError> {
    let mut chunk = Chunk::default();
    let estimate = text.len() / 24;
    chunk.kpi.reserve(estimate);
    chunk.day.reserve(estimate);
    chunk.value.reserve(estimate);
    let plain = columns.is_plain() && memchr::memchr(b'"', text).is_none();
    let mut rest = text;
    let mut line_no = 0;
    while !rest.is_empty() {
        line_no += 1;
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let line = strip_cr(&rest[..end]);
        rest = &rest[(end + 1).min(rest.len())..];
        if plain && push_plain_row(line, &mut chunk) {
            continue;
        }
        parse_line(line, columns, &mut chunk).map_err(|(field, message)| LocalError {
            line: line_no,
            field,
            message,
        })?;
    }
    chunk.lines = line_no;
    Ok(chunk)
}

/// Fast path for the usual `kpi,YYYY-MM-DD,123.45` line without quotes or spaces. Returns false,
/// having pushed nothing, for anything else; the general path then parses or reports the line.
#[inline]
fn push_plain_row(line: &[u8], chunk: &mut Chunk) -> bool {
    let Some(comma) = line.iter().position(|&b| b == b',') else {
        return false;
    };
    let (kpi, rest) = (&line[..comma], &line[comma + 1..]);
    if rest.len() < 12 || rest[10] != b',' {
        return false;
    }
    let (Some(&first), Some(&last)) = (kpi.first(), kpi.last()) else {
        return false;
    };
    if first.is_ascii_whitespace() || last.is_ascii_whitespace() {
        return false;
    }
    let (Some(day), Some(value)) = (parse_ymd(&rest[..10]), parse_plain_decimal(&rest[11..]))
    else {
        return false;
    };
    let id = match pack_prefix(line, kpi.len()) {
        Some(packed) => chunk.interner.intern_packed(packed, kpi),
        None => chunk.interner.intern(kpi),
    };
    chunk.kpi.push(id);
    chunk.day.push(day);
    chunk.value.push(value);
    true
}

type FieldError = (&'static str, String);

fn parse_line(line: &[u8], columns: Columns, chunk: &mut Chunk) -> Result<(), FieldError> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    if memchr::memchr(b'"', line).is_none() {
        let mut fields: [&[u8]; 3] = [&[]; 3];
        let mut count = 0;
        for (i, field) in line.split(|&b| b == b',').enumerate() {
            if let Some(slot) = columns.slot(i) {
                fields[slot] = field;
            }
            count = i + 1;
        }
        check_count(count, columns)?;
        push_row(chunk, fields[0], fields[1], fields[2])
    } else {
        let split = split_quoted(line).map_err(|message| ("kpi", message))?;
        check_count(split.len(), columns)?;
        push_row(
            chunk,
            &split[columns.kpi],
            &split[columns.date],
            &split[columns.value],
        )
    }
}

fn check_count(count: usize, columns: Columns) -> Result<(), FieldError> {
    if count == columns.count {
        return Ok(());
    }
    let field = if count < columns.count {
        "value"
    } else {
        "kpi"
    };
    Err((
        field,
        format!(
            "expected {} fields as in the header, found {count}",
            columns.count
        ),
    ))
}

fn push_row(chunk: &mut Chunk, kpi: &[u8], date: &[u8], value: &[u8]) -> Result<(), FieldError> {
    let kpi = kpi.trim_ascii();
    if kpi.is_empty() {
        return Err(("kpi", "empty KPI name".into()));
    }
    let date = date.trim_ascii();
    let day = parse_ymd(date).ok_or_else(|| {
        (
            "date",
            format!(
                "expected a date as YYYY-MM-DD, found {:?}",
                String::from_utf8_lossy(date)
            ),
        )
    })?;
    let value = parse_value(value.trim_ascii()).map_err(|m| ("value", m))?;
    chunk.kpi.push(chunk.interner.intern(kpi));
    chunk.day.push(day);
    chunk.value.push(value);
    Ok(())
}

impl Columns {
    /// Whether lines are exactly `kpi,date,value`.
    fn is_plain(&self) -> bool {
        (self.kpi, self.date, self.value, self.count) == (0, 1, 2, 3)
    }

    #[inline]
    fn slot(&self, i: usize) -> Option<usize> {
        if i == self.kpi {
            Some(0)
        } else if i == self.date {
            Some(1)
        } else if i == self.value {
            Some(2)
        } else {
            None
        }
    }
}

fn header(line: &[u8]) -> Result<Columns, ReadError> {
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let names: Vec<String> = split_quoted(line)
        .unwrap_or_default()
        .iter()
        .map(|n| String::from_utf8_lossy(n.trim_ascii()).to_ascii_lowercase())
        .collect();
    let find = |name: &'static str| {
        names
            .iter()
            .position(|n| n == name)
            .ok_or(ReadError::MissingColumn(name))
    };
    Ok(Columns {
        kpi: find("kpi")?,
        date: find("date")?,
        value: find("value")?,
        count: names.len(),
    })
}

fn parse_value(text: &[u8]) -> Result<f64, String> {
    if text.is_empty() {
        return Ok(f64::NAN);
    }
    if let Some(v) = parse_plain_decimal(text) {
        return Ok(v);
    }
    let shown = || String::from_utf8_lossy(text).into_owned();
    let value: f64 = std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("expected a number, found {:?}", shown()))?;
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("expected a finite number, found {:?}", shown()))
    }
}

/// Exact fast path for the common `-123.45` form: with at most 15 digits the digits are an exact
/// integer and 10^k (k ≤ 15) is exact, so one IEEE division rounds correctly (Clinger's fast
/// path). Anything else (exponents, long mantissas) returns `None` for the general parser.
fn parse_plain_decimal(text: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match text.first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0usize;
    let mut digits_seen = false;
    let mut decimals = 0usize;
    let mut seen_point = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                digits_seen = true;
                // Leading zeros add no significant digits.
                if mantissa != 0 || b != b'0' {
                    count += 1;
                }
                mantissa = mantissa * 10 + u64::from(b - b'0');
                decimals += usize::from(seen_point);
                if count > 15 || decimals > 15 {
                    return None;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if !digits_seen {
        return None;
    }
    let v = mantissa as f64 / POW10[decimals];
    Some(if negative { -v } else { v })
}

/// Splits one line into fields, unquoting RFC 4180 quoted fields.
fn split_quoted(line: &[u8]) -> Result<Vec<Cow<'_, [u8]>>, String> {
    let mut fields = Vec::new();
    let mut rest = line;
    loop {
        if let Some(after_quote) = rest.strip_prefix(b"\"") {
            let mut text = Vec::new();
            let mut i = 0;
            loop {
                match after_quote.get(i) {
                    None => return Err("a quoted field is not closed on this line".into()),
                    Some(b'"') if after_quote.get(i + 1) == Some(&b'"') => {
                        text.push(b'"');
                        i += 2;
                    }
                    Some(b'"') => break,
                    Some(&b) => {
                        text.push(b);
                        i += 1;
                    }
                }
            }
            fields.push(Cow::Owned(text));
            rest = &after_quote[i + 1..];
            match rest.first() {
                None => return Ok(fields),
                Some(b',') => rest = &rest[1..],
                Some(_) => return Err("unexpected text after a closing quote".into()),
            }
        } else {
            match memchr::memchr(b',', rest) {
                Some(comma) => {
                    fields.push(Cow::Borrowed(&rest[..comma]));
                    rest = &rest[comma + 1..];
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Points, ReadError> {
        read_points(text.as_bytes())
    }

    fn error(text: &str) -> String {
        read(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_columns_in_any_order_with_bom_crlf_and_quotes() {
        let p = read(
            "\u{feff}Value,extra,KPI,Date\r\n1.5,x,\"sales, east\",2026-01-05\r\n-2,y,b,2026-01-06",
        )
        .unwrap();
        assert_eq!(p.kpi_names, ["b", "sales, east"]);
        assert_eq!(p.kpi, [1, 0]);
        assert_eq!(p.value, [1.5, -2.0]);
        assert_eq!(
            p.day,
            [
                parse_ymd(b"2026-01-05").unwrap(),
                parse_ymd(b"2026-01-06").unwrap()
            ]
        );
    }

    #[test]
    fn errors_name_line_and_field() {
        assert_eq!(
            error("kpi,date,value\na,2026-01-01,1\na,2026-02-30,2\n"),
            "line 3, field `date`: expected a date as YYYY-MM-DD, found \"2026-02-30\""
        );
        assert_eq!(
            error("kpi,date,value\na,2026-01-01,abc\n"),
            "line 2, field `value`: expected a number, found \"abc\""
        );
        assert_eq!(
            error("kpi,date,value\n\n,2026-01-01,1\n"),
            "line 3, field `kpi`: empty KPI name"
        );
        assert!(
            error("kpi,date,value\na,2026-01-01\n")
                .starts_with("line 2, field `value`: expected 3 fields")
        );
        assert!(error("kpi,day,value\n").contains("missing column `date`"));
        assert!(error("kpi,date,value\na,2026-01-01,inf\n").contains("finite"));
        assert!(matches!(read(""), Err(ReadError::Empty)));
    }

    #[test]
    fn plain_decimals_parse_exactly_like_the_standard_parser() {
        for text in [
            "0",
            "-0.5",
            "1235.43",
            "+7.",
            ".25",
            "123456789012345",
            "0.000000000000001",
            "-99.99",
            "000123.4500",
        ] {
            let fast = parse_plain_decimal(text.as_bytes()).unwrap();
            assert_eq!(
                fast.to_bits(),
                text.parse::<f64>().unwrap().to_bits(),
                "{text}"
            );
        }
        for text in [
            "1e5",
            "1234567890123456",
            "0.0000000000000001",
            ".",
            "-",
            "1.2.3",
            "0x10",
        ] {
            assert_eq!(parse_plain_decimal(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn errors_in_the_second_parallel_half_report_the_file_line() {
        let mut text = String::from("kpi,date,value\n");
        let rows = PARALLEL_MIN / 10;
        for _ in 0..rows {
            text.push_str("k,2026-01-01,1\n");
        }
        text.push_str("k,2026-01-01,x\n");
        assert_eq!(
            error(&text),
            format!(
                "line {}, field `value`: expected a number, found \"x\"",
                rows + 2
            )
        );
    }

    #[test]
    fn a_line_longer_than_the_buffer_is_read_whole() {
        let name = "k".repeat(BLOCK + 10);
        let text = format!("kpi,date,value\n{name},2026-01-01,2\nb,2026-01-02,3\nb,2026-01-03,x\n");
        assert_eq!(
            error(&text),
            "line 4, field `value`: expected a number, found \"x\""
        );
        let p = read(&text[..text.len() - 15]).unwrap();
        assert_eq!(p.kpi_names, ["b".to_string(), name]);
        assert_eq!(p.value, [2.0, 3.0]);
    }

    #[test]
    fn lines_longer_than_a_block_boundary_are_joined() {
        let mut text = String::from("kpi,date,value\n");
        let row = "some-kpi-with-a-long-name,2026-03-04,12.25\n";
        while text.len() < BLOCK + 1000 {
            text.push_str(row);
        }
        let rows = (text.len() - 15) / row.len();
        let p = read(&text).unwrap();
        assert_eq!(p.len(), rows);
        assert!(p.value.iter().all(|&v| v == 12.25));
    }
}
