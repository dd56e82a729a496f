//! KPI use cases. Order in every write: visibility (an invisible KPI is `NotFound`), the policy
//! (`Forbidden`), validation (all field errors at once), then the write, its audit event and any
//! alert notification in one transaction.
//!
//! The small API other modules use (goals/OKRs bind key results to KPIs): [`get`] and
//! [`get_by_code`] (a KPI the actor may see), [`period_status`] (its value, target and status
//! for a period) and [`series`] (every period).
use crate::kpi::formula::{self, Expr};
use crate::kpi::model::{Computed, Kpi, KpiInput, KpiPatch, KpiValues, Rag, Target, scope_str};
use crate::kpi::series::{KpiSeries, PeriodStatus, period_status as status_of};
use crate::kpi::store::{self, ActionRow, StoredPoint, Where};
use analytics::analysis::{Analysis, AnalysisOptions, analyze};
use analytics::{Granularity, Period};
use db::idempotency::Idem;
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::policy::{KpiScope, KpiVisibility};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

/// The zone periods are cut in (Asia/Shanghai), as for tasks.
pub const OFFSET_HOURS: i8 = 8;
/// Periods before and after an action that its before/after compares.
pub const EFFECT_PERIODS: i32 = 3;
/// Most data points in one push or import.
pub const MAX_POINTS: usize = 5_000;
/// The source of values typed into the actuals grid.
pub const MANUAL: &str = "manual";
/// The source of values the refresh job computes from opsdesk's own data.
pub const OPSDESK: &str = "opsdesk";

fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

fn today_day(now_ms: i64) -> i32 {
    let d = kernel::dates::format_date(kernel::dates::date_of(now_ms, OFFSET_HOURS));
    analytics::calendar::parse_ymd(d.as_bytes()).unwrap_or(0)
}

// ---------------------------------------------------------------- reading

/// A KPI the actor may see.
pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Kpi> {
    let mut tx = db.read().await?;
    visible(&mut tx, ctx, id).await
}

/// A KPI the actor may see, by its code.
pub async fn get_by_code(db: &Db, ctx: &Ctx, code: &str) -> AppResult<Kpi> {
    let mut tx = db.read().await?;
    store::get_by_code(&mut tx, &ctx.actor.kpi_visibility(), code)
        .await?
        .ok_or(AppError::NotFound)
}

