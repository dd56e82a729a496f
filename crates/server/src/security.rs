//! Cross-site request forgery defence and security headers.
//!
//! Every state-changing request that a browser could send with our cookies must prove it comes
//! from our own pages: `Sec-Fetch-Site`/`Origin` must not name another site, and the session's
//! CSRF token must come back (form field `_csrf` or header `X-CSRF-Token`). Requests that
//! authenticate with a bearer token carry no ambient authority and need no token.
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
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
    // An API call that authenticates with nothing carries no ambient authority to forge; the
    // handler answers it 401 (a script must learn it lacks credentials, not about CSRF).
    if is_api && info.auth.is_none() {
        return next.run(req).await;
    }
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
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let is_form = ctype.starts_with("application/x-www-form-urlencoded");
    // File uploads from pages (no JavaScript) carry the token as a multipart field.
    let boundary = ctype
        .starts_with("multipart/form-data")
        .then(|| multer::parse_boundary(&ctype).ok())
        .flatten();
    if !is_form && boundary.is_none() {
        return deny(&st, &info, target(&req), is_api, "missing CSRF token").await;
    }
    let cap = st.web.body_cap(req.uri().path());
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, cap).await {
        Ok(b) => b,
        Err(_) => return ui::PageError(AppError::PayloadTooLarge, info.locale).into_response(),
    };
    let token = match boundary {
        Some(b) => multipart_value(bytes.clone(), b, "_csrf").await,
        None => form_urlencoded_value(&bytes, "_csrf"),
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
    let mut r = if is_api {
        ui::ApiError(e).into_response()
    } else {
        ui::PageError(e, info.locale).into_response()
    };
    r.extensions_mut().insert(Audited);
    r
}

/// Marks a refusal that was already written to the audit log with its specific reason.
#[derive(Clone, Copy)]
pub struct Audited;

/// Every refused action lands in the audit log with who, from where and what, whichever module
/// refused it, so no module can forget: a 403, and a signed-in caller's 404 on an object path
/// (a numeric segment) — the policy answers 404 for objects the caller may not see, so those
/// refusals look like misses from outside and are told apart only here, in the audit.
pub async fn audit_refusals(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let info = req.extensions().get::<RequestInfo>().cloned();
    let (method, path) = target(&req);
    // A write or a query can name an object by a field (`opening_id`): its 404 is the same
    // probe for a hidden object as a 404 on an object path.
    let names_a_reference = req.method() != axum::http::Method::GET || req.uri().query().is_some();
    let resp = next.run(req).await;
    let Some(info) = info else {
        return resp;
    };
    if resp.extensions().get::<Audited>().is_some() {
        return resp;
    }
    match resp.status() {
        StatusCode::FORBIDDEN => {
            crate::app::audit_denied(&st, &info, &method, &path, "forbidden by the access policy")
                .await;
        }
        StatusCode::NOT_FOUND
            if info.auth.is_some() && (names_an_object(&path) || names_a_reference) =>
        {
            let why = "not found or not visible to the caller";
            crate::app::audit_refused(&st, &info, &method, &path, why, "not_found").await;
        }
        _ => {}
    }
    resp
}

fn names_an_object(path: &str) -> bool {
    path.split('/').any(|seg| seg.parse::<i64>().is_ok())
}

fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find_map(|(k, v)| (k == key).then_some(v))
}

/// The first text field `key` of a multipart body (the upload form sends `_csrf` first).
async fn multipart_value(body: axum::body::Bytes, boundary: String, key: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut mp = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = mp.next_field().await {
        if field.name() == Some(key) {
            return field.text().await.ok();
        }
    }
    None
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

/// Every `/api/` error is RFC 9457 problem+json, including the ones axum's extractors produce
/// before a handler runs (a path segment that is not a number, a wrong method): a client never
/// has to parse a second error format, whichever module's route it called.
pub async fn api_problems(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_api || status.as_u16() < 400 || is_problem {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    // The rejection texts are axum's own ("Cannot parse `x` to a `i64`"): short and safe to show.
    let text = to_bytes(body, 4096).await.unwrap_or_default();
    let detail: String = String::from_utf8_lossy(&text).chars().take(300).collect();
    let problem = match status {
        StatusCode::NOT_FOUND => ui::error::problem_of(&AppError::NotFound),
        StatusCode::PAYLOAD_TOO_LARGE => ui::error::problem_of(&AppError::PayloadTooLarge),
        StatusCode::BAD_REQUEST => ui::error::problem_of(&AppError::BadRequest(detail)),
        other => ui::error::Problem {
            kind: "/problems/bad-request".into(),
            title: other.canonical_reason().unwrap_or("Error").into(),
            status: other.as_u16(),
            detail,
            errors: Vec::new(),
        },
    };
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    Response::from_parts(parts, Body::from(body))
}

/// Refuses a body whose declared length is over the limit before reading any of it (a client
/// streaming a huge upload gets its 413 at once); undeclared lengths are capped while reading.
pub async fn body_limit(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(n) = declared.filter(|n| *n > st.web.body_cap(req.uri().path())) {
        let locale = req
            .extensions()
            .get::<RequestInfo>()
            .map(|i| i.locale)
            .unwrap_or_default();
        let api = req.uri().path().starts_with("/api/");
        // Read (and drop) a moderately oversized body before answering: a server that answers
        // and closes while the client is still sending makes the client's TCP stack reset the
        // connection, and the client never sees the 413. Larger bodies are cut off unread.
        // Bounded in time too: a client that announces a body and never sends it (or sends it
        // slowly) gets its 413 after DRAIN_MAX_WAIT instead of holding the request open.
        if n <= DRAIN_MAX_BYTES {
            use futures_util::StreamExt;
            let mut stream = req.into_body().into_data_stream();
            let _ = tokio::time::timeout(DRAIN_MAX_WAIT, async {
                while let Some(Ok(_)) = stream.next().await {}
            })
            .await;
        }
        let mut res = if api {
            ui::ApiError(AppError::PayloadTooLarge).into_response()
        } else {
            ui::PageError(AppError::PayloadTooLarge, locale).into_response()
        };
        res.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
        return res;
    }
    next.run(req).await
}

/// The largest refused body still read to its end so the client receives the 413.
const DRAIN_MAX_BYTES: usize = 64 * 1024 * 1024;
const DRAIN_MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

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
