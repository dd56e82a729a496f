//! Signing in and out, database-backed sessions, and login throttling.
use super::verify;
use crate::model::{
    LoginOk, SessionPolicy, SessionUser, TOUCH_EVERY_MS, ThrottlePolicy, looks_like_session_token,
    normalize_username,
};
use crate::store;
use db::Db;
use db::audit::{AuditEvent, record};
use kernel::{AppError, AppResult};
use serde_json::json;

/// Attempted usernames are stored and audited at most this long (they are attacker-chosen).
const MAX_RECORDED_NAME: usize = 64;

/// Signs in with the default throttling policy. See [`login_with`].
pub async fn login(
    db: &Db,
    now: i64,
    username: &str,
    password: &str,
    source_ip: &str,
    user_agent: &str,
) -> AppResult<LoginOk> {
    login_with(
        db,
        &ThrottlePolicy::default(),
        now,
        username,
        password,
        source_ip,
        user_agent,
    )
    .await
}

/// Signs in: refuses when throttled (`TooManyRequests`, before any password work), verifies the
/// password (a dummy verification for unknown accounts, so timing does not tell whether one
/// exists), and on success creates a brand-new session (its id is never chosen by the client,
/// so fixation is impossible). Unknown user, wrong password and disabled account all answer
/// `Unauthorized`. Every attempt is recorded for throttling and audited.
pub async fn login_with(
    db: &Db,
    policy: &ThrottlePolicy,
    now: i64,
    username: &str,
    password: &str,
    source_ip: &str,
    user_agent: &str,
) -> AppResult<LoginOk> {
    let name: String = normalize_username(username)
        .chars()
        .take(MAX_RECORDED_NAME)
        .collect();
    let user_agent: Option<String> =
        Some(user_agent.trim().chars().take(512).collect()).filter(|s: &String| !s.is_empty());

    if let Some(retry_after_s) = throttled(db, policy, now, &name, source_ip).await? {
        let mut tx = db.write().await?;
        audit_login(
            &mut tx,
            now,
            &name,
            None,
            source_ip,
            "auth.login_failed",
            "denied",
            "throttled",
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::TooManyRequests { retry_after_s });
    }

    let found = {
        let mut tx = db.read().await?;
        store::user_with_hash(&mut tx, &name).await?
    };
    let (user, phc) = match found {
        Some((u, h)) => (Some(u), Some(h)),
        None => (None, None),
    };
    // A hash made with older (weaker) parameters is upgraded at the one moment the plain
    // password is known: a successful sign-in. Hashed before the write lock is taken.
    let stale = phc.as_deref().is_some_and(crate::password::needs_rehash);
    let password_ok = verify(password, phc).await?;
    let upgraded = if password_ok && stale {
        Some(super::hash(password).await?)
    } else {
        None
    };

    let mut tx = db.write().await?;
    // Re-read inside the write: the account may have been disabled meanwhile.
    let user = match user {
        Some(u) => store::user_by_id(&mut tx, u.id).await?,
        None => None,
    };
    let ok_user = user
        .as_ref()
        .filter(|u| password_ok && !u.disabled)
        .cloned();
    store::insert_attempt(&mut tx, &name, source_ip, now, ok_user.is_some()).await?;
    match ok_user {
        Some(user) => {
            if let Some(h) = &upgraded {
                store::set_password(&mut tx, user.id, h, now).await?;
            }
            let session_token = db::random_hex(32);
            let csrf = db::random_hex(32);
            store::insert_session(
                &mut tx,
                &db::digest(&session_token),
                user.id,
                &csrf,
                now,
                Some(source_ip),
                user_agent.as_deref(),
            )
            .await?;
            audit_login(
                &mut tx,
                now,
                &name,
                Some(user.id),
                source_ip,
                "auth.login",
                "ok",
                "",
            )
            .await?;
            tx.commit().await?;
            Ok(LoginOk {
                session_token,
                csrf,
                user,
            })
        }
        None => {
            let reason = match &user {
                None => "unknown_user",
                Some(u) if u.disabled && password_ok => "disabled",
                Some(_) => "wrong_password",
            };
            let uid = user.as_ref().map(|u| u.id);
            audit_login(
                &mut tx,
                now,
                &name,
                uid,
                source_ip,
                "auth.login_failed",
                "failed",
                reason,
            )
            .await?;
            tx.commit().await?;
            Err(AppError::Unauthorized)
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn audit_login(
    tx: &mut db::Tx,
    now: i64,
    name: &str,
    user_id: Option<i64>,
    source_ip: &str,
    action: &str,
    outcome: &str,
    reason: &str,
) -> AppResult<()> {
    let after = if reason.is_empty() {
        json!({"username": name})
    } else {
        json!({"username": name, "reason": reason})
    };
    record(
        tx,
        &AuditEvent {
            actor_user_id: if outcome == "ok" { user_id } else { None },
            actor_name: name,
            action,
            entity: "user",
            entity_id: user_id,
            before: None,
            after: Some(after),
            request_id: "auth",
            source_ip: Some(source_ip),
            outcome,
            at_ms: now,
        },
    )
    .await?;
    Ok(())
}

/// `Some(seconds to wait)` when a limit is reached. The per-account limit does not apply to an
/// address that signed in to this account successfully within the trust period.
async fn throttled(
    db: &Db,
    p: &ThrottlePolicy,
    now: i64,
    name: &str,
    ip: &str,
) -> AppResult<Option<u64>> {
    let mut tx = db.read().await?;
    let mut until: Option<i64> = None;
    let mut consider = |at: Option<i64>, window: i64| {
        if let Some(at) = at {
            until = Some(until.map_or(at + window, |u| u.max(at + window)));
        }
    };
    let l = p.account_address;
    consider(
        store::nth_newest_failure(
            &mut tx,
            Some(name),
            Some(ip),
            now - l.window_ms,
            l.max_failures,
        )
        .await?,
        l.window_ms,
    );
    let l = p.address;
    consider(
        store::nth_newest_failure(&mut tx, None, Some(ip), now - l.window_ms, l.max_failures)
            .await?,
        l.window_ms,
    );
    let l = p.account;
    let account_hit =
        store::nth_newest_failure(&mut tx, Some(name), None, now - l.window_ms, l.max_failures)
            .await?;
    if account_hit.is_some() && !store::has_success(&mut tx, name, ip, now - p.trusted_ms).await? {
        consider(account_hit, l.window_ms);
    }
    Ok(until.map(|u| ((u - now).max(1) as u64).div_ceil(1000)))
}

/// Resolves a session cookie to its user, or `None` when the session is unknown, idle for longer
/// than `policy.idle_ms`, older than `policy.absolute_ms`, or its account is disabled. Refreshes
/// `last_seen_at` at most once a minute.
pub async fn authenticate_session(
    db: &Db,
    now: i64,
    policy: SessionPolicy,
    token: &str,
) -> AppResult<Option<SessionUser>> {
    if !looks_like_session_token(token) {
        return Ok(None);
    }
    let id_hash = db::digest(token);
    let s = {
        let mut tx = db.read().await?;
        store::session(&mut tx, &id_hash).await?
    };
    let Some(s) = s else { return Ok(None) };
    let expired = now - s.last_seen_at > policy.idle_ms || now - s.created_at > policy.absolute_ms;
    if expired || s.user.disabled {
        let mut tx = db.write().await?;
        store::delete_session(&mut tx, &id_hash).await?;
        tx.commit().await?;
        return Ok(None);
    }
    if now - s.last_seen_at >= TOUCH_EVERY_MS {
        let mut tx = db.write().await?;
        store::touch_session(&mut tx, &id_hash, now, TOUCH_EVERY_MS).await?;
        tx.commit().await?;
    }
    Ok(Some(SessionUser {
        user_id: s.user.id,
        username: s.user.username,
        role: s.user.role,
        csrf: Some(s.csrf),
        locale: s.user.locale,
        theme: s.user.theme,
    }))
}

/// Ends the session with this cookie value (unknown values are ignored).
pub async fn logout(db: &Db, now: i64, token: &str) -> AppResult<()> {
    if !looks_like_session_token(token) {
        return Ok(());
    }
    let id_hash = db::digest(token);
    let mut tx = db.write().await?;
    let Some(s) = store::session(&mut tx, &id_hash).await? else {
        return Ok(());
    };
    store::delete_session(&mut tx, &id_hash).await?;
    record(
        &mut tx,
        &AuditEvent {
            actor_user_id: Some(s.user.id),
            actor_name: &s.user.username,
            action: "auth.logout",
            entity: "user",
            entity_id: Some(s.user.id),
            request_id: "auth",
            outcome: "ok",
            at_ms: now,
            ..AuditEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes sessions past their idle or absolute timeout (the periodic job calls this).
pub async fn purge_sessions(db: &Db, now: i64, policy: SessionPolicy) -> AppResult<u64> {
    let mut tx = db.write().await?;
    let n = store::purge_sessions(&mut tx, now - policy.idle_ms, now - policy.absolute_ms).await?;
    tx.commit().await?;
    Ok(n)
}

/// Deletes login attempts no limit looks at any more: failures older than the longest window,
/// successes older than the trust period (the periodic job calls this).
pub async fn purge_login_attempts(db: &Db, now: i64, policy: &ThrottlePolicy) -> AppResult<u64> {
    let window = policy
        .account_address
        .window_ms
        .max(policy.address.window_ms)
        .max(policy.account.window_ms);
    let mut tx = db.write().await?;
    let n = store::purge_attempts(&mut tx, now - window, now - policy.retention_ms()).await?;
    tx.commit().await?;
    Ok(n)
}

/// Sessions idle this long, or this old, are gone under any sensible configuration; the periodic
/// job deletes them. (Sessions past the configured policy are refused — and deleted — on use.)
pub const HOUSEKEEPING_SESSION_BOUND: SessionPolicy = SessionPolicy {
    idle_ms: 7 * 86_400_000,
    absolute_ms: 30 * 86_400_000,
};

/// The periodic clean-up: old login attempts and long-dead sessions.
pub async fn housekeeping(db: &Db, now: i64) -> AppResult<()> {
    let attempts = purge_login_attempts(db, now, &ThrottlePolicy::default()).await?;
    let sessions = purge_sessions(db, now, HOUSEKEEPING_SESSION_BOUND).await?;
    tracing::debug!(attempts, sessions, "identity housekeeping");
    Ok(())
}
