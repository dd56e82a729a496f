//! The audit log: who did what to which record, before and after, in the same transaction as
//! the change. It is also the organisation's own event log (record histories, process mining).
use crate::{DbError, Row, Tx, Val};
use serde::Serialize;

#[derive(Debug, Clone, Default)]
pub struct AuditEvent<'a> {
    pub actor_user_id: Option<i64>,
    pub actor_name: &'a str,
    /// `entity.verb`, e.g. `task.update`, `auth.login_failed`.
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: &'a str,
    pub source_ip: Option<&'a str>,
    /// `ok`, `denied` or `failed`.
    pub outcome: &'a str,
    pub at_ms: i64,
}

pub async fn record(tx: &mut Tx, e: &AuditEvent<'_>) -> Result<(), DbError> {
    tx.execute(
        "INSERT INTO audit_events (at, actor_user_id, actor_name, action, entity, entity_id, \
         before_json, after_json, request_id, source_ip, outcome) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
        &[
            e.at_ms.into(),
            e.actor_user_id.into(),
            e.actor_name.into(),
            e.action.into(),
            e.entity.into(),
            e.entity_id.into(),
            e.before.as_ref().map(|v| v.to_string()).into(),
            e.after.as_ref().map(|v| v.to_string()).into(),
            e.request_id.into(),
            e.source_ip.into(),
            e.outcome.into(),
        ],
    )
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// The history of one record, newest first.
pub async fn history(
    tx: &mut Tx,
    entity: &str,
    id: i64,
    limit: i64,
) -> Result<Vec<HistoryEntry>, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT id, at, actor_name, action, before_json, after_json FROM audit_events \
             WHERE entity = $1 AND entity_id = $2 AND outcome = 'ok' ORDER BY id DESC LIMIT $3",
            &[entity.into(), Val::from(id), limit.into()],
        )
        .await?;
    rows.iter().map(history_entry).collect()
}

fn history_entry(r: &Row) -> Result<HistoryEntry, DbError> {
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(HistoryEntry {
        id: r.i64("id")?,
        at: r.i64("at")?,
        actor_name: r.string("actor_name")?,
        action: r.string("action")?,
        before: parse(r.opt_string("before_json")?),
        after: parse(r.opt_string("after_json")?),
    })
}

/// Records a successful change made in `ctx`, in the caller's transaction.
pub async fn log_change(
    tx: &mut Tx,
    ctx: &kernel::Ctx,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), DbError> {
    // History pages and the API document snapshots as objects; an array or scalar here is a bug.
    debug_assert!(
        before
            .iter()
            .chain(after.iter())
            .all(|v| v.is_object() || v.is_null()),
        "audit snapshot for {action} must be a JSON object"
    );
    record(
        tx,
        &AuditEvent {
            actor_user_id: ctx.user_id(),
            actor_name: &ctx.actor.username,
            action,
            entity,
            entity_id,
            before,
            after,
            request_id: &ctx.request_id,
            source_ip: ctx.source_ip.as_deref(),
            outcome: "ok",
            at_ms: ctx.now_ms,
        },
    )
    .await
}
