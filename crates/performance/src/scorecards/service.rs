//! Scorecard use cases: compose (policy, validation, write + audit in one transaction) and score
//! for a period with history. KPI values come from the KPI library (`crate::kpi`): a scorecard
//! shows its KPIs' numbers to everyone who may see the scorecard (its composer could see each KPI
//! when adding it); the drill-down link opens the KPI page under the KPI's own policy.
use super::model::{
    HISTORY, ItemResult, Scorecard, ScorecardInput, ScorecardPatch, ScorecardResult,
    ScorecardValues, score,
};
use super::store;
use crate::goals::model::{Cycle, CycleKind, Level};
use crate::goals::service::today_of;
use crate::kpi::model::Target;
use db::idempotency::Idem;
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::policy::{GoalFacts, GoalVisibility, KpiVisibility};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx, Role};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

async fn reports(tx: &mut Tx, ctx: &Ctx) -> AppResult<Vec<i64>> {
    match (ctx.actor.role, ctx.actor.person_id) {
        (Role::Manager, Some(p)) => Ok(crate::goals::store::reports_of(tx, p).await?),
        _ => Ok(Vec::new()),
    }
}

async fn load(tx: &mut Tx, ctx: &Ctx, id: i64) -> AppResult<(Scorecard, Vec<i64>)> {
    let r = reports(tx, ctx).await?;
    let s = store::get(tx, &ctx.actor.goal_visibility(&r), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((s, r))
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Scorecard> {
    let mut tx = db.read().await?;
    Ok(load(&mut tx, ctx, id).await?.0)
}

/// Whether the caller may change the scorecard (for pages).
pub async fn can_edit(db: &Db, ctx: &Ctx, s: &Scorecard) -> AppResult<bool> {
    let mut tx = db.read().await?;
    let r = reports(&mut tx, ctx).await?;
    Ok(ctx.actor.can_edit_scorecard(&s.facts(), &r))
}

pub async fn list(
    db: &Db,
    ctx: &Ctx,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Scorecard>> {
    let limit = clamp_limit(limit);
    let after = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            decode_cursor(c)
                .map(|(_, id)| id)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?,
        ),
    };
    let mut tx = db.read().await?;
    let r = reports(&mut tx, ctx).await?;
    let mut items = store::list(&mut tx, &ctx.actor.goal_visibility(&r), after, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|s| encode_cursor("scorecard", s.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Resolves the person's department (the scorecard sits there for the policy) and checks the
/// references and that the caller may see every KPI they put on it.
async fn check_refs(
    tx: &mut Tx,
    ctx: &Ctx,
    c: &mut Checks,
    v: &mut ScorecardValues,
) -> AppResult<()> {
    if v.scope == Level::Person
        && let Some(p) = v.person_id
    {
        match crate::goals::store::person_facts(tx, p).await? {
            None => c.push("person_id", "not_found", "no such person"),
            Some(f) => v.department_id = f.department_id,
        }
    }
    if v.scope == Level::Department
        && let Some(d) = v.department_id
        && !crate::goals::store::department_exists(tx, d).await?
    {
        c.push("department_id", "not_found", "no such department");
    }
    let vis = ctx.actor.kpi_visibility();
    for (i, (kpi, _)) in v.items.iter().enumerate() {
        if crate::kpi::store::get(tx, &vis, *kpi).await?.is_none() {
            c.push(&format!("items[{i}].kpi_id"), "not_found", "no such KPI");
        }
    }
    Ok(())
}

fn facts(v: &ScorecardValues) -> GoalFacts {
    GoalFacts {
        company: v.scope == Level::Company,
        department_id: v.department_id,
        owner_id: v.person_id,
    }
}

pub async fn create(
    db: &Db,
    ctx: &Ctx,
    input: &ScorecardInput,
    idem: Option<&Idem>,
) -> AppResult<Scorecard> {
    if !matches!(ctx.actor.role, Role::Admin | Role::Manager) {
        return Err(AppError::Forbidden("compose scorecards"));
    }
    let mut tx = db.write().await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let (s, _) = load(&mut tx, ctx, id).await?;
        tx.commit().await?;
        return Ok(s);
    }
    let mut c = Checks::new();
    let mut v = ScorecardValues::from_input(input).validate(&mut c);
    check_refs(&mut tx, ctx, &mut c, &mut v).await?;
    let r = reports(&mut tx, ctx).await?;
    if !ctx.actor.can_edit_scorecard(&facts(&v), &r) {
        return Err(AppError::Forbidden("compose a scorecard for that scope"));
    }
    c.finish()?;
    let id = store::insert(&mut tx, &v, ctx.user_id(), ctx.now_ms).await?;
    let s = store::get(&mut tx, &GoalVisibility::All, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "scorecard.create",
        "scorecard",
        Some(id),
        None,
        json(&s),
    )
    .await?;
    db::idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/scorecards/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &ScorecardPatch,
) -> AppResult<Scorecard> {
    let mut tx = db.write().await?;
    let (before, r) = load(&mut tx, ctx, id).await?;
    if !ctx.actor.can_edit_scorecard(&before.facts(), &r) {
        return Err(AppError::Forbidden("change this scorecard"));
    }
    let mut c = Checks::new();
    let mut v = ScorecardValues::from_scorecard(&before)
        .apply(patch)
        .validate(&mut c);
    check_refs(&mut tx, ctx, &mut c, &mut v).await?;
    c.finish()?;
    if store::update(&mut tx, id, expected_version, &v, ctx.user_id(), ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get(&mut tx, &GoalVisibility::All, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "scorecard.update",
        "scorecard",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete(db: &Db, ctx: &Ctx, id: i64, expected_version: i64) -> AppResult<()> {
    let mut tx = db.write().await?;
    let (before, r) = load(&mut tx, ctx, id).await?;
    if !ctx.actor.can_edit_scorecard(&before.facts(), &r) {
        return Err(AppError::Forbidden("delete this scorecard"));
    }
    if store::delete(&mut tx, id, expected_version).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "scorecard.delete",
        "scorecard",
        Some(id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The score of one period in the history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HistoryPoint {
    pub period: String,
    pub score: Option<f64>,
    pub coverage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ScorecardReport {
    pub scorecard: Scorecard,
    pub result: ScorecardResult,
    /// Oldest first, ending with `result.period`.
    pub history: Vec<HistoryPoint>,
}

/// The period a scorecard is read for: a month (`2026-11`), two months (`2026-B6`), a quarter
/// (`2026-Q4`) or a year (`2026`); the current month by default.
pub fn parse_period(ctx: &Ctx, label: Option<&str>) -> AppResult<Cycle> {
    match label.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Cycle::containing(CycleKind::Monthly, today_of(ctx.now_ms))),
        Some(l) => Cycle::parse(l).ok_or_else(|| {
            AppError::field(
                "period",
                "invalid_cycle",
                "must be a period such as 2026-11, 2026-Q4 or 2026",
            )
        }),
    }
}

/// Scores the scorecard for `period` and the periods before it. Each KPI is read at its own
/// frequency for the period containing the scorecard period's last day (or today, while the
/// period runs): a monthly KPI on a quarterly scorecard contributes the quarter's last month.
pub async fn report(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    period: Option<&str>,
) -> AppResult<ScorecardReport> {
    let cycle = parse_period(ctx, period)?;
    let mut tx = db.read().await?;
    let (card, _) = load(&mut tx, ctx, id).await?;
    let today = today_of(ctx.now_ms);
    // Each KPI's series and targets, loaded once for all periods.
    let mut kpis = Vec::new();
    for item in &card.items {
        let Some(k) = crate::kpi::store::get(&mut tx, &KpiVisibility::All, item.kpi_id).await?
        else {
            continue;
        };
        let s = crate::kpi::service::series_of(&mut tx, &k).await?;
        let t: HashMap<String, Target> = crate::kpi::store::targets(&mut tx, k.id)
            .await?
            .into_iter()
            .map(|t| (t.period.clone(), t))
            .collect();
        kpis.push((item.clone(), k, s, t));
    }
    let eval = |c: &Cycle| -> ScorecardResult {
        let day = kernel::dates::format_date(c.end.min(today));
        let items = kpis
            .iter()
            .map(|(item, k, s, t)| {
                let st = crate::kpi::service::parse_period(k, &day)
                    .map(|p| crate::kpi::series::period_status(k, s, t, p));
                ItemResult {
                    kpi_id: item.kpi_id,
                    kpi_code: item.kpi_code.clone(),
                    kpi_name: item.kpi_name.clone(),
                    kpi_name_zh: item.kpi_name_zh.clone(),
                    unit: item.unit.clone(),
                    weight: item.weight,
                    kpi_period: st.as_ref().map(|s| s.period.clone()),
                    value: st.as_ref().and_then(|s| s.value),
                    target: st.as_ref().and_then(|s| s.target),
                    achievement: st.as_ref().and_then(|s| s.achievement),
                    status: st
                        .as_ref()
                        .and_then(|s| s.status)
                        .map(|r| r.as_str().to_string()),
                    points: None,
                }
            })
            .collect();
        score(&c.label, items)
    };
    let result = eval(&cycle);
    let mut history = Vec::with_capacity(HISTORY);
    let mut c = cycle.clone();
    for _ in 0..HISTORY {
        let r = if c == cycle { result.clone() } else { eval(&c) };
        history.push(HistoryPoint {
            period: c.label.clone(),
            score: r.score,
            coverage: r.coverage,
        });
        c = Cycle::containing(c.kind, c.start - time::Duration::days(1));
    }
    history.reverse();
    Ok(ScorecardReport {
        scorecard: card,
        result,
        history,
    })
}
