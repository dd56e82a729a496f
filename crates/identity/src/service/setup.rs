//! First-run setup: with no account at all, a one-time token (printed by the server as a link)
//! lets the first visitor create the first admin. There are no default credentials.
use super::hash;
use crate::model::{User, check_password, check_username, normalize_username};
use crate::store;
use db::Db;
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx, Role};

/// The setting holding the SHA-256 digest of the current setup token.
const SETUP_KEY: &str = "identity.setup_token_sha256";

/// True while no account exists.
pub async fn setup_needed(db: &Db) -> AppResult<bool> {
    let mut tx = db.read().await?;
    Ok(store::count_users(&mut tx).await? == 0)
}

/// Makes a new one-time setup token (replacing any earlier one) and returns it; only its digest
/// is stored. Refused once an account exists.
pub async fn create_setup_token(db: &Db, now: i64) -> AppResult<String> {
    let token = db::random_hex(32);
    let mut tx = db.write().await?;
    if store::count_users(&mut tx).await? > 0 {
        return Err(AppError::Conflict("setup is already complete".into()));
    }
    store::put_setting(&mut tx, SETUP_KEY, &db::digest(&token)).await?;
    let ctx = setup_ctx(now);
    db::audit::log_change(
        &mut tx,
        &ctx,
        "setup.token_created",
        "setup",
        None,
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

async fn token_matches(db: &Db, token: &str) -> AppResult<bool> {
    let mut tx = db.read().await?;
    let stored = store::get_setting(&mut tx, SETUP_KEY).await?;
    Ok(stored.is_some_and(|s| s == db::digest(token)))
}

/// Creates the first admin if `token` is the current setup token and still no account exists,
/// then forgets the token.
pub async fn complete_setup(
    db: &Db,
    now: i64,
    token: &str,
    username: &str,
    password: &str,
) -> AppResult<User> {
    if !token_matches(db, token).await? {
        return Err(AppError::Forbidden(
            "complete the setup without a valid setup link",
        ));
    }
    let username = normalize_username(username);
    let mut c = Checks::new();
    check_username(&mut c, &username);
    if let Some(e) = check_password("password", password, &username) {
        c.push(&e.field, e.code, e.detail);
    }
    c.finish()?;
    let phc = hash(password).await?;

    let ctx = setup_ctx(now);
    let mut tx = db.write().await?;
    let stored = store::get_setting(&mut tx, SETUP_KEY).await?;
    if stored.is_none_or(|s| s != db::digest(token)) {
        return Err(AppError::Forbidden(
            "complete the setup without a valid setup link",
        ));
    }
    if store::count_users(&mut tx).await? > 0 {
        return Err(AppError::Conflict("setup is already complete".into()));
    }
    let id = store::insert_user(&mut tx, &username, &phc, Role::Admin, now).await?;
    store::delete_setting(&mut tx, SETUP_KEY).await?;
    let user = store::user_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        &ctx,
        "user.create",
        "user",
        Some(id),
        None,
        super::to_json(&user),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

fn setup_ctx(now: i64) -> Ctx {
    let mut ctx = Ctx::system(now);
    ctx.actor.username = "setup".into();
    ctx.request_id = "setup".into();
    ctx
}
