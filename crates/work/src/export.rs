//! The task list as a spreadsheet (`?format=csv|xlsx` on `/tasks` and `GET /api/v1/tasks`):
//! every task the list's filters match AND the caller may see — the rows come from the list's
//! own scoped query, page after page — with the columns of the list, in the user's language.
use crate::model::{Task, TaskFilter};
use crate::service;
use db::Db;
use imports::export::{Sheet, cell};
use kernel::{AppResult, Ctx, Locale};
use ui::t;

/// Every task `f` matches that `ctx` may see, in the list's order.
pub async fn all_tasks(db: &Db, ctx: &Ctx, f: &TaskFilter) -> AppResult<Vec<Task>> {
    imports::export::all_pages(|cursor| {
        let f = TaskFilter {
            cursor,
            limit: Some(kernel::page::MAX_LIMIT),
            ..f.clone()
        };
        async move { service::list(db, ctx, &f).await }
    })
    .await
}

pub fn tasks_sheet(locale: Locale, tasks: &[Task]) -> Sheet {
    let header = [
        "imports.id",
        "task.field_title",
        "task.status",
        "task.priority",
        "task.assignee",
        "task.department",
        "task.due_date",
        "task.estimate_hours",
        "task.description",
        "task.created",
        "task.updated",
    ]
    .iter()
    .map(|k| t(locale, k).to_string())
    .collect();
    let instant = |ms: i64| kernel::dates::format_instant(ms, 8);
    let rows = tasks
        .iter()
        .map(|x| {
            vec![
                x.id.to_string(),
                x.title.clone(),
                t(locale, &format!("status.{}", x.status.as_str())).to_string(),
                t(locale, &format!("priority.{}", x.priority.as_str())).to_string(),
                cell(&x.assignee_name),
                cell(&x.department_name),
                cell(&x.due_date),
                x.estimate_hours.map(|h| h.to_string()).unwrap_or_default(),
                cell(&x.description),
                instant(x.created_at),
                instant(x.updated_at),
            ]
        })
        .collect();
    Sheet {
        title: t(locale, "task.title").into(),
        header,
        rows,
    }
}
