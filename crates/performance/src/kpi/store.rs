//! KPI SQL. One select serves lists and direct reads, and one WHERE builder applies the policy's
//! `KpiVisibility` to both (mirrors `Actor::can_see_kpi`).
use crate::kpi::model::{
    Aggregation, Computed, Direction, Frequency, Kpi, KpiValues, Target, ThresholdMode, Unit,
    parse_scope, scope_str,
};
use db::sql::{Sql, like_pattern};
use db::{DbError, Row, Tx, Val};
use kernel::policy::KpiVisibility;

const KPI_SELECT: &str = "SELECT k.id, k.code, k.name, k.name_zh, k.description, k.unit, k.direction, \
     k.aggregation, k.frequency, k.scope, k.department_id, d.name AS department_name, k.person_id, \
     p.name AS person_name, k.owner_person_id, o.name AS owner_name, o.name_zh AS owner_name_zh, \
     k.formula, k.computed, k.threshold_mode, k.amber_from, k.red_from, k.version, k.created_at, \
     k.updated_at FROM kpis k LEFT JOIN departments d ON d.id = k.department_id \
     LEFT JOIN people p ON p.id = k.person_id LEFT JOIN people o ON o.id = k.owner_person_id";

fn bad(what: &str, v: &str) -> DbError {
    DbError::Other(format!("bad kpi {what} {v}"))
}