async fn visible(tx: &mut Tx, ctx: &Ctx, id: i64) -> AppResult<Kpi> {
    store::get(tx, &ctx.actor.kpi_visibility(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// List filters.
#[derive(Debug, Clone, Default)]
pub struct KpiFilter {
    pub scope: Option<String>,
    pub department_id: Option<i64>,
    /// Only KPIs the caller owns.
    pub mine: bool,
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

/// The visible KPIs, by code, one page.
pub async fn list(db: &Db, ctx: &Ctx, f: &KpiFilter) -> AppResult<Page<Kpi>> {
    let mut c = Checks::new();
    if let Some(s) = &f.scope
        && crate::kpi::model::parse_scope(s).is_none()
    {
        c.push("scope", "invalid", "must be company, department or person");
    }
    c.finish()?;
    let limit = clamp_limit(f.limit);
    let after = match f.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?
                .0,
        ),
        None => None,
    };
    let w = Where {
        scope: f.scope.clone(),
        department_id: f.department_id,
        owner_person_id: if f.mine {
            Some(ctx.actor.person_id.unwrap_or(-1))
        } else {
            None
        },
        q: f.q.clone(),
    };
    let mut tx = db.read().await?;
    let mut items = store::list(
        &mut tx,
        &ctx.actor.kpi_visibility(),
        &w,
        after.as_deref(),
        limit + 1,
    )
    .await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|k| encode_cursor(&k.code, k.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The KPI's value per period: its own points rolled up, or its formula over its inputs (read
/// for the whole company: a formula's inputs are part of its definition).
pub async fn series_of(tx: &mut Tx, kpi: &Kpi) -> AppResult<KpiSeries> {
    let g = kpi.granularity();
    let Some(f) = &kpi.formula else {
        let pts = store::points(tx, kpi.id).await?;
        return Ok(KpiSeries::from_points(kpi.aggregation, g, &pts));
    };
    // Load the input graph breadth-first; cycles were refused at save, the depth cap is a guard.
    let mut exprs: HashMap<String, Expr> = HashMap::new();
    let mut plain: HashMap<String, KpiSeries> = HashMap::new();
    let root = formula::parse(f).map_err(|e| AppError::Internal(format!("stored formula: {e}")))?;
    let mut frontier: Vec<String> = root.refs().into_iter().collect();
    let mut depth = 0;
    while !frontier.is_empty() && depth < 32 {
        depth += 1;
        let mut next = Vec::new();
        for code in frontier {
            if exprs.contains_key(&code) || plain.contains_key(&code) {
                continue;
            }
            let Some(k) = store::get_by_code(tx, &KpiVisibility::All, &code).await? else {
                continue;
            };
            match &k.formula {
                Some(kf) => {
                    let e = formula::parse(kf)
                        .map_err(|e| AppError::Internal(format!("stored formula: {e}")))?;
                    next.extend(e.refs());
                    exprs.insert(code, e);
                }
                None => {
                    let pts = store::points(tx, k.id).await?;
                    plain.insert(code, KpiSeries::from_points(k.aggregation, g, &pts));
                }
            }
        }
        frontier = next;
    }
    // Evaluate formula inputs once all of their own inputs are known (a topological order).
    let mut pending: Vec<String> = exprs.keys().cloned().collect();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|code| {
            let e = &exprs[code];
            if e.refs()
                .iter()
                .all(|r| plain.contains_key(r) || !exprs.contains_key(r))
            {
                let s = KpiSeries::from_formula(e, g, &plain);
                plain.insert(code.clone(), s);
                false
            } else {
                true
            }
        });
        if pending.len() == before {
            break;
        }
    }
    Ok(KpiSeries::from_formula(&root, g, &plain))
}

async fn targets_map(tx: &mut Tx, kpi_id: i64) -> AppResult<HashMap<String, Target>> {
    Ok(store::targets(tx, kpi_id)
        .await?
        .into_iter()
        .map(|t| (t.period.clone(), t))
        .collect())
}

/// Parses a period label at the KPI's frequency (a date names the period containing it).
pub fn parse_period(kpi: &Kpi, label: &str) -> Option<Period> {
    Period::parse(kpi.granularity(), label)
}

/// The value, target and status of one period of a KPI the actor may see.
pub async fn period_status(db: &Db, ctx: &Ctx, id: i64, period: &str) -> AppResult<PeriodStatus> {
    let mut tx = db.read().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    let p = parse_period(&kpi, period).ok_or_else(|| {
        AppError::field(
            "period",
            "invalid_period",
            format!("not a {} period", kpi.frequency.as_str()),
        )
    })?;
    let s = series_of(&mut tx, &kpi).await?;
    let t = targets_map(&mut tx, kpi.id).await?;
    Ok(status_of(&kpi, &s, &t, p))
}

/// Every period of the KPI from its first value (or target) to its last, with status.
pub async fn series(db: &Db, ctx: &Ctx, id: i64) -> AppResult<(Kpi, Vec<PeriodStatus>)> {
    let mut tx = db.read().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    let s = series_of(&mut tx, &kpi).await?;
    let t = targets_map(&mut tx, kpi.id).await?;
    Ok((kpi.clone(), rows(&kpi, &s, &t, ctx.now_ms)))
}

/// The latest period with a value (else the latest period) of a KPI the caller already read
/// under the policy (the library page's status column).
pub async fn latest_status(db: &Db, kpi: &Kpi, now_ms: i64) -> AppResult<Option<PeriodStatus>> {
    let mut tx = db.read().await?;
    let s = series_of(&mut tx, kpi).await?;
    let t = targets_map(&mut tx, kpi.id).await?;
    let all = rows(kpi, &s, &t, now_ms);
    Ok(all
        .iter()
        .rev()
        .find(|p| p.value.is_some())
        .or(all.last())
        .cloned())
}

fn rows(kpi: &Kpi, s: &KpiSeries, t: &HashMap<String, Target>, now_ms: i64) -> Vec<PeriodStatus> {
    let g = kpi.granularity();
    let target_idx = t
        .keys()
        .filter_map(|l| Period::parse(g, l))
        .map(|p| p.index);
    let data = (!s.values.is_empty()).then(|| (s.start, s.start + s.values.len() as i32 - 1));
    let lo = target_idx.clone().chain(data.map(|d| d.0)).min();
    // Targets set ahead (a whole year's grid) are not periods yet: stop at the later of the last
    // value and the current period.
    let now = g.index_of(today_day(now_ms));
    let hi = target_idx
        .chain(data.map(|d| d.1))
        .max()
        .map(|h| h.min(now.max(data.map_or(now, |d| d.1))));
    let (Some(lo), Some(hi)) = (lo, hi) else {
        return Vec::new();
    };
    (lo..=hi)
        .map(|i| {
            status_of(
                kpi,
                s,
                t,
                Period {
                    granularity: g,
                    index: i,
                },
            )
        })
        .collect()
}

/// Everything the KPI page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub kpi: Kpi,
    /// Every period with value, target and status.
    pub periods: Vec<PeriodStatus>,
    /// 同比/环比, moving mean, anomalies with explanations, forecast with its error on history.
    #[schema(value_type = Object)]
    pub analysis: Analysis,
    /// For daily data: the month of the last value projected to its end with the same forecast.
    pub projection: Option<MonthEnd>,
    pub actions: Vec<Action>,
}

/// The JSON form of [`Overview`] (`GET /api/v1/kpis/{id}/overview`): one row per period with its
/// status and analysis together, instead of the page's two parallel lists whose comparisons
/// repeat each period's label and value three times, and the forecast without its fitted values
/// (one per period of history). For three years of daily data that is a third of the bytes,
/// which is where the API's time went: encoding them, sending them and the client parsing them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverviewDoc {
    pub kpi: Kpi,
    pub periods: Vec<OverviewPeriod>,
    /// The anomaly method and the flagged periods with their explanation.
    #[schema(value_type = Object)]
    pub anomalies: analytics::anomaly::AnomalyReport,
    /// The forecast: method, parameters, error on history and the next periods.
    pub forecast: Option<ForecastDoc>,
    /// Why there is no forecast, if there is none.
    pub forecast_note: Option<String>,
    pub projection: Option<MonthEnd>,
    pub actions: Vec<Action>,
}

/// One period of the overview: value, target, status, and the analysis of the value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverviewPeriod {
    pub period: String,
    pub value: Option<f64>,
    /// Why `value` is missing (no data, division by zero in the formula, …); absent when it is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_value_reason: Option<String>,
    pub target: Option<f64>,
    /// Upper edge of the band (band KPIs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_high: Option<f64>,
    pub status: Option<Rag>,
    pub achievement: Option<f64>,
    /// 环比: `(value - previous) / |previous|`.
    pub period_over_period: Option<f64>,
    /// 同比: `(value - same period a year before) / |that value|`.
    pub year_over_year: Option<f64>,
    pub moving_mean: Option<f64>,
    pub anomaly: bool,
}

