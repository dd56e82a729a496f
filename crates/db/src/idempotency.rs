//! `Idempotency-Key` for creates: the key, the request's fingerprint and the created record's
//! id are stored in the SAME transaction as the record, so a retried request after a crash or a
//! timeout finds either nothing (and creates) or the record (and replays) — never a duplicate.
//! Keys are per user: one user's key never collides with another's.
use crate::{DbError, Tx};
use kernel::AppError;

/// A create's idempotency claim: who, which key, and a digest of the request body.
#[derive(Debug, Clone)]
pub struct Idem {
    pub user_id: i64,
    pub key: String,
    pub request_hash: String,
}

impl Idem {
    pub fn new(user_id: i64, key: Option<String>, body: &[u8]) -> Option<Idem> {
        key.map(|key| Idem {
            user_id,
            key,
            request_hash: crate::digest_bytes(body),
        })
    }
}

/// Looks the key up inside the create's transaction: `Ok(Some(id))` → replay the record with
/// this id; a different body under the same key → 422.
pub async fn replayed(tx: &mut Tx, idem: Option<&Idem>) -> Result<Option<i64>, AppError> {
    let Some(i) = idem else { return Ok(None) };
    let row = tx
        .fetch_opt(
            "SELECT request_hash, response FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2",
            &[i.user_id.into(), i.key.clone().into()],
        )
        .await?;
    match row {
        None => Ok(None),
        Some(r) => {
            if r.string("request_hash")? != i.request_hash {
                return Err(AppError::IdempotencyMismatch);
            }
            Ok(r.string("response")?.parse().ok())
        }
    }
}

/// Records the key with the created record's id, in the create's transaction. A concurrent
/// request with the same key fails on the primary key and rolls back: 409, retry later.
pub async fn remember(
    tx: &mut Tx,
    idem: Option<&Idem>,
    status: i64,
    id: i64,
    location: &str,
    now: i64,
) -> Result<(), AppError> {
    let Some(i) = idem else { return Ok(()) };
    tx.execute(
        "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, response, location, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7)",
        &[
            i.user_id.into(),
            i.key.clone().into(),
            i.request_hash.clone().into(),
            status.into(),
            id.to_string().into(),
            location.into(),
            now.into(),
        ],
    )
    .await
    .map_err(|e| match e {
        DbError::Unique(_) => AppError::Conflict("a request with this Idempotency-Key is in progress; retry".into()),
        other => other.into(),
    })?;
    Ok(())
}

/// Forgets keys older than `before` (housekeeping; 24 h is plenty for retries).
pub async fn purge(tx: &mut Tx, before: i64) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at < $1",
        &[before.into()],
    )
    .await
}
