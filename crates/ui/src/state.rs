use db::Db;
use kernel::Clock;
use std::sync::Arc;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub web: Arc<WebConfig>,
}

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Set the `Secure` flag and the `__Host-` prefix on cookies (served over HTTPS).
    pub secure_cookies: bool,
    pub session_idle_ms: i64,
    pub session_absolute_ms: i64,
    /// Peers whose `X-Forwarded-For` is believed; everyone else's is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub max_body_bytes: usize,
    /// File uploads (imports) may be larger than other bodies; see [`WebConfig::body_cap`].
    pub max_upload_bytes: usize,
    /// Test-only: acknowledge writes before commit (the crash harness must catch it).
    pub unsafe_ack_before_commit: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle_ms: 30 * 60 * 1000,
            session_absolute_ms: 12 * 3600 * 1000,
            trusted_proxies: Vec::new(),
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 10 * 1024 * 1024,
            unsafe_ack_before_commit: false,
        }
    }
}

impl WebConfig {
    /// The body limit of a request to `path`: the upload limit for file uploads
    /// (`POST /imports/{kind}`, `POST /api/v1/imports/{kind}`), the body limit otherwise.
    pub fn body_cap(&self, path: &str) -> usize {
        if is_upload_path(path) {
            self.max_upload_bytes.max(self.max_body_bytes)
        } else {
            self.max_body_bytes
        }
    }
}

/// `/imports/{kind}` or `/api/v1/imports/{kind}`: the only routes that take files.
pub fn is_upload_path(path: &str) -> bool {
    let rest = path
        .strip_prefix("/api/v1/imports/")
        .or_else(|| path.strip_prefix("/imports/"));
    rest.is_some_and(|k| !k.is_empty() && !k.contains('/'))
}

impl AppState {
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn session_cookie_name(&self) -> &'static str {
        if self.web.secure_cookies {
            "__Host-opsdesk_session"
        } else {
            "opsdesk_session"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_upload_routes_get_the_upload_limit() {
        let w = WebConfig::default();
        assert_eq!(w.body_cap("/imports/people"), w.max_upload_bytes);
        assert_eq!(w.body_cap("/api/v1/imports/people"), w.max_upload_bytes);
        assert_eq!(w.body_cap("/api/v1/imports/people/3/run"), w.max_body_bytes);
        assert_eq!(w.body_cap("/imports/"), w.max_body_bytes);
        assert_eq!(w.body_cap("/api/v1/people"), w.max_body_bytes);
    }
}
