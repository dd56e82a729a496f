//! Goal use cases. Order in every write: visibility (an invisible goal is `NotFound`), the policy
//! (`Forbidden`), the lock (a scored goal is `Conflict`), the SMART check (all field errors at
//! once), then the write, its audit event and any notification in one transaction.
use super::kpi_link;
use super::model::{
    CheckIn, CheckInInput, Cycle, Goal, GoalInput, GoalKind, GoalPatch, GoalValues, Health,
    KeyResultPatch, Level, MeasureInput, MeasureValues, ParentFacts, ScoreInput,
    confidence_percent, iso_week, progress, round_score, week_bounds,
};
use super::store::{self, Where};
use db::idempotency::Idem;
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::policy::{GoalFacts, GoalVisibility};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx, Role};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

/// The UTC offset (hours) "today" and weeks are computed in (Asia/Shanghai).
pub const OFFSET_HOURS: i8 = 8;

fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

pub fn today_of(ms: i64) -> Date {
    kernel::dates::date_of(ms, OFFSET_HOURS)
}

fn locked() -> AppError {
    AppError::Conflict("the goal is scored and locked".into())
}

/// The caller's reports (managers only: the policy ignores them for other roles).
async fn reports(tx: &mut Tx, ctx: &Ctx) -> AppResult<Vec<i64>> {
    match (ctx.actor.role, ctx.actor.person_id) {
        (Role::Manager, Some(p)) => Ok(store::reports_of(tx, p).await?),
        _ => Ok(Vec::new()),
    }
}

/// The caller's goal visibility and reports, resolved once per use case.
struct Audience {
    vis: GoalVisibility,
    reports: Vec<i64>,
}

async fn audience(tx: &mut Tx, ctx: &Ctx) -> AppResult<Audience> {
    let reports = reports(tx, ctx).await?;
    Ok(Audience {
        vis: ctx.actor.goal_visibility(&reports),
        reports,
    })
}

/// Progress and health for today, with KPI-bound key results reading their KPI first.
async fn finish(tx: &mut Tx, ctx: &Ctx, mut g: Goal) -> AppResult<Goal> {
    for k in &mut g.key_results {
        if let Some(kpi) = k.kpi_id
            && let Some(v) = kpi_link::actual(tx, ctx, kpi, &g.period_start, &g.due_date).await?
        {
            k.current_value = v;
        }
    }
    g.compute(today_of(ctx.now_ms));
    Ok(g)
}

