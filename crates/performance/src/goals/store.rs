//! Goal SQL. One select serves lists, the tree and direct reads, and one WHERE builder applies the
//! policy's goal visibility to all of them, so a list never shows what a direct read refuses.
use super::model::{
    CheckIn, CycleKind, Goal, GoalKind, GoalState, GoalValues, Health, KeyResult, Level,
    MeasureValues,
};
use db::sql::Sql;
use db::{DbError, Row, Tx, Val};
use kernel::policy::GoalVisibility;

const GOAL_SELECT: &str = "SELECT g.id, g.parent_id, g.level, g.kind, g.title, g.description, g.owner_id, \
     p.name AS owner_name, p.name_zh AS owner_name_zh, g.department_id, d.name AS department_name, \
     g.cycle_kind, g.cycle, g.period_start, g.period_end, g.due_date, g.state, g.score, g.scored_at, \
     g.version, g.created_by, g.updated_by, g.created_at, g.updated_at \
     FROM goals g JOIN people p ON p.id = g.owner_id LEFT JOIN departments d ON d.id = g.department_id";

fn bad(what: &str, v: &str) -> DbError {
    DbError::Other(format!("bad goal {what} {v}"))
}

fn goal_row(r: &Row) -> Result<Goal, DbError> {
    let level = r.string("level")?;
    let kind = r.string("kind")?;
    let ck = r.string("cycle_kind")?;
    let state = r.string("state")?;
    Ok(Goal {
        id: r.i64("id")?,
        parent_id: r.opt_i64("parent_id")?,
        level: Level::parse(&level).ok_or_else(|| bad("level", &level))?,
        kind: GoalKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        title: r.string("title")?,
        description: r.opt_string("description")?,
        owner_id: r.i64("owner_id")?,
        owner_name: r.string("owner_name")?,
        owner_name_zh: r.opt_string("owner_name_zh")?,
        department_id: r.opt_i64("department_id")?,
        department_name: r.opt_string("department_name")?,
        cycle_kind: CycleKind::parse(&ck).ok_or_else(|| bad("cycle kind", &ck))?,
        cycle: r.string("cycle")?,
        period_start: r.string("period_start")?,
        period_end: r.string("period_end")?,
        due_date: r.string("due_date")?,
        state: GoalState::parse(&state).ok_or_else(|| bad("state", &state))?,
        progress: 0.0,
        health: Health::Green,
        score: r.opt_f64("score")?,
        scored_at: r.opt_i64("scored_at")?,
        key_results: Vec::new(),
        version: r.i64("version")?,
        created_by: r.opt_i64("created_by")?,
        updated_by: r.opt_i64("updated_by")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

/// The policy's goal visibility as SQL (mirrors `Actor::can_see_goal`).
pub fn push_visibility(q: &mut Sql, v: &GoalVisibility) {
    if let GoalVisibility::Scoped {
        departments,
        person_id,
        reports,
    } = v
    {
        let mut ors = vec!["g.level = 'company'".to_string()];
        if !departments.is_empty() {
            let l = q.in_list(departments);
            ors.push(format!("g.department_id IN {l}"));
        }
        if let Some(p) = person_id {
            ors.push(format!("g.owner_id = {}", q.arg(*p)));
        }
        if !reports.is_empty() {
            let l = q.in_list(reports);
            ors.push(format!("g.owner_id IN {l}"));
        }
        q.push(&format!(" AND ({})", ors.join(" OR ")));
    }
}

/// Goal list filters after the service resolved "me".
#[derive(Debug, Clone, Default)]
pub struct Where {
    pub cycle: Option<String>,
    pub level: Option<Level>,
    pub owner_id: Option<i64>,
    pub department_id: Option<i64>,
    pub parent_id: Option<i64>,
    /// Goals owned by this person or holding a key result they own ("my goals").
    pub involving: Option<i64>,
}

fn push_where(q: &mut Sql, w: &Where) {
    if let Some(c) = &w.cycle {
        q.and_eq("g.cycle = {}", c.as_str());
    }
    if let Some(l) = w.level {
        q.and_eq("g.level = {}", l.as_str());
    }
    if let Some(o) = w.owner_id {
        q.and_eq("g.owner_id = {}", o);
    }
    if let Some(d) = w.department_id {
        q.and_eq("g.department_id = {}", d);
    }
    if let Some(p) = w.parent_id {
        q.and_eq("g.parent_id = {}", p);
    }
    if let Some(p) = w.involving {
        let a = q.arg(p);
        q.push(&format!(
            " AND (g.owner_id = {a} OR EXISTS (SELECT 1 FROM key_results k WHERE k.goal_id = g.id AND k.owner_id = {a}))"
        ));
    }
}

/// One page of visible goals (by id) with their key results.
pub async fn list(
    tx: &mut Tx,
    vis: &GoalVisibility,
    w: &Where,
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Goal>, DbError> {
    let mut q = Sql::new(GOAL_SELECT);
    q.push(" WHERE 1=1");
    push_visibility(&mut q, vis);
    push_where(&mut q, w);
    if let Some(a) = after_id {
        q.and_eq("g.id > {}", a);
    }
    let lp = q.arg(limit);
    q.push(&format!(" ORDER BY g.id LIMIT {lp}"));
    let mut goals = tx
        .fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(goal_row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_key_results(tx, &mut goals).await?;
    Ok(goals)
}

/// A direct read under the same visibility as the list.
pub async fn get(tx: &mut Tx, vis: &GoalVisibility, id: i64) -> Result<Option<Goal>, DbError> {
    let mut q = Sql::new(GOAL_SELECT);
    q.push(" WHERE 1=1");
    q.and_eq("g.id = {}", id);
    push_visibility(&mut q, vis);
    let Some(r) = tx.fetch_opt(&q.text, &q.args).await? else {
        return Ok(None);
    };
    let mut goals = vec![goal_row(&r)?];
    attach_key_results(tx, &mut goals).await?;
    Ok(goals.pop())
}

const KR_SELECT: &str = "SELECT k.id, k.goal_id, k.title, k.owner_id, p.name AS owner_name, p.name_zh AS owner_name_zh, \
     k.metric, k.unit, k.start_value, k.target_value, k.current_value, k.weight, k.kpi_id, k.score, \
     k.version, k.created_at, k.updated_at, \
     (SELECT c.confidence FROM goal_checkins c WHERE c.key_result_id = k.id ORDER BY c.created_at DESC, c.id DESC LIMIT 1) AS confidence, \
     (SELECT MAX(c.created_at) FROM goal_checkins c WHERE c.key_result_id = k.id) AS last_checkin_at \
     FROM key_results k JOIN people p ON p.id = k.owner_id";

fn kr_row(r: &Row) -> Result<KeyResult, DbError> {
    Ok(KeyResult {
        id: r.i64("id")?,
        goal_id: r.i64("goal_id")?,
        title: r.string("title")?,
        owner_id: r.i64("owner_id")?,
        owner_name: r.string("owner_name")?,
        owner_name_zh: r.opt_string("owner_name_zh")?,
        metric: r.string("metric")?,
        unit: r.string("unit")?,
        start_value: r.f64("start_value")?,
        target_value: r.f64("target_value")?,
        current_value: r.f64("current_value")?,
        weight: r.f64("weight")?,
        kpi_id: r.opt_i64("kpi_id")?,
        progress: 0.0,
        health: Health::Green,
        confidence: r.opt_i64("confidence")?,
        last_checkin_at: r.opt_i64("last_checkin_at")?,
        score: r.opt_f64("score")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

/// Loads the key results of all `goals` in one query (no N+1).
async fn attach_key_results(tx: &mut Tx, goals: &mut [Goal]) -> Result<(), DbError> {
    if goals.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = goals.iter().map(|g| g.id).collect();
    let mut q = Sql::new(KR_SELECT);
    let l = q.in_list(&ids);
    q.push(&format!(" WHERE k.goal_id IN {l} ORDER BY k.goal_id, k.id"));
    for r in tx.fetch_all(&q.text, &q.args).await? {
        let k = kr_row(&r)?;
        if let Some(g) = goals.iter_mut().find(|g| g.id == k.goal_id) {
            g.key_results.push(k);
        }
    }
    Ok(())
}

/// The id of the goal a key result belongs to.
pub async fn goal_of_kr(tx: &mut Tx, kr_id: i64) -> Result<Option<i64>, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT goal_id FROM key_results WHERE id = $1",
            &[kr_id.into()],
        )
        .await?;
    r.map(|r| r.i64("goal_id")).transpose()
}

fn goal_args(v: &GoalValues) -> Vec<Val> {
    vec![
        v.parent_id.into(),
        v.level.as_str().into(),
        v.kind.as_str().into(),
        v.title.as_str().into(),
        v.description.clone().into(),
        v.owner_id.into(),
        v.department_id.into(),
        v.cycle_kind.as_str().into(),
        v.cycle.as_str().into(),
        v.period_start.as_str().into(),
        v.period_end.as_str().into(),
        v.due_date.as_str().into(),
    ]
}

pub async fn insert_goal(
    tx: &mut Tx,
    v: &GoalValues,
    by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    let mut args = goal_args(v);
    args.extend([by.into(), now.into()]);
    tx.insert_id(
        "INSERT INTO goals (parent_id, level, kind, title, description, owner_id, department_id, cycle_kind, \
         cycle, period_start, period_end, due_date, state, created_by, updated_by, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'active',$13,$13,$14,$14) RETURNING id",
        &args,
    )
    .await
}

/// Optimistic update of an active goal; 0 rows = stale version, gone or locked.
pub async fn update_goal(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &GoalValues,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    let mut args = goal_args(v);
    args.extend([by.into(), now.into(), id.into(), expected_version.into()]);
    tx.execute(
        "UPDATE goals SET parent_id = $1, level = $2, kind = $3, title = $4, description = $5, owner_id = $6, \
         department_id = $7, cycle_kind = $8, cycle = $9, period_start = $10, period_end = $11, due_date = $12, \
         updated_by = $13, updated_at = $14, version = version + 1 \
         WHERE id = $15 AND version = $16 AND state = 'active'",
        &args,
    )
    .await
}

pub async fn delete_goal(tx: &mut Tx, id: i64, expected_version: i64) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM goals WHERE id = $1 AND version = $2 AND state = 'active'",
        &[id.into(), expected_version.into()],
    )
    .await
}

pub async fn child_count(tx: &mut Tx, id: i64) -> Result<i64, DbError> {
    tx.count(
        "SELECT COUNT(*) AS n FROM goals WHERE parent_id = $1",
        &[id.into()],
    )
    .await
}

/// Bumps the goal's version so an ETag read before a key-result change is stale after it.
pub async fn touch_goal(tx: &mut Tx, id: i64, by: Option<i64>, now: i64) -> Result<(), DbError> {
    tx.execute(
        "UPDATE goals SET version = version + 1, updated_by = $2, updated_at = $3 WHERE id = $1",
        &[id.into(), by.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// Records the end-of-cycle scores and locks the goal; 0 rows = stale or already scored.
pub async fn score_goal(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    score: f64,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE goals SET state = 'scored', score = $1, scored_at = $2, scored_by = $3, updated_by = $3, \
         updated_at = $2, version = version + 1 WHERE id = $4 AND version = $5 AND state = 'active'",
        &[score.into(), now.into(), by.into(), id.into(), expected_version.into()],
    )
    .await
}

pub async fn set_kr_score(tx: &mut Tx, kr_id: i64, score: f64) -> Result<(), DbError> {
    tx.execute(
        "UPDATE key_results SET score = $1 WHERE id = $2",
        &[score.into(), kr_id.into()],
    )
    .await?;
    Ok(())
}

fn kr_args(v: &MeasureValues) -> Vec<Val> {
    vec![
        v.title.as_str().into(),
        v.owner_id.into(),
        v.metric.as_str().into(),
        v.unit.as_str().into(),
        v.start_value.into(),
        v.target_value.into(),
        v.current_value.into(),
        v.weight.into(),
        v.kpi_id.into(),
    ]
}

pub async fn insert_kr(
    tx: &mut Tx,
    goal_id: i64,
    v: &MeasureValues,
    by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    let mut args = kr_args(v);
    args.extend([goal_id.into(), by.into(), now.into()]);
    tx.insert_id(
        "INSERT INTO key_results (title, owner_id, metric, unit, start_value, target_value, current_value, weight, \
         kpi_id, goal_id, created_by, updated_by, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11,$12,$12) RETURNING id",
        &args,
    )
    .await
}

pub async fn update_kr(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &MeasureValues,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    let mut args = kr_args(v);
    args.extend([by.into(), now.into(), id.into(), expected_version.into()]);
    tx.execute(
        "UPDATE key_results SET title = $1, owner_id = $2, metric = $3, unit = $4, start_value = $5, \
         target_value = $6, current_value = $7, weight = $8, kpi_id = $9, updated_by = $10, updated_at = $11, \
         version = version + 1 WHERE id = $12 AND version = $13",
        &args,
    )
    .await
}

pub async fn delete_kr(tx: &mut Tx, id: i64, expected_version: i64) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM key_results WHERE id = $1 AND version = $2",
        &[id.into(), expected_version.into()],
    )
    .await
}

/// Sets the current value (a check-in or a KPI refresh) without a version check: check-ins are
/// appended facts, the latest one wins.
pub async fn set_current(
    tx: &mut Tx,
    kr_id: i64,
    value: f64,
    by: Option<i64>,
    now: i64,
) -> Result<(), DbError> {
    tx.execute(
        "UPDATE key_results SET current_value = $1, updated_by = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4",
        &[value.into(), by.into(), now.into(), kr_id.into()],
    )
    .await?;
    Ok(())
}

/// Marks (`Some(now)`) or clears (`None`) the time a key result turned red, returning whether
/// the mark changed — the "notify once" switch.
pub async fn set_red_since(tx: &mut Tx, kr_id: i64, since: Option<i64>) -> Result<bool, DbError> {
    let n = match since {
        Some(t) => {
            tx.execute(
                "UPDATE key_results SET red_since = $1 WHERE id = $2 AND red_since IS NULL",
                &[t.into(), kr_id.into()],
            )
            .await?
        }
        None => {
            tx.execute(
                "UPDATE key_results SET red_since = NULL WHERE id = $1 AND red_since IS NOT NULL",
                &[kr_id.into()],
            )
            .await?
        }
    };
    Ok(n == 1)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_checkin(
    tx: &mut Tx,
    kr_id: i64,
    week: &str,
    value: f64,
    progress: f64,
    confidence: i64,
    note: Option<&str>,
    by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO goal_checkins (key_result_id, week, value, progress, confidence, note, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
        &[
            kr_id.into(),
            week.into(),
            value.into(),
            progress.into(),
            confidence.into(),
            note.into(),
            by.into(),
            now.into(),
        ],
    )
    .await
}

/// The check-ins of a goal's key results, newest first.
pub async fn checkins_of_goal(tx: &mut Tx, goal_id: i64) -> Result<Vec<CheckIn>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT c.id, c.key_result_id, c.week, c.value, c.progress, c.confidence, c.note, c.created_at, \
             u.username AS author FROM goal_checkins c JOIN key_results k ON k.id = c.key_result_id \
             LEFT JOIN users u ON u.id = c.created_by WHERE k.goal_id = $1 \
             ORDER BY c.created_at DESC, c.id DESC LIMIT 500",
            &[goal_id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CheckIn {
                id: r.i64("id")?,
                key_result_id: r.i64("key_result_id")?,
                week: r.string("week")?,
                value: r.f64("value")?,
                progress: r.f64("progress")?,
                confidence: r.i64("confidence")?,
                note: r.opt_string("note")?,
                author: r.opt_string("author")?,
                created_at: r.i64("created_at")?,
            })
        })
        .collect()
}

/// People below `person_id` in the reporting line (direct and indirect reports).
pub async fn reports_of(tx: &mut Tx, person_id: i64) -> Result<Vec<i64>, DbError> {
    let rows = tx
        .fetch_all(
            "WITH RECURSIVE r(id) AS (SELECT id FROM people WHERE manager_id = $1 \
             UNION SELECT p.id FROM people p JOIN r ON p.manager_id = r.id) SELECT id FROM r",
            &[person_id.into()],
        )
        .await?;
    rows.iter().map(|r| r.i64("id")).collect()
}

/// A person's department, whether active, their user account and their manager's account.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonFacts {
    pub department_id: Option<i64>,
    pub active: bool,
    pub user_id: Option<i64>,
    pub manager_user_id: Option<i64>,
}

pub async fn person_facts(tx: &mut Tx, person_id: i64) -> Result<Option<PersonFacts>, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT p.department_id, p.active, p.user_id, m.user_id AS manager_user_id \
             FROM people p LEFT JOIN people m ON m.id = p.manager_id WHERE p.id = $1",
            &[person_id.into()],
        )
        .await?;
    r.map(|r| {
        Ok(PersonFacts {
            department_id: r.opt_i64("department_id")?,
            active: r.bool("active")?,
            user_id: r.opt_i64("user_id")?,
            manager_user_id: r.opt_i64("manager_user_id")?,
        })
    })
    .transpose()
}

