//! Rendering rollups as JSON or as an aligned text table.

use crate::agg::Agg;
use crate::rollup::Rollup;
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// Writes `{"rows":[{"kpi":…,"period":…,"<agg>":…,…},…]}` followed by a newline. Counts are
/// integers; values with no result (NaN) are `null`.
pub fn write_json(out: &mut impl Write, rollup: &Rollup) -> io::Result<()> {
    let names: Vec<String> = rollup
        .aggs
        .iter()
        .map(|a| serde_json::to_string(&a.to_string()).expect("strings serialise"))
        .collect();
    out.write_all(b"{\"rows\":[")?;
    for r in 0..rollup.len() {
        if r > 0 {
            out.write_all(b",")?;
        }
        out.write_all(b"{\"kpi\":")?;
        serde_json::to_writer(&mut *out, &rollup.kpi_names[rollup.kpi[r] as usize])?;
        write!(out, ",\"period\":\"{}\"", rollup.period_of_row(r).label())?;
        for ((agg, name), column) in rollup.aggs.iter().zip(&names).zip(&rollup.columns) {
            write!(out, ",{name}:")?;
            let v = column[r];
            if *agg == Agg::Count {
                write!(out, "{}", v as u64)?;
            } else {
                serde_json::to_writer(&mut *out, &v)?;
            }
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"]}\n")
}

/// Writes an aligned table: text columns left-aligned, numbers right-aligned, `-` for no value.
pub fn write_table(out: &mut impl Write, rollup: &Rollup) -> io::Result<()> {
    let mut header = vec!["kpi".to_string(), "period".to_string()];
    header.extend(rollup.aggs.iter().map(Agg::to_string));
    let rows: Vec<Vec<String>> = (0..rollup.len())
        .map(|r| {
            let mut cells = vec![
                rollup.kpi_names[rollup.kpi[r] as usize].clone(),
                rollup.period_of_row(r).label(),
            ];
            cells.extend(rollup.columns.iter().map(|c| format_number(c[r])));
            cells
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|row| row[c].width())
                .chain([header[c].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.width());
            match c {
                0 => {}
                _ => line.push_str("  "),
            }
            if c < 2 {
                line.push_str(cell);
                line.push_str(&pad);
            } else {
                line.push_str(&pad);
                line.push_str(cell);
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// At most 6 decimals for reading (JSON keeps full precision), without trailing zeros.
fn format_number(v: f64) -> String {
    if v.is_nan() {
        return "-".to_string();
    }
    let text = format!("{v:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_ymd;
    use crate::period::Granularity;
    use crate::points::Points;
    use crate::rollup::rollup;

    fn sample() -> Rollup {
        let d = |s: &str| parse_ymd(s.as_bytes()).unwrap();
        let points = Points::from_rows([
            ("销售额", d("2026-01-26"), 1.5),
            ("销售额", d("2026-02-01"), f64::NAN),
            ("b", d("2026-02-02"), -10.0),
        ]);
        rollup(
            &points,
            Granularity::Week,
            &[Agg::Sum, Agg::Count, Agg::Percentile(90.0), Agg::Min],
        )
    }

    #[test]
    fn json_has_the_documented_shape() {
        let mut out = Vec::new();
        write_json(&mut out, &sample()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"rows": [
                {"kpi": "b", "period": "2026-W06", "sum": -10.0, "count": 1, "p90": -10.0, "min": -10.0},
                {"kpi": "销售额", "period": "2026-W05", "sum": 1.5, "count": 1, "p90": 1.5, "min": 1.5},
            ]})
        );
    }

    #[test]
    fn table_columns_line_up_with_wide_characters() {
        let mut out = Vec::new();
        write_table(&mut out, &sample()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("kpi     period"), "{text}");
        // Right-aligned numbers end in the same display column on every line.
        let widths: Vec<usize> = lines.iter().map(|l| l.width()).collect();
        assert!(widths.iter().all(|&w| w == widths[0]), "{text}");
        assert!(lines[2].starts_with("销售额  2026-W05"), "{text}");
    }

    #[test]
    fn table_numbers_are_rounded_for_reading() {
        assert_eq!(format_number(0.11249999999999993), "0.1125");
        assert_eq!(format_number(-2.456166666666667), "-2.456167");
        assert_eq!(format_number(108.0), "108");
        assert_eq!(format_number(-0.0000001), "0");
        assert_eq!(format_number(f64::NAN), "-");
    }
}
