//! The KPI actuals import (XLSX/CSV through the shared kit): one row per KPI code, period and
//! value (a denominator for ratio KPIs, a source when several systems feed one KPI). Rows go
//! through the same `service::push_in` as the API push — visibility, who may record, period and
//! value checks, idempotency by KPI + period + source, the red/anomaly loop — all in the kit's
//! one transaction, so a file is imported whole or not at all.
use crate::kpi::service::{self, PointInput};
use db::Tx;
use imports::{ImportColumn, ImportFailure, Importer, RowError};
use kernel::{Actor, AppError, Ctx, FieldError, Locale, Role};
use sheets::{Column, Record};
use std::collections::BTreeMap;

pub struct ActualsImport;

/// The source recorded for imported values when the file names none.
pub const IMPORT_SOURCE: &str = "import";

/// One row of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct ActualRow {
    pub code: String,
    pub period: String,
    pub value: f64,
    pub denominator: Option<f64>,
    pub source: String,
}

const COLUMNS: &[ImportColumn] = &[
    ImportColumn {
        column: Column {
            key: "kpi",
            required: true,
            names: &["指标编码", "指标代码", "指标", "kpi", "kpi code", "code"],
        },
        label_key: "kpi.code",
    },
    ImportColumn {
        column: Column {
            key: "period",
            required: true,
            names: &["周期", "日期", "期间", "月份", "period", "date", "month"],
        },
        label_key: "kpi.period",
    },
    ImportColumn {
        column: Column {
            key: "value",
            required: true,
            names: &[
                "实际值",
                "数值",
                "值",
                "分子",
                "value",
                "actual",
                "numerator",
            ],
        },
        label_key: "kpi.actual",
    },
    ImportColumn {
        column: Column {
            key: "denominator",
            required: false,
            names: &["分母", "denominator"],
        },
        label_key: "kpi.denominator",
    },
    ImportColumn {
        column: Column {
            key: "source",
            required: false,
            names: &["来源", "数据来源", "source"],
        },
        label_key: "kpi.source",
    },
];

/// `1,234.5`, `1 234`, `85%` (as 85) → a number.
fn number(s: &str) -> Option<f64> {
    let t: String = s
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '\u{a0}' | '¥' | '￥'))
        .collect();
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Spreadsheet dates come as `2026/3/1` or `2026-3-1` as often as `2026-03-01`.
fn normalize_period(s: &str) -> String {
    let s = s.trim();
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    match parts.as_slice() {
        [y, m, d]
            if y.len() == 4
                && m.len() <= 2
                && d.len() <= 2
                && d.chars().all(|c| c.is_ascii_digit()) =>
        {
            format!("{y}-{m:0>2}-{d:0>2}")
        }
        [y, m] if y.len() == 4 && m.len() <= 2 && m.chars().all(|c| c.is_ascii_digit()) => {
            format!("{y}-{m:0>2}")
        }
        _ => s.to_string(),
    }
}

impl Importer for ActualsImport {
    type Record = ActualRow;