/// A forecast as the API shows it (see [`analytics::forecast::Forecast`]).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ForecastDoc {
    /// The method in words, with its parameters.
    pub description: String,
    /// `naive`, `simple_exponential_smoothing`, `damped_trend` or `holt_winters_damped`.
    #[schema(value_type = String)]
    pub method: analytics::forecast::Method,
    #[schema(value_type = Object)]
    pub params: analytics::forecast::Params,
    pub season: usize,
    /// One-step error on history (`mae`, `rmse`, `mape`); `null` with too few values.
    #[schema(value_type = Option<Object>)]
    pub history_error: Option<analytics::forecast::HistoryError>,
    #[schema(value_type = Vec<Object>)]
    pub points: Vec<analytics::forecast::ForecastPoint>,
}

impl Overview {
    /// The API's form of the overview (the page reads the full analysis).
    pub fn doc(self) -> OverviewDoc {
        let analysis: HashMap<String, analytics::analysis::PeriodRow> = self
            .analysis
            .periods
            .into_iter()
            .map(|r| (r.period.clone(), r))
            .collect();
        let periods = self
            .periods
            .into_iter()
            .map(|p| {
                let a = analysis.get(&p.period);
                OverviewPeriod {
                    period_over_period: a.and_then(|a| a.period_over_period.ratio),
                    year_over_year: a.and_then(|a| a.year_over_year.ratio),
                    moving_mean: a.and_then(|a| a.moving_mean),
                    anomaly: a.is_some_and(|a| a.anomaly),
                    period: p.period,
                    value: p.value,
                    no_value_reason: p.no_value_reason,
                    target: p.target,
                    target_high: p.target_high,
                    status: p.status,
                    achievement: p.achievement,
                }
            })
            .collect();
        OverviewDoc {
            kpi: self.kpi,
            periods,
            anomalies: self.analysis.anomalies,
            forecast: self.analysis.forecast.map(|f| ForecastDoc {
                description: f.description,
                method: f.method,
                params: f.params,
                season: f.season,
                history_error: f.history_error,
                points: f.points,
            }),
            forecast_note: self.analysis.forecast_note,
            projection: self.projection,
            actions: self.actions,
        }
    }
}

/// A daily KPI's month projected to its end: the actuals so far and the forecast of the
/// remaining days, combined with the KPI's aggregation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MonthEnd {
    /// `YYYY-MM`.
    pub period: String,
    pub remaining_days: usize,
    pub actual_so_far: f64,
    pub projected: f64,
}

/// The KPI page's data: periods, analysis, forecast and actions.
pub async fn overview(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Overview> {
    let mut tx = db.read().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    let s = series_of(&mut tx, &kpi).await?;
    let t = targets_map(&mut tx, kpi.id).await?;
    let actions = actions_of(&mut tx, &kpi, &s).await?;
    let periods = rows(&kpi, &s, &t, ctx.now_ms);
    let ps = s.to_period_series();
    let window = match kpi.granularity() {
        Granularity::Day => 7,
        Granularity::Week => 4,
        _ => 3,
    };
    // Daily KPIs forecast to the end of the month of their last value (one model fit serves
    // the forecast and the month-end projection; fitting is the page's largest cost).
    let month_left = match (kpi.granularity(), ps.is_empty()) {
        (Granularity::Day, false) => {
            let last = ps.start + ps.len() as i32 - 1;
            Some((Granularity::Month.period_of(last), last))
        }
        _ => None,
    };
    let horizon = month_left.map_or(3, |(m, last)| ((m.end() - last) as usize).max(1));
    let analysis = analyze(
        &ps,
        AnalysisOptions {
            window,
            horizon,
            threshold: 3.5,
        },
    );
    let projection = match (month_left, kpi.aggregation.agg(), &analysis.forecast) {
        (Some((month, last)), Some(agg), Some(f)) => {
            let from = (month.start() - ps.start).max(0) as usize;
            let actual: Vec<f64> = ps.values[from..]
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect();
            let remaining = (month.end() - last) as usize;
            let mut combined = actual.clone();
            combined.extend(f.points.iter().take(remaining).map(|p| p.value));
            Some(MonthEnd {
                period: month.label(),
                remaining_days: remaining,
                actual_so_far: agg.apply(&actual),
                projected: agg.apply(&combined),
            })
        }
        _ => None,
    };
    Ok(Overview {
        kpi,
        periods,
        analysis,
        projection,
        actions,
    })
}

// ---------------------------------------------------------------- defining KPIs

async fn check_refs(
    tx: &mut Tx,
    c: &mut Checks,
    v: &mut KpiValues,
    expr: Option<&Expr>,
    id: Option<i64>,
) -> AppResult<()> {
    if store::code_taken(tx, &v.code, id).await? {
        c.push("code", "taken", "another KPI has this code");
    }
    if let Some(d) = v.department_id
        && v.scope == KpiScope::Department
        && !store::department_exists(tx, d).await?
    {
        c.push("department_id", "not_found", "no such department");
    }
    if v.scope == KpiScope::Person
        && let Some(p) = v.person_id
    {
        match store::person_department(tx, p).await? {
            None => c.push("person_id", "not_found", "no such person"),
            // A person KPI belongs to the person's department for the policy.
            Some(d) => v.department_id = d,
        }
    }
    if let Some(o) = v.owner_person_id
        && store::person_department(tx, o).await?.is_none()
    {
        c.push("owner_person_id", "not_found", "no such person");
    }
    if let Some(e) = expr {
        let refs: Vec<String> = e.refs().into_iter().collect();
        let known: BTreeSet<String> = store::ids_of_codes(tx, &refs)
            .await?
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        let unknown: Vec<&str> = refs
            .iter()
            .filter(|r| !known.contains(*r) && **r != v.code)
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            c.push(
                "formula",
                "unknown_kpi",
                format!("no KPI with the code {}", unknown.join(", ")),
            );
        }
        let mut graph: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (kid, code, f) in store::formulas(tx).await? {
            if Some(kid) == id {
                continue;
            }
            if let Ok(fe) = formula::parse(&f) {
                graph.insert(code, fe.refs());
            }
        }
        graph.insert(v.code.clone(), e.refs());
        if let Some(path) = formula::find_cycle(&v.code, &graph)
            && path.len() > 2
        {
            c.push(
                "formula",
                "cycle",
                format!("the formula would make a cycle: {}", path.join(" → ")),
            );
        }
    }
    Ok(())
}

