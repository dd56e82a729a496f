//! Capacity SQL: calendar days, leave, and the open assigned work the workload counts.
use crate::capacity::model::{CalendarDay, Leave, LeaveInput, OpenWork};
use db::sql::Sql;
use db::{DbError, Row, Tx};

pub async fn calendar_exceptions(
    tx: &mut Tx,
    from: &str,
    to: &str,
) -> Result<Vec<CalendarDay>, DbError> {
    tx.fetch_all(
        "SELECT day, name, is_off_day FROM calendar_days WHERE day >= $1 AND day <= $2 ORDER BY day",
        &[from.into(), to.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(CalendarDay {
            date: r.string("day")?,
            name: r.string("name")?,
            is_off_day: r.bool("is_off_day")?,
        })
    })
    .collect()
}

/// Replaces a whole year (an import is the year's complete list).
pub async fn replace_year(tx: &mut Tx, year: i32, days: &[CalendarDay]) -> Result<(), DbError> {
    tx.execute(
        "DELETE FROM calendar_days WHERE year = $1",
        &[i64::from(year).into()],
    )
    .await?;
    for d in days {
        tx.execute(
            "INSERT INTO calendar_days (day, year, name, is_off_day) VALUES ($1,$2,$3,$4)",
            &[
                d.date.as_str().into(),
                i64::from(year).into(),
                d.name.trim().into(),
                d.is_off_day.into(),
            ],
        )
        .await?;
    }
    Ok(())
}

const LEAVE_SELECT: &str = "SELECT l.id, l.person_id, p.name AS person_name, l.start_date, l.end_date, l.kind, \
     l.note, l.version, l.created_at FROM leaves l JOIN people p ON p.id = l.person_id";

fn leave_row(r: &Row) -> Result<Leave, DbError> {
    Ok(Leave {
        id: r.i64("id")?,
        person_id: r.i64("person_id")?,
        person_name: r.string("person_name")?,
        start_date: r.string("start_date")?,
        end_date: r.string("end_date")?,
        kind: r.string("kind")?,
        note: r.opt_string("note")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
    })
}

