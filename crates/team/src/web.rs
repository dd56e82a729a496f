//! Small page helpers shared by the org, skills and capacity pages (the directory's pages keep
//! theirs in `pages.rs`).
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use kernel::{AppError, Ctx, Locale};
use ui::{AppState, PageError, Req};

pub type PageResult = Result<Response, PageError>;

pub fn here(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string())
}

pub fn ctx_of(st: &AppState, req: &Req) -> Result<Ctx, PageError> {
    req.ctx(st.now_ms()).map_err(|e| PageError(e, req.locale()))
}

/// Ids in paths: anything that is not a positive number is simply not found.
pub fn parse_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse::<i64>()
        .ok()
        .filter(|&i| i > 0)
        .ok_or(PageError(AppError::NotFound, locale))
}

/// `""` → `None`; a number → `Some`; anything else is `Err(field)`.
pub fn opt_i64(s: &str) -> Result<Option<i64>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| ())
}

pub fn opt_text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A service error on a form post, as one line for the page ("level: must be 1–5"), or the
/// error page for errors that are not about the input.
pub fn form_message(locale: Locale, e: AppError) -> Result<String, PageError> {
    match e {
        AppError::Validation(fs) => Ok(fs
            .iter()
            .map(|f| {
                // Our own codes first (with their translation); otherwise the shared catalogue,
                // and for codes neither knows, the service's own detail.
                let own = format!("team_skills_error.{}", f.code);
                let text = ui::t(locale, &own);
                let text = if text != own {
                    text.to_string()
                } else {
                    let shared = crate::pages::error_text(locale, f.code);
                    if shared == ui::t(locale, "error.invalid") {
                        f.detail.clone()
                    } else {
                        shared.to_string()
                    }
                };
                format!("{}: {text}", f.field)
            })
            .collect::<Vec<_>>()
            .join("; ")),
        AppError::Conflict(m) | AppError::BadRequest(m) => Ok(m),
        AppError::PreconditionFailed => Ok(ui::t(locale, "error.stale").to_string()),
        other => Err(PageError(other, locale)),
    }
}

/// Post/Redirect/Get back to `to` with a flash message key or an error text in the query.
pub fn back(to: &str, ok: Result<&str, String>) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    let q = match ok {
        Ok(key) => format!("saved={}", urlencode(key)),
        Err(msg) => format!("error={}", urlencode(&msg)),
    };
    Redirect::to(&format!("{to}{sep}{q}")).into_response()
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_string())
        .unwrap_or_default()
}