fn facts_of(v: &KpiValues) -> kernel::policy::KpiFacts {
    kernel::policy::KpiFacts {
        scope: v.scope,
        department_id: v.department_id,
        person_id: v.person_id,
        owner_person_id: v.owner_person_id,
    }
}

/// Defines a KPI (with `idem`, a retried request replays the first creation).
pub async fn create(db: &Db, ctx: &Ctx, input: &KpiInput, idem: Option<&Idem>) -> AppResult<Kpi> {
    let mut tx = db.write().await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let k = visible(&mut tx, ctx, id).await?;
        tx.commit().await?;
        return Ok(k);
    }
    let mut c = Checks::new();
    let mut v = KpiValues::from_input(input);
    let expr = v.validate(&mut c);
    check_refs(&mut tx, &mut c, &mut v, expr.as_ref(), None).await?;
    if c.is_empty() && !ctx.actor.can_manage_kpi(&facts_of(&v)) {
        return Err(AppError::Forbidden("define KPIs for that scope"));
    }
    c.finish()?;
    let id = store::insert(&mut tx, &v, ctx.user_id(), ctx.now_ms).await?;
    let k = store::get(&mut tx, &KpiVisibility::All, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(&mut tx, ctx, "kpi.create", "kpi", Some(id), None, json(&k)).await?;
    db::idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/kpis/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(k)
}

