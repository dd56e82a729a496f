//! Account administration (admins) and one's own account (password, preferences, sessions).
use super::{hash, to_json, verify};
use crate::model::{
    NewUser, PasswordChange, PasswordReset, PersonLink, RoleChange, Theme, User, UserFilter,
    check_password, check_username, normalize_username,
};
use crate::store;
use db::audit::{AuditEvent, log_change, record};
use db::idempotency::{Idem, remember, replayed};
use db::{Db, DbError, Tx};
use kernel::page::{Page, clamp_limit, decode_cursor, encode_cursor};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx, Locale, Role};
use serde_json::json;

fn require_admin(ctx: &Ctx, what: &'static str) -> AppResult<()> {
    if ctx.actor.can_manage_users() {
        Ok(())
    } else {
        Err(AppError::Forbidden(what))
    }
}

fn require_user(ctx: &Ctx) -> AppResult<i64> {
    ctx.user_id().ok_or(AppError::Forbidden(
        "change an account's own settings as the system",
    ))
}

fn taken() -> AppError {
    AppError::field("username", "taken", "is already taken")
}

/// Creates an account (admin only).
pub async fn create_user(db: &Db, ctx: &Ctx, input: NewUser) -> AppResult<User> {
    create_user_idem(db, ctx, input, None).await
}

/// `create_user` with an `Idempotency-Key`: a retry with the same key and body answers the
/// account created the first time (the key is stored in the creating transaction).
pub async fn create_user_idem(
    db: &Db,
    ctx: &Ctx,
    input: NewUser,
    idem: Option<&Idem>,
) -> AppResult<User> {
    require_admin(ctx, "create users")?;
    if let Some(i) = idem {
        let mut tx = db.read().await?;
        if let Some(id) = replayed(&mut tx, Some(i)).await? {
            return store::user_by_id(&mut tx, id)
                .await?
                .ok_or(AppError::NotFound);
        }
    }
    let username = normalize_username(&input.username);
    let mut c = Checks::new();
    check_username(&mut c, &username);
    if let Some(e) = check_password("password", &input.password, &username) {
        c.push(&e.field, e.code, e.detail);
    }
    c.finish()?;
    let phc = hash(&input.password).await?;
    insert_user_idem(db, ctx, &username, &phc, input.role, "user.create", idem).await
}

/// Inserts an account whose inputs are validated and password hashed, with its audit event.
pub(crate) async fn insert_user(
    db: &Db,
    ctx: &Ctx,
    username: &str,
    phc: &str,
    role: Role,
    action: &str,
) -> AppResult<User> {
    insert_user_idem(db, ctx, username, phc, role, action, None).await
}