fn kpi_row(r: &Row) -> Result<Kpi, DbError> {
    let unit = r.string("unit")?;
    let direction = r.string("direction")?;
    let aggregation = r.string("aggregation")?;
    let frequency = r.string("frequency")?;
    let scope = r.string("scope")?;
    let mode = r.string("threshold_mode")?;
    let computed = r.opt_string("computed")?;
    Ok(Kpi {
        id: r.i64("id")?,
        code: r.string("code")?,
        name: r.string("name")?,
        name_zh: r.opt_string("name_zh")?,
        description: r.opt_string("description")?,
        unit: Unit::parse(&unit).ok_or_else(|| bad("unit", &unit))?,
        direction: Direction::parse(&direction).ok_or_else(|| bad("direction", &direction))?,
        aggregation: Aggregation::parse(&aggregation)
            .ok_or_else(|| bad("aggregation", &aggregation))?,
        frequency: Frequency::parse(&frequency).ok_or_else(|| bad("frequency", &frequency))?,
        scope: parse_scope(&scope).ok_or_else(|| bad("scope", &scope))?,
        department_id: r.opt_i64("department_id")?,
        department_name: r.opt_string("department_name")?,
        person_id: r.opt_i64("person_id")?,
        person_name: r.opt_string("person_name")?,
        owner_person_id: r.opt_i64("owner_person_id")?,
        owner_name: r.opt_string("owner_name")?,
        owner_name_zh: r.opt_string("owner_name_zh")?,
        formula: r.opt_string("formula")?,
        computed: match computed {
            Some(c) => Some(Computed::parse(&c).ok_or_else(|| bad("computed", &c))?),
            None => None,
        },
        threshold_mode: ThresholdMode::parse(&mode).ok_or_else(|| bad("threshold mode", &mode))?,
        amber_from: r.f64("amber_from")?,
        red_from: r.f64("red_from")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

/// The policy's KPI visibility as SQL.
pub fn push_visibility(q: &mut Sql, v: &KpiVisibility) {
    if let KpiVisibility::Scoped {
        departments,
        their_people,
        person_id,
    } = v
    {
        let l = q.in_list(departments);
        let mut ors = vec![
            "k.scope = 'company'".to_string(),
            format!("(k.scope = 'department' AND k.department_id IN {l})"),
        ];
        if *their_people {
            ors.push(format!("(k.scope = 'person' AND k.department_id IN {l})"));
        }
        if let Some(p) = person_id {
            let pp = q.arg(*p);
            ors.push(format!("k.person_id = {pp} OR k.owner_person_id = {pp}"));
        }
        q.push(&format!(" AND ({})", ors.join(" OR ")));
    }
}

/// List filters after the service resolved them.
#[derive(Debug, Clone, Default)]
pub struct Where {
    pub scope: Option<String>,
    pub department_id: Option<i64>,
    pub owner_person_id: Option<i64>,
    pub q: Option<String>,
}

/// One page of visible KPIs ordered by code, after `after_code`.
pub async fn list(
    tx: &mut Tx,
    vis: &KpiVisibility,
    w: &Where,
    after_code: Option<&str>,
    limit: i64,
) -> Result<Vec<Kpi>, DbError> {
    let mut q = Sql::new(KPI_SELECT);
    q.push(" WHERE 1=1");
    push_visibility(&mut q, vis);
    if let Some(s) = &w.scope {
        q.and_eq("k.scope = {}", s.as_str());
    }
    if let Some(d) = w.department_id {
        q.and_eq("k.department_id = {}", d);
    }
    if let Some(o) = w.owner_person_id {
        q.and_eq("k.owner_person_id = {}", o);
    }
    if let Some(text) = w.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = q.arg(like_pattern(&text.to_lowercase()));
        q.push(&format!(
            " AND (LOWER(k.code) LIKE {p} ESCAPE '\\' OR LOWER(k.name) LIKE {p} ESCAPE '\\' \
             OR LOWER(COALESCE(k.name_zh, '')) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(a) = after_code {
        q.and_eq("k.code > {}", a);
    }
    let lp = q.arg(limit);
    q.push(&format!(" ORDER BY k.code LIMIT {lp}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(kpi_row)
        .collect()
}

pub async fn get(tx: &mut Tx, vis: &KpiVisibility, id: i64) -> Result<Option<Kpi>, DbError> {
    let mut q = Sql::new(KPI_SELECT);
    q.push(" WHERE 1=1");
    q.and_eq("k.id = {}", id);
    push_visibility(&mut q, vis);
    tx.fetch_opt(&q.text, &q.args)
        .await?
        .as_ref()
        .map(kpi_row)
        .transpose()
}

pub async fn get_by_code(
    tx: &mut Tx,
    vis: &KpiVisibility,
    code: &str,
) -> Result<Option<Kpi>, DbError> {
    let mut q = Sql::new(KPI_SELECT);
    q.push(" WHERE 1=1");
    q.and_eq("k.code = {}", code);
    push_visibility(&mut q, vis);
    tx.fetch_opt(&q.text, &q.args)
        .await?
        .as_ref()
        .map(kpi_row)
        .transpose()
}

/// Every KPI (the refresh job and formula inputs, which are evaluated for the whole company).
pub async fn all(tx: &mut Tx) -> Result<Vec<Kpi>, DbError> {
    tx.fetch_all(&format!("{KPI_SELECT} ORDER BY k.id"), &[])
        .await?
        .iter()
        .map(kpi_row)
        .collect()
}

/// `code → formula` of every formula KPI (cycles are checked across the whole library).
pub async fn formulas(tx: &mut Tx) -> Result<Vec<(i64, String, String)>, DbError> {
    tx.fetch_all(
        "SELECT id, code, formula FROM kpis WHERE formula IS NOT NULL",
        &[],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.string("code")?, r.string("formula")?)))
    .collect()
}

/// The ids of the KPIs with these codes (those that exist).
pub async fn ids_of_codes(tx: &mut Tx, codes: &[String]) -> Result<Vec<(String, i64)>, DbError> {
    if codes.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT code, id FROM kpis WHERE code IN (");
    let ps: Vec<String> = codes.iter().map(|c| q.arg(c.as_str())).collect();
    q.push(&ps.join(","));
    q.push(")");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| Ok((r.string("code")?, r.i64("id")?)))
        .collect()
}

/// Formula KPIs that read `code` (a code in use cannot be renamed away or deleted).
pub async fn used_by(tx: &mut Tx, code: &str) -> Result<Vec<String>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT code, formula FROM kpis WHERE formula IS NOT NULL",
            &[],
        )
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let (c, f) = (r.string("code")?, r.string("formula")?);
        if crate::kpi::formula::parse(&f).is_ok_and(|e| e.refs().contains(code)) {
            out.push(c);
        }
    }
    Ok(out)
}

/// How many key results are bound to the KPI and how many scorecards weigh it: deleting the KPI
/// would silently unbind the former and drop it from the latter, so a delete is refused while
/// either is non-zero. Counts, not names: the caller may not see those goals or scorecards.
pub async fn bound_elsewhere(tx: &mut Tx, id: i64) -> Result<(i64, i64), DbError> {
    let r = tx
        .fetch_one(
            "SELECT (SELECT COUNT(*) FROM key_results WHERE kpi_id = $1) AS key_results, \
             (SELECT COUNT(DISTINCT scorecard_id) FROM scorecard_items WHERE kpi_id = $1) AS scorecards",
            &[Val::from(id)],
        )
        .await?;
    Ok((r.i64("key_results")?, r.i64("scorecards")?))
}

fn value_args(v: &KpiValues) -> Vec<Val> {
    vec![
        v.code.as_str().into(),
        v.name.as_str().into(),
        v.name_zh.clone().into(),
        v.description.clone().into(),
        v.unit.as_str().into(),
        v.direction.as_str().into(),
        v.aggregation.as_str().into(),
        v.frequency.as_str().into(),
        scope_str(v.scope).into(),
        v.department_id.into(),
        v.person_id.into(),
        v.owner_person_id.into(),
        v.formula.clone().into(),
        v.computed.map(|c| c.as_str().to_string()).into(),
        v.threshold_mode.as_str().into(),
        v.amber_from.into(),
        v.red_from.into(),
    ]
}

pub async fn insert(tx: &mut Tx, v: &KpiValues, by: Option<i64>, now: i64) -> Result<i64, DbError> {
    let mut args = value_args(v);
    args.extend([by.into(), now.into()]);
    tx.insert_id(
        "INSERT INTO kpis (code, name, name_zh, description, unit, direction, aggregation, frequency, \
         scope, department_id, person_id, owner_person_id, formula, computed, threshold_mode, amber_from, \
         red_from, created_by, updated_by, created_at, updated_at) VALUES \
         ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$18,$19,$19) RETURNING id",
        &args,
    )
    .await
}

/// Optimistic update; 0 rows = stale version.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &KpiValues,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    let mut args = value_args(v);
    args.extend([by.into(), now.into(), id.into(), expected_version.into()]);
    tx.execute(
        "UPDATE kpis SET code = $1, name = $2, name_zh = $3, description = $4, unit = $5, direction = $6, \
         aggregation = $7, frequency = $8, scope = $9, department_id = $10, person_id = $11, \
         owner_person_id = $12, formula = $13, computed = $14, threshold_mode = $15, amber_from = $16, \
         red_from = $17, updated_by = $18, updated_at = $19, version = version + 1 \
         WHERE id = $20 AND version = $21",
        &args,
    )
    .await
}

