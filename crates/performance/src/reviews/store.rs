//! Review SQL. Anonymous answers are written and read here without any reviewer column, always
//! ordered by their random id (never by insertion); request rows carry no time column at all.
use super::model::{
    AnonymousAnswer, AnswerInput, Cycle, CycleValues, Direction, ParticipantSelector, Phase,
    PhaseDates, Question, QuestionInput, QuestionKind, RequestStatus,
};
use db::sql::Sql;
use db::{DbError, Row, Tx, Val};
use serde::Serialize;
use utoipa::ToSchema;

fn bad(what: &str, v: &str) -> DbError {
    DbError::Other(format!("bad {what} {v}"))
}

const CYCLE: &str = "SELECT id, name, period_start, period_end, phase, self_due, nomination_due, \
     feedback_due, calibration_due, signoff_due, shared_on, min_responses, peers_min, peers_max, \
     scale_max, weight_goals, weight_kpi, weight_manager, weight_peer, weight_upward, guideline, \
     version, created_at, updated_at FROM review_cycles";

fn cycle_row(r: &Row) -> Result<Cycle, DbError> {
    let phase = r.string("phase")?;
    Ok(Cycle {
        id: r.i64("id")?,
        name: r.string("name")?,
        period_start: r.string("period_start")?,
        period_end: r.string("period_end")?,
        phase: Phase::parse(&phase).ok_or_else(|| bad("phase", &phase))?,
        phases: PhaseDates {
            self_due: r.string("self_due")?,
            nomination_due: r.string("nomination_due")?,
            feedback_due: r.string("feedback_due")?,
            calibration_due: r.string("calibration_due")?,
            signoff_due: r.string("signoff_due")?,
            shared_on: r.string("shared_on")?,
        },
        min_responses: r.i64("min_responses")?,
        peers_min: r.i64("peers_min")?,
        peers_max: r.i64("peers_max")?,
        scale_max: r.i64("scale_max")?,
        weights: super::scoring::Weights {
            goals: r.i64("weight_goals")?,
            kpi: r.i64("weight_kpi")?,
            manager: r.i64("weight_manager")?,
            peer: r.i64("weight_peer")?,
            upward: r.i64("weight_upward")?,
        },
        // Cycles made before guidelines existed have none stored: the scale's default.
        guideline: serde_json::from_str(&r.string("guideline")?)
            .unwrap_or_else(|_| super::scoring::default_guideline(r.i64("scale_max").unwrap_or(5))),
        questions: Vec::new(),
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn questions(tx: &mut Tx, cycle_id: i64) -> Result<Vec<Question>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT id, direction, section, position, kind, prompt, competency, anchors, required \
             FROM review_questions WHERE cycle_id = $1 ORDER BY position, id",
            &[cycle_id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let d = r.string("direction")?;
            let k = r.string("kind")?;
            let anchors: Vec<String> =
                serde_json::from_str(&r.string("anchors")?).unwrap_or_default();
            Ok(Question {
                id: r.i64("id")?,
                direction: Direction::parse(&d).ok_or_else(|| bad("direction", &d))?,
                section: r.string("section")?,
                position: r.i64("position")?,
                kind: QuestionKind::parse(&k).ok_or_else(|| bad("kind", &k))?,
                prompt: r.string("prompt")?,
                competency: r.opt_string("competency")?,
                anchors,
                required: r.i64("required")? != 0,
            })
        })
        .collect()
}

pub async fn get_cycle(tx: &mut Tx, id: i64) -> Result<Option<Cycle>, DbError> {
    let Some(r) = tx
        .fetch_opt(&format!("{CYCLE} WHERE id = $1"), &[id.into()])
        .await?
    else {
        return Ok(None);
    };
    let mut c = cycle_row(&r)?;
    c.questions = questions(tx, id).await?;
    Ok(Some(c))
}

/// Newest first (cycles are few); `before_id` pages.
pub async fn list_cycles(
    tx: &mut Tx,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Cycle>, DbError> {
    let mut q = Sql::new(CYCLE);
    q.push(" WHERE 1=1");
    if let Some(b) = before_id {
        q.and_eq("id < {}", b);
    }
    let lp = q.arg(limit);
    q.push(&format!(" ORDER BY id DESC LIMIT {lp}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(cycle_row)
        .collect()
}

pub async fn count_cycles(tx: &mut Tx) -> Result<i64, DbError> {
    tx.count("SELECT COUNT(*) AS n FROM review_cycles", &[])
        .await
}

fn cycle_args(v: &CycleValues) -> Vec<Val> {
    vec![
        v.name.as_str().into(),
        v.period_start.as_str().into(),
        v.period_end.as_str().into(),
        v.phase.as_str().into(),
        v.phases.self_due.as_str().into(),
        v.phases.nomination_due.as_str().into(),
        v.phases.feedback_due.as_str().into(),
        v.phases.calibration_due.as_str().into(),
        v.phases.signoff_due.as_str().into(),
        v.phases.shared_on.as_str().into(),
        v.min_responses.into(),
        v.peers_min.into(),
        v.peers_max.into(),
        v.scale_max.into(),
        v.weights.goals.into(),
        v.weights.kpi.into(),
        v.weights.manager.into(),
        v.weights.peer.into(),
        v.weights.upward.into(),
        serde_json::to_string(&v.guideline)
            .unwrap_or_default()
            .into(),
    ]
}

pub async fn insert_cycle(
    tx: &mut Tx,
    v: &CycleValues,
    by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    let mut args = cycle_args(v);
    args.push(by.into());
    args.push(now.into());
    tx.insert_id(
        "INSERT INTO review_cycles (name, period_start, period_end, phase, self_due, nomination_due, \
         feedback_due, calibration_due, signoff_due, shared_on, min_responses, peers_min, peers_max, \
         scale_max, weight_goals, weight_kpi, weight_manager, weight_peer, weight_upward, guideline, \
         created_by, updated_by, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$21,$22,$22) \
         RETURNING id",
        &args,
    )
    .await
}

pub async fn update_cycle(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &CycleValues,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    let mut args = cycle_args(v);
    args.extend([by.into(), now.into(), id.into(), expected_version.into()]);
    tx.execute(
        "UPDATE review_cycles SET name = $1, period_start = $2, period_end = $3, phase = $4, \
         self_due = $5, nomination_due = $6, feedback_due = $7, calibration_due = $8, \
         signoff_due = $9, shared_on = $10, min_responses = $11, peers_min = $12, peers_max = $13, \
         scale_max = $14, weight_goals = $15, weight_kpi = $16, weight_manager = $17, \
         weight_peer = $18, weight_upward = $19, guideline = $20, updated_by = $21, updated_at = $22, \
         version = version + 1 WHERE id = $23 AND version = $24",
        &args,
    )
    .await
}

pub async fn insert_questions(
    tx: &mut Tx,
    cycle_id: i64,
    qs: &[QuestionInput],
) -> Result<(), DbError> {
    for (pos, q) in qs.iter().enumerate() {
        tx.execute(
            "INSERT INTO review_questions (cycle_id, direction, section, position, kind, prompt, \
             competency, anchors, required) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            &[
                cycle_id.into(),
                q.direction.as_str().into(),
                q.section.as_str().into(),
                (pos as i64).into(),
                q.kind.as_str().into(),
                q.prompt.as_str().into(),
                q.competency.clone().into(),
                serde_json::to_string(&q.anchors).unwrap_or_default().into(),
                i64::from(q.required).into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Active people matching the selector: (person, department, manager).
pub async fn select_people(
    tx: &mut Tx,
    s: &ParticipantSelector,
) -> Result<Vec<(i64, Option<i64>, Option<i64>)>, DbError> {
    let mut out = Vec::new();
    if s.has_filter() {
        let mut q = Sql::new(
            "SELECT p.id, p.department_id, p.manager_id FROM people p WHERE p.active = TRUE",
        );
        if let Some(d) = s.department_id {
            let a = q.arg(d);
            q.push(&format!(
                " AND p.department_id IN (WITH RECURSIVE sub(id) AS (SELECT id FROM departments WHERE id = {a} \
                 UNION ALL SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id) SELECT id FROM sub)"
            ));
        }
        if let Some(pos) = &s.position {
            q.and_eq("p.position = {}", pos.as_str());
        }
        if let Some(h) = &s.hired_before {
            q.and_eq("p.hire_date < {}", h.as_str());
        }
        q.push(" ORDER BY p.id");
        for r in tx.fetch_all(&q.text, &q.args).await? {
            out.push((
                r.i64("id")?,
                r.opt_i64("department_id")?,
                r.opt_i64("manager_id")?,
            ));
        }
    }
    if !s.person_ids.is_empty() {
        let mut q = Sql::new(
            "SELECT p.id, p.department_id, p.manager_id FROM people p WHERE p.active = TRUE AND p.id IN ",
        );
        let l = q.in_list(&s.person_ids);
        q.push(&format!("{l} ORDER BY p.id"));
        for r in tx.fetch_all(&q.text, &q.args).await? {
            let id = r.i64("id")?;
            if !out.iter().any(|(p, _, _)| *p == id) {
                out.push((id, r.opt_i64("department_id")?, r.opt_i64("manager_id")?));
            }
        }
    }
    Ok(out)
}

/// Which of `ids` are active people.
pub async fn active_people(tx: &mut Tx, ids: &[i64]) -> Result<Vec<i64>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT id FROM people WHERE active = TRUE AND id IN ");
    let l = q.in_list(ids);
    q.push(&l);
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| r.i64("id"))
        .collect()
}

pub async fn direct_reports(tx: &mut Tx, person_id: i64) -> Result<Vec<i64>, DbError> {
    tx.fetch_all(
        "SELECT id FROM people WHERE manager_id = $1 AND active = TRUE ORDER BY id",
        &[person_id.into()],
    )
    .await?
    .iter()
    .map(|r| r.i64("id"))
    .collect()
}

pub async fn user_of_person(tx: &mut Tx, person_id: i64) -> Result<Option<i64>, DbError> {
    Ok(tx
        .fetch_opt(
            "SELECT user_id FROM people WHERE id = $1",
            &[person_id.into()],
        )
        .await?
        .map(|r| r.opt_i64("user_id"))
        .transpose()?
        .flatten())
}

pub async fn insert_review(
    tx: &mut Tx,
    cycle_id: i64,
    person_id: i64,
    department_id: Option<i64>,
    manager_id: Option<i64>,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO reviews (cycle_id, person_id, department_id, manager_id) VALUES ($1,$2,$3,$4) RETURNING id",
        &[cycle_id.into(), person_id.into(), department_id.into(), manager_id.into()],
    )
    .await
}

/// A review as stored: the reviewee, their manager, and the manager's and reviewee's fields.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Review {
    pub id: i64,
    pub cycle_id: i64,
    pub cycle_name: String,
    pub phase: Phase,
    pub person_id: i64,
    pub person_name: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    /// The manager's rating and proposal: `null` for the reviewee until results are shared.
    pub manager_rating: Option<i64>,
    pub proposed_rating: Option<i64>,
    pub manager_comment: Option<String>,
    pub acknowledged: bool,
    pub reviewee_comment: Option<String>,
    pub version: i64,
}

const REVIEW: &str = "SELECT r.id, r.cycle_id, c.name AS cycle_name, c.phase, r.person_id, \
     p.name AS person_name, r.department_id, d.name AS department_name, r.manager_id, \
     m.name AS manager_name, r.manager_rating, r.proposed_rating, r.manager_comment, \
     r.acknowledged, r.reviewee_comment, r.version \
     FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id JOIN people p ON p.id = r.person_id \
     LEFT JOIN departments d ON d.id = r.department_id LEFT JOIN people m ON m.id = r.manager_id";

fn review_row(r: &Row) -> Result<Review, DbError> {
    let phase = r.string("phase")?;
    Ok(Review {
        id: r.i64("id")?,
        cycle_id: r.i64("cycle_id")?,
        cycle_name: r.string("cycle_name")?,
        phase: Phase::parse(&phase).ok_or_else(|| bad("phase", &phase))?,
        person_id: r.i64("person_id")?,
        person_name: r.string("person_name")?,
        department_id: r.opt_i64("department_id")?,
        department_name: r.opt_string("department_name")?,
        manager_id: r.opt_i64("manager_id")?,
        manager_name: r.opt_string("manager_name")?,
        manager_rating: r.opt_i64("manager_rating")?,
        proposed_rating: r.opt_i64("proposed_rating")?,
        manager_comment: r.opt_string("manager_comment")?,
        acknowledged: r.i64("acknowledged")? != 0,
        reviewee_comment: r.opt_string("reviewee_comment")?,
        version: r.i64("version")?,
    })
}

pub async fn get_review(tx: &mut Tx, id: i64) -> Result<Option<Review>, DbError> {
    tx.fetch_opt(&format!("{REVIEW} WHERE r.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(review_row)
        .transpose()
}

/// Which reviews of a cycle a caller sees (mirrors `Actor::can_see_review`).
pub enum ReviewScope {
    All,
    Scoped {
        person_id: Option<i64>,
        departments: Vec<i64>,
        reports: Vec<i64>,
        /// Managers: reviews whose recorded manager is the caller.
        as_manager: bool,
    },
}

fn push_review_scope(q: &mut Sql, s: &ReviewScope) {
    if let ReviewScope::Scoped {
        person_id,
        departments,
        reports,
        as_manager,
    } = s
    {
        let mut ors = vec!["1=0".to_string()];
        if let Some(p) = person_id {
            let a = q.arg(*p);
            ors.push(format!("r.person_id = {a}"));
            if *as_manager {
                ors.push(format!("r.manager_id = {a}"));
            }
        }
        if !departments.is_empty() {
            let l = q.in_list(departments);
            ors.push(format!("r.department_id IN {l}"));
        }
        if !reports.is_empty() {
            let l = q.in_list(reports);
            ors.push(format!("r.person_id IN {l}"));
        }
        q.push(&format!(" AND ({})", ors.join(" OR ")));
    }
}

pub async fn list_reviews(
    tx: &mut Tx,
    cycle_id: i64,
    scope: &ReviewScope,
) -> Result<Vec<Review>, DbError> {
    let mut q = Sql::new(REVIEW);
    q.push(" WHERE 1=1");
    q.and_eq("r.cycle_id = {}", cycle_id);
    push_review_scope(&mut q, scope);
    q.push(" ORDER BY p.name, r.id");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(review_row)
        .collect()
}

/// The reviews of one person across cycles (the reviewee's own list).
pub async fn reviews_of_person(tx: &mut Tx, person_id: i64) -> Result<Vec<Review>, DbError> {
    tx.fetch_all(
        &format!("{REVIEW} WHERE r.person_id = $1 ORDER BY r.cycle_id DESC"),
        &[person_id.into()],
    )
    .await?
    .iter()
    .map(review_row)
    .collect()
}

pub async fn update_review_manager(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    rating: Option<i64>,
    proposed: Option<i64>,
    comment: Option<&str>,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE reviews SET manager_rating = $1, proposed_rating = $2, manager_comment = $3, \
         version = version + 1 WHERE id = $4 AND version = $5",
        &[
            rating.into(),
            proposed.into(),
            comment.into(),
            id.into(),
            expected_version.into(),
        ],
    )
    .await
}

pub async fn update_review_reviewee(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    acknowledged: bool,
    comment: Option<&str>,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE reviews SET acknowledged = $1, reviewee_comment = $2, version = version + 1 \
         WHERE id = $3 AND version = $4",
        &[
            i64::from(acknowledged).into(),
            comment.into(),
            id.into(),
            expected_version.into(),
        ],
    )
    .await
}

/// A request row with what its reviewer needs to know. No time columns exist.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    pub id: i64,
    pub review_id: i64,
    pub cycle_id: i64,
    pub reviewee_id: i64,
    pub reviewee_name: String,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub reviewer_department_id: Option<i64>,
    pub direction: Direction,
    pub status: RequestStatus,
    pub draft: Option<String>,
    pub version: i64,
}

const REQUEST: &str = "SELECT q.id, q.review_id, r.cycle_id, r.person_id AS reviewee_id, \
     p.name AS reviewee_name, q.reviewer_id, w.name AS reviewer_name, w.department_id AS reviewer_department_id, \
     q.direction, q.status, q.draft, q.version \
     FROM review_requests q JOIN reviews r ON r.id = q.review_id JOIN people p ON p.id = r.person_id \
     JOIN people w ON w.id = q.reviewer_id";

fn request_row(r: &Row) -> Result<RequestRow, DbError> {
    let d = r.string("direction")?;
    let s = r.string("status")?;
    Ok(RequestRow {
        id: r.i64("id")?,
        review_id: r.i64("review_id")?,
        cycle_id: r.i64("cycle_id")?,
        reviewee_id: r.i64("reviewee_id")?,
        reviewee_name: r.string("reviewee_name")?,
        reviewer_id: r.i64("reviewer_id")?,
        reviewer_name: r.string("reviewer_name")?,
        reviewer_department_id: r.opt_i64("reviewer_department_id")?,
        direction: Direction::parse(&d).ok_or_else(|| bad("direction", &d))?,
        status: RequestStatus::parse(&s).ok_or_else(|| bad("status", &s))?,
        draft: r.opt_string("draft")?,
        version: r.i64("version")?,
    })
}

pub async fn get_request(tx: &mut Tx, id: i64) -> Result<Option<RequestRow>, DbError> {
    tx.fetch_opt(&format!("{REQUEST} WHERE q.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(request_row)
        .transpose()
}

pub async fn requests_of_reviewer(tx: &mut Tx, person_id: i64) -> Result<Vec<RequestRow>, DbError> {
    tx.fetch_all(
        &format!("{REQUEST} WHERE q.reviewer_id = $1 ORDER BY r.cycle_id DESC, q.id"),
        &[person_id.into()],
    )
    .await?
    .iter()
    .map(request_row)
    .collect()
}

pub async fn requests_of_review(tx: &mut Tx, review_id: i64) -> Result<Vec<RequestRow>, DbError> {
    tx.fetch_all(
        &format!("{REQUEST} WHERE q.review_id = $1 ORDER BY q.direction, w.name, q.id"),
        &[review_id.into()],
    )
    .await?
    .iter()
    .map(request_row)
    .collect()
}

/// Requests of a cycle, optionally only reviewers in `departments` (the progress dashboard).
pub async fn requests_of_cycle(
    tx: &mut Tx,
    cycle_id: i64,
    departments: Option<&[i64]>,
) -> Result<Vec<RequestRow>, DbError> {
    let mut q = Sql::new(REQUEST);
    q.push(" WHERE 1=1");
    q.and_eq("r.cycle_id = {}", cycle_id);
    if let Some(ds) = departments {
        if ds.is_empty() {
            return Ok(Vec::new());
        }
        let l = q.in_list(ds);
        q.push(&format!(" AND w.department_id IN {l}"));
    }
    q.push(" ORDER BY w.name, q.id");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(request_row)
        .collect()
}

/// Inserts a request unless the same (review, reviewer, direction) exists; returns the new id.
pub async fn insert_request(
    tx: &mut Tx,
    review_id: i64,
    reviewer_id: i64,
    direction: Direction,
    status: RequestStatus,
) -> Result<Option<i64>, DbError> {
    let r = tx
        .fetch_opt(
            "INSERT INTO review_requests (review_id, reviewer_id, direction, status) VALUES ($1,$2,$3,$4) \
             ON CONFLICT (review_id, reviewer_id, direction) DO NOTHING RETURNING id",
            &[
                review_id.into(),
                reviewer_id.into(),
                direction.as_str().into(),
                status.as_str().into(),
            ],
        )
        .await?;
    r.map(|r| r.i64("id")).transpose()
}

/// Optimistic status (and draft) change; 0 = stale or gone.
pub async fn set_request(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    status: RequestStatus,
    draft: Option<&str>,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE review_requests SET status = $1, draft = $2, version = version + 1 \
         WHERE id = $3 AND version = $4",
        &[
            status.as_str().into(),
            draft.into(),
            id.into(),
            expected_version.into(),
        ],
    )
    .await
}

pub async fn insert_named_answers(
    tx: &mut Tx,
    request_id: i64,
    answers: &[AnswerInput],
) -> Result<(), DbError> {
    for a in answers {
        tx.execute(
            "INSERT INTO review_named_answers (request_id, question_id, rating, body) VALUES ($1,$2,$3,$4)",
            &[
                request_id.into(),
                a.question_id.into(),
                a.rating.into(),
                a.text.clone().into(),
            ],
        )
        .await?;
    }
    Ok(())
}

pub async fn named_answers(tx: &mut Tx, request_id: i64) -> Result<Vec<AnswerInput>, DbError> {
    tx.fetch_all(
        "SELECT question_id, rating, body FROM review_named_answers WHERE request_id = $1 ORDER BY question_id",
        &[request_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(AnswerInput {
            question_id: r.i64("question_id")?,
            rating: r.opt_i64("rating")?,
            text: r.opt_string("body")?,
        })
    })
    .collect()
}

/// Stores one anonymous answer under a random id, with no reviewer and no time.
pub async fn insert_anonymous(
    tx: &mut Tx,
    random_id: i64,
    review_id: i64,
    direction: Direction,
    a: &AnswerInput,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO review_anonymous_answers (id, review_id, direction, question_id, rating, body) \
         VALUES ($1,$2,$3,$4,$5,$6)",
        &[
            random_id.into(),
            review_id.into(),
            direction.as_str().into(),
            a.question_id.into(),
            a.rating.into(),
            a.text.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Ordered by the random id: the order carries no information about who answered when.
pub async fn anonymous_answers(
    tx: &mut Tx,
    review_id: i64,
    direction: Direction,
) -> Result<Vec<AnonymousAnswer>, DbError> {
    tx.fetch_all(
        "SELECT question_id, rating, body FROM review_anonymous_answers \
         WHERE review_id = $1 AND direction = $2 ORDER BY id",
        &[review_id.into(), direction.as_str().into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(AnonymousAnswer {
            question_id: r.i64("question_id")?,
            rating: r.opt_i64("rating")?,
            body: r.opt_string("body")?,
        })
    })
    .collect()
}

pub async fn count_submitted(
    tx: &mut Tx,
    review_id: i64,
    direction: Direction,
) -> Result<i64, DbError> {
    tx.count(
        "SELECT COUNT(*) AS n FROM review_requests WHERE review_id = $1 AND direction = $2 AND status = 'submitted'",
        &[review_id.into(), direction.as_str().into()],
    )
    .await
}
