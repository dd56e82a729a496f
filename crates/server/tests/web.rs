//! Pages, sessions, CSRF, security headers and operations endpoints.
use crate::common::*;
use kernel::Role;

pub fn form_token(html: &str) -> String {
    let i = html
        .find("name=\"_csrf\" value=\"")
        .expect("a CSRF field in the form")
        + 20;
    html[i..].split('"').next().unwrap().to_string()
}

pub async fn sign_in(app: &App, username: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = form_token(&page);
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", "correct horse battery staple"),
            ("_csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in redirects");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_pages_csrf_and_headers() {
    for b in BACKENDS {
        let app = spawn(b).await;
        app.user_with_token("lead", Role::Admin).await;
        let c = sign_in(&app, "lead").await;
        for path in [
            "/",
            "/tasks",
            "/tasks/board",
            "/people",
            "/departments",
            "/notifications",
            "/account",
            "/admin/users",
        ] {
            let r = c.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{b:?} {path}");
            let h = r.headers();
            let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{path}: {csp}"
            );
            assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
            assert_eq!(h.get("cache-control").unwrap(), "no-store");
            assert!(h.get("referrer-policy").is_some());
        }
        // A cross-site form post is refused and changes nothing.
        let home = c
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = form_token(&home);
        let r = c
            .post(app.url("/prefs"))
            .header("Origin", "http://evil.example")
            .form(&[("theme", "dark"), ("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b:?}: cross-origin post refused");
        let r = c
            .post(app.url("/prefs"))
            .form(&[("theme", "dark"), ("_csrf", "wrong")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b:?}: wrong token refused");
        let r = c
            .post(app.url("/prefs"))
            .form(&[("locale", "zh-CN"), ("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}: own form accepted");
        let html = c
            .get(app.url("/tasks"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("lang=\"zh-CN\"") && html.contains("任务"),
            "{b:?}: language remembered"
        );

        // Signing out ends the session on the server.
        let r = c
            .post(app.url("/logout"))
            .form(&[("_csrf", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = c.get(app.url("/tasks")).send().await.unwrap();
        assert_eq!(r.status(), 303, "{b:?}: signed out → sent to sign in");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_refused_and_audited_without_secrets() {
    for b in BACKENDS {
        let app = spawn(b).await;
        app.user_with_token("lead", Role::Admin).await;
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let page = c
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = form_token(&page);
        let r = c
            .post(app.url("/login"))
            .form(&[
                ("username", "lead"),
                ("password", "not-the-password-123"),
                ("_csrf", &token),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{b:?}");
        let mut tx = app.db().read().await.unwrap();
        let rows = tx
            .fetch_all("SELECT action, outcome, source_ip, before_json, after_json FROM audit_events WHERE action LIKE 'auth.%'", &[])
            .await
            .unwrap();
        assert!(rows.iter().any(|r| r.string("outcome").unwrap() == "failed"
            && r.opt_string("source_ip").unwrap().is_some()));
        for r in &rows {
            let all = format!(
                "{:?}{:?}",
                r.opt_string("before_json").unwrap(),
                r.opt_string("after_json").unwrap()
            );
            assert!(
                !all.contains("not-the-password-123"),
                "{b:?}: password in the audit log"
            );
        }
        drop(tx);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics() {
    let app = spawn(db::Backend::Sqlite).await;
    assert_eq!(
        reqwest::get(app.url("/healthz")).await.unwrap().status(),
        200
    );
    assert_eq!(
        reqwest::get(app.url("/readyz")).await.unwrap().status(),
        200
    );
    let m = reqwest::get(app.url("/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        m.contains("http_requests_total") && m.contains("db_pool_connections"),
        "{m}"
    );
    app.stop().await;
}
