//! Task SQL. One select (names joined, no N+1) serves both the list and a direct read, and one
//! WHERE builder applies the policy's visibility to both, so a list never shows what a get refuses.
use crate::model::{Priority, Status, Task, TaskSort, TaskValues};
use db::sql::{Sql, like_pattern};
use db::{DbError, Row, Tx, Val};
use kernel::policy::Visibility;

const TASK_SELECT: &str = "SELECT t.id, t.title, t.description, t.assignee_id, p.name AS assignee_name, \
     p.name_zh AS assignee_name_zh, t.department_id, d.name AS department_name, t.status, t.priority, t.due_date, \
     t.estimate_hours, t.completed_at, t.version, t.created_by, t.updated_by, t.created_at, t.updated_at \
     FROM tasks t LEFT JOIN people p ON p.id = t.assignee_id LEFT JOIN departments d ON d.id = t.department_id";

fn task_row(r: &Row) -> Result<Task, DbError> {
    let status = r.string("status")?;
    let priority = r.string("priority")?;
    Ok(Task {
        id: r.i64("id")?,
        title: r.string("title")?,
        description: r.opt_string("description")?,
        assignee_id: r.opt_i64("assignee_id")?,
        assignee_name: r.opt_string("assignee_name")?,
        assignee_name_zh: r.opt_string("assignee_name_zh")?,
        department_id: r.opt_i64("department_id")?,
        department_name: r.opt_string("department_name")?,
        status: Status::parse(&status)
            .ok_or_else(|| DbError::Other(format!("bad task status {status}")))?,
        priority: Priority::parse(&priority)
            .ok_or_else(|| DbError::Other(format!("bad task priority {priority}")))?,
        due_date: r.opt_string("due_date")?,
        estimate_hours: r.opt_f64("estimate_hours")?,
        completed_at: r.opt_i64("completed_at")?,
        version: r.i64("version")?,
        created_by: r.opt_i64("created_by")?,
        updated_by: r.opt_i64("updated_by")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

/// The policy's visibility as SQL (mirrors `Actor::can_see_task`).
pub fn push_visibility(q: &mut Sql, v: &Visibility) {
    if let Visibility::Scoped {
        departments,
        person_id,
        user_id,
    } = v
    {
        let l = q.in_list(departments);
        let mut ors = vec![format!("t.department_id IN {l}")];
        if let Some(p) = person_id {
            ors.push(format!("t.assignee_id = {}", q.arg(*p)));
        }
        ors.push(format!("t.created_by = {}", q.arg(*user_id)));
        q.push(&format!(" AND ({})", ors.join(" OR ")));
    }
}

/// Who a list is restricted to as assignee.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AssigneeIs {
    Person(i64),
    Unassigned,
    /// `me` for an account without a person: matches nothing.
    Nobody,
}

/// List filters after the service resolved "me", sub-departments and today's date.
#[derive(Debug, Clone, Default)]
pub struct Where {
    pub departments: Option<Vec<i64>>,
    pub statuses: Vec<Status>,
    pub assignee: Option<AssigneeIs>,
    pub priority: Option<Priority>,
    pub due_before: Option<String>,
    pub due_after: Option<String>,
    /// `Some(today)`: open tasks due before today.
    pub overdue_before: Option<String>,
    pub q: Option<String>,
}

fn push_where(q: &mut Sql, w: &Where) {
    if let Some(ds) = &w.departments {
        if ds.len() == 1 {
            q.and_eq("t.department_id = {}", ds[0]);
        } else {
            let l = q.in_list(ds);
            q.push(&format!(" AND t.department_id IN {l}"));
        }
    }
    match w.statuses.as_slice() {
        [] => {}
        [s] => {
            q.and_eq("t.status = {}", s.as_str());
        }
        many => {
            let ps: Vec<String> = many.iter().map(|s| q.arg(s.as_str())).collect();
            q.push(&format!(" AND t.status IN ({})", ps.join(",")));
        }
    }
    match w.assignee {
        Some(AssigneeIs::Person(p)) => {
            q.and_eq("t.assignee_id = {}", p);
        }
        Some(AssigneeIs::Unassigned) => {
            q.push(" AND t.assignee_id IS NULL");
        }
        Some(AssigneeIs::Nobody) => {
            q.push(" AND 1 = 0");
        }
        None => {}
    }
    if let Some(p) = w.priority {
        q.and_eq("t.priority = {}", p.as_str());
    }
    if let Some(d) = &w.due_before {
        q.and_eq("t.due_date <= {}", d.as_str());
    }
    if let Some(d) = &w.due_after {
        q.and_eq("t.due_date >= {}", d.as_str());
    }
    if let Some(today) = &w.overdue_before {
        q.and_eq("t.due_date < {}", today.as_str());
        q.push(" AND t.status NOT IN ('done','cancelled')");
    }
    if let Some(text) = w.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = q.arg(like_pattern(&text.to_lowercase()));
        q.push(&format!(
            " AND (LOWER(t.title) LIKE {p} ESCAPE '\\' OR LOWER(COALESCE(t.description, '')) LIKE {p} ESCAPE '\\')"
        ));
    }
}

const PRIORITY_RANK: &str =
    "CASE t.priority WHEN 'low' THEN 0 WHEN 'medium' THEN 1 WHEN 'high' THEN 2 ELSE 3 END";

/// The SQL sort expression; never NULL (no due date sorts after every date), so keysets hold.
fn sort_expr(s: TaskSort) -> &'static str {
    match s {
        TaskSort::Id => "t.id",
        TaskSort::CreatedAt => "t.created_at",
        TaskSort::UpdatedAt => "t.updated_at",
        TaskSort::DueDate => "COALESCE(t.due_date, '9999-12-31')",
        TaskSort::Priority => PRIORITY_RANK,
        TaskSort::Title => "t.title",
    }
}

