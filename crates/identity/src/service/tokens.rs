//! Personal API tokens: high-entropy random secrets stored as a SHA-256 digest (not a slow
//! password hash, which would cap API throughput), shown once at creation.
use super::to_json;
use crate::model::{
    ApiToken, CreatedToken, NewToken, SessionUser, TOKEN_DISPLAY_LEN, TOKEN_PREFIX, TOUCH_EVERY_MS,
    check_token_name, looks_like_api_token,
};
use crate::store;
use db::Db;
use db::audit::log_change;
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};

/// Creates a token for the caller. The secret is in the answer and nowhere else.
pub async fn create_token(db: &Db, ctx: &Ctx, input: NewToken) -> AppResult<CreatedToken> {
    let owner = ctx
        .user_id()
        .ok_or(AppError::Forbidden("create a token without an account"))?;
    create_token_for(db, ctx, owner, input).await
}

/// Creates a token for `owner` (the caller, or a user named on the command line).
pub(crate) async fn create_token_for(
    db: &Db,
    ctx: &Ctx,
    owner: i64,
    input: NewToken,
) -> AppResult<CreatedToken> {
    let mut c = Checks::new();
    let name = check_token_name(&mut c, &input.name);
    c.finish()?;
    let secret = format!("{TOKEN_PREFIX}{}", db::random_hex(32));
    let prefix = &secret[..TOKEN_DISPLAY_LEN];
    let mut tx = db.write().await?;
    let id = store::insert_token(
        &mut tx,
        owner,
        &name,
        &db::digest(&secret),
        prefix,
        ctx.now_ms,
    )
    .await?;
    let token = store::token_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    log_change(
        &mut tx,
        ctx,
        "api_token.create",
        "api_token",
        Some(id),
        None,
        to_json(&token),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedToken { token, secret })
}

/// Lists tokens (never their secrets): the caller's own with `None`; another account's for
/// admins only (others get "not found").
pub async fn list_tokens(db: &Db, ctx: &Ctx, user_id: Option<i64>) -> AppResult<Vec<ApiToken>> {
    let owner = match user_id {
        Some(u) if ctx.user_id() == Some(u) || ctx.actor.can_manage_users() => u,
        Some(_) => return Err(AppError::NotFound),
        None => ctx.user_id().ok_or(AppError::NotFound)?,
    };
    let mut tx = db.read().await?;
    Ok(store::tokens_of(&mut tx, owner).await?)
}

/// Revokes a token: one's own, or anyone's for admins. Revoking twice is harmless.
pub async fn revoke_token(db: &Db, ctx: &Ctx, id: i64) -> AppResult<ApiToken> {
    let mut tx = db.write().await?;
    let before = store::token_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if ctx.user_id() != Some(before.user_id) && !ctx.actor.can_manage_users() {
        return Err(AppError::NotFound);
    }
    if before.revoked_at.is_some() {
        return Ok(before);
    }
    store::revoke_token(&mut tx, id, ctx.now_ms).await?;
    let after = store::token_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    log_change(
        &mut tx,
        ctx,
        "api_token.revoke",
        "api_token",
        Some(id),
        to_json(&before),
        to_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Resolves a bearer token to its user, or `None` when unknown, revoked, or the account is
/// disabled. Refreshes `last_used_at` at most once a minute.
pub async fn authenticate_token(db: &Db, now: i64, token: &str) -> AppResult<Option<SessionUser>> {
    if !looks_like_api_token(token) {
        return Ok(None);
    }
    let found = {
        let mut tx = db.read().await?;
        store::token_with_user(&mut tx, &db::digest(token)).await?
    };
    let Some((t, user)) = found else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || user.disabled {
        return Ok(None);
    }
    if t.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY_MS) {
        let mut tx = db.write().await?;
        store::touch_token(&mut tx, t.id, now, TOUCH_EVERY_MS).await?;
        tx.commit().await?;
    }
    Ok(Some(SessionUser {
        user_id: user.id,
        username: user.username,
        role: user.role,
        csrf: None,
        locale: user.locale,
        theme: user.theme,
    }))
}
