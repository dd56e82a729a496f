//! Sessions and sign-in, as an attacker would probe them: fixation, logout, disabled accounts,
//! idle and absolute timeouts (moved with the injectable clock), throttling per account and per
//! address, `X-Forwarded-For` only from trusted proxies, and no default credentials.
use crate::common::*;
use kernel::Role;
use reqwest::{Response, StatusCode};
use serde_json::json;
use std::collections::BTreeMap;

pub const PASSWORD: &str = "correct horse battery staple";
const SESSION: &str = "opsdesk_session";
const MINUTE: i64 = 60_000;

/// A browser whose cookies the test holds in its hands (to replay old ones), optionally behind a
/// proxy that claims a client address in `X-Forwarded-For`.
pub struct Browser {
    base: String,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub forwarded_for: Option<String>,
}

impl Browser {
    pub fn new(app: &App) -> Browser {
        Browser {
            base: app.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
            forwarded_for: None,
        }
    }

    fn absorb(&mut self, r: &Response) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let (kv, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
    }

    fn request(&self, m: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut r = self.client.request(m, format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let line: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            r = r.header("cookie", line.join("; "));
        }
        if let Some(ip) = &self.forwarded_for {
            r = r.header("x-forwarded-for", ip);
        }
        r
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let r = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap();
        self.absorb(&r);
        r
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let r = self
            .request(reqwest::Method::POST, path)
            .form(fields)
            .send()
            .await
            .unwrap();
        self.absorb(&r);
        r
    }

    /// A form post as a page on `origin` would send it (the browser names the page's origin).
    pub async fn request_with_origin(
        &mut self,
        path: &str,
        origin: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let r = self
            .request(reqwest::Method::POST, path)
            .header("origin", origin)
            .form(fields)
            .send()
            .await
            .unwrap();
        self.absorb(&r);
        r
    }

    /// The CSRF token of the forms on `path`.
    pub async fn form_token(&mut self, path: &str) -> String {
        let html = self.get(path).await.text().await.unwrap();
        let i = html
            .find("name=\"_csrf\" value=\"")
            .unwrap_or_else(|| panic!("a CSRF field on {path}"))
            + 20;
        html[i..].split('"').next().unwrap().to_string()
    }

