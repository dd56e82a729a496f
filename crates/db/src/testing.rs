//! Throw-away databases for tests: a temporary SQLite file, or a uniquely named PostgreSQL
//! database (from `OPSDESK_TEST_PG_URL`, default the local server) dropped when the guard goes.
use crate::{Backend, Db, DbConfig};
use std::path::PathBuf;

pub const DEFAULT_PG_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn pg_admin_url() -> String {
    std::env::var("OPSDESK_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_ADMIN_URL.to_string())
}

/// A migrated, empty database that removes itself when dropped.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    pg_name: Option<String>,
    dir: Option<PathBuf>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let t = Self::empty(backend).await;
        crate::migrate::run(&t.db).await.expect("migrations apply");
        t
    }

    /// Like `new` but without running migrations.
    pub async fn empty(backend: Backend) -> TestDb {
        match backend {
            Backend::Sqlite => {
                let dir =
                    std::env::temp_dir().join(format!("opsdesk-test-{}", crate::random_hex(8)));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite:{}", dir.join("opsdesk.db").display());
                let cfg = DbConfig {
                    url: Some(url.clone()),
                    data_dir: dir.clone(),
                    ..DbConfig::default()
                };
                let db = Db::connect(&cfg).await.expect("sqlite opens");
                TestDb {
                    db,
                    url,
                    pg_name: None,
                    dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let name = format!("opsdesk_test_{}", crate::random_hex(6));
                let url = create_pg_database(&name).await;
                let cfg = DbConfig {
                    url: Some(url.clone()),
                    pg_pool_size: 8,
                    ..DbConfig::default()
                };
                let db = Db::connect(&cfg)
                    .await
                    .expect("postgres test database opens");
                TestDb {
                    db,
                    url,
                    pg_name: Some(name),
                    dir: None,
                }
            }
        }
    }
}

/// Creates a database next to the admin URL's and returns its URL.
pub async fn create_pg_database(name: &str) -> String {
    let admin = pg_admin_url();
    let cfg = DbConfig {
        url: Some(admin.clone()),
        pg_pool_size: 1,
        ..DbConfig::default()
    };
    let db = Db::connect(&cfg)
        .await
        .expect("PostgreSQL at OPSDESK_TEST_PG_URL answers");
    db.raw(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    db.close().await;
    match admin.rfind('/') {
        Some(i) => format!("{}/{name}", &admin[..i]),
        None => panic!("OPSDESK_TEST_PG_URL has no database part"),
    }
}

/// Drops a database created by `create_pg_database` (connections are forced off).
pub async fn drop_pg_database(name: &str) {
    let cfg = DbConfig {
        url: Some(pg_admin_url()),
        pg_pool_size: 1,
        ..DbConfig::default()
    };
    if let Ok(db) = Db::connect(&cfg).await {
        let _ = db
            .raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        db.close().await;
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.take() {
            // Drop runs outside async; a short-lived runtime on its own thread does the cleanup.
            // The pool belongs to the test's runtime and is not closed from here (that can wait
            // forever on a connection being returned); `WITH (FORCE)` ends its connections.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(drop_pg_database(&name));
                }
            })
            .join();
        }
    }
}

/// Both backends, for tests that must hold on each.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];