async fn load(tx: &mut Tx, ctx: &Ctx, a: &Audience, id: i64) -> AppResult<Goal> {
    let g = store::get(tx, &a.vis, id)
        .await?
        .ok_or(AppError::NotFound)?;
    finish(tx, ctx, g).await
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Goal> {
    let mut tx = db.read().await?;
    let a = audience(&mut tx, ctx).await?;
    load(&mut tx, ctx, &a, id).await
}

/// What the caller may do with a goal (for pages and the API's `permissions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
pub struct GoalRights {
    pub edit: bool,
    pub score: bool,
    /// Check in on any key result (else only on the ones the caller owns).
    pub check_in_all: bool,
}

pub async fn rights(db: &Db, ctx: &Ctx, g: &Goal) -> AppResult<GoalRights> {
    let mut tx = db.read().await?;
    let r = reports(&mut tx, ctx).await?;
    let f = g.facts();
    Ok(GoalRights {
        edit: !g.locked() && ctx.actor.can_edit_goal(&f, &r),
        score: !g.locked() && ctx.actor.can_score_goal(&f, &r),
        check_in_all: !g.locked() && ctx.actor.can_check_in(&f, None, &r),
    })
}

/// The facts of the proposed parent, if the caller can see it.
async fn parent_facts(
    tx: &mut Tx,
    a: &Audience,
    parent_id: Option<i64>,
) -> AppResult<Option<ParentFacts>> {
    let Some(p) = parent_id else {
        return Ok(None);
    };
    Ok(store::get(tx, &a.vis, p).await?.map(|g| ParentFacts {
        level: g.level,
        period_start: g.period_start.clone(),
        period_end: g.period_end.clone(),
        locked: g.locked(),
    }))
}

/// Checks the owner and department, and fixes the department a goal sits in: a personal goal
/// takes its owner's, a company goal has none.
async fn resolve_refs(tx: &mut Tx, c: &mut Checks, v: &mut GoalValues) -> AppResult<()> {
    if let Some(o) = v.owner_id {
        match store::person_facts(tx, o).await? {
            None => c.push("owner_id", "not_found", "no such person"),
            Some(p) if !p.active => {
                c.push("owner_id", "inactive", "the person is no longer active")
            }
            Some(p) => {
                if v.level == Level::Person {
                    v.department_id = p.department_id;
                }
            }
        }
    }
    match v.level {
        Level::Company => v.department_id = None,
        Level::Department => {
            if let Some(d) = v.department_id
                && !store::department_exists(tx, d).await?
            {
                c.push("department_id", "not_found", "no such department");
            }
        }
        Level::Person => {}
    }
    Ok(())
}

async fn check_measure_refs(
    tx: &mut Tx,
    ctx: &Ctx,
    c: &mut Checks,
    m: &MeasureValues,
    prefix: &str,
) -> AppResult<()> {
    if let Some(o) = m.owner_id {
        match store::person_facts(tx, o).await? {
            None => c.push(&format!("{prefix}owner_id"), "not_found", "no such person"),
            Some(p) if !p.active => c.push(
                &format!("{prefix}owner_id"),
                "inactive",
                "the person is no longer active",
            ),
            Some(_) => {}
        }
    }
    if let Some(k) = m.kpi_id
        && !kpi_link::visible(tx, ctx, k).await?
    {
        c.push(&format!("{prefix}kpi_id"), "not_found", "no such KPI");
    }
    Ok(())
}

/// Creates a goal (and, for a SMART goal or an objective given a `measure`, its first key
/// result). With `idem`, a retry of the same request replays the goal created first.
pub async fn create(db: &Db, ctx: &Ctx, input: &GoalInput, idem: Option<&Idem>) -> AppResult<Goal> {
    if ctx.actor.role == Role::Viewer {
        return Err(AppError::Forbidden("create goals"));
    }
    let mut input = input.clone();
    if input.owner_id.is_none() && input.level == Level::Person {
        input.owner_id = ctx.actor.person_id;
    }
    let mut tx = db.write().await?;
    let a = audience(&mut tx, ctx).await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let g = load(&mut tx, ctx, &a, id).await?;
        tx.commit().await?;
        return Ok(g);
    }
    let mut c = Checks::new();
    let mut v = GoalValues::from_input(&input, &mut c, today_of(ctx.now_ms));
    resolve_refs(&mut tx, &mut c, &mut v).await?;
    let facts = GoalFacts {
        company: v.level == Level::Company,
        department_id: v.department_id,
        owner_id: v.owner_id,
    };
    if !ctx.actor.can_edit_goal(&facts, &a.reports) {
        return Err(AppError::Forbidden(
            "set goals for that owner or department",
        ));
    }
    let parent = parent_facts(&mut tx, &a, v.parent_id).await?;
    let v = v.validate(&mut c, parent.as_ref());
    let measure = match (&input.measure, input.kind) {
        (Some(m), _) => {
            let m = MeasureValues::from_input(m, &v.title, v.owner_id).validate(&mut c, "measure.");
            check_measure_refs(&mut tx, ctx, &mut c, &m, "measure.").await?;
            Some(m)
        }
        (None, GoalKind::Smart) => {
            c.push(
                "measure",
                "measure_required",
                "a SMART goal is measurable: give its metric, unit, start and target",
            );
            None
        }
        (None, GoalKind::Objective) => None,
    };
    c.finish()?;
    let id = store::insert_goal(&mut tx, &v, ctx.user_id(), ctx.now_ms).await?;
    if let Some(m) = &measure {
        store::insert_kr(&mut tx, id, m, ctx.user_id(), ctx.now_ms).await?;
    }
    let g = load(
        &mut tx,
        ctx,
        &Audience {
            vis: GoalVisibility::All,
            reports: Vec::new(),
        },
        id,
    )
    .await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "goal.create",
        "goal",
        Some(id),
        None,
        json(&g),
    )
    .await?;
    db::idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/goals/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(g)
}

