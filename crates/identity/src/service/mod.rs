//! Identity use cases. Every mutation asks the policy first, validates, then writes and audits in
//! one transaction. Password hashing runs on the blocking pool, never inside a transaction (so the
//! SQLite writer is not held while Argon2 works).
mod auth;
mod cli;
mod setup;
mod tokens;
mod users;

pub use auth::{
    HOUSEKEEPING_SESSION_BOUND, authenticate_session, housekeeping, login, login_with, logout,
    purge_login_attempts, purge_sessions,
};
pub use cli::{create_token_cli, create_user_cli, reset_password_cli};
pub use setup::{complete_setup, create_setup_token, setup_needed};
pub use tokens::{authenticate_token, create_token, list_tokens, revoke_token};
pub use users::{
    change_own_password, change_role, create_user, create_user_idem, disable_user, enable_user,
    end_all_sessions, get_user, list_users, me, reset_password, set_preferences, update_account,
    upsert_demo_user,
};

use kernel::{AppError, AppResult};

/// Runs CPU-heavy work (Argon2) on tokio's blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))
}

/// Hashes a password that already passed the policy.
pub(crate) async fn hash(password: &str) -> AppResult<String> {
    let p = password.to_owned();
    blocking(move || crate::password::hash_password(&p)).await?
}

pub(crate) async fn verify(password: &str, phc: Option<String>) -> AppResult<bool> {
    let p = password.to_owned();
    blocking(move || match phc {
        Some(h) => crate::password::verify_password(&p, &h),
        None => crate::password::dummy_verify(&p),
    })
    .await
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}
