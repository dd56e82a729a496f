//! `opsdesk migrate-data`: an installation grown on SQLite moves to PostgreSQL with every table
//! and id intact, verified; the app on PostgreSQL then shows the same data and continues the ids;
//! a non-empty target is refused unless `--force`.
use super::harness::{Install, Node};
use db::Backend;
use serde_json::{Value, json};

/// Every item of a list, through its cursor pages, ordered by id (the backends may sort text
/// differently; the set must be the same).
async fn all(node: &Node, token: &str, path: &str) -> Vec<Value> {
    let c = reqwest::Client::new();
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{}{path}?limit=100", node.base);
        if let Some(cur) = &cursor {
            url.push_str(&format!("&cursor={cur}"));
        }
        let r = c.get(url).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let page: Value = r.json().await.unwrap();
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    items.sort_by_key(|v| v["id"].as_i64());
    items
}

async fn create_task(node: &Node, token: &str, title: &str) -> i64 {
    let r = reqwest::Client::new()
        .post(node.url("/api/v1/tasks"))
        .bearer_auth(token)
        .header("Idempotency-Key", db::random_hex(8))
        .json(&json!({"title": title, "priority": "high", "estimate_hours": 2.75}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn count(inst: &Install) -> i64 {
    let db = inst.open_db().await;
    let n = db
        .read()
        .await
        .unwrap()
        .count("SELECT COUNT(*) AS n FROM tasks", &[])
        .await
        .unwrap();
    db.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_data_moves_every_table_with_ids_and_refuses_a_non_empty_target() {
    let src = Install::new(Backend::Sqlite, false).await;
    let token = src.admin_token("mover").await;
    src.ok(&["demo"], None).await;
    // Some history through the API too: idempotency keys, audit events, a version bump.
    let node = src.serve(&[]).await;
    let id = create_task(&node, &token, "迁移前 before the move").await;
    let r = reqwest::Client::new()
        .get(node.url(&format!("/api/v1/tasks/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = reqwest::Client::new()
        .patch(node.url(&format!("/api/v1/tasks/{id}")))
        .bearer_auth(&token)
        .header("If-Match", etag)
        .json(&json!({"status": "doing"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut node = node;
    node.terminate().await;

    let dst = Install::new(Backend::Postgres, false).await;
    let to = dst.db_url.clone().unwrap();
    let from = format!("sqlite:{}", src.sqlite_file().display());
    let out = src
        .ok(&["migrate-data", "--from", &from, "--to", &to], None)
        .await;
    assert!(out.contains("copied and verified"), "{out}");
    for table in [
        "users",
        "api_tokens",
        "departments",
        "people",
        "tasks",
        "audit_events",
    ] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(table))
            .unwrap_or_else(|| panic!("{table} in the report:\n{out}"));
        let rows: i64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert!(rows > 0, "{line}");
    }

    // The app on each database shows the same records with the same ids (the token moved too).
    let mut on_sqlite = src.serve(&[]).await;
    let mut on_pg = dst.serve(&[]).await;
    for path in [
        "/api/v1/tasks",
        "/api/v1/departments",
        "/api/v1/people",
        "/api/v1/users",
    ] {
        let a = all(&on_sqlite, &token, path).await;
        let b = all(&on_pg, &token, path).await;
        assert!(!a.is_empty(), "{path}");
        assert_eq!(a, b, "{path} differs after the move");
    }
    let h = |n: &Node| {
        let url = n.url(&format!("/api/v1/tasks/{id}/history"));
        let token = token.clone();
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(h(&on_sqlite).await, h(&on_pg).await, "history moved");
    // Ids continue where SQLite would have continued.
    let next_sqlite = create_task(&on_sqlite, &token, "after").await;
    let next_pg = create_task(&on_pg, &token, "after").await;
    assert_eq!(next_sqlite, next_pg);
    on_sqlite.terminate().await;
    on_pg.terminate().await;

    // The target now holds data: refused without --force, and nothing changes.
    let before = count(&dst).await;
    let (ok, _, err) = src
        .run(&["migrate-data", "--from", &from, "--to", &to], None)
        .await;
    assert!(!ok, "a non-empty target was overwritten");
    assert!(
        err.contains("not empty") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(count(&dst).await, before);

    // --force replaces it with the source's data exactly (the task made on PostgreSQL is gone,
    // the one made on SQLite arrives).
    let out = src
        .ok(
            &["migrate-data", "--from", &from, "--to", &to, "--force"],
            None,
        )
        .await;
    assert!(out.contains("copied and verified"), "{out}");
    assert_eq!(count(&dst).await, count(&src).await);

    // Bad arguments are named.
    let (ok, _, err) = src
        .run(
            &[
                "migrate-data",
                "--from",
                "sqlite:/nonexistent/x.db",
                "--to",
                &to,
            ],
            None,
        )
        .await;
    assert!(!ok && err.contains("does not exist"), "{err}");
    let (ok, _, err) = src
        .run(&["migrate-data", "--from", &to, "--to", &from], None)
        .await;
    assert!(!ok && err.contains("--from must be sqlite:PATH"), "{err}");
    src.cleanup().await;
    dst.cleanup().await;
}
