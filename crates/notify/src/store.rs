//! The notification centre's SQL.
use crate::model::{DigestCandidate, Notification};
use db::sql::Sql;
use db::{DbError, Row, Tx, Val};

const COLS: &str = "id, user_id, kind, title, body, link, entity, entity_id, read_at, created_at";

fn row(r: &Row) -> Result<Notification, DbError> {
    Ok(Notification {
        id: r.i64("id")?,
        user_id: r.i64("user_id")?,
        kind: r.string("kind")?,
        title: r.string("title")?,
        body: r.string("body")?,
        link: r.opt_string("link")?,
        entity: r.opt_string("entity")?,
        entity_id: r.opt_i64("entity_id")?,
        read_at: r.opt_i64("read_at")?,
        created_at: r.i64("created_at")?,
    })
}

pub struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub entity: Option<&'a str>,
    pub entity_id: Option<i64>,
    pub created_at: i64,
}

pub async fn insert(tx: &mut Tx, n: &NewNotification<'_>) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO notifications (user_id, kind, title, body, link, entity, entity_id, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
        &[
            n.user_id.into(),
            n.kind.into(),
            n.title.into(),
            n.body.into(),
            n.link.into(),
            n.entity.into(),
            n.entity_id.into(),
            n.created_at.into(),
        ],
    )
    .await
}

/// Newest first; `before_id` is the keyset cursor (ids are monotonic).
pub async fn list(
    tx: &mut Tx,
    user_id: i64,
    unread_only: bool,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Notification>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLS} FROM notifications WHERE 1=1"));
    q.and_eq("user_id = {}", user_id);
    if unread_only {
        q.push(" AND read_at IS NULL");
    }
    if let Some(b) = before_id {
        q.and_eq("id < {}", b);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY id DESC LIMIT {l}"));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(row)
        .collect()
}

pub async fn get(tx: &mut Tx, user_id: i64, id: i64) -> Result<Option<Notification>, DbError> {
    tx.fetch_opt(
        &format!("SELECT {COLS} FROM notifications WHERE id = $1 AND user_id = $2"),
        &[id.into(), user_id.into()],
    )
    .await?
    .as_ref()
    .map(row)
    .transpose()
}

pub async fn unread_count(tx: &mut Tx, user_id: i64) -> Result<i64, DbError> {
    tx.count(
        "SELECT COUNT(*) AS n FROM notifications WHERE user_id = $1 AND read_at IS NULL",
        &[user_id.into()],
    )
    .await
}

/// Marks one of the user's notifications read; returns whether a row changed.
pub async fn mark_read(tx: &mut Tx, user_id: i64, id: i64, now: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
        &[now.into(), id.into(), user_id.into()],
    )
    .await
}

pub async fn mark_all_read(tx: &mut Tx, user_id: i64, now: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
        &[now.into(), Val::from(user_id)],
    )
    .await
}

/// Enabled users with at least one unread notification created at or before `cutoff`.
pub async fn digest_candidates(tx: &mut Tx, cutoff: i64) -> Result<Vec<DigestCandidate>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT n.user_id AS user_id, u.username AS username, COUNT(*) AS unread, \
             MIN(n.created_at) AS oldest \
             FROM notifications n JOIN users u ON u.id = n.user_id \
             WHERE n.read_at IS NULL AND u.disabled = $1 \
             GROUP BY n.user_id, u.username HAVING MIN(n.created_at) <= $2 ORDER BY n.user_id",
            &[false.into(), cutoff.into()],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(DigestCandidate {
                user_id: r.i64("user_id")?,
                username: r.string("username")?,
                unread: r.i64("unread")?,
                oldest_unread_at: r.i64("oldest")?,
            })
        })
        .collect()
}

/// Whether `user_id` got a notification of `kind` created after `since`.
pub async fn has_kind_since(
    tx: &mut Tx,
    user_id: i64,
    kind: &str,
    since: i64,
) -> Result<bool, DbError> {
    let r = tx
        .fetch_opt(
            "SELECT id FROM notifications WHERE user_id = $1 AND kind = $2 AND created_at > $3 LIMIT 1",
            &[user_id.into(), kind.into(), since.into()],
        )
        .await?;
    Ok(r.is_some())
}

/// The account's chosen language tag, if any.
pub async fn user_locale(tx: &mut Tx, user_id: i64) -> Result<Option<String>, DbError> {
    let r = tx
        .fetch_opt("SELECT locale FROM users WHERE id = $1", &[user_id.into()])
        .await?;
    r.map(|r| r.opt_string("locale"))
        .transpose()
        .map(Option::flatten)
}
