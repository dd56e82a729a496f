//! Liveness and readiness for load balancers and orchestrators.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use ui::AppState;

/// Alive: the process answers (no dependency checks, so a database outage doesn't restart it).
pub async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// Ready: the database answers; 503 otherwise, so traffic goes to another node.
pub async fn readyz(State(st): State<AppState>) -> Response {
    match st.db.ping().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable"})),
            )
                .into_response()
        }
    }
}
