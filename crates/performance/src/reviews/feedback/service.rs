//! Continuous feedback use cases. Every read is filtered by `Actor::can_see_feedback` (rules in
//! `kernel/src/policy/review_feedback.rs`); every write is audited in its transaction.
use super::store::{self, Feedback, FeedbackFilter, FeedbackRequest, NewFeedback};
use crate::reviews::notices::{self, Target};
use db::idempotency::Idem;
use db::{Db, Tx};
use kernel::policy::{FeedbackFacts, FeedbackVisibility};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub const MAX_BODY: usize = 4000;

fn visibility(s: &str) -> Option<FeedbackVisibility> {
    match s {
        "private" => Some(FeedbackVisibility::Private),
        "shared" => Some(FeedbackVisibility::Shared),
        _ => None,
    }
}

fn facts(f: &Feedback) -> FeedbackFacts {
    FeedbackFacts {
        subject_id: f.subject_id,
        author_id: f.author_id,
        // Stored values are checked by the schema; anything else is treated as the stricter one.
        visibility: visibility(&f.visibility).unwrap_or(FeedbackVisibility::Private),
    }
}

/// Everyone below the caller in the reporting line: the caller's "manager chain" reach.
async fn chain(tx: &mut Tx, ctx: &Ctx) -> AppResult<Vec<i64>> {
    match ctx.actor.person_id {
        Some(p) => Ok(crate::goals::store::reports_of(tx, p).await?),
        None => Ok(Vec::new()),
    }
}

fn today(ctx: &Ctx) -> String {
    kernel::dates::format_date(kernel::dates::date_of(ctx.now_ms, 8))
}

fn snapshot<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    /// Whom the feedback is about. Optional when answering a request (taken from it).
    pub subject_id: Option<i64>,
    /// `private` (the author, the subject's manager chain and admins) or `shared` (also the
    /// subject).
    pub visibility: String,
    pub body: String,
    /// Answers this request (the caller must be its requestee); it is then fulfilled.
    pub request_id: Option<i64>,
}