/// A task's sort key as text, for the cursor.
pub fn sort_key(s: TaskSort, t: &Task) -> String {
    match s {
        TaskSort::Id => t.id.to_string(),
        TaskSort::CreatedAt => t.created_at.to_string(),
        TaskSort::UpdatedAt => t.updated_at.to_string(),
        TaskSort::DueDate => t.due_date.clone().unwrap_or_else(|| "9999-12-31".into()),
        TaskSort::Priority => t.priority.rank().to_string(),
        TaskSort::Title => t.title.clone(),
    }
}

/// The keyset position after which a page starts: (sort key, id).
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    Int(i64, i64),
    Text(String, i64),
}

/// One page of visible tasks matching `w`, ordered by (sort key, id).
pub async fn list(
    tx: &mut Tx,
    vis: &Visibility,
    w: &Where,
    sort: TaskSort,
    desc: bool,
    after: Option<&After>,
    limit: i64,
) -> Result<Vec<Task>, DbError> {
    let mut q = Sql::new(TASK_SELECT);
    q.push(" WHERE 1=1");
    push_visibility(&mut q, vis);
    push_where(&mut q, w);
    let key = sort_expr(sort);
    let (cmp, dir) = if desc { ("<", "DESC") } else { (">", "ASC") };
    if let Some(a) = after {
        let (kp, id) = match a {
            After::Int(k, id) => (q.arg(*k), *id),
            After::Text(k, id) => (q.arg(k.as_str()), *id),
        };
        if sort == TaskSort::Id {
            q.push(&format!(" AND t.id {cmp} {kp}"));
        } else {
            let ip = q.arg(id);
            q.push(&format!(
                " AND ({key} {cmp} {kp} OR ({key} = {kp} AND t.id {cmp} {ip}))"
            ));
        }
    }
    let lp = q.arg(limit);
    if sort == TaskSort::Id {
        q.push(&format!(" ORDER BY t.id {dir} LIMIT {lp}"));
    } else {
        q.push(&format!(" ORDER BY {key} {dir}, t.id {dir} LIMIT {lp}"));
    }
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(task_row)
        .collect()
}

/// A direct read: the list query restricted to one id, under the same visibility.
pub async fn get(tx: &mut Tx, vis: &Visibility, id: i64) -> Result<Option<Task>, DbError> {
    let mut q = Sql::new(TASK_SELECT);
    q.push(" WHERE 1=1");
    q.and_eq("t.id = {}", id);
    push_visibility(&mut q, vis);
    tx.fetch_opt(&q.text, &q.args)
        .await?
        .as_ref()
        .map(task_row)
        .transpose()
}

