//! Review use cases. Every read asks `kernel::policy` (reviews.rs); every write is audited in its
//! transaction — EXCEPT that anonymous (peer, upward) submissions and drafts are audited with no
//! actor, no request id, no address, no content and the cycle's start as their time, so the
//! audit log cannot tie an anonymous answer to its author (see ARCHITECTURE.md, "Reviews").
use super::model::{
    AnswerInput, Cycle, CycleInput, CyclePatch, CycleValues, Direction, DirectionResult, Phase,
    Question, RequestStatus, aggregate, validate_answers, validate_questions,
};
use super::notices::{self, Target};
use super::store::{self, RequestRow, Review, ReviewScope};
use db::idempotency::Idem;
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::policy::ReviewFacts;
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx, Role};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

fn snapshot<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// A random, positive 63-bit id: anonymous answers' keys carry no order.
fn random_id() -> i64 {
    let h = db::random_hex(8);
    (u64::from_str_radix(&h, 16).unwrap_or(1) >> 1) as i64
}

/// Shuffles with the OS random source (verbatim texts must not follow any stored order).
fn shuffle<T>(v: &mut Vec<T>) {
    let mut keyed: Vec<(i64, T)> = v.drain(..).map(|x| (random_id(), x)).collect();
    keyed.sort_by_key(|(k, _)| *k);
    v.extend(keyed.into_iter().map(|(_, x)| x));
}

/// Midnight UTC of the cycle's first day: the only time an anonymous event is stamped with.
fn cycle_instant(c: &Cycle) -> i64 {
    kernel::dates::parse_date(&c.period_start)
        .map(|d| d.midnight().assume_utc().unix_timestamp() * 1000)
        .unwrap_or(0)
}

pub(super) async fn reports(tx: &mut Tx, ctx: &Ctx) -> AppResult<Vec<i64>> {
    match (ctx.actor.role, ctx.actor.person_id) {
        (Role::Manager, Some(p)) => Ok(crate::goals::store::reports_of(tx, p).await?),
        _ => Ok(Vec::new()),
    }
}

pub(super) fn facts(r: &Review) -> ReviewFacts {
    ReviewFacts {
        person_id: r.person_id,
        department_id: r.department_id,
        manager_id: r.manager_id,
    }
}

pub(super) async fn cycle_of(tx: &mut Tx, id: i64) -> AppResult<Cycle> {
    store::get_cycle(tx, id).await?.ok_or(AppError::NotFound)
}

// ---------------------------------------------------------------- cycles

pub async fn list_cycles(
    db: &Db,
    _ctx: &Ctx,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Cycle>> {
    let limit = clamp_limit(limit);
    let before = match cursor.filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(
            decode_cursor(c)
                .map(|(_, id)| id)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?,
        ),
    };
    let mut tx = db.read().await?;
    let mut items = store::list_cycles(&mut tx, before, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|c| encode_cursor("review_cycle", c.id))
    } else {
        None
    };
    for c in &mut items {
        c.questions = store::questions(&mut tx, c.id).await?;
    }
    Ok(Page { items, next_cursor })
}

/// Cycle metadata and its template are company information every signed-in user reads.
pub async fn get_cycle(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<Cycle> {
    let mut tx = db.read().await?;
    cycle_of(&mut tx, id).await
}

pub async fn create_cycle(
    db: &Db,
    ctx: &Ctx,
    input: &CycleInput,
    idem: Option<&Idem>,
) -> AppResult<Cycle> {
    if !ctx.actor.can_manage_review_cycles() {
        return Err(AppError::Forbidden("manage review cycles"));
    }
    let mut tx = db.write().await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let c = cycle_of(&mut tx, id).await?;
        tx.commit().await?;
        return Ok(c);
    }
    let mut c = Checks::new();
    let v = CycleValues::from_input(input).validate(&mut c);
    let qs = validate_questions(&mut c, &input.questions, v.scale_max);
    let sel = &input.participants;
    let hired = c.opt_date("participants.hired_before", sel.hired_before.as_deref());
    let mut sel = sel.clone();
    sel.hired_before = hired;
    sel.position = sel
        .position
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    if let Some(d) = sel.department_id
        && !crate::goals::store::department_exists(&mut tx, d).await?
    {
        c.push(
            "participants.department_id",
            "not_found",
            "no such department",
        );
    }
    let active = store::active_people(&mut tx, &sel.person_ids).await?;
    for (i, p) in sel.person_ids.iter().enumerate() {
        if !active.contains(p) {
            c.push(
                &format!("participants.person_ids[{i}]"),
                "not_found",
                "no such active person",
            );
        }
    }
    let people = store::select_people(&mut tx, &sel).await?;
    if people.is_empty() && c.is_empty() {
        c.push(
            "participants",
            "empty",
            "the selection holds no active person",
        );
    }
    c.finish()?;
    let id = store::insert_cycle(&mut tx, &v, ctx.user_id(), ctx.now_ms).await?;
    store::insert_questions(&mut tx, id, &qs).await?;
    let cycle = cycle_of(&mut tx, id).await?;
    for (person, dept, manager) in &people {
        let rid = store::insert_review(&mut tx, id, *person, *dept, *manager).await?;
        let mut reviewers = vec![(*person, Direction::SelfReview)];
        if let Some(m) = manager {
            reviewers.push((*m, Direction::Manager));
        }
        for r in store::direct_reports(&mut tx, *person).await? {
            reviewers.push((r, Direction::Upward));
        }
        for (who, d) in reviewers {
            store::insert_request(&mut tx, rid, who, d, RequestStatus::Pending).await?;
            if let Some(user) = store::user_of_person(&mut tx, who).await? {
                notices::send(
                    &mut tx,
                    user,
                    "review.requested",
                    "requested",
                    &[("cycle", &cycle.name)],
                    &Target {
                        link: "/reviews",
                        entity: "review_cycle",
                        entity_id: id,
                    },
                    ctx.now_ms,
                )
                .await?;
            }
        }
    }
    let mut snap = snapshot(&cycle).unwrap_or_default();
    snap["participants"] = json!(people.len());
    db::audit::log_change(
        &mut tx,
        ctx,
        "review_cycle.create",
        "review_cycle",
        Some(id),
        None,
        Some(snap),
    )
    .await?;
    db::idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/review-cycles/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(cycle)
}

