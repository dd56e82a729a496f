//! Rendering rollups as JSON or as an aligned text table.

use crate::agg::Agg;
use crate::analysis::Analysis;
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
    write_aligned(out, &header, &rows, 2)
}

/// Writes `header` and `rows` as columns separated by two spaces: the first `left_columns`
/// columns left-aligned, the others right-aligned, by display width (CJK counts double).
pub fn write_aligned(
    out: &mut impl Write,
    header: &[String],
    rows: &[Vec<String>],
    left_columns: usize,
) -> io::Result<()> {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|row| row[c].width())
                .chain([header[c].width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - cell.width());
            if c > 0 {
                line.push_str("  ");
            }
            if c < left_columns {
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

/// Writes an analysis for people: a table of periods, then the flags explained, then the forecast.
pub fn write_analysis(
    out: &mut impl Write,
    kpi: &str,
    agg: Agg,
    analysis: &Analysis,
) -> io::Result<()> {
    writeln!(out, "{kpi} ({agg} per {:?})", analysis.granularity)?;
    let header: Vec<String> = [
        "period",
        "value",
        "环比 PoP",
        "同比 YoY",
        &format!("mean of {}", analysis.options.window),
        "flag",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let option = |v: Option<f64>| v.map_or("-".to_string(), format_number);
    let percent = |v: Option<f64>| v.map_or("-".to_string(), |r| format!("{:+.1}%", r * 100.0));
    let rows: Vec<Vec<String>> = analysis
        .periods
        .iter()
        .map(|p| {
            vec![
                p.period.clone(),
                option(p.value),
                percent(p.period_over_period.ratio),
                percent(p.year_over_year.ratio),
                option(p.moving_mean),
                if p.anomaly { "!".into() } else { String::new() },
            ]
        })
        .collect();
    write_aligned(out, &header, &rows, 1)?;
    let report = &analysis.anomalies;
    writeln!(out)?;
    match (&report.note, report.anomalies.is_empty()) {
        (Some(note), _) => writeln!(out, "anomalies: none ({note})")?,
        (None, true) => writeln!(
            out,
            "anomalies: none beyond {} robust SDs",
            report.config.threshold
        )?,
        (None, false) => {
            writeln!(out, "anomalies:")?;
            for a in &report.anomalies {
                writeln!(out, "  {}", a.explanation)?;
            }
        }
    }
    match (&analysis.forecast, &analysis.forecast_note) {
        (Some(f), _) => {
            writeln!(out, "forecast: {}", f.description)?;
            if let Some(e) = f.history_error {
                let mape = e
                    .mape
                    .map_or("-".to_string(), |m| format!("{:.1}%", m * 100.0));
                writeln!(
                    out,
                    "  one-step-ahead error on {} past periods: MAE {}, RMSE {}, MAPE {mape}",
                    e.n,
                    format_number(e.mae),
                    format_number(e.rmse)
                )?;
            }
            for p in &f.points {
                writeln!(out, "  {}  {}", p.period, format_number(p.value))?;
            }
        }
        (None, note) => writeln!(out, "forecast: none ({})", note.as_deref().unwrap_or(""))?,
    }
    Ok(())
}

/// At most 6 decimals for reading (JSON keeps full precision), without trailing zeros.
pub fn format_number(v: f64) -> String {
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
