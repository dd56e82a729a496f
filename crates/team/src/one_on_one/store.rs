//! 1:1 SQL. Every list is by participant: there is deliberately no "all 1:1s" query.
use super::model::{Followup, OneOnOne};
use db::{DbError, Row, Tx};

const SELECT: &str = "SELECT o.id, o.manager_id, m.name AS manager_name, o.report_id, r.name AS report_name, \
     o.meeting_on, o.talking_points, o.notes, o.version, o.created_at, o.updated_at \
     FROM one_on_ones o JOIN people m ON m.id = o.manager_id JOIN people r ON r.id = o.report_id";

fn row(r: &Row) -> Result<OneOnOne, DbError> {
    Ok(OneOnOne {
        id: r.i64("id")?,
        manager_id: r.i64("manager_id")?,
        manager_name: r.string("manager_name")?,
        report_id: r.i64("report_id")?,
        report_name: r.string("report_name")?,
        meeting_on: r.string("meeting_on")?,
        talking_points: r.opt_string("talking_points")?,
        notes: r.opt_string("notes")?,
        followups: Vec::new(),
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

async fn with_followups(tx: &mut Tx, mut o: OneOnOne) -> Result<OneOnOne, DbError> {
    o.followups = tx
        .fetch_all(
            "SELECT id, text, owner_id, due_on, done FROM one_on_one_followups WHERE one_on_one_id = $1 ORDER BY id",
            &[o.id.into()],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Followup {
                id: r.i64("id")?,
                text: r.string("text")?,
                owner_id: r.opt_i64("owner_id")?,
                due_on: r.opt_string("due_on")?,
                done: r.bool("done")?,
            })
        })
        .collect::<Result<_, DbError>>()?;
    Ok(o)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<OneOnOne>, DbError> {
    let o = tx
        .fetch_opt(&format!("{SELECT} WHERE o.id = $1"), &[id.into()])
        .await?
        .as_ref()
        .map(row)
        .transpose()?;
    match o {
        Some(o) => Ok(Some(with_followups(tx, o).await?)),
        None => Ok(None),
    }
}

/// The person's 1:1s (as manager or report), newest meeting first, keyset on id.
pub async fn list_for(
    tx: &mut Tx,
    person_id: i64,
    with_person: Option<i64>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<OneOnOne>, DbError> {
    let mut q = db::sql::Sql::new(&format!("{SELECT} WHERE "));
    let me = q.arg(person_id);
    q.push(&format!("(o.manager_id = {me} OR o.report_id = {me})"));
    if let Some(w) = with_person {
        let w = q.arg(w);
        q.push(&format!(" AND (o.manager_id = {w} OR o.report_id = {w})"));
    }
    if let Some(b) = before_id {
        q.and_eq("o.id < {}", b);
    }
    let l = q.arg(limit);
    q.push(&format!(" ORDER BY o.id DESC LIMIT {l}"));
    let rows = tx.fetch_all(&q.text, &q.args).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(with_followups(tx, row(r)?).await?);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    manager_id: i64,
    report_id: i64,
    meeting_on: &str,
    talking_points: Option<&str>,
    notes: Option<&str>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO one_on_ones (manager_id, report_id, meeting_on, talking_points, notes, created_at, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING id",
        &[
            manager_id.into(),
            report_id.into(),
            meeting_on.into(),
            talking_points.into(),
            notes.into(),
            now.into(),
        ],
    )
    .await
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    meeting_on: &str,
    talking_points: Option<&str>,
    notes: Option<&str>,
    now: i64,
) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE one_on_ones SET meeting_on = $1, talking_points = $2, notes = $3, updated_at = $4, \
         version = version + 1 WHERE id = $5 AND version = $6",
        &[
            meeting_on.into(),
            talking_points.into(),
            notes.into(),
            now.into(),
            id.into(),
            version.into(),
        ],
    )
    .await
}

pub async fn insert_followup(
    tx: &mut Tx,
    one_on_one_id: i64,
    text: &str,
    owner_id: Option<i64>,
    due_on: Option<&str>,
    now: i64,
) -> Result<i64, DbError> {
    tx.insert_id(
        "INSERT INTO one_on_one_followups (one_on_one_id, text, owner_id, due_on, done, created_at) \
         VALUES ($1,$2,$3,$4,FALSE,$5) RETURNING id",
        &[one_on_one_id.into(), text.into(), owner_id.into(), due_on.into(), now.into()],
    )
    .await
}

/// The 1:1 a follow-up belongs to.
pub async fn followup_meeting(tx: &mut Tx, followup_id: i64) -> Result<Option<i64>, DbError> {
    tx.fetch_opt(
        "SELECT one_on_one_id FROM one_on_one_followups WHERE id = $1",
        &[followup_id.into()],
    )
    .await?
    .map(|r| r.i64("one_on_one_id"))
    .transpose()
}

pub async fn set_followup_done(tx: &mut Tx, followup_id: i64, done: bool) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE one_on_one_followups SET done = $1 WHERE id = $2",
        &[done.into(), followup_id.into()],
    )
    .await
}

pub async fn touch(tx: &mut Tx, id: i64, now: i64) -> Result<u64, DbError> {
    tx.execute(
        "UPDATE one_on_ones SET updated_at = $1, version = version + 1 WHERE id = $2",
        &[now.into(), id.into()],
    )
    .await
}
