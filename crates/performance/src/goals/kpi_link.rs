//! The seam between goals and the KPI library (`crate::kpi`): everything goals need from KPIs
//! passes through these two functions.
//!
//! Binding checks the author's view of the KPI (you bind only what you may see). Reading uses
//! the whole library: a goal's progress is the same number for everyone who may see the goal,
//! as a formula KPI reads its inputs; the KPI page itself stays under the KPI policy.
use analytics::calendar::parse_ymd;
use db::Tx;
use kernel::policy::KpiVisibility;
use kernel::{AppResult, Ctx};

/// Whether the KPI exists and the caller may see it.
pub async fn visible(tx: &mut Tx, ctx: &Ctx, kpi_id: i64) -> AppResult<bool> {
    Ok(
        crate::kpi::store::get(tx, &ctx.actor.kpi_visibility(), kpi_id)
            .await?
            .is_some(),
    )
}

/// The KPI's value in the latest of its own periods (at its frequency) that overlaps
/// `[from, to]` (`YYYY-MM-DD`) and has a value: "where the KPI stands now" within a goal's cycle.
pub async fn actual(
    tx: &mut Tx,
    _ctx: &Ctx,
    kpi_id: i64,
    from: &str,
    to: &str,
) -> AppResult<Option<f64>> {
    let (Some(from), Some(to)) = (parse_ymd(from.as_bytes()), parse_ymd(to.as_bytes())) else {
        return Ok(None);
    };
    let Some(kpi) = crate::kpi::store::get(tx, &KpiVisibility::All, kpi_id).await? else {
        return Ok(None);
    };
    let series = crate::kpi::service::series_of(tx, &kpi).await?;
    for i in (0..series.values.len()).rev() {
        let p = series.period(i);
        if p.start() > to || p.end() < from {
            continue;
        }
        if let Ok(v) = &series.values[i] {
            return Ok(Some(*v));
        }
    }
    Ok(None)
}
