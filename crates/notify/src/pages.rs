//! The notification centre page.
use crate::model::Notification;
use crate::service;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(page))
        .route("/notifications/{id}/read", post(read_one))
        .route("/notifications/read-all", post(read_all))
}

/// The shared page frame with the header's unread badge filled in.
pub async fn chrome(st: &AppState, req: &Req, active: &str, title_key: &str, here: &str) -> Chrome {
    let unread = match req.actor() {
        Some(a) => service::unread_count(&st.db, a.user_id).await.unwrap_or(0),
        None => 0,
    };
    Chrome::new(req, unread, active, title_key, here)
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    items: Vec<Notification>,
    unread_only: bool,
    next: Option<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    unread: Option<bool>,
    cursor: Option<String>,
}

async fn page(
    State(st): State<AppState>,
    req: Req,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    let unread_only = q.unread.unwrap_or(false);
    let p = service::list(&st.db, &ctx, unread_only, q.cursor.as_deref(), Some(50))
        .await
        .map_err(|e| PageError(e, locale))?;
    let chrome = chrome(&st, &req, "/notifications", "notif.title", "/notifications").await;
    Ok(NotificationsPage {
        chrome,
        items: p.items,
        unread_only,
        next: p.next_cursor,
    }
    .into_response())
}

async fn read_one(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    let n = service::mark_read(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    // Follow the notification's own link when it has one (app-relative only).
    let to = n
        .link
        .filter(|l| l.starts_with('/') && !l.starts_with("//"))
        .unwrap_or_else(|| "/notifications".into());
    Ok(Redirect::to(&to).into_response())
}

async fn read_all(State(st): State<AppState>, req: Req) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    service::mark_all_read(&st.db, &ctx)
        .await
        .map_err(|e| PageError(e, locale))?;
    Ok(Redirect::to("/notifications").into_response())
}
