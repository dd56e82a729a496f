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
            unsafe_ack_before_commit: false,
        }
    }
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
