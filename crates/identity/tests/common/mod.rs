#![allow(dead_code)]
use db::Db;
use identity::{User, store};
use kernel::{Actor, Ctx, Locale, Role};
use std::sync::OnceLock;

pub const T0: i64 = 1_780_000_000_000;
/// The password every fixture account has (hashed once per test binary: Argon2 is slow in debug).
pub const PW: &str = "Tz9#qLw2-harbour";

pub fn fixture_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| identity::password::hash_password(PW).unwrap())
}

/// Inserts an account directly (no audit), with the fixture password.
pub async fn add_user(db: &Db, username: &str, role: Role) -> User {
    let h = fixture_hash().to_string();
    let mut tx = db.write().await.unwrap();
    let id = store::insert_user(&mut tx, username, &h, role, T0)
        .await
        .unwrap();
    let u = store::user_by_id(&mut tx, id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    u
}

pub fn ctx_for(u: &User, now: i64) -> Ctx {
    Ctx {
        actor: Actor {
            user_id: u.id,
            username: u.username.clone(),
            role: u.role,
            person_id: None,
            department_id: None,
            scope: Vec::new(),
        },
        now_ms: now,
        request_id: "test".into(),
        source_ip: Some("192.0.2.1".into()),
        locale: Locale::En,
    }
}

pub async fn count(db: &Db, sql: &str, args: &[db::Val]) -> i64 {
    let mut tx = db.read().await.unwrap();
    tx.count(sql, args).await.unwrap()
}

pub async fn audit_count(db: &Db, action: &str) -> i64 {
    count(
        db,
        "SELECT COUNT(*) AS n FROM audit_events WHERE action = $1",
        &[action.into()],
    )
    .await
}

/// Every audit before/after JSON, concatenated: for "no secret ever appears" checks.
pub async fn all_audit_text(db: &Db) -> String {
    let mut tx = db.read().await.unwrap();
    let rows = tx
        .fetch_all(
            "SELECT action, outcome, before_json, after_json FROM audit_events ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            format!(
                "{} {} {} {}\n",
                r.string("action").unwrap(),
                r.string("outcome").unwrap(),
                r.opt_string("before_json").unwrap().unwrap_or_default(),
                r.opt_string("after_json").unwrap().unwrap_or_default()
            )
        })
        .collect()
}

pub async fn add_session(db: &Db, user_id: i64, token: &str, now: i64) {
    let mut tx = db.write().await.unwrap();
    store::insert_session(
        &mut tx,
        &db::digest(token),
        user_id,
        "csrf",
        now,
        None,
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

pub async fn sessions_of(db: &Db, user_id: i64) -> i64 {
    count(
        db,
        "SELECT COUNT(*) AS n FROM sessions WHERE user_id = $1",
        &[user_id.into()],
    )
    .await
}
