//! Scale-out: two `opsdesk serve` processes on one PostgreSQL database behave as one service —
//! a session made on one node works (and ends) on the other, login throttling counts failures
//! from both, and each periodic job runs exactly once per period across the two.
use super::harness::{Install, Node};
use db::Backend;
use reqwest::Client;
use serde_json::json;
use std::time::Duration;

const T0: i64 = 1_780_000_000_000;

fn form_token(html: &str) -> String {
    let i = html
        .find("name=\"_csrf\" value=\"")
        .expect("a CSRF field in the form")
        + 20;
    html[i..].split('"').next().unwrap().to_string()
}

fn plain() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts the sign-in form on `node` (anonymous CSRF cookie and token from its login page);
/// returns the status and the session cookie if one was set.
async fn login(node: &Node, username: &str, password: &str) -> (u16, Option<String>) {
    let c = plain();
    let r = c.get(node.url("/login")).send().await.unwrap();
    let anon = cookie(&r, "opsdesk_csrf").expect("an anonymous CSRF cookie");
    let token = form_token(&r.text().await.unwrap());
    let r = c
        .post(node.url("/login"))
        .header("cookie", format!("opsdesk_csrf={anon}"))
        .form(&[
            ("username", username),
            ("password", password),
            ("_csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), cookie(&r, "opsdesk_session"))
}

fn cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap().to_string())
        .filter(|v| !v.is_empty())
}

async fn me(node: &Node, session: &str) -> u16 {
    plain()
        .get(node.url("/api/v1/me"))
        .header("cookie", format!("opsdesk_session={session}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn runs(inst: &Install) -> Vec<(String, i64, String)> {
    let db = inst.open_db().await;
    let rows = db
        .read()
        .await
        .unwrap()
        .fetch_all(
            "SELECT name, started_at, holder FROM job_runs ORDER BY name, started_at",
            &[],
        )
        .await
        .unwrap();
    db.close().await;
    rows.iter()
        .map(|r| {
            (
                r.string("name").unwrap(),
                r.i64("started_at").unwrap(),
                r.string("holder").unwrap(),
            )
        })
        .collect()
}

/// Waits until every job has `per_job` runs (or more), then lets both nodes tick many more
/// times, so a second run in the same period would have happened.
async fn settled_runs(inst: &Install, per_job: usize) -> Vec<(String, i64, String)> {
    loop {
        let r = runs(inst).await;
        let min = server::job_names()
            .iter()
            .map(|j| r.iter().filter(|x| x.0 == *j).count())
            .min()
            .unwrap();
        if min >= per_job {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(30 * 20)).await;
    runs(inst).await
}

async fn advance(node: &Node, ms: i64) {
    let r = plain()
        .post(node.url("/test/clock"))
        .json(&json!({ "advance_ms": ms }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_share_sessions_throttling_and_run_each_job_once() {
    let inst = Install::new(Backend::Postgres, false).await;
    inst.admin_token("alice").await;
    inst.ok(
        &[
            "user",
            "create",
            "bob",
            "--role",
            "member",
            "--password-stdin",
        ],
        Some("correct horse battery staple"),
    )
    .await;
    let flags = ["--test-clock", &T0.to_string(), "--test-job-tick-ms", "30"].map(String::from);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut a = inst.serve(&flags).await;
    let mut b = inst.serve(&flags).await;

    // A session made on A works on B, and signing out on B ends it on A.
    let (status, session) = login(&a, "alice", "correct horse battery staple").await;
    assert_eq!(status, 303);
    let session = session.expect("a session cookie");
    assert_eq!(me(&b, &session).await, 200, "node B knows A's session");
    let page = plain()
        .get(b.url("/"))
        .header("cookie", format!("opsdesk_session={session}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = plain()
        .post(b.url("/logout"))
        .header("cookie", format!("opsdesk_session={session}"))
        .form(&[("_csrf", form_token(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(me(&a, &session).await, 401, "signed out on B → gone on A");

    // Failed sign-ins count across nodes: 5 on A + 5 on B reach the per-account-and-address
    // limit (10 per 15 minutes), so the next attempt is refused on either node.
    for i in 0..10 {
        let node = if i % 2 == 0 { &a } else { &b };
        let (status, _) = login(node, "bob", "wrong password").await;
        assert_eq!(status, 401, "failure {i}");
    }
    for node in [&a, &b] {
        let (status, session) = login(node, "bob", "correct horse battery staple").await;
        assert_eq!((status, session), (429, None), "the shared limit holds");
    }

    // Jobs: each runs once at start, then once per period across both nodes, whichever
    // node's clock reaches the period first.
    let first = settled_runs(&inst, 1).await;
    assert_eq!(
        first.len(),
        server::job_names().len(),
        "one run per job at start: {first:?}"
    );
    for round in 1..=3usize {
        advance(&a, 61 * 60_000).await;
        advance(&b, 61 * 60_000).await;
        let r = settled_runs(&inst, 1 + round).await;
        // Every period is at most an hour, so each jump of 61 minutes makes each job due once.
        for job in server::job_names() {
            let n = r.iter().filter(|x| x.0 == job).count();
            assert_eq!(n, 1 + round, "{job} after {round} periods: {r:?}");
        }
    }
    let all = runs(&inst).await;
    let holders: std::collections::BTreeSet<&str> = all.iter().map(|r| r.2.as_str()).collect();
    eprintln!("job runs were taken by {} node(s)", holders.len());
    a.terminate().await;
    b.terminate().await;
    inst.cleanup().await;
}
