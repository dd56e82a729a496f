//! Concurrent writers that keep a ledger of what the server acknowledged, and the checks that
//! compare the ledger with what the database holds.
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What the clients know: writes the server acknowledged (key → task id) and writes whose fate is
/// unknown (the connection broke before an answer), to be retried with the same key.
#[derive(Default)]
pub struct Ledger {
    pub acked: HashMap<String, i64>,
    pub in_doubt: Vec<String>,
    /// Other answers (5xx while the database is away, etc.): not acknowledged, not in doubt.
    pub refused: Vec<(String, u16)>,
}

/// The body of the create for an idempotency key: the title carries the key, so duplicates show.
pub fn body(key: &str) -> Value {
    json!({"title": format!("crash-{key}"), "priority": "medium", "status": "todo"})
}

pub enum Outcome {
    Acked(i64),
    Refused(u16),
    /// Sent, but no complete answer came back: it may or may not have been stored.
    InDoubt,
    /// Never sent (no server listening): certainly not stored.
    NotSent,
}

pub async fn create(client: &reqwest::Client, base: &str, token: &str, key: &str) -> Outcome {
    let r = client
        .post(format!("{base}/api/v1/tasks"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body(key))
        .send()
        .await;
    match r {
        Err(e) if e.is_connect() => Outcome::NotSent,
        Err(_) => Outcome::InDoubt,
        Ok(r) => {
            let status = r.status().as_u16();
            if status == 200 || status == 201 {
                // An acknowledgement is the whole answer: a body cut short is still in doubt.
                match r.json::<Value>().await {
                    Ok(v) => Outcome::Acked(v["id"].as_i64().expect("created task has an id")),
                    Err(_) => Outcome::InDoubt,
                }
            } else {
                Outcome::Refused(status)
            }
        }
    }
}

/// Runs `writers` concurrent clients creating tasks until `stop` is set; returns their ledger.
pub async fn write_until(
    base: String,
    token: String,
    prefix: String,
    writers: usize,
    stop: Arc<AtomicBool>,
) -> Ledger {
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let client = reqwest::Client::new();
    let mut handles = Vec::new();
    for w in 0..writers {
        let (base, token, prefix, stop, ledger, client) = (
            base.clone(),
            token.clone(),
            prefix.clone(),
            stop.clone(),
            ledger.clone(),
            client.clone(),
        );
        handles.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let key = format!("{prefix}-w{w}-{n}-{}", db::random_hex(4));
                let outcome = create(&client, &base, &token, &key).await;
                let server_gone = matches!(outcome, Outcome::InDoubt | Outcome::NotSent);
                {
                    let mut l = ledger.lock().unwrap();
                    match outcome {
                        Outcome::Acked(id) => {
                            l.acked.insert(key, id);
                        }
                        Outcome::Refused(s) => l.refused.push((key, s)),
                        Outcome::InDoubt => l.in_doubt.push(key),
                        Outcome::NotSent => {}
                    }
                }
                if server_gone {
                    // The server is gone (or going): don't spin on refused connections.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    Arc::try_unwrap(ledger)
        .ok()
        .expect("writers are done")
        .into_inner()
        .unwrap()
}

/// Compares the ledger with the database: every acknowledged write present with its title, no
/// title twice, and (SQLite) the file passes `PRAGMA integrity_check`. Returns the violations.
pub async fn violations(db: &db::Db, acked: &HashMap<String, i64>) -> Vec<String> {
    let mut out = Vec::new();
    let mut tx = db.read().await.expect("read");
    let rows = tx
        .fetch_all(
            "SELECT id, title FROM tasks WHERE title LIKE 'crash-%'",
            &[],
        )
        .await
        .expect("tasks");
    let mut by_title: HashMap<String, Vec<i64>> = HashMap::new();
    for r in &rows {
        by_title
            .entry(r.string("title").unwrap())
            .or_default()
            .push(r.i64("id").unwrap());
    }
    for (key, id) in acked {
        match by_title.get(&format!("crash-{key}")) {
            None => out.push(format!("acknowledged write {key} (task {id}) is missing")),
            Some(ids) if !ids.contains(id) => out.push(format!(
                "acknowledged write {key}: task {id} missing, found {ids:?}"
            )),
            Some(_) => {}
        }
    }
    for (title, ids) in &by_title {
        if ids.len() > 1 {
            out.push(format!("{title} stored {} times: {ids:?}", ids.len()));
        }
    }
    if db.backend() == db::Backend::Sqlite {
        let ok = tx
            .fetch_one("PRAGMA integrity_check", &[])
            .await
            .and_then(|r| r.string("integrity_check"))
            .unwrap_or_else(|e| e.to_string());
        if ok != "ok" {
            out.push(format!("integrity_check: {ok}"));
        }
    }
    out
}
