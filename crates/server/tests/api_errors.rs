//! Every `/api/` error is problem+json — also the ones raised before a handler runs — and the
//! OpenAPI document says so (found by schemathesis: `scripts/fuzz-api.sh`).
use crate::common::*;
use kernel::Role;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extractor_and_routing_errors_are_problems_and_documented() {
    let app = spawn(db::Backend::Sqlite).await;
    let api = app.api(&app.user_with_token("boss", Role::Admin).await);
    let p = problem(api.get("/api/v1/people/not-a-number").await, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("parse"), "{p}");
    problem(
        api.req(reqwest::Method::POST, "/api/v1/notifications/1.5/read")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    problem(api.get("/api/v1/no-such-thing").await, 404).await;
    let r = api
        .req(reqwest::Method::PUT, "/api/v1/tasks")
        .send()
        .await
        .unwrap();
    problem(r, 405).await;

    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            for s in ["400", "401"] {
                assert!(responses.contains_key(s), "{method} {path} documents {s}");
            }
            for (status, r) in responses {
                if (status.starts_with('4') || status.starts_with('5'))
                    && let Some(c) = r["content"].as_object()
                {
                    assert!(
                        c.keys().all(|k| k == "application/problem+json"),
                        "{method} {path} {status}: errors are documented as problem+json: {:?}",
                        c.keys()
                    );
                }
            }
        }
    }
    app.stop().await;
}
