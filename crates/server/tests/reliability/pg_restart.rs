//! PostgreSQL goes away under load and comes back: opsdesk answers 503 quickly while it is gone,
//! recovers by itself (no restart of opsdesk) and loses no acknowledged write. The test runs its
//! own throw-away cluster (initdb/pg_ctl on a free port), never the machine's shared server.
use super::harness::{Install, opsdesk_bin};
use super::load::{Outcome, create, violations, write_until};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A PostgreSQL cluster in a temporary directory, stopped and removed on drop.
struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

fn pg_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("pg_ctl").exists() && p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    /// PostgreSQL refuses to run as root: then the cluster belongs to the `postgres` account.
    fn cmd(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn try_run(&self, tool: &str, args: &[&str]) -> Result<(), String> {
        let out = self.cmd(tool).args(args).output().expect("pg tool runs");
        if out.status.success() {
            return Ok(());
        }
        Err(format!(
            "{tool} {args:?}: {}{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("pg.log")).unwrap_or_default()
        ))
    }

    fn run(&self, tool: &str, args: &[&str]) {
        if let Err(e) = self.try_run(tool, args) {
            panic!("{e}");
        }
    }

    fn start_new(bin: PathBuf) -> Cluster {
        let dir = std::env::temp_dir().join(format!("opsdesk-pgc-{}", db::random_hex(4)));
        std::fs::create_dir_all(&dir).unwrap();
        if is_root() {
            assert!(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&dir)
                    .status()
                    .unwrap()
                    .success()
            );
        }
        let mut c = Cluster { bin, dir, port: 0 };
        let data = c.dir.join("data");
        c.run(
            "initdb",
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        // A free port can be taken by someone else before PostgreSQL binds it: try another.
        let mut last = String::new();
        for _ in 0..5 {
            c.port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            match c.try_pg_ctl(&["start"]) {
                Ok(()) => return c,
                Err(e) => last = e,
            }
        }
        panic!("the throw-away cluster did not start: {last}");
    }

    fn pg_ctl(&self, action: &[&str]) {
        if let Err(e) = self.try_pg_ctl(action) {
            panic!("{e}");
        }
    }

    /// `-t 300`: a loaded CI machine can take longer than pg_ctl's default minute to recover.
    fn try_pg_ctl(&self, action: &[&str]) -> Result<(), String> {
        let data = self.dir.join("data");
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("pg.log");
        let mut args = vec![
            "-D",
            data.to_str().unwrap(),
            "-w",
            "-t",
            "300",
            "-l",
            log.to_str().unwrap(),
        ];
        args.extend_from_slice(action);
        if action[0] != "stop" && action.last() != Some(&"stop") {
            args.extend_from_slice(&["-o", &opts]);
        }
        self.try_run("pg_ctl", &args)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self
            .cmd("pg_ctl")
            .args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_fails_fast_recovers_and_loses_nothing() {
    let Some(pg_bin) = pg_bin_dir() else {
        eprintln!(
            "SKIPPED: no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)"
        );
        return;
    };
    let cluster = Cluster::start_new(pg_bin);
    let bin = tokio::task::spawn_blocking(|| opsdesk_bin(false))
        .await
        .unwrap();
    let inst = Install::on_url(bin, cluster.url());
    let token = inst.admin_token("pg-admin").await;
    let node = inst.serve(&[]).await;
    let client = reqwest::Client::new();

    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(write_until(
        node.base.clone(),
        token.clone(),
        "pg1".into(),
        4,
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    cluster.pg_ctl(&["-m", "immediate", "stop"]);

    // During the outage: 503 problems. The first request finds out (within the pool's acquire
    // timeout, 3 s); from then on the circuit breaker answers at once.
    let t0 = Instant::now();
    let r = client.get(node.url("/readyz")).send().await.unwrap();
    let first = t0.elapsed();
    assert_eq!(r.status(), 503, "readyz during the outage");
    assert!(
        first < Duration::from_secs(4),
        "first answer took {first:?}"
    );
    let mut slowest = Duration::ZERO;
    for path in ["/readyz", "/api/v1/tasks?limit=5", "/api/v1/tasks"] {
        for _ in 0..3 {
            let t0 = Instant::now();
            let r = if path == "/api/v1/tasks" {
                client
                    .post(node.url(path))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", db::random_hex(8))
                    .json(&super::load::body("outage"))
                    .send()
                    .await
                    .unwrap()
            } else {
                client
                    .get(node.url(path))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap()
            };
            slowest = slowest.max(t0.elapsed());
            assert_eq!(r.status(), 503, "{path} during the outage");
            if path.starts_with("/api/") {
                assert_eq!(
                    r.headers().get("content-type").unwrap(),
                    "application/problem+json"
                );
            }
        }
    }
    assert!(
        slowest < Duration::from_secs(1),
        "answers during the outage took up to {slowest:?}"
    );
    stop.store(true, Ordering::SeqCst);
    let mut ledger = load.await.unwrap();

    // Back: opsdesk recovers by itself.
    cluster.pg_ctl(&["start"]);
    let t0 = Instant::now();
    loop {
        let r = client.get(node.url("/readyz")).send().await.unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(r.status() == 503, "readyz answered {}", r.status());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = t0.elapsed();

    // A second crash of the database, this time as `restart -m immediate` under load.
    let stop = Arc::new(AtomicBool::new(false));
    let load = tokio::spawn(write_until(
        node.base.clone(),
        token.clone(),
        "pg2".into(),
        4,
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(400)).await;
    cluster.pg_ctl(&["-m", "immediate", "restart"]);
    tokio::time::sleep(Duration::from_millis(400)).await;
    stop.store(true, Ordering::SeqCst);
    let second = load.await.unwrap();
    ledger.acked.extend(second.acked);
    ledger.in_doubt.extend(second.in_doubt);

    // Writes whose answer was lost are retried with their key: stored once either way.
    for key in std::mem::take(&mut ledger.in_doubt) {
        loop {
            match create(&client, &node.base, &token, &key).await {
                Outcome::Acked(id) => {
                    ledger.acked.insert(key, id);
                    break;
                }
                Outcome::Refused(503) | Outcome::InDoubt | Outcome::NotSent => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Outcome::Refused(s) => panic!("retry of {key} answered {s}"),
            }
        }
    }
    assert!(!ledger.acked.is_empty());
    let db = inst.open_db().await;
    let lost = violations(&db, &ledger.acked).await;
    db.close().await;
    assert!(lost.is_empty(), "{lost:?}");
    let refused503 = ledger.refused.iter().filter(|(_, s)| *s == 503).count();
    assert_eq!(
        refused503,
        ledger.refused.len(),
        "only 503 while the database was away: {:?}",
        ledger.refused
    );
    eprintln!(
        "PostgreSQL outage: first answer {first:?}, then at most {slowest:?}, ready again {recovered:?} after start, \
         {} writes acknowledged, {} refused with 503, none lost",
        ledger.acked.len(),
        refused503
    );
    let mut node = node;
    node.terminate().await;
    drop(cluster);
    inst.cleanup().await;
}
