//! 1:1 use cases. The only rule is participation (see the module docs): a caller who is not
//! one of the two people gets 404 whatever their role.
use super::model::{FollowupInput, OneOnOne, OneOnOneInput, OneOnOnePatch, check_texts};
use super::store;
use db::idempotency::{self, Idem};
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};

async fn visible(tx: &mut Tx, ctx: &Ctx, id: i64) -> AppResult<OneOnOne> {
    let o = store::get(tx, id).await?.ok_or(AppError::NotFound)?;
    if !ctx
        .actor
        .is_one_on_one_participant(o.manager_id, o.report_id)
    {
        return Err(AppError::NotFound);
    }
    Ok(o)
}

fn me(ctx: &Ctx) -> AppResult<i64> {
    ctx.actor
        .person_id
        .ok_or(AppError::Forbidden("hold 1:1s without a person record"))
}

pub async fn get(db: &Db, ctx: &Ctx, id: i64) -> AppResult<OneOnOne> {
    let mut tx = db.read().await?;
    visible(&mut tx, ctx, id).await
}

/// The caller's own 1:1s (optionally only those with one person). Without a person: none.
pub async fn list_mine(
    db: &Db,
    ctx: &Ctx,
    with_person: Option<i64>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<OneOnOne>> {
    let limit = clamp_limit(limit);
    let Some(person) = ctx.actor.person_id else {
        return Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        });
    };
    let before = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?
                .1,
        ),
        None => None,
    };
    let mut tx = db.read().await?;
    let mut items = store::list_for(&mut tx, person, with_person, before, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|o| encode_cursor("", o.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Creates a 1:1 between the caller and their direct report or their manager.
pub async fn create(
    db: &Db,
    ctx: &Ctx,
    input: &OneOnOneInput,
    idem: Option<&Idem>,
) -> AppResult<OneOnOne> {
    let me = me(ctx)?;
    if ctx.actor.role == kernel::Role::Viewer {
        return Err(AppError::Forbidden("write 1:1 notes"));
    }
    let mut c = Checks::new();
    let (meeting_on, tp, notes) = check_texts(
        &mut c,
        &input.meeting_on,
        input.talking_points.as_deref(),
        input.notes.as_deref(),
    );
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return visible(&mut tx, ctx, id).await;
    }
    let other = crate::store::get_person(&mut tx, input.with_person_id).await?;
    let pair = match &other {
        Some(o) if o.manager_id == Some(me) => Some((me, o.id)),
        Some(o) => {
            let mine = crate::store::get_person(&mut tx, me).await?;
            mine.and_then(|m| m.manager_id)
                .filter(|m| *m == o.id)
                .map(|m| (m, me))
        }
        None => None,
    };
    let Some((manager_id, report_id)) = pair else {
        c.push(
            "with_person_id",
            "not_direct_report",
            "1:1s are between a manager and a direct report",
        );
        return Err(c.finish().unwrap_err());
    };
    c.finish()?;
    let id = store::insert(
        &mut tx,
        manager_id,
        report_id,
        &meeting_on,
        tp.as_deref(),
        notes.as_deref(),
        ctx.now_ms,
    )
    .await?;
    let o = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "one_on_one.create",
        "one_on_one",
        Some(id),
        None,
        Some(o.audit_view()),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/one-on-ones/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(o)
}

pub async fn update(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    version: i64,
    p: &OneOnOnePatch,
) -> AppResult<OneOnOne> {
    let mut tx = db.write().await?;
    let before = visible(&mut tx, ctx, id).await?;
    if ctx.actor.role == kernel::Role::Viewer {
        return Err(AppError::Forbidden("write 1:1 notes"));
    }
    let mut c = Checks::new();
    let (meeting_on, tp, notes) = check_texts(
        &mut c,
        p.meeting_on.as_deref().unwrap_or(&before.meeting_on),
        p.talking_points
            .as_deref()
            .or(before.talking_points.as_deref()),
        p.notes.as_deref().or(before.notes.as_deref()),
    );
    c.finish()?;
    if store::update(
        &mut tx,
        id,
        version,
        &meeting_on,
        tp.as_deref(),
        notes.as_deref(),
        ctx.now_ms,
    )
    .await?
        == 0
    {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "one_on_one.update",
        "one_on_one",
        Some(id),
        Some(before.audit_view()),
        Some(after.audit_view()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn add_followup(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    input: &FollowupInput,
) -> AppResult<OneOnOne> {
    let mut tx = db.write().await?;
    let o = visible(&mut tx, ctx, id).await?;
    if ctx.actor.role == kernel::Role::Viewer {
        return Err(AppError::Forbidden("write 1:1 notes"));
    }
    let mut c = Checks::new();
    let text = c.text("text", &input.text, true, 500);
    let due = c.opt_date("due_on", input.due_on.as_deref());
    if input
        .owner_id
        .is_some_and(|p| p != o.manager_id && p != o.report_id)
    {
        c.push(
            "owner_id",
            "not_participant",
            "the owner must be one of the two participants",
        );
    }
    c.finish()?;
    store::insert_followup(
        &mut tx,
        id,
        &text,
        input.owner_id,
        due.as_deref(),
        ctx.now_ms,
    )
    .await?;
    store::touch(&mut tx, id, ctx.now_ms).await?;
    let after = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "one_on_one.followup_add",
        "one_on_one",
        Some(id),
        None,
        Some(after.audit_view()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn set_followup_done(
    db: &Db,
    ctx: &Ctx,
    followup_id: i64,
    done: bool,
) -> AppResult<OneOnOne> {
    let mut tx = db.write().await?;
    let id = store::followup_meeting(&mut tx, followup_id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible(&mut tx, ctx, id).await?;
    if ctx.actor.role == kernel::Role::Viewer {
        return Err(AppError::Forbidden("write 1:1 notes"));
    }
    store::set_followup_done(&mut tx, followup_id, done).await?;
    store::touch(&mut tx, id, ctx.now_ms).await?;
    let after = store::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "one_on_one.followup_update",
        "one_on_one",
        Some(id),
        None,
        Some(after.audit_view()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
