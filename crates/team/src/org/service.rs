//! Org chart use cases. The directory is readable by every signed-in user, so the chart is too.
use crate::model::build_tree;
use crate::org::model::{Chart, ChartNode, layout, reporting_order};
use crate::org::store;
use db::Db;
use kernel::{AppError, AppResult, Ctx};

/// Recomputes pinyin keys at start-up (cheap; writes only rows that changed).
pub async fn reindex_names(db: &Db) -> AppResult<u64> {
    let mut tx = db.write().await?;
    let n = store::reindex_names(&mut tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// The department tree as a chart: each box is a department with its head.
pub async fn department_chart(db: &Db, _ctx: &Ctx) -> AppResult<Chart> {
    let mut tx = db.read().await?;
    let tree = build_tree(crate::store::list_departments(&mut tx).await?);
    Ok(layout(
        tree.into_iter()
            .map(|n| ChartNode {
                id: n.department.id,
                parent_id: n.department.parent_id,
                href: format!("/departments/{}", n.department.id),
                label: n.department.name,
                detail: n.department.head_name,
                depth: n.depth,
                x: 0,
                y: 0,
            })
            .collect(),
    ))
}

/// Reporting lines (who reports to whom) among the active people of a department and its
/// sub-departments, or of everyone when `department_id` is `None`.
pub async fn reporting_chart(db: &Db, _ctx: &Ctx, department_id: Option<i64>) -> AppResult<Chart> {
    let mut tx = db.read().await?;
    let departments = match department_id {
        Some(d) => {
            if !crate::store::department_exists(&mut tx, d).await? {
                return Err(AppError::NotFound);
            }
            Some(crate::store::department_subtree(&mut tx, d).await?)
        }
        None => None,
    };
    let rows = store::reporting_rows(&mut tx, departments.as_deref()).await?;
    let keys: Vec<(i64, Option<i64>, String)> = rows
        .iter()
        .map(|r| (r.id, r.manager_id, r.sort_key.clone()))
        .collect();
    let ids: std::collections::HashSet<i64> = rows.iter().map(|r| r.id).collect();
    Ok(layout(
        reporting_order(&keys)
            .into_iter()
            .map(|(i, depth)| {
                let r = &rows[i];
                ChartNode {
                    id: r.id,
                    parent_id: r.manager_id.filter(|m| ids.contains(m)),
                    label: match &r.name_zh {
                        Some(z) => format!("{z} {}", r.name),
                        None => r.name.clone(),
                    },
                    detail: r.position.clone(),
                    href: format!("/people/{}", r.id),
                    depth,
                    x: 0,
                    y: 0,
                }
            })
            .collect(),
    ))
}