/// Renames, re-dates, re-thresholds or moves a cycle forward. Phases never go back: results
/// once shared stay shared, and aggregates once visible are not hidden and re-opened to diffing.
pub async fn update_cycle(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &CyclePatch,
) -> AppResult<Cycle> {
    if !ctx.actor.can_manage_review_cycles() {
        return Err(AppError::Forbidden("manage review cycles"));
    }
    let mut tx = db.write().await?;
    let before = cycle_of(&mut tx, id).await?;
    let mut c = Checks::new();
    let v = CycleValues::from_cycle(&before)
        .apply(patch)
        .validate(&mut c);
    if v.phase < before.phase {
        c.push("phase", "backwards", "a cycle's phase only moves forward");
    }
    // A shared score must not change under the reviewee's eyes.
    if before.phase == Phase::Shared
        && (v.weights != before.weights || v.guideline != before.guideline)
    {
        c.push("weights", "locked", "results are already shared");
    }
    if v.min_responses < before.min_responses && before.phase >= Phase::Calibration {
        c.push(
            "min_responses",
            "locked",
            "the threshold cannot be lowered once results are visible",
        );
    }
    let short_of_peers = if v.phase >= Phase::Feedback && before.phase < Phase::Feedback {
        super::reports::store::below_peers_min(&mut tx, id, v.peers_min).await?
    } else {
        0
    };
    if short_of_peers > 0 && patch.override_peers_min != Some(true) {
        c.push(
            "phase",
            "peers_min",
            format!(
                "{short_of_peers} reviewee(s) have fewer than {} approved peers; set \
                 override_peers_min to start feedback anyway",
                v.peers_min
            ),
        );
    }
    c.finish()?;
    if store::update_cycle(&mut tx, id, expected_version, &v, ctx.user_id(), ctx.now_ms).await? == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = cycle_of(&mut tx, id).await?;
    if after.phase == Phase::Shared && before.phase != Phase::Shared {
        for r in store::list_reviews(&mut tx, id, &ReviewScope::All).await? {
            if let Some(user) = store::user_of_person(&mut tx, r.person_id).await? {
                notices::send(
                    &mut tx,
                    user,
                    "review.shared",
                    "shared",
                    &[("cycle", &after.name)],
                    &Target {
                        link: &format!("/reviews/{}", r.id),
                        entity: "review",
                        entity_id: r.id,
                    },
                    ctx.now_ms,
                )
                .await?;
            }
        }
    }
    let mut after_snap = snapshot(&after).unwrap_or_default();
    if short_of_peers > 0 {
        after_snap["override_peers_min"] = json!({ "reviewees_below": short_of_peers });
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "review_cycle.update",
        "review_cycle",
        Some(id),
        snapshot(&before),
        Some(after_snap),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- reviews

pub(super) fn scope_of(ctx: &Ctx, reports: Vec<i64>) -> ReviewScope {
    if ctx.actor.is_admin() {
        return ReviewScope::All;
    }
    let manager = ctx.actor.role == Role::Manager;
    ReviewScope::Scoped {
        person_id: ctx.actor.person_id,
        departments: if manager {
            ctx.actor.scope.clone()
        } else {
            Vec::new()
        },
        reports: if manager { reports } else { Vec::new() },
        as_manager: manager,
    }
}

/// Hides what the caller may not see yet: the manager's fields before sharing for the reviewee.
fn redact(ctx: &Ctx, mut r: Review, reports: &[i64]) -> Review {
    if !ctx.actor.can_rate_review(&facts(&r), reports) && r.phase != Phase::Shared {
        r.manager_rating = None;
        r.proposed_rating = None;
        r.manager_comment = None;
    }
    r
}

/// The reviews of a cycle the caller may see (their own, their reports', their scope's; all
/// for admins).
pub async fn list_reviews(db: &Db, ctx: &Ctx, cycle_id: i64) -> AppResult<Vec<Review>> {
    let mut tx = db.read().await?;
    cycle_of(&mut tx, cycle_id).await?;
    let r = reports(&mut tx, ctx).await?;
    let list = store::list_reviews(&mut tx, cycle_id, &scope_of(ctx, r.clone())).await?;
    Ok(list.into_iter().map(|x| redact(ctx, x, &r)).collect())
}

/// The caller's own reviews across cycles (as reviewee).
pub async fn my_reviews(db: &Db, ctx: &Ctx) -> AppResult<Vec<Review>> {
    let Some(p) = ctx.actor.person_id else {
        return Ok(Vec::new());
    };
    let mut tx = db.read().await?;
    let list = store::reviews_of_person(&mut tx, p).await?;
    Ok(list.into_iter().map(|x| redact(ctx, x, &[])).collect())
}

pub(super) async fn load_review(tx: &mut Tx, ctx: &Ctx, id: i64) -> AppResult<(Review, Vec<i64>)> {
    let r = reports(tx, ctx).await?;
    let review = store::get_review(tx, id).await?.ok_or(AppError::NotFound)?;
    if !ctx.actor.can_see_review(&facts(&review), &r) {
        return Err(AppError::NotFound);
    }
    Ok((review, r))
}

/// A named (self or manager) answer with its question.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NamedAnswer {
    pub question_id: i64,
    pub prompt: String,
    pub rating: Option<i64>,
    pub text: Option<String>,
}

/// A peer in the reviewee's nomination list. The reviewee sees only whether a nomination was
/// approved — never whether that peer has written or declined.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Nomination {
    pub request_id: i64,
    pub person_id: i64,
    pub name: String,
    /// `nominated`, `rejected` or `approved` (for the reviewee); managers see the request's
    /// real status (`pending`, `submitted`, `declined`).
    pub status: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ReviewDetail {
    pub review: Review,
    pub scale_max: i64,
    pub min_responses: i64,
    pub peers_min: i64,
    pub peers_max: i64,
    /// Whether the caller may rate (the reviewee's manager, or an admin).
    pub can_rate: bool,
    pub is_reviewee: bool,
    pub self_answers: Vec<NamedAnswer>,
    /// `null` for the reviewee until results are shared.
    pub manager_answers: Option<Vec<NamedAnswer>>,
    /// Peer and upward aggregates: `null` until the feedback phase is over (managers, admins)
    /// or until results are shared (the reviewee).
    pub peer: Option<DirectionResult>,
    pub upward: Option<DirectionResult>,
    /// Until the calibration phase: the nominated peers (empty afterwards).
    pub nominations: Vec<Nomination>,
}

fn named(qs: &[Question], answers: Vec<AnswerInput>) -> Vec<NamedAnswer> {
    qs.iter()
        .filter_map(|q| {
            let a = answers.iter().find(|a| a.question_id == q.id)?;
            Some(NamedAnswer {
                question_id: q.id,
                prompt: q.prompt.clone(),
                rating: a.rating,
                text: a.text.clone(),
            })
        })
        .collect()
}

pub async fn get_review(db: &Db, ctx: &Ctx, id: i64) -> AppResult<ReviewDetail> {
    let mut tx = db.read().await?;
    let (review, r) = load_review(&mut tx, ctx, id).await?;
    let cycle = cycle_of(&mut tx, review.cycle_id).await?;
    let f = facts(&review);
    let can_rate = ctx.actor.can_rate_review(&f, &r);
    let is_reviewee = ctx.actor.person_id == Some(review.person_id);
    let requests = store::requests_of_review(&mut tx, id).await?;
    let mut self_answers = Vec::new();
    let mut manager_answers = Vec::new();
    for q in requests
        .iter()
        .filter(|q| q.status == RequestStatus::Submitted)
    {
        match q.direction {
            Direction::SelfReview => {
                self_answers = named(&cycle.questions, store::named_answers(&mut tx, q.id).await?)
            }
            Direction::Manager => {
                manager_answers =
                    named(&cycle.questions, store::named_answers(&mut tx, q.id).await?)
            }
            _ => {}
        }
    }
    let shared = cycle.phase == Phase::Shared;
    let results_open = if can_rate {
        cycle.phase >= Phase::Calibration
    } else {
        shared
    };
    let mut peer = None;
    let mut upward = None;
    if results_open {
        for d in [Direction::Peer, Direction::Upward] {
            let n = store::count_submitted(&mut tx, id, d).await?;
            let mut answers = if n >= cycle.min_responses {
                store::anonymous_answers(&mut tx, id, d).await?
            } else {
                Vec::new()
            };
            shuffle(&mut answers);
            let res = aggregate(
                d,
                &cycle.questions,
                &answers,
                n,
                cycle.min_responses,
                cycle.scale_max,
            );
            if d == Direction::Peer {
                peer = Some(res);
            } else {
                upward = Some(res);
            }
        }
    }
    // Once results can be shown, the list of who was asked is no longer needed; leaving it out
    // means no response ever holds both peer names and peer results.
    let nominations = requests
        .iter()
        .filter(|q| q.direction == Direction::Peer && cycle.phase < Phase::Calibration)
        .map(|q| Nomination {
            request_id: q.id,
            person_id: q.reviewer_id,
            name: q.reviewer_name.clone(),
            status: if can_rate
                || matches!(q.status, RequestStatus::Nominated | RequestStatus::Rejected)
            {
                q.status.as_str().to_string()
            } else {
                "approved".to_string()
            },
            version: if can_rate { q.version } else { 0 },
        })
        .collect();
    Ok(ReviewDetail {
        review: redact(ctx, review, &r),
        scale_max: cycle.scale_max,
        min_responses: cycle.min_responses,
        peers_min: cycle.peers_min,
        peers_max: cycle.peers_max,
        can_rate,
        is_reviewee,
        self_answers,
        manager_answers: (can_rate || shared).then_some(manager_answers),
        peer,
        upward,
        nominations,
    })
}

/// What a manager (rating, proposal, comment) or the reviewee (acknowledgement, comment) sets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewPatch {
    pub manager_rating: Option<i64>,
    pub proposed_rating: Option<i64>,
    pub manager_comment: Option<String>,
    pub acknowledged: Option<bool>,
    pub reviewee_comment: Option<String>,
}

