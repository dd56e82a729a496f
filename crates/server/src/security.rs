//! Cross-site request forgery defence and security headers.
//!
//! Every state-changing request that a browser could send with our cookies must prove it comes
//! from our own pages: `Sec-Fetch-Site`/`Origin` must not name another site, and the session's
//! CSRF token must come back (form field `_csrf` or header `X-CSRF-Token`). Requests that
//! authenticate with a bearer token carry no ambient authority and need no token.
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kernel::AppError;
use ui::{AppState, RequestInfo};

pub async fn csrf_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let Some(info) = req.extensions().get::<RequestInfo>().cloned() else {
        return next.run(req).await;
    };
    if info.auth.as_ref().is_some_and(|a| a.via_token) {
        return next.run(req).await;
    }
    let is_api = req.uri().path().starts_with("/api/");
    if cross_site(&req) {
        return deny(&st, &info, target(&req), is_api, "cross-site request").await;
    }
    let expected = info
        .auth
        .as_ref()
        .and_then(|a| a.csrf.clone())
        .or(info.anon_csrf.clone());
    let Some(expected) = expected else {
        return deny(&st, &info, target(&req), is_api, "missing CSRF token").await;
    };
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if constant_eq(h, &expected) {
            next.run(req).await
        } else {
            deny(&st, &info, target(&req), is_api, "bad CSRF token").await
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    // File-upload forms carry the token as a multipart field.
    let is_upload = ui::multipart::boundary(&content_type).is_some()
        && ui::multipart::is_upload_path(req.uri().path());
    if !is_form && !is_upload {
        return deny(&st, &info, target(&req), is_api, "missing CSRF token").await;
    }
    let limit = if is_upload {
        ui::multipart::UPLOAD_MAX_BYTES
    } else {
        st.web.max_body_bytes
    };
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return ui::PageError(AppError::PayloadTooLarge, info.locale).into_response(),
    };
    let token = if is_upload {
        ui::multipart::parse(&content_type, &bytes).and_then(|p| ui::multipart::field(&p, "_csrf"))
    } else {
        form_urlencoded_value(&bytes, "_csrf")
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    match token {
        Some(t) if constant_eq(&t, &expected) => next.run(req).await,
        _ => deny(&st, &info, target(&req), is_api, "bad CSRF token").await,
    }
}

fn target(req: &Request) -> (String, String) {
    (req.method().to_string(), req.uri().path().to_string())
}

fn cross_site(req: &Request) -> bool {
    let h = req.headers();
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    if let Some(origin) = h.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = h
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        return origin == "null" || origin_host != host;
    }
    false
}

/// Takes the method and path, not the request: a `&Request` held across an await is not `Send`.
async fn deny(
    st: &AppState,
    info: &RequestInfo,
    target: (String, String),
    is_api: bool,
    why: &'static str,
) -> Response {
    crate::app::audit_denied(st, info, &target.0, &target.1, why).await;
    let e = AppError::Forbidden("send this request from opsdesk's own pages (CSRF check failed)");
    if is_api {
        ui::ApiError(e).into_response()
    } else {
        ui::PageError(e, info.locale).into_response()
    }
}

fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find_map(|(k, v)| (k == key).then_some(v))
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    // Assets set their own long-lived caching; everything else (pages, API) is never stored.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Refuses a body whose declared length is over the limit before reading any of it (a client
/// streaming a huge upload gets its 413 at once); undeclared lengths are capped while reading.
pub async fn body_limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let limit = if ui::multipart::is_upload_path(req.uri().path()) {
        ui::multipart::UPLOAD_MAX_BYTES.max(st.web.max_body_bytes)
    } else {
        st.web.max_body_bytes
    };
    if declared.is_some_and(|n| n > limit) {
        let locale = req
            .extensions()
            .get::<RequestInfo>()
            .map(|i| i.locale)
            .unwrap_or_default();
        return if req.uri().path().starts_with("/api/") {
            ui::ApiError(AppError::PayloadTooLarge).into_response()
        } else {
            ui::PageError(AppError::PayloadTooLarge, locale).into_response()
        };
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_token_and_comparison() {
        assert_eq!(
            form_urlencoded_value(b"a=1&_csrf=abc%20d", "_csrf").as_deref(),
            Some("abc d")
        );
        assert!(
            constant_eq("abc", "abc") && !constant_eq("abc", "abd") && !constant_eq("ab", "abc")
        );
    }
}
