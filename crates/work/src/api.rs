//! `/api/v1/tasks`: list (filters, sort, cursor), board, read (ETag, If-None-Match), create
//! (Idempotency-Key, 201 + Location), partial update / move / delete (If-Match), history.
use crate::model::{
    AssigneeFilter, Board, Priority, Status, Task, TaskFilter, TaskInput, TaskPatch, TaskSort,
};
use crate::service;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use db::idempotency::Idem;
use kernel::AppError;
use kernel::validate::Checks;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ui::{ApiError, AppState, IdempotencyKey, IfMatch, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(task_board))
        .routes(routes!(get_task, update_task, delete_task))
        .routes(routes!(move_task))
        .routes(routes!(task_history))
}

// ---------------------------------------------------------------- query parameters

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only tasks of this department.
    pub department_id: Option<i64>,
    /// With `department_id`: also tasks of its sub-departments.
    pub include_subdepartments: Option<bool>,
    /// Any of these statuses: repeat the parameter (`status=todo&status=doing`) or give a comma
    /// list (`status=todo,doing`). Values: todo, doing, blocked, done, cancelled.
    pub status: Option<String>,
    /// Only tasks assigned to this person.
    pub assignee_id: Option<i64>,
    /// `me` (the caller's person), `none` (unassigned) or a person id.
    pub assignee: Option<String>,
    #[param(inline)]
    pub priority: Option<Priority>,
    /// Due on or before this date (`YYYY-MM-DD`).
    pub due_before: Option<String>,
    /// Due on or after this date (`YYYY-MM-DD`).
    pub due_after: Option<String>,
    /// Only open tasks (not done/cancelled) due before today (Asia/Shanghai).
    pub overdue: Option<bool>,
    /// Case-insensitive text in the title or description.
    pub q: Option<String>,
    /// Sort key (default `id`).
    #[param(inline)]
    pub sort: Option<TaskSort>,
    /// Sort direction (default `asc`).
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// From `next_cursor` of the previous page (same filters and sort).
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// `json` (default), or `csv`/`xlsx` for a file of ALL matching tasks the caller may see
    /// (every page, at most 50,000 rows; `cursor` and `limit` are ignored).
    #[param(inline)]
    pub format: Option<imports::export::ExportFormat>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// Only tasks of this department.
    pub department_id: Option<i64>,
    /// With `department_id`: also tasks of its sub-departments.
    pub include_subdepartments: Option<bool>,
    /// Only these columns (repeatable or comma list); default all five.
    pub status: Option<String>,
    /// Only tasks assigned to this person.
    pub assignee_id: Option<i64>,
    /// `me`, `none` or a person id.
    pub assignee: Option<String>,
    #[param(inline)]
    pub priority: Option<Priority>,
    /// Due on or before this date (`YYYY-MM-DD`).
    pub due_before: Option<String>,
    /// Due on or after this date (`YYYY-MM-DD`).
    pub due_after: Option<String>,
    /// Only open tasks due before today.
    pub overdue: Option<bool>,
    /// Case-insensitive text in the title or description.
    pub q: Option<String>,
    /// Order of the cards in each column (default `id`).
    #[param(inline)]
    pub sort: Option<TaskSort>,
    #[param(inline)]
    pub order: Option<SortOrder>,
    /// Cards per column, 1–200 (default 50); each column's `total` counts them all.
    pub per_column: Option<i64>,
}

/// The filter parameters lists and the board share.
struct Filters {
    department_id: Option<i64>,
    include_sub: Option<bool>,
    status: Option<String>,
    assignee_id: Option<i64>,
    assignee: Option<String>,
    priority: Option<Priority>,
    due_before: Option<String>,
    due_after: Option<String>,
    overdue: Option<bool>,
    q: Option<String>,
    sort: Option<TaskSort>,
    order: Option<SortOrder>,
}

/// `todo,doing` → statuses; an unknown value is a field error on `status`.
pub fn parse_statuses(s: &str, c: &mut Checks) -> Vec<Status> {
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match Status::parse(part) {
            Some(st) if !out.contains(&st) => out.push(st),
            Some(_) => {}
            None => c.push(
                "status",
                "invalid",
                format!("unknown status {part:?} (todo, doing, blocked, done, cancelled)"),
            ),
        }
    }
    out
}

