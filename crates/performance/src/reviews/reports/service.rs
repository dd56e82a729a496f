//! Review reports: completion per cycle by department and direction, the rating distributions
//! (final = calibrated, else proposed, as on the calibration page; and the managers' proposals)
//! by department and by manager, each manager's proposals against the cycle's, and one person's
//! final ratings across cycles. Admins see the company; managers the reviews of their departments (the
//! reviewee's department when the cycle started). Only request statuses and the managers'
//! ratings are read — never a peer or upward answer.
use super::model::{RatingGroup, group, rate};
use super::store;
use crate::reviews::model::{Direction, Phase};
use db::Db;
use kernel::policy::ReviewFacts;
use kernel::{AppError, AppResult, Ctx, Role};
use serde::Serialize;
use utoipa::ToSchema;

/// Which group a review's ratings count towards: (id, name).
type GroupKey = dyn Fn(&store::RatingRow) -> (Option<i64>, Option<String>);

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CompletionRow {
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub direction: Direction,
    /// Decided requests (pending, submitted, declined).
    pub requests: i64,
    pub submitted: i64,
    pub declined: i64,
    /// `submitted / requests`, 0–1.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CycleReport {
    pub cycle_id: i64,
    pub cycle_name: String,
    pub scale_max: i64,
    pub completion: Vec<CompletionRow>,
    /// The whole cycle (as far as the caller's scope reaches): the reference mean.
    pub cycle: RatingGroup,
    pub by_department: Vec<RatingGroup>,
    pub by_manager: Vec<RatingGroup>,
}

/// `None`: the company (admins); otherwise the caller's departments.
fn scope(ctx: &Ctx) -> Option<Vec<i64>> {
    (!ctx.actor.is_admin()).then(|| ctx.actor.scope.clone())
}