/// Visible matching tasks per status.
pub async fn count_by_status(
    tx: &mut Tx,
    vis: &Visibility,
    w: &Where,
) -> Result<Vec<(Status, i64)>, DbError> {
    let mut q = Sql::new("SELECT t.status AS status, COUNT(*) AS n FROM tasks t WHERE 1=1");
    push_visibility(&mut q, vis);
    push_where(&mut q, w);
    q.push(" GROUP BY t.status");
    let rows = tx.fetch_all(&q.text, &q.args).await?;
    rows.iter()
        .filter_map(|r| {
            let s = r.string("status").ok()?;
            Some(Ok((Status::parse(&s)?, r.i64("n").ok()?)))
        })
        .collect()
}

fn value_args(v: &TaskValues) -> Vec<Val> {
    vec![
        v.title.as_str().into(),
        v.description.clone().into(),
        v.assignee_id.into(),
        v.department_id.into(),
        v.status.as_str().into(),
        v.priority.as_str().into(),
        v.due_date.clone().into(),
        v.estimate_hours.into(),
        v.completed_at.into(),
    ]
}

const INSERT_COLS: &str = "INSERT INTO tasks (title, description, assignee_id, department_id, status, priority, \
     due_date, estimate_hours, completed_at, created_by, updated_by, created_at, updated_at) VALUES ";

pub async fn insert(
    tx: &mut Tx,
    v: &TaskValues,
    by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    let mut args = value_args(v);
    args.extend([by.into(), now.into()]);
    tx.insert_id(
        &format!("{INSERT_COLS}($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$10,$11,$11) RETURNING id"),
        &args,
    )
    .await
}

/// A task row as a bulk load writes it (its own timestamps and author).
#[derive(Debug, Clone)]
pub struct BulkTask {
    pub values: TaskValues,
    pub created_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Inserts many tasks, a multi-row statement per chunk (demo and imports).
pub async fn insert_bulk(tx: &mut Tx, rows: &[BulkTask]) -> Result<u64, DbError> {
    let mut n = 0;
    // Small chunks: binding cost grows with the square of the parameter count in sqlx-sqlite
    // (measured: 1,000 rows per statement is 7x slower than 50).
    for chunk in rows.chunks(50) {
        let mut q = Sql::new(INSERT_COLS);
        for (i, t) in chunk.iter().enumerate() {
            let mut args = value_args(&t.values);
            args.extend([
                t.created_by.into(),
                t.created_by.into(),
                t.created_at.into(),
                t.updated_at.into(),
            ]);
            let ps: Vec<String> = args.into_iter().map(|a| q.arg(a)).collect();
            q.push(&format!(
                "{}({})",
                if i > 0 { "," } else { "" },
                ps.join(",")
            ));
        }
        n += tx.execute(&q.text, &q.args).await?;
    }
    Ok(n)
}

/// Optimistic update; 0 rows = stale version (or gone).
pub async fn update(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &TaskValues,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    let mut args = value_args(v);
    args.extend([by.into(), now.into(), id.into(), expected_version.into()]);
    tx.execute(
        "UPDATE tasks SET title = $1, description = $2, assignee_id = $3, department_id = $4, status = $5, \
         priority = $6, due_date = $7, estimate_hours = $8, completed_at = $9, updated_by = $10, updated_at = $11, \
         version = version + 1 WHERE id = $12 AND version = $13",
        &args,
    )
    .await
}

pub async fn delete(tx: &mut Tx, id: i64, expected_version: i64) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM tasks WHERE id = $1 AND version = $2",
        &[id.into(), expected_version.into()],
    )
    .await
}

/// The person's name and linked user account, if the person exists.
pub async fn person_user(
    tx: &mut Tx,
    person_id: i64,
) -> Result<Option<(bool, Option<i64>)>, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT active, user_id FROM people WHERE id = $1",
            &[person_id.into()],
        )
        .await?;
    r.map(|r| Ok((r.bool("active")?, r.opt_i64("user_id")?)))
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
