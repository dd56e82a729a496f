//! The `imports` table: an uploaded file kept between the steps of an import.
use db::{DbError, Row, Tx, Val};

pub struct StoredImport {
    pub id: i64,
    pub owner_user_id: i64,
    pub kind: String,
    pub filename: String,
    pub content: Vec<u8>,
    pub mapping: Option<String>,
    pub status: String,
    pub version: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

fn of(r: &Row) -> Result<StoredImport, DbError> {
    Ok(StoredImport {
        id: r.i64("id")?,
        owner_user_id: r.i64("owner_user_id")?,
        kind: r.string("kind")?,
        filename: r.string("filename")?,
        content: r.bytes("content")?,
        mapping: r.opt_string("mapping")?,
        status: r.string("status")?,
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        expires_at: r.i64("expires_at")?,
    })
}

pub struct NewImport<'a> {
    pub owner_user_id: i64,
    pub kind: &'a str,
    pub filename: &'a str,
    pub content: &'a [u8],
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert(tx: &mut Tx, n: &NewImport<'_>) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO imports (owner_user_id, kind, filename, content, size_bytes, mapping, status, \
         created_at, updated_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,'uploaded',$7,$7,$8) RETURNING id",
        &[
            n.owner_user_id.into(),
            n.kind.into(),
            n.filename.into(),
            n.content.into(),
            (n.content.len() as i64).into(),
            Val::Text(None),
            n.now.into(),
            n.expires_at.into(),
        ],
    )
    .await
}

/// The import if it exists, is of `kind` and has not expired (ownership is the service's check).
pub async fn get(
    tx: &mut Tx,
    id: i64,
    kind: &str,
    now: i64,
) -> Result<Option<StoredImport>, DbError> {
    tx.fetch_opt(
        "SELECT id, owner_user_id, kind, filename, content, mapping, status, version, created_at, \
         expires_at FROM imports WHERE id = $1 AND kind = $2 AND expires_at > $3",
        &[id.into(), kind.into(), now.into()],
    )
    .await?
    .as_ref()
    .map(of)
    .transpose()
}

/// Saves a mapping if the version still matches; the number of rows changed (0 = stale).
pub async fn set_mapping(
    tx: &mut Tx,
    id: i64,
    version: i64,
    mapping: &str,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE imports SET mapping = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4 AND status = 'uploaded'",
        &[mapping.into(), now.into(), id.into(), version.into()],
    )
    .await
}

/// Marks the import done (in the transaction that wrote its records); 0 when it already was.
pub async fn mark_committed(tx: &mut Tx, id: i64, result: &str, now: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE imports SET status = 'committed', result = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND status = 'uploaded'",
        &[result.into(), now.into(), id.into()],
    )
    .await
}

/// Deletes expired uploads (files are not kept longer than needed).
pub async fn purge(tx: &mut Tx, now: i64) -> Result<u64, DbError> {
    tx.execute("DELETE FROM imports WHERE expires_at <= $1", &[now.into()])
        .await
}
