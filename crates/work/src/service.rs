//! Task use cases. Order in every write: visibility (an invisible task is `NotFound`), the policy
//! (`Forbidden`), validation (all field errors at once), then the write, its audit event and any
//! notification in one transaction.
use crate::model::{
    AssigneeFilter, Board, BoardColumn, Status, Task, TaskFilter, TaskInput, TaskPatch, TaskSort,
    TaskValues,
};
use crate::store::{self, After, AssigneeIs, Where};
use db::audit::HistoryEntry;
use db::idempotency::Idem;
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::policy::Visibility;
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};

/// The UTC offset (hours) "today" is computed in for overdue (Asia/Shanghai).
pub const DEFAULT_OFFSET_HOURS: i8 = 8;

fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// Today's date (`YYYY-MM-DD`) at `ctx.now_ms` in the default zone.
pub fn today(ctx: &Ctx) -> String {
    kernel::dates::format_date(kernel::dates::date_of(ctx.now_ms, DEFAULT_OFFSET_HOURS))
}

async fn check_refs(
    tx: &mut Tx,
    c: &mut Checks,
    v: &TaskValues,
    before: Option<&TaskValues>,
) -> AppResult<()> {
    if let Some(d) = v.department_id
        && before.is_none_or(|b| b.department_id != Some(d))
        && !store::department_exists(tx, d).await?
    {
        c.push("department_id", "not_found", "no such department");
    }
    if let Some(p) = v.assignee_id
        && before.is_none_or(|b| b.assignee_id != Some(p))
    {
        match store::person_user(tx, p).await? {
            None => c.push("assignee_id", "not_found", "no such person"),
            Some((false, _)) => c.push("assignee_id", "inactive", "the person is no longer active"),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Tells the new assignee (if they have an account and are not the actor) in the same transaction.
async fn notify_assignee(tx: &mut Tx, ctx: &Ctx, t: &Task) -> AppResult<()> {
    let Some(p) = t.assignee_id else {
        return Ok(());
    };
    let Some((_, Some(uid))) = store::person_user(tx, p).await? else {
        return Ok(());
    };
    if uid == ctx.actor.user_id {
        return Ok(());
    }
    let body = format!(
        "{} assigned you the task \"{}\"",
        ctx.actor.username, t.title
    );
    let link = format!("/tasks/{}", t.id);
    notify::notify(
        tx,
        uid,
        "task.assigned",
        &t.title,
        &body,
        Some(&link),
        Some("task"),
        Some(t.id),
        ctx.now_ms,
    )
    .await?;
    Ok(())
}

/// Creates a task. With `idem` (an `Idempotency-Key`), a retry of the same request replays the
/// task created first (looked up and remembered in this same transaction, so there is never a
/// duplicate); the same key with another body is `IdempotencyMismatch`.
pub async fn create(db: &Db, ctx: &Ctx, input: &TaskInput, idem: Option<&Idem>) -> AppResult<Task> {
    let mut tx = db.write().await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let t = store::get(&mut tx, &ctx.actor.task_visibility(), id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        return Ok(t);
    }
    let t = create_in(&mut tx, ctx, input).await?;
    let location = format!("/api/v1/tasks/{}", t.id);
    db::idempotency::remember(&mut tx, idem, 201, t.id, &location, ctx.now_ms).await?;
    tx.commit().await?;
    Ok(t)
}

/// Creates a task inside the caller's write transaction, so another module can create a task
/// together with its own record of it (e.g. a KPI's action) and one audit trail: the policy,
/// validation, write, audit event and assignee notification are the same as [`create`]'s.
pub async fn create_in(tx: &mut Tx, ctx: &Ctx, input: &TaskInput) -> AppResult<Task> {
    let department_id = input.department_id.or(ctx.actor.department_id);
    if !ctx.actor.can_create_task_in(department_id) {
        return Err(AppError::Forbidden("create tasks in that department"));
    }
    let mut c = Checks::new();
    let mut v = TaskValues::from_input(input, ctx.now_ms).validate(&mut c);
    v.department_id = department_id;
    check_refs(tx, &mut c, &v, None).await?;
    c.finish()?;
    let id = store::insert(tx, &v, ctx.user_id(), ctx.now_ms).await?;
    let t = store::get(tx, &Visibility::All, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(tx, ctx, "task.create", "task", Some(id), None, json(&t)).await?;
    notify_assignee(tx, ctx, &t).await?;
    Ok(t)
}

/// The home page's counts, over the tasks the caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Open tasks (todo, doing, blocked) assigned to the caller.
    pub my_open: i64,
    /// Open tasks due before today.
    pub overdue: i64,
    /// Blocked tasks.
    pub blocked: i64,
}

/// Counts for the home page: my open tasks, overdue and blocked (visible tasks only).
pub async fn summary(db: &Db, ctx: &Ctx) -> AppResult<Summary> {
    let vis = ctx.actor.task_visibility();
    let mut tx = db.read().await?;
    let all = store::count_by_status(&mut tx, &vis, &Where::default()).await?;
    let blocked = all
        .iter()
        .find(|(s, _)| *s == Status::Blocked)
        .map_or(0, |(_, n)| *n);
    let my_open = match ctx.actor.person_id {
        Some(p) => {
            let w = Where {
                assignee: Some(AssigneeIs::Person(p)),
                ..Where::default()
            };
            let by_status = store::count_by_status(&mut tx, &vis, &w).await?;
            by_status
                .iter()
                .filter(|(s, _)| s.is_open())
                .map(|(_, n)| n)
                .sum()
        }
        None => 0,
    };
    let w = Where {
        overdue_before: Some(today(ctx)),
        ..Where::default()
    };
    let overdue = store::count_by_status(&mut tx, &vis, &w)
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    Ok(Summary {
        my_open,
        overdue,
        blocked,
    })
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Task> {
    let mut tx = db.read().await?;
    store::get(&mut tx, &ctx.actor.task_visibility(), id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Turns the API filter into the store's WHERE (resolving `me`, sub-departments, today).
async fn resolve_where(tx: &mut Tx, ctx: &Ctx, f: &TaskFilter) -> AppResult<Where> {
    let mut c = Checks::new();
    f.validate(&mut c);
    c.finish()?;
    let departments = match f.department_id {
        Some(d) if f.include_sub => Some(team::department_subtree(tx, d).await?),
        Some(d) => Some(vec![d]),
        None => None,
    };
    let mut statuses = f.status.clone();
    statuses.sort_by_key(|s| *s as u8);
    statuses.dedup();
    let assignee = f.assignee.map(|a| match a {
        AssigneeFilter::Me => ctx
            .actor
            .person_id
            .map_or(AssigneeIs::Nobody, AssigneeIs::Person),
        AssigneeFilter::Unassigned => AssigneeIs::Unassigned,
        AssigneeFilter::Person(p) => AssigneeIs::Person(p),
    });
    Ok(Where {
        departments,
        statuses,
        assignee,
        priority: f.priority,
        due_before: f.due_before.clone().filter(|s| !s.trim().is_empty()),
        due_after: f.due_after.clone().filter(|s| !s.trim().is_empty()),
        overdue_before: f.overdue.then(|| today(ctx)),
        q: f.q.clone(),
    })
}

fn cursor_prefix(sort: TaskSort, desc: bool) -> String {
    format!("{}|{}|", sort.as_str(), u8::from(desc))
}

fn parse_cursor(f: &TaskFilter) -> AppResult<Option<After>> {
    let Some(c) = f.cursor.as_deref().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let bad = || AppError::BadRequest("invalid cursor".into());
    let (k, id) = decode_cursor(c).ok_or_else(bad)?;
    let key = k
        .strip_prefix(&cursor_prefix(f.sort, f.desc))
        .ok_or_else(bad)?;
    Ok(Some(if f.sort.is_numeric() {
        After::Int(key.parse().map_err(|_| bad())?, id)
    } else {
        After::Text(key.to_string(), id)
    }))
}

/// What a list may show: exactly what a direct read allows. Under the `fault-injection`
/// feature (tests only) an account registered in `crate::fault` gets an unscoped list, so the
/// list-equals-get property test can prove it notices a dropped scope filter.
fn list_visibility(ctx: &Ctx) -> Visibility {
    #[cfg(feature = "fault-injection")]
    if crate::fault::list_scope_dropped(&ctx.actor.username) {
        return Visibility::All;
    }
    ctx.actor.task_visibility()
}

/// The visible tasks matching the filter, one page, keyset-paginated on (sort key, id).
pub async fn list(db: &Db, ctx: &Ctx, f: &TaskFilter) -> AppResult<Page<Task>> {
    let limit = clamp_limit(f.limit);
    let after = parse_cursor(f)?;
    let mut tx = db.read().await?;
    let w = resolve_where(&mut tx, ctx, f).await?;
    let vis = list_visibility(ctx);
    let mut items =
        store::list(&mut tx, &vis, &w, f.sort, f.desc, after.as_ref(), limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|t| {
            encode_cursor(
                &format!(
                    "{}{}",
                    cursor_prefix(f.sort, f.desc),
                    store::sort_key(f.sort, t)
                ),
                t.id,
            )
        })
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The board: one column per status (those in the filter, else all), each with up to
/// `per_column` tasks in the filter's sort and the column's full count.
pub async fn board(
    db: &Db,
    ctx: &Ctx,
    f: &TaskFilter,
    per_column: Option<i64>,
) -> AppResult<Board> {
    let limit = clamp_limit(per_column);
    let mut tx = db.read().await?;
    let w = resolve_where(&mut tx, ctx, f).await?;
    let vis = ctx.actor.task_visibility();
    let counts = store::count_by_status(&mut tx, &vis, &w).await?;
    let statuses: Vec<Status> = if w.statuses.is_empty() {
        Status::ALL.to_vec()
    } else {
        w.statuses.clone()
    };
    let mut columns = Vec::with_capacity(statuses.len());
    for s in statuses {
        let total = counts
            .iter()
            .find(|(cs, _)| *cs == s)
            .map_or(0, |(_, n)| *n);
        let tasks = if total == 0 {
            Vec::new()
        } else {
            let cw = Where {
                statuses: vec![s],
                ..w.clone()
            };
            store::list(&mut tx, &vis, &cw, f.sort, f.desc, None, limit).await?
        };
        columns.push(BoardColumn {
            status: s,
            total,
            tasks,
        });
    }
    Ok(Board { columns })
}

async fn apply_patch(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &TaskPatch,
    action: &str,
) -> AppResult<Task> {
    let mut tx = db.write().await?;
    let after = apply_patch_in(&mut tx, ctx, id, expected_version, patch, action).await?;
    tx.commit().await?;
    Ok(after)
}

/// Assigns many tasks in ONE transaction (auto-assign's "accept"): each change is checked,
/// audited and notified exactly like a single update, and if any one fails nothing changes.
/// `items` are (task id, expected version, new assignee); an error names the item
/// (`items[3].person_id`).
pub async fn assign_batch(db: &Db, ctx: &Ctx, items: &[(i64, i64, i64)]) -> AppResult<Vec<Task>> {
    let mut tx = db.write().await?;
    let mut out = Vec::with_capacity(items.len());
    for (i, &(id, version, person)) in items.iter().enumerate() {
        let patch = TaskPatch {
            assignee_id: Some(Some(person)),
            ..Default::default()
        };
        let t = apply_patch_in(&mut tx, ctx, id, version, &patch, "task.auto_assign")
            .await
            .map_err(|e| match e {
                AppError::Validation(fs) => AppError::Validation(
                    fs.into_iter()
                        .map(|mut f| {
                            f.field = format!(
                                "items[{i}].{}",
                                if f.field == "assignee_id" {
                                    "person_id"
                                } else {
                                    &f.field
                                }
                            );
                            f
                        })
                        .collect(),
                ),
                // Missing and hidden tasks answer alike, naming the item.
                AppError::NotFound => AppError::ref_not_found(format!("items[{i}].task_id")),
                other => other,
            })?;
        out.push(t);
    }
    tx.commit().await?;
    Ok(out)
}

async fn apply_patch_in(
    tx: &mut Tx,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &TaskPatch,
    action: &str,
) -> AppResult<Task> {
    let vis = ctx.actor.task_visibility();
    let before = store::get(tx, &vis, id).await?.ok_or(AppError::NotFound)?;
    if !ctx.actor.can_edit_task(&before.facts()) {
        return Err(AppError::Forbidden("edit this task"));
    }
    if let Some(d) = patch.department_id
        && d != before.department_id
        && !ctx.actor.can_move_task_to(d)
    {
        return Err(AppError::Forbidden("move a task to that department"));
    }
    let mut c = Checks::new();
    let old = TaskValues::from_task(&before);
    let v = old.clone().apply(patch, ctx.now_ms).validate(&mut c);
    check_refs(tx, &mut c, &v, Some(&old)).await?;
    c.finish()?;
    if store::update(tx, id, expected_version, &v, ctx.user_id(), ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get(tx, &Visibility::All, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        tx,
        ctx,
        action,
        "task",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    if after.assignee_id != before.assignee_id {
        notify_assignee(tx, ctx, &after).await?;
    }
    Ok(after)
}

/// A partial update with optimistic concurrency.
pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &TaskPatch,
) -> AppResult<Task> {
    apply_patch(db, ctx, id, expected_version, patch, "task.update").await
}

/// Changes only the status (the board's non-drag move).
pub async fn move_to(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    status: Status,
    expected_version: i64,
) -> AppResult<Task> {
    let patch = TaskPatch {
        status: Some(status),
        ..Default::default()
    };
    apply_patch(db, ctx, id, expected_version, &patch, "task.move").await
}

/// Deletes a task; `expected_version`, when given, must match.
pub async fn delete(db: &Db, ctx: &Ctx, id: i64, expected_version: Option<i64>) -> AppResult<()> {
    let mut tx = db.write().await?;
    let before = store::get(&mut tx, &ctx.actor.task_visibility(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx.actor.can_delete_task(&before.facts()) {
        return Err(AppError::Forbidden("delete this task"));
    }
    if store::delete(&mut tx, id, expected_version.unwrap_or(before.version)).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "task.delete",
        "task",
        Some(id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The task's audit entries, newest first (only if the caller may see the task).
pub async fn history(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Vec<HistoryEntry>> {
    let mut tx = db.read().await?;
    store::get(&mut tx, &ctx.actor.task_visibility(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(db::audit::history(&mut tx, "task", id, 500).await?)
}