/// Bumps the version (targets changed: they are part of what the KPI's ETag names).
pub async fn touch(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE kpis SET version = version + 1, updated_by = $1, updated_at = $2 \
         WHERE id = $3 AND version = $4",
        &[by.into(), now.into(), id.into(), expected_version.into()],
    )
    .await
}

pub async fn delete(tx: &mut Tx, id: i64, expected_version: i64) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM kpis WHERE id = $1 AND version = $2",
        &[id.into(), expected_version.into()],
    )
    .await
}

pub async fn code_taken(tx: &mut Tx, code: &str, except: Option<i64>) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM kpis WHERE code = $1 AND id <> $2",
            &[code.into(), except.unwrap_or(0).into()],
        )
        .await?
        > 0)
}

// ---------------------------------------------------------------- targets

pub async fn targets(tx: &mut Tx, kpi_id: i64) -> Result<Vec<Target>, DbError> {
    tx.fetch_all(
        "SELECT period, target, target_high FROM kpi_targets WHERE kpi_id = $1 ORDER BY period",
        &[kpi_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Target {
            period: r.string("period")?,
            target: r.f64("target")?,
            target_high: r.opt_f64("target_high")?,
        })
    })
    .collect()
}

pub async fn upsert_target(
    tx: &mut Tx,
    kpi_id: i64,
    t: &Target,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "INSERT INTO kpi_targets (kpi_id, period, target, target_high, updated_by, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (kpi_id, period) DO UPDATE SET \
         target = excluded.target, target_high = excluded.target_high, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
        &[
            kpi_id.into(),
            t.period.as_str().into(),
            t.target.into(),
            t.target_high.into(),
            by.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn delete_target(tx: &mut Tx, kpi_id: i64, period: &str) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM kpi_targets WHERE kpi_id = $1 AND period = $2",
        &[kpi_id.into(), period.into()],
    )
    .await
}

// ---------------------------------------------------------------- data points

/// A data point as stored: the day it belongs to (a period's first day for period values).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPoint {
    pub day: String,
    pub source: String,
    pub value: f64,
    pub denominator: Option<f64>,
}

/// Every point of a KPI, by day (the KPI page reads them all: 3 years of days is ~1,100 rows).
pub async fn points(tx: &mut Tx, kpi_id: i64) -> Result<Vec<StoredPoint>, DbError> {
    tx.fetch_all(
        "SELECT day, source, value, denominator FROM kpi_points WHERE kpi_id = $1 ORDER BY day, source",
        &[kpi_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(StoredPoint {
            day: r.string("day")?,
            source: r.string("source")?,
            value: r.f64("value")?,
            denominator: r.opt_f64("denominator")?,
        })
    })
    .collect()
}

