//! Errors as responses: RFC 9457 problem+json for the API, a localized page for the UI.
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kernel::{AppError, Locale};
use serde::Serialize;

/// An API error; renders `application/problem+json`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<db::DbError> for ApiError {
    fn from(e: db::DbError) -> Self {
        ApiError(e.into())
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// One entry per invalid field (validation problems, and the field naming a missing or
    /// hidden object in a 404).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub code: String,
    pub detail: String,
}

pub fn problem_of(e: &AppError) -> Problem {
    Problem {
        kind: format!("/problems/{}", e.slug()),
        title: crate::i18n::t(Locale::En, &format!("problem.{}", e.slug())).to_string(),
        status: e.status(),
        detail: e.public_detail(),
        errors: match e {
            AppError::Validation(errs) => errs
                .iter()
                .map(|f| ProblemField {
                    field: f.field.clone(),
                    code: f.code.into(),
                    detail: f.detail.clone(),
                })
                .collect(),
            AppError::RefNotFound(field) => vec![ProblemField {
                field: field.clone(),
                code: "not_found".into(),
                detail: "no such object".into(),
            }],
            _ => Vec::new(),
        },
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let AppError::Internal(msg) = &self.0 {
            tracing::error!(error = %msg, "internal error");
        }
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem_of(&self.0)).unwrap_or_default();
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let AppError::TooManyRequests { retry_after_s } = self.0 {
            h.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_s));
        }
        if let AppError::Unauthorized = self.0 {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

/// A page error; renders a localized HTML page (401 sends the browser to sign in).
#[derive(Debug)]
pub struct PageError(pub AppError, pub Locale);

/// What a page says about a refusal: each field with its reason in the user's language, or the
/// problem's public detail (nothing for internal, missing or unavailable).
pub fn refusal_detail(e: &AppError, locale: Locale) -> String {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .map(|f| {
                format!(
                    "{}: {}",
                    f.field,
                    crate::i18n::t(locale, &format!("error.{}", f.code))
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        AppError::Internal(_) | AppError::NotFound | AppError::Unavailable => String::new(),
        other => other.public_detail(),
    }
}

/// A refusal shown next to the form that caused it (the page is drawn again with the
/// refusal's status), for problems the user can fix there: invalid fields, a stale form, a
/// conflict with the record's state. Anything else stays a [`PageError`].
pub struct FormProblem {
    /// Which form on the page the problem belongs to.
    pub form: &'static str,
    pub status: u16,
    pub message: String,
}

impl FormProblem {
    pub fn of(form: &'static str, e: AppError, locale: Locale) -> Result<FormProblem, PageError> {
        match e {
            AppError::Validation(_)
            | AppError::Conflict(_)
            | AppError::PreconditionFailed
            | AppError::BadRequest(_) => {
                let title = crate::i18n::t(locale, &format!("problem.{}", e.slug()));
                let detail = refusal_detail(&e, locale);
                Ok(FormProblem {
                    form,
                    status: e.status(),
                    message: if detail.is_empty() {
                        title.to_string()
                    } else {
                        format!("{title}: {detail}")
                    },
                })
            }
            other => Err(PageError(other, locale)),
        }
    }

    /// The problem's message when it belongs to `form` (for templates).
    pub fn for_form(p: &Option<FormProblem>, form: &str) -> Option<String> {
        p.as_ref()
            .filter(|p| p.form == form)
            .map(|p| p.message.clone())
    }

    /// `page` answered with the problem's status.
    pub fn respond(p: &Option<FormProblem>, page: Response) -> Response {
        let mut page = page;
        if let Some(s) = p.as_ref().and_then(|p| StatusCode::from_u16(p.status).ok()) {
            *page.status_mut() = s;
        }
        page
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: &'a str,
    status: u16,
    title: &'a str,
    detail: String,
    home: &'a str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(e, locale) = self;
        if matches!(e, AppError::Unauthorized) {
            return Redirect::to("/login").into_response();
        }
        if let AppError::Internal(msg) = &e {
            tracing::error!(error = %msg, "internal error");
        }
        let detail = refusal_detail(&e, locale);
        let page = ErrorPage {
            lang: locale.tag(),
            status: e.status(),
            title: crate::i18n::t(locale, &format!("problem.{}", e.slug())),
            detail,
            home: crate::i18n::t(locale, "nav.home"),
        };
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let html = page.render().unwrap_or_else(|_| "error".into());
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response()
    }
}
