//! One error catalogue: every failure a user can meet, with its HTTP status and problem type.
//! The web layer renders these as RFC 9457 problem+json (API) or a localized page.
use serde::Serialize;

/// A problem with one input field: which field, a stable code, and an English detail.
/// Pages translate `code` through the i18n catalogue (`error.<code>`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            detail: detail.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// Also used for objects the caller may not know exist.
    #[error("not found")]
    NotFound,
    /// A body or query field names an object that does not exist or that the caller may not
    /// see: the same 404 either way (naming the field), so a reference cannot probe for
    /// hidden objects.
    #[error("{0}: no such object")]
    RefNotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the resource changed since it was read")]
    PreconditionFailed,
    #[error("If-Match is required for updates")]
    PreconditionRequired,
    #[error("the Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    #[error("too many requests")]
    TooManyRequests { retry_after_s: u64 },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// The 404 for a reference to an object that is missing or hidden from the caller.
    pub fn ref_not_found(field: impl Into<String>) -> Self {
        AppError::RefNotFound(field.into())
    }

    pub fn field(field: impl Into<String>, code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, code, detail)])
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::Unauthorized => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound | AppError::RefNotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::PreconditionFailed => 412,
            AppError::PreconditionRequired => 428,
            AppError::IdempotencyMismatch => 422,
            AppError::TooManyRequests { .. } => 429,
            AppError::PayloadTooLarge => 413,
            AppError::BadRequest(_) => 400,
            AppError::Unavailable => 503,
            AppError::Internal(_) => 500,
        }
    }

    /// The stable problem type slug (`/problems/<slug>`), also the i18n key suffix.
    pub fn slug(&self) -> &'static str {
        match self {
            AppError::Validation(_) => "validation",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound | AppError::RefNotFound(_) => "not-found",
            AppError::Conflict(_) => "conflict",
            AppError::PreconditionFailed => "precondition-failed",
            AppError::PreconditionRequired => "precondition-required",
            AppError::IdempotencyMismatch => "idempotency-key-reused",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::PayloadTooLarge => "payload-too-large",
            AppError::BadRequest(_) => "bad-request",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// A detail safe to show to the caller: never SQL, stack traces or secrets.
    pub fn public_detail(&self) -> String {
        match self {
            AppError::Validation(errs) => errs
                .iter()
                .map(|e| format!("{}: {}", e.field, e.detail))
                .collect::<Vec<_>>()
                .join("; "),
            AppError::Forbidden(why) => format!("You are not allowed to {why}."),
            AppError::Conflict(m) | AppError::BadRequest(m) => m.clone(),
            AppError::Internal(_) => "An internal error occurred; it has been logged.".into(),
            other => other.to_string(),
        }
    }
}
