//! Schema migrations for both backends, embedded in the binary.
//!
//! Every migration exists once per dialect under `migrations/{sqlite,postgres}/NNNN_name.sql`;
//! the schema-parity test proves both produce the same logical schema. Each migration runs in its
//! own transaction; on PostgreSQL an advisory lock lets several nodes start at once.
use crate::{Backend, Db, DbError, Val};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($v:expr, $name:literal) => {
        Migration {
            version: $v,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// All migrations in order. Modules append theirs here.
pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_platform"),
    migration!(2, "0002_org"),
    migration!(3, "0003_tasks"),
    migration!(4, "0004_imports"),
    migration!(5, "0005_team_skills"),
    migration!(6, "0006_team_people"),
    migration!(7, "0007_kpis"),
    migration!(8, "0008_goals"),
    migration!(9, "0009_job_runs"),
    migration!(10, "0010_reviews"),
    migration!(11, "0011_team_more"),
    migration!(12, "0012_review_outcomes"),
    migration!(13, "0013_review_feedback"),
];

const PG_LOCK_KEY: i64 = 0x006f_7073_6465_736b; // "opsdesk"

fn checksum(sql: &str) -> String {
    crate::digest(sql)[..16].to_string()
}

/// Applies pending migrations; returns how many ran. Refuses a database whose applied
/// migrations differ from the ones in this binary (drift) or are newer than it knows.
pub async fn run(db: &Db) -> Result<usize, DbError> {
    match db.backend() {
        Backend::Postgres => {
            let pool = db.pg_pool().expect("postgres backend has a pool");
            let mut conn = pool.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(PG_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
            let result = apply(db).await;
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(PG_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
            result
        }
        Backend::Sqlite => apply(db).await,
    }
}

async fn apply(db: &Db) -> Result<usize, DbError> {
    db.raw(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
         checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let mut tx = db.read().await?;
    let rows = tx
        .fetch_all(
            "SELECT version, checksum FROM schema_migrations ORDER BY version",
            &[],
        )
        .await?;
    drop(tx);
    let mut applied = Vec::new();
    for r in &rows {
        applied.push((r.i64("version")?, r.string("checksum")?));
    }
    for (v, sum) in &applied {
        match MIGRATIONS.iter().find(|m| m.version == *v) {
            None => {
                return Err(DbError::Other(format!(
                    "the database has migration {v}, which this opsdesk does not know: upgrade opsdesk"
                )));
            }
            Some(m) => {
                let expected = checksum(sql_for(db.backend(), m));
                if &expected != sum {
                    return Err(DbError::Other(format!(
                        "migration {} ({}) differs from the one applied to this database",
                        m.version, m.name
                    )));
                }
            }
        }
    }
    let mut ran = 0;
    for m in MIGRATIONS
        .iter()
        .filter(|m| !applied.iter().any(|(v, _)| *v == m.version))
    {
        let sql = sql_for(db.backend(), m);
        let mut tx = db.write().await?;
        tx.execute_script(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1,$2,$3,$4)",
            &[m.version.into(), m.name.into(), checksum(sql).into(), Val::from(now_ms())],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        ran += 1;
    }
    Ok(ran)
}

fn sql_for(b: Backend, m: &Migration) -> &'static str {
    match b {
        Backend::Sqlite => m.sqlite,
        Backend::Postgres => m.postgres,
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