/// Changes a KPI's definition (optimistic on `expected_version`).
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &KpiPatch,
) -> AppResult<Kpi> {
    let mut tx = db.write().await?;
    let before = visible(&mut tx, ctx, id).await?;
    if !ctx.actor.can_manage_kpi(&before.facts()) {
        return Err(AppError::Forbidden("change this KPI"));
    }
    let mut c = Checks::new();
    let mut v = KpiValues::from_kpi(&before).apply(patch);
    let expr = v.validate(&mut c);
    check_refs(&mut tx, &mut c, &mut v, expr.as_ref(), Some(id)).await?;
    if v.code != before.code {
        let users = store::used_by(&mut tx, &before.code).await?;
        if !users.is_empty() {
            c.push(
                "code",
                "in_use",
                format!("formulas use this code: {}", users.join(", ")),
            );
        }
    }
    if c.is_empty() && !ctx.actor.can_manage_kpi(&facts_of(&v)) {
        return Err(AppError::Forbidden("move this KPI to that scope"));
    }
    c.finish()?;
    if store::update(&mut tx, id, expected_version, &v, ctx.user_id(), ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get(&mut tx, &KpiVisibility::All, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "kpi.update",
        "kpi",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What still uses a KPI. While anything does, the KPI cannot be deleted: formulas would lose an
/// input, key results would silently lose their binding (the column is `ON DELETE SET NULL`) and
/// scorecards would silently lose a weighted item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Usage {
    /// Codes of the formula KPIs that read this one (formulas are company-wide definitions).
    pub formulas: Vec<String>,
    /// Key results bound to the KPI (a count: the caller may not see those goals).
    pub key_results: i64,
    /// Scorecards that weigh the KPI (a count, for the same reason).
    pub scorecards: i64,
}

impl Usage {
    pub fn is_empty(&self) -> bool {
        self.formulas.is_empty() && self.key_results == 0 && self.scorecards == 0
    }

    /// The refusal as one sentence for the API's problem detail.
    pub fn reason(&self) -> String {
        let mut parts = Vec::new();
        if !self.formulas.is_empty() {
            parts.push(format!(
                "formulas use this KPI: {}",
                self.formulas.join(", ")
            ));
        }
        if self.key_results > 0 {
            parts.push(format!(
                "{} key result(s) are bound to it",
                self.key_results
            ));
        }
        if self.scorecards > 0 {
            parts.push(format!("{} scorecard(s) weigh it", self.scorecards));
        }
        parts.join("; ")
    }
}

async fn usage_in(tx: &mut Tx, kpi: &Kpi) -> AppResult<Usage> {
    let formulas = store::used_by(tx, &kpi.code).await?;
    let (key_results, scorecards) = store::bound_elsewhere(tx, kpi.id).await?;
    Ok(Usage {
        formulas,
        key_results,
        scorecards,
    })
}

/// A KPI the actor may delete, with what still uses it (the delete page shows the refusal
/// before the user tries).
pub async fn usage(db: &Db, ctx: &Ctx, id: i64) -> AppResult<(Kpi, Usage)> {
    let mut tx = db.read().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    if !ctx.actor.can_manage_kpi(&kpi.facts()) {
        return Err(AppError::Forbidden("delete this KPI"));
    }
    let usage = usage_in(&mut tx, &kpi).await?;
    Ok((kpi, usage))
}

/// The KPI's audit entries (definition, targets, points, actions), newest first, for a caller
/// who may see the KPI.
pub async fn history(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Vec<db::audit::HistoryEntry>> {
    let mut tx = db.read().await?;
    visible(&mut tx, ctx, id).await?;
    Ok(db::audit::history(&mut tx, "kpi", id, 500).await?)
}

/// Deletes a KPI with its targets, points and alerts (refused while anything uses it, see
/// [`Usage`]).
pub async fn delete(db: &Db, ctx: &Ctx, id: i64, expected_version: i64) -> AppResult<()> {
    let mut tx = db.write().await?;
    let before = visible(&mut tx, ctx, id).await?;
    if !ctx.actor.can_manage_kpi(&before.facts()) {
        return Err(AppError::Forbidden("delete this KPI"));
    }
    let usage = usage_in(&mut tx, &before).await?;
    if !usage.is_empty() {
        return Err(AppError::Conflict(usage.reason()));
    }
    if store::delete(&mut tx, id, expected_version).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "kpi.delete",
        "kpi",
        Some(id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- targets

/// One cell of a targets grid: `target: None` removes the period's target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetCell {
    pub period: String,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub target_high: Option<f64>,
}

pub async fn targets(db: &Db, ctx: &Ctx, id: i64) -> AppResult<(Kpi, Vec<Target>)> {
    let mut tx = db.read().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    let t = store::targets(&mut tx, id).await?;
    Ok((kpi, t))
}

/// Sets (or clears) targets for the given periods; all or nothing. Bumps the KPI's version.
pub async fn set_targets(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    cells: &[TargetCell],
) -> AppResult<Kpi> {
    let mut tx = db.write().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    if !ctx.actor.can_manage_kpi(&kpi.facts()) {
        return Err(AppError::Forbidden("set this KPI's targets"));
    }
    let mut c = Checks::new();
    let band = kpi.direction == crate::kpi::model::Direction::Band;
    let mut clean = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        let field = |f: &str| format!("items[{i}].{f}");
        let Some(p) = parse_period(&kpi, &cell.period) else {
            c.push(
                &field("period"),
                "invalid_period",
                format!(
                    "{:?} is not a {} period",
                    cell.period,
                    kpi.frequency.as_str()
                ),
            );
            continue;
        };
        for (f, v) in [("target", cell.target), ("target_high", cell.target_high)] {
            if v.is_some_and(|x| !x.is_finite()) {
                c.push(&field(f), "invalid", "must be a finite number");
            }
        }
        if band
            && let (Some(lo), Some(hi)) = (cell.target, cell.target_high)
            && hi < lo
        {
            c.push(
                &field("target_high"),
                "out_of_range",
                "the top of the band must be at least its bottom",
            );
        }
        if band && cell.target.is_some() && cell.target_high.is_none() {
            c.push(
                &field("target_high"),
                "required",
                "a band KPI needs the top of the band",
            );
        }
        clean.push((p.label(), cell.target, cell.target_high.filter(|_| band)));
    }
    c.finish()?;
    let before = store::targets(&mut tx, id).await?;
    for (period, target, high) in &clean {
        match target {
            Some(t) => {
                let row = Target {
                    period: period.clone(),
                    target: *t,
                    target_high: *high,
                };
                store::upsert_target(&mut tx, id, &row, ctx.user_id(), ctx.now_ms).await?;
            }
            None => {
                store::delete_target(&mut tx, id, period).await?;
            }
        }
    }
    if store::touch(&mut tx, id, expected_version, ctx.user_id(), ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::targets(&mut tx, id).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "kpi.targets",
        "kpi",
        Some(id),
        Some(serde_json::json!({ "targets": before })),
        Some(serde_json::json!({ "targets": after })),
    )
    .await?;
    let kpi = store::get(&mut tx, &KpiVisibility::All, id)
        .await?
        .ok_or(AppError::NotFound)?;
    evaluate_in(&mut tx, &kpi, ctx.now_ms).await?;
    tx.commit().await?;
    Ok(kpi)
}

// ---------------------------------------------------------------- actuals

/// One data point as pushed: a date (or a period label, meaning its first day), a value and,
/// for ratio KPIs, the denominator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointInput {
    /// `YYYY-MM-DD`, or a period label at the KPI's frequency (`2026-03`, `2026-Q1`, `2026-W09`).
    pub period: String,
    /// `null` removes the source's point for this period.
    pub value: Option<f64>,
    #[serde(default)]
    pub denominator: Option<f64>,
}

/// What a push did. Pushing the same points again changes nothing (`unchanged`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PushResult {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deleted: usize,
}

/// The day a pushed period means: a date is itself; a period label is its first day.
fn point_day(kpi: &Kpi, period: &str) -> Option<String> {
    let p = period.trim();
    if analytics::calendar::parse_ymd(p.as_bytes()).is_some() {
        return Some(p.to_string());
    }
    parse_period(kpi, p).map(|x| analytics::calendar::format_ymd(x.start()))
}

/// Records data points from `source`, keyed by (KPI, period, source): sending the same point
/// again is a no-op, a new value replaces the old one. All or nothing. Then re-evaluates the
/// KPI's status (and tells its owner and manager when it turned red).
pub async fn push_points(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    source: &str,
    points: &[PointInput],
) -> AppResult<PushResult> {
    let mut tx = db.write().await?;
    let r = push_in(&mut tx, ctx, id, source, points).await?;
    tx.commit().await?;
    Ok(r)
}

/// [`push_points`] inside the caller's write transaction (imports write many KPIs in one).
pub async fn push_in(
    tx: &mut Tx,
    ctx: &Ctx,
    id: i64,
    source: &str,
    points: &[PointInput],
) -> AppResult<PushResult> {
    let kpi = visible(tx, ctx, id).await?;
    if !ctx.actor.can_record_kpi(&kpi.facts()) {
        return Err(AppError::Forbidden("record this KPI's actuals"));
    }
    let mut c = Checks::new();
    let source = c.text("source", source, true, crate::kpi::model::MAX_SOURCE);
    if source == OPSDESK {
        c.push(
            "source",
            "reserved",
            "this source is reserved for values opsdesk computes",
        );
    }
    if kpi.formula.is_some() || kpi.computed.is_some() {
        c.push(
            "points",
            "not_measured",
            "this KPI is computed; it takes no data points",
        );
    }
    if points.is_empty() || points.len() > MAX_POINTS {
        c.push(
            "points",
            "out_of_range",
            format!("send between 1 and {MAX_POINTS} points"),
        );
    }
    let ratio = kpi.aggregation == crate::kpi::model::Aggregation::Ratio;
    // (day, value and denominator; `None` removes the point)
    type Cell = (String, Option<(f64, Option<f64>)>);
    let mut clean: Vec<Cell> = Vec::with_capacity(points.len());
    let mut seen = BTreeSet::new();
    for (i, p) in points.iter().enumerate() {
        let field = |f: &str| format!("points[{i}].{f}");
        let Some(day) = point_day(&kpi, &p.period) else {
            c.push(
                &field("period"),
                "invalid_period",
                format!(
                    "{:?} is not a date (YYYY-MM-DD) or a {} period",
                    p.period,
                    kpi.frequency.as_str()
                ),
            );
            continue;
        };
        if !seen.insert(day.clone()) {
            c.push(&field("period"), "duplicate", "this period is sent twice");
        }
        if p.value.is_some_and(|v| !v.is_finite()) {
            c.push(&field("value"), "invalid", "must be a finite number");
        }
        if ratio && p.value.is_some() && p.denominator.is_none() {
            c.push(
                &field("denominator"),
                "required",
                "a ratio KPI needs the denominator",
            );
        }
        if p.denominator.is_some_and(|v| !v.is_finite() || v < 0.0) {
            c.push(
                &field("denominator"),
                "invalid",
                "must be a number of 0 or more",
            );
        }
        clean.push((day, p.value.map(|v| (v, p.denominator.filter(|_| ratio)))));
    }
    c.finish()?;
    let mut r = PushResult::default();
    for (day, v) in &clean {
        let old = store::point(tx, id, day, &source).await?;
        match (old, v) {
            (None, None) => r.unchanged += 1,
            (Some(_), None) => {
                store::delete_point(tx, id, day, &source).await?;
                r.deleted += 1;
            }
            (Some(o), Some(n)) if o == *n => r.unchanged += 1,
            (old, Some((value, denominator))) => {
                let p = StoredPoint {
                    day: day.clone(),
                    source: source.clone(),
                    value: *value,
                    denominator: *denominator,
                };
                store::upsert_point(tx, id, &p, ctx.user_id(), ctx.now_ms).await?;
                if old.is_some() {
                    r.updated += 1;
                } else {
                    r.inserted += 1;
                }
            }
        }
    }
    if r.inserted + r.updated + r.deleted > 0 {
        db::audit::log_change(
            tx,
            ctx,
            "kpi.points",
            "kpi",
            Some(id),
            None,
            Some(serde_json::json!({ "source": source, "points": points, "result": r })),
        )
        .await?;
        evaluate_in(tx, &kpi, ctx.now_ms).await?;
    }
    Ok(r)
}

/// The manual source's value per period (the actuals grid).
pub async fn manual_values(
    db: &Db,
    ctx: &Ctx,
    id: i64,
) -> AppResult<HashMap<String, (f64, Option<f64>)>> {
    let mut tx = db.read().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    let g = kpi.granularity();
    Ok(store::points(&mut tx, id)
        .await?
        .into_iter()
        .filter(|p| p.source == MANUAL)
        .filter_map(|p| {
            let d = analytics::calendar::parse_ymd(p.day.as_bytes())?;
            Some((g.period_of(d).label(), (p.value, p.denominator)))
        })
        .collect())
}

// ---------------------------------------------------------------- the loop: alerts

/// Re-evaluates the KPI's latest period with a value: when it is red, or the value is flagged
/// as an anomaly, its owner and the owner's manager are told — once per KPI, period and kind
/// (the alert row's primary key makes a second evaluation a no-op). Returns notifications sent.
pub async fn evaluate_in(tx: &mut Tx, kpi: &Kpi, now: i64) -> AppResult<usize> {
    let s = series_of(tx, kpi).await?;
    let Some(last) = s.last_with_value() else {
        return Ok(0);
    };
    let p = s.period(last);
    let t = targets_map(tx, kpi.id).await?;
    let st = status_of(kpi, &s, &t, p);
    let mut sent = 0;
    if st.status == Some(Rag::Red)
        && store::record_alert(tx, kpi.id, &st.period, "red", now).await?
    {
        let title = format!("KPI {} is red for {} · 指标红灯", kpi.code, st.period);
        let body = format!(
            "{} ({}): {} against the target {}",
            kpi.name,
            kpi.name_zh.as_deref().unwrap_or(&kpi.code),
            fmt_num(st.value),
            fmt_num(st.target)
        );
        sent += tell_owner_and_manager(tx, kpi, "kpi.red", &title, &body, now).await?;
    }
    let ps = s.to_period_series();
    let report = analytics::anomaly::detect_anomalies(
        &ps,
        &analytics::anomaly::AnomalyConfig::for_series(&ps),
    );
    if let Some(a) = report.anomalies.iter().find(|a| a.index == last)
        && store::record_alert(tx, kpi.id, &st.period, "anomaly", now).await?
    {
        let title = format!(
            "KPI {}: unusual value for {} · 指标异常",
            kpi.code, st.period
        );
        sent += tell_owner_and_manager(tx, kpi, "kpi.anomaly", &title, &a.explanation, now).await?;
    }
    Ok(sent)
}

fn fmt_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Some(x) => format!("{x:.2}"),
        None => "—".into(),
    }
}

