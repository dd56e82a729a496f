//! Editing hiring records after they were made: openings, pending headcount requests,
//! candidates, interviews (schedule and scorecard) and offers. Each edit reads the record under
//! the policy (404 when hidden), asks who may change it (403), validates the patched record with
//! the create rules (422), writes only when `version` still matches (412) and audits the
//! before/after snapshots in the same transaction. Salaries and budgets are changed only by
//! callers who may see them; scorecards only by their interviewer.
use super::model::{HeadcountRequest, Interview, OFFER_OUTCOMES, Offer, Opening};
use super::patch::{CandidatePatch, HeadcountPatch, InterviewPatch, OfferPatch, OpeningPatch};
use super::service::{
    check_people, json, notify_interviewer, redact_headcount, redact_interviews, redact_offers,
    redact_opening, visible_candidate, visible_opening,
};
use super::{model::Candidate, store};
use db::Db;
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};

fn stale_or(rows: u64) -> AppResult<()> {
    if rows == 0 {
        Err(AppError::PreconditionFailed)
    } else {
        Ok(())
    }
}

pub async fn update_opening(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &OpeningPatch,
) -> AppResult<Opening> {
    let a = &ctx.actor;
    let mut tx = db.write().await?;
    let (before, f) = visible_opening(&mut tx, a, id).await?;
    if !a.can_run_hiring(before.department_id) {
        return Err(AppError::Forbidden("change this opening"));
    }
    if p.touches_salary() && !a.can_see_compensation(f.department_id, f.head_person_id) {
        return Err(AppError::Forbidden("set salaries"));
    }
    let input = p.apply(&before);
    let mut c = Checks::new();
    let v = input.validate(&mut c);
    let status = p.status(&mut c, &before.status);
    if let Some(Some(h)) = p.hiring_manager_id {
        check_people(&mut tx, &mut c, "hiring_manager_id", &[h]).await?;
    }
    c.finish()?;
    stale_or(store::update_opening(&mut tx, id, version, &v, &input, &status, ctx.now_ms).await?)?;
    let after = store::get_opening(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "opening.update",
        "job_opening",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(redact_opening(a, &f, after))
}

/// Changes a pending headcount request (who may request it for the department may change it);
/// an approved or rejected request is immutable (409), since openings rely on its decision.
pub async fn update_headcount(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &HeadcountPatch,
) -> AppResult<HeadcountRequest> {
    let a = &ctx.actor;
    let mut tx = db.write().await?;
    // Visibility first (404), then the unredacted row to patch.
    super::service::get_headcount_in(&mut tx, a, id).await?;
    let before = store::get_headcount(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let head = store::department_head(&mut tx, before.department_id).await?;
    if !a.can_run_hiring(before.department_id) {
        return Err(AppError::Forbidden(
            "change headcount requests of this department",
        ));
    }
    if before.status != "pending" {
        return Err(AppError::Conflict(format!(
            "status: the request is already {}; a decided request cannot be changed",
            before.status
        )));
    }
    if p.budget_minor.is_some() && !a.can_see_compensation(before.department_id, head) {
        return Err(AppError::Forbidden("set budgets"));
    }
    let input = p.apply(&before);
    let mut c = Checks::new();
    let (position, justification, currency) = input.validate(&mut c);
    c.finish()?;
    stale_or(
        store::update_headcount(
            &mut tx,
            id,
            version,
            &position,
            input.headcount,
            input.budget_minor,
            &currency,
            &justification,
            ctx.now_ms,
        )
        .await?,
    )?;
    let after = store::get_headcount(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "headcount.update",
        "headcount_request",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(redact_headcount(a, head, after))
}

pub async fn update_candidate(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &CandidatePatch,
) -> AppResult<Candidate> {
    let mut tx = db.write().await?;
    let (before, o, _) = visible_candidate(&mut tx, &ctx.actor, id).await?;
    if !ctx.actor.can_run_hiring(o.department_id) {
        return Err(AppError::Forbidden("change candidates of this opening"));
    }
    let mut c = Checks::new();
    let v = p.apply(&before).validate(&mut c);
    c.finish()?;
    stale_or(store::update_candidate(&mut tx, id, version, &v, ctx.now_ms).await?)?;
    let after = store::get_candidate(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "candidate.update",
        "candidate",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// One interview, visible like its candidate; the scorecard only for the hiring team.
pub async fn get_interview(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Interview> {
    let mut tx = db.read().await?;
    let i = store::get_interview(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, _, f) = visible_candidate(&mut tx, &ctx.actor, i.candidate_id).await?;
    Ok(redact_interviews(&ctx.actor, &f, vec![i]).remove(0))
}

/// Reschedules an interview (who runs hiring: time, kind, interviewer) and/or replaces its
/// scorecard (only the interviewer, who must be on the hiring team to see it at all).
pub async fn update_interview(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &InterviewPatch,
) -> AppResult<Interview> {
    let a = &ctx.actor;
    let mut tx = db.write().await?;
    let before = store::get_interview(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (cand, o, f) = visible_candidate(&mut tx, a, before.candidate_id).await?;
    if p.touches_schedule() && !a.can_run_hiring(o.department_id) {
        return Err(AppError::Forbidden("reschedule interviews of this opening"));
    }
    if p.scorecard.is_some() {
        if !a.can_see_scorecards(&f) {
            return Err(AppError::NotFound);
        }
        if before.interviewer_id.is_none() || before.interviewer_id != a.person_id {
            return Err(AppError::Forbidden(
                "change another interviewer's scorecard",
            ));
        }
    }
    let mut c = Checks::new();
    let (interviewer, at, kind) = p.schedule(&mut c, &before);
    let new_interviewer = p
        .interviewer_id
        .filter(|n| Some(*n) != before.interviewer_id);
    if let Some(n) = new_interviewer {
        check_people(&mut tx, &mut c, "interviewer_id", &[n]).await?;
    }
    let scorecard = p.scorecard.as_ref().map(|s| {
        let (ratings, notes) = s.validate(&mut c);
        (ratings, s.recommendation.clone(), notes)
    });
    c.finish()?;
    // The scorecard is the interviewer's own judgement: another interviewer cannot take it over.
    if new_interviewer.is_some() && before.scorecard.is_some() {
        return Err(AppError::Conflict(
            "interviewer_id: the interviewer has already submitted a scorecard".into(),
        ));
    }
    let card = scorecard
        .as_ref()
        .map(|(r, rec, n)| (r.as_slice(), rec.as_str(), n.as_deref()));
    stale_or(
        store::update_interview(
            &mut tx,
            id,
            version,
            (interviewer, at, &kind),
            card,
            ctx.now_ms,
        )
        .await?,
    )?;
    let after = store::get_interview(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(n) = new_interviewer {
        // Interviewers join the hiring team: they read the scorecards of the opening.
        store::add_to_team(&mut tx, o.id, n).await?;
    }
    if p.touches_schedule() && (new_interviewer.is_some() || at != before.scheduled_at) {
        notify_interviewer(&mut tx, ctx, &after, &cand, &o).await?;
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "interview.update",
        "interview",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    // The caller may have just joined the hiring team (or not): redact with fresh facts.
    let f = super::service::facts(&mut tx, a, &o).await?;
    tx.commit().await?;
    Ok(redact_interviews(a, &f, vec![after]).remove(0))
}

/// Changes a sent offer's terms (salary needs the right to see it) and/or records its outcome;
/// an answered or withdrawn offer is final (409).
pub async fn update_offer(
    db: &Db,
    ctx: &Ctx,
    offer_id: i64,
    version: i64,
    p: &OfferPatch,
) -> AppResult<Offer> {
    let a = &ctx.actor;
    let mut tx = db.write().await?;
    let before = store::get_offer(&mut tx, offer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, o, f) = visible_candidate(&mut tx, a, before.candidate_id).await?;
    if !a.can_run_hiring(o.department_id) {
        return Err(AppError::Forbidden("change offers for this opening"));
    }
    if p.touches_terms() && !a.can_see_compensation(f.department_id, f.head_person_id) {
        return Err(AppError::Forbidden("set salaries"));
    }
    if before.status != "sent" {
        return Err(AppError::Conflict(format!(
            "status: the offer is already {}; its outcome is final",
            before.status
        )));
    }
    let mut c = Checks::new();
    let status = match p.status.as_deref() {
        None => before.status.clone(),
        Some(s) if OFFER_OUTCOMES.contains(&s) => s.to_string(),
        Some(_) => {
            c.push(
                "status",
                "invalid_choice",
                "must be accepted, declined or withdrawn",
            );
            before.status.clone()
        }
    };
    let terms = p.apply(&before, before.salary_minor.unwrap_or_default());
    let (currency, start) = terms.validate(&mut c);
    c.finish()?;
    stale_or(
        store::update_offer(
            &mut tx,
            offer_id,
            version,
            (terms.salary_minor, &currency, &start),
            &status,
            ctx.now_ms,
        )
        .await?,
    )?;
    let after = store::get_offer(&mut tx, offer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "offer.update",
        "offer",
        Some(offer_id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(redact_offers(a, &f, vec![after]).remove(0))
}
