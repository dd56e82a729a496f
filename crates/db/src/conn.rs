use crate::error::DbError;
use crate::lite::{self, LitePool};
use crate::row::{Row, Val};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, PgPool, Postgres};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the data lives. `url` is `postgres://…` for PostgreSQL; otherwise SQLite in `data_dir`.
#[derive(Clone)]
pub struct DbConfig {
    pub url: Option<String>,
    pub data_dir: PathBuf,
    /// `FULL` (default) makes an acknowledged commit survive power loss; `NORMAL` only a crash.
    pub sqlite_synchronous_full: bool,
    pub sqlite_readers: u32,
    pub pg_pool_size: u32,
    /// How long a request waits for a connection before failing fast with 503.
    pub acquire_timeout: Duration,
}

impl std::fmt::Debug for DbConfig {
    // The URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &self.url.as_deref().map(redact_url))
            .field("data_dir", &self.data_dir)
            .finish_non_exhaustive()
    }
}

impl Default for DbConfig {
    fn default() -> Self {
        Self {
            url: None,
            data_dir: PathBuf::from("data"),
            sqlite_synchronous_full: true,
            sqlite_readers: 8,
            pg_pool_size: 16,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

enum Inner {
    Sqlite { pool: LitePool, path: PathBuf },
    Pg { pool: PgPool },
}

/// The database handle; cheap to clone.
#[derive(Clone)]
pub struct Db(Arc<Inner>);

impl Db {
    pub async fn connect(cfg: &DbConfig) -> Result<Db, DbError> {
        match cfg.url.as_deref() {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let opts = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(cfg.pg_pool_size)
                    .acquire_timeout(cfg.acquire_timeout)
                    .connect_with(opts)
                    .await?;
                Ok(Db(Arc::new(Inner::Pg { pool })))
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = PathBuf::from(
                    url.trim_start_matches("sqlite://")
                        .trim_start_matches("sqlite:"),
                );
                Self::open_sqlite(path, cfg).await
            }
            Some(other) => Err(DbError::Other(format!(
                "unsupported database URL {}: use postgres://… or sqlite:PATH",
                redact_url(other)
            ))),
            None => {
                std::fs::create_dir_all(&cfg.data_dir).map_err(|e| {
                    DbError::Other(format!(
                        "cannot create data directory {}: {e}",
                        cfg.data_dir.display()
                    ))
                })?;
                Self::open_sqlite(cfg.data_dir.join("opsdesk.db"), cfg).await
            }
        }
    }

    async fn open_sqlite(path: PathBuf, cfg: &DbConfig) -> Result<Db, DbError> {
        let (p, readers, full, timeout) = (
            path.clone(),
            cfg.sqlite_readers,
            cfg.sqlite_synchronous_full,
            cfg.acquire_timeout,
        );
        let pool = tokio::task::spawn_blocking(move || LitePool::open(&p, readers, full, timeout))
            .await
            .map_err(|e| DbError::Other(format!("opening the database failed: {e}")))??;
        Ok(Db(Arc::new(Inner::Sqlite { pool, path })))
    }

    pub fn backend(&self) -> Backend {
        match &*self.0 {
            Inner::Sqlite { .. } => Backend::Sqlite,
            Inner::Pg { .. } => Backend::Postgres,
        }
    }

    /// The SQLite file, for backups.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        match &*self.0 {
            Inner::Sqlite { path, .. } => Some(path),
            Inner::Pg { .. } => None,
        }
    }

    /// A write transaction (`BEGIN IMMEDIATE` on SQLite's single writer).
    pub async fn write(&self) -> Result<Tx, DbError> {
        let inner = match &*self.0 {
            Inner::Sqlite { pool, .. } => TxInner::Sqlite(pool.write().await?),
            Inner::Pg { pool } => TxInner::Pg(pool.begin().await?),
        };
        Ok(Tx { inner })
    }

    /// A read connection in autocommit mode: each statement sees a consistent snapshot of its
    /// own. No BEGIN/COMMIT round trips — reads are the hot path (a list request makes several).
    pub async fn read(&self) -> Result<Tx, DbError> {
        let inner = match &*self.0 {
            Inner::Sqlite { pool, .. } => TxInner::SqliteConn(pool.read().await?),
            Inner::Pg { pool } => TxInner::PgConn(pool.acquire().await?),
        };
        Ok(Tx { inner })
    }

