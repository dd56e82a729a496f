//! SQL of the review reports and reminders. Reports read request statuses and the managers'
//! ratings only — never a peer or upward answer.
use db::sql::Sql;
use db::{DbError, Tx};

/// Requests of a cycle per reviewee department, direction and status (decided requests only:
/// nominations not yet approved, and rejected ones, are not requests).
pub struct CompletionCount {
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub direction: String,
    pub status: String,
    pub n: i64,
}

fn push_departments(q: &mut Sql, departments: Option<&[i64]>) -> bool {
    match departments {
        None => true,
        Some([]) => false,
        Some(ds) => {
            let l = q.in_list(ds);
            q.push(&format!(" AND r.department_id IN {l}"));
            true
        }
    }
}

pub async fn completion(
    tx: &mut Tx,
    cycle_id: i64,
    departments: Option<&[i64]>,
) -> Result<Vec<CompletionCount>, DbError> {
    let mut q = Sql::new(
        "SELECT r.department_id, d.name AS department_name, q.direction, q.status, COUNT(*) AS n \
         FROM review_requests q JOIN reviews r ON r.id = q.review_id \
         LEFT JOIN departments d ON d.id = r.department_id \
         WHERE q.status IN ('pending','submitted','declined')",
    );
    q.and_eq("r.cycle_id = {}", cycle_id);
    if !push_departments(&mut q, departments) {
        return Ok(Vec::new());
    }
    q.push(" GROUP BY r.department_id, d.name, q.direction, q.status ORDER BY d.name, q.direction");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(CompletionCount {
                department_id: r.opt_i64("department_id")?,
                department_name: r.opt_string("department_name")?,
                direction: r.string("direction")?,
                status: r.string("status")?,
                n: r.i64("n")?,
            })
        })
        .collect()
}

/// The final rating as the calibration page and outcomes define it: calibrated, else proposed.
const FINAL: &str = "COALESCE(o.calibrated_rating, r.proposed_rating)";

/// One review's ratings with where it sits: the final one and the manager's proposal.
pub struct RatingRow {
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub final_rating: Option<i64>,
    pub proposed_rating: Option<i64>,
}

pub async fn ratings(
    tx: &mut Tx,
    cycle_id: i64,
    departments: Option<&[i64]>,
) -> Result<Vec<RatingRow>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT r.department_id, d.name AS department_name, r.manager_id, m.name AS manager_name, \
         {FINAL} AS final_rating, r.proposed_rating FROM reviews r \
         LEFT JOIN review_outcomes o ON o.review_id = r.id \
         LEFT JOIN departments d ON d.id = r.department_id LEFT JOIN people m ON m.id = r.manager_id \
         WHERE 1=1"
    ));
    q.and_eq("r.cycle_id = {}", cycle_id);
    if !push_departments(&mut q, departments) {
        return Ok(Vec::new());
    }
    q.push(" ORDER BY r.id");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(RatingRow {
                department_id: r.opt_i64("department_id")?,
                department_name: r.opt_string("department_name")?,
                manager_id: r.opt_i64("manager_id")?,
                manager_name: r.opt_string("manager_name")?,
                final_rating: r.opt_i64("final_rating")?,
                proposed_rating: r.opt_i64("proposed_rating")?,
            })
        })
        .collect()
}

/// Cycles whose running phase has a deadline to remind of.
pub async fn cycles_to_remind(tx: &mut Tx) -> Result<Vec<i64>, DbError> {
    tx.fetch_all(
        "SELECT id FROM review_cycles WHERE phase IN ('self','nomination','feedback') ORDER BY id",
        &[],
    )
    .await?
    .iter()
    .map(|r| r.i64("id"))
    .collect()
}

/// Reviews of a cycle with fewer than `peers_min` peers nominated (rejected ones not counted),
/// with the reviewee's account: (review, account).
pub async fn short_of_peers(
    tx: &mut Tx,
    cycle_id: i64,
    peers_min: i64,
) -> Result<Vec<(i64, i64)>, DbError> {
    tx.fetch_all(
        "SELECT r.id, p.user_id FROM reviews r JOIN people p ON p.id = r.person_id \
         WHERE r.cycle_id = $1 AND p.user_id IS NOT NULL AND p.active = TRUE \
         AND (SELECT COUNT(*) FROM review_requests q WHERE q.review_id = r.id \
              AND q.direction = 'peer' AND q.status <> 'rejected') < $2 ORDER BY r.id",
        &[cycle_id.into(), peers_min.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.i64("user_id")?)))
    .collect()
}

/// Managers with peer nominations still to decide in the cycle: (manager person, their user,
/// how many nominations wait).
pub async fn undecided_nominations(
    tx: &mut Tx,
    cycle_id: i64,
) -> Result<Vec<(i64, i64, i64)>, DbError> {
    tx.fetch_all(
        "SELECT r.manager_id AS manager_id, p.user_id AS user_id, COUNT(*) AS n \
         FROM review_requests q JOIN reviews r ON r.id = q.review_id \
         JOIN people p ON p.id = r.manager_id \
         WHERE r.cycle_id = $1 AND q.direction = 'peer' AND q.status = 'nominated' \
         AND p.user_id IS NOT NULL AND p.active = TRUE \
         GROUP BY r.manager_id, p.user_id ORDER BY r.manager_id",
        &[cycle_id.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("manager_id")?, r.i64("user_id")?, r.i64("n")?)))
    .collect()
}

/// Claims the reminder (cycle, target, phase, offset); `false` when it was already sent.
pub async fn claim_reminder(
    tx: &mut Tx,
    cycle_id: i64,
    target: &str,
    phase: &str,
    offset_days: i64,
) -> Result<bool, DbError> {
    let n = tx
        .execute(
            "INSERT INTO review_reminders (cycle_id, target, phase, offset_days) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (cycle_id, target, phase, offset_days) DO NOTHING",
            &[
                cycle_id.into(),
                target.into(),
                phase.into(),
                offset_days.into(),
            ],
        )
        .await?;
    Ok(n == 1)
}

const APPROVED: &str = "q.direction = 'peer' AND q.status IN ('pending','submitted','declined')";

/// Peers the manager approved for a review (whether they answered yet or not).
pub async fn approved_peers(tx: &mut Tx, review_id: i64) -> Result<i64, DbError> {
    tx.count(
        &format!(
            "SELECT COUNT(*) AS n FROM review_requests q WHERE q.review_id = $1 AND {APPROVED}"
        ),
        &[review_id.into()],
    )
    .await
}

/// How many reviews of a cycle have fewer than `peers_min` approved peers.
pub async fn below_peers_min(tx: &mut Tx, cycle_id: i64, peers_min: i64) -> Result<i64, DbError> {
    tx.count(
        &format!(
            "SELECT COUNT(*) AS n FROM reviews r WHERE r.cycle_id = $1 AND \
             (SELECT COUNT(*) FROM review_requests q WHERE q.review_id = r.id AND {APPROVED}) < $2"
        ),
        &[cycle_id.into(), peers_min.into()],
    )
    .await
}

/// Final ratings (calibrated, else proposed) of a person's reviews: (review, final).
pub async fn final_ratings(
    tx: &mut Tx,
    person_id: i64,
) -> Result<Vec<(i64, Option<i64>)>, DbError> {
    tx.fetch_all(
        &format!(
            "SELECT r.id, {FINAL} AS final_rating FROM reviews r \
             LEFT JOIN review_outcomes o ON o.review_id = r.id WHERE r.person_id = $1"
        ),
        &[person_id.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.i64("id")?, r.opt_i64("final_rating")?)))
    .collect()
}
