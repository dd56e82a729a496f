//! Hiring's SQL. Rows come back unredacted; the service removes what the caller may not see.
use super::model::{
    Candidate, CandidateValues, CvInfo, FunnelFact, HeadcountRequest, Interview, Offer, Opening,
    OpeningValues, Rating, Scorecard, Stage,
};
use db::sql::Sql;
use db::{DbError, Row, Tx};

// ---------------------------------------------------------------- headcount

const HC_SELECT: &str = "SELECT h.id, h.department_id, d.name AS department_name, h.position, h.headcount, \
     h.budget_minor, h.currency, h.justification, h.status, h.decided_by, h.decided_at, h.decision_note, \
     h.version, h.created_at, h.updated_at FROM headcount_requests h JOIN departments d ON d.id = h.department_id";

fn hc_row(r: &Row) -> Result<HeadcountRequest, DbError> {
    Ok(HeadcountRequest {
        id: r.i64("id")?,
        department_id: r.i64("department_id")?,
        department_name: r.string("department_name")?,
        position: r.string("position")?,
        headcount: r.i64("headcount")?,
        budget_minor: r.opt_i64("budget_minor")?,
        currency: r.string("currency")?,
        justification: r.string("justification")?,
        status: r.string("status")?,
        decided_by: r.opt_i64("decided_by")?,
        decided_at: r.opt_i64("decided_at")?,
        decision_note: r.opt_string("decision_note")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn get_headcount(tx: &mut Tx, id: i64) -> Result<Option<HeadcountRequest>, DbError> {
    tx.fetch_opt(&format!("{HC_SELECT} WHERE h.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(hc_row)
        .transpose()
}

/// Requests of the given departments (`None` = all), newest first, after the cursor id.
pub async fn list_headcount(
    tx: &mut Tx,
    departments: Option<&[i64]>,
    head_of: Option<i64>,
    status: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<HeadcountRequest>, DbError> {
    let mut q = Sql::new(&format!("{HC_SELECT} WHERE 1=1"));
    if let Some(ds) = departments {
        let list = q.in_list(ds);
        let head = q.arg(head_of.unwrap_or(0));
        q.push(&format!(
            " AND (h.department_id IN {list} OR d.head_person_id = {head})"
        ));
    }
    if let Some(s) = status {
        q.and_eq("h.status = {}", s);
    }
    if let Some(b) = before_id {
        q.and_eq("h.id < {}", b);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY h.id DESC LIMIT {l}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(hc_row)
        .collect()
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_headcount(
    tx: &mut Tx,
    department_id: i64,
    position: &str,
    headcount: i64,
    budget_minor: Option<i64>,
    currency: &str,
    justification: &str,
    created_by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO headcount_requests (department_id, position, headcount, budget_minor, currency, \
         justification, status, created_by, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,'pending',$7,$8,$8) RETURNING id",
        &[
            department_id.into(),
            position.into(),
            headcount.into(),
            budget_minor.into(),
            currency.into(),
            justification.into(),
            created_by.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn decide_headcount(
    tx: &mut Tx,
    id: i64,
    version: i64,
    status: &str,
    decided_by: Option<i64>,
    note: Option<&str>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE headcount_requests SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4, \
         updated_at = $3, version = version + 1 WHERE id = $5 AND version = $6 AND status = 'pending'",
        &[
            status.into(),
            decided_by.into(),
            now.into(),
            note.into(),
            id.into(),
            version.into(),
        ],
    )
    .await
}

/// The head of a department (`None` when it has none or does not exist).
pub async fn department_head(tx: &mut Tx, department_id: i64) -> Result<Option<i64>, DbError> {
    Ok(tx
        .fetch_opt(
            "SELECT head_person_id FROM departments WHERE id = $1",
            &[department_id.into()],
        )
        .await?
        .map(|r| r.opt_i64("head_person_id"))
        .transpose()?
        .flatten())
}

// ---------------------------------------------------------------- openings

const OPENING_SELECT: &str = "SELECT o.id, o.title, o.department_id, d.name AS department_name, \
     o.headcount_request_id, o.hiring_manager_id, hm.name AS hiring_manager_name, o.description, \
     o.salary_min_minor, o.salary_max_minor, o.currency, o.status, o.version, o.created_at, o.updated_at, \
     (SELECT COUNT(*) FROM candidates c WHERE c.opening_id = o.id) AS candidates \
     FROM job_openings o JOIN departments d ON d.id = o.department_id \
     LEFT JOIN people hm ON hm.id = o.hiring_manager_id";

fn opening_row(r: &Row) -> Result<Opening, DbError> {
    Ok(Opening {
        id: r.i64("id")?,
        title: r.string("title")?,
        department_id: r.i64("department_id")?,
        department_name: r.string("department_name")?,
        headcount_request_id: r.opt_i64("headcount_request_id")?,
        hiring_manager_id: r.opt_i64("hiring_manager_id")?,
        hiring_manager_name: r.opt_string("hiring_manager_name")?,
        description: r.opt_string("description")?,
        salary_min_minor: r.opt_i64("salary_min_minor")?,
        salary_max_minor: r.opt_i64("salary_max_minor")?,
        currency: r.string("currency")?,
        status: r.string("status")?,
        team: Vec::new(),
        candidates: r.i64("candidates")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

async fn with_team(tx: &mut Tx, mut o: Opening) -> Result<Opening, DbError> {
    o.team = tx
        .fetch_all(
            "SELECT person_id FROM job_opening_team WHERE opening_id = $1 ORDER BY person_id",
            &[o.id.into()],
        )
        .await?
        .iter()
        .map(|r| r.i64("person_id"))
        .collect::<Result<_, _>>()?;
    Ok(o)
}

pub async fn get_opening(tx: &mut Tx, id: i64) -> Result<Option<Opening>, DbError> {
    let o = tx
        .fetch_opt(&format!("{OPENING_SELECT} WHERE o.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(opening_row)
        .transpose()?;
    match o {
        Some(o) => Ok(Some(with_team(tx, o).await?)),
        None => Ok(None),
    }
}

/// The SQL condition "the opening `o` is visible": in the departments, headed by, managed by,
/// or staffed (team, interviewer) with the person. `None` departments = everything.
fn visible_opening(q: &mut Sql, departments: Option<&[i64]>, person_id: Option<i64>) -> String {
    let Some(ds) = departments else {
        return "1=1".into();
    };
    let list = q.in_list(ds);
    let me = q.arg(person_id.unwrap_or(0));
    format!(
        "(o.department_id IN {list} OR d.head_person_id = {me} OR o.hiring_manager_id = {me} \
         OR EXISTS (SELECT 1 FROM job_opening_team t WHERE t.opening_id = o.id AND t.person_id = {me}) \
         OR EXISTS (SELECT 1 FROM interviews i JOIN candidates ic ON ic.id = i.candidate_id \
                    WHERE ic.opening_id = o.id AND i.interviewer_id = {me}))"
    )
}

pub async fn list_openings(
    tx: &mut Tx,
    departments: Option<&[i64]>,
    person_id: Option<i64>,
    status: Option<&str>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Opening>, DbError> {
    let mut q = Sql::new(&format!("{OPENING_SELECT} WHERE "));
    let vis = visible_opening(&mut q, departments, person_id);
    q.push(&vis);
    if let Some(s) = status {
        q.and_eq("o.status = {}", s);
    }
    if let Some(b) = before_id {
        q.and_eq("o.id < {}", b);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY o.id DESC LIMIT {l}"));
    let rows = tx.fetch_all(&q.text, &q.args).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(with_team(tx, opening_row(r)?).await?);
    }
    Ok(out)
}

pub async fn insert_opening(
    tx: &mut Tx,
    v: &OpeningValues,
    i: &super::model::OpeningInput,
    now: i64,
) -> Result<i64, DbError> {
    let id = tx
        .insert_id(
            "INSERT INTO job_openings (title, department_id, headcount_request_id, hiring_manager_id, description, \
             salary_min_minor, salary_max_minor, currency, status, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'open',$9,$9) RETURNING id",
            &[
                v.title.as_str().into(),
                i.department_id.into(),
                i.headcount_request_id.into(),
                i.hiring_manager_id.into(),
                v.description.clone().into(),
                i.salary_min_minor.into(),
                i.salary_max_minor.into(),
                v.currency.as_str().into(),
                now.into(),
            ],
        )
        .await?;
    for p in &i.team {
        add_to_team(tx, id, *p).await?;
    }
    Ok(id)
}

pub async fn add_to_team(tx: &mut Tx, opening_id: i64, person_id: i64) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO job_opening_team (opening_id, person_id) VALUES ($1,$2) ON CONFLICT DO NOTHING",
        &[opening_id.into(), person_id.into()],
    )
    .await?;
    Ok(())
}

pub async fn set_opening_status(
    tx: &mut Tx,
    id: i64,
    version: i64,
    status: &str,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE job_openings SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        &[status.into(), now.into(), id.into(), version.into()],
    )
    .await
}

/// Whether the person is on the opening's hiring team: its hiring manager, a team member, or
/// an interviewer of one of its candidates.
pub async fn on_team(
    tx: &mut Tx,
    opening_id: i64,
    person_id: Option<i64>,
) -> Result<bool, DbError> {
    let Some(p) = person_id else {
        return Ok(false);
    };
    Ok(tx
        .count(
            "SELECT CAST(CASE WHEN EXISTS (SELECT 1 FROM job_openings WHERE id = $1 AND hiring_manager_id = $2) \
             OR EXISTS (SELECT 1 FROM job_opening_team WHERE opening_id = $1 AND person_id = $2) \
             OR EXISTS (SELECT 1 FROM interviews i JOIN candidates c ON c.id = i.candidate_id \
                        WHERE c.opening_id = $1 AND i.interviewer_id = $2) THEN 1 ELSE 0 END AS BIGINT) AS n",
            &[opening_id.into(), p.into()],
        )
        .await?
        > 0)
}

// ---------------------------------------------------------------- candidates

const CANDIDATE_SELECT: &str = "SELECT c.id, c.opening_id, o.title AS opening_title, c.name, c.email, c.phone, \
     c.source, c.stage, c.applied_at, c.stage_changed_at, c.hired_at, c.person_id, c.notes, c.version, \
     c.created_at, c.updated_at, cv.filename AS cv_filename, cv.content_type AS cv_type, \
     cv.size_bytes AS cv_size, cv.uploaded_at AS cv_at \
     FROM candidates c JOIN job_openings o ON o.id = c.opening_id JOIN departments d ON d.id = o.department_id \
     LEFT JOIN candidate_cvs cv ON cv.candidate_id = c.id";

fn candidate_row(r: &Row) -> Result<Candidate, DbError> {
    let stage = r.string("stage")?;
    let cv = match r.opt_string("cv_filename")? {
        Some(filename) => Some(CvInfo {
            filename,
            content_type: r.string("cv_type")?,
            size_bytes: r.i64("cv_size")?,
            uploaded_at: r.i64("cv_at")?,
        }),
        None => None,
    };
    Ok(Candidate {
        id: r.i64("id")?,
        opening_id: r.i64("opening_id")?,
        opening_title: r.string("opening_title")?,
        name: r.string("name")?,
        email: r.opt_string("email")?,
        phone: r.opt_string("phone")?,
        source: r.string("source")?,
        stage: Stage::parse(&stage)
            .ok_or_else(|| DbError::Other(format!("unknown candidate stage {stage}")))?,
        applied_at: r.i64("applied_at")?,
        stage_changed_at: r.i64("stage_changed_at")?,
        hired_at: r.opt_i64("hired_at")?,
        person_id: r.opt_i64("person_id")?,
        notes: r.opt_string("notes")?,
        cv,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn get_candidate(tx: &mut Tx, id: i64) -> Result<Option<Candidate>, DbError> {
    tx.fetch_opt(&format!("{CANDIDATE_SELECT} WHERE c.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(candidate_row)
        .transpose()
}

pub struct CandidateFilter<'a> {
    pub opening_id: Option<i64>,
    pub stage: Option<Stage>,
    pub source: Option<&'a str>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// Candidates of visible openings, oldest application first.
pub async fn list_candidates(
    tx: &mut Tx,
    departments: Option<&[i64]>,
    person_id: Option<i64>,
    f: &CandidateFilter<'_>,
) -> Result<Vec<Candidate>, DbError> {
    let mut q = Sql::new(&format!("{CANDIDATE_SELECT} WHERE "));
    let vis = visible_opening(&mut q, departments, person_id);
    q.push(&vis);
    if let Some(o) = f.opening_id {
        q.and_eq("c.opening_id = {}", o);
    }
    if let Some(s) = f.stage {
        q.and_eq("c.stage = {}", s.as_str());
    }
    if let Some(s) = f.source {
        q.and_eq("c.source = {}", s);
    }
    if let Some(a) = f.after_id {
        q.and_eq("c.id > {}", a);
    }
    let l = q.arg(f.limit);
    q.push(&format!(" ORDER BY c.id LIMIT {l}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(candidate_row)
        .collect()
}

pub async fn insert_candidate(
    tx: &mut Tx,
    opening_id: i64,
    v: &CandidateValues,
    applied_at: i64,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO candidates (opening_id, name, email, phone, source, stage, furthest_rank, applied_at, \
         stage_changed_at, notes, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,'applied',0,$6,$6,$7,$8,$8) RETURNING id",
        &[
            opening_id.into(),
            v.name.as_str().into(),
            v.email.clone().into(),
            v.phone.clone().into(),
            v.source.as_str().into(),
            applied_at.into(),
            v.notes.clone().into(),
            now.into(),
        ],
    )
    .await
}

/// Moves a candidate; the furthest stage reached only grows (for the funnel).
pub async fn move_candidate(
    tx: &mut Tx,
    id: i64,
    version: i64,
    to: Stage,
    now: i64,
) -> Result<u64, DbError> {
    let rank = to.rank().unwrap_or(-1);
    tx.execute(
        "UPDATE candidates SET stage = $1, stage_changed_at = $2, updated_at = $2, version = version + 1, \
         furthest_rank = CASE WHEN furthest_rank < $3 THEN $3 ELSE furthest_rank END \
         WHERE id = $4 AND version = $5",
        &[to.as_str().into(), now.into(), rank.into(), id.into(), version.into()],
    )
    .await
}

pub async fn mark_hired(tx: &mut Tx, id: i64, person_id: i64, now: i64) -> Result<u64, DbError> {
    let rank = Stage::Hired.rank().unwrap_or(4);
    tx.execute(
        "UPDATE candidates SET stage = 'hired', furthest_rank = $1, hired_at = $2, stage_changed_at = $2, \
         updated_at = $2, person_id = $3, version = version + 1 WHERE id = $4 AND stage = 'offer'",
        &[rank.into(), now.into(), person_id.into(), id.into()],
    )
    .await
}

/// Demo data: a candidate's dates and furthest stage as if they had happened earlier.
pub async fn backdate_candidate(
    tx: &mut Tx,
    id: i64,
    applied_at: i64,
    hired_at: Option<i64>,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE candidates SET applied_at = $1, hired_at = COALESCE($2, hired_at) WHERE id = $3",
        &[applied_at.into(), hired_at.into(), id.into()],
    )
    .await
}

pub async fn funnel_facts(
    tx: &mut Tx,
    departments: Option<&[i64]>,
    person_id: Option<i64>,
    opening_id: Option<i64>,
) -> Result<Vec<FunnelFact>, DbError> {
    let mut q = Sql::new(
        "SELECT c.source, c.furthest_rank, c.applied_at, c.hired_at FROM candidates c \
         JOIN job_openings o ON o.id = c.opening_id JOIN departments d ON d.id = o.department_id WHERE ",
    );
    let vis = visible_opening(&mut q, departments, person_id);
    q.push(&vis);
    if let Some(o) = opening_id {
        q.and_eq("c.opening_id = {}", o);
    }
    q.push(" ORDER BY c.id");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(FunnelFact {
                source: r.string("source")?,
                furthest_rank: r.i64("furthest_rank")?,
                applied_at: r.i64("applied_at")?,
                hired_at: r.opt_i64("hired_at")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- CVs

#[allow(clippy::too_many_arguments)]
pub async fn put_cv(
    tx: &mut Tx,
    candidate_id: i64,
    filename: &str,
    content_type: &str,
    data: &[u8],
    uploaded_by: Option<i64>,
    now: i64,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO candidate_cvs (candidate_id, filename, content_type, size_bytes, sha256, data, uploaded_by, uploaded_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (candidate_id) DO UPDATE SET filename = excluded.filename, \
         content_type = excluded.content_type, size_bytes = excluded.size_bytes, sha256 = excluded.sha256, \
         data = excluded.data, uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at",
        &[
            candidate_id.into(),
            filename.into(),
            content_type.into(),
            (data.len() as i64).into(),
            db::digest_bytes(data).into(),
            data.to_vec().into(),
            uploaded_by.into(),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// (file name, content type, bytes).
pub async fn get_cv(
    tx: &mut Tx,
    candidate_id: i64,
) -> Result<Option<(String, String, Vec<u8>)>, DbError> {
    tx.fetch_opt(
        "SELECT filename, content_type, data FROM candidate_cvs WHERE candidate_id = $1",
        &[candidate_id.into()],
    )
    .await?
    .map(|r| {
        Ok((
            r.string("filename")?,
            r.string("content_type")?,
            r.bytes("data")?,
        ))
    })
    .transpose()
}

// ---------------------------------------------------------------- interviews

const INTERVIEW_SELECT: &str = "SELECT i.id, i.candidate_id, i.interviewer_id, p.name AS interviewer_name, \
     i.scheduled_at, i.kind, i.ratings, i.recommendation, i.notes, i.submitted_at, i.version \
     FROM interviews i LEFT JOIN people p ON p.id = i.interviewer_id";

fn interview_row(r: &Row) -> Result<Interview, DbError> {
    let scorecard = match (r.opt_i64("submitted_at")?, r.opt_string("recommendation")?) {
        (Some(at), Some(rec)) => Some(Scorecard {
            ratings: serde_json::from_str::<Vec<Rating>>(
                &r.opt_string("ratings")?.unwrap_or_default(),
            )
            .map_err(|e| DbError::Other(format!("scorecard ratings: {e}")))?,
            recommendation: rec,
            notes: r.opt_string("notes")?,
            submitted_at: at,
        }),
        _ => None,
    };
    Ok(Interview {
        id: r.i64("id")?,
        candidate_id: r.i64("candidate_id")?,
        interviewer_id: r.opt_i64("interviewer_id")?,
        interviewer_name: r.opt_string("interviewer_name")?,
        scheduled_at: r.i64("scheduled_at")?,
        kind: r.string("kind")?,
        scorecard,
        scorecard_hidden: false,
        version: r.i64("version")?,
    })
}

pub async fn get_interview(tx: &mut Tx, id: i64) -> Result<Option<Interview>, DbError> {
    tx.fetch_opt(&format!("{INTERVIEW_SELECT} WHERE i.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(interview_row)
        .transpose()
}

pub async fn list_interviews(tx: &mut Tx, candidate_id: i64) -> Result<Vec<Interview>, DbError> {
    tx.fetch_all(
        &format!("{INTERVIEW_SELECT} WHERE i.candidate_id = $1 ORDER BY i.scheduled_at, i.id"),
        &[candidate_id.into()],
    )
    .await?
    .iter()
    .map(interview_row)
    .collect()
}

pub async fn insert_interview(
    tx: &mut Tx,
    candidate_id: i64,
    interviewer_id: i64,
    scheduled_at: i64,
    kind: &str,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO interviews (candidate_id, interviewer_id, scheduled_at, kind, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$5) RETURNING id",
        &[
            candidate_id.into(),
            interviewer_id.into(),
            scheduled_at.into(),
            kind.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn submit_scorecard(
    tx: &mut Tx,
    id: i64,
    ratings: &[Rating],
    recommendation: &str,
    notes: Option<&str>,
    now: i64,
) -> Result<u64, DbError> {
    let json = serde_json::to_string(ratings).map_err(|e| DbError::Other(e.to_string()))?;
    tx.execute(
        "UPDATE interviews SET ratings = $1, recommendation = $2, notes = $3, submitted_at = $4, updated_at = $4, \
         version = version + 1 WHERE id = $5",
        &[
            json.into(),
            recommendation.into(),
            notes.into(),
            now.into(),
            id.into(),
        ],
    )
    .await
}

// ---------------------------------------------------------------- offers

const OFFER_SELECT: &str = "SELECT id, candidate_id, salary_minor, currency, start_date, status, version, \
     created_at, updated_at FROM offers";

fn offer_row(r: &Row) -> Result<Offer, DbError> {
    Ok(Offer {
        id: r.i64("id")?,
        candidate_id: r.i64("candidate_id")?,
        salary_minor: Some(r.i64("salary_minor")?),
        currency: r.string("currency")?,
        start_date: r.string("start_date")?,
        status: r.string("status")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

pub async fn list_offers(tx: &mut Tx, candidate_id: i64) -> Result<Vec<Offer>, DbError> {
    tx.fetch_all(
        &format!("{OFFER_SELECT} WHERE candidate_id = $1 ORDER BY id"),
        &[candidate_id.into()],
    )
    .await?
    .iter()
    .map(offer_row)
    .collect()
}

pub async fn get_offer(tx: &mut Tx, id: i64) -> Result<Option<Offer>, DbError> {
    tx.fetch_opt(&format!("{OFFER_SELECT} WHERE id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(offer_row)
        .transpose()
}

pub async fn insert_offer(
    tx: &mut Tx,
    candidate_id: i64,
    salary_minor: i64,
    currency: &str,
    start_date: &str,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO offers (candidate_id, salary_minor, currency, start_date, status, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,'sent',$5,$5) RETURNING id",
        &[
            candidate_id.into(),
            salary_minor.into(),
            currency.into(),
            start_date.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn set_offer_status(
    tx: &mut Tx,
    id: i64,
    version: i64,
    status: &str,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE offers SET status = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3 AND version = $4 AND status = 'sent'",
        &[status.into(), now.into(), id.into(), version.into()],
    )
    .await
}

// ---------------------------------------------------------------- edits (version-checked; 0 rows: stale)

pub async fn update_opening(
    tx: &mut Tx,
    id: i64,
    version: i64,
    v: &OpeningValues,
    i: &super::model::OpeningInput,
    status: &str,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE job_openings SET title = $1, description = $2, hiring_manager_id = $3, salary_min_minor = $4, \
         salary_max_minor = $5, currency = $6, status = $7, updated_at = $8, version = version + 1 \
         WHERE id = $9 AND version = $10",
        &[
            v.title.as_str().into(),
            v.description.clone().into(),
            i.hiring_manager_id.into(),
            i.salary_min_minor.into(),
            i.salary_max_minor.into(),
            v.currency.as_str().into(),
            status.into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )
    .await
}

/// Changes a request only while it is still pending (a decided request is immutable).
#[allow(clippy::too_many_arguments)]
pub async fn update_headcount(
    tx: &mut Tx,
    id: i64,
    version: i64,
    position: &str,
    headcount: i64,
    budget_minor: Option<i64>,
    currency: &str,
    justification: &str,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE headcount_requests SET position = $1, headcount = $2, budget_minor = $3, currency = $4, \
         justification = $5, updated_at = $6, version = version + 1 \
         WHERE id = $7 AND version = $8 AND status = 'pending'",
        &[
            position.into(),
            headcount.into(),
            budget_minor.into(),
            currency.into(),
            justification.into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )
    .await
}

pub async fn update_candidate(
    tx: &mut Tx,
    id: i64,
    version: i64,
    v: &CandidateValues,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE candidates SET name = $1, email = $2, phone = $3, source = $4, notes = $5, updated_at = $6, \
         version = version + 1 WHERE id = $7 AND version = $8",
        &[
            v.name.as_str().into(),
            v.email.clone().into(),
            v.phone.clone().into(),
            v.source.as_str().into(),
            v.notes.clone().into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )
    .await
}

/// Writes an interview's schedule and, when given, replaces its scorecard (ratings,
/// recommendation, notes; submitted now).
pub async fn update_interview(
    tx: &mut Tx,
    id: i64,
    version: i64,
    schedule: (Option<i64>, i64, &str),
    scorecard: Option<(&[Rating], &str, Option<&str>)>,
    now: i64,
) -> Result<u64, DbError> {
    let (interviewer_id, scheduled_at, kind) = schedule;
    let mut args = vec![
        interviewer_id.into(),
        scheduled_at.into(),
        kind.into(),
        now.into(),
        id.into(),
        version.into(),
    ];
    let sql = match scorecard {
        None => {
            "UPDATE interviews SET interviewer_id = $1, scheduled_at = $2, kind = $3, updated_at = $4, \
             version = version + 1 WHERE id = $5 AND version = $6"
        }
        Some((ratings, recommendation, notes)) => {
            let json = serde_json::to_string(ratings).map_err(|e| DbError::Other(e.to_string()))?;
            args.extend([json.into(), recommendation.into(), notes.into()]);
            "UPDATE interviews SET interviewer_id = $1, scheduled_at = $2, kind = $3, updated_at = $4, \
             ratings = $7, recommendation = $8, notes = $9, submitted_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6"
        }
    };
    tx.execute(sql, &args).await
}

/// Changes an offer's terms and status only while it is `sent` (an outcome is final).
pub async fn update_offer(
    tx: &mut Tx,
    id: i64,
    version: i64,
    terms: (i64, &str, &str),
    status: &str,
    now: i64,
) -> Result<u64, DbError> {
    let (salary_minor, currency, start_date) = terms;
    tx.execute(
        "UPDATE offers SET salary_minor = $1, currency = $2, start_date = $3, status = $4, updated_at = $5, \
         version = version + 1 WHERE id = $6 AND version = $7 AND status = 'sent'",
        &[
            salary_minor.into(),
            currency.into(),
            start_date.into(),
            status.into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )
    .await
}
