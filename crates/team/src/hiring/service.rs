//! Hiring use cases. Every read asks `kernel::policy` (openings and candidates outside the
//! caller's view are 404), salaries and budgets are removed for callers who may not see them,
//! scorecards for callers outside the hiring team; every change is audited in its transaction.
use super::model::{
    Candidate, CandidateInput, Funnel, HeadcountDecision, HeadcountInput, HeadcountRequest,
    HireInput, Interview, InterviewInput, MoveInput, Offer, OfferInput, OfferStatusInput, Opening,
    OpeningInput, ScorecardInput, Stage, check_cv, funnel, move_refusal,
};
use super::store::{self, CandidateFilter};
use crate::model::{Person, PersonInput};
use db::idempotency::{self, Idem};
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::policy::HiringFacts;
use kernel::validate::Checks;
use kernel::{Actor, AppError, AppResult, Ctx, Role};

pub(super) fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

fn cursor_id(cursor: Option<&str>) -> AppResult<Option<i64>> {
    match cursor.filter(|c| !c.is_empty()) {
        Some(c) => Ok(Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?
                .1,
        )),
        None => Ok(None),
    }
}

fn page<T>(mut items: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Page<T> {
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|x| encode_cursor("", id(x)))
    } else {
        None
    };
    Page { items, next_cursor }
}

/// The departments whose hiring the actor sees by role (`None` = all): a manager's scope;
/// members and viewers see hiring only through a team, an interview or heading a department.
fn dept_view(a: &Actor) -> Option<Vec<i64>> {
    match a.role {
        Role::Admin => None,
        Role::Manager => Some(a.scope.clone()),
        _ => Some(Vec::new()),
    }
}

pub(super) async fn facts(tx: &mut Tx, a: &Actor, o: &Opening) -> AppResult<HiringFacts> {
    Ok(HiringFacts {
        department_id: o.department_id,
        head_person_id: store::department_head(tx, o.department_id).await?,
        on_team: store::on_team(tx, o.id, a.person_id).await?,
    })
}

pub(super) fn redact_opening(a: &Actor, f: &HiringFacts, mut o: Opening) -> Opening {
    if !a.can_see_compensation(f.department_id, f.head_person_id) {
        o.salary_min_minor = None;
        o.salary_max_minor = None;
    }
    o
}