pub async fn point(
    tx: &mut Tx,
    kpi_id: i64,
    day: &str,
    source: &str,
) -> Result<Option<(f64, Option<f64>)>, DbError> {
    tx.fetch_opt(
        "SELECT value, denominator FROM kpi_points WHERE kpi_id = $1 AND day = $2 AND source = $3",
        &[kpi_id.into(), day.into(), source.into()],
    )
    .await?
    .map(|r| Ok((r.f64("value")?, r.opt_f64("denominator")?)))
    .transpose()
}

/// Inserts or replaces the point of (KPI, day, source).
pub async fn upsert_point(
    tx: &mut Tx,
    kpi_id: i64,
    p: &StoredPoint,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "INSERT INTO kpi_points (kpi_id, day, source, value, denominator, updated_by, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (kpi_id, day, source) DO UPDATE SET \
         value = excluded.value, denominator = excluded.denominator, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
        &[
            kpi_id.into(),
            p.day.as_str().into(),
            p.source.as_str().into(),
            p.value.into(),
            p.denominator.into(),
            by.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn delete_point(
    tx: &mut Tx,
    kpi_id: i64,
    day: &str,
    source: &str,
) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM kpi_points WHERE kpi_id = $1 AND day = $2 AND source = $3",
        &[kpi_id.into(), day.into(), source.into()],
    )
    .await
}

/// Inserts many points in multi-row statements (demo data, imports, the refresh job's history).
pub async fn insert_points_bulk(
    tx: &mut Tx,
    kpi_id: i64,
    rows: &[StoredPoint],
    now: i64,
) -> Result<u64, DbError> {
    let mut n = 0;
    for chunk in rows.chunks(100) {
        let mut q = Sql::new(
            "INSERT INTO kpi_points (kpi_id, day, source, value, denominator, updated_by, updated_at) VALUES ",
        );
        for (i, p) in chunk.iter().enumerate() {
            let ps = [
                q.arg(kpi_id),
                q.arg(p.day.as_str()),
                q.arg(p.source.as_str()),
                q.arg(p.value),
                q.arg(p.denominator),
                q.arg(Val::from(None::<i64>)),
                q.arg(now),
            ];
            q.push(&format!(
                "{}({})",
                if i > 0 { "," } else { "" },
                ps.join(",")
            ));
        }
        q.push(
            " ON CONFLICT (kpi_id, day, source) DO UPDATE SET value = excluded.value, \
             denominator = excluded.denominator, updated_at = excluded.updated_at",
        );
        n += tx.execute(&q.text, &q.args).await?;
    }
    Ok(n)
}

// ---------------------------------------------------------------- actions and alerts

/// An action opened from a KPI, with its task's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRow {
    pub id: i64,
    pub kpi_id: i64,
    pub task_id: Option<i64>,
    pub period: String,
    pub created_at: i64,
    pub title: Option<String>,
    pub status: Option<String>,
    pub due_date: Option<String>,
    pub completed_at: Option<i64>,
    pub assignee_name: Option<String>,
    pub assignee_name_zh: Option<String>,
}

