//! All of identity's SQL. Secrets never reach the database: sessions and API tokens are stored
//! as SHA-256 digests, passwords as Argon2id PHC strings.
use crate::model::{ApiToken, PersonLink, Theme, User, UserFilter};
use db::sql::{Sql, like_pattern};
use db::{Backend, DbError, Row, Tx, Val};
use kernel::{Locale, Role};

const USER_COLS: &str = "u.id, u.username, u.role, u.disabled, u.locale, u.theme, u.version, u.created_at, u.updated_at";
const TOKEN_COLS: &str =
    "t.id, t.user_id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at";

fn user_from_row(r: &Row) -> Result<User, DbError> {
    let role = r.string("role")?;
    Ok(User {
        id: r.i64("id")?,
        username: r.string("username")?,
        role: Role::parse(&role).ok_or_else(|| DbError::Other(format!("unknown role {role}")))?,
        disabled: r.bool("disabled")?,
        locale: r.opt_string("locale")?.as_deref().and_then(Locale::parse),
        theme: r.opt_string("theme")?.as_deref().and_then(Theme::parse),
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

fn token_from_row(r: &Row, id_col: &str, created_col: &str) -> Result<ApiToken, DbError> {
    Ok(ApiToken {
        id: r.i64(id_col)?,
        user_id: r.i64("user_id")?,
        name: r.string("name")?,
        prefix: r.string("prefix")?,
        created_at: r.i64(created_col)?,
        last_used_at: r.opt_i64("last_used_at")?,
        revoked_at: r.opt_i64("revoked_at")?,
    })
}

// ---- users ----

pub async fn user_by_id(tx: &mut Tx, id: i64) -> Result<Option<User>, DbError> {
    let r = tx
        .fetch_opt(
            &format!("SELECT {USER_COLS} FROM users u WHERE u.id = $1"),
            &[id.into()],
        )
        .await?;
    r.as_ref().map(user_from_row).transpose()
}

/// The person linked to an account, if any.
pub async fn person_of_user(tx: &mut Tx, user_id: i64) -> Result<Option<PersonLink>, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT id, name FROM people WHERE user_id = $1",
            &[user_id.into()],
        )
        .await?;
    r.map(|r| {
        Ok(PersonLink {
            id: r.i64("id")?,
            name: r.string("name")?,
        })
    })
    .transpose()
}

/// The account and its password hash, for verification only.
pub async fn user_with_hash(
    tx: &mut Tx,
    username: &str,
) -> Result<Option<(User, String)>, DbError> {
    let r = tx
        .fetch_opt(
            &format!("SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.username = $1"),
            &[username.into()],
        )
        .await?;
    match r {
        Some(r) => Ok(Some((user_from_row(&r)?, r.string("password_hash")?))),
        None => Ok(None),
    }
}

pub async fn password_hash_of(tx: &mut Tx, id: i64) -> Result<Option<String>, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT password_hash FROM users WHERE id = $1",
            &[id.into()],
        )
        .await?;
    r.map(|r| r.string("password_hash")).transpose()
}

pub async fn username_taken(tx: &mut Tx, username: &str) -> Result<bool, DbError> {
    let n = tx
        .count(
            "SELECT COUNT(*) AS n FROM users WHERE username = $1",
            &[username.into()],
        )
        .await?;
    Ok(n > 0)
}

pub async fn count_users(tx: &mut Tx) -> Result<i64, DbError> {
    tx.count("SELECT COUNT(*) AS n FROM users", &[]).await
}

pub async fn insert_user(
    tx: &mut Tx,
    username: &str,
    password_hash: &str,
    role: Role,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO users (username, password_hash, role, disabled, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
        &[username.into(), password_hash.into(), role.as_str().into(), false.into(), now.into()],
    )
    .await
}

/// One page of users ordered by username, after the keyset `(username, id)`.
pub async fn list_users(
    tx: &mut Tx,
    f: &UserFilter,
    after: Option<(String, i64)>,
    limit: i64,
) -> Result<Vec<User>, DbError> {
    let mut q = Sql::new(&format!("SELECT {USER_COLS} FROM users u WHERE 1=1"));
    if let Some(role) = f.role {
        q.and_eq("u.role = {}", role.as_str());
    }
    if let Some(d) = f.disabled {
        q.and_eq("u.disabled = {}", d);
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.and_eq(
            "u.username LIKE {} ESCAPE '\\'",
            like_pattern(&text.to_ascii_lowercase()),
        );
    }
    if let Some((name, id)) = after {
        let pn = q.arg(name);
        let pi = q.arg(id);
        q.push(&format!(
            " AND (u.username > {pn} OR (u.username = {pn} AND u.id > {pi}))"
        ));
    }
    let pl = q.arg(limit);
    q.push(&format!(" ORDER BY u.username, u.id LIMIT {pl}"));
    let rows = tx.fetch_all(&q.text, &q.args).await?;
    rows.iter().map(user_from_row).collect()
}