    fn kind(&self) -> &'static str {
        "kpi-actuals"
    }

    fn title_key(&self) -> &'static str {
        "kpi.import_title"
    }

    fn list_href(&self) -> &'static str {
        "/kpis"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        COLUMNS
    }

    fn template_rows(&self, _locale: Locale) -> Vec<Vec<String>> {
        [
            ["revenue", "2026-01", "1250000", "", "erp"],
            ["revenue", "2026-02", "1180000", "", "erp"],
            ["on_time_delivery", "2026-01", "2310", "2420", "wms"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
    }

    /// Anyone who may record some KPI's actuals (each row is checked against its KPI).
    fn may_import(&self, actor: &Actor) -> bool {
        actor.role != Role::Viewer
    }

    fn parse(&self, r: &Record<'_>) -> Result<ActualRow, Vec<FieldError>> {
        let mut errs = Vec::new();
        let code = r.get("kpi").unwrap_or_default().trim().to_string();
        if code.is_empty() {
            errs.push(FieldError::new("kpi", "required", "is required"));
        }
        let period = normalize_period(r.get("period").unwrap_or_default());
        if period.is_empty() {
            errs.push(FieldError::new("period", "required", "is required"));
        }
        let value = match r.get("value") {
            None => {
                errs.push(FieldError::new("value", "required", "is required"));
                0.0
            }
            Some(v) => number(v).unwrap_or_else(|| {
                errs.push(FieldError::new(
                    "value",
                    "invalid",
                    format!("{v:?} is not a number"),
                ));
                0.0
            }),
        };
        let denominator = match r.get("denominator") {
            None => None,
            Some(v) => {
                let d = number(v);
                if d.is_none() {
                    errs.push(FieldError::new(
                        "denominator",
                        "invalid",
                        format!("{v:?} is not a number"),
                    ));
                }
                d
            }
        };
        let source = r
            .get("source")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| IMPORT_SOURCE.to_string());
        if errs.is_empty() {
            Ok(ActualRow {
                code,
                period,
                value,
                denominator,
                source,
            })
        } else {
            Err(errs)
        }
    }

    async fn write(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        records: Vec<(usize, ActualRow)>,
    ) -> Result<usize, ImportFailure> {
        // One push per KPI and source, keeping each point's file row to report problems on it.
        let mut groups: BTreeMap<(String, String), Vec<(usize, PointInput)>> = BTreeMap::new();
        for (row, r) in records {
            groups.entry((r.code, r.source)).or_default().push((
                row,
                PointInput {
                    period: r.period,
                    value: Some(r.value),
                    denominator: r.denominator,
                },
            ));
        }
        let mut problems = Vec::new();
        let mut written = 0;
        for ((code, source), rows) in groups {
            let kpi = match crate::kpi::store::get_by_code(tx, &ctx.actor.kpi_visibility(), &code)
                .await?
            {
                Some(k) => k,
                None => {
                    problems.extend(rows.iter().map(|(row, _)| {
                        RowError::new(
                            *row,
                            "kpi",
                            "not_found",
                            format!("no KPI with the code {code}"),
                        )
                    }));
                    continue;
                }
            };
            let points: Vec<PointInput> = rows.iter().map(|(_, p)| p.clone()).collect();
            match service::push_in(tx, ctx, kpi.id, &source, &points).await {
                Ok(r) => written += r.inserted + r.updated + r.unchanged,
                Err(AppError::Validation(errs)) => {
                    for e in errs {
                        // `points[i].field` → the file row of point i; other fields → every row.
                        let at = e
                            .field
                            .strip_prefix("points[")
                            .and_then(|r| r.split_once(']'))
                            .and_then(|(i, f)| {
                                Some((i.parse::<usize>().ok()?, f.trim_start_matches('.')))
                            });
                        match at {
                            Some((i, f)) if i < rows.len() => {
                                let field = if f.is_empty() { "value" } else { f };
                                problems.push(RowError::new(
                                    rows[i].0,
                                    field,
                                    e.code,
                                    e.detail.clone(),
                                ));
                            }
                            _ => problems.extend(rows.iter().map(|(row, _)| {
                                RowError::new(*row, "kpi", e.code, e.detail.clone())
                            })),
                        }
                    }
                }
                Err(AppError::Forbidden(why)) => problems.extend(rows.iter().map(|(row, _)| {
                    RowError::new(
                        *row,
                        "kpi",
                        "forbidden",
                        format!("you are not allowed to {why}"),
                    )
                })),
                Err(e) => return Err(ImportFailure::App(e)),
            }
        }
        if problems.is_empty() {
            Ok(written)
        } else {
            Err(ImportFailure::Rows(problems))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreadsheet_numbers_and_dates() {
        assert_eq!(number("1,234.5"), Some(1234.5));
        assert_eq!(number(" 85% "), Some(85.0));
        assert_eq!(number("¥12 000"), Some(12000.0));
        assert_eq!(number("n/a"), None);
        assert_eq!(normalize_period("2026/3/1"), "2026-03-01");
        assert_eq!(normalize_period("2026-3"), "2026-03");
        assert_eq!(normalize_period("2026-Q1"), "2026-Q1");
        assert_eq!(normalize_period("2026-W09"), "2026-W09");
    }
}
