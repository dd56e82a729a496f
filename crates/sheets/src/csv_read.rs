//! CSV text in any of the encodings Chinese offices produce, with the delimiter detected.
use crate::{Format, Limits, SheetError, Table, TableBuilder};
use encoding_rs::{Encoding, GB18030, UTF_8};
use std::borrow::Cow;

/// Decodes the bytes: a BOM decides (UTF-8, UTF-16LE/BE); otherwise valid UTF-8 is UTF-8 and
/// anything else must decode as GB18030 (a superset of GBK and GB2312) without errors.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), SheetError> {
    if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom..]);
        if had_errors {
            return Err(SheetError::Encoding);
        }
        return Ok((text, enc.name()));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(s), UTF_8.name()));
    }
    let (text, had_errors) = GB18030.decode_without_bom_handling(bytes);
    if had_errors || text.contains('\0') {
        return Err(SheetError::Encoding);
    }
    Ok((text, GB18030.name()))
}

/// The delimiter of the first line (outside quotes): the most frequent of `,` `;` tab; `,` on
/// a tie or when none occurs.
pub(crate) fn detect_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], usize::from(i == 0)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t'][best]
    }
}

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    let (text, encoding) = decode(bytes)?;
    let delimiter = detect_delimiter(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = TableBuilder::new(limits);
    let mut record = csv::StringRecord::new();
    let bytes = text.as_bytes();
    let (mut counted_to, mut line) = (0usize, 1usize);
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // The reader's own line count lags on CRLF files, so the row number is counted
                // here from the record's byte offset (which may point at the line end before).
                let mut at = record.position().map_or(0, |p| p.byte() as usize);
                while at < bytes.len() && matches!(bytes[at], b'\r' | b'\n') {
                    at += 1;
                }
                line += bytes[counted_to.min(at)..at]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                counted_to = counted_to.max(at);
                // A record's fields are known only once read; refuse the absurd early.
                if record.len() > limits.max_columns * 4 {
                    return Err(SheetError::TooManyColumns {
                        max: limits.max_columns,
                    });
                }
                table.push(line, record.iter().map(str::to_string).collect())?;
            }
            Err(e) => {
                return Err(SheetError::Malformed(e.to_string()));
            }
        }
    }
    table.finish(Format::Csv, encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter("a,b,c\n1;2"), b',');
        assert_eq!(detect_delimiter("a;b;c\n"), b';');
        assert_eq!(detect_delimiter("a\tb\tc"), b'\t');
        assert_eq!(detect_delimiter("\"x;y;z\",b\n"), b',');
        assert_eq!(detect_delimiter("single"), b',');
    }

    #[test]
    fn encodings() {
        let (gbk, _, _) = encoding_rs::GBK.encode("工号,姓名\nE1,张三\n");
        let (t, e) = decode(&gbk).unwrap();
        assert_eq!((t.as_ref(), e), ("工号,姓名\nE1,张三\n", "gb18030"));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("工号\n".as_bytes());
        assert_eq!(decode(&bom).unwrap(), (Cow::Borrowed("工号\n"), "UTF-8"));
        let mut u16 = vec![0xFF, 0xFE];
        for u in "a\tb\n".encode_utf16() {
            u16.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&u16).unwrap().0, "a\tb\n");
        // Bytes no GB18030 text contains (0xFF lead byte).
        assert_eq!(decode(b"\xff\xff\xff"), Err(SheetError::Encoding));
    }
}