pub async fn insert_action(
    tx: &mut Tx,
    kpi_id: i64,
    task_id: i64,
    period: &str,
    by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO kpi_actions (kpi_id, task_id, period, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5) RETURNING id",
        &[
            kpi_id.into(),
            task_id.into(),
            period.into(),
            by.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn actions(tx: &mut Tx, kpi_id: i64) -> Result<Vec<ActionRow>, DbError> {
    tx.fetch_all(
        "SELECT a.id, a.kpi_id, a.task_id, a.period, a.created_at, t.title, t.status, t.due_date, \
         t.completed_at, p.name AS assignee_name, p.name_zh AS assignee_name_zh FROM kpi_actions a \
         LEFT JOIN tasks t ON t.id = a.task_id LEFT JOIN people p ON p.id = t.assignee_id \
         WHERE a.kpi_id = $1 ORDER BY a.id DESC",
        &[kpi_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(ActionRow {
            id: r.i64("id")?,
            kpi_id: r.i64("kpi_id")?,
            task_id: r.opt_i64("task_id")?,
            period: r.string("period")?,
            created_at: r.i64("created_at")?,
            title: r.opt_string("title")?,
            status: r.opt_string("status")?,
            due_date: r.opt_string("due_date")?,
            completed_at: r.opt_i64("completed_at")?,
            assignee_name: r.opt_string("assignee_name")?,
            assignee_name_zh: r.opt_string("assignee_name_zh")?,
        })
    })
    .collect()
}

/// Records an alert; false when it was already recorded (so nobody is told twice).
pub async fn record_alert(
    tx: &mut Tx,
    kpi_id: i64,
    period: &str,
    kind: &str,
    now: i64,
) -> Result<bool, DbError> {
    let n = tx
        .execute(
            "INSERT INTO kpi_alerts (kpi_id, period, kind, created_at) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (kpi_id, period, kind) DO NOTHING",
            &[kpi_id.into(), period.into(), kind.into(), now.into()],
        )
        .await?;
    Ok(n == 1)
}

/// The account of a person and the account of their manager (either may be missing).
pub async fn person_and_manager_users(
    tx: &mut Tx,
    person_id: i64,
) -> Result<(Option<i64>, Option<i64>), DbError> {
    let r = tx
        .fetch_opt(
            "SELECT p.user_id AS own, m.user_id AS manager FROM people p \
             LEFT JOIN people m ON m.id = p.manager_id WHERE p.id = $1",
            &[person_id.into()],
        )
        .await?;
    Ok(match r {
        Some(r) => (r.opt_i64("own")?, r.opt_i64("manager")?),
        None => (None, None),
    })
}

/// A person's department (for person KPIs), if the person exists.
pub async fn person_department(
    tx: &mut Tx,
    person_id: i64,
) -> Result<Option<Option<i64>>, DbError> {
    tx.fetch_opt(
        "SELECT department_id FROM people WHERE id = $1",
        &[person_id.into()],
    )
    .await?
    .map(|r| r.opt_i64("department_id"))
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

// ---------------------------------------------------------------- opsdesk's own data

/// Done tasks (completion instant, due date) of the given departments (all when `None`).
pub async fn done_tasks(
    tx: &mut Tx,
    departments: Option<&[i64]>,
) -> Result<Vec<(i64, Option<String>)>, DbError> {
    let mut q = Sql::new(
        "SELECT t.completed_at, t.due_date FROM tasks t WHERE t.status = 'done' AND t.completed_at IS NOT NULL",
    );
    if let Some(ds) = departments {
        let l = q.in_list(ds);
        q.push(&format!(" AND t.department_id IN {l}"));
    }
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| Ok((r.i64("completed_at")?, r.opt_string("due_date")?)))
        .collect()
}

/// Open tasks due before `today` in the given departments (all when `None`).
pub async fn overdue_count(
    tx: &mut Tx,
    departments: Option<&[i64]>,
    today: &str,
) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "SELECT COUNT(*) AS n FROM tasks t WHERE t.status NOT IN ('done','cancelled') AND t.due_date < $1",
    );
    q.args.push(today.into());
    if let Some(ds) = departments {
        let l = q.in_list(ds);
        q.push(&format!(" AND t.department_id IN {l}"));
    }
    tx.count(&q.text, &q.args).await
}

/// A department's id and head by its code (the demo library).
pub async fn department_by_code(
    tx: &mut Tx,
    code: &str,
) -> Result<Option<(i64, Option<i64>)>, DbError> {
    tx.fetch_opt(
        "SELECT id, head_person_id FROM departments WHERE code = $1",
        &[code.into()],
    )
    .await?
    .map(|r| Ok((r.i64("id")?, r.opt_i64("head_person_id")?)))
    .transpose()
}

/// The first active person of a department other than its head (the demo library).
pub async fn first_member(tx: &mut Tx, department_id: i64) -> Result<Option<i64>, DbError> {
    tx.fetch_opt(
        "SELECT p.id FROM people p JOIN departments d ON d.id = p.department_id \
         WHERE p.department_id = $1 AND p.id <> COALESCE(d.head_person_id, 0) AND p.active = $2 \
         ORDER BY p.id LIMIT 1",
        &[department_id.into(), true.into()],
    )
    .await?
    .map(|r| r.i64("id"))
    .transpose()
}

/// Marks a task done at `at` (the demo's finished action; real changes go through the work
/// service).
pub async fn finish_task_at(tx: &mut Tx, task_id: i64, at: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE tasks SET status = 'done', completed_at = $1, updated_at = $1, version = version + 1 \
         WHERE id = $2",
        &[at.into(), task_id.into()],
    )
    .await
}

/// Moves an action's opening back in time (the demo's history).
pub async fn backdate_action(
    tx: &mut Tx,
    action_id: i64,
    period: &str,
    at: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE kpi_actions SET period = $1, created_at = $2 WHERE id = $3",
        &[period.into(), at.into(), action_id.into()],
    )
    .await
}
