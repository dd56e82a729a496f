//! The embedded SQLite backend on rusqlite: one writer connection behind an async lock and a
//! small pool of read-only connections.
//!
//! Statements run on the calling task's thread. SQLite answers an indexed query from its page
//! cache in microseconds, far less than handing it to a worker thread and streaming rows back
//! (what sqlx-sqlite does: a channel message and a wake-up per row, which profiling showed to be
//! most of a list request's CPU). Only what may take long leaves the async workers: `COMMIT`
//! (it fsyncs with `synchronous=FULL`) and whole scripts (migrations, `VACUUM INTO` backups).
use crate::error::DbError;
use crate::row::{LiteRow, Row, Val};
use rusqlite::types::Value;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const STATEMENT_CACHE: usize = 256;
/// How long a write waits for the one writer (sqlx's writer pool waited 30 s too).
const WRITER_WAIT: Duration = Duration::from_secs(30);

pub(crate) struct LitePool {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
    size: usize,
    acquire_timeout: Duration,
}

fn open(path: &Path, read_only: bool, synchronous_full: bool) -> Result<Connection, DbError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(lite_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(lite_err)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let sync = if synchronous_full { "FULL" } else { "NORMAL" };
    let pragmas = if read_only {
        "PRAGMA foreign_keys = ON;".to_string()
    } else {
        format!("PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON;")
    };
    conn.execute_batch(&pragmas).map_err(lite_err)?;
    Ok(conn)
}

impl LitePool {
    pub(crate) fn open(
        path: &Path,
        readers: u32,
        synchronous_full: bool,
        acquire_timeout: Duration,
    ) -> Result<LitePool, DbError> {
        // The writer first: it creates the file and switches it to WAL, which readers need.
        let writer = open(path, false, synchronous_full)?;
        let size = readers.max(1) as usize;
        let conns = (0..size)
            .map(|_| open(path, true, synchronous_full))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(LitePool {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            readers: Arc::new(Mutex::new(conns)),
            permits: Arc::new(Semaphore::new(size)),
            size,
            acquire_timeout,
        })
    }

    /// `BEGIN IMMEDIATE` on the one writer; waits (asynchronously) while another write runs.
    pub(crate) async fn write(&self) -> Result<WriteTx, DbError> {
        // Bounded like a pool acquire: a write that waits behind a stuck or nested writer fails
        // (503) instead of hanging the request forever.
        let guard = tokio::time::timeout(WRITER_WAIT, self.writer.clone().lock_owned())
            .await
            .map_err(|_| DbError::Unavailable("the database writer stayed busy".into()))?;
        guard.execute_batch("BEGIN IMMEDIATE").map_err(lite_err)?;
        Ok(WriteTx {
            conn: Some(guard),
            open: true,
        })
    }

    pub(crate) async fn read(&self) -> Result<ReadConn, DbError> {
        let permit =
            tokio::time::timeout(self.acquire_timeout, self.permits.clone().acquire_owned())
                .await
                .map_err(|_| DbError::Unavailable("no read connection free in time".into()))?
                .map_err(|_| DbError::Unavailable("the database is closed".into()))?;
        let conn = self
            .readers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .expect("a permit guarantees a free connection");
        Ok(ReadConn {
            conn: Some(conn),
            home: self.readers.clone(),
            _permit: permit,
        })
    }

    /// Runs a multi-statement script on the writer, outside any transaction, off the async
    /// workers (migrations, `VACUUM INTO`).
    pub(crate) async fn script(&self, sql: &str) -> Result<(), DbError> {
        let guard = self.writer.clone().lock_owned().await;
        let sql = sql.to_string();
        tokio::task::spawn_blocking(move || guard.execute_batch(&sql).map_err(lite_err))
            .await
            .map_err(|e| DbError::Other(format!("database task failed: {e}")))?
    }

    /// (writer size, writer idle, readers size, readers idle) for /metrics.
    pub(crate) fn stats(&self) -> (u32, usize, u32, usize) {
        let writer_idle = usize::from(self.writer.try_lock().is_ok());
        (
            1,
            writer_idle,
            self.size as u32,
            self.permits.available_permits(),
        )
    }

    pub(crate) fn close(&self) {
        self.permits.close();
    }
}

/// A write transaction; rolled back when dropped without `commit`.
pub(crate) struct WriteTx {
    conn: Option<OwnedMutexGuard<Connection>>,
    open: bool,
}

impl WriteTx {
    pub(crate) fn conn(&self) -> &Connection {
        self.conn.as_ref().expect("connection present until commit")
    }

