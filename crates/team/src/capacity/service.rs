//! Capacity use cases: the calendar (admins import it), leave (members for themselves,
//! managers in their departments), the workload heat map and the availability assignment uses.
use crate::capacity::model::{
    CalendarDay, CalendarYear, Leave, LeaveInput, LeavePatch, WorkCalendar, Workload, WorkloadRow,
    hours_between, monday_of, parse_calendar, week_cell, week_index,
};
use crate::capacity::store;
use db::{Db, Tx};
use kernel::dates::{format_date, parse_date};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};
use serde::Serialize;
use std::collections::HashMap;
use time::{Date, Duration};
use utoipa::ToSchema;

fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

pub fn today(ctx: &Ctx) -> Date {
    kernel::dates::date_of(ctx.now_ms, 8)
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportSummary {
    pub year: i32,
    pub off_days: usize,
    pub make_up_workdays: usize,
}

/// Imports (replaces) a year's holidays and make-up workdays from the holiday JSON format.
/// All or nothing: a bad file changes nothing and says what is wrong.
pub async fn import_calendar(db: &Db, ctx: &Ctx, body: &str) -> AppResult<ImportSummary> {
    if !ctx.actor.can_manage_calendar() {
        return Err(AppError::Forbidden("import the working calendar"));
    }
    let y: CalendarYear = parse_calendar(body)?;
    let mut tx = db.write().await?;
    store::replace_year(&mut tx, y.year, &y.days).await?;
    let summary = ImportSummary {
        year: y.year,
        off_days: y.days.iter().filter(|d| d.is_off_day).count(),
        make_up_workdays: y.days.iter().filter(|d| !d.is_off_day).count(),
    };
    db::audit::log_change(
        &mut tx,
        ctx,
        "calendar.import",
        "calendar",
        Some(i64::from(y.year)),
        None,
        json(&y),
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// A year's holidays and make-up workdays (everyone may read the company calendar).
pub async fn calendar(db: &Db, _ctx: &Ctx, year: i32) -> AppResult<Vec<CalendarDay>> {
    let mut tx = db.read().await?;
    Ok(store::calendar_exceptions(
        &mut tx,
        &format!("{year:04}-01-01"),
        &format!("{year:04}-12-31"),
    )
    .await?)
}

pub async fn work_calendar(tx: &mut Tx, from: Date, to: Date) -> AppResult<WorkCalendar> {
    let days = store::calendar_exceptions(tx, &format_date(from), &format_date(to)).await?;
    Ok(WorkCalendar {
        exceptions: days.into_iter().map(|d| (d.date, d.is_off_day)).collect(),
    })
}

async fn leave_target(tx: &mut Tx, ctx: &Ctx, person_id: i64) -> AppResult<Option<i64>> {
    let dept = crate::skills::store::person_department(tx, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx.actor.can_see_person_capability(dept, person_id) {
        return Err(AppError::NotFound);
    }
    Ok(dept)
}

pub async fn create_leave(db: &Db, ctx: &Ctx, input: &LeaveInput) -> AppResult<Leave> {
    let mut c = Checks::new();
    let v = input.clone().validate(&mut c);
    let mut tx = db.write().await?;
    let dept = match leave_target(&mut tx, ctx, v.person_id).await {
        Err(AppError::NotFound) => {
            c.push("person_id", "not_found", "no such person");
            c.finish()?;
            return Err(AppError::NotFound);
        }
        other => other?,
    };
    if !ctx.actor.can_manage_leave(dept, v.person_id) {
        return Err(AppError::Forbidden("record leave for this person"));
    }
    c.finish()?;
    let id = store::insert_leave(&mut tx, &v, ctx.user_id(), ctx.now_ms).await?;
    let l = store::get_leave(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "leave.create",
        "leave",
        Some(id),
        None,
        json(&l),
    )
    .await?;
    tx.commit().await?;
    Ok(l)
}

pub async fn get_leave(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Leave> {
    let mut tx = db.read().await?;
    let l = store::get_leave(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    leave_target(&mut tx, ctx, l.person_id).await?;
    Ok(l)
}

/// The active people the caller may record leave for (the leave form's picker), by name:
/// (id, display name).
pub async fn leave_people(db: &Db, ctx: &Ctx) -> AppResult<Vec<(i64, String)>> {
    let mut tx = db.read().await?;
    let vis = ctx.actor.people_visibility();
    Ok(
        store::capacity_people(&mut tx, &vis, None, None, None, i64::MAX)
            .await?
            .into_iter()
            .filter(|p| ctx.actor.can_manage_leave(p.department_id, p.id))
            .map(|p| {
                let name = match p.name_zh {
                    Some(z) => format!("{z} {}", p.name),
                    None => p.name,
                };
                (p.id, name)
            })
            .collect(),
    )
}

/// Changes a leave's dates, kind or note (whoever may record it for the person);
/// `version` from `If-Match`.
pub async fn update_leave(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    patch: &LeavePatch,
) -> AppResult<Leave> {
    let mut tx = db.write().await?;
    let before = store::get_leave(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let dept = leave_target(&mut tx, ctx, before.person_id).await?;
    if !ctx.actor.can_manage_leave(dept, before.person_id) {
        return Err(AppError::Forbidden("change this leave"));
    }
    let mut c = Checks::new();
    let v = LeaveInput::from_leave(&before)
        .apply(patch)
        .validate(&mut c);
    c.finish()?;
    if store::update_leave(&mut tx, id, version, &v).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_leave(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "leave.update",
        "leave",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_leave(db: &Db, ctx: &Ctx, id: i64, version: i64) -> AppResult<()> {
    let mut tx = db.write().await?;
    let l = store::get_leave(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let dept = leave_target(&mut tx, ctx, l.person_id).await?;
    if !ctx.actor.can_manage_leave(dept, l.person_id) {
        return Err(AppError::Forbidden("cancel this leave"));
    }
    if store::delete_leave(&mut tx, id, version).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "leave.delete",
        "leave",
        Some(id),
        json(&l),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_leaves(
    db: &Db,
    ctx: &Ctx,
    person_id: Option<i64>,
    from: Option<&str>,
    to: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Leave>> {
    let limit = clamp_limit(limit);
    let before = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?
                .1,
        ),
        None => None,
    };
    let mut c = Checks::new();
    c.opt_date("from", from);
    c.opt_date("to", to);
    c.finish()?;
    let mut tx = db.read().await?;
    let vis = ctx.actor.people_visibility();
    let mut items =
        store::list_leaves(&mut tx, &vis, person_id, from, to, before, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|l| encode_cursor("", l.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

fn leave_map(rows: Vec<(i64, String, String)>) -> HashMap<i64, Vec<(Date, Date)>> {
    let mut m: HashMap<i64, Vec<(Date, Date)>> = HashMap::new();
    for (p, s, e) in rows {
        if let (Some(s), Some(e)) = (parse_date(&s), parse_date(&e)) {
            m.entry(p).or_default().push((s, e));
        }
    }
    m
}

pub const MAX_WEEKS: i64 = 26;

/// The heat map: for each visible active person (by pinyin) and each of `weeks` weeks from
/// the week of `from` (default: this week), capacity vs assigned estimated hours.
#[allow(clippy::too_many_arguments)]
pub async fn workload(
    db: &Db,
    ctx: &Ctx,
    department_id: Option<i64>,
    from: Option<&str>,
    weeks: Option<i64>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Workload> {
    let mut c = Checks::new();
    let from = c.opt_date("from", from);
    let weeks = weeks.unwrap_or(8);
    if !(1..=MAX_WEEKS).contains(&weeks) {
        c.push("weeks", "out_of_range", "must be between 1 and 26");
    }
    c.finish()?;
    let limit = clamp_limit(limit);
    let after = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => {
            Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?)
        }
        None => None,
    };
    let today = today(ctx);
    let start = from.as_deref().and_then(parse_date).unwrap_or(today);
    let first = monday_of(start);
    let last = first + Duration::days(7 * weeks - 1);
    let mut tx = db.read().await?;
    let departments =
        crate::skills::service::department_filter(&mut tx, department_id, true).await?;
    let vis = ctx.actor.people_visibility();
    let mut people = store::capacity_people(
        &mut tx,
        &vis,
        departments.as_deref(),
        None,
        after,
        limit + 1,
    )
    .await?;
    let next_cursor = if people.len() as i64 > limit {
        people.truncate(limit as usize);
        people.last().map(|p| encode_cursor(&p.sort_key, p.id))
    } else {
        None
    };
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let cal = work_calendar(&mut tx, first, last).await?;
    let leaves = leave_map(
        store::leave_ranges(&mut tx, &ids, &format_date(first), &format_date(last)).await?,
    );
    let mut assigned: HashMap<(i64, usize), f64> = HashMap::new();
    for w in store::open_work(&mut tx, &ids).await? {
        // Work is counted from today on: a week already past shows only what was due in it.
        if let Some(i) = week_index(
            w.due_date.as_deref(),
            today.max(first),
            first,
            weeks as usize,
        ) {
            *assigned.entry((w.person_id, i)).or_default() += w.hours;
        }
    }
    let week_starts: Vec<Date> = (0..weeks).map(|i| first + Duration::days(7 * i)).collect();
    let rows = people
        .into_iter()
        .map(|p| {
            let own = leaves.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
            let cells = week_starts
                .iter()
                .enumerate()
                .map(|(i, &m)| {
                    let cap = hours_between(&cal, p.weekly_hours, own, m, m + Duration::days(6));
                    week_cell(cap, assigned.get(&(p.id, i)).copied().unwrap_or(0.0))
                })
                .collect();
            WorkloadRow {
                person_id: p.id,
                name: match p.name_zh {
                    Some(z) => format!("{z} {}", p.name),
                    None => p.name,
                },
                weekly_hours: p.weekly_hours,
                cells,
            }
        })
        .collect();
    Ok(Workload {
        weeks: week_starts.into_iter().map(format_date).collect(),
        rows,
        next_cursor,
    })
}

/// A person's capacity in a window, for ability-matched assignment.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Availability {
    pub person_id: i64,
    pub name: String,
    pub department_id: Option<i64>,
    /// Working hours in the window (calendar and leave applied).
    pub capacity_hours: f64,
    /// Estimated hours of open work already assigned that is due by the window's end (or has
    /// no due date).
    pub assigned_hours: f64,
}

impl Availability {
    pub fn free_hours(&self) -> f64 {
        (self.capacity_hours - self.assigned_hours).max(0.0)
    }

    /// assigned / capacity; a person without capacity in the window counts as fully booked.
    pub fn load_ratio(&self) -> f64 {
        if self.capacity_hours > 0.0 {
            self.assigned_hours / self.capacity_hours
        } else {
            1.0
        }
    }
}

/// Availability of the visible active people of `departments` (everyone visible when `None`)
/// in the window [from, to].
pub async fn availability(
    db: &Db,
    ctx: &Ctx,
    departments: Option<&[i64]>,
    from: Date,
    to: Date,
) -> AppResult<Vec<Availability>> {
    let mut tx = db.read().await?;
    let vis = ctx.actor.people_visibility();
    let people = store::capacity_people(&mut tx, &vis, departments, None, None, i64::MAX).await?;
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let cal = work_calendar(&mut tx, from, to).await?;
    let leaves =
        leave_map(store::leave_ranges(&mut tx, &ids, &format_date(from), &format_date(to)).await?);
    let to_s = format_date(to);
    let mut assigned: HashMap<i64, f64> = HashMap::new();
    for w in store::open_work(&mut tx, &ids).await? {
        if w.due_date.as_deref().is_none_or(|d| d <= to_s.as_str()) {
            *assigned.entry(w.person_id).or_default() += w.hours;
        }
    }
    Ok(people
        .into_iter()
        .map(|p| {
            let own = leaves.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
            Availability {
                person_id: p.id,
                capacity_hours: hours_between(&cal, p.weekly_hours, own, from, to),
                assigned_hours: assigned.get(&p.id).copied().unwrap_or(0.0),
                department_id: p.department_id,
                name: match p.name_zh {
                    Some(z) => format!("{z} {}", p.name),
                    None => p.name,
                },
            }
        })
        .collect())
}
