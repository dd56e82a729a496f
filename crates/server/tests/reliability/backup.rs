//! Online backup while clients write, restore of each copy, and restores refused for files that
//! are not sound opsdesk databases — all through the real binary's command line.
use super::harness::{Install, file_digest};
use super::load::write_until;
use db::Backend;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A backup is consistent when every task in it has the idempotency key and the audit event
/// written in the same transaction (a torn copy would hold one without the other).
async fn torn_writes(db: &db::Db) -> (i64, Vec<String>) {
    let mut tx = db.read().await.unwrap();
    let n = tx
        .count(
            "SELECT COUNT(*) AS n FROM tasks WHERE title LIKE 'crash-%'",
            &[],
        )
        .await
        .unwrap();
    let rows = tx
        .fetch_all(
            "SELECT t.id FROM tasks t WHERE t.title LIKE 'crash-%' AND (\
               NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.response = CAST(t.id AS TEXT)) \
               OR NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.entity_id = t.id AND a.action = 'task.create'))",
            &[],
        )
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| format!("task {} lacks its key or audit event", r.i64("id").unwrap()))
        .collect();
    let ok = tx
        .fetch_one("PRAGMA integrity_check", &[])
        .await
        .unwrap()
        .string("integrity_check")
        .unwrap();
    if ok != "ok" {
        out.push(format!("integrity_check: {ok}"));
    }
    (n, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_under_write_load_restores_and_corrupt_files_are_refused() {
    let inst = Install::new(Backend::Sqlite, false).await;
    let token = inst.admin_token("backup-admin").await;
    let mut node = inst.serve(&[]).await;
    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(write_until(
        node.base.clone(),
        token.clone(),
        "bk".into(),
        6,
        stop.clone(),
    ));
    let mut backups = Vec::new();
    for i in 0..3 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let file = inst.dir.join(format!("backup-{i}.db"));
        let out = inst.ok(&["backup", file.to_str().unwrap()], None).await;
        assert!(out.contains("backup written"), "{out}");
        backups.push(file);
    }
    stop.store(true, Ordering::SeqCst);
    let ledger = load.await.unwrap();
    assert!(
        ledger.refused.is_empty(),
        "writes refused during backups: {:?}",
        ledger.refused
    );
    assert!(node.terminate().await.success());

    // Each copy restores into a fresh installation that serves it.
    let mut previous = 0;
    for file in &backups {
        let restored = Install::new(Backend::Sqlite, false).await;
        let out = restored
            .ok(&["restore", file.to_str().unwrap()], None)
            .await;
        assert!(out.contains("restored"), "{out}");
        let db = restored.open_db().await;
        let (n, torn) = torn_writes(&db).await;
        db.close().await;
        assert!(torn.is_empty(), "{}: {torn:?}", file.display());
        assert!(
            n > previous,
            "each later backup holds more tasks ({n} after {previous})"
        );
        previous = n;
        let mut served = restored.serve(&[]).await;
        let r = reqwest::Client::new()
            .get(served.url("/api/v1/tasks?limit=1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "the restored copy serves the same accounts"
        );
        served.terminate().await;
        restored.cleanup().await;
    }

    // Refused: a truncated copy, a copy with garbage over its pages, a text file, a database
    // that is not opsdesk's. The installation being restored into stays as it was.
    let victim = Install::new(Backend::Sqlite, false).await;
    victim.ok(&["migrate"], None).await;
    let before = file_digest(&victim.sqlite_file());
    let good = std::fs::read(&backups[2]).unwrap();
    let page = 4096;
    let mut truncated = good.clone();
    truncated.truncate(good.len() / 2 / page * page + 100);
    let mut garbage = good.clone();
    for (i, b) in garbage.iter_mut().enumerate().skip(page) {
        if i % page < 1024 {
            *b = (i * 7 % 251) as u8;
        }
    }
    let not_opsdesk = {
        let p = inst.dir.join("other.db");
        let other = db::Db::connect(&db::DbConfig {
            url: Some(format!("sqlite:{}", p.display())),
            ..Default::default()
        })
        .await
        .unwrap();
        other
            .raw("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
            .await
            .unwrap();
        other.close().await;
        std::fs::read(&p).unwrap()
    };
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("truncated", truncated, ""),
        ("garbage", garbage, ""),
        (
            "text",
            b"name,title\nalice,hello\n".to_vec(),
            "not an SQLite database",
        ),
        ("foreign", not_opsdesk, "not an opsdesk database"),
    ];
    for (name, bytes, expect) in cases {
        let f = inst.dir.join(format!("bad-{name}.db"));
        std::fs::write(&f, bytes).unwrap();
        let (ok, out, err) = victim.run(&["restore", f.to_str().unwrap()], None).await;
        assert!(!ok, "{name}: restore accepted a bad file: {out}");
        assert!(err.contains("restore refused"), "{name}: {err}");
        assert!(err.contains(expect), "{name}: expected {expect:?} in {err}");
        assert_eq!(
            file_digest(&victim.sqlite_file()),
            before,
            "{name}: the database was touched"
        );
    }
    victim.cleanup().await;

    // PostgreSQL installations are pointed to pg_dump, clearly.
    let pg = Install::new(Backend::Postgres, false).await;
    let (ok, _, err) = pg
        .run(&["backup", inst.dir.join("pg.db").to_str().unwrap()], None)
        .await;
    assert!(!ok && err.contains("pg_dump"), "{err}");
    pg.cleanup().await;
    inst.cleanup().await;
}