    pub(crate) async fn commit(mut self) -> Result<(), DbError> {
        let guard = self.conn.take().expect("connection present until commit");
        self.open = false;
        // COMMIT waits for the disk (fsync): keep it off the async workers.
        tokio::task::spawn_blocking(move || {
            let r = guard.execute_batch("COMMIT").map_err(lite_err);
            if r.is_err() {
                let _ = guard.execute_batch("ROLLBACK");
            }
            r
        })
        .await
        .map_err(|e| DbError::Other(format!("database task failed: {e}")))?
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if self.open
            && let Some(c) = &self.conn
            && !c.is_autocommit()
        {
            let _ = c.execute_batch("ROLLBACK");
        }
    }
}

/// A pooled read-only connection in autocommit mode; returned to the pool when dropped.
pub(crate) struct ReadConn {
    conn: Option<Connection>,
    home: Arc<Mutex<Vec<Connection>>>,
    _permit: OwnedSemaphorePermit,
}

impl ReadConn {
    pub(crate) fn conn(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("connection present until dropped")
    }
}

impl Drop for ReadConn {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            // Before the permit is released (fields drop after this body).
            self.home.lock().unwrap_or_else(|e| e.into_inner()).push(c);
        }
    }
}

/// Binds `$1…$N` by name: SQLite numbers parameters by first appearance, and a statement may
/// use `$2` before `$1` or one parameter twice.
fn bind(stmt: &mut rusqlite::Statement<'_>, args: &[Val]) -> Result<(), DbError> {
    for (i, a) in args.iter().enumerate() {
        let Some(idx) = stmt
            .parameter_index(&format!("${}", i + 1))
            .map_err(lite_err)?
        else {
            continue;
        };
        match a {
            Val::I64(v) => stmt.raw_bind_parameter(idx, v),
            Val::F64(v) => stmt.raw_bind_parameter(idx, v),
            Val::Text(v) => stmt.raw_bind_parameter(idx, v),
            Val::Bool(v) => stmt.raw_bind_parameter(idx, v),
            Val::Bytes(v) => stmt.raw_bind_parameter(idx, v),
        }
        .map_err(lite_err)?;
    }
    Ok(())
}

/// Statement log, like sqlx's: the SQL text and timing, never the bound values (which may be
/// secrets' digests, passwords' hashes or personal data). Slow statements are warnings.
fn log(sql: &str, rows: usize, started: std::time::Instant) {
    let elapsed = started.elapsed();
    if elapsed >= SLOW_STATEMENT {
        tracing::warn!(target: "db::sql", sql, rows, elapsed_ms = elapsed.as_millis() as u64, "slow statement");
    } else {
        tracing::debug!(target: "db::sql", sql, rows, elapsed_us = elapsed.as_micros() as u64);
    }
}

const SLOW_STATEMENT: Duration = Duration::from_secs(1);

pub(crate) fn fetch_all(conn: &Connection, sql: &str, args: &[Val]) -> Result<Vec<Row>, DbError> {
    let started = std::time::Instant::now();
    let mut stmt = conn.prepare_cached(sql).map_err(lite_err)?;
    bind(&mut stmt, args)?;
    let names: Arc<[String]> = stmt.column_names().into_iter().map(String::from).collect();
    let n = names.len();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(lite_err)? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            vals.push(r.get::<_, Value>(i).map_err(lite_err)?);
        }
        out.push(Row::Sqlite(LiteRow {
            names: names.clone(),
            vals,
        }));
    }
    log(sql, out.len(), started);
    Ok(out)
}

pub(crate) fn fetch_opt(
    conn: &Connection,
    sql: &str,
    args: &[Val],
) -> Result<Option<Row>, DbError> {
    // Runs the statement to its end, like sqlx did: an INSERT … RETURNING must finish.
    Ok(fetch_all(conn, sql, args)?.into_iter().next())
}

pub(crate) fn execute(conn: &Connection, sql: &str, args: &[Val]) -> Result<u64, DbError> {
    let started = std::time::Instant::now();
    let mut stmt = conn.prepare_cached(sql).map_err(lite_err)?;
    bind(&mut stmt, args)?;
    let mut rows = stmt.raw_query();
    while rows.next().map_err(lite_err)?.is_some() {}
    let changed = conn.changes();
    log(sql, changed as usize, started);
    Ok(changed)
}

pub(crate) fn script(conn: &Connection, sql: &str) -> Result<(), DbError> {
    conn.execute_batch(sql).map_err(lite_err)
}

pub(crate) fn lite_err(e: rusqlite::Error) -> DbError {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg) => {
            let msg = msg.clone().unwrap_or_else(|| e.to_string());
            match (f.code, f.extended_code) {
                // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
                (ErrorCode::ConstraintViolation, 2067 | 1555) => DbError::Unique(msg),
                // SQLITE_CONSTRAINT_FOREIGNKEY
                (ErrorCode::ConstraintViolation, 787) => DbError::ForeignKey,
                (ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked, _) => {
                    DbError::Unavailable(msg)
                }
                _ => DbError::Other(msg),
            }
        }
        _ => DbError::Other(e.to_string()),
    }
}