pub async fn update_review(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    p: &ReviewPatch,
) -> AppResult<Review> {
    let mut tx = db.write().await?;
    let (before, r) = load_review(&mut tx, ctx, id).await?;
    let cycle = cycle_of(&mut tx, before.cycle_id).await?;
    let f = facts(&before);
    let manager_part =
        p.manager_rating.is_some() || p.proposed_rating.is_some() || p.manager_comment.is_some();
    let reviewee_part = p.acknowledged.is_some() || p.reviewee_comment.is_some();
    let mut c = Checks::new();
    if manager_part {
        if !ctx.actor.can_rate_review(&f, &r) {
            return Err(AppError::Forbidden("rate this review"));
        }
        if cycle.phase == Phase::Shared {
            c.push("manager_rating", "locked", "results are already shared");
        }
    }
    if reviewee_part {
        if !ctx.actor.is_review_subject(&f) {
            return Err(AppError::Forbidden("acknowledge this review"));
        }
        if cycle.phase != Phase::Shared {
            c.push("acknowledged", "not_shared", "results are not shared yet");
        }
    }
    for (field, v) in [
        ("manager_rating", p.manager_rating),
        ("proposed_rating", p.proposed_rating),
    ] {
        if let Some(x) = v
            && !(1..=cycle.scale_max).contains(&x)
        {
            c.push(
                field,
                "out_of_range",
                format!("must be between 1 and {}", cycle.scale_max),
            );
        }
    }
    let mc = c.opt_text("manager_comment", p.manager_comment.as_deref(), 4000);
    let rc = c.opt_text("reviewee_comment", p.reviewee_comment.as_deref(), 4000);
    c.finish()?;
    let n = if manager_part {
        store::update_review_manager(
            &mut tx,
            id,
            expected_version,
            p.manager_rating.or(before.manager_rating),
            p.proposed_rating.or(before.proposed_rating),
            mc.as_deref().or(if p.manager_comment.is_some() {
                None
            } else {
                before.manager_comment.as_deref()
            }),
        )
        .await?
    } else if reviewee_part {
        store::update_review_reviewee(
            &mut tx,
            id,
            expected_version,
            p.acknowledged.unwrap_or(before.acknowledged),
            rc.as_deref().or(if p.reviewee_comment.is_some() {
                None
            } else {
                before.reviewee_comment.as_deref()
            }),
        )
        .await?
    } else {
        store::update_review_reviewee(
            &mut tx,
            id,
            expected_version,
            before.acknowledged,
            before.reviewee_comment.as_deref(),
        )
        .await?
    };
    if n == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_review(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "review.update",
        "review",
        Some(id),
        snapshot(&before),
        snapshot(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(redact(ctx, after, &r))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationInput {
    pub person_ids: Vec<i64>,
}

/// The reviewee nominates peers (in the self or nomination phase); their manager approves.
pub async fn nominate(
    db: &Db,
    ctx: &Ctx,
    review_id: i64,
    input: &NominationInput,
) -> AppResult<ReviewDetail> {
    {
        let mut tx = db.write().await?;
        let (review, _) = load_review(&mut tx, ctx, review_id).await?;
        if !ctx.actor.is_review_subject(&facts(&review)) {
            return Err(AppError::Forbidden("nominate peers for this review"));
        }
        let cycle = cycle_of(&mut tx, review.cycle_id).await?;
        let mut c = Checks::new();
        if cycle.phase > Phase::Nomination {
            c.push("person_ids", "closed", "peer nomination is closed");
        }
        let existing: Vec<RequestRow> = store::requests_of_review(&mut tx, review_id)
            .await?
            .into_iter()
            .filter(|q| q.direction == Direction::Peer && q.status != RequestStatus::Rejected)
            .collect();
        let active = store::active_people(&mut tx, &input.person_ids).await?;
        let mut fresh = Vec::new();
        for (i, p) in input.person_ids.iter().enumerate() {
            let f = format!("person_ids[{i}]");
            if !active.contains(p) {
                c.push(&f, "not_found", "no such active person");
            } else if *p == review.person_id {
                c.push(&f, "self", "you cannot nominate yourself");
            } else if !existing.iter().any(|q| q.reviewer_id == *p) && !fresh.contains(p) {
                fresh.push(*p);
            }
        }
        if (existing.len() + fresh.len()) as i64 > cycle.peers_max {
            c.push(
                "person_ids",
                "too_many",
                format!("at most {} peers", cycle.peers_max),
            );
        }
        if input.person_ids.is_empty() {
            c.push("person_ids", "required", "nominate at least one peer");
        }
        c.finish()?;
        for p in &fresh {
            store::insert_request(
                &mut tx,
                review_id,
                *p,
                Direction::Peer,
                RequestStatus::Nominated,
            )
            .await?;
        }
        if let Some(m) = review.manager_id
            && let Some(user) = store::user_of_person(&mut tx, m).await?
        {
            notices::send(
                &mut tx,
                user,
                "review.nominated",
                "nominated",
                &[("cycle", &cycle.name), ("reviewee", &review.person_name)],
                &Target {
                    link: &format!("/reviews/{review_id}"),
                    entity: "review",
                    entity_id: review_id,
                },
                ctx.now_ms,
            )
            .await?;
        }
        db::audit::log_change(
            &mut tx,
            ctx,
            "review.nominate",
            "review",
            Some(review_id),
            None,
            Some(json!({ "nominated": fresh })),
        )
        .await?;
        tx.commit().await?;
    }
    get_review(db, ctx, review_id).await
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub approve: bool,
}

/// The manager approves (→ pending, the peer is asked) or rejects a nominated peer. No If-Match:
/// a nomination is decided once, and a second decision is a 409.
pub async fn decide(
    db: &Db,
    ctx: &Ctx,
    request_id: i64,
    d: &DecisionInput,
) -> AppResult<Nomination> {
    let mut tx = db.write().await?;
    let q = store::get_request(&mut tx, request_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (review, r) = load_review(&mut tx, ctx, q.review_id).await?;
    if q.direction != Direction::Peer || !ctx.actor.can_approve_peers(&facts(&review), &r) {
        // The reviewee and outsiders learn nothing about the request from this route.
        if ctx.actor.can_see_review(&facts(&review), &r) && q.direction == Direction::Peer {
            return Err(AppError::Forbidden("approve peers for this review"));
        }
        return Err(AppError::NotFound);
    }
    if q.status != RequestStatus::Nominated {
        return Err(AppError::Conflict(
            "this nomination is already decided".into(),
        ));
    }
    let cycle = cycle_of(&mut tx, review.cycle_id).await?;
    if d.approve
        && super::reports::store::approved_peers(&mut tx, review.id).await? >= cycle.peers_max
    {
        return Err(AppError::field(
            "approve",
            "too_many",
            format!("at most {} approved peers", cycle.peers_max),
        ));
    }
    let status = if d.approve {
        RequestStatus::Pending
    } else {
        RequestStatus::Rejected
    };
    // The status check above is the precondition: a decision is taken once (409 after that).
    if store::set_request(&mut tx, request_id, q.version, status, None).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    if d.approve
        && let Some(user) = store::user_of_person(&mut tx, q.reviewer_id).await?
    {
        notices::send(
            &mut tx,
            user,
            "review.requested",
            "asked",
            &[("cycle", &cycle.name), ("reviewee", &review.person_name)],
            &Target {
                link: &format!("/reviews/requests/{request_id}"),
                entity: "review_cycle",
                entity_id: cycle.id,
            },
            ctx.now_ms,
        )
        .await?;
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "review.nomination_decide",
        "review",
        Some(review.id),
        Some(json!({"request_id": request_id, "reviewer_id": q.reviewer_id, "status": "nominated"})),
        Some(json!({"request_id": request_id, "reviewer_id": q.reviewer_id, "status": status.as_str()})),
    )
    .await?;
    tx.commit().await?;
    Ok(Nomination {
        request_id,
        person_id: q.reviewer_id,
        name: q.reviewer_name,
        status: status.as_str().to_string(),
        version: q.version + 1,
    })
}

// ---------------------------------------------------------------- progress

/// One reviewer who has not submitted. For anonymous directions only the number of their open
/// requests is given, not for whom.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PendingReviewer {
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub direction: Direction,
    /// Named directions: whose review is waiting; `null` for peer/upward.
    pub reviewee_name: Option<String>,
    pub open: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DepartmentProgress {
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub requests: i64,
    pub submitted: i64,
    pub pending: Vec<PendingReviewer>,
}

/// Who has not submitted, per reviewer department: admins see all, managers their scope.
pub async fn progress(db: &Db, ctx: &Ctx, cycle_id: i64) -> AppResult<Vec<DepartmentProgress>> {
    if !ctx.actor.can_see_review_progress() {
        return Err(AppError::Forbidden("see review progress"));
    }
    let mut tx = db.read().await?;
    cycle_of(&mut tx, cycle_id).await?;
    let scope = (!ctx.actor.is_admin()).then(|| ctx.actor.scope.clone());
    let rows = store::requests_of_cycle(&mut tx, cycle_id, scope.as_deref()).await?;
    let names: std::collections::HashMap<i64, String> = team::service::tree(db)
        .await?
        .into_iter()
        .map(|n| (n.department.id, n.department.name))
        .collect();
    let mut out: Vec<DepartmentProgress> = Vec::new();
    for q in rows
        .iter()
        .filter(|q| matches!(q.status, RequestStatus::Pending | RequestStatus::Submitted))
    {
        let i = match out
            .iter()
            .position(|d| d.department_id == q.reviewer_department_id)
        {
            Some(i) => i,
            None => {
                out.push(DepartmentProgress {
                    department_id: q.reviewer_department_id,
                    department_name: q
                        .reviewer_department_id
                        .and_then(|d| names.get(&d).cloned()),
                    requests: 0,
                    submitted: 0,
                    pending: Vec::new(),
                });
                out.len() - 1
            }
        };
        let d = &mut out[i];
        d.requests += 1;
        if q.status == RequestStatus::Submitted {
            d.submitted += 1;
            continue;
        }
        let anon = q.direction.is_anonymous();
        if anon
            && let Some(p) = d
                .pending
                .iter_mut()
                .find(|p| p.reviewer_id == q.reviewer_id && p.direction == q.direction)
        {
            p.open += 1;
            continue;
        }
        d.pending.push(PendingReviewer {
            reviewer_id: q.reviewer_id,
            reviewer_name: q.reviewer_name.clone(),
            direction: q.direction,
            reviewee_name: (!anon).then(|| q.reviewee_name.clone()),
            open: 1,
        });
    }
    out.sort_by(|a, b| a.department_name.cmp(&b.department_name));
    Ok(out)
}

// ---------------------------------------------------------------- requests (the reviewer's)

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RequestSummary {
    pub id: i64,
    pub review_id: i64,
    pub cycle_id: i64,
    pub reviewee_id: i64,
    pub reviewee_name: String,
    pub direction: Direction,
    pub status: RequestStatus,
    pub version: i64,
}

fn summary(q: &RequestRow) -> RequestSummary {
    RequestSummary {
        id: q.id,
        review_id: q.review_id,
        cycle_id: q.cycle_id,
        reviewee_id: q.reviewee_id,
        reviewee_name: q.reviewee_name.clone(),
        direction: q.direction,
        status: q.status,
        version: q.version,
    }
}

/// The caller's own reviewer requests (nominations not yet approved are not requests yet).
pub async fn my_requests(db: &Db, ctx: &Ctx) -> AppResult<Vec<RequestSummary>> {
    let Some(p) = ctx.actor.person_id else {
        return Ok(Vec::new());
    };
    let mut tx = db.read().await?;
    Ok(store::requests_of_reviewer(&mut tx, p)
        .await?
        .iter()
        .filter(|q| !matches!(q.status, RequestStatus::Nominated | RequestStatus::Rejected))
        .map(summary)
        .collect())
}

/// The reviewee's evidence, each part read through its own module under the reviewer's policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Evidence {
    pub goals: Vec<EvidenceGoal>,
    pub scorecards: Vec<EvidenceScorecard>,
    pub kudos: Vec<EvidenceKudos>,
    pub training: Vec<EvidenceTraining>,
    /// Continuous feedback given in the cycle's period that the reviewer may read.
    pub feedback: Vec<super::feedback::service::EvidenceFeedback>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvidenceGoal {
    pub goal_id: i64,
    pub title: String,
    pub cycle: String,
    pub progress: f64,
    pub score: Option<f64>,
    pub key_results: Vec<EvidenceKeyResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvidenceKeyResult {
    pub title: String,
    pub progress: f64,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvidenceScorecard {
    pub scorecard_id: i64,
    pub name: String,
    pub period: String,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvidenceKudos {
    pub from_name: String,
    pub value_name: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvidenceTraining {
    pub course_title: String,
    pub completed_on: Option<String>,
}

pub(super) async fn evidence(
    db: &Db,
    ctx: &Ctx,
    person_id: i64,
    cycle: &Cycle,
) -> AppResult<Evidence> {
    let mut e = Evidence::default();
    let goals = crate::goals::service::list(
        db,
        ctx,
        &crate::goals::service::GoalFilter {
            owner: Some(person_id.to_string()),
            limit: Some(kernel::page::MAX_LIMIT),
            ..Default::default()
        },
    )
    .await?;
    for g in goals
        .items
        .iter()
        .filter(|g| g.period_end >= cycle.period_start && g.period_start <= cycle.period_end)
    {
        e.goals.push(EvidenceGoal {
            goal_id: g.id,
            title: g.title.clone(),
            cycle: g.cycle.clone(),
            progress: g.progress,
            score: g.score,
            key_results: g
                .key_results
                .iter()
                .map(|k| EvidenceKeyResult {
                    title: k.title.clone(),
                    progress: k.progress,
                    score: k.score,
                })
                .collect(),
        });
    }
    let period = cycle.period_end.get(..7).unwrap_or_default().to_string();
    let cards =
        crate::scorecards::service::list(db, ctx, None, Some(kernel::page::MAX_LIMIT)).await?;
    for s in cards
        .items
        .iter()
        .filter(|s| s.person_id == Some(person_id))
    {
        let rep = crate::scorecards::service::report(db, ctx, s.id, Some(&period)).await?;
        e.scorecards.push(EvidenceScorecard {
            scorecard_id: s.id,
            name: s.name.clone(),
            period: rep.result.period.clone(),
            score: rep.result.score,
        });
    }
    let kudos = team::recognition::service::feed(
        db,
        ctx,
        &team::recognition::service::FeedQuery {
            to_person_id: Some(person_id),
            department_id: None,
            value_id: None,
            cursor: None,
            limit: Some(kernel::page::MAX_LIMIT),
        },
    )
    .await?;
    let (from, to) = (
        kernel::dates::parse_date(&cycle.period_start),
        kernel::dates::parse_date(&cycle.period_end),
    );
    for k in kudos.items {
        let day = kernel::dates::date_of(k.created_at, 8);
        if from.is_some_and(|f| day >= f) && to.is_some_and(|t| day <= t) {
            e.kudos.push(EvidenceKudos {
                from_name: k.from_name,
                value_name: k.value_name,
                message: k.message,
            });
        }
    }
    e.feedback = super::feedback::service::evidence(
        db,
        ctx,
        person_id,
        &cycle.period_start,
        &cycle.period_end,
    )
    .await?;
    if let Some(rec) = team::training::service::record_of(db, ctx, person_id).await? {
        for en in rec
            .enrolments
            .into_iter()
            .filter(|en| en.status == "completed")
        {
            e.training.push(EvidenceTraining {
                course_title: en.course_title,
                completed_on: en.completed_on,
            });
        }
    }
    Ok(e)
}

/// The form a reviewer fills: the direction's questions, their draft, and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RequestForm {
    pub request: RequestSummary,
    pub cycle_name: String,
    pub phase: Phase,
    pub writable: bool,
    pub scale_max: i64,
    pub anonymous: bool,
    pub questions: Vec<Question>,
    pub draft: Vec<AnswerInput>,
    /// Self and manager directions: the submitted answers; anonymous ones are never read back.
    pub submitted: Vec<AnswerInput>,
    pub evidence: Evidence,
}

/// Only the reviewer reads or writes a request; to everyone else (admins too) it does not exist.
async fn load_request(tx: &mut Tx, ctx: &Ctx, id: i64) -> AppResult<(RequestRow, Cycle)> {
    let q = store::get_request(tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if ctx.actor.person_id != Some(q.reviewer_id)
        || matches!(q.status, RequestStatus::Nominated | RequestStatus::Rejected)
    {
        return Err(AppError::NotFound);
    }
    let c = cycle_of(tx, q.cycle_id).await?;
    Ok((q, c))
}

pub async fn get_request(db: &Db, ctx: &Ctx, id: i64) -> AppResult<RequestForm> {
    let mut tx = db.read().await?;
    let (q, cycle) = load_request(&mut tx, ctx, id).await?;
    let submitted = if q.status == RequestStatus::Submitted && !q.direction.is_anonymous() {
        store::named_answers(&mut tx, q.id).await?
    } else {
        Vec::new()
    };
    drop(tx);
    let evidence = evidence(db, ctx, q.reviewee_id, &cycle).await?;
    Ok(RequestForm {
        writable: q.status == RequestStatus::Pending && q.direction.writable_in(cycle.phase),
        cycle_name: cycle.name.clone(),
        phase: cycle.phase,
        scale_max: cycle.scale_max,
        anonymous: q.direction.is_anonymous(),
        questions: cycle
            .questions
            .iter()
            .filter(|x| x.direction == q.direction)
            .cloned()
            .collect(),
        draft: q
            .draft
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default(),
        submitted,
        request: summary(&q),
        evidence,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswersInput {
    pub answers: Vec<AnswerInput>,
}

/// Audits an event of an anonymous request: no actor, request id, address or content, and the
/// cycle's first day as its time. It records only that the reviewee's review got an event in
/// that direction.
async fn audit_anonymous(
    tx: &mut Tx,
    action: &str,
    cycle: &Cycle,
    q: &RequestRow,
) -> AppResult<()> {
    db::audit::record(
        tx,
        &db::audit::AuditEvent {
            actor_user_id: None,
            actor_name: "anonymous",
            action,
            entity: "review",
            entity_id: Some(q.review_id),
            before: None,
            after: Some(json!({"cycle_id": cycle.id, "review_id": q.review_id,
                               "direction": q.direction.as_str()})),
            request_id: "",
            source_ip: None,
            outcome: "ok",
            at_ms: cycle_instant(cycle),
        },
    )
    .await?;
    Ok(())
}

/// Viewers read their requests but never write.
fn read_only(ctx: &Ctx) -> AppResult<()> {
    if ctx.actor.role == Role::Viewer {
        return Err(AppError::Forbidden("write reviews as a viewer"));
    }
    Ok(())
}

fn writable(q: &RequestRow, c: &Cycle) -> AppResult<()> {
    if q.status != RequestStatus::Pending {
        return Err(AppError::Conflict(format!(
            "this request is {}",
            q.status.as_str()
        )));
    }
    if !q.direction.writable_in(c.phase) {
        return Err(AppError::Conflict(format!(
            "the cycle is in the {} phase",
            c.phase.as_str()
        )));
    }
    Ok(())
}

fn for_direction(c: &Cycle, d: Direction) -> Vec<Question> {
    c.questions
        .iter()
        .filter(|q| q.direction == d)
        .cloned()
        .collect()
}

/// Saves a partial draft on the request (the reviewer's own row; cleared on submit).
pub async fn save_draft(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    input: &AnswersInput,
) -> AppResult<RequestSummary> {
    let mut tx = db.write().await?;
    let (q, cycle) = load_request(&mut tx, ctx, id).await?;
    read_only(ctx)?;
    writable(&q, &cycle)?;
    let mut c = Checks::new();
    let answers = validate_answers(
        &mut c,
        &for_direction(&cycle, q.direction),
        &input.answers,
        cycle.scale_max,
        false,
    );
    c.finish()?;
    let draft = serde_json::to_string(&answers).unwrap_or_default();
    if store::set_request(&mut tx, id, expected_version, q.status, Some(&draft)).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    if q.direction.is_anonymous() {
        audit_anonymous(&mut tx, "review.draft", &cycle, &q).await?;
    } else {
        db::audit::log_change(
            &mut tx,
            ctx,
            "review_request.draft",
            "review_request",
            Some(id),
            None,
            Some(json!({"review_id": q.review_id, "direction": q.direction.as_str()})),
        )
        .await?;
    }
    let after = store::get_request(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(summary(&after))
}

/// Submits: every required question answered (from the body, or the saved draft when the body
/// has none). Final — for anonymous directions the answers are stored without any link back to
/// the request, so there is nothing to edit later.
pub async fn submit(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    input: &AnswersInput,
) -> AppResult<RequestSummary> {
    let mut tx = db.write().await?;
    let (q, cycle) = load_request(&mut tx, ctx, id).await?;
    read_only(ctx)?;
    writable(&q, &cycle)?;
    let given = if input.answers.is_empty() {
        q.draft
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
            .unwrap_or_default()
    } else {
        input.answers.clone()
    };
    let mut c = Checks::new();
    let answers = validate_answers(
        &mut c,
        &for_direction(&cycle, q.direction),
        &given,
        cycle.scale_max,
        true,
    );
    c.finish()?;
    if store::set_request(
        &mut tx,
        id,
        expected_version,
        RequestStatus::Submitted,
        None,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    if q.direction.is_anonymous() {
        for a in answers
            .iter()
            .filter(|a| a.rating.is_some() || a.text.is_some())
        {
            store::insert_anonymous(&mut tx, random_id(), q.review_id, q.direction, a).await?;
        }
        audit_anonymous(&mut tx, "review.submission", &cycle, &q).await?;
    } else {
        store::insert_named_answers(&mut tx, id, &answers).await?;
        db::audit::log_change(
            &mut tx,
            ctx,
            "review_request.submit",
            "review_request",
            Some(id),
            None,
            Some(
                json!({"review_id": q.review_id, "direction": q.direction.as_str(),
                        "answers": answers}),
            ),
        )
        .await?;
    }
    let after = store::get_request(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(summary(&after))
}

/// A reviewer declines (not their own self review).
pub async fn decline(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
) -> AppResult<RequestSummary> {
    let mut tx = db.write().await?;
    let (q, cycle) = load_request(&mut tx, ctx, id).await?;
    read_only(ctx)?;
    if q.direction == Direction::SelfReview {
        return Err(AppError::Forbidden("decline your own self review"));
    }
    if q.status != RequestStatus::Pending {
        return Err(AppError::Conflict(format!(
            "this request is {}",
            q.status.as_str()
        )));
    }
    if store::set_request(&mut tx, id, expected_version, RequestStatus::Declined, None).await? == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    if q.direction.is_anonymous() {
        audit_anonymous(&mut tx, "review.decline", &cycle, &q).await?;
    } else {
        db::audit::log_change(
            &mut tx,
            ctx,
            "review_request.decline",
            "review_request",
            Some(id),
            None,
            Some(json!({"review_id": q.review_id, "direction": q.direction.as_str()})),
        )
        .await?;
    }
    let after = store::get_request(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(summary(&after))
}
