//! Resolves who is asking, from where, in which language — once per request — and puts it in
//! the request's extensions as `ui::RequestInfo` for handlers and the CSRF check.
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use kernel::Locale;
use std::net::{IpAddr, SocketAddr};
use ui::{AppState, Auth, RequestInfo, Theme};

pub const LOCALE_COOKIE: &str = "opsdesk_locale";
pub const THEME_COOKIE: &str = "opsdesk_theme";
pub const ANON_CSRF_COOKIE: &str = "opsdesk_csrf";

pub async fn request_context(
    State(st): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut req: Request,
    next: Next,
) -> Response {
    let headers = req.headers().clone();
    let request_id = db::random_hex(8);
    let source_ip = client_ip(peer.ip(), &headers, &st.web.trusted_proxies).to_string();
    let now = st.now_ms();

    let resolved = crate::app::authenticate(&st, &headers, now).await;
    let (auth, user_locale, user_theme) = match resolved {
        Ok(Some(r)) => (
            Some(Auth {
                actor: r.actor,
                csrf: r.csrf,
                via_token: r.via_token,
            }),
            r.locale,
            r.theme,
        ),
        Ok(None) => (None, None, None),
        Err(e) => {
            if matches!(e, kernel::AppError::Unauthorized) {
                let (m, p) = (req.method().to_string(), req.uri().path().to_string());
                crate::app::audit_bad_token(&st, &request_id, &source_ip, &m, &p).await;
            }
            return ui::ApiError(e).into_response_with_id(&request_id);
        }
    };
    let locale = user_locale
        .or_else(|| cookie(&headers, LOCALE_COOKIE).and_then(|c| Locale::parse(&c)))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default();
    let theme = user_theme
        .or_else(|| cookie(&headers, THEME_COOKIE).and_then(|c| Theme::parse(&c)))
        .unwrap_or_default();
    let anon_csrf = cookie(&headers, ANON_CSRF_COOKIE)
        .filter(|c| c.len() == 32 && c.bytes().all(|b| b.is_ascii_hexdigit()));
    let set_anon_csrf = auth.is_none() && anon_csrf.is_none();
    let anon_csrf = anon_csrf.or_else(|| set_anon_csrf.then(|| db::random_hex(16)));

    let info = RequestInfo {
        request_id: request_id.clone(),
        source_ip: Some(source_ip),
        locale,
        theme,
        auth,
        anon_csrf: anon_csrf.clone(),
    };
    req.extensions_mut().insert(info);
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-request-id", v);
    }
    if set_anon_csrf && let Some(token) = anon_csrf {
        let c = cookie_header(ANON_CSRF_COOKIE, &token, st.web.secure_cookies, None);
        if let Ok(v) = HeaderValue::from_str(&c) {
            h.append(header::SET_COOKIE, v);
        }
    }
    resp
}

trait WithId {
    fn into_response_with_id(self, id: &str) -> Response;
}

impl WithId for ui::ApiError {
    fn into_response_with_id(self, id: &str) -> Response {
        use axum::response::IntoResponse;
        let mut r = self.into_response();
        if let Ok(v) = HeaderValue::from_str(id) {
            r.headers_mut().insert("x-request-id", v);
        }
        r
    }
}

/// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(xff) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) else {
        return peer;
    };
    xff.split(',')
        .rev()
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .find(|ip| !trusted.contains(ip))
        .unwrap_or(peer)
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|line| {
            line.split(';').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                (k == name).then(|| v.to_string())
            })
        })
}

/// A cookie: HttpOnly, SameSite=Lax (top-level navigation from chat links keeps the session),
/// Secure when served over HTTPS. `max_age_s: Some(0)` deletes it.
pub fn cookie_header(name: &str, value: &str, secure: bool, max_age_s: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(a) = max_age_s {
        c.push_str(&format!("; Max-Age={a}"));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_only_from_trusted_peers() {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 10.0.0.9".parse().unwrap());
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(
            client_ip(peer, &h, &[]),
            peer,
            "untrusted peer: header ignored"
        );
        let trusted = ["10.0.0.1".parse().unwrap()];
        assert_eq!(
            client_ip(peer, &h, &trusted),
            "10.0.0.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn cookies() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; opsdesk_locale=zh-CN".parse().unwrap());
        assert_eq!(cookie(&h, "opsdesk_locale").as_deref(), Some("zh-CN"));
        assert!(cookie_header("s", "v", true, None).contains("Secure"));
    }
}