pub async fn get_leave(tx: &mut Tx, id: i64) -> Result<Option<Leave>, DbError> {
    tx.fetch_opt(&format!("{LEAVE_SELECT} WHERE l.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(leave_row)
        .transpose()
}

/// Leave overlapping [from, to] of people the visibility allows, newest start first, keyset
/// paged by id.
pub async fn list_leaves(
    tx: &mut Tx,
    vis: &kernel::policy::Visibility,
    person_id: Option<i64>,
    from: Option<&str>,
    to: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Leave>, DbError> {
    let mut q = Sql::new(&format!("{LEAVE_SELECT} WHERE 1=1"));
    crate::skills::store::push_people_scope(&mut q, vis);
    if let Some(p) = person_id {
        q.and_eq("l.person_id = {}", p);
    }
    if let Some(f) = from {
        q.and_eq("l.end_date >= {}", f);
    }
    if let Some(t) = to {
        q.and_eq("l.start_date <= {}", t);
    }
    if let Some(b) = before_id {
        q.and_eq("l.id < {}", b);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY l.id DESC LIMIT {l}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(leave_row)
        .collect()
}

pub async fn insert_leave(
    tx: &mut Tx,
    v: &LeaveInput,
    by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO leaves (person_id, start_date, end_date, kind, note, created_by, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id",
        &[
            v.person_id.into(),
            v.start_date.as_str().into(),
            v.end_date.as_str().into(),
            v.kind.as_str().into(),
            v.note.clone().into(),
            by.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn update_leave(
    tx: &mut Tx,
    id: i64,
    version: i64,
    v: &LeaveInput,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE leaves SET start_date = $1, end_date = $2, kind = $3, note = $4, version = version + 1 \
         WHERE id = $5 AND version = $6",
        &[
            v.start_date.as_str().into(),
            v.end_date.as_str().into(),
            v.kind.as_str().into(),
            v.note.clone().into(),
            id.into(),
            version.into(),
        ],
    )
    .await
}

pub async fn delete_leave(tx: &mut Tx, id: i64, version: i64) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM leaves WHERE id = $1 AND version = $2",
        &[id.into(), version.into()],
    )
    .await
}

/// (person, start, end) of leave overlapping [from, to] for the given people.
pub async fn leave_ranges(
    tx: &mut Tx,
    people: &[i64],
    from: &str,
    to: &str,
) -> Result<Vec<(i64, String, String)>, DbError> {
    let mut out = Vec::new();
    for chunk in people.chunks(500) {
        let mut q = Sql::new("SELECT person_id, start_date, end_date FROM leaves WHERE 1=1");
        q.and_eq("end_date >= {}", from);
        q.and_eq("start_date <= {}", to);
        let l = q.in_list(chunk);
        q.push(&format!(" AND person_id IN {l}"));
        for r in tx.fetch_all(&q.text, &q.args).await? {
            out.push((
                r.i64("person_id")?,
                r.string("start_date")?,
                r.string("end_date")?,
            ));
        }
    }
    Ok(out)
}

/// Open (todo, doing, blocked) estimated tasks assigned to the given people. The tasks table
/// is the work module's; the workload only reads who carries how many hours when.
pub async fn open_work(tx: &mut Tx, people: &[i64]) -> Result<Vec<OpenWork>, DbError> {
    let mut out = Vec::new();
    for chunk in people.chunks(500) {
        let mut q = Sql::new(
            "SELECT assignee_id, due_date, estimate_hours FROM tasks \
             WHERE status IN ('todo','doing','blocked') AND estimate_hours IS NOT NULL",
        );
        let l = q.in_list(chunk);
        q.push(&format!(" AND assignee_id IN {l}"));
        for r in tx.fetch_all(&q.text, &q.args).await? {
            out.push(OpenWork {
                person_id: r.i64("assignee_id")?,
                due_date: r.opt_string("due_date")?,
                hours: r.f64("estimate_hours")?,
            });
        }
    }
    Ok(out)
}

/// (id, name, name_zh, department, weekly_hours, sort_key) of active people the visibility
/// allows, optionally within departments, keyset paged by (sort_key, id).
pub struct CapacityPerson {
    pub id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub department_id: Option<i64>,
    pub weekly_hours: f64,
    pub sort_key: String,
}

pub async fn capacity_people(
    tx: &mut Tx,
    vis: &kernel::policy::Visibility,
    departments: Option<&[i64]>,
    only: Option<&[i64]>,
    after: Option<(String, i64)>,
    limit: i64,
) -> Result<Vec<CapacityPerson>, DbError> {
    let mut q = Sql::new(
        "SELECT p.id, p.name, p.name_zh, p.department_id, p.weekly_hours, p.sort_key FROM people p WHERE p.active = $1",
    );
    q.args.push(true.into());
    crate::skills::store::push_people_scope(&mut q, vis);
    if let Some(ds) = departments {
        let l = q.in_list(ds);
        q.push(&format!(" AND p.department_id IN {l}"));
    }
    if let Some(ids) = only {
        let l = q.in_list(ids);
        q.push(&format!(" AND p.id IN {l}"));
    }
    if let Some((k, id)) = after {
        let kp = q.arg(k);
        let ip = q.arg(id);
        q.push(&format!(
            " AND (p.sort_key > {kp} OR (p.sort_key = {kp} AND p.id > {ip}))"
        ));
    }
    let lp = q.arg(limit);
    q.push(&format!(" ORDER BY p.sort_key, p.id LIMIT {lp}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(CapacityPerson {
                id: r.i64("id")?,
                name: r.string("name")?,
                name_zh: r.opt_string("name_zh")?,
                department_id: r.opt_i64("department_id")?,
                weekly_hours: r.f64("weekly_hours")?,
                sort_key: r.string("sort_key")?,
            })
        })
        .collect()
}
