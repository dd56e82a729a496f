//! Consistent online backups of the embedded database and safe restores.
//!
//! A backup is `VACUUM INTO` a new file: a transactionally consistent copy taken while the server
//! keeps serving (never a file copy, which can tear under WAL). A restore checks the file is an
//! opsdesk database that passes `PRAGMA integrity_check` before it replaces anything, and removes
//! stale `-wal`/`-shm` files so they cannot be replayed onto the restored copy.
use crate::{Backend, Db, DbConfig, DbError};
use std::path::Path;

pub async fn backup(db: &Db, target: &Path) -> Result<u64, DbError> {
    if db.backend() == Backend::Postgres {
        return Err(DbError::Other(
            "opsdesk backup copies the embedded SQLite database; for PostgreSQL use \
             `pg_dump --format=custom --file=opsdesk.dump DATABASE_URL` and `pg_restore` to restore"
                .into(),
        ));
    }
    if target.exists() {
        return Err(DbError::Other(format!(
            "{} already exists; choose a new file",
            target.display()
        )));
    }
    let path = target.to_string_lossy().replace('\'', "''");
    db.raw(&format!("VACUUM INTO '{path}'")).await?;
    Ok(std::fs::metadata(target).map(|m| m.len()).unwrap_or(0))
}

/// Checks a backup file: readable as SQLite, integrity ok, and an opsdesk schema.
pub async fn verify(file: &Path) -> Result<(), DbError> {
    if !file.is_file() {
        return Err(DbError::Other(format!("{} is not a file", file.display())));
    }
    let mut header = [0u8; 16];
    use std::io::Read;
    std::fs::File::open(file)
        .and_then(|mut f| f.read_exact(&mut header))
        .map_err(|e| DbError::Other(format!("cannot read {}: {e}", file.display())))?;
    if &header != b"SQLite format 3\0" {
        return Err(DbError::Other(format!(
            "{} is not an SQLite database file",
            file.display()
        )));
    }
    let dir = std::env::temp_dir().join(format!("opsdesk-verify-{}", crate::random_hex(6)));
    std::fs::create_dir_all(&dir).map_err(|e| DbError::Other(e.to_string()))?;
    let copy = dir.join("check.db");
    std::fs::copy(file, &copy).map_err(|e| DbError::Other(e.to_string()))?;
    let cfg = DbConfig {
        url: Some(format!("sqlite:{}", copy.display())),
        ..DbConfig::default()
    };
    let result = async {
        let db = Db::connect(&cfg).await?;
        let mut tx = db.read().await?;
        let ok = tx.fetch_one("PRAGMA integrity_check", &[]).await.and_then(|r| r.string("integrity_check"));
        let has_schema = tx
            .count("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", &[])
            .await;
        drop(tx);
        db.close().await;
        match (ok, has_schema) {
            (Ok(s), Ok(1)) if s == "ok" => Ok(()),
            (Ok(s), _) if s != "ok" => Err(DbError::Other(format!("integrity check failed: {s}"))),
            (Err(e), _) => Err(DbError::Other(format!("the file is corrupt: {e}"))),
            _ => Err(DbError::Other("the file is not an opsdesk database (no schema_migrations)".into())),
        }
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Replaces the database in `data_dir` with a verified backup. The server must be stopped.
pub async fn restore(file: &Path, data_dir: &Path) -> Result<(), DbError> {
    verify(file).await?;
    std::fs::create_dir_all(data_dir).map_err(|e| DbError::Other(e.to_string()))?;
    let target = data_dir.join("opsdesk.db");
    let tmp = data_dir.join("opsdesk.db.restoring");
    std::fs::copy(file, &tmp).map_err(|e| DbError::Other(e.to_string()))?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| DbError::Other(e.to_string()))?;
    for ext in ["-wal", "-shm"] {
        let p = data_dir.join(format!("opsdesk.db{ext}"));
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| DbError::Other(e.to_string()))?;
        }
    }
    std::fs::rename(&tmp, &target).map_err(|e| DbError::Other(e.to_string()))?;
    Ok(())
}
