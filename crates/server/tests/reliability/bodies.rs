//! Hostile bodies: each refused with a clear problem, the server unharmed, nothing written.
//! (The file corpus — malformed, huge, zip-bomb and XXE CSV/XLSX/XES — joins when imports land.)
use crate::common::*;
use kernel::Role;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Streams `total` bytes of a JSON string with chunked encoding (no Content-Length, so the
/// server cannot refuse up front) and returns the status line's code once the server answers.
async fn chunked_post(app: &App, token: &str, total: usize) -> u16 {
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/tasks HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0;
    let start = b"{\"title\": \"";
    s.write_all(format!("{:x}\r\n", start.len()).as_bytes())
        .await
        .unwrap();
    s.write_all(start).await.unwrap();
    s.write_all(b"\r\n").await.unwrap();
    while sent < total {
        let frame = format!("{:x}\r\n", chunk.len());
        // The server may answer and close before we finish: stop writing then.
        if s.write_all(frame.as_bytes()).await.is_err()
            || s.write_all(&chunk).await.is_err()
            || s.write_all(b"\r\n").await.is_err()
        {
            break;
        }
        sent += chunk.len();
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap_or(0);
    String::from_utf8_lossy(&buf[..n])
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

async fn task_count(api: &Api) -> usize {
    let v: Value = api
        .get("/api/v1/tasks?limit=100")
        .await
        .json()
        .await
        .unwrap();
    v["items"].as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_bodies_are_refused_clearly_and_write_nothing() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let token = app.user_with_token("bodies", Role::Admin).await;
        let api = app.api(&token);
        let raw = |ctype: &'static str, body: Vec<u8>| {
            api.req(reqwest::Method::POST, "/api/v1/tasks")
                .header("content-type", ctype)
                .body(body)
                .send()
        };

        // Undeclared length over the 1 MiB limit: cut off while reading.
        assert_eq!(
            chunked_post(&app, &token, 3 << 20).await,
            413,
            "{b:?} chunked"
        );

        // Deep nesting, in a field and at the top.
        let deep = format!(
            "{{\"title\": {}1{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let p = problem(
            raw("application/json", deep.into_bytes()).await.unwrap(),
            400,
        )
        .await;
        assert!(
            p["detail"].as_str().unwrap().contains("nested too deeply"),
            "{b:?} {p}"
        );
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        problem(
            raw("application/json", deep.into_bytes()).await.unwrap(),
            400,
        )
        .await;

        // Invalid UTF-8 in JSON, as raw bytes and as an overlong/surrogate escape.
        let p = problem(
            raw("application/json", b"{\"title\": \"ok \xff\xfe\"}".to_vec())
                .await
                .unwrap(),
            400,
        )
        .await;
        assert!(p["detail"].as_str().unwrap().contains("UTF-8"), "{b:?} {p}");
        let r = raw("application/json", br#"{"title": "\ud800"}"#.to_vec())
            .await
            .unwrap();
        assert!(
            matches!(r.status().as_u16(), 400 | 422),
            "{b:?} lone surrogate: {}",
            r.status()
        );

        // Not JSON at all, and JSON that is not an object.
        problem(raw("text/plain", b"title=x".to_vec()).await.unwrap(), 400).await;
        problem(
            raw("application/json", b"[1,2,3]".to_vec()).await.unwrap(),
            422,
        )
        .await;

        // Invalid UTF-8 in a query string and in a form (pages) body.
        let r = api.get("/api/v1/tasks?q=%FF%FE").await;
        let p = problem(r, 400).await;
        assert!(p["detail"].as_str().unwrap().contains("UTF-8"), "{b:?} {p}");
        let r = api
            .req(reqwest::Method::POST, "/tasks")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"title=%FF%FE&priority=high".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{b:?} form");
        let r = api
            .req(reqwest::Method::POST, "/tasks")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"title=\xff\xfe&priority=high".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{b:?} raw form");

        // The server is unharmed and nothing was written.
        assert_eq!(api.get("/readyz").await.status(), 200);
        assert_eq!(task_count(&api).await, 0, "{b:?}: nothing half-written");
        app.stop().await;
    }
}