impl Filters {
    fn into_filter(
        self,
        cursor: Option<String>,
        limit: Option<i64>,
    ) -> Result<TaskFilter, AppError> {
        let mut c = Checks::new();
        let status = self
            .status
            .as_deref()
            .map(|s| parse_statuses(s, &mut c))
            .unwrap_or_default();
        let assignee = match (self.assignee_id, self.assignee.as_deref()) {
            (Some(_), Some(_)) => {
                c.push(
                    "assignee",
                    "invalid",
                    "give either assignee or assignee_id, not both",
                );
                None
            }
            (Some(p), None) => Some(AssigneeFilter::Person(p)),
            (None, Some(a)) => {
                let f = AssigneeFilter::parse(a);
                if f.is_none() {
                    c.push("assignee", "invalid", "expected me, none or a person id");
                }
                f
            }
            (None, None) => None,
        };
        if let Some(l) = limit
            && !(1..=kernel::page::MAX_LIMIT).contains(&l)
        {
            c.push(
                "limit",
                "out_of_range",
                format!("must be between 1 and {}", kernel::page::MAX_LIMIT),
            );
        }
        c.finish()?;
        Ok(TaskFilter {
            department_id: self.department_id,
            include_sub: self.include_sub.unwrap_or(false),
            status,
            assignee,
            priority: self.priority,
            due_before: self.due_before,
            due_after: self.due_after,
            overdue: self.overdue.unwrap_or(false),
            q: self.q,
            sort: self.sort.unwrap_or_default(),
            desc: self.order == Some(SortOrder::Desc),
            cursor,
            limit,
        })
    }
}

impl ListQuery {
    pub fn into_filter(self) -> Result<TaskFilter, AppError> {
        let f = Filters {
            department_id: self.department_id,
            include_sub: self.include_subdepartments,
            status: self.status,
            assignee_id: self.assignee_id,
            assignee: self.assignee,
            priority: self.priority,
            due_before: self.due_before,
            due_after: self.due_after,
            overdue: self.overdue,
            q: self.q,
            sort: self.sort,
            order: self.order,
        };
        f.into_filter(self.cursor, self.limit)
    }
}

impl BoardQuery {
    pub fn into_filter(self) -> Result<(TaskFilter, Option<i64>), AppError> {
        let per_column = self.per_column;
        let f = Filters {
            department_id: self.department_id,
            include_sub: self.include_subdepartments,
            status: self.status,
            assignee_id: self.assignee_id,
            assignee: self.assignee,
            priority: self.priority,
            due_before: self.due_before,
            due_after: self.due_after,
            overdue: self.overdue,
            q: self.q,
            sort: self.sort,
            order: self.order,
        };
        // `per_column` is checked like a page size.
        let filter = f.into_filter(None, per_column).map_err(|e| match e {
            AppError::Validation(mut errs) => {
                for e in &mut errs {
                    if e.field == "limit" {
                        e.field = "per_column".into();
                    }
                }
                AppError::Validation(errs)
            }
            other => other,
        })?;
        Ok((
            TaskFilter {
                limit: None,
                ..filter
            },
            per_column,
        ))
    }
}

/// Joins repeated `key=a&key=b` into `key=a,b` (for the keys in `keys`) so a flat query
/// struct can take repeatable parameters. Other pairs are kept in order.
pub fn fold_repeated(query: &str, keys: &[&str]) -> String {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        if keys.contains(&k.as_str())
            && let Some(existing) = out.iter_mut().find(|(ek, _)| *ek == k)
        {
            if !v.is_empty() {
                if !existing.1.is_empty() {
                    existing.1.push(',');
                }
                existing.1.push_str(&v);
            }
            continue;
        }
        out.push((k, v));
    }
    serde_urlencoded::to_string(&out).unwrap_or_default()
}

/// Like [`ui::ApiQuery`], but `status` may repeat. Bad values are 422 problems naming the parameter.
pub struct TaskQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for TaskQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = fold_repeated(parts.uri.query().unwrap_or(""), &["status"]);
        serde_urlencoded::from_str(&q)
            .map(TaskQuery)
            .map_err(|e| ui::api::query_problem(&q, &e))
    }
}