async fn tell_owner_and_manager(
    tx: &mut Tx,
    kpi: &Kpi,
    kind: &str,
    title: &str,
    body: &str,
    now: i64,
) -> AppResult<usize> {
    let Some(owner) = kpi.owner_person_id else {
        return Ok(0);
    };
    let (own, manager) = store::person_and_manager_users(tx, owner).await?;
    let link = format!("/kpis/{}", kpi.id);
    let mut users: Vec<i64> = own.into_iter().chain(manager).collect();
    users.dedup();
    for u in &users {
        notify::notify(
            tx,
            *u,
            kind,
            title,
            body,
            Some(&link),
            Some("kpi"),
            Some(kpi.id),
            now,
        )
        .await?;
    }
    Ok(users.len())
}

/// The refresh job: recomputes the KPIs computed from opsdesk's data, then evaluates every KPI.
/// Returns the notifications sent.
pub async fn refresh_all(db: &Db, now: i64) -> AppResult<usize> {
    let mut tx = db.write().await?;
    let kpis = store::all(&mut tx).await?;
    for k in kpis.iter().filter(|k| k.computed.is_some()) {
        refresh_computed(&mut tx, k, now).await?;
    }
    let mut sent = 0;
    for k in &kpis {
        sent += evaluate_in(&mut tx, k, now).await?;
    }
    tx.commit().await?;
    Ok(sent)
}

