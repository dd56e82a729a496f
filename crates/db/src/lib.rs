//! The storage platform: one `Db` over SQLite (embedded, default) or PostgreSQL (scale-out),
//! migrations for both, transactions, and the platform tables every module shares (audit).
//!
//! SQL is written once with `$N` placeholders in the portable subset; both backends run the same
//! text. Values cross the boundary as [`Val`] and come back as [`Row`], so stores never name a
//! backend. Instants are `BIGINT` epoch milliseconds, dates `TEXT` `YYYY-MM-DD`.
pub mod audit;
pub mod backup;
mod conn;
pub mod error;
pub mod idempotency;
mod lite;
pub mod migrate;
mod row;
pub mod sql;
pub mod testing;

pub use conn::{Backend, Db, DbConfig, Tx};
pub use error::DbError;
pub use row::{Row, Val};

/// Hex SHA-256 of a secret (session ids, API tokens): the database never holds the secret.
pub fn digest(secret: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(secret.as_bytes()))
}

/// A fresh random secret of `n` bytes, hex encoded (128+ bits for anything that authenticates).
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    hex::encode(buf)
}

/// Hex SHA-256 of bytes (asset fingerprints, request hashes).
pub fn digest_bytes(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}
