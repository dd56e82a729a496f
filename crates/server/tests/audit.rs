//! The audit log as a security record: sign-in success and failure, bad API tokens and every
//! refused action are there with actor, source address, target and outcome — and no password,
//! API token, session id or CSRF token ever is. (The permission matrix also checks that every
//! 403 of every module is audited; `opsdesk/tests/binary.rs` greps the process's logs.)
use crate::common::*;
use crate::sessions::{Browser, PASSWORD};
use kernel::Role;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ins_refusals_and_bad_tokens_are_audited_without_secrets() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin_token = app.user_with_token("boss", Role::Admin).await;
        let viewer_token = app.user_with_token("vera", Role::Viewer).await;
        let viewer = app.api(&viewer_token);
        let me: Value = viewer.get("/api/v1/me").await.json().await.unwrap();
        let vera_id = me["user"]["id"].as_i64().unwrap();
        let wrong = "Wr0ng-secret-guess!";

        let mut bad = Browser::new(&app);
        assert_eq!(bad.sign_in("vera", wrong).await, 401, "{b:?}");
        let mut br = Browser::new(&app);
        assert_eq!(br.sign_in("vera", PASSWORD).await, 303, "{b:?}");
        let session = br.session().unwrap();
        let csrf = br.form_token("/tasks").await;

        // Refused through the API and through a page form.
        let r = viewer
            .post("/api/v1/tasks", &json!({"title": "not allowed"}))
            .await;
        problem(r, 403).await;
        let r = br
            .post_form(
                "/tasks",
                &[
                    ("title", "not allowed either"),
                    ("status", "todo"),
                    ("priority", "medium"),
                    ("_csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(r.status(), 403, "{b:?}: a viewer's task form is refused");
        // A forged cross-site post is refused by the CSRF guard and audited with its reason.
        let r = br
            .request_with_origin(
                "/prefs",
                "http://evil.example",
                &[("theme", "dark"), ("_csrf", &csrf)],
            )
            .await;
        assert_eq!(r.status(), 403, "{b:?}");
        // An invalid API token.
        let forged = "opsdesk_pat_0123456789abcdef0123456789abcdef";
        let r = app.api(forged).get("/api/v1/tasks").await;
        problem(r, 401).await;

        let mut tx = app.db().read().await.unwrap();
        let rows = tx
            .fetch_all(
                "SELECT actor_user_id, actor_name, action, entity, before_json, after_json, \
                 request_id, source_ip, outcome FROM audit_events ORDER BY id",
                &[],
            )
            .await
            .unwrap();
        drop(tx);
        let events: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "actor_user_id": r.opt_i64("actor_user_id").unwrap(),
                    "actor_name": r.string("actor_name").unwrap(),
                    "action": r.string("action").unwrap(),
                    "entity": r.string("entity").unwrap(),
                    "before": r.opt_string("before_json").unwrap(),
                    "after": r.opt_string("after_json").unwrap(),
                    "request_id": r.string("request_id").unwrap(),
                    "source_ip": r.opt_string("source_ip").unwrap(),
                    "outcome": r.string("outcome").unwrap(),
                })
            })
            .collect();
        let find = |action: &str, outcome: &str, target: &str| {
            events.iter().find(|e| {
                e["action"] == action
                    && e["outcome"] == outcome
                    && e["after"].as_str().unwrap_or("").contains(target)
            })
        };
        let ok = find("auth.login", "ok", "vera").expect("sign-in success audited");
        assert_eq!(ok["actor_user_id"], json!(vera_id));
        assert_eq!(ok["source_ip"], "127.0.0.1");
        let failed = find("auth.login_failed", "failed", "vera").expect("sign-in failure audited");
        assert_eq!(failed["source_ip"], "127.0.0.1");
        for target in ["/api/v1/tasks", "\"/tasks\""] {
            let d = find("access.denied", "denied", target)
                .unwrap_or_else(|| panic!("{b:?}: refusal of {target} audited: {events:#?}"));
            assert_eq!(d["actor_user_id"], json!(vera_id), "{b:?}: the actor");
            assert_eq!(d["actor_name"], "vera");
            assert_eq!(d["source_ip"], "127.0.0.1", "{b:?}: the address");
        }
        let csrf_denial = find("access.denied", "denied", "/prefs").expect("CSRF refusal audited");
        assert!(
            csrf_denial["after"]
                .as_str()
                .unwrap()
                .contains("cross-site")
        );
        assert_eq!(
            events
                .iter()
                .filter(|e| e["after"].as_str().unwrap_or("").contains("/prefs"))
                .count(),
            1,
            "{b:?}: one refusal, one audit row"
        );
        find("auth.token_failed", "failed", "/api/v1/tasks").expect("a bad token is audited");

        // No secret anywhere in the audit log.
        let all = serde_json::to_string(&events).unwrap();
        for (what, secret) in [
            ("password", PASSWORD),
            ("wrong password", wrong),
            ("session id", session.as_str()),
            ("CSRF token", csrf.as_str()),
            ("admin's API token", admin_token.as_str()),
            ("viewer's API token", viewer_token.as_str()),
            ("forged token", forged),
        ] {
            assert!(
                !all.contains(secret),
                "{b:?}: the {what} is in the audit log"
            );
        }
        app.stop().await;
    }
}