/// The ids of enabled admins, locked until the end of the transaction on PostgreSQL so that two
/// concurrent demotions cannot both pass the "last admin" check (SQLite has a single writer).
pub async fn lock_enabled_admins(tx: &mut Tx) -> Result<Vec<i64>, DbError> {
    let sql = match tx.backend() {
        Backend::Postgres => {
            "SELECT id FROM users WHERE role = 'admin' AND disabled = FALSE ORDER BY id FOR UPDATE"
        }
        Backend::Sqlite => {
            "SELECT id FROM users WHERE role = 'admin' AND disabled = FALSE ORDER BY id"
        }
    };
    let rows = tx.fetch_all(sql, &[]).await?;
    rows.iter().map(|r| r.i64("id")).collect()
}

pub async fn update_role(
    tx: &mut Tx,
    id: i64,
    role: Role,
    expected: i64,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE users SET role = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        &[role.as_str().into(), now.into(), id.into(), expected.into()],
    )
    .await
}

pub async fn set_disabled(
    tx: &mut Tx,
    id: i64,
    disabled: bool,
    expected: i64,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE users SET disabled = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
        &[disabled.into(), now.into(), id.into(), expected.into()],
    )
    .await
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    password_hash: &str,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        &[password_hash.into(), now.into(), id.into()],
    )
    .await
}

pub async fn set_preferences(
    tx: &mut Tx,
    id: i64,
    locale: Option<Locale>,
    theme: Option<Theme>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE users SET locale = $1, theme = $2, updated_at = $3, version = version + 1 WHERE id = $4",
        &[locale.map(Locale::tag).into(), theme.map(Theme::as_str).into(), now.into(), id.into()],
    )
    .await
}

// ---- sessions ----

pub struct SessionRow {
    pub user: User,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

pub async fn insert_session(
    tx: &mut Tx,
    id_hash: &str,
    user_id: i64,
    csrf: &str,
    now: i64,
    source_ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, source_ip, user_agent) \
         VALUES ($1, $2, $3, $4, $4, $5, $6)",
        &[id_hash.into(), user_id.into(), csrf.into(), now.into(), source_ip.into(), user_agent.into()],
    )
    .await?;
    Ok(())
}

pub async fn session(tx: &mut Tx, id_hash: &str) -> Result<Option<SessionRow>, DbError> {
    let r = tx
        .fetch_opt(
            &format!(
                "SELECT {USER_COLS}, s.csrf, s.created_at AS s_created_at, s.last_seen_at \
                 FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"
            ),
            &[id_hash.into()],
        )
        .await?;
    match r {
        Some(r) => Ok(Some(SessionRow {
            user: user_from_row(&r)?,
            csrf: r.string("csrf")?,
            created_at: r.i64("s_created_at")?,
            last_seen_at: r.i64("last_seen_at")?,
        })),
        None => Ok(None),
    }
}

/// Refreshes `last_seen_at` unless another request already did within the last minute.
pub async fn touch_session(
    tx: &mut Tx,
    id_hash: &str,
    now: i64,
    every_ms: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at <= $3",
        &[now.into(), id_hash.into(), (now - every_ms).into()],
    )
    .await
}

/// Deletes one session; returns its user.
pub async fn delete_session(tx: &mut Tx, id_hash: &str) -> Result<Option<i64>, DbError> {
    let r = tx
        .fetch_opt(
            "DELETE FROM sessions WHERE id_hash = $1 RETURNING user_id",
            &[id_hash.into()],
        )
        .await?;
    r.map(|r| r.i64("user_id")).transpose()
}

/// Deletes a user's sessions, except the one with digest `keep` if given.
pub async fn delete_user_sessions(
    tx: &mut Tx,
    user_id: i64,
    keep: Option<&str>,
) -> Result<u64, DbError> {
    match keep {
        Some(k) => {
            tx.execute(
                "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2",
                &[user_id.into(), k.into()],
            )
            .await
        }
        None => {
            tx.execute("DELETE FROM sessions WHERE user_id = $1", &[user_id.into()])
                .await
        }
    }
}

pub async fn count_user_sessions(tx: &mut Tx, user_id: i64) -> Result<i64, DbError> {
    tx.count(
        "SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1",
        &[user_id.into()],
    )
    .await
}

pub async fn purge_sessions(
    tx: &mut Tx,
    seen_before: i64,
    created_before: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2",
        &[seen_before.into(), created_before.into()],
    )
    .await
}