// ---------------------------------------------------------------- bodies and answers

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<Task>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    pub status: Status,
}

/// One change of the task, from the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    pub id: i64,
    /// Epoch ms.
    pub at: i64,
    pub actor_name: String,
    /// `task.create`, `task.update`, `task.move` or `task.delete`.
    pub action: String,
    /// The task before the change (absent for a create).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The task after the change (absent for a delete).
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskHistory {
    /// Newest first (up to 500).
    pub items: Vec<HistoryItem>,
}

/// The `{id}` path segment; anything but a number is a 404 problem (not a plain-text 400).
pub struct TaskId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for TaskId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(AppError::NotFound))?;
        raw.parse()
            .map(TaskId)
            .map_err(|_| ApiError(AppError::NotFound))
    }
}

// ---------------------------------------------------------------- handlers

/// List the tasks the caller may see, filtered, sorted and paginated by cursor; `format=csv|xlsx`
/// exports every matching task the caller may see instead.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "tasks", params(ListQuery),
    responses((status = 200, description = "One page of tasks (JSON), or all of them as a file", content(
                (TaskPage = "application/json"), ("text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, description = "Invalid cursor", body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 422, description = "A parameter is invalid (named in `errors`)", body = ui::error::Problem)))]
async fn list_tasks(
    State(st): State<AppState>,
    req: Req,
    TaskQuery(mut q): TaskQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let export = q
        .format
        .take()
        .and_then(imports::export::ExportFormat::file);
    let f = q.into_filter()?;
    if let Some(format) = export {
        let tasks = crate::export::all_tasks(&st.db, &ctx, &f).await?;
        let sheet = crate::export::tasks_sheet(req.locale(), &tasks);
        let today = imports::export::today(ctx.now_ms);
        return Ok(imports::export::respond(format, "tasks", &today, &sheet)?);
    }
    let page = service::list(&st.db, &ctx, &f).await?;
    Ok(Json(TaskPage {
        items: page.items,
        next_cursor: page.next_cursor,
    })
    .into_response())
}

/// Create a task. Send `Idempotency-Key` to make retries safe: the same key and body replay the
/// task created first; the same key with another body is 422.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "tasks", request_body = TaskInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters")),
    responses((status = 201, description = "Created (or replayed); `Location` and `ETag` headers", body = Task,
               headers(("Location" = String), ("ETag" = String))),
              (status = 400, description = "Malformed JSON or not JSON", body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, description = "Not allowed to create tasks in that department", body = ui::error::Problem),
              (status = 409, description = "A request with this Idempotency-Key is in progress", body = ui::error::Problem),
              (status = 413, body = ui::error::Problem),
              (status = 422, description = "Invalid or unknown fields, or Idempotency-Key reused", body = ui::error::Problem)))]
async fn create_task(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (TaskInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let t = service::create(&st.db, &ctx, &input, idem.as_ref()).await?;
    let location = format!("/api/v1/tasks/{}", t.id);
    Ok(ui::api::created(&t, &location, t.id, t.version))
}

/// The task board: one column per status with its total and the first cards.
#[utoipa::path(get, path = "/api/v1/tasks/board", tag = "tasks", params(BoardQuery),
    responses((status = 200, body = Board),
              (status = 401, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn task_board(
    State(st): State<AppState>,
    req: Req,
    TaskQuery(q): TaskQuery<BoardQuery>,
) -> Result<Json<Board>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (f, per_column) = q.into_filter()?;
    Ok(Json(service::board(&st.db, &ctx, &f, per_column).await?))
}

/// Read one task. The `ETag` names its version; send it back as `If-None-Match` (304 when
/// unchanged) or `If-Match` (updates).
#[utoipa::path(get, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
           ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier read")),
    responses((status = 200, body = Task, headers(("ETag" = String))),
              (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem),
              (status = 404, description = "No such task, or not visible to the caller", body = ui::error::Problem)))]
async fn get_task(
    State(st): State<AppState>,
    req: Req,
    TaskId(id): TaskId,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let t = service::get(&st.db, &ctx, id).await?;
    Ok(ui::api::read_response(&headers, &t, t.id, t.version))
}

/// Change some fields of a task (`null` clears an optional field). Requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/tasks/{id}", tag = "tasks", request_body = TaskPatch,
    params(("id" = i64, Path, description = "Task id"),
           ("If-Match" = String, Header, description = "The ETag of the version the change is based on")),
    responses((status = 200, body = Task, headers(("ETag" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, description = "The task changed since that version", body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, description = "If-Match missing", body = ui::error::Problem)))]
async fn update_task(
    State(st): State<AppState>,
    req: Req,
    TaskId(id): TaskId,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<TaskPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let t = service::update(&st.db, &ctx, id, version, &patch).await?;
    Ok(ui::api::versioned(StatusCode::OK, &t, t.id, t.version))
}

/// Delete a task. Requires `If-Match` so nobody deletes a version they have not seen.
#[utoipa::path(delete, path = "/api/v1/tasks/{id}", tag = "tasks",
    params(("id" = i64, Path, description = "Task id"),
           ("If-Match" = String, Header, description = "The ETag of the version to delete")),
    responses((status = 204, description = "Deleted"),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn delete_task(
    State(st): State<AppState>,
    req: Req,
    TaskId(id): TaskId,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::delete(&st.db, &ctx, id, Some(version)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move a task to another status (the board's move). Requires `If-Match`.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/move", tag = "tasks", request_body = MoveInput,
    params(("id" = i64, Path, description = "Task id"),
           ("If-Match" = String, Header, description = "The ETag of the version the move is based on")),
    responses((status = 200, body = Task, headers(("ETag" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn move_task(
    State(st): State<AppState>,
    req: Req,
    TaskId(id): TaskId,
    IfMatch(version): IfMatch,
    ui::ApiJson(m): ui::ApiJson<MoveInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let t = service::move_to(&st.db, &ctx, id, m.status, version).await?;
    Ok(ui::api::versioned(StatusCode::OK, &t, t.id, t.version))
}

/// The task's history from the audit log, newest first.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/history", tag = "tasks",
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskHistory),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn task_history(
    State(st): State<AppState>,
    req: Req,
    TaskId(id): TaskId,
) -> Result<Json<TaskHistory>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let items = service::history(&st.db, &ctx, id)
        .await?
        .into_iter()
        .map(|h| HistoryItem {
            id: h.id,
            at: h.at,
            actor_name: h.actor_name,
            action: h.action,
            before: h.before,
            after: h.after,
        })
        .collect();
    Ok(Json(TaskHistory { items }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_status_folds_into_a_list() {
        let q = fold_repeated("status=todo&limit=5&status=doing&q=a%26b", &["status"]);
        let back: Vec<(String, String)> = serde_urlencoded::from_str(&q).unwrap();
        assert_eq!(
            back,
            vec![
                ("status".into(), "todo,doing".into()),
                ("limit".into(), "5".into()),
                ("q".into(), "a&b".into())
            ]
        );
        let lq: ListQuery = serde_urlencoded::from_str(&q).unwrap();
        let f = lq.into_filter().unwrap();
        assert_eq!(f.status, vec![Status::Todo, Status::Doing]);
        assert_eq!(f.limit, Some(5));
    }

    #[test]
    fn filters_name_bad_values() {
        let lq: ListQuery = serde_urlencoded::from_str("status=todo,nope&assignee=bob").unwrap();
        let AppError::Validation(errs) = lq.into_filter().unwrap_err() else {
            panic!()
        };
        let f: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(f, ["status", "assignee"]);
        let lq: ListQuery =
            serde_urlencoded::from_str("assignee=me&order=desc&sort=due_date").unwrap();
        let f = lq.into_filter().unwrap();
        assert_eq!(
            (f.assignee, f.desc, f.sort),
            (Some(AssigneeFilter::Me), true, TaskSort::DueDate)
        );
        assert!(serde_urlencoded::from_str::<ListQuery>("role=admin").is_err());
        let bq: BoardQuery = serde_urlencoded::from_str("per_column=0").unwrap();
        let AppError::Validation(errs) = bq.into_filter().unwrap_err() else {
            panic!()
        };
        assert_eq!(errs[0].field, "per_column");
    }
}
