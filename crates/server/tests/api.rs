//! The JSON API: CRUD, concurrency control, idempotency, bad input and the OpenAPI document.
use crate::common::*;
use kernel::Role;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_crud_with_etags_idempotency_and_precise_errors() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);

        let r = admin
            .post(
                "/api/v1/departments",
                &json!({"name": "运营部 Operations", "code": "OPS"}),
            )
            .await;
        assert_eq!(r.status(), 201, "{b:?} create department");
        let dept: Value = r.json().await.unwrap();
        let dept_id = dept["id"].as_i64().unwrap();

        // Create with an Idempotency-Key twice → one task; same key, other body → 422.
        let body = json!({"title": "整理周报 Weekly report", "department_id": dept_id, "priority": "high",
                          "status": "todo", "due_date": "2026-12-01", "estimate_hours": 3.5});
        let create = |key: &str, body: &Value| {
            admin
                .req(reqwest::Method::POST, "/api/v1/tasks")
                .header("Idempotency-Key", key)
                .json(body)
                .send()
        };
        let r1 = create("k-1", &body).await.unwrap();
        assert_eq!(r1.status(), 201, "{b:?}");
        assert!(r1.headers().get("location").is_some() && r1.headers().get("etag").is_some());
        let t1: Value = r1.json().await.unwrap();
        let r2 = create("k-1", &body).await.unwrap();
        let t2: Value = r2.json().await.unwrap();
        assert_eq!(
            t1["id"], t2["id"],
            "{b:?}: a replayed create returns the same task"
        );
        let mut other = body.clone();
        other["title"] = json!("something else");
        problem(create("k-1", &other).await.unwrap(), 422).await;
        let list: Value = admin
            .get(&format!("/api/v1/tasks?department_id={dept_id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            1,
            "{b:?}: exactly one task was created"
        );

        // ETag / If-Match.
        let id = t1["id"].as_i64().unwrap();
        let r = admin.get(&format!("/api/v1/tasks/{id}")).await;
        let etag = r
            .headers()
            .get("etag")
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        problem(
            admin
                .patch(
                    &format!("/api/v1/tasks/{id}"),
                    &json!({"status": "doing"}),
                    None,
                )
                .await,
            428,
        )
        .await;
        let r = admin
            .patch(
                &format!("/api/v1/tasks/{id}"),
                &json!({"status": "doing"}),
                Some(&etag),
            )
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        let updated: Value = r.json().await.unwrap();
        assert_eq!(updated["status"], "doing");
        // The same (now stale) ETag again: 412 and nothing changes.
        problem(
            admin
                .patch(
                    &format!("/api/v1/tasks/{id}"),
                    &json!({"status": "done"}),
                    Some(&etag),
                )
                .await,
            412,
        )
        .await;
        let now: Value = admin
            .get(&format!("/api/v1/tasks/{id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            now["status"], "doing",
            "{b:?}: a stale update wrote nothing"
        );

        // Bad input is named precisely and writes nothing.
        let p = problem(
            admin
                .post("/api/v1/tasks", &json!({"title": "x", "bogus": 1}))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "bogus"), "{b:?}: {p}");
        let p = problem(
            admin
                .post(
                    "/api/v1/tasks",
                    &json!({"title": "x", "due_date": "2026-02-30"}),
                )
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "due_date"), "{b:?}: {p}");
        let p = problem(
            admin
                .post("/api/v1/tasks", &json!({"title": "x".repeat(201)}))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "title"), "{b:?}: {p}");
        let r = admin
            .req(reqwest::Method::POST, "/api/v1/tasks")
            .header("content-type", "application/json")
            .body("{\"title\": ")
            .send()
            .await
            .unwrap();
        problem(r, 400).await;
        problem(admin.get("/api/v1/tasks/987654").await, 404).await;
        let (status, ctype) = oversized_post(&app, &admin.token).await;
        assert_eq!(
            (status, ctype.as_str()),
            (413, "application/problem+json"),
            "{b:?}"
        );
        let list: Value = admin
            .get(&format!("/api/v1/tasks?department_id={dept_id}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            1,
            "{b:?}: nothing half-written"
        );

        // History shows the change.
        let h: Value = admin
            .get(&format!("/api/v1/tasks/{id}/history"))
            .await
            .json()
            .await
            .unwrap();
        let text = h.to_string();
        assert!(
            text.contains("doing"),
            "{b:?}: history records the status change: {text}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_and_bad_tokens_are_refused_and_viewers_cannot_write() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let client = reqwest::Client::new();
        let r = client.get(app.url("/api/v1/tasks")).send().await.unwrap();
        problem(r, 401).await;
        let r = client
            .get(app.url("/api/v1/tasks"))
            .bearer_auth("opsdesk_pat_0000")
            .send()
            .await
            .unwrap();
        problem(r, 401).await;
        let viewer = app.api(&app.user_with_token("watcher", Role::Viewer).await);
        assert_eq!(viewer.get("/api/v1/tasks").await.status(), 200, "{b:?}");
        let r = viewer
            .post("/api/v1/tasks", &json!({"title": "nope"}))
            .await;
        assert!(
            matches!(r.status().as_u16(), 403 | 422),
            "{b:?}: {}",
            r.status()
        );
        let r = viewer
            .post(
                "/api/v1/users",
                &json!({"username": "x", "role": "admin", "password": "aaaaaaaa"}),
            )
            .await;
        problem(r, 403).await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_route() {
    let app = spawn(db::Backend::Sqlite).await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/tasks",
        "/api/v1/tasks/{id}",
        "/api/v1/people",
        "/api/v1/departments",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/notifications",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    // Every documented operation answers (not 404/405): a route cannot be documented but absent.
    let token = app.user_with_token("doc", Role::Admin).await;
    let api = app.api(&token);
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let concrete = path.replace("{id}", "1");
            let r = api
                .req(m.clone(), &concrete)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_ne!(
                r.status(),
                405,
                "{method} {path} is documented but not routed"
            );
            if !path.contains('{') {
                assert_ne!(
                    r.status(),
                    404,
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
    // And the reverse: API routes are only registered through utoipa (documented by construction).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for krate in std::fs::read_dir(&root).unwrap() {
        let api_rs = krate.unwrap().path().join("src/api.rs");
        if let Ok(src) = std::fs::read_to_string(&api_rs) {
            assert!(
                !src.contains(".route("),
                "{} registers a route outside the OpenAPI router",
                api_rs.display()
            );
        }
    }
    app.stop().await;
}

/// Announces a 2 MiB body and sends only its start, as a client that would stream it: the server
/// must refuse from the Content-Length alone (413 problem), without reading the body.
async fn oversized_post(app: &App, token: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/tasks HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n{{\"title\": \""
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let ctype = text
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(str::to_string)
        })
        .unwrap_or_default();
    (status, ctype)
}