pub async fn department_exists(tx: &mut Tx, id: i64) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM departments WHERE id = $1",
            &[id.into()],
        )
        .await?
        > 0)
}

/// A key result whose owner has not checked in during a week, with what the reminder needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingCheckIn {
    pub key_result_id: i64,
    pub goal_id: i64,
    pub title: String,
    pub owner_user_id: i64,
}

/// Key results of active goals whose cycle overlaps the week `[monday, sunday]`, created before
/// the week ended, with no check-in in that week and no reminder for it yet, owned by a person
/// with an account.
pub async fn missing_checkins(
    tx: &mut Tx,
    week: &str,
    monday: &str,
    sunday: &str,
    week_end_ms: i64,
) -> Result<Vec<MissingCheckIn>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT k.id, k.goal_id, k.title, p.user_id FROM key_results k \
             JOIN goals g ON g.id = k.goal_id JOIN people p ON p.id = k.owner_id \
             WHERE g.state = 'active' AND g.period_start <= $3 AND g.period_end >= $2 \
             AND k.created_at < $4 AND p.user_id IS NOT NULL AND p.active = TRUE \
             AND NOT EXISTS (SELECT 1 FROM goal_checkins c WHERE c.key_result_id = k.id AND c.week = $1) \
             AND NOT EXISTS (SELECT 1 FROM goal_checkin_reminders r WHERE r.key_result_id = k.id AND r.week = $1) \
             ORDER BY k.id",
            &[week.into(), monday.into(), sunday.into(), week_end_ms.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(MissingCheckIn {
                key_result_id: r.i64("id")?,
                goal_id: r.i64("goal_id")?,
                title: r.string("title")?,
                owner_user_id: r.i64("user_id")?,
            })
        })
        .collect()
}

