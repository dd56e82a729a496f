//! Smoke test of the task API and pages through the routers (no server): renders every page,
//! drives create/edit/move/delete, If-Match / ETag / Idempotency-Key.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use db::Backend;
use db::testing::TestDb;
use kernel::{Locale, Role};
use std::sync::Arc;
use tower::ServiceExt;
use ui::{AppState, Auth, RequestInfo, Theme, WebConfig};

const NOW: i64 = 1_780_000_000_000;

async fn app(db: &db::Db, locale: Locale) -> (axum::Router, kernel::Ctx) {
    let mut tx = db.write().await.unwrap();
    let uid = tx
        .insert_id(
            "INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES ('boss','x','admin',0,0) RETURNING id",
            &[],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let admin = kernel::Ctx::system(NOW);
    let d = team::service::create_department(
        db,
        &admin,
        &team::DepartmentInput {
            name: "Ops".into(),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let p = team::PersonInput {
        department_id: Some(d.id),
        user_id: Some(uid),
        name_zh: Some("老板".into()),
        ..team::PersonInput::new("E1", "Boss")
    };
    team::service::create_person(db, &admin, &p, None)
        .await
        .unwrap();
    let mut tx = db.read().await.unwrap();
    let actor = team::resolve_actor(&mut tx, uid, "boss", Role::Admin)
        .await
        .unwrap();
    drop(tx);
    let ctx = kernel::Ctx {
        actor: actor.clone(),
        ..kernel::Ctx::system(NOW)
    };
    let info = RequestInfo {
        request_id: "r1".into(),
        source_ip: None,
        locale,
        theme: Theme::System,
        auth: Some(Auth {
            actor,
            csrf: Some("tok".into()),
            via_token: false,
        }),
        anon_csrf: None,
    };
    let st = AppState {
        db: db.clone(),
        clock: Arc::new(kernel::clock::ManualClock::new(NOW)),
        web: Arc::new(WebConfig::default()),
    };
    let (api, _doc) = work::api::router().split_for_parts();
    (
        api.merge(work::pages::router())
            .layer(axum::Extension(info))
            .with_state(st),
        ctx,
    )
}

async fn send(
    app: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let r = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = r.into_parts();
    let b = axum::body::to_bytes(body, 10 << 20).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&b).into_owned(),
    )
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn form(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn json(method: &str, uri: &str, body: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn pages_and_api() {
    let t = TestDb::new(Backend::Sqlite).await;
    let (app, me) = app(&t.db, Locale::En).await;

    // API create with an idempotency key, replay, mismatch.
    let body = r#"{"title":"API task","priority":"high","due_date":"2026-01-01"}"#;
    let (s, h, b) = send(
        &app,
        json("POST", "/api/v1/tasks", body, &[("idempotency-key", "k1")]),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let loc = h["location"].to_str().unwrap().to_string();
    let etag = h["etag"].to_str().unwrap().to_string();
    let (s, h2, _) = send(
        &app,
        json("POST", "/api/v1/tasks", body, &[("idempotency-key", "k1")]),
    )
    .await;
    assert_eq!(
        (s, h2["location"].to_str().unwrap()),
        (StatusCode::CREATED, loc.as_str())
    );
    let (s, _, b) = send(
        &app,
        json(
            "POST",
            "/api/v1/tasks",
            r#"{"title":"other"}"#,
            &[("idempotency-key", "k1")],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, _, b) = send(
        &app,
        json(
            "POST",
            "/api/v1/tasks",
            r#"{"title":"x","created_by":1}"#,
            &[],
        ),
    )
    .await;
    assert!(
        s == StatusCode::UNPROCESSABLE_ENTITY && b.contains("created_by"),
        "{s} {b}"
    );
    // GET with ETag / 304; PATCH needs If-Match; stale 412.
    let (s, _, _) = send(
        &app,
        Request::get(&loc)
            .header("if-none-match", &etag)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_MODIFIED);
    let (s, _, _) = send(&app, json("PATCH", &loc, r#"{"title":"API task 2"}"#, &[])).await;
    assert_eq!(s, StatusCode::PRECONDITION_REQUIRED);
    let (s, h, b) = send(
        &app,
        json(
            "PATCH",
            &loc,
            r#"{"title":"API task 2"}"#,
            &[("if-match", &etag)],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let etag2 = h["etag"].to_str().unwrap().to_string();
    let (s, _, _) = send(
        &app,
        json(
            "PATCH",
            &loc,
            r#"{"title":"again"}"#,
            &[("if-match", &etag)],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let (s, _, b) = send(
        &app,
        json(
            "POST",
            &format!("{loc}/move"),
            r#"{"status":"doing"}"#,
            &[("if-match", &etag2)],
        ),
    )
    .await;
    assert!(s == StatusCode::OK && b.contains("\"doing\""), "{b}");
    let (s, _, b) = send(
        &app,
        get("/api/v1/tasks?status=todo&status=doing&assignee=me&sort=due_date&order=desc"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _, b) = send(&app, get("/api/v1/tasks?status=doing,todo")).await;
    assert!(s == StatusCode::OK && b.contains("API task 2"), "{b}");
    let (s, _, b) = send(&app, get("/api/v1/tasks?bogus=1")).await;
    assert!(
        s == StatusCode::UNPROCESSABLE_ENTITY && b.contains("bogus"),
        "{b}"
    );
    let (s, _, b) = send(&app, get("/api/v1/tasks?due_before=2026-02-30")).await;
    assert!(
        s == StatusCode::UNPROCESSABLE_ENTITY && b.contains("due_before"),
        "{b}"
    );
    let (s, _, b) = send(&app, get("/api/v1/tasks/board?per_column=2")).await;
    assert!(s == StatusCode::OK && b.contains("columns"), "{b}");
    let (s, _, b) = send(&app, get(&format!("{loc}/history"))).await;
    assert!(s == StatusCode::OK && b.contains("task.move"), "{b}");

    // Pages.
    let (s, _, b) = send(&app, get("/tasks/new")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let idem = b
        .split("name=\"idem\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let (s, _, b) = send(
        &app,
        form(
            "/tasks",
            "_csrf=tok&title=&due_date=2026-13-01&estimate_hours=abc",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        b.contains("err-title") && b.contains("err-due_date") && b.contains("err-estimate_hours"),
        "{b}"
    );
    let body = format!(
        "_csrf=tok&idem={idem}&title=Page+task&status=todo&priority=urgent&due_date=2026-01-02&description=line1%0Aline2"
    );
    let (s, h, _) = send(&app, form("/tasks", &body)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let to = h["location"].to_str().unwrap().to_string();
    let (_, h, _) = send(&app, form("/tasks", &body)).await;
    assert_eq!(h["location"].to_str().unwrap(), to, "double submit replays");
    let id: i64 = to
        .trim_start_matches("/tasks/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (s, _, b) = send(&app, get(&to)).await;
    assert!(
        s == StatusCode::OK
            && b.contains("Page task")
            && b.contains("<p>line2</p>")
            && b.contains("Task saved."),
        "{b}"
    );
    let (s, _, b) = send(&app, get("/tasks")).await;
    assert!(
        s == StatusCode::OK && b.contains("Page task") && b.contains("class=\"overdue\""),
        "{b}"
    );
    let (s, _, b) = send(
        &app,
        get("/tasks?status=todo&status=doing&assignee=me&sort=title&department_id=&due_before=bad"),
    )
    .await;
    assert!(s == StatusCode::OK && b.contains("err-due_before"), "{b}");
    let (s, _, b) = send(&app, get("/tasks/board")).await;
    assert!(
        s == StatusCode::OK
            && b.contains("data-move-form=\"move-")
            && b.contains("class=\"column\" data-status=\"todo\""),
        "{b}"
    );
    let (s, _, b) = send(&app, get(&format!("/tasks/{id}/edit"))).await;
    assert!(
        s == StatusCode::OK && b.contains("value=\"Page task\""),
        "{b}"
    );
    // Edit with the current version, then a stale edit.
    let (s, h, _) = send(
        &app,
        form(
            &format!("/tasks/{id}/edit"),
            "_csrf=tok&version=1&title=Edited&status=blocked&priority=low",
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        h["location"].to_str().unwrap(),
        format!("/tasks/{id}?saved=1")
    );
    let (s, _, b) = send(
        &app,
        form(
            &format!("/tasks/{id}/edit"),
            "_csrf=tok&version=1&title=Stale",
        ),
    )
    .await;
    assert!(
        s == StatusCode::UNPROCESSABLE_ENTITY
            && b.contains("changed by someone else")
            && b.contains("value=\"Stale\""),
        "{b}"
    );
    // Move from the board, then stale move.
    let (s, h, _) = send(
        &app,
        form(
            &format!("/tasks/{id}/move"),
            "_csrf=tok&version=2&status=done&back=%2Ftasks%2Fboard",
        ),
    )
    .await;
    assert_eq!(
        (s, h["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/tasks/board")
    );
    let (_, h, _) = send(
        &app,
        form(
            &format!("/tasks/{id}/move"),
            "_csrf=tok&version=2&status=todo&back=%2Ftasks%2Fboard",
        ),
    )
    .await;
    assert_eq!(
        h["location"].to_str().unwrap(),
        format!("/tasks/{id}?stale=1")
    );
    let (_, _, b) = send(&app, get(&format!("/tasks/{id}?stale=1"))).await;
    assert!(
        b.contains("changed by someone else")
            && b.contains("Edited")
            && b.contains("moved the task"),
        "{b}"
    );
    // Delete: confirm page, stale, then for real.
    let (s, _, b) = send(&app, get(&format!("/tasks/{id}/delete"))).await;
    assert!(
        s == StatusCode::OK && b.contains("Delete permanently"),
        "{b}"
    );
    let (s, _, _) = send(
        &app,
        form(&format!("/tasks/{id}/delete"), "_csrf=tok&version=1"),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, h, _) = send(
        &app,
        form(&format!("/tasks/{id}/delete"), "_csrf=tok&version=3"),
    )
    .await;
    assert_eq!(
        (s, h["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/tasks?deleted=1")
    );
    let (s, _, _) = send(&app, get(&format!("/tasks/{id}"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, h, _) = send(&app, get("/api/v1/tasks/abc")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(h["content-type"], "application/problem+json");
    let (s, _, _) = send(&app, get("/tasks/abc")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, b) = send(&app, get("/tasks?deleted=1")).await;
    assert!(s == StatusCode::OK && b.contains("Task deleted."), "{b}");
    // The home page's counts: my open tasks, overdue, blocked.
    let pid = me.actor.person_id.unwrap();
    let mine = format!(r#"{{"title":"mine","status":"blocked","assignee_id":{pid}}}"#);
    let (s, _, b) = send(&app, json("POST", "/api/v1/tasks", &mine, &[])).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let s = work::service::summary(&t.db, &me).await.unwrap();
    assert_eq!((s.my_open, s.overdue, s.blocked), (1, 1, 1));
}

#[tokio::test]
async fn chinese_pages() {
    let t = TestDb::new(Backend::Sqlite).await;
    let (app, _) = app(&t.db, Locale::ZhCn).await;
    let (s, _, b) = send(&app, get("/tasks/board")).await;
    assert!(
        s == StatusCode::OK && b.contains("进行中") && b.contains("看板"),
        "{b}"
    );
    let (s, _, b) = send(&app, get("/tasks/new")).await;
    assert!(s == StatusCode::OK && b.contains("老板"), "{b}");
}

#[test]
fn openapi_documents_every_route_and_schema() {
    let (_, doc) = work::api::router().split_for_parts();
    let v = serde_json::to_value(&doc).unwrap();
    let paths = v["paths"].as_object().unwrap();
    let mut ops: Vec<String> = paths
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| format!("{m} {p}"))
        })
        .collect();
    ops.sort();
    assert_eq!(
        ops,
        [
            "delete /api/v1/tasks/{id}",
            "get /api/v1/tasks",
            "get /api/v1/tasks/board",
            "get /api/v1/tasks/{id}",
            "get /api/v1/tasks/{id}/history",
            "patch /api/v1/tasks/{id}",
            "post /api/v1/tasks",
            "post /api/v1/tasks/{id}/move",
        ]
    );
    // Every schema reference resolves (Problem is added by the server's document).
    let text = v.to_string();
    let schemas = v["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap();
        assert!(
            name == "Problem" || schemas.contains_key(name),
            "unresolved schema {name}"
        );
    }
}