    /// Signs in through the form; returns the status (303 on success).
    pub async fn sign_in(&mut self, username: &str, password: &str) -> StatusCode {
        let token = self.form_token("/login").await;
        self.post_form(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("_csrf", &token),
            ],
        )
        .await
        .status()
    }

    pub fn session(&self) -> Option<String> {
        self.cookies.get(SESSION).cloned()
    }

    /// Whether the current cookies reach a signed-in page (anonymous visitors are sent to /login).
    pub async fn signed_in(&mut self) -> bool {
        let r = self.get("/tasks").await;
        match r.status().as_u16() {
            200 => true,
            303 => false,
            s => panic!("unexpected {s} for /tasks"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_fixation_logout_and_disabled_accounts() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        app.user_with_token("ann", Role::Member).await;

        // Fixation: a session id planted before sign-in is neither kept nor honoured.
        let planted = "a".repeat(64);
        let mut br = Browser::new(&app);
        br.cookies.insert(SESSION.into(), planted.clone());
        assert!(!br.signed_in().await, "{b:?}: a planted id is no session");
        assert_eq!(br.sign_in("ann", PASSWORD).await, 303, "{b:?}");
        let issued = br.session().expect("a session cookie");
        assert_ne!(issued, planted, "{b:?}: sign-in issues a fresh id");
        assert!(br.signed_in().await);
        // A second sign-in (same browser) gets yet another id; the first one stays valid only as
        // its own session, never as the new one.
        let mut other = Browser::new(&app);
        other.sign_in("ann", PASSWORD).await;
        assert_ne!(other.session(), Some(issued.clone()), "{b:?}");

        // Logout ends the session on the server: the old cookie replayed is refused.
        let token = br.form_token("/").await;
        assert_eq!(
            br.post_form("/logout", &[("_csrf", &token)]).await.status(),
            303
        );
        assert!(br.session().is_none(), "{b:?}: the cookie is deleted");
        let mut replay = Browser::new(&app);
        replay.cookies.insert(SESSION.into(), issued.clone());
        assert!(!replay.signed_in().await, "{b:?}: a logged-out id is dead");

        // Disabling an account ends its live sessions and refuses its sign-in.
        assert!(other.signed_in().await);
        let users: serde_json::Value = admin.get("/api/v1/users?q=ann").await.json().await.unwrap();
        let id = users["items"][0]["id"].as_i64().unwrap();
        let etag = admin.get(&format!("/api/v1/users/{id}")).await.headers()["etag"]
            .to_str()
            .unwrap()
            .to_string();
        let r = admin
            .patch(
                &format!("/api/v1/users/{id}"),
                &json!({"disabled": true}),
                Some(&etag),
            )
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        assert!(
            !other.signed_in().await,
            "{b:?}: the disabled user's session is gone"
        );
        let mut again = Browser::new(&app);
        assert_eq!(
            again.sign_in("ann", PASSWORD).await,
            401,
            "{b:?}: disabled → refused"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_absolute_session_timeouts_follow_the_clock() {
    for b in BACKENDS {
        let app = spawn(b).await;
        app.user_with_token("ann", Role::Member).await;

        // Idle: 30 minutes without a request ends the session; activity keeps it alive.
        let mut br = Browser::new(&app);
        br.sign_in("ann", PASSWORD).await;
        for _ in 0..3 {
            app.advance_clock(20 * MINUTE).await;
            assert!(br.signed_in().await, "{b:?}: active within the idle limit");
        }
        app.advance_clock(31 * MINUTE).await;
        assert!(
            !br.signed_in().await,
            "{b:?}: idle for 31 minutes → signed out"
        );

        // Absolute: even an always-active session ends 12 hours after sign-in.
        let mut br = Browser::new(&app);
        br.sign_in("ann", PASSWORD).await;
        let mut elapsed = 0;
        while elapsed + 25 * MINUTE < 12 * 60 * MINUTE {
            app.advance_clock(25 * MINUTE).await;
            elapsed += 25 * MINUTE;
            assert!(br.signed_in().await, "{b:?}: alive after {elapsed} ms");
        }
        app.advance_clock(12 * 60 * MINUTE - elapsed + MINUTE).await;
        assert!(
            !br.signed_in().await,
            "{b:?}: 12 h after sign-in → signed out"
        );
        app.stop().await;
    }
}

/// Behind a trusted proxy (127.0.0.1, where the test connects from), the client address comes
/// from `X-Forwarded-For`, so the test can sign in "from" many addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_throttling_spares_the_owners_address() {
    for b in BACKENDS {
        let app = spawn_with(b, |c| {
            c.web.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        })
        .await;
        app.user_with_token("ann", Role::Member).await;

        let mut owner = Browser::new(&app);
        owner.forwarded_for = Some("203.0.113.7".into());
        assert_eq!(owner.sign_in("ann", PASSWORD).await, 303, "{b:?}");

        // One address guessing: after 10 failures in 15 minutes it is throttled — the right
        // password from there too — while the owner signs in from another address at once.
        let mut guesser = Browser::new(&app);
        guesser.forwarded_for = Some("198.51.100.250".into());
        for _ in 0..10 {
            assert_eq!(
                guesser.sign_in("ann", "wrong password guess").await,
                401,
                "{b:?}"
            );
        }
        assert_eq!(
            guesser.sign_in("ann", PASSWORD).await,
            429,
            "{b:?}: address throttled"
        );
        let mut elsewhere = Browser::new(&app);
        elsewhere.forwarded_for = Some("192.0.2.10".into());
        assert_eq!(
            elsewhere.sign_in("ann", PASSWORD).await,
            303,
            "{b:?}: success from another address is still possible"
        );

        // 100 failures in an hour in all (10 above, 90 from 18 more addresses, 5 each).
        let mut failures = 10;
        for a in 0..18 {
            let mut att = Browser::new(&app);
            att.forwarded_for = Some(format!("198.51.100.{a}"));
            for _ in 0..5 {
                let s = att.sign_in("ann", "wrong password guess").await;
                assert_eq!(s, 401, "{b:?}: failure {failures} is answered as a failure");
                failures += 1;
            }
        }
        // The account limit (100 per hour) is reached: even the right password from a new
        // address is refused — without revealing whether it was right.
        let mut fresh = Browser::new(&app);
        fresh.forwarded_for = Some("192.0.2.44".into());
        assert_eq!(
            fresh.sign_in("ann", PASSWORD).await,
            429,
            "{b:?}: throttled"
        );
        assert_eq!(fresh.sign_in("ann", "another guess").await, 429, "{b:?}");
        // The owner, from the address they signed in from before, still gets in.
        let mut owner2 = Browser::new(&app);
        owner2.forwarded_for = Some("203.0.113.7".into());
        assert_eq!(
            owner2.sign_in("ann", PASSWORD).await,
            303,
            "{b:?}: owner not locked out"
        );
        // An hour later the account limit has passed for everyone.
        app.advance_clock(61 * MINUTE).await;
        assert_eq!(
            fresh.sign_in("ann", PASSWORD).await,
            303,
            "{b:?}: the window passed"
        );
        app.stop().await;
    }
}

/// Without trusted proxies, `X-Forwarded-For` is the client's own claim and is ignored: rotating
/// it does not escape the per-address limit, and the audit log records the real peer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_from_an_untrusted_peer_is_ignored() {
    for b in BACKENDS {
        let app = spawn(b).await;
        app.user_with_token("ann", Role::Member).await;
        for i in 0..10 {
            let mut att = Browser::new(&app);
            att.forwarded_for = Some(format!("198.51.100.{i}"));
            assert_eq!(
                att.sign_in("ann", "wrong guess").await,
                401,
                "{b:?} attempt {i}"
            );
        }
        let mut att = Browser::new(&app);
        att.forwarded_for = Some("198.51.100.200".into());
        assert_eq!(
            att.sign_in("ann", "wrong guess").await,
            429,
            "{b:?}: the 11th failure from one real address in 15 minutes is throttled"
        );
        let mut tx = app.db().read().await.unwrap();
        let rows = tx
            .fetch_all(
                "SELECT source_ip FROM audit_events WHERE action LIKE 'auth.login%'",
                &[],
            )
            .await
            .unwrap();
        assert!(rows.len() >= 11);
        for r in rows {
            assert_eq!(
                r.opt_string("source_ip").unwrap().as_deref(),
                Some("127.0.0.1"),
                "{b:?}: the audit names the real peer"
            );
        }
        drop(tx);
        app.stop().await;
    }
}

/// A fresh installation has no account at all, so no password works, and the setup page needs
/// the one-time link printed on the console.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_default_credentials() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let mut tx = app.db().read().await.unwrap();
        let n = tx
            .fetch_one("SELECT COUNT(*) AS n FROM users", &[])
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        assert_eq!(n, 0, "{b:?}: no account exists before setup");
        drop(tx);
        for (u, p) in [
            ("admin", "admin"),
            ("admin", "password"),
            ("admin", "opsdesk"),
            ("root", "root"),
            ("opsdesk", "opsdesk"),
        ] {
            let mut br = Browser::new(&app);
            assert_eq!(br.sign_in(u, p).await, 401, "{b:?}: {u}/{p}");
        }
        let mut br = Browser::new(&app);
        let token = br.form_token("/setup").await;
        let r = br
            .post_form(
                "/setup",
                &[
                    ("token", "guessed"),
                    ("username", "admin"),
                    ("password", PASSWORD),
                    ("_csrf", &token),
                ],
            )
            .await;
        assert!(
            r.status().is_client_error(),
            "{b:?}: setup without the printed link is refused: {}",
            r.status()
        );
        let mut br = Browser::new(&app);
        assert_eq!(
            br.sign_in("admin", PASSWORD).await,
            401,
            "{b:?}: nothing was created"
        );
        app.stop().await;
    }
}