/// The opening with its facts, or 404 when the actor may not see it.
pub(super) async fn visible_opening(
    tx: &mut Tx,
    a: &Actor,
    id: i64,
) -> AppResult<(Opening, HiringFacts)> {
    let o = store::get_opening(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let f = facts(tx, a, &o).await?;
    if !a.can_see_hiring(&f) {
        return Err(AppError::NotFound);
    }
    Ok((o, f))
}

pub(super) async fn visible_candidate(
    tx: &mut Tx,
    a: &Actor,
    id: i64,
) -> AppResult<(Candidate, Opening, HiringFacts)> {
    let c = store::get_candidate(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (o, f) = visible_opening(tx, a, c.opening_id).await?;
    Ok((c, o, f))
}

// ---------------------------------------------------------------- headcount

pub(super) fn redact_headcount(
    a: &Actor,
    head: Option<i64>,
    mut h: HeadcountRequest,
) -> HeadcountRequest {
    if !a.can_see_compensation(h.department_id, head) {
        h.budget_minor = None;
    }
    h
}

fn can_see_headcount(a: &Actor, department_id: i64, head: Option<i64>) -> bool {
    a.can_run_hiring(department_id) || a.can_decide_headcount(head)
}

pub async fn create_headcount(
    db: &Db,
    ctx: &Ctx,
    input: &HeadcountInput,
    idem: Option<&Idem>,
) -> AppResult<HeadcountRequest> {
    if !ctx.actor.can_run_hiring(input.department_id) {
        return Err(AppError::Forbidden("request headcount for that department"));
    }
    let mut c = Checks::new();
    let (position, justification, currency) = input.validate(&mut c);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return get_headcount_in(&mut tx, &ctx.actor, id).await;
    }
    if !crate::store::department_exists(&mut tx, input.department_id).await? {
        c.push("department_id", "not_found", "no such department");
    }
    c.finish()?;
    let id = store::insert_headcount(
        &mut tx,
        input.department_id,
        &position,
        input.headcount,
        input.budget_minor,
        &currency,
        &justification,
        ctx.user_id(),
        ctx.now_ms,
    )
    .await?;
    let h = store::get_headcount(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // The department's head decides: tell them there is something to decide.
    if let Some(head) = store::department_head(&mut tx, h.department_id).await?
        && let Some(user) = crate::recognition::store::user_of(&mut tx, head).await?
    {
        let title = format!(
            "Headcount request: {} × {} ({})",
            h.headcount, h.position, h.department_name
        );
        notify::service::notify(
            &mut tx,
            user,
            "headcount_request",
            &title,
            &h.justification,
            Some("/hiring"),
            Some("headcount_request"),
            Some(id),
            ctx.now_ms,
        )
        .await?;
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "headcount.create",
        "headcount_request",
        Some(id),
        None,
        json(&h),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/headcount-requests/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(h)
}

pub(super) async fn get_headcount_in(
    tx: &mut Tx,
    a: &Actor,
    id: i64,
) -> AppResult<HeadcountRequest> {
    let h = store::get_headcount(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let head = store::department_head(tx, h.department_id).await?;
    if !can_see_headcount(a, h.department_id, head) {
        return Err(AppError::NotFound);
    }
    Ok(redact_headcount(a, head, h))
}

pub async fn get_headcount(db: &Db, ctx: &Ctx, id: i64) -> AppResult<HeadcountRequest> {
    let mut tx = db.read().await?;
    get_headcount_in(&mut tx, &ctx.actor, id).await
}

pub async fn list_headcount(
    db: &Db,
    ctx: &Ctx,
    status: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<HeadcountRequest>> {
    let limit = clamp_limit(limit);
    let before = cursor_id(cursor)?;
    let a = &ctx.actor;
    let mut tx = db.read().await?;
    let depts = dept_view(a);
    let rows = store::list_headcount(
        &mut tx,
        depts.as_deref(),
        a.person_id,
        status,
        before,
        limit + 1,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for h in rows {
        let head = store::department_head(&mut tx, h.department_id).await?;
        if can_see_headcount(a, h.department_id, head) {
            out.push(redact_headcount(a, head, h));
        }
    }
    Ok(page(out, limit, |h| h.id))
}

pub async fn decide_headcount(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    d: &HeadcountDecision,
) -> AppResult<HeadcountRequest> {
    let mut c = Checks::new();
    let note = c.opt_text("note", d.note.as_deref(), super::model::MAX_LONG);
    c.finish()?;
    let mut tx = db.write().await?;
    let before = get_headcount_in(&mut tx, &ctx.actor, id).await?;
    let head = store::department_head(&mut tx, before.department_id).await?;
    if !ctx.actor.can_decide_headcount(head) {
        return Err(AppError::Forbidden(
            "decide headcount requests (the head of the department does)",
        ));
    }
    if before.status != "pending" {
        return Err(AppError::Conflict(format!(
            "status: the request is already {}",
            before.status
        )));
    }
    let status = if d.approve { "approved" } else { "rejected" };
    if store::decide_headcount(
        &mut tx,
        id,
        version,
        status,
        ctx.user_id(),
        note.as_deref(),
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = get_headcount_in(&mut tx, &ctx.actor, id).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        &format!("headcount.{}", if d.approve { "approve" } else { "reject" }),
        "headcount_request",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- openings

pub(super) async fn check_people(
    tx: &mut Tx,
    c: &mut Checks,
    field: &str,
    ids: &[i64],
) -> AppResult<()> {
    for id in ids {
        if !crate::store::person_exists(tx, *id).await? {
            c.push(field, "not_found", format!("no such person: {id}"));
        }
    }
    Ok(())
}

pub async fn create_opening(
    db: &Db,
    ctx: &Ctx,
    input: &OpeningInput,
    idem: Option<&Idem>,
) -> AppResult<Opening> {
    if !ctx.actor.can_run_hiring(input.department_id) {
        return Err(AppError::Forbidden("open positions in that department"));
    }
    let mut c = Checks::new();
    let v = input.validate(&mut c);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        let (o, f) = visible_opening(&mut tx, &ctx.actor, id).await?;
        return Ok(redact_opening(&ctx.actor, &f, o));
    }
    if !crate::store::department_exists(&mut tx, input.department_id).await? {
        c.push("department_id", "not_found", "no such department");
    }
    if let Some(h) = input.hiring_manager_id {
        check_people(&mut tx, &mut c, "hiring_manager_id", &[h]).await?;
    }
    check_people(&mut tx, &mut c, "team", &input.team).await?;
    if let Some(hc) = input.headcount_request_id {
        match store::get_headcount(&mut tx, hc).await? {
            None => c.push(
                "headcount_request_id",
                "not_found",
                "no such headcount request",
            ),
            Some(h) if h.status != "approved" => c.push(
                "headcount_request_id",
                "not_approved",
                "the headcount request is not approved",
            ),
            Some(h) if h.department_id != input.department_id => c.push(
                "headcount_request_id",
                "other_department",
                "the headcount request is for another department",
            ),
            Some(_) => {}
        }
    }
    c.finish()?;
    let salary_set = input.salary_min_minor.is_some() || input.salary_max_minor.is_some();
    let head = store::department_head(&mut tx, input.department_id).await?;
    if salary_set && !ctx.actor.can_see_compensation(input.department_id, head) {
        return Err(AppError::Forbidden("set salaries"));
    }
    let id = store::insert_opening(&mut tx, &v, input, ctx.now_ms).await?;
    let o = store::get_opening(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "opening.create",
        "job_opening",
        Some(id),
        None,
        json(&o),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/openings/{id}"),
        ctx.now_ms,
    )
    .await?;
    let f = facts(&mut tx, &ctx.actor, &o).await?;
    tx.commit().await?;
    Ok(redact_opening(&ctx.actor, &f, o))
}

pub async fn get_opening(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Opening> {
    let mut tx = db.read().await?;
    let (o, f) = visible_opening(&mut tx, &ctx.actor, id).await?;
    Ok(redact_opening(&ctx.actor, &f, o))
}

pub async fn list_openings(
    db: &Db,
    ctx: &Ctx,
    status: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Opening>> {
    let limit = clamp_limit(limit);
    let before = cursor_id(cursor)?;
    let a = &ctx.actor;
    let mut tx = db.read().await?;
    let depts = dept_view(a);
    let rows = store::list_openings(
        &mut tx,
        depts.as_deref(),
        a.person_id,
        status,
        before,
        limit + 1,
    )
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for o in rows {
        let f = facts(&mut tx, a, &o).await?;
        // The SQL filter and the policy agree; asking the policy again keeps lists honest.
        if a.can_see_hiring(&f) {
            out.push(redact_opening(a, &f, o));
        }
    }
    Ok(page(out, limit, |o| o.id))
}

/// Closes or reopens an opening (the board's button): a patch of its status.
pub async fn set_opening_status(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    open: bool,
) -> AppResult<Opening> {
    let status = if open { "open" } else { "closed" };
    let p = super::patch::OpeningPatch {
        status: Some(status.into()),
        ..Default::default()
    };
    super::edits::update_opening(db, ctx, id, version, &p).await
}

// ---------------------------------------------------------------- candidates

pub async fn create_candidate(
    db: &Db,
    ctx: &Ctx,
    input: &CandidateInput,
    idem: Option<&Idem>,
) -> AppResult<Candidate> {
    let mut c = Checks::new();
    let v = input.validate(&mut c);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return Ok(visible_candidate(&mut tx, &ctx.actor, id).await?.0);
    }
    // A hidden opening answers exactly as a missing one, or the field would probe for it.
    let (o, _) = visible_opening(&mut tx, &ctx.actor, input.opening_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::ref_not_found("opening_id"),
            other => other,
        })?;
    if !ctx.actor.can_run_hiring(o.department_id) {
        return Err(AppError::Forbidden("add candidates to this opening"));
    }
    if o.status != "open" {
        c.push("opening_id", "closed", "the opening is closed");
    }
    c.finish()?;
    let id = store::insert_candidate(&mut tx, o.id, &v, ctx.now_ms, ctx.now_ms).await?;
    let cand = store::get_candidate(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "candidate.create",
        "candidate",
        Some(id),
        None,
        json(&cand),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/candidates/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(cand)
}

pub async fn get_candidate(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Candidate> {
    let mut tx = db.read().await?;
    Ok(visible_candidate(&mut tx, &ctx.actor, id).await?.0)
}

pub struct CandidateQuery<'a> {
    pub opening_id: Option<i64>,
    pub stage: Option<Stage>,
    pub source: Option<&'a str>,
    pub cursor: Option<&'a str>,
    pub limit: Option<i64>,
}

pub async fn list_candidates(
    db: &Db,
    ctx: &Ctx,
    q: &CandidateQuery<'_>,
) -> AppResult<Page<Candidate>> {
    let limit = clamp_limit(q.limit);
    let after = cursor_id(q.cursor)?;
    let a = &ctx.actor;
    let mut tx = db.read().await?;
    if let Some(o) = q.opening_id {
        visible_opening(&mut tx, a, o).await?;
    }
    let depts = dept_view(a);
    let f = CandidateFilter {
        opening_id: q.opening_id,
        stage: q.stage,
        source: q.source,
        after_id: after,
        limit: limit + 1,
    };
    let rows = store::list_candidates(&mut tx, depts.as_deref(), a.person_id, &f).await?;
    Ok(page(rows, limit, |c| c.id))
}

pub async fn move_candidate(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    m: &MoveInput,
) -> AppResult<Candidate> {
    let mut tx = db.write().await?;
    let (before, o, _) = visible_candidate(&mut tx, &ctx.actor, id).await?;
    if !ctx.actor.can_run_hiring(o.department_id) {
        return Err(AppError::Forbidden("move candidates of this opening"));
    }
    if let Some(why) = move_refusal(before.stage, m.stage) {
        return Err(AppError::field("stage", "invalid_transition", why));
    }
    if store::move_candidate(&mut tx, id, version, m.stage, ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_candidate(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "candidate.move",
        "candidate",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn upload_cv(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    filename: &str,
    bytes: &[u8],
) -> AppResult<Candidate> {
    let (kind, name) = check_cv(filename, bytes)?;
    let mut tx = db.write().await?;
    let (before, o, _) = visible_candidate(&mut tx, &ctx.actor, id).await?;
    if !ctx.actor.can_run_hiring(o.department_id) {
        return Err(AppError::Forbidden("upload CVs for this opening"));
    }
    store::put_cv(
        &mut tx,
        id,
        &name,
        kind.content_type(),
        bytes,
        ctx.user_id(),
        ctx.now_ms,
    )
    .await?;
    let after = store::get_candidate(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "candidate.cv_upload",
        "candidate",
        Some(id),
        // A replaced CV is named in the trail (its metadata; the bytes stay out of the log).
        before.cv.as_ref().and_then(json),
        after.cv.as_ref().and_then(json),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// (file name, content type, bytes) of a candidate's CV, for whoever may see the candidate.
pub async fn download_cv(db: &Db, ctx: &Ctx, id: i64) -> AppResult<(String, String, Vec<u8>)> {
    let mut tx = db.read().await?;
    visible_candidate(&mut tx, &ctx.actor, id).await?;
    store::get_cv(&mut tx, id).await?.ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------- interviews

pub(super) fn redact_interviews(
    a: &Actor,
    f: &HiringFacts,
    mut items: Vec<Interview>,
) -> Vec<Interview> {
    if !a.can_see_scorecards(f) {
        for i in &mut items {
            i.scorecard_hidden = i.scorecard.take().is_some();
        }
    }
    items
}

pub async fn list_interviews(db: &Db, ctx: &Ctx, candidate_id: i64) -> AppResult<Vec<Interview>> {
    let mut tx = db.read().await?;
    let (_, _, f) = visible_candidate(&mut tx, &ctx.actor, candidate_id).await?;
    let items = store::list_interviews(&mut tx, candidate_id).await?;
    Ok(redact_interviews(&ctx.actor, &f, items))
}

pub async fn schedule_interview(
    db: &Db,
    ctx: &Ctx,
    candidate_id: i64,
    input: &InterviewInput,
    idem: Option<&Idem>,
) -> AppResult<Interview> {
    let mut c = Checks::new();
    let kind = c.text("kind", &input.kind, true, 100);
    super::patch::scheduled_at(&mut c, input.scheduled_at);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return store::get_interview(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    let (cand, o, _) = visible_candidate(&mut tx, &ctx.actor, candidate_id).await?;
    if !ctx.actor.can_run_hiring(o.department_id) {
        return Err(AppError::Forbidden("schedule interviews for this opening"));
    }
    check_people(&mut tx, &mut c, "interviewer_id", &[input.interviewer_id]).await?;
    if matches!(cand.stage, Stage::Hired | Stage::Rejected) {
        c.push(
            "candidate_id",
            "invalid_transition",
            "the candidate is no longer in the pipeline",
        );
    }
    c.finish()?;
    let id = store::insert_interview(
        &mut tx,
        candidate_id,
        input.interviewer_id,
        input.scheduled_at,
        &kind,
        ctx.now_ms,
    )
    .await?;
    // Interviewers join the hiring team: they read the scorecards of the opening.
    store::add_to_team(&mut tx, o.id, input.interviewer_id).await?;
    let i = store::get_interview(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    notify_interviewer(&mut tx, ctx, &i, &cand, &o).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "interview.create",
        "interview",
        Some(id),
        None,
        json(&i),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/candidates/{candidate_id}/interviews"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(i)
}

/// Tells the interviewer about the interview they are to hold (new or changed).
pub(super) async fn notify_interviewer(
    tx: &mut Tx,
    ctx: &Ctx,
    i: &Interview,
    cand: &Candidate,
    o: &Opening,
) -> AppResult<()> {
    let Some(person) = i.interviewer_id else {
        return Ok(());
    };
    if let Some(user) = crate::recognition::store::user_of(tx, person).await? {
        let title = format!("Interview: {} ({})", cand.name, o.title);
        let body = format!(
            "{} · {}",
            i.kind,
            kernel::dates::format_instant(i.scheduled_at, 8)
        );
        notify::service::notify(
            tx,
            user,
            "interview",
            &title,
            &body,
            Some(&format!("/hiring/candidates/{}", cand.id)),
            Some("interview"),
            Some(i.id),
            ctx.now_ms,
        )
        .await?;
    }
    Ok(())
}

/// The interviewer submits their scorecard (once; a second submission replaces the first).
pub async fn submit_scorecard(
    db: &Db,
    ctx: &Ctx,
    interview_id: i64,
    input: &ScorecardInput,
) -> AppResult<Interview> {
    let mut c = Checks::new();
    let (ratings, notes) = input.validate(&mut c);
    c.finish()?;
    let mut tx = db.write().await?;
    let before = store::get_interview(&mut tx, interview_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, _, f) = visible_candidate(&mut tx, &ctx.actor, before.candidate_id).await?;
    if !ctx.actor.can_see_scorecards(&f) {
        return Err(AppError::NotFound);
    }
    if before.interviewer_id.is_none() || before.interviewer_id != ctx.actor.person_id {
        return Err(AppError::Forbidden(
            "submit another interviewer's scorecard",
        ));
    }
    store::submit_scorecard(
        &mut tx,
        interview_id,
        &ratings,
        &input.recommendation,
        notes.as_deref(),
        ctx.now_ms,
    )
    .await?;
    let after = store::get_interview(&mut tx, interview_id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "interview.scorecard",
        "interview",
        Some(interview_id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- offers

/// The hiring facts of an offer's opening, for a replayed create.
async fn facts_of_offer(tx: &mut Tx, a: &Actor, offer_id: i64) -> AppResult<HiringFacts> {
    let offer = store::get_offer(tx, offer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(visible_candidate(tx, a, offer.candidate_id).await?.2)
}

pub(super) fn redact_offers(a: &Actor, f: &HiringFacts, mut items: Vec<Offer>) -> Vec<Offer> {
    if !a.can_see_compensation(f.department_id, f.head_person_id) {
        for o in &mut items {
            o.salary_minor = None;
        }
    }
    items
}

pub async fn list_offers(db: &Db, ctx: &Ctx, candidate_id: i64) -> AppResult<Vec<Offer>> {
    let mut tx = db.read().await?;
    let (_, _, f) = visible_candidate(&mut tx, &ctx.actor, candidate_id).await?;
    let items = store::list_offers(&mut tx, candidate_id).await?;
    Ok(redact_offers(&ctx.actor, &f, items))
}

/// One offer, visible like its candidate (salary `null` for callers who may not see it).
pub async fn get_offer(db: &Db, ctx: &Ctx, offer_id: i64) -> AppResult<Offer> {
    let mut tx = db.read().await?;
    let offer = store::get_offer(&mut tx, offer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, _, f) = visible_candidate(&mut tx, &ctx.actor, offer.candidate_id).await?;
    Ok(redact_offers(&ctx.actor, &f, vec![offer]).remove(0))
}

/// Makes an offer; the candidate moves to the offer stage.
pub async fn create_offer(
    db: &Db,
    ctx: &Ctx,
    candidate_id: i64,
    input: &OfferInput,
    idem: Option<&Idem>,
) -> AppResult<Offer> {
    let mut c = Checks::new();
    let (currency, start) = input.validate(&mut c);
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return Ok(redact_offers(
            &ctx.actor,
            &facts_of_offer(&mut tx, &ctx.actor, id).await?,
            store::get_offer(&mut tx, id).await?.into_iter().collect(),
        )
        .remove(0));
    }
    let (cand, o, f) = visible_candidate(&mut tx, &ctx.actor, candidate_id).await?;
    if !ctx.actor.can_run_hiring(o.department_id)
        || !ctx
            .actor
            .can_see_compensation(f.department_id, f.head_person_id)
    {
        return Err(AppError::Forbidden("make offers for this opening"));
    }
    if !matches!(cand.stage, Stage::Interview | Stage::Offer) {
        c.push(
            "candidate_id",
            "invalid_transition",
            "offers follow interviews: move the candidate to interview first",
        );
    }
    c.finish()?;
    let id = store::insert_offer(
        &mut tx,
        candidate_id,
        input.salary_minor,
        &currency,
        &start,
        ctx.now_ms,
    )
    .await?;
    if cand.stage != Stage::Offer {
        store::move_candidate(
            &mut tx,
            candidate_id,
            cand.version,
            Stage::Offer,
            ctx.now_ms,
        )
        .await?;
    }
    let offer = store::get_offer(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "offer.create",
        "offer",
        Some(id),
        None,
        json(&offer),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/candidates/{candidate_id}/offers"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(offer)
}

/// Records the outcome of a sent offer: a patch of its status.
pub async fn set_offer_status(
    db: &Db,
    ctx: &Ctx,
    offer_id: i64,
    version: i64,
    input: &OfferStatusInput,
) -> AppResult<Offer> {
    let p = super::patch::OfferPatch {
        status: Some(input.status.clone()),
        ..Default::default()
    };
    super::edits::update_offer(db, ctx, offer_id, version, &p).await
}

// ---------------------------------------------------------------- hire

/// Hires a candidate with an accepted offer: creates the person through the team service in
/// the same transaction (department and position from the opening, manager = hiring manager,
/// hire date = the offer's start date unless given) and marks the candidate hired.
pub async fn hire(
    db: &Db,
    ctx: &Ctx,
    candidate_id: i64,
    input: &HireInput,
) -> AppResult<(Candidate, Person)> {
    let mut tx = db.write().await?;
    let (cand, o, _) = visible_candidate(&mut tx, &ctx.actor, candidate_id).await?;
    if !ctx.actor.can_run_hiring(o.department_id) {
        return Err(AppError::Forbidden("hire for this opening"));
    }
    if cand.stage != Stage::Offer {
        return Err(AppError::field(
            "stage",
            "invalid_transition",
            "only a candidate at the offer stage can be hired",
        ));
    }
    let offers = store::list_offers(&mut tx, candidate_id).await?;
    let Some(accepted) = offers.iter().rev().find(|x| x.status == "accepted") else {
        return Err(AppError::field(
            "offer",
            "not_accepted",
            "the candidate has not accepted an offer",
        ));
    };
    let mut person = PersonInput::new(&input.employee_no, &cand.name);
    person.department_id = Some(o.department_id);
    person.position = Some(o.title.clone());
    person.manager_id = o.hiring_manager_id;
    person.email = cand.email.clone();
    person.phone = cand.phone.clone();
    person.hire_date = Some(
        input
            .hire_date
            .clone()
            .unwrap_or_else(|| accepted.start_date.clone()),
    );
    let p = crate::service::create_person_in(&mut tx, ctx, &person).await?;
    if store::mark_hired(&mut tx, candidate_id, p.id, ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_candidate(&mut tx, candidate_id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "candidate.hire",
        "candidate",
        Some(candidate_id),
        json(&cand),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok((after, p))
}

// ---------------------------------------------------------------- funnel

/// Funnel metrics over the candidates of the openings the caller sees (or one opening).
pub async fn funnel_metrics(db: &Db, ctx: &Ctx, opening_id: Option<i64>) -> AppResult<Funnel> {
    let a = &ctx.actor;
    let mut tx = db.read().await?;
    if let Some(o) = opening_id {
        visible_opening(&mut tx, a, o).await?;
    }
    let depts = dept_view(a);
    let facts = store::funnel_facts(&mut tx, depts.as_deref(), a.person_id, opening_id).await?;
    Ok(funnel(&facts))
}