pub async fn cycle_report(db: &Db, ctx: &Ctx, cycle_id: i64) -> AppResult<CycleReport> {
    if !ctx.actor.can_see_review_reports() {
        return Err(AppError::Forbidden("see review reports"));
    }
    let mut tx = db.read().await?;
    let cycle = crate::reviews::store::get_cycle(&mut tx, cycle_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let departments = scope(ctx);
    let counts = store::completion(&mut tx, cycle_id, departments.as_deref()).await?;
    let mut completion: Vec<CompletionRow> = Vec::new();
    for c in counts {
        let Some(direction) = Direction::parse(&c.direction) else {
            continue;
        };
        let i = match completion
            .iter()
            .position(|r| r.department_id == c.department_id && r.direction == direction)
        {
            Some(i) => i,
            None => {
                completion.push(CompletionRow {
                    department_id: c.department_id,
                    department_name: c.department_name.clone(),
                    direction,
                    requests: 0,
                    submitted: 0,
                    declined: 0,
                    rate: None,
                });
                completion.len() - 1
            }
        };
        let row = &mut completion[i];
        row.requests += c.n;
        match c.status.as_str() {
            "submitted" => row.submitted += c.n,
            "declined" => row.declined += c.n,
            _ => {}
        }
    }
    for r in &mut completion {
        r.rate = rate(r.submitted, r.requests);
    }
    completion.sort_by(|a, b| {
        (a.department_name.as_deref(), a.direction.as_str())
            .cmp(&(b.department_name.as_deref(), b.direction.as_str()))
    });
    let rows = store::ratings(&mut tx, cycle_id, departments.as_deref()).await?;
    let all: Vec<(Option<i64>, Option<i64>)> = rows
        .iter()
        .map(|r| (r.final_rating, r.proposed_rating))
        .collect();
    let whole = group(None, None, &all, cycle.scale_max, None);
    let by = |key: &GroupKey| {
        let mut keys: Vec<(Option<i64>, Option<String>)> = Vec::new();
        for r in &rows {
            let k = key(r);
            if !keys.iter().any(|x| x.0 == k.0) {
                keys.push(k);
            }
        }
        let mut out: Vec<RatingGroup> = keys
            .into_iter()
            .map(|(id, name)| {
                let rs: Vec<(Option<i64>, Option<i64>)> = rows
                    .iter()
                    .filter(|r| key(r).0 == id)
                    .map(|r| (r.final_rating, r.proposed_rating))
                    .collect();
                group(id, name, &rs, cycle.scale_max, whole.proposed_mean)
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    };
    let by_department = by(&|r| (r.department_id, r.department_name.clone()));
    let by_manager = by(&|r| (r.manager_id, r.manager_name.clone()));
    Ok(CycleReport {
        cycle_id,
        cycle_name: cycle.name,
        scale_max: cycle.scale_max,
        completion,
        cycle: whole,
        by_department,
        by_manager,
    })
}

/// One cycle in a person's history.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct HistoryRow {
    pub review_id: i64,
    pub cycle_id: i64,
    pub cycle_name: String,
    pub period_end: String,
    pub phase: Phase,
    /// The final rating (calibrated, else proposed); `null` to the reviewee until shared.
    pub final_rating: Option<i64>,
    pub proposed_rating: Option<i64>,
    pub scale_max: i64,
    /// Change of the final rating against the previous listed cycle with one.
    pub change: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PersonHistory {
    pub person_id: i64,
    pub name: String,
    /// Newest first: the reviews of this person the caller may see.
    pub items: Vec<HistoryRow>,
}

/// A person's ratings across cycles, each review under the review policy (the reviewee, their
/// managers and admins; the manager's rating hidden from the reviewee until shared).
pub async fn person_history(db: &Db, ctx: &Ctx, person_id: i64) -> AppResult<PersonHistory> {
    let mut tx = db.read().await?;
    let name = super::super::feedback::store::person(&mut tx, person_id)
        .await?
        .map(|p| p.0)
        .ok_or(AppError::NotFound)?;
    let reports = match (ctx.actor.role, ctx.actor.person_id) {
        (Role::Manager, Some(p)) => crate::goals::store::reports_of(&mut tx, p).await?,
        _ => Vec::new(),
    };
    let finals = store::final_ratings(&mut tx, person_id).await?;
    let mut items = Vec::new();
    for r in crate::reviews::store::reviews_of_person(&mut tx, person_id).await? {
        let f = ReviewFacts {
            person_id: r.person_id,
            department_id: r.department_id,
            manager_id: r.manager_id,
        };
        if !ctx.actor.can_see_review(&f, &reports) {
            continue;
        }
        let open = ctx.actor.can_rate_review(&f, &reports) || r.phase == Phase::Shared;
        let Some(c) = crate::reviews::store::get_cycle(&mut tx, r.cycle_id).await? else {
            continue;
        };
        items.push(HistoryRow {
            review_id: r.id,
            cycle_id: r.cycle_id,
            cycle_name: r.cycle_name,
            period_end: c.period_end,
            phase: r.phase,
            final_rating: finals
                .iter()
                .find(|f| f.0 == r.id)
                .and_then(|f| f.1)
                .filter(|_| open),
            proposed_rating: r.proposed_rating.filter(|_| open),
            scale_max: c.scale_max,
            change: None,
        });
    }
    items.sort_by(|a, b| {
        b.period_end
            .cmp(&a.period_end)
            .then(b.cycle_id.cmp(&a.cycle_id))
    });
    for i in 0..items.len() {
        let prev = items[i + 1..].iter().find_map(|x| x.final_rating);
        items[i].change = items[i].final_rating.zip(prev).map(|(a, b)| a - b);
    }
    Ok(PersonHistory {
        person_id,
        name,
        items,
    })
}

/// How many of the cycle's reviewees have fewer approved peers than the minimum (admins: the
/// cycle page warns before the move to feedback, which needs an override then).
pub async fn peer_shortfall(db: &Db, ctx: &Ctx, cycle_id: i64) -> AppResult<i64> {
    if !ctx.actor.can_manage_review_cycles() {
        return Err(AppError::Forbidden("manage review cycles"));
    }
    let mut tx = db.read().await?;
    let c = crate::reviews::store::get_cycle(&mut tx, cycle_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(store::below_peers_min(&mut tx, cycle_id, c.peers_min).await?)
}
