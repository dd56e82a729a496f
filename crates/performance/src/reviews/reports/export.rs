//! The progress board and the cycle report as sheets (CSV with BOM or XLSX through
//! `imports::export`, which neutralises cells starting with `=`, `+`, `-`, `@`). Each sheet
//! holds exactly the rows and columns its page shows, headers in the reader's language.
use super::model::RatingGroup;
use super::service::CycleReport;
use crate::reviews::service::DepartmentProgress;
use imports::export::Sheet;
use kernel::Locale;

fn t(locale: Locale, key: &str) -> String {
    ui::t(locale, key).to_string()
}

fn num(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or_default()
}

fn dist(d: &[i64]) -> String {
    d.iter()
        .enumerate()
        .map(|(i, n)| format!("{}: {n}", i + 1))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// One row per pending reviewer (a department with none pending has one row of its totals).
pub fn progress_sheet(locale: Locale, cycle: &str, deps: &[DepartmentProgress]) -> Sheet {
    let mut rows = Vec::new();
    for d in deps {
        let head = [
            d.department_name.clone().unwrap_or_else(|| "—".into()),
            d.submitted.to_string(),
            d.requests.to_string(),
        ];
        if d.pending.is_empty() {
            let mut r = head.to_vec();
            r.extend([String::new(), String::new(), String::new(), String::new()]);
            rows.push(r);
        }
        for p in &d.pending {
            let mut r = head.to_vec();
            r.extend([
                p.reviewer_name.clone(),
                t(
                    locale,
                    &format!("reviews.direction_{}", p.direction.as_str()),
                ),
                p.reviewee_name.clone().unwrap_or_else(|| "—".into()),
                p.open.to_string(),
            ]);
            rows.push(r);
        }
    }
    Sheet {
        title: cycle.to_string(),
        header: [
            "reviews.department",
            "rfb.submitted",
            "rfb.requests",
            "reviews.reviewer",
            "reviews.direction",
            "reviews.reviewee",
            "reviews.open",
        ]
        .iter()
        .map(|k| t(locale, k))
        .collect(),
        rows,
    }
}

fn group_row(locale: Locale, section: &str, g: &RatingGroup) -> Vec<String> {
    vec![
        t(locale, section),
        g.name.clone().unwrap_or_else(|| "—".into()),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        g.rated.to_string(),
        num(g.mean),
        dist(&g.distribution),
        num(g.proposed_mean),
        num(g.delta),
        g.tendency
            .as_deref()
            .map(|x| t(locale, &format!("rfb.tendency_{x}")))
            .unwrap_or_default(),
    ]
}

/// The report's three tables in one sheet, told apart by the first column.
pub fn report_sheet(locale: Locale, r: &CycleReport) -> Sheet {
    let mut rows = Vec::new();
    for c in &r.completion {
        rows.push(vec![
            t(locale, "rfb.completion"),
            c.department_name.clone().unwrap_or_else(|| "—".into()),
            t(
                locale,
                &format!("reviews.direction_{}", c.direction.as_str()),
            ),
            c.requests.to_string(),
            c.submitted.to_string(),
            num(c.rate.map(|x| x * 100.0)),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    rows.push(group_row(locale, "rfb.whole_cycle", &r.cycle));
    for g in &r.by_department {
        rows.push(group_row(locale, "rfb.by_department", g));
    }
    for g in &r.by_manager {
        rows.push(group_row(locale, "rfb.by_manager", g));
    }
    Sheet {
        title: r.cycle_name.clone(),
        header: [
            "rfb.table",
            "rfb.group",
            "reviews.direction",
            "rfb.requests",
            "rfb.submitted",
            "rfb.rate",
            "rfb.rated",
            "rfb.mean",
            "rfb.distribution",
            "rfb.proposed_mean",
            "rfb.delta",
            "rfb.tendency",
        ]
        .iter()
        .map(|k| t(locale, k))
        .collect(),
        rows,
    }
}
