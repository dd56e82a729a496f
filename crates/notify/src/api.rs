//! `/api/v1/notifications`: the caller's own inbox.
use crate::model::Notification;
use crate::service;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiQuery, AppState, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(unread))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Marked {
    pub marked: u64,
}

/// List the caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(ListQuery),
    responses((status = 200, body = NotificationPage), (status = 401, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn list_notifications(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<NotificationPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let page = service::list(
        &st.db,
        &ctx,
        q.unread.unwrap_or(false),
        q.cursor.as_deref(),
        q.limit,
    )
    .await?;
    Ok(Json(NotificationPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// How many of the caller's notifications are unread.
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications",
    responses((status = 200, body = UnreadCount), (status = 401, body = ui::error::Problem)))]
async fn unread(State(st): State<AppState>, req: Req) -> Result<Json<UnreadCount>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(UnreadCount {
        unread: service::unread_count(&st.db, ctx.actor.user_id).await?,
    }))
}

/// Mark one notification read (idempotent).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = i64, Path, description = "Notification id")),
    responses((status = 200, body = Notification), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn mark_read(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Json<Notification>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::mark_read(&st.db, &ctx, id).await?))
}

/// Mark all of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 200, body = Marked), (status = 401, body = ui::error::Problem)))]
async fn mark_all_read(State(st): State<AppState>, req: Req) -> Result<Json<Marked>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(Marked {
        marked: service::mark_all_read(&st.db, &ctx).await?,
    }))
}