/// The departments a computed KPI counts: its department's subtree, or everything.
async fn departments_of(tx: &mut Tx, k: &Kpi) -> AppResult<Option<Vec<i64>>> {
    Ok(match (k.scope, k.department_id) {
        (KpiScope::Company, _) | (_, None) => None,
        (_, Some(d)) => Some(team::service::department_subtree(tx, d).await?),
    })
}

/// Recomputes one computed KPI's points (source `opsdesk`) from the tasks table.
pub async fn refresh_computed(tx: &mut Tx, k: &Kpi, now: i64) -> AppResult<()> {
    let Some(comp) = k.computed else {
        return Ok(());
    };
    let depts = departments_of(tx, k).await?;
    let today = today_day(now);
    let mut points: Vec<StoredPoint> = Vec::new();
    match comp {
        Computed::TasksCompleted | Computed::OnTimeRate => {
            let done = store::done_tasks(tx, depts.as_deref()).await?;
            // Per completion day (Asia/Shanghai): completed, and completed on or before the due date.
            let mut by_day: std::collections::BTreeMap<i32, (f64, f64)> = Default::default();
            for (at, due) in done {
                let d = kernel::dates::format_date(kernel::dates::date_of(at, OFFSET_HOURS));
                let Some(day) = analytics::calendar::parse_ymd(d.as_bytes()) else {
                    continue;
                };
                let e = by_day.entry(day).or_default();
                match comp {
                    Computed::TasksCompleted => e.0 += 1.0,
                    _ => {
                        // Only tasks with a due date can be on time or late.
                        if let Some(due) = due {
                            e.1 += 1.0;
                            if d <= due {
                                e.0 += 1.0;
                            }
                        }
                    }
                }
            }
            for (day, (n, den)) in by_day {
                if comp == Computed::OnTimeRate && den == 0.0 {
                    continue;
                }
                points.push(StoredPoint {
                    day: analytics::calendar::format_ymd(day),
                    source: OPSDESK.into(),
                    value: n,
                    denominator: (comp == Computed::OnTimeRate).then_some(den),
                });
            }
        }
        Computed::OverdueTasks => {
            let today_s = analytics::calendar::format_ymd(today);
            let n = store::overdue_count(tx, depts.as_deref(), &today_s).await?;
            points.push(StoredPoint {
                day: today_s,
                source: OPSDESK.into(),
                value: n as f64,
                denominator: None,
            });
        }
    }
    // History of counts is rebuilt from the tasks; the overdue snapshot accumulates one per day.
    if comp != Computed::OverdueTasks {
        tx.execute(
            "DELETE FROM kpi_points WHERE kpi_id = $1 AND source = $2",
            &[k.id.into(), OPSDESK.into()],
        )
        .await?;
    }
    store::insert_points_bulk(tx, k.id, &points, now).await?;
    Ok(())
}

// ---------------------------------------------------------------- the loop: actions