/// Goal list filters (API query and pages).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GoalFilter {
    /// A cycle label: `2026-Q4`, `2026-B6`, `2026-11`, `2026`.
    pub cycle: Option<String>,
    pub level: Option<Level>,
    /// A person id, or `me`.
    pub owner: Option<String>,
    pub department_id: Option<i64>,
    pub parent_id: Option<i64>,
    /// `true`: goals owned by the caller or holding a key result the caller owns.
    pub mine: Option<bool>,
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

fn resolve_where(ctx: &Ctx, f: &GoalFilter) -> AppResult<Where> {
    let mut c = Checks::new();
    let cycle = f.cycle.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(cy) = cycle
        && Cycle::parse(cy).is_none()
    {
        c.push("cycle", "invalid_cycle", "must be a cycle such as 2026-Q4");
    }
    let me = ctx.actor.person_id.unwrap_or(-1);
    let owner_id = match f.owner.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("me") => Some(me),
        Some(n) => match n.parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                c.push("owner", "invalid", "must be a person id or `me`");
                None
            }
        },
    };
    c.finish()?;
    Ok(Where {
        cycle: cycle.map(str::to_string),
        level: f.level,
        owner_id,
        department_id: f.department_id,
        parent_id: f.parent_id,
        involving: f.mine.unwrap_or(false).then_some(me),
    })
}

/// One page of the goals the caller may see, by id.
pub async fn list(db: &Db, ctx: &Ctx, f: &GoalFilter) -> AppResult<Page<Goal>> {
    let limit = clamp_limit(f.limit);
    let w = resolve_where(ctx, f)?;
    let after = match f.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            decode_cursor(c)
                .map(|(_, id)| id)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?,
        ),
    };
    let mut tx = db.read().await?;
    let a = audience(&mut tx, ctx).await?;
    let rows = store::list(&mut tx, &a.vis, &w, after, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::with_capacity(rows.len());
    for g in rows.into_iter().take(limit as usize) {
        items.push(finish(&mut tx, ctx, g).await?);
    }
    let next_cursor = more
        .then(|| items.last().map(|g| encode_cursor("goal", g.id)))
        .flatten();
    Ok(Page { items, next_cursor })
}

/// A goal in the tree, in display order (depth-first): `depth` from the visible root.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TreeItem {
    pub depth: usize,
    pub goal: Goal,
    /// Number of visible children below.
    pub children: usize,
}

/// Upper bound on a tree (one cycle of one company); beyond it the list API pages.
const TREE_MAX: i64 = 5000;

/// The visible goals of a cycle as a tree: a goal whose parent the caller cannot see is a root.
pub async fn tree(db: &Db, ctx: &Ctx, cycle: &str) -> AppResult<Vec<TreeItem>> {
    let f = GoalFilter {
        cycle: Some(cycle.to_string()),
        ..Default::default()
    };
    let w = resolve_where(ctx, &f)?;
    let mut tx = db.read().await?;
    let a = audience(&mut tx, ctx).await?;
    let mut goals = Vec::new();
    for g in store::list(&mut tx, &a.vis, &w, None, TREE_MAX).await? {
        goals.push(finish(&mut tx, ctx, g).await?);
    }
    Ok(build_tree(goals))
}

/// Orders goals depth-first (siblings: level, then id) with their depth.
pub fn build_tree(goals: Vec<Goal>) -> Vec<TreeItem> {
    use std::collections::HashMap;
    let ids: std::collections::HashSet<i64> = goals.iter().map(|g| g.id).collect();
    let mut kids: HashMap<Option<i64>, Vec<Goal>> = HashMap::new();
    for g in goals {
        let key = g.parent_id.filter(|p| ids.contains(p));
        kids.entry(key).or_default().push(g);
    }
    for v in kids.values_mut() {
        v.sort_by_key(|g| (g.level, g.id));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(usize, Goal)> = kids
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|g| (0, g))
        .collect();
    while let Some((depth, g)) = stack.pop() {
        let children = kids.remove(&Some(g.id)).unwrap_or_default();
        let n = children.len();
        for c in children.into_iter().rev() {
            stack.push((depth + 1, c));
        }
        out.push(TreeItem {
            depth,
            goal: g,
            children: n,
        });
    }
    out
}

async fn writable(tx: &mut Tx, ctx: &Ctx, id: i64) -> AppResult<(Goal, Audience)> {
    let a = audience(tx, ctx).await?;
    let g = load(tx, ctx, &a, id).await?;
    if !ctx.actor.can_edit_goal(&g.facts(), &a.reports) {
        return Err(AppError::Forbidden("edit this goal"));
    }
    if g.locked() {
        return Err(locked());
    }
    Ok((g, a))
}

