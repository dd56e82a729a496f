//! What `opsdesk user create`, `user reset-password` and `token create` call: the same services
//! as the web, acting as the system (an admin without an account), audited as `system`.
use super::tokens::create_token_for;
use super::users::{create_user, reset_password};
use crate::model::{NewToken, NewUser, PasswordReset, User, normalize_username};
use crate::store;
use db::Db;
use kernel::{AppError, AppResult, Ctx, Role};

async fn find(db: &Db, username: &str) -> AppResult<User> {
    let mut tx = db.read().await?;
    let name = normalize_username(username);
    Ok(store::user_with_hash(&mut tx, &name)
        .await?
        .ok_or(AppError::NotFound)?
        .0)
}

/// An enabled account by name, for commands that act as a user (`opsdesk import --as`).
pub async fn user_cli(db: &Db, username: &str) -> AppResult<User> {
    let u = find(db, username).await?;
    if u.disabled {
        return Err(AppError::Forbidden("act as a disabled account"));
    }
    Ok(u)
}

pub async fn create_user_cli(
    db: &Db,
    now: i64,
    username: &str,
    role: Role,
    password: &str,
) -> AppResult<User> {
    let input = NewUser {
        username: username.into(),
        role,
        password: password.into(),
    };
    create_user(db, &Ctx::system(now), input).await
}

/// Sets a new password for `username` and ends all of that account's sessions.
pub async fn reset_password_cli(
    db: &Db,
    now: i64,
    username: &str,
    password: &str,
) -> AppResult<()> {
    let user = find(db, username).await?;
    reset_password(
        db,
        &Ctx::system(now),
        user.id,
        PasswordReset {
            password: password.into(),
        },
    )
    .await
}

/// Creates an API token for `username` and returns the secret (print it once).
pub async fn create_token_cli(db: &Db, now: i64, username: &str, name: &str) -> AppResult<String> {
    let user = find(db, username).await?;
    let created = create_token_for(
        db,
        &Ctx::system(now),
        user.id,
        NewToken { name: name.into() },
    )
    .await?;
    Ok(created.secret)
}