/// Claims the reminder for (key result, week); `false` when it was already sent.
pub async fn claim_reminder(
    tx: &mut Tx,
    kr_id: i64,
    week: &str,
    now: i64,
) -> Result<bool, DbError> {
    let n = tx
        .execute(
            "INSERT INTO goal_checkin_reminders (key_result_id, week, sent_at) VALUES ($1,$2,$3) \
             ON CONFLICT (key_result_id, week) DO NOTHING",
            &[kr_id.into(), week.into(), now.into()],
        )
        .await?;
    Ok(n == 1)
}

/// Active goals holding a key result bound to a KPI (for the refresh job).
pub async fn goals_with_bound_krs(tx: &mut Tx) -> Result<Vec<i64>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT DISTINCT g.id FROM goals g JOIN key_results k ON k.goal_id = g.id \
             WHERE g.state = 'active' AND k.kpi_id IS NOT NULL ORDER BY g.id",
            &[],
        )
        .await?;
    rows.iter().map(|r| r.i64("id")).collect()
}

/// Stores a KPI-bound key result's value without bumping versions: it is derived, not edited.
pub async fn store_kpi_value(tx: &mut Tx, kr_id: i64, value: f64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE key_results SET current_value = $1 WHERE id = $2 AND current_value <> $1",
        &[value.into(), kr_id.into()],
    )
    .await
}

/// A department's id and head by its code (demo data).
pub async fn department_by_code(
    tx: &mut Tx,
    code: &str,
) -> Result<Option<(i64, Option<i64>)>, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT id, head_person_id FROM departments WHERE code = $1",
            &[code.into()],
        )
        .await?;
    r.map(|r| Ok((r.i64("id")?, r.opt_i64("head_person_id")?)))
        .transpose()
}

/// Up to `limit` active people of a department other than `except`, by id (demo data).
pub async fn active_members(
    tx: &mut Tx,
    department_id: i64,
    except: Option<i64>,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT id FROM people WHERE department_id = $1 AND active = $2 AND id <> $3 ORDER BY id LIMIT $4",
            &[department_id.into(), true.into(), except.unwrap_or(0).into(), limit.into()],
        )
        .await?;
    rows.iter().map(|r| r.i64("id")).collect()
}

pub async fn goal_count(tx: &mut Tx) -> Result<i64, DbError> {
    tx.count("SELECT COUNT(*) AS n FROM goals", &[]).await
}