async fn insert_user_idem(
    db: &Db,
    ctx: &Ctx,
    username: &str,
    phc: &str,
    role: Role,
    action: &str,
    idem: Option<&Idem>,
) -> AppResult<User> {
    let mut tx = db.write().await?;
    if let Some(id) = replayed(&mut tx, idem).await? {
        return store::user_by_id(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    if store::username_taken(&mut tx, username).await? {
        return Err(taken());
    }
    let id = match store::insert_user(&mut tx, username, phc, role, ctx.now_ms).await {
        Ok(id) => id,
        Err(DbError::Unique(_)) => return Err(taken()),
        Err(e) => return Err(e.into()),
    };
    let user = store::user_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    log_change(&mut tx, ctx, action, "user", Some(id), None, to_json(&user)).await?;
    remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/users/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Lists accounts (admin only), ordered by username, one cursor page at a time.
pub async fn list_users(db: &Db, ctx: &Ctx, f: &UserFilter) -> AppResult<Page<User>> {
    require_admin(ctx, "list users")?;
    let limit = clamp_limit(f.limit);
    let after = match f.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            decode_cursor(c)
                .ok_or_else(|| AppError::field("cursor", "invalid", "is not a valid cursor"))?,
        ),
        None => None,
    };
    let mut tx = db.read().await?;
    let mut items = store::list_users(&mut tx, f, after, limit + 1).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|u| encode_cursor(&u.username, u.id))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The caller's own account and the person record linked to it, if any.
pub async fn me(db: &Db, ctx: &Ctx) -> AppResult<(User, Option<PersonLink>)> {
    let id = require_user(ctx)?;
    let mut tx = db.read().await?;
    let user = store::user_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let person = store::person_of_user(&mut tx, id).await?;
    Ok((user, person))
}

/// One account: admins see any, everyone else only their own (others are "not found").
pub async fn get_user(db: &Db, ctx: &Ctx, id: i64) -> AppResult<User> {
    if !ctx.actor.can_manage_users() && ctx.user_id() != Some(id) {
        return Err(AppError::NotFound);
    }
    let mut tx = db.read().await?;
    store::user_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Refuses a change that would leave no enabled admin. Call with the admin rows locked.
async fn keep_an_admin(tx: &mut Tx, target: &User) -> AppResult<()> {
    let admins = store::lock_enabled_admins(tx).await?;
    if target.role == Role::Admin && !target.disabled && admins.iter().all(|a| *a == target.id) {
        return Err(AppError::Conflict(
            "this is the last enabled admin: make another admin first".into(),
        ));
    }
    Ok(())
}

/// Locks the admin rows (PostgreSQL) and then reads the target, so the last-admin check sees
/// every committed demotion.
async fn load_for_update(tx: &mut Tx, id: i64) -> AppResult<User> {
    store::lock_enabled_admins(tx).await?;
    store::user_by_id(tx, id).await?.ok_or(AppError::NotFound)
}

fn stale(updated: u64) -> AppResult<()> {
    if updated == 0 {
        Err(AppError::PreconditionFailed)
    } else {
        Ok(())
    }
}

/// Changes an account's role (admin only). The last enabled admin cannot be demoted.
pub async fn change_role(db: &Db, ctx: &Ctx, id: i64, input: RoleChange) -> AppResult<User> {
    update_account(db, ctx, id, Some(input.role), None, input.expected_version).await
}

/// Disables an account and ends all its sessions at once (admin only). The last enabled admin
/// cannot be disabled.
pub async fn disable_user(db: &Db, ctx: &Ctx, id: i64, expected_version: i64) -> AppResult<User> {
    update_account(db, ctx, id, None, Some(true), expected_version).await
}

pub async fn enable_user(db: &Db, ctx: &Ctx, id: i64, expected_version: i64) -> AppResult<User> {
    update_account(db, ctx, id, None, Some(false), expected_version).await
}

/// Changes an account's role and/or enabled state in ONE transaction (admin only): either both
/// changes happen or neither (a PATCH carrying both must not half-apply). Each change is audited;
/// the last enabled admin can be neither demoted nor disabled; disabling ends all sessions.
pub async fn update_account(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    role: Option<Role>,
    disabled: Option<bool>,
    expected_version: i64,
) -> AppResult<User> {
    require_admin(ctx, "change accounts")?;
    let mut tx = db.write().await?;
    let mut user = load_for_update(&mut tx, id).await?;
    if user.version != expected_version {
        return Err(AppError::PreconditionFailed);
    }
    if let Some(role) = role.filter(|r| *r != user.role) {
        user = apply_role(&mut tx, ctx, user, role).await?;
    }
    if let Some(disabled) = disabled.filter(|d| *d != user.disabled) {
        user = apply_disabled(&mut tx, ctx, user, disabled).await?;
    }
    tx.commit().await?;
    Ok(user)
}

async fn apply_role(tx: &mut Tx, ctx: &Ctx, before: User, role: Role) -> AppResult<User> {
    if role != Role::Admin {
        keep_an_admin(tx, &before).await?;
    }
    stale(store::update_role(tx, before.id, role, before.version, ctx.now_ms).await?)?;
    let after = store::user_by_id(tx, before.id)
        .await?
        .ok_or(AppError::NotFound)?;
    log_change(
        tx,
        ctx,
        "user.role",
        "user",
        Some(before.id),
        to_json(&before),
        to_json(&after),
    )
    .await?;
    Ok(after)
}

async fn apply_disabled(tx: &mut Tx, ctx: &Ctx, before: User, disabled: bool) -> AppResult<User> {
    let id = before.id;
    if disabled {
        keep_an_admin(tx, &before).await?;
    }
    stale(store::set_disabled(tx, id, disabled, before.version, ctx.now_ms).await?)?;
    let ended = if disabled {
        store::delete_user_sessions(tx, id, None).await?
    } else {
        0
    };
    let after = store::user_by_id(tx, id).await?.ok_or(AppError::NotFound)?;
    let mut after_json = to_json(&after);
    if let Some(serde_json::Value::Object(m)) = after_json.as_mut() {
        m.insert("sessions_ended".into(), json!(ended));
    }
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    log_change(
        tx,
        ctx,
        action,
        "user",
        Some(id),
        to_json(&before),
        after_json,
    )
    .await?;
    Ok(after)
}

/// Sets a new password for an account (admin only) and ends all its sessions.
pub async fn reset_password(db: &Db, ctx: &Ctx, id: i64, input: PasswordReset) -> AppResult<()> {
    // Another's account is "not found" before it is "not allowed", as for every other object.
    let user = get_user(db, ctx, id).await?;
    require_admin(ctx, "reset passwords")?;
    if let Some(e) = check_password("password", &input.password, &user.username) {
        return Err(AppError::Validation(vec![e]));
    }
    let phc = hash(&input.password).await?;
    let mut tx = db.write().await?;
    if store::set_password(&mut tx, id, &phc, ctx.now_ms).await? == 0 {
        return Err(AppError::NotFound);
    }
    let ended = store::delete_user_sessions(&mut tx, id, None).await?;
    log_change(
        &mut tx,
        ctx,
        "user.reset_password",
        "user",
        Some(id),
        None,
        Some(json!({"username": user.username, "sessions_ended": ended})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the caller's own password after checking the current one, and ends the caller's
/// other sessions (`current_session` is the cookie value of the session to keep, if any).
pub async fn change_own_password(
    db: &Db,
    ctx: &Ctx,
    current_session: Option<&str>,
    input: PasswordChange,
) -> AppResult<()> {
    let id = require_user(ctx)?;
    let mut c = Checks::new();
    if let Some(e) = check_password("new_password", &input.new_password, &ctx.actor.username) {
        c.push(&e.field, e.code, e.detail);
    }
    let current = {
        let mut tx = db.read().await?;
        store::password_hash_of(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    if !verify(&input.current_password, Some(current)).await? {
        c.push(
            "current_password",
            "wrong_password",
            "is not your current password",
        );
        let mut tx = db.write().await?;
        record(
            &mut tx,
            &AuditEvent {
                actor_user_id: Some(id),
                actor_name: &ctx.actor.username,
                action: "user.change_password",
                entity: "user",
                entity_id: Some(id),
                request_id: &ctx.request_id,
                source_ip: ctx.source_ip.as_deref(),
                outcome: "failed",
                at_ms: ctx.now_ms,
                after: Some(json!({"reason": "wrong current password"})),
                before: None,
            },
        )
        .await?;
        tx.commit().await?;
    }
    c.finish()?;
    let phc = hash(&input.new_password).await?;
    let keep = current_session.map(db::digest);
    let mut tx = db.write().await?;
    store::set_password(&mut tx, id, &phc, ctx.now_ms).await?;
    let ended = store::delete_user_sessions(&mut tx, id, keep.as_deref()).await?;
    log_change(
        &mut tx,
        ctx,
        "user.change_password",
        "user",
        Some(id),
        None,
        Some(json!({"sessions_ended": ended})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the caller's language and/or theme; `None` leaves that one as it is (the JSON API
/// deserialises a `Preferences` body and passes its two fields).
pub async fn set_preferences(
    db: &Db,
    ctx: &Ctx,
    locale: Option<Locale>,
    theme: Option<Theme>,
) -> AppResult<User> {
    let id = require_user(ctx)?;
    let mut tx = db.write().await?;
    let before = store::user_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let locale = locale.or(before.locale);
    let theme = theme.or(before.theme);
    store::set_preferences(&mut tx, id, locale, theme, ctx.now_ms).await?;
    let after = store::user_by_id(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    log_change(
        &mut tx,
        ctx,
        "user.preferences",
        "user",
        Some(id),
        to_json(&before),
        to_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Ends every session of an account: admins for anyone, users for themselves ("sign out
/// everywhere"). Returns how many ended.
pub async fn end_all_sessions(db: &Db, ctx: &Ctx, user_id: i64) -> AppResult<u64> {
    if !ctx.actor.can_manage_users() && ctx.user_id() != Some(user_id) {
        return Err(AppError::NotFound);
    }
    let mut tx = db.write().await?;
    if store::user_by_id(&mut tx, user_id).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let ended = store::delete_user_sessions(&mut tx, user_id, None).await?;
    log_change(
        &mut tx,
        ctx,
        "user.sessions_ended",
        "user",
        Some(user_id),
        None,
        Some(json!({"sessions_ended": ended})),
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

/// `serve --demo`: creates the account, or makes an existing one enabled, with this role and
/// password (the server makes a fresh random password at every start and prints it). Acts as
/// the system and is audited.
pub async fn upsert_demo_user(
    db: &Db,
    now: i64,
    username: &str,
    role: Role,
    password: &str,
) -> AppResult<User> {
    let ctx = Ctx::system(now);
    let username = normalize_username(username);
    let mut c = Checks::new();
    check_username(&mut c, &username);
    if let Some(e) = check_password("password", password, &username) {
        c.push(&e.field, e.code, e.detail);
    }
    c.finish()?;
    let phc = hash(password).await?;
    let mut tx = db.write().await?;
    let Some((before, _)) = store::user_with_hash(&mut tx, &username).await? else {
        drop(tx);
        return insert_user(db, &ctx, &username, &phc, role, "user.create").await;
    };
    store::set_password(&mut tx, before.id, &phc, now).await?;
    store::delete_user_sessions(&mut tx, before.id, None).await?;
    if before.role != role {
        store::update_role(&mut tx, before.id, role, before.version + 1, now).await?;
    }
    if before.disabled {
        let v = store::user_by_id(&mut tx, before.id)
            .await?
            .ok_or(AppError::NotFound)?
            .version;
        store::set_disabled(&mut tx, before.id, false, v, now).await?;
    }
    let after = store::user_by_id(&mut tx, before.id)
        .await?
        .ok_or(AppError::NotFound)?;
    log_change(
        &mut tx,
        &ctx,
        "user.demo_reset",
        "user",
        Some(before.id),
        to_json(&before),
        to_json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