    /// Checks that the database answers (readiness).
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut tx = self.read().await?;
        tx.fetch_one("SELECT 1 AS one", &[]).await?;
        Ok(())
    }

    /// Pool figures for /metrics: (backend, size, idle).
    pub fn pool_stats(&self) -> Vec<(&'static str, u32, usize)> {
        match &*self.0 {
            Inner::Sqlite { pool, .. } => {
                let (ws, wi, rs, ri) = pool.stats();
                vec![("sqlite_writer", ws, wi), ("sqlite_readers", rs, ri)]
            }
            Inner::Pg { pool } => vec![("postgres", pool.size(), pool.num_idle())],
        }
    }

    /// Runs a multi-statement script outside a transaction (migrations, VACUUM INTO).
    pub async fn raw(&self, sql: &str) -> Result<(), DbError> {
        match &*self.0 {
            Inner::Sqlite { pool, .. } => pool.script(sql).await?,
            Inner::Pg { pool } => {
                sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }

    pub(crate) fn pg_pool(&self) -> Option<&PgPool> {
        match &*self.0 {
            Inner::Pg { pool } => Some(pool),
            Inner::Sqlite { .. } => None,
        }
    }

    pub async fn close(&self) {
        match &*self.0 {
            Inner::Sqlite { pool, .. } => pool.close(),
            Inner::Pg { pool } => pool.close().await,
        }
    }
}

enum TxInner {
    Sqlite(lite::WriteTx),
    Pg(sqlx::Transaction<'static, Postgres>),
    SqliteConn(lite::ReadConn),
    PgConn(sqlx::pool::PoolConnection<Postgres>),
}

/// A transaction on either backend; rolled back when dropped without `commit`.
pub struct Tx {
    inner: TxInner,
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Val::I64(v) => q.bind(*v),
                Val::F64(v) => q.bind(*v),
                Val::Text(v) => q.bind(v.clone()),
                Val::Bool(v) => q.bind(*v),
            };
        }
        q
    }};
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) | TxInner::SqliteConn(_) => Backend::Sqlite,
            TxInner::Pg(_) | TxInner::PgConn(_) => Backend::Postgres,
        }
    }

    pub async fn execute(&mut self, sql: &str, args: &[Val]) -> Result<u64, DbError> {
        let text = sql;
        let sql = || AssertSqlSafe(text.to_string());
        Ok(match &mut self.inner {
            TxInner::Sqlite(tx) => lite::execute(tx.conn(), text, args)?,
            TxInner::Pg(tx) => bind_all!(sqlx::query::<Postgres>(sql()), args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            TxInner::SqliteConn(c) => lite::execute(c.conn(), text, args)?,
            TxInner::PgConn(c) => bind_all!(sqlx::query::<Postgres>(sql()), args)
                .execute(&mut **c)
                .await?
                .rows_affected(),
        })
    }

    pub async fn fetch_all(&mut self, sql: &str, args: &[Val]) -> Result<Vec<Row>, DbError> {
        let text = sql;
        let sql = || AssertSqlSafe(text.to_string());
        Ok(match &mut self.inner {
            TxInner::Sqlite(tx) => lite::fetch_all(tx.conn(), text, args)?,
            TxInner::Pg(tx) => bind_all!(sqlx::query::<Postgres>(sql()), args)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect(),
            TxInner::SqliteConn(c) => lite::fetch_all(c.conn(), text, args)?,
            TxInner::PgConn(c) => bind_all!(sqlx::query::<Postgres>(sql()), args)
                .fetch_all(&mut **c)
                .await?
                .into_iter()
                .map(Row::Pg)
                .collect(),
        })
    }

    pub async fn fetch_opt(&mut self, sql: &str, args: &[Val]) -> Result<Option<Row>, DbError> {
        let text = sql;
        let sql = || AssertSqlSafe(text.to_string());
        Ok(match &mut self.inner {
            TxInner::Sqlite(tx) => lite::fetch_opt(tx.conn(), text, args)?,
            TxInner::Pg(tx) => bind_all!(sqlx::query::<Postgres>(sql()), args)
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Pg),
            TxInner::SqliteConn(c) => lite::fetch_opt(c.conn(), text, args)?,
            TxInner::PgConn(c) => bind_all!(sqlx::query::<Postgres>(sql()), args)
                .fetch_optional(&mut **c)
                .await?
                .map(Row::Pg),
        })
    }

    pub async fn fetch_one(&mut self, sql: &str, args: &[Val]) -> Result<Row, DbError> {
        self.fetch_opt(sql, args)
            .await?
            .ok_or_else(|| DbError::Other("query returned no row".into()))
    }

    /// For `INSERT … RETURNING id`.
    pub async fn insert_id(&mut self, sql: &str, args: &[Val]) -> Result<i64, DbError> {
        self.fetch_one(sql, args).await?.i64("id")
    }

    /// A single `BIGINT` from the first column named `n`.
    pub async fn count(&mut self, sql: &str, args: &[Val]) -> Result<i64, DbError> {
        self.fetch_one(sql, args).await?.i64("n")
    }

    pub async fn commit(self) -> Result<(), DbError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Pg(tx) => tx.commit().await?,
            TxInner::SqliteConn(_) | TxInner::PgConn(_) => {}
        }
        Ok(())
    }
}

impl Tx {
    /// Runs a multi-statement script inside this transaction (migrations).
    pub async fn execute_script(&mut self, sql: &str) -> Result<(), DbError> {
        match &mut self.inner {
            TxInner::Sqlite(tx) => lite::script(tx.conn(), sql)?,
            TxInner::SqliteConn(c) => lite::script(c.conn(), sql)?,
            TxInner::Pg(tx) => {
                sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                    .execute(&mut **tx)
                    .await?;
            }
            TxInner::PgConn(c) => {
                sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
                    .execute(&mut **c)
                    .await?;
            }
        }
        Ok(())
    }
}