/// The session cookie is out of scripts' reach and not sent cross-site with forms; served over
/// HTTPS (`--secure-cookies`) it is `Secure` and `__Host-` (no Domain, Path=/), so a sibling
/// subdomain cannot plant or overwrite it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_cookie_attributes() {
    for secure in [false, true] {
        let app = spawn_with(db::Backend::Sqlite, |c| c.web.secure_cookies = secure).await;
        app.user_with_token("ann", Role::Member).await;
        let name = if secure {
            "__Host-opsdesk_session"
        } else {
            SESSION
        };
        let mut br = Browser::new(&app);
        let token = br.form_token("/login").await;
        let r = br
            .post_form(
                "/login",
                &[
                    ("username", "ann"),
                    ("password", PASSWORD),
                    ("_csrf", &token),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|c| c.starts_with(&format!("{name}=")))
            .unwrap_or_else(|| panic!("a {name} cookie"));
        let value = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
        assert_eq!(value.len(), 64, "256 random bits, hex: {cookie}");
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attr), "{attr} in {cookie}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
        assert_eq!(cookie.contains("Secure"), secure, "{cookie}");
        app.stop().await;
    }
}

/// Changing one's password ends the other sessions (a thief's) but keeps the current one; an
/// admin's reset ends them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_change_and_reset_end_sessions() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        app.user_with_token("ann", Role::Member).await;
        let mut mine = Browser::new(&app);
        let mut thief = Browser::new(&app);
        mine.sign_in("ann", PASSWORD).await;
        thief.sign_in("ann", PASSWORD).await;
        let csrf = mine.form_token("/account").await;
        let new_password = "a brand new passphrase 42";
        let r = mine
            .request(reqwest::Method::POST, "/api/v1/me/password")
            .header("x-csrf-token", &csrf)
            .json(&json!({"current_password": PASSWORD, "new_password": new_password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "{b:?}");
        assert!(!thief.signed_in().await, "{b:?}: the other session ended");
        assert!(mine.signed_in().await, "{b:?}: the current one stays");

        let users: serde_json::Value = admin.get("/api/v1/users?q=ann").await.json().await.unwrap();
        let id = users["items"][0]["id"].as_i64().unwrap();
        let r = admin
            .post(
                &format!("/api/v1/users/{id}/password"),
                &json!({"password": "set by the admin 123"}),
            )
            .await;
        assert_eq!(r.status(), 204, "{b:?}");
        assert!(!mine.signed_in().await, "{b:?}: a reset ends every session");
        app.stop().await;
    }
}