// ---- login attempts ----

pub async fn insert_attempt(
    tx: &mut Tx,
    username: &str,
    source_ip: &str,
    at: i64,
    success: bool,
) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO login_attempts (username, source_ip, at, success) VALUES ($1, $2, $3, $4)",
        &[username.into(), source_ip.into(), at.into(), success.into()],
    )
    .await?;
    Ok(())
}

/// The time of the `n`-th newest failure since `since` for this account and/or address; when
/// it exists, `n` or more failures fall in the window and the limit is reached until it ages out.
pub async fn nth_newest_failure(
    tx: &mut Tx,
    username: Option<&str>,
    source_ip: Option<&str>,
    since: i64,
    n: i64,
) -> Result<Option<i64>, DbError> {
    let mut q = Sql::new("SELECT at FROM login_attempts WHERE success = ");
    let f = q.arg(false);
    q.push(&f);
    q.and_eq("at > {}", since);
    if let Some(u) = username {
        q.and_eq("username = {}", u);
    }
    if let Some(ip) = source_ip {
        q.and_eq("source_ip = {}", ip);
    }
    let off = q.arg((n - 1).max(0));
    q.push(&format!(" ORDER BY at DESC LIMIT 1 OFFSET {off}"));
    let r = tx.fetch_opt(&q.text, &q.args).await?;
    r.map(|r| r.i64("at")).transpose()
}

pub async fn has_success(
    tx: &mut Tx,
    username: &str,
    source_ip: &str,
    since: i64,
) -> Result<bool, DbError> {
    let n = tx
        .count(
            "SELECT COUNT(*) AS n FROM login_attempts \
             WHERE username = $1 AND source_ip = $2 AND success = $3 AND at > $4",
            &[username.into(), source_ip.into(), true.into(), since.into()],
        )
        .await?;
    Ok(n > 0)
}

pub async fn purge_attempts(
    tx: &mut Tx,
    failures_before: i64,
    successes_before: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM login_attempts WHERE (success = $1 AND at < $2) OR at < $3",
        &[
            false.into(),
            failures_before.into(),
            successes_before.into(),
        ],
    )
    .await
}

// ---- API tokens ----

pub async fn insert_token(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    token_hash: &str,
    prefix: &str,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
        &[
            user_id.into(),
            name.into(),
            token_hash.into(),
            prefix.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn token_by_id(tx: &mut Tx, id: i64) -> Result<Option<ApiToken>, DbError> {
    let r = tx
        .fetch_opt(
            &format!("SELECT {TOKEN_COLS} FROM api_tokens t WHERE t.id = $1"),
            &[id.into()],
        )
        .await?;
    r.as_ref()
        .map(|r| token_from_row(r, "id", "created_at"))
        .transpose()
}

pub async fn tokens_of(tx: &mut Tx, user_id: i64) -> Result<Vec<ApiToken>, DbError> {
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT {TOKEN_COLS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id DESC"
            ),
            &[user_id.into()],
        )
        .await?;
    rows.iter()
        .map(|r| token_from_row(r, "id", "created_at"))
        .collect()
}

pub async fn revoke_token(tx: &mut Tx, id: i64, now: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        &[now.into(), id.into()],
    )
    .await
}

pub async fn token_with_user(
    tx: &mut Tx,
    token_hash: &str,
) -> Result<Option<(ApiToken, User)>, DbError> {
    let r = tx
        .fetch_opt(
            &format!(
                "SELECT {USER_COLS}, t.id AS t_id, t.user_id, t.name, t.prefix, t.created_at AS t_created_at, \
                 t.last_used_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1"
            ),
            &[token_hash.into()],
        )
        .await?;
    match r {
        Some(r) => Ok(Some((
            token_from_row(&r, "t_id", "t_created_at")?,
            user_from_row(&r)?,
        ))),
        None => Ok(None),
    }
}

pub async fn touch_token(tx: &mut Tx, id: i64, now: i64, every_ms: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)",
        &[now.into(), id.into(), (now - every_ms).into()],
    )
    .await
}

// ---- settings ----

pub async fn get_setting(tx: &mut Tx, key: &str) -> Result<Option<String>, DbError> {
    let r = tx
        .fetch_opt("SELECT value FROM settings WHERE key = $1", &[key.into()])
        .await?;
    r.map(|r| r.string("value")).transpose()
}

pub async fn put_setting(tx: &mut Tx, key: &str, value: &str) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[key.into(), Val::from(value)],
    )
    .await?;
    Ok(())
}

pub async fn delete_setting(tx: &mut Tx, key: &str) -> Result<u64, DbError> {
    tx.execute("DELETE FROM settings WHERE key = $1", &[key.into()])
        .await
}
