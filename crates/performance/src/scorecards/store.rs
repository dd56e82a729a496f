//! Scorecard SQL. The goals' visibility predicate (company, scope, own, reports) filters lists
//! and direct reads alike; `s` stands in for `g` through the same column names.
use super::model::{Scorecard, ScorecardItem, ScorecardValues};
use crate::goals::model::Level;
use db::sql::Sql;
use db::{DbError, Row, Tx};
use kernel::policy::GoalVisibility;

const SELECT: &str = "SELECT s.id, s.name, s.scope, s.department_id, d.name AS department_name, s.person_id, \
     p.name AS person_name, s.version, s.created_at, s.updated_at \
     FROM scorecards s LEFT JOIN departments d ON d.id = s.department_id LEFT JOIN people p ON p.id = s.person_id";

fn row(r: &Row) -> Result<Scorecard, DbError> {
    let scope = r.string("scope")?;
    Ok(Scorecard {
        id: r.i64("id")?,
        name: r.string("name")?,
        scope: Level::parse(&scope).ok_or_else(|| DbError::Other(format!("bad scope {scope}")))?,
        department_id: r.opt_i64("department_id")?,
        department_name: r.opt_string("department_name")?,
        person_id: r.opt_i64("person_id")?,
        person_name: r.opt_string("person_name")?,
        items: Vec::new(),
        version: r.i64("version")?,
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

/// Mirrors `Actor::can_see_scorecard`.
fn push_visibility(q: &mut Sql, v: &GoalVisibility) {
    if let GoalVisibility::Scoped {
        departments,
        person_id,
        reports,
    } = v
    {
        let mut ors = vec!["s.scope = 'company'".to_string()];
        if !departments.is_empty() {
            let l = q.in_list(departments);
            ors.push(format!("s.department_id IN {l}"));
        }
        if let Some(p) = person_id {
            ors.push(format!("s.person_id = {}", q.arg(*p)));
        }
        if !reports.is_empty() {
            let l = q.in_list(reports);
            ors.push(format!("s.person_id IN {l}"));
        }
        q.push(&format!(" AND ({})", ors.join(" OR ")));
    }
}

async fn attach_items(tx: &mut Tx, cards: &mut [Scorecard]) -> Result<(), DbError> {
    if cards.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = cards.iter().map(|c| c.id).collect();
    let mut q = Sql::new(
        "SELECT i.scorecard_id, i.kpi_id, i.weight, k.code, k.name, k.name_zh, k.unit \
         FROM scorecard_items i JOIN kpis k ON k.id = i.kpi_id WHERE i.scorecard_id IN ",
    );
    let l = q.in_list(&ids);
    q.push(&format!("{l} ORDER BY i.scorecard_id, i.position, i.id"));
    for r in tx.fetch_all(&q.text, &q.args).await? {
        let sid = r.i64("scorecard_id")?;
        let item = ScorecardItem {
            kpi_id: r.i64("kpi_id")?,
            kpi_code: r.string("code")?,
            kpi_name: r.string("name")?,
            kpi_name_zh: r.opt_string("name_zh")?,
            unit: r.string("unit")?,
            weight: r.f64("weight")?,
        };
        if let Some(c) = cards.iter_mut().find(|c| c.id == sid) {
            c.items.push(item);
        }
    }
    Ok(())
}

pub async fn list(
    tx: &mut Tx,
    vis: &GoalVisibility,
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Scorecard>, DbError> {
    let mut q = Sql::new(SELECT);
    q.push(" WHERE 1=1");
    push_visibility(&mut q, vis);
    if let Some(a) = after_id {
        q.and_eq("s.id > {}", a);
    }
    let lp = q.arg(limit);
    q.push(&format!(" ORDER BY s.id LIMIT {lp}"));
    let mut cards = tx
        .fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_items(tx, &mut cards).await?;
    Ok(cards)
}

pub async fn get(tx: &mut Tx, vis: &GoalVisibility, id: i64) -> Result<Option<Scorecard>, DbError> {
    let mut q = Sql::new(SELECT);
    q.push(" WHERE 1=1");
    q.and_eq("s.id = {}", id);
    push_visibility(&mut q, vis);
    let Some(r) = tx.fetch_opt(&q.text, &q.args).await? else {
        return Ok(None);
    };
    let mut cards = vec![row(&r)?];
    attach_items(tx, &mut cards).await?;
    Ok(cards.pop())
}

async fn write_items(tx: &mut Tx, id: i64, items: &[(i64, f64)]) -> Result<(), DbError> {
    tx.execute(
        "DELETE FROM scorecard_items WHERE scorecard_id = $1",
        &[id.into()],
    )
    .await?;
    for (pos, (kpi, w)) in items.iter().enumerate() {
        tx.execute(
            "INSERT INTO scorecard_items (scorecard_id, kpi_id, weight, position) VALUES ($1,$2,$3,$4)",
            &[id.into(), (*kpi).into(), (*w).into(), (pos as i64).into()],
        )
        .await?;
    }
    Ok(())
}

pub async fn insert(
    tx: &mut Tx,
    v: &ScorecardValues,
    by: Option<i64>,
    now: i64,
) -> Result<i64, DbError> {
    let id = tx
        .insert_id(
            "INSERT INTO scorecards (name, scope, department_id, person_id, created_by, updated_by, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$5,$6,$6) RETURNING id",
            &[
                v.name.as_str().into(),
                v.scope.as_str().into(),
                v.department_id.into(),
                v.person_id.into(),
                by.into(),
                now.into(),
            ],
        )
        .await?;
    write_items(tx, id, &v.items).await?;
    Ok(id)
}

/// Optimistic update; 0 = stale version or gone.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    v: &ScorecardValues,
    by: Option<i64>,
    now: i64,
) -> Result<u64, DbError> {
    let n = tx
        .execute(
            "UPDATE scorecards SET name = $1, updated_by = $2, updated_at = $3, version = version + 1 \
             WHERE id = $4 AND version = $5",
            &[v.name.as_str().into(), by.into(), now.into(), id.into(), expected_version.into()],
        )
        .await?;
    if n == 1 {
        write_items(tx, id, &v.items).await?;
    }
    Ok(n)
}

pub async fn delete(tx: &mut Tx, id: i64, expected_version: i64) -> Result<u64, DbError> {
    tx.execute(
        "DELETE FROM scorecards WHERE id = $1 AND version = $2",
        &[id.into(), expected_version.into()],
    )
    .await
}

pub async fn count(tx: &mut Tx) -> Result<i64, DbError> {
    tx.count("SELECT COUNT(*) AS n FROM scorecards", &[]).await
}
