//! Notification use cases. Every user reads and marks only their own notifications; another
//! user's notification is `NotFound` (its existence is not revealed).
use crate::model::{self, DigestCandidate, Notification};
use crate::store;
use db::{Db, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::{AppError, AppResult, Ctx};

/// Adds a notification for `user_id` inside the caller's transaction (so it commits or rolls
/// back with the change that caused it). Returns the new notification's id.
#[allow(clippy::too_many_arguments)]
pub async fn notify(
    tx: &mut Tx,
    user_id: i64,
    kind: &str,
    title: &str,
    body: &str,
    link: Option<&str>,
    entity: Option<&str>,
    entity_id: Option<i64>,
    now: i64,
) -> AppResult<i64> {
    let title = model::clip(title, model::MAX_TITLE);
    let body = model::clip(body, model::MAX_BODY);
    Ok(store::insert(
        tx,
        &store::NewNotification {
            user_id,
            kind,
            title: &title,
            body: &body,
            link,
            entity,
            entity_id,
            created_at: now,
        },
    )
    .await?)
}

/// The caller's own notifications, newest first.
pub async fn list(
    db: &Db,
    ctx: &Ctx,
    unread_only: bool,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Notification>> {
    let limit = clamp_limit(limit);
    let before = match cursor {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?
                .1,
        ),
        None => None,
    };
    let mut tx = db.read().await?;
    let mut items = store::list(&mut tx, ctx.actor.user_id, unread_only, before, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|n| encode_cursor("", n.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The badge in the header.
pub async fn unread_count(db: &Db, user_id: i64) -> AppResult<i64> {
    let mut tx = db.read().await?;
    Ok(store::unread_count(&mut tx, user_id).await?)
}

/// Marks one of the caller's notifications read (idempotent). Others' → `NotFound`.
pub async fn mark_read(db: &Db, ctx: &Ctx, id: i64) -> AppResult<Notification> {
    let uid = ctx.actor.user_id;
    let mut tx = db.write().await?;
    let before = store::get(&mut tx, uid, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if store::mark_read(&mut tx, uid, id, ctx.now_ms).await? > 0 {
        let after = store::get(&mut tx, uid, id)
            .await?
            .ok_or(AppError::NotFound)?;
        db::audit::log_change(
            &mut tx,
            ctx,
            "notification.read",
            "notification",
            Some(id),
            Some(serde_json::json!({ "read_at": before.read_at })),
            Some(serde_json::json!({ "read_at": after.read_at })),
        )
        .await?;
        tx.commit().await?;
        return Ok(after);
    }
    Ok(before)
}

/// Marks all of the caller's notifications read; returns how many changed.
pub async fn mark_all_read(db: &Db, ctx: &Ctx) -> AppResult<u64> {
    let mut tx = db.write().await?;
    let n = store::mark_all_read(&mut tx, ctx.actor.user_id, ctx.now_ms).await?;
    if n > 0 {
        db::audit::log_change(
            &mut tx,
            ctx,
            "notification.read_all",
            "notification",
            None,
            None,
            Some(serde_json::json!({ "user_id": ctx.actor.user_id, "marked": n })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// Users with unread notifications older than [`model::DIGEST_AFTER_HOURS`] at `now` (epoch ms),
/// for the periodic digest job.
pub async fn digest_candidates(db: &Db, now: i64) -> AppResult<Vec<DigestCandidate>> {
    digest_candidates_older_than(db, now, model::DIGEST_AFTER_HOURS).await
}

/// Like [`digest_candidates`] with an explicit age threshold in hours.
pub async fn digest_candidates_older_than(
    db: &Db,
    now: i64,
    hours: i64,
) -> AppResult<Vec<DigestCandidate>> {
    let mut tx = db.read().await?;
    Ok(store::digest_candidates(&mut tx, now - hours * 3_600_000).await?)
}

/// The periodic digest job: each user with unread notifications older than
/// [`model::DIGEST_AFTER_HOURS`] gets one `digest` notification ("You have N unread
/// notifications"), at most one per 24 h. The check and the insert share one transaction.
pub async fn run_digest(db: &Db, now: i64) -> AppResult<()> {
    for c in digest_candidates(db, now).await? {
        let mut tx = db.write().await?;
        if store::has_kind_since(&mut tx, c.user_id, model::DIGEST_KIND, now - 24 * 3_600_000)
            .await?
        {
            continue;
        }
        let locale = store::user_locale(&mut tx, c.user_id).await?;
        let title = model::digest_title(locale.as_deref(), c.unread);
        notify(
            &mut tx,
            c.user_id,
            model::DIGEST_KIND,
            &title,
            "",
            Some("/notifications"),
            None,
            None,
            now,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}
