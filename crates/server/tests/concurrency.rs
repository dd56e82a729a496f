//! Concurrent edits and duplicate creates: two writers on one version → one wins, the other gets
//! 412 and nothing is silently overwritten; the same Idempotency-Key sent at once → one record.
use crate::common::*;
use kernel::Role;
use serde_json::{Value, json};

/// Sends every request at once (each on its own task) and returns the answers in order.
async fn send_all(reqs: impl Iterator<Item = reqwest::RequestBuilder>) -> Vec<reqwest::Response> {
    let handles: Vec<_> = reqs.map(|r| tokio::spawn(r.send())).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap().unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_edits_one_wins_the_other_gets_412() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let other = app.api(&app.user_with_token("deputy", Role::Admin).await);
        let t: Value = admin
            .post("/api/v1/tasks", &json!({"title": "shared"}))
            .await
            .json()
            .await
            .unwrap();
        let path = format!("/api/v1/tasks/{}", t["id"]);
        for round in 0..10 {
            let etag = admin.get(&path).await.headers()["etag"]
                .to_str()
                .unwrap()
                .to_string();
            let (ba, bo) = (
                json!({"title": format!("boss {round}")}),
                json!({"title": format!("deputy {round}")}),
            );
            let (a, o) = tokio::join!(
                admin.patch(&path, &ba, Some(&etag)),
                other.patch(&path, &bo, Some(&etag)),
            );
            let (sa, so) = (a.status().as_u16(), o.status().as_u16());
            assert!(
                (sa, so) == (200, 412) || (sa, so) == (412, 200),
                "{b:?} round {round}: exactly one wins: {sa} {so}"
            );
            let winner = if sa == 200 { "boss" } else { "deputy" };
            let loser = if sa == 200 { o } else { a };
            problem(loser, 412).await;
            let now: Value = admin.get(&path).await.json().await.unwrap();
            assert_eq!(
                now["title"],
                format!("{winner} {round}"),
                "{b:?}: the winner's change stands, the loser's was not applied"
            );
        }
        // Many writers on one version: still exactly one success.
        let etag = admin.get(&path).await.headers()["etag"]
            .to_str()
            .unwrap()
            .to_string();
        let rs = send_all((0..8).map(|i| {
            let who = if i % 2 == 0 { &admin } else { &other };
            who.req(reqwest::Method::PATCH, &path)
                .header("If-Match", &etag)
                .json(&json!({"description": format!("writer {i}")}))
        }))
        .await;
        let ok = rs.iter().filter(|r| r.status() == 200).count();
        let stale = rs.iter().filter(|r| r.status() == 412).count();
        assert_eq!((ok, stale), (1, 7), "{b:?}");
        let hist: Value = admin
            .get(&format!("{path}/history"))
            .await
            .json()
            .await
            .unwrap();
        let descr_changes = hist["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["after"].to_string().contains("writer"))
            .count();
        assert_eq!(descr_changes, 1, "{b:?}: one change audited, not eight");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_posts_with_one_idempotency_key_create_one_record() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        for round in 0..5 {
            let key = format!("dup-{round}");
            let title = format!("once {round}");
            let rs = send_all((0..8).map(|_| {
                admin
                    .req(reqwest::Method::POST, "/api/v1/tasks")
                    .header("Idempotency-Key", &key)
                    .json(&json!({"title": title}))
            }))
            .await;
            let mut ids = Vec::new();
            for r in rs {
                match r.status().as_u16() {
                    201 => ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()),
                    // The same key still being processed by a sibling request.
                    409 => {
                        problem(r, 409).await;
                    }
                    s => panic!("{b:?}: unexpected {s} for a duplicate create"),
                }
            }
            assert!(
                !ids.is_empty(),
                "{b:?}: at least one answer carries the record"
            );
            ids.sort();
            ids.dedup();
            assert_eq!(
                ids.len(),
                1,
                "{b:?}: every 201 names the same task: {ids:?}"
            );
            // A retry after the dust settles replays the same record.
            let r = admin
                .req(reqwest::Method::POST, "/api/v1/tasks")
                .header("Idempotency-Key", &key)
                .json(&json!({"title": title}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            assert_eq!(
                r.json::<Value>().await.unwrap()["id"].as_i64(),
                Some(ids[0])
            );
            let list: Value = admin
                .get(&format!("/api/v1/tasks?q={}", title.replace(' ', "+")))
                .await
                .json()
                .await
                .unwrap();
            let same: Vec<_> = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["title"] == title.as_str())
                .collect();
            assert_eq!(same.len(), 1, "{b:?}: exactly one task was created");
        }
        app.stop().await;
    }
}
