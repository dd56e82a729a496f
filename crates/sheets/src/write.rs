//! CSV and XLSX writers. A cell a spreadsheet would run as a formula (it starts with `=`, `+`,
//! `-`, `@`, a tab or a carriage return) is written with a leading apostrophe (OWASP "CSV
//! injection"); readers of this crate take the apostrophe off again, so export → edit → import
//! gives the original value back.
use crate::SheetError;
use std::borrow::Cow;

pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn dangerous(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

pub fn neutralize(s: &str) -> Cow<'_, str> {
    if s.starts_with(dangerous) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The inverse of [`neutralize`] for a cell it produced.
pub(crate) fn unneutralize(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(dangerous) => rest,
        _ => s,
    }
}

/// CSV as Excel opens it without a wizard in a Chinese locale: UTF-8 with BOM, CRLF line ends,
/// quotes where needed.
pub fn write_csv<H, R, S>(header: &[H], rows: impl IntoIterator<Item = R>) -> Vec<u8>
where
    H: AsRef<str>,
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(&mut out);
        // Writing into a Vec cannot fail.
        let _ = w.write_record(header.iter().map(|c| neutralize(c.as_ref()).into_owned()));
        for r in rows {
            let _ = w.write_record(
                r.as_ref()
                    .iter()
                    .map(|c| neutralize(c.as_ref()).into_owned()),
            );
        }
        let _ = w.flush();
    }
    out
}

/// One worksheet: a bold, frozen header row and text cells, columns sized to their content.
pub fn write_xlsx<H, R, S>(
    sheet: &str,
    header: &[H],
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<u8>, SheetError>
where
    H: AsRef<str>,
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    let fail = |e: rust_xlsxwriter::XlsxError| SheetError::Malformed(e.to_string());
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(sheet)).map_err(fail)?;
    let mut widths: Vec<usize> = Vec::new();
    let mut width = |col: usize, s: &str| {
        let w = s
            .chars()
            .map(|c| if c.is_ascii() { 1 } else { 2 })
            .sum::<usize>();
        if widths.len() <= col {
            widths.resize(col + 1, 0);
        }
        widths[col] = widths[col].max(w);
    };
    for (c, h) in header.iter().enumerate() {
        let v = neutralize(h.as_ref());
        width(c, &v);
        ws.write_string_with_format(0, c as u16, v.as_ref(), &bold)
            .map_err(fail)?;
    }
    for (r, row) in rows.into_iter().enumerate() {
        for (c, cell) in row.as_ref().iter().enumerate() {
            let v = neutralize(cell.as_ref());
            if v.is_empty() {
                continue;
            }
            width(c, &v);
            ws.write_string(r as u32 + 1, c as u16, v.as_ref())
                .map_err(fail)?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).clamp(6.0, 60.0))
            .map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    wb.save_to_buffer().map_err(fail)
}

/// Excel's rules for sheet names: 1–31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    let n: String = s
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    if n.trim().is_empty() {
        "Sheet1".into()
    } else {
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_starts() {
        for s in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralize(s), format!("'{s}"));
            assert_eq!(unneutralize(&neutralize(s)), s);
        }
        assert_eq!(neutralize("张三"), "张三");
        assert_eq!(neutralize("a=b"), "a=b");
        assert_eq!(unneutralize("'quoted"), "'quoted");
    }

    #[test]
    fn csv_has_bom_crlf_and_quotes() {
        let out = write_csv(
            &["a", "b"],
            [["x,y", "=cmd|' /C calc'!A0"], ["line\nbreak", "\"q\""]],
        );
        let text = std::str::from_utf8(&out[3..]).unwrap();
        assert_eq!(&out[..3], &[0xEF, 0xBB, 0xBF]);
        assert_eq!(
            text,
            "a,b\r\n\"x,y\",'=cmd|' /C calc'!A0\r\n\"line\nbreak\",\"\"\"q\"\"\"\r\n"
        );
    }

    #[test]
    fn sheet_names_are_made_valid() {
        assert_eq!(sheet_name("a/b[c]"), "abc");
        assert_eq!(sheet_name("::"), "Sheet1");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }
}
