//! The org module's SQL: pinyin keys and reporting lines.
use crate::org::model::name_keys;
use db::sql::Sql;
use db::{DbError, Tx};

/// Recomputes every person's pinyin keys (rows written before the keys existed, or by an
/// older binary). Only rows whose keys differ are written; returns how many.
pub async fn reindex_names(tx: &mut Tx) -> Result<u64, DbError> {
    let rows = tx
        .fetch_all(
            "SELECT id, name, name_zh, employee_no, sort_key, search_key FROM people",
            &[],
        )
        .await?;
    let mut n = 0;
    for r in rows {
        let k = name_keys(
            &r.string("name")?,
            r.opt_string("name_zh")?.as_deref(),
            &r.string("employee_no")?,
        );
        if k.sort_key != r.string("sort_key")? || k.search_key != r.string("search_key")? {
            n += tx
                .execute(
                    "UPDATE people SET sort_key = $1, search_key = $2 WHERE id = $3",
                    &[k.sort_key.into(), k.search_key.into(), r.i64("id")?.into()],
                )
                .await?;
        }
    }
    Ok(n)
}

/// A person as the reporting-lines chart needs them.
pub struct ReportingRow {
    pub id: i64,
    pub manager_id: Option<i64>,
    pub name: String,
    pub name_zh: Option<String>,
    pub position: Option<String>,
    pub sort_key: String,
}

/// Active people of `departments` (all when `None`).
pub async fn reporting_rows(
    tx: &mut Tx,
    departments: Option<&[i64]>,
) -> Result<Vec<ReportingRow>, DbError> {
    let mut q = Sql::new(
        "SELECT id, manager_id, name, name_zh, position, sort_key FROM people WHERE active = $1",
    );
    q.args.push(true.into());
    if let Some(ds) = departments {
        let l = q.in_list(ds);
        q.push(&format!(" AND department_id IN {l}"));
    }
    q.push(" ORDER BY sort_key, id");
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(ReportingRow {
                id: r.i64("id")?,
                manager_id: r.opt_i64("manager_id")?,
                name: r.string("name")?,
                name_zh: r.opt_string("name_zh")?,
                position: r.opt_string("position")?,
                sort_key: r.string("sort_key")?,
            })
        })
        .collect()
}
