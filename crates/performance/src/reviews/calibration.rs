//! Scores and calibration. The score of a review is computed on read (never stored) from the
//! goals, scorecards, the manager's rating and the anonymous aggregates the caller may see, so
//! the peer and upward components follow exactly the gate of the review itself (≥ k, and not
//! before the calibration phase). Calibration (phases `calibration` and `signoff`) adjusts a
//! rating with a required reason: each adjustment is written to the trail and the audit log in
//! its transaction. The reviewee never reads calibration: not the page, the adjusted rating
//! before sharing, the reasons, potential or the trail (see `kernel::policy::reviews`).
use super::calibration_store::{self as cstore, OutcomeRow, TrailEntry};
use super::model::{Cycle, DirectionResult, Phase, QuestionKind};
use super::scoring::{self, Breakdown, Component, Inputs};
use super::service::{self, ReviewDetail};
use db::Db;
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// The mean of the rated questions' means of an anonymous direction; `None` below k.
fn direction_mean(r: Option<&DirectionResult>) -> Option<f64> {
    let r = r.filter(|r| !r.too_few)?;
    let means: Vec<f64> = r
        .questions
        .iter()
        .filter(|q| q.kind != QuestionKind::Text)
        .filter_map(|q| q.mean)
        .collect();
    (!means.is_empty()).then(|| means.iter().sum::<f64>() / means.len() as f64)
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let v: Vec<f64> = xs.collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The score of a review the caller has read (`d` carries the gates already applied).
pub(super) async fn score_of(
    db: &Db,
    ctx: &Ctx,
    d: &ReviewDetail,
    cycle: &Cycle,
) -> AppResult<Breakdown> {
    let ev = service::evidence(db, ctx, d.review.person_id, cycle).await?;
    let inputs = Inputs {
        goals: mean(ev.goals.iter().map(|g| g.score.unwrap_or(g.progress))),
        kpi: mean(ev.scorecards.iter().filter_map(|s| s.score)),
        manager: d.review.manager_rating.map(|r| r as f64),
        peer: direction_mean(d.peer.as_ref()),
        upward: direction_mean(d.upward.as_ref()),
    };
    Ok(scoring::breakdown(&cycle.weights, &inputs, cycle.scale_max))
}

/// Who sees a review's score: the reviewee's managers and admins; the reviewee once shared.
pub fn may_see_score(d: &ReviewDetail) -> bool {
    d.can_rate || (d.is_reviewee && d.review.phase == Phase::Shared)
}

/// The score with its breakdown (see [`may_see_score`]).
pub async fn score(db: &Db, ctx: &Ctx, review_id: i64) -> AppResult<Breakdown> {
    let d = service::get_review(db, ctx, review_id).await?;
    if !may_see_score(&d) {
        return Err(AppError::NotFound);
    }
    let cycle = service::get_cycle(db, ctx, d.review.cycle_id).await?;
    score_of(db, ctx, &d, &cycle).await
}

/// Performance band of a rating on the scale: 0 low, 1 mid, 2 high (thirds of the scale).
pub fn band(rating: i64, scale_max: i64) -> usize {
    let (x, span) = (3 * (rating - 1), scale_max - 1);
    if x < span {
        0
    } else if x > 2 * span {
        2
    } else {
        1
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DistributionLine {
    pub rating: i64,
    /// The cycle's guideline, percent of reviewees.
    pub guideline_percent: i64,
    pub proposed: i64,
    pub proposed_percent: f64,
    /// Calibrated, else proposed.
    pub calibrated: i64,
    pub calibrated_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NineBoxCell {
    /// `low`, `mid` or `high` (calibrated-or-proposed rating in thirds of the scale).
    pub performance: String,
    /// 1–3, set by the manager.
    pub potential: i64,
    pub reviews: Vec<NineBoxEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NineBoxEntry {
    pub review_id: i64,
    pub person_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalibrationRow {
    pub review_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub department_name: Option<String>,
    pub manager_name: Option<String>,
    pub score: Option<f64>,
    /// The score components that counted.
    pub counted: Vec<Component>,
    pub proposed_rating: Option<i64>,
    pub calibrated_rating: Option<i64>,
    pub final_rating: Option<i64>,
    pub potential: Option<i64>,
    /// The review's version: the If-Match of an adjustment.
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TrailLine {
    #[serde(flatten)]
    pub entry: TrailEntry,
    pub person_name: String,
}

/// A cycle's calibration for a group (a department with its sub-departments, or everything
/// the caller calibrates).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalibrationView {
    pub cycle_id: i64,
    pub cycle_name: String,
    pub phase: Phase,
    pub scale_max: i64,
    pub department_id: Option<i64>,
    /// Ratings can be adjusted (phases `calibration` and `signoff`).
    pub editable: bool,
    pub distribution: Vec<DistributionLine>,
    /// Reviews without a proposed rating.
    pub unrated: i64,
    pub nine_box: Vec<NineBoxCell>,
    /// Reviews without a rating or a potential (not on the grid).
    pub unplaced: i64,
    pub rows: Vec<CalibrationRow>,
    pub trail: Vec<TrailLine>,
}

fn pct(n: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        (n as f64 * 1000.0 / total as f64).round() / 10.0
    }
}

pub async fn view(
    db: &Db,
    ctx: &Ctx,
    cycle_id: i64,
    department_id: Option<i64>,
) -> AppResult<CalibrationView> {
    if !ctx.actor.can_see_calibration(None) {
        return Err(AppError::NotFound);
    }
    let mut tx = db.read().await?;
    let cycle = service::cycle_of(&mut tx, cycle_id).await?;
    let group = match team::skills::service::department_filter(&mut tx, department_id, true).await {
        Err(AppError::NotFound) => return Err(AppError::ref_not_found("department_id")),
        r => r?,
    };
    if !ctx.actor.can_see_calibration(department_id) {
        return Err(AppError::Forbidden("calibrate this department"));
    }
    let reports = service::reports(&mut tx, ctx).await?;
    let reviews: Vec<_> =
        super::store::list_reviews(&mut tx, cycle_id, &service::scope_of(ctx, reports.clone()))
            .await?
            .into_iter()
            .filter(|r| ctx.actor.can_calibrate_review(&service::facts(r), &reports))
            .filter(|r| {
                group
                    .as_ref()
                    .is_none_or(|g| r.department_id.is_some_and(|d| g.contains(&d)))
            })
            .collect();
    let outcomes = cstore::outcomes_of_cycle(&mut tx, cycle_id).await?;
    let ids: Vec<i64> = reviews.iter().map(|r| r.id).collect();
    let trail = cstore::trail(&mut tx, &ids).await?;
    drop(tx);
    let mut rows = Vec::new();
    for r in &reviews {
        let d = service::get_review(db, ctx, r.id).await?;
        let b = score_of(db, ctx, &d, &cycle).await?;
        let o = outcomes.get(&r.id).cloned().unwrap_or_default();
        rows.push(CalibrationRow {
            review_id: r.id,
            person_id: r.person_id,
            person_name: r.person_name.clone(),
            department_name: r.department_name.clone(),
            manager_name: r.manager_name.clone(),
            score: b.score,
            counted: b
                .components
                .iter()
                .filter(|c| c.counted)
                .map(|c| c.component)
                .collect(),
            proposed_rating: r.proposed_rating,
            calibrated_rating: o.calibrated_rating,
            final_rating: o.calibrated_rating.or(r.proposed_rating),
            potential: o.potential,
            version: d.review.version,
        });
    }
    let total = rows.len() as i64;
    let distribution = (1..=cycle.scale_max)
        .map(|v| {
            let p = rows.iter().filter(|r| r.proposed_rating == Some(v)).count() as i64;
            let c = rows.iter().filter(|r| r.final_rating == Some(v)).count() as i64;
            DistributionLine {
                rating: v,
                guideline_percent: cycle.guideline.get((v - 1) as usize).copied().unwrap_or(0),
                proposed: p,
                proposed_percent: pct(p, total),
                calibrated: c,
                calibrated_percent: pct(c, total),
            }
        })
        .collect();
    let mut nine_box = Vec::new();
    for potential in [3, 2, 1] {
        for (b, name) in ["low", "mid", "high"].iter().enumerate() {
            nine_box.push(NineBoxCell {
                performance: name.to_string(),
                potential,
                reviews: rows
                    .iter()
                    .filter(|r| {
                        r.potential == Some(potential)
                            && r.final_rating
                                .is_some_and(|f| band(f, cycle.scale_max) == b)
                    })
                    .map(|r| NineBoxEntry {
                        review_id: r.review_id,
                        person_name: r.person_name.clone(),
                    })
                    .collect(),
            });
        }
    }
    let names: std::collections::HashMap<i64, String> = rows
        .iter()
        .map(|r| (r.review_id, r.person_name.clone()))
        .collect();
    Ok(CalibrationView {
        cycle_id,
        cycle_name: cycle.name.clone(),
        phase: cycle.phase,
        scale_max: cycle.scale_max,
        department_id,
        editable: matches!(cycle.phase, Phase::Calibration | Phase::Signoff),
        unrated: rows.iter().filter(|r| r.proposed_rating.is_none()).count() as i64,
        unplaced: rows
            .iter()
            .filter(|r| r.final_rating.is_none() || r.potential.is_none())
            .count() as i64,
        distribution,
        nine_box,
        trail: trail
            .into_iter()
            .map(|e| TrailLine {
                person_name: names.get(&e.review_id).cloned().unwrap_or_default(),
                entry: e,
            })
            .collect(),
        rows,
    })
}

/// An adjustment in calibration (rating with its required reason) and/or the potential.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationInput {
    /// The calibrated rating, 1..=scale_max (phases `calibration` and `signoff`).
    pub calibrated_rating: Option<i64>,
    /// Why: required with a rating.
    pub reason: Option<String>,
    /// 1–3 (low, medium, high), until results are shared.
    pub potential: Option<i64>,
}

/// What calibration holds for one review after a change.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CalibrationState {
    pub review_id: i64,
    pub version: i64,
    pub proposed_rating: Option<i64>,
    pub calibrated_rating: Option<i64>,
    pub final_rating: Option<i64>,
    pub potential: Option<i64>,
    pub trail: Vec<TrailEntry>,
}

pub async fn calibrate(
    db: &Db,
    ctx: &Ctx,
    review_id: i64,
    expected_version: i64,
    input: &CalibrationInput,
) -> AppResult<CalibrationState> {
    let mut tx = db.write().await?;
    let (review, reports) = service::load_review(&mut tx, ctx, review_id).await?;
    if !ctx
        .actor
        .can_calibrate_review(&service::facts(&review), &reports)
    {
        // The reviewee may not even learn that calibration exists.
        return Err(AppError::NotFound);
    }
    let cycle = service::cycle_of(&mut tx, review.cycle_id).await?;
    let mut c = Checks::new();
    let reason = c
        .opt_text("reason", input.reason.as_deref(), 1000)
        .filter(|r| !r.is_empty());
    if let Some(r) = input.calibrated_rating {
        if !matches!(cycle.phase, Phase::Calibration | Phase::Signoff) {
            c.push(
                "calibrated_rating",
                "phase",
                "ratings are calibrated in the calibration and sign-off phases",
            );
        }
        if !(1..=cycle.scale_max).contains(&r) {
            c.push(
                "calibrated_rating",
                "out_of_range",
                format!("must be between 1 and {}", cycle.scale_max),
            );
        }
        if reason.is_none() {
            c.push("reason", "required", "an adjustment needs a reason");
        }
    }
    if let Some(p) = input.potential {
        if !(1..=3).contains(&p) {
            c.push("potential", "out_of_range", "must be between 1 and 3");
        }
        if cycle.phase == Phase::Shared {
            c.push("potential", "locked", "results are already shared");
        }
    }
    if input.calibrated_rating.is_none() && input.potential.is_none() {
        c.push(
            "calibrated_rating",
            "required",
            "give a rating with a reason, or a potential",
        );
    }
    c.finish()?;
    if cstore::bump_review(&mut tx, review_id, expected_version).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let before: OutcomeRow = cstore::outcome(&mut tx, review_id)
        .await?
        .unwrap_or_else(|| OutcomeRow {
            recommendation: "none".into(),
            ..Default::default()
        });
    let mut after = before.clone();
    if let Some(r) = input.calibrated_rating {
        after.calibrated_rating = Some(r);
    }
    if let Some(p) = input.potential {
        after.potential = Some(p);
    }
    cstore::save_outcome(&mut tx, review_id, &after, ctx.user_id(), ctx.now_ms).await?;
    if let Some(to) = input.calibrated_rating {
        let from = before.calibrated_rating.or(review.proposed_rating);
        let why = reason.clone().unwrap_or_default();
        cstore::insert_trail(
            &mut tx,
            review_id,
            ctx.user_id(),
            &ctx.actor.username,
            ctx.now_ms,
            from,
            to,
            &why,
        )
        .await?;
        db::audit::log_change(
            &mut tx,
            ctx,
            "review.calibrate",
            "review",
            Some(review_id),
            Some(json!({"rating": from, "potential": before.potential})),
            Some(json!({"rating": to, "potential": after.potential, "reason": why})),
        )
        .await?;
    } else {
        db::audit::log_change(
            &mut tx,
            ctx,
            "review.potential",
            "review",
            Some(review_id),
            Some(json!({"potential": before.potential})),
            Some(json!({"potential": after.potential})),
        )
        .await?;
    }
    let trail = cstore::trail(&mut tx, &[review_id]).await?;
    tx.commit().await?;
    Ok(CalibrationState {
        review_id,
        version: expected_version + 1,
        proposed_rating: review.proposed_rating,
        calibrated_rating: after.calibrated_rating,
        final_rating: after.calibrated_rating.or(review.proposed_rating),
        potential: after.potential,
        trail,
    })
}

#[cfg(test)]
mod tests {
    use super::band;

    #[test]
    fn bands_split_the_scale_in_thirds() {
        let five: Vec<usize> = (1..=5).map(|r| band(r, 5)).collect();
        assert_eq!(five, [0, 0, 1, 2, 2]);
        let three: Vec<usize> = (1..=3).map(|r| band(r, 3)).collect();
        assert_eq!(three, [0, 1, 2]);
    }
}
