//! Starting, serving and stopping opsdesk.
use crate::config::ServeConfig;
use crate::{context, jobs, metrics, ops, security};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderMap;
use axum::routing::get;
use kernel::{Actor, AppError, Clock, Locale, ManualClock, SystemClock};
use std::net::SocketAddr;
use std::sync::Arc;
use ui::{AppState, RequestInfo, Theme};

/// The caller behind a request, once authenticated.
pub struct Resolved {
    pub actor: Actor,
    pub csrf: Option<String>,
    pub via_token: bool,
    pub locale: Option<Locale>,
    pub theme: Option<Theme>,
}

/// Bearer token (API) or session cookie (browser) → the acting user with their scope.
pub async fn authenticate(
    st: &AppState,
    headers: &HeaderMap,
    now: i64,
) -> Result<Option<Resolved>, AppError> {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let (user, via_token) = if let Some(token) = bearer {
        match identity::service::authenticate_token(&st.db, now, token).await? {
            Some(u) => (u, true),
            // A wrong token is an error, not anonymity: scripts must learn their token is bad.
            None => return Err(AppError::Unauthorized),
        }
    } else if let Some(cookie) = context::cookie(headers, st.session_cookie_name()) {
        let policy = identity::model::SessionPolicy {
            idle_ms: st.web.session_idle_ms,
            absolute_ms: st.web.session_absolute_ms,
        };
        match identity::service::authenticate_session(&st.db, now, policy, &cookie).await? {
            Some(u) => (u, false),
            None => return Ok(None),
        }
    } else {
        return Ok(None);
    };
    let mut tx = st.db.read().await.map_err(AppError::from)?;
    let actor =
        team::service::resolve_actor(&mut tx, user.user_id, &user.username, user.role).await?;
    Ok(Some(Resolved {
        actor,
        csrf: user.csrf,
        via_token,
        locale: user.locale,
        theme: user.theme.and_then(|t| Theme::parse(t.as_str())),
    }))
}

/// Records a refused request (CSRF, policy) with who, from where and what.
pub async fn audit_denied(st: &AppState, info: &RequestInfo, method: &str, path: &str, why: &str) {
    audit_refused(st, info, method, path, why, "denied").await
}

/// Records a refused request with its outcome: `denied` (403) or `not_found` (an object that is
/// missing or that the policy hides — the caller must not learn which, the audit keeps both).
pub async fn audit_refused(
    st: &AppState,
    info: &RequestInfo,
    method: &str,
    path: &str,
    why: &str,
    outcome: &str,
) {
    let actor = info.auth.as_ref().map(|a| &a.actor);
    let target = serde_json::json!({ "method": method, "path": path, "reason": why });
    let event = db::audit::AuditEvent {
        actor_user_id: actor.map(|a| a.user_id),
        actor_name: actor.map_or("anonymous", |a| a.username.as_str()),
        action: "access.denied",
        entity: "request",
        entity_id: None,
        before: None,
        after: Some(target),
        request_id: &info.request_id,
        source_ip: info.source_ip.as_deref(),
        outcome,
        at_ms: st.now_ms(),
    };
    if let Ok(mut tx) = st.db.write().await
        && db::audit::record(&mut tx, &event).await.is_ok()
    {
        let _ = tx.commit().await;
    }
}

/// A request with an unknown, revoked or expired API token: a failed authentication, recorded
/// like a failed sign-in (never the token itself).
pub async fn audit_bad_token(
    st: &AppState,
    request_id: &str,
    source_ip: &str,
    method: &str,
    path: &str,
) {
    let target = serde_json::json!({ "method": method, "path": path });
    let event = db::audit::AuditEvent {
        actor_user_id: None,
        actor_name: "anonymous",
        action: "auth.token_failed",
        entity: "request",
        entity_id: None,
        before: None,
        after: Some(target),
        request_id,
        source_ip: Some(source_ip),
        outcome: "failed",
        at_ms: st.now_ms(),
    };
    if let Ok(mut tx) = st.db.write().await
        && db::audit::record(&mut tx, &event).await.is_ok()
    {
        let _ = tx.commit().await;
    }
}

