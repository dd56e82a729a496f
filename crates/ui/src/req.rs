//! The per-request context, resolved once by the server's middleware and read by handlers.
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kernel::{Actor, AppError, Ctx, Locale};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    Light,
    Dark,
    #[default]
    System,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System => "system",
        }
    }
    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "system" => Some(Theme::System),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Auth {
    pub actor: Actor,
    /// The session's CSRF token (absent for API tokens, which need none).
    pub csrf: Option<String>,
    pub via_token: bool,
}

#[derive(Debug, Clone)]
pub struct RequestInfo {
    pub request_id: String,
    pub source_ip: Option<String>,
    pub locale: Locale,
    pub theme: Theme,
    pub auth: Option<Auth>,
    /// A CSRF token for forms shown before sign-in (login, setup), from a cookie.
    pub anon_csrf: Option<String>,
}

/// Extractor giving handlers the request context.
#[derive(Debug, Clone)]
pub struct Req(pub RequestInfo);

impl<S: Send + Sync> FromRequestParts<S> for Req {
    type Rejection = crate::ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<RequestInfo>()
            .cloned()
            .map(Req)
            .ok_or_else(|| AppError::Internal("request context missing".into()).into())
    }
}

impl Req {
    pub fn locale(&self) -> Locale {
        self.0.locale
    }

    pub fn actor(&self) -> Option<&Actor> {
        self.0.auth.as_ref().map(|a| &a.actor)
    }

    /// The service context for the signed-in user, or 401.
    pub fn ctx(&self, now_ms: i64) -> Result<Ctx, AppError> {
        let auth = self.0.auth.as_ref().ok_or(AppError::Unauthorized)?;
        Ok(Ctx {
            actor: auth.actor.clone(),
            now_ms,
            request_id: self.0.request_id.clone(),
            source_ip: self.0.source_ip.clone(),
            locale: self.0.locale,
        })
    }

    /// The CSRF token forms must carry: the session's, or the pre-sign-in cookie's.
    pub fn csrf(&self) -> String {
        self.0
            .auth
            .as_ref()
            .and_then(|a| a.csrf.clone())
            .or_else(|| self.0.anon_csrf.clone())
            .unwrap_or_default()
    }
}
