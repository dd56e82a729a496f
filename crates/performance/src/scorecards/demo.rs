//! Demo scorecards over the demo KPI library: the company's, Customer Service's and Operations'.
use super::model::{ItemInput, ScorecardInput};
use super::service;
use crate::goals::model::Level;
use db::Db;
use kernel::policy::KpiVisibility;
use kernel::{AppResult, Ctx};

/// (name, department code or company, weighted KPI codes).
type Card = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, f64)],
);

const CARDS: &[Card] = &[
    (
        "公司经营计分卡 Company scorecard",
        None,
        &[
            ("revenue", 3.0),
            ("orders", 1.0),
            ("csat", 2.0),
            ("on_time_delivery", 2.0),
        ],
    ),
    (
        "客服部计分卡 Customer service scorecard",
        Some("CS"),
        &[("first_response_hours", 2.0), ("csat", 2.0)],
    ),
    (
        "运营部计分卡 Operations scorecard",
        Some("OPS"),
        &[
            ("on_time_completion", 2.0),
            ("tasks_completed", 1.0),
            ("ops_overdue_tasks", 1.0),
        ],
    ),
];

/// Loads the demo scorecards unless scorecards exist; KPIs missing from the library are skipped.
pub async fn load_demo(db: &Db, now_ms: i64) -> AppResult<usize> {
    let mut tx = db.read().await?;
    if super::store::count(&mut tx).await? > 0 {
        return Ok(0);
    }
    let ctx = Ctx::system(now_ms);
    let mut plans = Vec::new();
    for (name, dept, kpis) in CARDS {
        let department_id = match dept {
            Some(code) => match crate::goals::store::department_by_code(&mut tx, code).await? {
                Some((id, _)) => Some(id),
                None => continue,
            },
            None => None,
        };
        let mut items = Vec::new();
        for (code, w) in *kpis {
            if let Some(k) =
                crate::kpi::store::get_by_code(&mut tx, &KpiVisibility::All, code).await?
            {
                items.push(ItemInput {
                    kpi_id: k.id,
                    weight: Some(*w),
                });
            }
        }
        if items.is_empty() {
            continue;
        }
        plans.push(ScorecardInput {
            name: name.to_string(),
            scope: if department_id.is_some() {
                Level::Department
            } else {
                Level::Company
            },
            department_id,
            person_id: None,
            items,
        });
    }
    drop(tx);
    let mut n = 0;
    for p in &plans {
        service::create(db, &ctx, p, None).await?;
        n += 1;
    }
    Ok(n)
}