/// The whole application: API, pages, assets and operations endpoints behind the middleware.
pub fn build_router(st: AppState) -> Router {
    metrics::handle(); // install the recorder before the first request is counted
    let (api, openapi) = crate::openapi::api_router().split_for_parts();
    let openapi = Arc::new(crate::openapi::finish(openapi));
    let mut app = Router::new()
        .merge(api)
        .merge(crate::pages::router())
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi.clone();
                async move { axum::Json((*doc).clone()) }
            }),
        )
        .route("/assets/{hash}/{name}", get(ui::assets::serve))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(metrics::render));
    app = app.fallback(crate::pages::not_found);
    // Outermost last: metrics see every response, the context exists before the headers and
    // CSRF layers read it.
    app.layer(DefaultBodyLimit::max(st.web.max_body_bytes))
        .layer(axum::middleware::from_fn_with_state(
            st.clone(),
            security::csrf_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            st.clone(),
            security::audit_refusals,
        ))
        .layer(axum::middleware::from_fn_with_state(
            st.clone(),
            security::body_limit,
        ))
        .layer(axum::middleware::from_fn(security::api_problems))
        .layer(axum::middleware::from_fn(security::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            st.clone(),
            context::request_context,
        ))
        .layer(axum::middleware::from_fn(metrics::track))
        .with_state(st)
}

/// A running server (used by `opsdesk serve` and by the tests).
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    pub manual_clock: Option<ManualClock>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    grace: std::time::Duration,
}

impl Server {
    /// Stops accepting, lets in-flight requests finish within the grace period, then returns.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(self.grace, &mut self.task).await;
        self.task.abort();
        self.state.db.close().await;
    }

    /// Waits until the server task ends (after `stop` or a signal).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// Connects, migrates, prepares first-run setup or the demo, binds and serves.
pub async fn start(cfg: ServeConfig) -> anyhow::Result<Server> {
    let db = db::Db::connect(&cfg.db)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    let ran = db::migrate::run(&db)
        .await
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    if ran > 0 {
        tracing::info!(applied = ran, "database migrated");
    }
    // Anyone who can reach POST /test/clock can move "now" (sessions, lockouts): a test clock is
    // only ever served on a loopback address.
    if cfg.test_clock_start_ms.is_some() && !cfg.bind.ip().is_loopback() {
        anyhow::bail!(
            "--test-clock is for test harnesses and only allowed with a loopback --bind, not {}",
            cfg.bind
        );
    }
    let manual_clock = cfg.test_clock_start_ms.map(ManualClock::new);
    let clock: Arc<dyn Clock> = match &manual_clock {
        Some(c) => Arc::new(c.clone()),
        None => Arc::new(SystemClock),
    };
    let st = AppState {
        db: db.clone(),
        clock,
        web: Arc::new(cfg.web.clone()),
    };

    let listener = tokio::net::TcpListener::bind(cfg.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", cfg.bind))?;
    let addr = listener.local_addr()?;
    crate::pages::prepare_first_run(&st, &cfg, addr).await?;
    let mut router = build_router(st.clone());
    if let Some(c) = &manual_clock {
        router = router.merge(crate::pages::test_clock_router(c.clone()));
    }
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let jobs = jobs::spawn(st.clone());
    let task = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await;
        jobs.abort();
        if let Err(e) = result {
            tracing::error!(error = %e, "server error");
        }
    });
    tracing::info!(%addr, backend = ?db.backend(), "opsdesk is listening");
    Ok(Server {
        addr,
        state: st,
        manual_clock,
        shutdown: Some(tx),
        task,
        grace: cfg.shutdown_grace,
    })
}