/// Gives feedback (or answers a request for it).
pub async fn give(
    db: &Db,
    ctx: &Ctx,
    input: &FeedbackInput,
    idem: Option<&Idem>,
) -> AppResult<Feedback> {
    let Some(me) = ctx
        .actor
        .person_id
        .filter(|_| ctx.actor.role != kernel::Role::Viewer)
    else {
        return Err(AppError::Forbidden("give feedback"));
    };
    let mut tx = db.write().await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let f = store::get_feedback(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        return Ok(f);
    }
    let mut c = Checks::new();
    let request = match input.request_id {
        None => None,
        Some(rid) => {
            let r = store::get_request(&mut tx, rid).await?;
            match r {
                // A request the caller may not see answers like a missing one.
                Some(r)
                    if ctx
                        .actor
                        .can_see_feedback_request(r.requester_id, r.requestee_id) =>
                {
                    if !ctx.actor.can_answer_feedback_request(r.requestee_id) {
                        return Err(AppError::Forbidden("answer this feedback request"));
                    }
                    if r.status != "open" {
                        return Err(AppError::Conflict(format!("this request is {}", r.status)));
                    }
                    if input.subject_id.is_some_and(|s| s != r.subject_id) {
                        c.push(
                            "subject_id",
                            "mismatch",
                            "the request is about someone else",
                        );
                    }
                    Some(r)
                }
                _ => {
                    c.push("request_id", "not_found", "no such feedback request");
                    None
                }
            }
        }
    };
    let subject = request.as_ref().map(|r| r.subject_id).or(input.subject_id);
    let vis = visibility(&input.visibility);
    if vis.is_none() {
        c.push("visibility", "invalid", "`private` or `shared`");
    }
    let body = c.text("body", &input.body, true, MAX_BODY);
    let mut subject_user = None;
    match subject {
        None if input.request_id.is_none() => c.push("subject_id", "required", "whom is it about?"),
        None => {}
        Some(s) if s == me => c.push("subject_id", "self", "feedback is about a colleague"),
        Some(s) => match store::person(&mut tx, s).await? {
            Some((_, user)) => subject_user = user,
            None => c.push("subject_id", "not_found", "no such active person"),
        },
    }
    c.finish()?;
    let subject = subject.ok_or(AppError::NotFound)?;
    if !ctx.actor.can_give_feedback(subject) {
        return Err(AppError::Forbidden("give feedback"));
    }
    let vis_s = if vis == Some(FeedbackVisibility::Shared) {
        "shared"
    } else {
        "private"
    };
    let id = store::insert_feedback(
        &mut tx,
        &NewFeedback {
            subject_id: subject,
            author_id: me,
            visibility: vis_s,
            body: &body,
            request_id: request.as_ref().map(|r| r.id),
            given_on: &today(ctx),
            created_at: ctx.now_ms,
        },
    )
    .await?;
    let f = store::get_feedback(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(r) = &request {
        if store::close_request(&mut tx, r.id, "answered").await? == 0 {
            return Err(AppError::Conflict("this request is no longer open".into()));
        }
        db::audit::log_change(
            &mut tx,
            ctx,
            "review_feedback_request.answer",
            "review_feedback_request",
            Some(r.id),
            Some(json!({"status": "open"})),
            Some(json!({"status": "answered", "feedback_id": id})),
        )
        .await?;
        if let Some((_, Some(user))) = store::person(&mut tx, r.requester_id).await?
            && r.requester_id != me
        {
            notices::send(
                &mut tx,
                user,
                "review.feedback_answered",
                "feedback_answered",
                &[("author", &f.author_name), ("subject", &f.subject_name)],
                &Target {
                    link: "/reviews/feedback",
                    entity: "review_feedback_request",
                    entity_id: r.id,
                },
                ctx.now_ms,
            )
            .await?;
        }
    }
    // Private feedback is for the manager: tell them, unless they wrote it or asked for it
    // (then the answer notice above reached them).
    if vis_s == "private"
        && let Some((manager, Some(user))) = store::manager_of(&mut tx, subject).await?
        && manager != me
        && request.as_ref().is_none_or(|r| r.requester_id != manager)
    {
        notices::send(
            &mut tx,
            user,
            "review.feedback_private",
            "feedback_private",
            &[("author", &f.author_name), ("subject", &f.subject_name)],
            &Target {
                link: &format!("/reviews/people/{subject}"),
                entity: "review_feedback",
                entity_id: id,
            },
            ctx.now_ms,
        )
        .await?;
    }
    if vis_s == "shared"
        && let Some(user) = subject_user
    {
        notices::send(
            &mut tx,
            user,
            "review.feedback_given",
            "feedback_given",
            &[("author", &f.author_name)],
            &Target {
                link: "/reviews/feedback",
                entity: "review_feedback",
                entity_id: id,
            },
            ctx.now_ms,
        )
        .await?;
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "review_feedback.create",
        "review_feedback",
        Some(id),
        None,
        snapshot(&f),
    )
    .await?;
    db::idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/feedback/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(f)
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Feedback> {
    let mut tx = db.read().await?;
    let f = store::get_feedback(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reports = chain(&mut tx, ctx).await?;
    if !ctx.actor.can_see_feedback(&facts(&f), &reports) {
        return Err(AppError::NotFound);
    }
    Ok(f)
}

/// Feedback about `subject` the caller may see, or — without a subject — the caller's own
/// ("my feedback"): what they gave and what they may see about themselves.
pub async fn list(db: &Db, ctx: &Ctx, subject: Option<i64>) -> AppResult<Vec<Feedback>> {
    let mut tx = db.read().await?;
    let filter = match subject {
        Some(s) => FeedbackFilter {
            subject_id: Some(s),
            involving: None,
            from: None,
            to: None,
        },
        None => match ctx.actor.person_id {
            Some(p) => FeedbackFilter {
                subject_id: None,
                involving: Some(p),
                from: None,
                to: None,
            },
            None => return Ok(Vec::new()),
        },
    };
    visible(&mut tx, ctx, &filter).await
}

async fn visible(tx: &mut Tx, ctx: &Ctx, f: &FeedbackFilter<'_>) -> AppResult<Vec<Feedback>> {
    let reports = chain(tx, ctx).await?;
    Ok(store::list_feedback(tx, f)
        .await?
        .into_iter()
        .filter(|x| ctx.actor.can_see_feedback(&facts(x), &reports))
        .collect())
}

/// Feedback about `person` given within `[from, to]` that the caller may see (the evidence
/// panel of a review: only what the reviewer may read anyway).
pub async fn visible_in_period(
    db: &Db,
    ctx: &Ctx,
    person: i64,
    from: &str,
    to: &str,
) -> AppResult<Vec<Feedback>> {
    let mut tx = db.read().await?;
    visible(
        &mut tx,
        ctx,
        &FeedbackFilter {
            subject_id: Some(person),
            involving: None,
            from: Some(from),
            to: Some(to),
        },
    )
    .await
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequestInput {
    /// Whom the feedback should be about: oneself, or someone in one's reporting line (admins:
    /// anyone).
    pub subject_id: i64,
    /// Who is asked.
    pub requestee_id: i64,
    pub message: Option<String>,
}

pub async fn request(
    db: &Db,
    ctx: &Ctx,
    input: &FeedbackRequestInput,
    idem: Option<&Idem>,
) -> AppResult<FeedbackRequest> {
    let Some(me) = ctx
        .actor
        .person_id
        .filter(|_| ctx.actor.role != kernel::Role::Viewer)
    else {
        return Err(AppError::Forbidden("request feedback"));
    };
    let mut tx = db.write().await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let r = store::get_request(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        return Ok(r);
    }
    let mut c = Checks::new();
    let message = c.opt_text("message", input.message.as_deref(), MAX_BODY);
    if store::person(&mut tx, input.subject_id).await?.is_none() {
        c.push("subject_id", "not_found", "no such active person");
    }
    let requestee_user = match store::person(&mut tx, input.requestee_id).await? {
        None => {
            c.push("requestee_id", "not_found", "no such active person");
            None
        }
        Some((_, u)) => u,
    };
    if input.requestee_id == input.subject_id {
        c.push(
            "requestee_id",
            "self",
            "ask someone other than the person the feedback is about",
        );
    } else if input.requestee_id == me {
        c.push("requestee_id", "self", "ask someone else");
    }
    c.finish()?;
    let reports = chain(&mut tx, ctx).await?;
    if !ctx.actor.can_request_feedback(input.subject_id, &reports) {
        return Err(AppError::Forbidden("request feedback about this person"));
    }
    let id = store::insert_request(
        &mut tx,
        input.subject_id,
        me,
        input.requestee_id,
        message.as_deref(),
        ctx.now_ms,
    )
    .await?;
    let r = store::get_request(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(user) = requestee_user {
        notices::send(
            &mut tx,
            user,
            "review.feedback_requested",
            "feedback_requested",
            &[
                ("requester", &r.requester_name),
                ("subject", &r.subject_name),
            ],
            &Target {
                link: "/reviews/feedback",
                entity: "review_feedback_request",
                entity_id: id,
            },
            ctx.now_ms,
        )
        .await?;
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "review_feedback_request.create",
        "review_feedback_request",
        Some(id),
        None,
        snapshot(&r),
    )
    .await?;
    db::idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/feedback-requests/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}

/// The caller's requests: asked of them, and asked by them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RequestLists {
    pub to_me: Vec<FeedbackRequest>,
    pub by_me: Vec<FeedbackRequest>,
}

pub async fn my_requests(db: &Db, ctx: &Ctx) -> AppResult<RequestLists> {
    let Some(p) = ctx.actor.person_id else {
        return Ok(RequestLists {
            to_me: Vec::new(),
            by_me: Vec::new(),
        });
    };
    let mut tx = db.read().await?;
    Ok(RequestLists {
        to_me: store::requests_of(&mut tx, p, true).await?,
        by_me: store::requests_of(&mut tx, p, false).await?,
    })
}

pub async fn get_request(db: &Db, ctx: &Ctx, id: i64) -> AppResult<FeedbackRequest> {
    let mut tx = db.read().await?;
    let r = store::get_request(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx
        .actor
        .can_see_feedback_request(r.requester_id, r.requestee_id)
    {
        return Err(AppError::NotFound);
    }
    Ok(r)
}

/// The requestee declines. Decided once (409 afterwards), like a nomination.
pub async fn decline_request(db: &Db, ctx: &Ctx, id: i64) -> AppResult<FeedbackRequest> {
    let mut tx = db.write().await?;
    let r = store::get_request(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx
        .actor
        .can_see_feedback_request(r.requester_id, r.requestee_id)
    {
        return Err(AppError::NotFound);
    }
    if !ctx.actor.can_answer_feedback_request(r.requestee_id) {
        return Err(AppError::Forbidden("decline this feedback request"));
    }
    if store::close_request(&mut tx, id, "declined").await? == 0 {
        return Err(AppError::Conflict(format!("this request is {}", r.status)));
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "review_feedback_request.decline",
        "review_feedback_request",
        Some(id),
        Some(json!({"status": "open"})),
        Some(json!({"status": "declined"})),
    )
    .await?;
    let after = store::get_request(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

/// Feedback as the evidence panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct EvidenceFeedback {
    pub author_name: String,
    /// `private` or `shared`.
    pub visibility: String,
    pub body: String,
    pub given_on: String,
}

/// Feedback about `person` given in the cycle's period, as far as the reviewer may read it.
pub async fn evidence(
    db: &Db,
    ctx: &Ctx,
    person: i64,
    from: &str,
    to: &str,
) -> AppResult<Vec<EvidenceFeedback>> {
    Ok(visible_in_period(db, ctx, person, from, to)
        .await?
        .into_iter()
        .map(|f| EvidenceFeedback {
            author_name: f.author_name,
            visibility: f.visibility,
            body: f.body,
            given_on: f.given_on,
        })
        .collect())
}
