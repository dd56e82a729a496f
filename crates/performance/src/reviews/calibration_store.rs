//! The SQL of calibration and outcomes: `review_outcomes` (calibrated rating, potential,
//! recommendation per review) and `review_calibration_history` (the trail). Writes bump the
//! review's own version, so one If-Match guards the review and what is decided about it.
use db::sql::Sql;
use db::{DbError, Row, Tx};
use serde::Serialize;
use utoipa::ToSchema;

/// What calibration and sign-off decided about one review (defaults when nothing yet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutcomeRow {
    pub calibrated_rating: Option<i64>,
    pub potential: Option<i64>,
    pub recommendation: String,
}

fn outcome_row(r: &Row) -> Result<OutcomeRow, DbError> {
    Ok(OutcomeRow {
        calibrated_rating: r.opt_i64("calibrated_rating")?,
        potential: r.opt_i64("potential")?,
        recommendation: r.string("recommendation")?,
    })
}

pub async fn outcome(tx: &mut Tx, review_id: i64) -> Result<Option<OutcomeRow>, DbError> {
    tx.fetch_opt(
        "SELECT calibrated_rating, potential, recommendation FROM review_outcomes WHERE review_id = $1",
        &[review_id.into()],
    )
    .await?
    .as_ref()
    .map(outcome_row)
    .transpose()
}

/// The outcomes of a cycle's reviews, by review id.
pub async fn outcomes_of_cycle(
    tx: &mut Tx,
    cycle_id: i64,
) -> Result<std::collections::HashMap<i64, OutcomeRow>, DbError> {
    let mut out = std::collections::HashMap::new();
    for r in tx
        .fetch_all(
            "SELECT o.review_id, o.calibrated_rating, o.potential, o.recommendation \
             FROM review_outcomes o JOIN reviews r ON r.id = o.review_id WHERE r.cycle_id = $1",
            &[cycle_id.into()],
        )
        .await?
    {
        out.insert(r.i64("review_id")?, outcome_row(&r)?);
    }
    Ok(out)
}

pub async fn save_outcome(
    tx: &mut Tx,
    review_id: i64,
    o: &OutcomeRow,
    by: Option<i64>,
    now: i64,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO review_outcomes (review_id, calibrated_rating, potential, recommendation, \
         updated_by, updated_at) VALUES ($1,$2,$3,$4,$5,$6) \
         ON CONFLICT (review_id) DO UPDATE SET calibrated_rating = $2, potential = $3, \
         recommendation = $4, updated_by = $5, updated_at = $6",
        &[
            review_id.into(),
            o.calibrated_rating.into(),
            o.potential.into(),
            o.recommendation.as_str().into(),
            by.into(),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The optimistic lock: 0 = stale or gone.
pub async fn bump_review(tx: &mut Tx, id: i64, expected_version: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE reviews SET version = version + 1 WHERE id = $1 AND version = $2",
        &[id.into(), expected_version.into()],
    )
    .await
}

/// One adjustment in the trail.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TrailEntry {
    pub review_id: i64,
    pub actor_name: String,
    pub at: i64,
    /// The rating before (calibrated, else proposed); `null` when there was none.
    pub from_rating: Option<i64>,
    pub to_rating: i64,
    pub reason: String,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_trail(
    tx: &mut Tx,
    review_id: i64,
    actor_user_id: Option<i64>,
    actor_name: &str,
    at: i64,
    from: Option<i64>,
    to: i64,
    reason: &str,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO review_calibration_history (review_id, actor_user_id, actor_name, at, \
         from_rating, to_rating, reason) VALUES ($1,$2,$3,$4,$5,$6,$7)",
        &[
            review_id.into(),
            actor_user_id.into(),
            actor_name.into(),
            at.into(),
            from.into(),
            to.into(),
            reason.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The trail of the given reviews, oldest first.
pub async fn trail(tx: &mut Tx, review_ids: &[i64]) -> Result<Vec<TrailEntry>, DbError> {
    let mut out = Vec::new();
    for chunk in review_ids.chunks(500) {
        let mut q = Sql::new(
            "SELECT review_id, actor_name, at, from_rating, to_rating, reason \
             FROM review_calibration_history WHERE review_id IN ",
        );
        let l = q.in_list(chunk);
        q.push(&format!("{l} ORDER BY id"));
        for r in tx.fetch_all(&q.text, &q.args).await? {
            out.push(TrailEntry {
                review_id: r.i64("review_id")?,
                actor_name: r.string("actor_name")?,
                at: r.i64("at")?,
                from_rating: r.opt_i64("from_rating")?,
                to_rating: r.i64("to_rating")?,
                reason: r.string("reason")?,
            });
        }
    }
    Ok(out)
}
