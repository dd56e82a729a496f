//! identity: accounts, passwords (Argon2id), sessions kept in the database, personal API tokens,
//! login throttling and first-run setup. No HTTP here: the web layer calls `service`.
//!
//! Secrets never reach the database or the audit log: sessions and tokens are stored as SHA-256
//! digests, passwords as Argon2id hashes, and the public `User` type has no hash field.
pub mod api;
pub mod model;
pub mod pages;
pub mod password;
pub mod service;
pub mod store;

pub use model::{
    ApiToken, CreatedToken, LoginOk, NewToken, NewUser, PasswordChange, PasswordReset, PersonLink,
    Preferences, RoleChange, SessionPolicy, SessionUser, Theme, ThrottlePolicy, User, UserFilter,
};
