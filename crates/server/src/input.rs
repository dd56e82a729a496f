//! Refuses text that is not UTF-8 in query strings and form bodies.
//!
//! JSON bodies are checked by `ui::api::parse_json`. URL-encoded input is decoded by
//! serde_urlencoded, which silently replaces undecodable bytes (`%FF`) with U+FFFD: a task
//! title would be stored mangled as if the user had typed it. Here such requests get a 400
//! naming the problem before any handler runs.
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kernel::AppError;
use ui::{AppState, RequestInfo};

pub async fn utf8_guard(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let locale = req
        .extensions()
        .get::<RequestInfo>()
        .map(|i| i.locale)
        .unwrap_or_default();
    let refuse = |what: &str| {
        let e = AppError::BadRequest(format!("the {what} is not valid UTF-8"));
        if is_api {
            ui::ApiError(e).into_response()
        } else {
            ui::PageError(e, locale).into_response()
        }
    };
    if req
        .uri()
        .query()
        .is_some_and(|q| !urlencoded_is_utf8(q.as_bytes()))
    {
        return refuse("query string");
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, st.web.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            let e = AppError::PayloadTooLarge;
            return if is_api {
                ui::ApiError(e).into_response()
            } else {
                ui::PageError(e, locale).into_response()
            };
        }
    };
    if !urlencoded_is_utf8(&bytes) {
        return refuse("form");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether `application/x-www-form-urlencoded` text decodes to UTF-8 (raw bytes and `%XX`).
fn urlencoded_is_utf8(b: &[u8]) -> bool {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(h << 4 | l);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&out).is_ok()
}

#[cfg(test)]
mod tests {
    use super::urlencoded_is_utf8;

    #[test]
    fn decoded_text_must_be_utf8() {
        assert!(urlencoded_is_utf8(
            b"title=%E5%91%A8%E6%8A%A5&x=a+b&pct=100%"
        ));
        assert!(urlencoded_is_utf8("title=周报".as_bytes()));
        assert!(!urlencoded_is_utf8(b"title=%FF%FE"));
        assert!(!urlencoded_is_utf8(b"title=\xff"));
        assert!(!urlencoded_is_utf8(b"title=%E5%91")); // cut in the middle of a character
    }
}