/// Changes a goal's title, description, owner, parent or deadline (with the SMART check).
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &GoalPatch,
) -> AppResult<Goal> {
    let mut tx = db.write().await?;
    let (before, a) = writable(&mut tx, ctx, id).await?;
    if patch.parent_id == Some(Some(id)) {
        return Err(AppError::field(
            "parent_id",
            "parent_level",
            "a goal cannot be its own parent",
        ));
    }
    let mut c = Checks::new();
    let mut v = GoalValues::from_goal(&before).apply(patch);
    resolve_refs(&mut tx, &mut c, &mut v).await?;
    // Handing the goal to someone outside the caller's reach would lock the caller out.
    let after_facts = GoalFacts {
        company: v.level == Level::Company,
        department_id: v.department_id,
        owner_id: v.owner_id,
    };
    if !ctx.actor.can_edit_goal(&after_facts, &a.reports) {
        return Err(AppError::Forbidden("hand the goal to that owner"));
    }
    let parent = parent_facts(&mut tx, &a, v.parent_id).await?;
    if let Some(d) = &patch.due_date
        && kernel::dates::parse_date(d).is_some_and(|d| d < today_of(ctx.now_ms))
    {
        c.push("due_date", "in_past", "the deadline has already passed");
    }
    let v = v.validate(&mut c, parent.as_ref());
    c.finish()?;
    if store::update_goal(&mut tx, id, expected_version, &v, ctx.user_id(), ctx.now_ms).await? == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = load(
        &mut tx,
        ctx,
        &Audience {
            vis: GoalVisibility::All,
            reports: Vec::new(),
        },
        id,
    )
    .await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "goal.update",
        "goal",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes an active goal without children.
pub async fn delete(db: &Db, ctx: &Ctx, id: i64, expected_version: i64) -> AppResult<()> {
    let mut tx = db.write().await?;
    let (before, _) = writable(&mut tx, ctx, id).await?;
    if store::child_count(&mut tx, id).await? > 0 {
        return Err(AppError::Conflict(
            "other goals contribute to this one: move or delete them first".into(),
        ));
    }
    if store::delete_goal(&mut tx, id, expected_version).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "goal.delete",
        "goal",
        Some(id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a key result to an objective (a SMART goal has exactly one measure).
pub async fn add_key_result(
    db: &Db,
    ctx: &Ctx,
    goal_id: i64,
    input: &MeasureInput,
    idem: Option<&Idem>,
) -> AppResult<Goal> {
    let mut tx = db.write().await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let a = audience(&mut tx, ctx).await?;
        let gid = store::goal_of_kr(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let g = load(&mut tx, ctx, &a, gid).await?;
        tx.commit().await?;
        return Ok(g);
    }
    let (g, _) = writable(&mut tx, ctx, goal_id).await?;
    if g.kind == GoalKind::Smart && !g.key_results.is_empty() {
        return Err(AppError::Conflict(
            "a SMART goal has one measure; change it instead, or make an objective".into(),
        ));
    }
    let mut c = Checks::new();
    let m = MeasureValues::from_input(input, "", Some(g.owner_id)).validate(&mut c, "");
    check_measure_refs(&mut tx, ctx, &mut c, &m, "").await?;
    c.finish()?;
    let kr = store::insert_kr(&mut tx, goal_id, &m, ctx.user_id(), ctx.now_ms).await?;
    store::touch_goal(&mut tx, goal_id, ctx.user_id(), ctx.now_ms).await?;
    let after = load(
        &mut tx,
        ctx,
        &Audience {
            vis: GoalVisibility::All,
            reports: Vec::new(),
        },
        goal_id,
    )
    .await?;
    let k = after.key_results.iter().find(|k| k.id == kr);
    db::audit::log_change(
        &mut tx,
        ctx,
        "goal.key_result.create",
        "key_result",
        Some(kr),
        None,
        json(&k),
    )
    .await?;
    db::idempotency::remember(
        &mut tx,
        idem,
        201,
        kr,
        &format!("/api/v1/goals/{goal_id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn kr_goal(tx: &mut Tx, kr_id: i64) -> AppResult<i64> {
    store::goal_of_kr(tx, kr_id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A key result of a goal the caller may see.
pub async fn get_key_result(db: &Db, ctx: &Ctx, kr_id: i64) -> AppResult<super::model::KeyResult> {
    let mut tx = db.read().await?;
    let goal_id = kr_goal(&mut tx, kr_id).await?;
    let a = audience(&mut tx, ctx).await?;
    let g = load(&mut tx, ctx, &a, goal_id).await?;
    g.key_results
        .into_iter()
        .find(|k| k.id == kr_id)
        .ok_or(AppError::NotFound)
}

/// Changes a key result's definition (not its value: that is a check-in).
pub async fn update_key_result(
    db: &Db,
    ctx: &Ctx,
    kr_id: i64,
    expected_version: i64,
    patch: &KeyResultPatch,
) -> AppResult<Goal> {
    let mut tx = db.write().await?;
    let goal_id = kr_goal(&mut tx, kr_id).await?;
    let (g, _) = writable(&mut tx, ctx, goal_id).await?;
    let before = g
        .key_results
        .iter()
        .find(|k| k.id == kr_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let mut c = Checks::new();
    let m = MeasureValues::from_kr(&before)
        .apply(patch)
        .validate(&mut c, "");
    check_measure_refs(&mut tx, ctx, &mut c, &m, "").await?;
    c.finish()?;
    if store::update_kr(
        &mut tx,
        kr_id,
        expected_version,
        &m,
        ctx.user_id(),
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    store::touch_goal(&mut tx, goal_id, ctx.user_id(), ctx.now_ms).await?;
    let after = load(
        &mut tx,
        ctx,
        &Audience {
            vis: GoalVisibility::All,
            reports: Vec::new(),
        },
        goal_id,
    )
    .await?;
    let k = after.key_results.iter().find(|k| k.id == kr_id);
    db::audit::log_change(
        &mut tx,
        ctx,
        "goal.key_result.update",
        "key_result",
        Some(kr_id),
        json(&before),
        json(&k),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_key_result(
    db: &Db,
    ctx: &Ctx,
    kr_id: i64,
    expected_version: i64,
) -> AppResult<Goal> {
    let mut tx = db.write().await?;
    let goal_id = kr_goal(&mut tx, kr_id).await?;
    let (g, _) = writable(&mut tx, ctx, goal_id).await?;
    let before = g.key_results.iter().find(|k| k.id == kr_id).cloned();
    if store::delete_kr(&mut tx, kr_id, expected_version).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    store::touch_goal(&mut tx, goal_id, ctx.user_id(), ctx.now_ms).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "goal.key_result.delete",
        "key_result",
        Some(kr_id),
        json(&before),
        None,
    )
    .await?;
    let after = load(
        &mut tx,
        ctx,
        &Audience {
            vis: GoalVisibility::All,
            reports: Vec::new(),
        },
        goal_id,
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Records a check-in on a key result: its value now (or the bound KPI's), the owner's
/// confidence and a note. When the key result turns red by the red rule, its owner and their
/// manager are told once (again only after it recovered and turned red anew).
pub async fn check_in(db: &Db, ctx: &Ctx, kr_id: i64, input: &CheckInInput) -> AppResult<CheckIn> {
    let mut tx = db.write().await?;
    let goal_id = kr_goal(&mut tx, kr_id).await?;
    let a = audience(&mut tx, ctx).await?;
    let g = load(&mut tx, ctx, &a, goal_id).await?;
    let k = g
        .key_results
        .iter()
        .find(|k| k.id == kr_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if !ctx
        .actor
        .can_check_in(&g.facts(), Some(k.owner_id), &a.reports)
    {
        return Err(AppError::Forbidden("check in on this key result"));
    }
    if g.locked() {
        return Err(locked());
    }
    let mut c = Checks::new();
    let confidence = confidence_percent(input.confidence, input.confidence_scale);
    if confidence.is_none() {
        c.push(
            "confidence",
            "out_of_range",
            match input.confidence_scale {
                super::model::ConfidenceScale::Ten => "must be between 1 and 10",
                super::model::ConfidenceScale::Percent => "must be between 0 and 100",
            },
        );
    }
    let note = c.opt_text("note", input.note.as_deref(), super::model::MAX_NOTE);
    // A KPI-bound key result takes the KPI's value; a manual one needs the value.
    let value = match (k.kpi_id, input.value) {
        (Some(_), _) => Some(k.current_value),
        (None, Some(v)) if v.is_finite() && v.abs() <= super::model::MAX_VALUE => Some(v),
        (None, Some(_)) => {
            c.push("value", "out_of_range", "must be a finite number");
            None
        }
        (None, None) => {
            c.push("value", "required", "is required");
            None
        }
    };
    c.finish()?;
    let (Some(value), Some(confidence)) = (value, confidence) else {
        return Err(AppError::Internal("check-in values vanished".into()));
    };
    let today = today_of(ctx.now_ms);
    let week = iso_week(today);
    let prog = progress(k.start_value, k.target_value, value);
    store::set_current(&mut tx, kr_id, value, ctx.user_id(), ctx.now_ms).await?;
    let id = store::insert_checkin(
        &mut tx,
        kr_id,
        &week,
        value,
        prog,
        confidence,
        note.as_deref(),
        ctx.user_id(),
        ctx.now_ms,
    )
    .await?;
    store::touch_goal(&mut tx, goal_id, ctx.user_id(), ctx.now_ms).await?;
    let after = load(
        &mut tx,
        ctx,
        &Audience {
            vis: GoalVisibility::All,
            reports: Vec::new(),
        },
        goal_id,
    )
    .await?;
    if let Some(k2) = after.key_results.iter().find(|k| k.id == kr_id) {
        signal_health(&mut tx, ctx, &after, k2).await?;
    }
    let ci = store::checkins_of_goal(&mut tx, goal_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "goal.checkin",
        "key_result",
        Some(kr_id),
        None,
        json(&ci),
    )
    .await?;
    tx.commit().await?;
    Ok(ci)
}

/// Notifies the key result's owner and their manager when it has just turned red.
async fn signal_health(
    tx: &mut Tx,
    ctx: &Ctx,
    g: &Goal,
    k: &super::model::KeyResult,
) -> AppResult<()> {
    if k.health != Health::Red {
        store::set_red_since(tx, k.id, None).await?;
        return Ok(());
    }
    if !store::set_red_since(tx, k.id, Some(ctx.now_ms)).await? {
        return Ok(()); // already red and already told
    }
    let Some(p) = store::person_facts(tx, k.owner_id).await? else {
        return Ok(());
    };
    let title = format!("Key result behind schedule: {}", k.title);
    let body = format!(
        "\"{}\" of the goal \"{}\" is at {:.0} % while the schedule expects more (red rule: over 30 points behind).",
        k.title,
        g.title,
        k.progress * 100.0
    );
    let link = format!("/goals/{}", g.id);
    let mut told = Vec::new();
    for uid in [p.user_id, p.manager_user_id].into_iter().flatten() {
        if told.contains(&uid) {
            continue;
        }
        told.push(uid);
        notify::notify(
            tx,
            uid,
            "goal.key_result_red",
            &title,
            &body,
            Some(&link),
            Some("key_result"),
            Some(k.id),
            ctx.now_ms,
        )
        .await?;
    }
    Ok(())
}

/// The check-ins of a goal's key results, newest first.
pub async fn checkins(db: &Db, ctx: &Ctx, goal_id: i64) -> AppResult<Vec<CheckIn>> {
    let mut tx = db.read().await?;
    let a = audience(&mut tx, ctx).await?;
    store::get(&mut tx, &a.vis, goal_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(store::checkins_of_goal(&mut tx, goal_id).await?)
}

/// End-of-cycle scoring: each key result gets a score 0–1 (given, else its progress), the goal
/// the weighted score of its key results; then the goal is locked. Allowed from the due date on.
pub async fn score(
    db: &Db,
    ctx: &Ctx,
    goal_id: i64,
    expected_version: i64,
    input: &ScoreInput,
) -> AppResult<Goal> {
    let mut tx = db.write().await?;
    let a = audience(&mut tx, ctx).await?;
    let before = load(&mut tx, ctx, &a, goal_id).await?;
    if !ctx.actor.can_score_goal(&before.facts(), &a.reports) {
        return Err(AppError::Forbidden("score this goal"));
    }
    if before.locked() {
        return Err(locked());
    }
    let today = kernel::dates::format_date(today_of(ctx.now_ms));
    if today < before.due_date {
        return Err(AppError::Conflict(format!(
            "the goal is scored at the end of its cycle: from {} on",
            before.due_date
        )));
    }
    let mut c = Checks::new();
    if before.key_results.is_empty() {
        c.push(
            "key_results",
            "no_key_results",
            "a goal without key results cannot be scored",
        );
    }
    for (i, s) in input.key_results.iter().enumerate() {
        if !before.key_results.iter().any(|k| k.id == s.key_result_id) {
            c.push(
                &format!("key_results[{i}].key_result_id"),
                "not_found",
                "not a key result of this goal",
            );
        }
        if !(0.0..=1.0).contains(&s.score) {
            c.push(
                &format!("key_results[{i}].score"),
                "out_of_range",
                "must be between 0 and 1",
            );
        }
    }
    c.finish()?;
    let mut weighted = Vec::new();
    for k in &before.key_results {
        let s = input
            .key_results
            .iter()
            .find(|s| s.key_result_id == k.id)
            .map_or(round_score(k.progress), |s| round_score(s.score));
        store::set_kr_score(&mut tx, k.id, s).await?;
        weighted.push((k.weight, s));
    }
    let total = Goal::weighted_score(&weighted).unwrap_or(0.0);
    if store::score_goal(
        &mut tx,
        goal_id,
        expected_version,
        total,
        ctx.user_id(),
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = load(
        &mut tx,
        ctx,
        &Audience {
            vis: GoalVisibility::All,
            reports: Vec::new(),
        },
        goal_id,
    )
    .await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "goal.score",
        "goal",
        Some(goal_id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The reminder job: for the last full ISO week before `now`, every key result of an active
/// goal without a check-in that week gets ONE reminder to its owner — the (key result, week)
/// claim row makes a rerun, a second node or a retry send nothing more. Returns how many went out.
pub async fn run_checkin_reminders(db: &Db, now_ms: i64) -> AppResult<usize> {
    let today = today_of(now_ms);
    let (this_monday, _) = week_bounds(today);
    let last_sunday = this_monday - time::Duration::days(1);
    let (monday, sunday) = week_bounds(last_sunday);
    let week = iso_week(monday);
    // The week ends at the start of this Monday in the default zone.
    let week_end_ms = {
        let midnight = this_monday.midnight().assume_utc().unix_timestamp() * 1000;
        midnight - i64::from(OFFSET_HOURS) * 3_600_000
    };
    let fmt = kernel::dates::format_date;
    let mut tx = db.write().await?;
    let missing =
        store::missing_checkins(&mut tx, &week, &fmt(monday), &fmt(sunday), week_end_ms).await?;
    let mut sent = 0;
    for m in missing {
        if !store::claim_reminder(&mut tx, m.key_result_id, &week, now_ms).await? {
            continue;
        }
        let link = format!("/goals/{}", m.goal_id);
        notify::notify(
            &mut tx,
            m.owner_user_id,
            "goal.checkin_missing",
            &format!("Check-in missing for {week}"),
            &format!("No check-in was recorded for \"{}\" in {week}. Record its progress and confidence.", m.title),
            Some(&link),
            Some("key_result"),
            Some(m.key_result_id),
            now_ms,
        )
        .await?;
        sent += 1;
    }
    tx.commit().await?;
    Ok(sent)
}

/// The KPI refresh job: key results bound to a KPI take its latest actual in their cycle, and a
/// bound key result that turned red tells its owner and manager once, like a check-in would.
/// Returns how many key results changed value.
pub async fn refresh_kpi_bound(db: &Db, now_ms: i64) -> AppResult<usize> {
    let ctx = Ctx::system(now_ms);
    let all = Audience {
        vis: GoalVisibility::All,
        reports: Vec::new(),
    };
    let mut tx = db.write().await?;
    let mut changed = 0;
    for id in store::goals_with_bound_krs(&mut tx).await? {
        let g = load(&mut tx, &ctx, &all, id).await?;
        for k in g.key_results.iter().filter(|k| k.kpi_id.is_some()) {
            changed += store::store_kpi_value(&mut tx, k.id, k.current_value).await? as usize;
            signal_health(&mut tx, &ctx, &g, k).await?;
        }
    }
    tx.commit().await?;
    Ok(changed)
}
