//! Runs the real `opsdesk` binary as a child process: built once per test run (a second variant
//! with the `fault-injection` feature for negative controls), on a fresh SQLite directory or
//! PostgreSQL database, configured and administered only through its command line.
use db::Backend;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};

pub use super::opsdesk_bin::opsdesk_bin;

/// One opsdesk installation: a binary, a data directory and (optionally) a PostgreSQL database.
pub struct Install {
    pub bin: PathBuf,
    pub dir: PathBuf,
    pub db_url: Option<String>,
    pg_name: Option<String>,
    pub env: Vec<(String, String)>,
}

impl Install {
    pub async fn new(backend: Backend, faults: bool) -> Install {
        let bin = tokio::task::spawn_blocking(move || opsdesk_bin(faults))
            .await
            .unwrap();
        let dir = std::env::temp_dir().join(format!("opsdesk-rel-{}", db::random_hex(6)));
        std::fs::create_dir_all(&dir).unwrap();
        let (db_url, pg_name) = if backend == Backend::Postgres {
            let name = format!("opsdesk_rel_{}", db::random_hex(6));
            (
                Some(db::testing::create_pg_database(&name).await),
                Some(name),
            )
        } else {
            (None, None)
        };
        Install {
            bin,
            dir,
            db_url,
            pg_name,
            env: Vec::new(),
        }
    }

    /// An installation on a database someone else manages (e.g. a throw-away cluster).
    pub fn on_url(bin: PathBuf, url: String) -> Install {
        let dir = std::env::temp_dir().join(format!("opsdesk-rel-{}", db::random_hex(6)));
        std::fs::create_dir_all(&dir).unwrap();
        Install {
            bin,
            dir,
            db_url: Some(url),
            pg_name: None,
            env: Vec::new(),
        }
    }

    pub fn sqlite_file(&self) -> PathBuf {
        self.dir.join("opsdesk.db")
    }

    fn command(&self) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(&self.bin);
        c.arg("--data-dir").arg(&self.dir);
        if let Some(u) = &self.db_url {
            c.arg("--database-url").arg(u);
        }
        c.env_remove("OPSDESK_DATABASE_URL")
            .env_remove("OPSDESK_DATA_DIR")
            .env_remove("OPSDESK_CONFIG");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c.kill_on_drop(true);
        c
    }

    /// Runs a command line to completion: (success, stdout, stderr).
    pub async fn run(&self, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
        use tokio::io::AsyncWriteExt;
        let mut c = self.command();
        c.args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().expect("opsdesk starts");
        let mut pipe = child.stdin.take().unwrap();
        if let Some(s) = stdin {
            pipe.write_all(s.as_bytes()).await.unwrap();
        }
        drop(pipe);
        let out = child.wait_with_output().await.unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Like `run`, but the command must succeed; returns its stdout.
    pub async fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let (ok, out, err) = self.run(args, stdin).await;
        assert!(ok, "opsdesk {args:?} failed:\n{out}\n{err}");
        out
    }

    /// Creates an admin account through the CLI and returns a personal API token for it.
    pub async fn admin_token(&self, username: &str) -> String {
        self.ok(
            &[
                "user",
                "create",
                username,
                "--role",
                "admin",
                "--password-stdin",
            ],
            Some("correct horse battery staple"),
        )
        .await;
        self.ok(&["token", "create", username], None)
            .await
            .trim()
            .to_string()
    }

    /// Starts `opsdesk serve` on a free port and waits until it says it is ready.
    pub async fn serve(&self, extra: &[&str]) -> Node {
        let log = self.dir.join(format!("serve-{}.log", db::random_hex(3)));
        let mut c = self.command();
        c.args(["serve", "--bind", "127.0.0.1:0", "--log-level", "warn"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut child = c.spawn().expect("opsdesk serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            match lines.next_line().await.unwrap() {
                Some(l) => {
                    if let Some(rest) = l.strip_prefix("opsdesk is ready on ") {
                        break rest.trim().to_string();
                    }
                }
                None => panic!(
                    "opsdesk serve exited before it was ready:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                ),
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Node { child, base }
    }

    /// Opens the installation's database directly (for checks after the server is gone).
    pub async fn open_db(&self) -> db::Db {
        let cfg = db::DbConfig {
            url: Some(
                self.db_url
                    .clone()
                    .unwrap_or_else(|| format!("sqlite:{}", self.sqlite_file().display())),
            ),
            data_dir: self.dir.clone(),
            pg_pool_size: 2,
            ..Default::default()
        };
        db::Db::connect(&cfg).await.expect("database opens")
    }

    pub async fn cleanup(mut self) {
        if let Some(name) = self.pg_name.take() {
            db::testing::drop_pg_database(&name).await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A running `opsdesk serve`.
pub struct Node {
    child: tokio::process::Child,
    pub base: String,
}

impl Node {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// SIGKILL: no shutdown code runs, exactly like a power cut for the process.
    pub async fn kill(&mut self) {
        self.child.start_kill().expect("kill");
        self.child.wait().await.expect("reaped");
    }

    /// SIGTERM and wait for the exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        signal(self.pid(), "TERM");
        self.child.wait().await.expect("reaped")
    }
}

pub fn signal(pid: u32, sig: &str) {
    let s = std::process::Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(s.success(), "kill -{sig} {pid}");
}

/// A random number in `0..n` (no RNG dependency: the OS source via db::random_hex).
pub fn random_below(n: u64) -> u64 {
    u64::from_str_radix(&db::random_hex(8), 16).unwrap() % n.max(1)
}

pub fn file_digest(p: &Path) -> String {
    db::digest_bytes(&std::fs::read(p).unwrap())
}