/// An action taken on a KPI: a task, and once it is done, the metric before and after it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Action {
    pub id: i64,
    pub kpi_id: i64,
    pub task_id: Option<i64>,
    /// The period the action was opened in.
    pub period: String,
    pub created_at: i64,
    pub title: Option<String>,
    /// The task's status (`None` when the task was deleted).
    pub status: Option<String>,
    pub due_date: Option<String>,
    pub completed_at: Option<i64>,
    pub assignee_name: Option<String>,
    pub assignee_name_zh: Option<String>,
    pub effect: Option<Effect>,
}

/// Did it work: the mean of up to `EFFECT_PERIODS` periods before the action was opened against
/// the mean of up to as many periods after its task was done.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Effect {
    pub periods: i32,
    /// First and last period of each window.
    pub before_from: String,
    pub before_to: String,
    pub after_from: String,
    pub after_to: String,
    pub before_mean: Option<f64>,
    pub before_count: usize,
    pub after_mean: Option<f64>,
    pub after_count: usize,
    /// `after − before`.
    pub change: Option<f64>,
    /// Whether the change went the good way for the KPI's direction (band: not decided).
    pub improved: Option<bool>,
}

fn effect(kpi: &Kpi, s: &KpiSeries, row: &ActionRow) -> Option<Effect> {
    let done_at = row
        .completed_at
        .filter(|_| row.status.as_deref() == Some("done"))?;
    let g = kpi.granularity();
    let opened = Period::parse(g, &row.period)?;
    let done = g.period_of(today_day(done_at));
    let n = EFFECT_PERIODS;
    let (before_mean, before_count) = s.mean_between(opened.index - n, opened.index);
    let (after_mean, after_count) = s.mean_between(done.index + 1, done.index + 1 + n);
    let change = match (before_mean, after_mean) {
        (Some(b), Some(a)) => Some(a - b),
        _ => None,
    };
    let improved = change.and_then(|c| match kpi.direction {
        crate::kpi::model::Direction::Higher => Some(c > 0.0),
        crate::kpi::model::Direction::Lower => Some(c < 0.0),
        crate::kpi::model::Direction::Band => None,
    });
    Some(Effect {
        periods: n,
        before_from: opened.offset(-n).label(),
        before_to: opened.offset(-1).label(),
        after_from: done.offset(1).label(),
        after_to: done.offset(n).label(),
        before_mean,
        before_count,
        after_mean,
        after_count,
        change,
        improved,
    })
}

async fn actions_of(tx: &mut Tx, kpi: &Kpi, s: &KpiSeries) -> AppResult<Vec<Action>> {
    Ok(store::actions(tx, kpi.id)
        .await?
        .into_iter()
        .map(|r| Action {
            effect: effect(kpi, s, &r),
            id: r.id,
            kpi_id: r.kpi_id,
            task_id: r.task_id,
            period: r.period,
            created_at: r.created_at,
            title: r.title,
            status: r.status,
            due_date: r.due_date,
            completed_at: r.completed_at,
            assignee_name: r.assignee_name,
            assignee_name_zh: r.assignee_name_zh,
        })
        .collect())
}

/// The KPI's actions, newest first, with before/after for done ones.
pub async fn actions(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Vec<Action>> {
    let mut tx = db.read().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    let s = series_of(&mut tx, &kpi).await?;
    actions_of(&mut tx, &kpi, &s).await
}

/// "Open action" on a KPI: a task (through the work service, with its own policy, validation,
/// audit and assignee notification) linked to the KPI, in one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
}

pub async fn open_action(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &ActionInput,
    idem: Option<&Idem>,
) -> AppResult<Action> {
    let mut tx = db.write().await?;
    let kpi = visible(&mut tx, ctx, id).await?;
    if !ctx.actor.can_record_kpi(&kpi.facts()) {
        return Err(AppError::Forbidden("open actions on this KPI"));
    }
    if let Some(aid) = db::idempotency::replayed(&mut tx, idem).await? {
        tx.commit().await?;
        return actions(db, ctx, id)
            .await?
            .into_iter()
            .find(|a| a.id == aid)
            .ok_or(AppError::NotFound);
    }
    let task_input = work::model::TaskInput {
        title: input.title.clone(),
        description: Some(
            input
                .description
                .clone()
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| format!("Action on KPI {} ({})", kpi.code, kpi.name)),
        ),
        assignee_id: input.assignee_id,
        // The KPI's department when the caller may create tasks there; an owner elsewhere
        // acts in their own department.
        department_id: kpi
            .department_id
            .filter(|d| ctx.actor.can_create_task_in(Some(*d)))
            .or(ctx.actor.department_id)
            .or(kpi.department_id),
        status: work::model::Status::Todo,
        priority: work::model::Priority::High,
        due_date: input.due_date.clone(),
        estimate_hours: None,
    };
    let task = work::service::create_in(&mut tx, ctx, &task_input).await?;
    let g = kpi.granularity();
    let period = g.period_of(today_day(ctx.now_ms)).label();
    let aid =
        store::insert_action(&mut tx, kpi.id, task.id, &period, ctx.user_id(), ctx.now_ms).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "kpi.action",
        "kpi",
        Some(kpi.id),
        None,
        Some(serde_json::json!({ "action_id": aid, "task_id": task.id, "period": period })),
    )
    .await?;
    db::idempotency::remember(
        &mut tx,
        idem,
        201,
        aid,
        &format!("/api/v1/kpis/{id}/actions"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    actions(db, ctx, id)
        .await?
        .into_iter()
        .find(|a| a.id == aid)
        .ok_or(AppError::NotFound)
}

/// `company`, `department` or `person`, for pages.
pub fn scope_label(k: &Kpi) -> &'static str {
    scope_str(k.scope)
}
