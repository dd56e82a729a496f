//! Outcomes of a review (phases `signoff` and `shared`): the final rating (the calibrated
//! rating, else the proposed one), a recommendation and development plan items. Items are
//! stored by the team module (`team::skills::service::replace_review_development_items_in`,
//! called inside the review's transaction), so that items with a skill and target level count
//! as training needs there — team cannot depend on performance. The reviewee reads the final
//! rating, recommendation and items once shared; potential and the trail never.
use super::calibration_store::{self as cstore, OutcomeRow, TrailEntry};
use super::model::Phase;
use super::service;
use db::Db;
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use team::skills::model::{DevelopmentItem, DevelopmentItemInput};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    None,
    Promotion,
    RaiseBand,
    Reward,
    ImprovementPlan,
}

impl Recommendation {
    pub const ALL: [Recommendation; 5] = [
        Recommendation::None,
        Recommendation::Promotion,
        Recommendation::RaiseBand,
        Recommendation::Reward,
        Recommendation::ImprovementPlan,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::None => "none",
            Recommendation::Promotion => "promotion",
            Recommendation::RaiseBand => "raise_band",
            Recommendation::Reward => "reward",
            Recommendation::ImprovementPlan => "improvement_plan",
        }
    }
    pub fn parse(s: &str) -> Option<Recommendation> {
        Recommendation::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    pub recommendation: Recommendation,
    /// Replaces the review's development plan (at most 20 items).
    #[serde(default)]
    pub development_items: Vec<DevelopmentItemInput>,
}

/// A review's outcome. For the reviewee (once shared) only the final rating, recommendation
/// and development items; the calibration fields are `null`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Outcome {
    pub review_id: i64,
    pub phase: Phase,
    pub final_rating: Option<i64>,
    pub recommendation: Recommendation,
    pub development_items: Vec<DevelopmentItem>,
    /// Managers and admins only: whether the outcome may still be set (signoff, shared).
    pub editable: bool,
    pub proposed_rating: Option<i64>,
    pub calibrated_rating: Option<i64>,
    pub potential: Option<i64>,
    pub trail: Option<Vec<TrailEntry>>,
    pub version: i64,
}

fn recommendation_of(o: &OutcomeRow) -> Recommendation {
    Recommendation::parse(&o.recommendation).unwrap_or(Recommendation::None)
}

pub async fn get(db: &Db, ctx: &Ctx, review_id: i64) -> AppResult<Outcome> {
    let mut tx = db.read().await?;
    let (review, reports) = service::load_review(&mut tx, ctx, review_id).await?;
    let cycle = service::cycle_of(&mut tx, review.cycle_id).await?;
    let manager = ctx
        .actor
        .can_calibrate_review(&service::facts(&review), &reports);
    if !manager && cycle.phase != Phase::Shared {
        return Err(AppError::NotFound);
    }
    let o = cstore::outcome(&mut tx, review_id)
        .await?
        .unwrap_or_default();
    let items = team::skills::service::review_development_items_in(&mut tx, review_id).await?;
    let trail = if manager {
        Some(cstore::trail(&mut tx, &[review_id]).await?)
    } else {
        None
    };
    Ok(Outcome {
        review_id,
        phase: cycle.phase,
        final_rating: o.calibrated_rating.or(review.proposed_rating),
        recommendation: recommendation_of(&o),
        development_items: items,
        editable: manager && cycle.phase >= Phase::Signoff,
        proposed_rating: manager.then_some(review.proposed_rating).flatten(),
        calibrated_rating: manager.then_some(o.calibrated_rating).flatten(),
        potential: manager.then_some(o.potential).flatten(),
        trail,
        version: review.version,
    })
}

pub async fn set(
    db: &Db,
    ctx: &Ctx,
    review_id: i64,
    expected_version: i64,
    input: &OutcomeInput,
) -> AppResult<Outcome> {
    {
        let mut tx = db.write().await?;
        let (review, reports) = service::load_review(&mut tx, ctx, review_id).await?;
        if !ctx
            .actor
            .can_calibrate_review(&service::facts(&review), &reports)
        {
            return Err(AppError::Forbidden("set the outcome of this review"));
        }
        let cycle = service::cycle_of(&mut tx, review.cycle_id).await?;
        let mut c = Checks::new();
        if cycle.phase < Phase::Signoff {
            c.push(
                "recommendation",
                "phase",
                "outcomes are set in the sign-off and shared phases",
            );
        }
        let items = team::skills::service::check_development_items(
            &mut tx,
            &mut c,
            "development_items",
            &input.development_items,
        )
        .await?;
        c.finish()?;
        if cstore::bump_review(&mut tx, review_id, expected_version).await? == 0 {
            return Err(AppError::PreconditionFailed);
        }
        let before = cstore::outcome(&mut tx, review_id)
            .await?
            .unwrap_or_else(|| OutcomeRow {
                recommendation: "none".into(),
                ..Default::default()
            });
        let before_items =
            team::skills::service::review_development_items_in(&mut tx, review_id).await?;
        let after = OutcomeRow {
            recommendation: input.recommendation.as_str().into(),
            ..before.clone()
        };
        cstore::save_outcome(&mut tx, review_id, &after, ctx.user_id(), ctx.now_ms).await?;
        let after_items = team::skills::service::replace_review_development_items_in(
            &mut tx,
            ctx,
            review_id,
            review.person_id,
            &items,
        )
        .await?;
        let final_rating = before.calibrated_rating.or(review.proposed_rating);
        db::audit::log_change(
            &mut tx,
            ctx,
            "review.outcome",
            "review",
            Some(review_id),
            Some(
                json!({"final_rating": final_rating, "recommendation": before.recommendation,
                        "development_items": before_items}),
            ),
            Some(
                json!({"final_rating": final_rating, "recommendation": after.recommendation,
                        "development_items": after_items}),
            ),
        )
        .await?;
        tx.commit().await?;
    }
    get(db, ctx, review_id).await
}
