//! The seam between goals and the KPI library (`crate::kpi`): a key result bound to a KPI reads
//! the KPI's actual for the goal's period, and may only bind a KPI its author can see. Everything
//! goals need from KPIs passes through these two functions.
//!
//! Until the KPI library lands, no KPI exists: binding is refused as `kpi_id: not_found` and
//! nothing is read, so manually measured key results work on their own.
use db::Tx;
use kernel::{AppResult, Ctx};

/// Whether the KPI exists and the caller may see it.
pub async fn visible(_tx: &mut Tx, _ctx: &Ctx, _kpi_id: i64) -> AppResult<bool> {
    Ok(false)
}

/// The KPI's actual aggregated over `[from, to]` (`YYYY-MM-DD`), if it has data there.
pub async fn actual(
    _tx: &mut Tx,
    _ctx: &Ctx,
    _kpi_id: i64,
    _from: &str,
    _to: &str,
) -> AppResult<Option<f64>> {
    Ok(None)
}
