//! `/api/v1/me`, `/api/v1/users` (admin) and `/api/v1/tokens` (own; admins may revoke any).
use crate::model::{
    ApiToken, CreatedToken, NewToken, NewUser, PasswordChange, PasswordReset, PersonLink,
    Preferences, User, UserFilter,
};
use crate::service;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kernel::{AppError, Role};
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiJson, ApiQuery, AppState, IdempotencyKey, IfMatch, Req, etag_for};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_me))
        .routes(routes!(change_password))
        .routes(routes!(patch_preferences))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, patch_user))
        .routes(routes!(reset_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

/// The caller's account and the person record linked to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub person: Option<PersonLink>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UsersQuery {
    /// Only this role (`admin`, `manager`, `member`, `viewer`).
    #[param(value_type = Option<String>)]
    pub role: Option<Role>,
    /// Only disabled (`true`) or enabled (`false`) accounts.
    pub disabled: Option<bool>,
    /// Substring of the username.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

/// An admin's change to an account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(value_type = Option<String>, example = "manager")]
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokensQuery {
    /// Another account's tokens (admins only); the caller's own when absent.
    pub user_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPage {
    pub items: Vec<ApiToken>,
    /// Always `null`: a user's tokens fit on one page.
    pub next_cursor: Option<String>,
}

/// The caller's own account and linked person.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = Me, headers(("ETag" = String))), (status = 401, body = ui::error::Problem),
              (status = 403, description = "Not a user account", body = ui::error::Problem)))]
async fn get_me(State(st): State<AppState>, req: Req) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (user, person) = service::me(&st.db, &ctx).await?;
    let etag = etag_for(user.id, user.version);
    Ok(([(header::ETAG, etag)], Json(Me { user, person })).into_response())
}

/// Change the caller's own password. The caller's other sessions end; the current one stays.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", request_body = PasswordChange,
    responses((status = 204, description = "Changed"), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 422, description = "Wrong current password or weak new password", body = ui::error::Problem)))]
async fn change_password(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let session = session_cookie(&headers, st.session_cookie_name());
    service::change_own_password(&st.db, &ctx, session.as_deref(), body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The value of the session cookie, if the request carries one.
pub fn session_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            line.split(';').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                (k == name).then(|| v.to_string())
            })
        })
}

/// Set the caller's language and/or theme (absent fields stay). `If-Match` is optional here:
/// preferences are the caller's own independent settings, merged field by field, so there is
/// no lost update to guard against; when sent, a stale version still answers 412.
#[utoipa::path(patch, path = "/api/v1/me/preferences", tag = "account", request_body = Preferences,
    params(("If-Match" = Option<String>, Header, description = "Optional ETag of the account")),
    responses((status = 200, body = User, headers(("ETag" = String))), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn patch_preferences(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Preferences>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    if let Some(v) = headers.get(header::IF_MATCH) {
        let want = v
            .to_str()
            .ok()
            .and_then(ui::api::parse_if_match)
            .ok_or(AppError::PreconditionFailed)?;
        let (me, _) = service::me(&st.db, &ctx).await?;
        if me.version != want {
            return Err(AppError::PreconditionFailed.into());
        }
    }
    let u = service::set_preferences(&st.db, &ctx, body.locale, body.theme).await?;
    Ok(ui::api::versioned(StatusCode::OK, &u, u.id, u.version))
}

/// List accounts (admins), ordered by username.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UsersQuery),
    responses((status = 200, body = UserPage), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_users(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> Result<Json<UserPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let f = UserFilter {
        role: q.role,
        disabled: q.disabled,
        q: q.q,
        cursor: q.cursor,
        limit: q.limit,
    };
    let p = service::list_users(&st.db, &ctx, &f).await?;
    Ok(Json(UserPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Create an account (admins). With `Idempotency-Key`, a retry answers the first result.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters")),
    responses((status = 201, body = User, headers(("Location" = String), ("ETag" = String))),
              (status = 400, body = ui::error::Problem), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 409, description = "Same key in progress", body = ui::error::Problem),
              (status = 422, description = "Invalid field, taken username, or key reused with another body", body = ui::error::Problem)))]
async fn create_user(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    IdempotencyKey(key): IdempotencyKey,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    ui::api::require_json(&headers)?;
    let input: NewUser = ui::api::parse_json(&body)?;
    let idem = ctx
        .user_id()
        .and_then(|u| db::idempotency::Idem::new(u, key, &body));
    let u = service::create_user_idem(&st.db, &ctx, input, idem.as_ref()).await?;
    let location = format!("/api/v1/users/{}", u.id);
    Ok(ui::api::created(&u, &location, u.id, u.version))
}

/// One account (admins any; others only their own).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "User id"),
           ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier read")),
    responses((status = 200, body = User, headers(("ETag" = String))), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_user(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let u = service::get_user(&st.db, &ctx, id).await?;
    Ok(ui::api::read_response(&headers, &u, u.id, u.version))
}

/// Change an account's role and/or disable or enable it (admins). Disabling ends its sessions;
/// the last enabled admin cannot be demoted or disabled (409).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = i64, Path, description = "User id"),
           ("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = User, headers(("ETag" = String))), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, description = "Last enabled admin", body = ui::error::Problem),
              (status = 412, description = "Stale or unparsable If-Match", body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, description = "If-Match missing", body = ui::error::Problem)))]
async fn patch_user(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<UserPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let mut u = service::get_user(&st.db, &ctx, id).await?;
    if !ctx.actor.can_manage_users() {
        return Err(AppError::Forbidden("change accounts").into());
    }
    if u.version != version {
        return Err(AppError::PreconditionFailed.into());
    }
    u = service::update_account(&st.db, &ctx, id, p.role, p.disabled, u.version).await?;
    Ok(ui::api::versioned(StatusCode::OK, &u, u.id, u.version))
}

/// Set a new password for an account (admins); all its sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", request_body = PasswordReset,
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204, description = "Reset"), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn reset_password(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::reset_password(&st.db, &ctx, id, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's API tokens (never their secrets); admins may name another `user_id`.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", params(TokensQuery),
    responses((status = 200, body = TokenPage), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_tokens(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<TokensQuery>,
) -> Result<Json<TokenPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let items = service::list_tokens(&st.db, &ctx, q.user_id).await?;
    Ok(Json(TokenPage {
        items,
        next_cursor: None,
    }))
}

/// Create an API token for the caller. The secret is in this answer only.
///
/// No `Idempotency-Key`: only the secret's digest is stored, so a replay could not return the
/// secret again; a client that lost the answer revokes the token (by name) and creates another.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = CreatedToken, headers(("Location" = String))),
              (status = 400, body = ui::error::Problem), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn create_token(
    State(st): State<AppState>,
    req: Req,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = service::create_token(&st.db, &ctx, body).await?;
    let loc = format!("/api/v1/tokens/{}", c.token.id);
    let mut r = (StatusCode::CREATED, Json(c)).into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&loc) {
        h.insert(header::LOCATION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// Revoke a token: one's own, or anyone's for admins. Idempotent.
///
/// No `If-Match`: a token has no versions (it is never edited, only revoked once), so there is
/// no concurrent change to lose.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn revoke_token(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::revoke_token(&st.db, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; opsdesk_session=abc; b=2"),
        );
        assert_eq!(
            session_cookie(&h, "opsdesk_session").as_deref(),
            Some("abc")
        );
        assert_eq!(session_cookie(&h, "x"), None);
    }
}
