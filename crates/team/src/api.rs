//! `/api/v1/departments` and `/api/v1/people`: the directory over JSON. Reads carry an `ETag`
//! (and answer `If-None-Match` with 304); updates and deletes need `If-Match`; creates accept an
//! `Idempotency-Key`. Every signed-in user reads the directory; writes follow `kernel::policy`.
use crate::model::{
    Department, DepartmentInput, DepartmentNode, DepartmentPatch, Person, PersonFilter,
    PersonInput, PersonPatch, PersonSort,
};
use crate::service;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use db::idempotency::Idem;
use imports::export::ExportFormat;
use kernel::AppError;
use kernel::page::{clamp_limit, decode_cursor, encode_cursor};
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiQuery, AppState, IdempotencyKey, IfMatch, Req, etag_for};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_departments, create_department))
        .routes(routes!(department_tree))
        .routes(routes!(
            get_department,
            update_department,
            delete_department
        ))
        .routes(routes!(department_history))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person, delete_person))
        .routes(routes!(person_history))
}

// ---------------------------------------------------------------- shared pieces

// The team's sub-modules (hiring, training, …) answer through the one set of helpers in ui::api.
pub(crate) use ui::api::{created, json_body, read_response, with_etag};

/// One change in a record's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    pub id: i64,
    /// Epoch ms.
    pub at: i64,
    pub actor_name: String,
    /// `department.create`, `person.update`, …
    pub action: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPage {
    pub items: Vec<HistoryItem>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

async fn history(
    st: &AppState,
    req: &Req,
    entity: &str,
    id: i64,
    q: HistoryQuery,
) -> Result<Json<HistoryPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let page = service::history(&st.db, &ctx, entity, id, q.cursor.as_deref(), q.limit).await?;
    let items = page
        .items
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
    Ok(Json(HistoryPage {
        items,
        next_cursor: page.next_cursor,
    }))
}

// ---------------------------------------------------------------- departments

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DepartmentQuery {
    /// Only the direct sub-departments of this department.
    pub parent_id: Option<i64>,
    /// Only top-level departments (no parent).
    pub root: Option<bool>,
    /// Case-insensitive substring of the name or code.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// `json` (default), or `csv`/`xlsx` for a file of ALL matching departments (every page,
    /// at most 50,000 rows; `cursor` and `limit` are ignored).
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentPage {
    pub items: Vec<Department>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentTree {
    /// Depth-first (siblings by name), each with its depth (roots are 0).
    pub items: Vec<DepartmentNode>,
}

/// Filters and pages the (small) department list in memory, by name then id; the cursor is
/// the last row's (name, id).
pub fn page_departments(
    all: Vec<Department>,
    q: &DepartmentQuery,
) -> Result<DepartmentPage, AppError> {
    let limit = clamp_limit(q.limit) as usize;
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?)
        }
        None => None,
    };
    let needle =
        q.q.as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
    let mut rows: Vec<Department> = all
        .into_iter()
        .filter(|d| q.parent_id.is_none_or(|p| d.parent_id == Some(p)))
        .filter(|d| !q.root.unwrap_or(false) || d.parent_id.is_none())
        .filter(|d| {
            needle.as_ref().is_none_or(|n| {
                d.name.to_lowercase().contains(n)
                    || d.code
                        .as_deref()
                        .is_some_and(|c| c.to_lowercase().contains(n))
            })
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    if let Some((name, id)) = after {
        rows.retain(|d| (d.name.as_str(), d.id) > (name.as_str(), id));
    }
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|d| encode_cursor(&d.name, d.id))
    } else {
        None
    };
    Ok(DepartmentPage {
        items: rows,
        next_cursor,
    })
}

/// List departments (by name), with filters and cursor pagination; `format=csv|xlsx` exports
/// every matching department instead.
#[utoipa::path(get, path = "/api/v1/departments", tag = "departments", params(DepartmentQuery),
    responses((status = 200, content((DepartmentPage = "application/json"), ("text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_departments(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<DepartmentQuery>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let all = service::list_departments(&st.db, &ctx).await?;
    if let Some(format) = q.format.and_then(ExportFormat::file) {
        let rows = export_departments(all, q)?;
        let sheet = crate::export::departments_sheet(req.locale(), &rows);
        return Ok(imports::export::respond(
            format,
            "departments",
            &imports::export::today(ctx.now_ms),
            &sheet,
        )?);
    }
    Ok(Json(page_departments(all, &q)?).into_response())
}

/// Every department the query matches, in list order (all pages).
pub fn export_departments(
    all: Vec<Department>,
    q: DepartmentQuery,
) -> Result<Vec<Department>, AppError> {
    let mut q = DepartmentQuery {
        limit: Some(kernel::page::MAX_LIMIT),
        cursor: None,
        ..q
    };
    let mut out = Vec::new();
    loop {
        let page = page_departments(all.clone(), &q)?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// The whole department tree in display order with depths.
#[utoipa::path(get, path = "/api/v1/departments/tree", tag = "departments",
    responses((status = 200, body = DepartmentTree), (status = 401, body = ui::error::Problem)))]
async fn department_tree(
    State(st): State<AppState>,
    req: Req,
) -> Result<Json<DepartmentTree>, ApiError> {
    req.ctx(st.now_ms())?;
    Ok(Json(DepartmentTree {
        items: service::tree(&st.db).await?,
    }))
}

/// Create a department (admins anywhere; managers within their departments).
#[utoipa::path(post, path = "/api/v1/departments", tag = "departments", request_body = DepartmentInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first result for a retried create")),
    responses((status = 201, body = Department, description = "Created; `Location` and `ETag` headers"),
              (status = 400, body = ui::error::Problem), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 409, body = ui::error::Problem, description = "Code taken, or the same Idempotency-Key in flight"),
              (status = 413, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem, description = "Invalid or unknown fields; Idempotency-Key reused with another body")))]
async fn create_department(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: DepartmentInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let d = service::create_department(&st.db, &ctx, &input, idem.as_ref()).await?;
    let location = format!("/api/v1/departments/{}", d.id);
    let (id, version) = (d.id, d.version);
    Ok(created(d, &location, id, version))
}

/// One department, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "departments",
    params(("id" = i64, Path, description = "Department id"),
           ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier read")),
    responses((status = 200, body = Department), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_department(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let d = service::get_department(&st.db, &ctx, id).await?;
    let version = d.version;
    Ok(read_response(&headers, d, id, version))
}

/// Change a department; only the fields sent change (`null` clears). Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "departments", request_body = DepartmentPatch,
    params(("id" = i64, Path, description = "Department id"),
           ("If-Match" = String, Header, description = "The ETag the change is based on")),
    responses((status = 200, body = Department), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem, description = "Changed since the ETag was read"),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn update_department(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<DepartmentPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let d = service::update_department(&st.db, &ctx, id, version, &patch).await?;
    let etag = etag_for(d.id, d.version);
    Ok(with_etag(Json(d).into_response(), &etag))
}

/// Delete an empty department (admins). Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "departments",
    params(("id" = i64, Path, description = "Department id"),
           ("If-Match" = String, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem, description = "Still has sub-departments, people or tasks"),
              (status = 412, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn delete_department(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::delete_department(&st.db, &ctx, id, Some(version)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A department's change history, newest first.
#[utoipa::path(get, path = "/api/v1/departments/{id}/history", tag = "departments",
    params(("id" = i64, Path, description = "Department id"), HistoryQuery),
    responses((status = 200, body = HistoryPage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn department_history(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<HistoryPage>, ApiError> {
    history(&st, &req, "department", id, q).await
}

// ---------------------------------------------------------------- people

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Order {
    #[default]
    Asc,
    Desc,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Only people of this department.
    pub department_id: Option<i64>,
    /// With `department_id`: also people of its sub-departments.
    pub include_subdepartments: Option<bool>,
    /// Case-insensitive substring of name, Chinese name, their pinyin or initials ("zhang",
    /// "zs" find 张三), employee number or email.
    pub q: Option<String>,
    /// Only active (`true`) or inactive (`false`) people.
    pub active: Option<bool>,
    /// `name` (default), `employee_no` or `hire_date`.
    #[param(inline)]
    pub sort: Option<PersonSort>,
    /// `asc` (default) or `desc`.
    #[param(inline)]
    pub order: Option<Order>,
    /// From `next_cursor` of the previous page (same filters and sort).
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// `json` (default), or `csv`/`xlsx` for a file of ALL matching people (every page, at
    /// most 50,000 rows; `cursor` and `limit` are ignored). The file reads back through the
    /// people import.
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

impl PeopleQuery {
    pub fn filter(self) -> PersonFilter {
        PersonFilter {
            department_id: self.department_id,
            include_sub: self.include_subdepartments.unwrap_or(false),
            q: self.q,
            active: self.active,
            sort: self.sort.unwrap_or_default(),
            desc: self.order == Some(Order::Desc),
            cursor: self.cursor,
            limit: self.limit,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonPage {
    pub items: Vec<Person>,
    pub next_cursor: Option<String>,
}

/// List people with filters, sort and cursor pagination; `format=csv|xlsx` exports every
/// matching person instead.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleQuery),
    responses((status = 200, content((PersonPage = "application/json"), ("text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_people(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<PeopleQuery>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    if let Some(format) = q.format.and_then(ExportFormat::file) {
        let people = export_people(&st, &ctx, q.filter()).await?;
        let sheet = crate::export::people_sheet(req.locale(), &people);
        return Ok(imports::export::respond(
            format,
            "people",
            &imports::export::today(ctx.now_ms),
            &sheet,
        )?);
    }
    let page = service::list_people(&st.db, &ctx, &q.filter()).await?;
    Ok(Json(PersonPage {
        items: page.items,
        next_cursor: page.next_cursor,
    })
    .into_response())
}

/// Every person the filter matches, in list order: the list's own query, page after page.
pub async fn export_people(
    st: &AppState,
    ctx: &kernel::Ctx,
    f: PersonFilter,
) -> Result<Vec<Person>, AppError> {
    imports::export::all_pages(|cursor| {
        let f = PersonFilter {
            cursor,
            limit: Some(kernel::page::MAX_LIMIT),
            ..f.clone()
        };
        async move { service::list_people(&st.db, ctx, &f).await }
    })
    .await
}

/// Create a person (admins anywhere; managers within their departments; `user_id` admins only).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = PersonInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first result for a retried create")),
    responses((status = 201, body = Person, description = "Created; `Location` and `ETag` headers"),
              (status = 400, body = ui::error::Problem), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem, description = "Employee number or user account taken, or the same Idempotency-Key in flight"),
              (status = 413, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem, description = "Invalid or unknown fields; Idempotency-Key reused with another body")))]
async fn create_person(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: PersonInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let p = service::create_person(&st.db, &ctx, &input, idem.as_ref()).await?;
    let location = format!("/api/v1/people/{}", p.id);
    let (id, version) = (p.id, p.version);
    Ok(created(p, &location, id, version))
}

/// One person, with its `ETag`.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = i64, Path, description = "Person id"),
           ("If-None-Match" = Option<String>, Header, description = "An ETag from an earlier read")),
    responses((status = 200, body = Person), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_person(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::get_person(&st.db, &ctx, id).await?;
    let version = p.version;
    Ok(read_response(&headers, p, id, version))
}

/// Change a person; only the fields sent change (`null` clears). Members may send only
/// `email` and `phone` of their own record; `user_id` is for admins. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people", request_body = PersonPatch,
    params(("id" = i64, Path, description = "Person id"),
           ("If-Match" = String, Header, description = "The ETag the change is based on")),
    responses((status = 200, body = Person), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem, description = "Not allowed to change this person or one of the fields sent"),
              (status = 404, body = ui::error::Problem), (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem, description = "Changed since the ETag was read"),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn update_person(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<PersonPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::update_person(&st.db, &ctx, id, version, &patch).await?;
    let etag = etag_for(p.id, p.version);
    Ok(with_etag(Json(p).into_response(), &etag))
}

/// Delete a person (admins): their tasks become unassigned, reports lose their manager,
/// departments they headed lose their head. Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = i64, Path, description = "Person id"),
           ("If-Match" = String, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn delete_person(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::delete_person(&st.db, &ctx, id, Some(version)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person's change history, newest first.
#[utoipa::path(get, path = "/api/v1/people/{id}/history", tag = "people",
    params(("id" = i64, Path, description = "Person id"), HistoryQuery),
    responses((status = 200, body = HistoryPage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn person_history(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<HistoryPage>, ApiError> {
    history(&st, &req, "person", id, q).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(id: i64, parent: Option<i64>, name: &str, code: Option<&str>) -> Department {
        Department {
            id,
            name: name.into(),
            code: code.map(Into::into),
            parent_id: parent,
            parent_name: None,
            head_person_id: None,
            head_name: None,
            description: None,
            people_count: 0,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn q(
        parent_id: Option<i64>,
        text: Option<&str>,
        cursor: Option<String>,
        limit: Option<i64>,
    ) -> DepartmentQuery {
        DepartmentQuery {
            parent_id,
            root: None,
            q: text.map(Into::into),
            cursor,
            limit,
            format: None,
        }
    }

    #[test]
    fn departments_page_by_name_and_filter() {
        let all = || {
            vec![
                dept(1, None, "HQ", Some("HQ")),
                dept(2, Some(1), "Ops", Some("OPS")),
                dept(3, Some(1), "Finance", Some("FIN")),
                dept(4, Some(2), "Customer", Some("CS")),
            ]
        };
        let p1 = page_departments(all(), &q(None, None, None, Some(2))).unwrap();
        assert_eq!(p1.items.iter().map(|d| d.id).collect::<Vec<_>>(), [4, 3]);
        let p2 = page_departments(all(), &q(None, None, p1.next_cursor, Some(2))).unwrap();
        assert_eq!(p2.items.iter().map(|d| d.id).collect::<Vec<_>>(), [1, 2]);
        assert!(p2.next_cursor.is_none());
        let kids = page_departments(all(), &q(Some(1), None, None, None)).unwrap();
        assert_eq!(kids.items.iter().map(|d| d.id).collect::<Vec<_>>(), [3, 2]);
        let found = page_departments(all(), &q(None, Some("fin"), None, None)).unwrap();
        assert_eq!(found.items.len(), 1);
        let roots = DepartmentQuery {
            root: Some(true),
            ..q(None, None, None, None)
        };
        assert_eq!(page_departments(all(), &roots).unwrap().items.len(), 1);
        assert!(page_departments(all(), &q(None, None, Some("zz".into()), None)).is_err());
    }

    #[test]
    fn people_query_maps_to_filter() {
        let q: PeopleQuery = serde_urlencoded::from_str(
            "department_id=3&include_subdepartments=true&sort=hire_date&order=desc&active=false",
        )
        .unwrap();
        let f = q.filter();
        assert_eq!(
            (f.department_id, f.include_sub, f.sort, f.desc, f.active),
            (Some(3), true, PersonSort::HireDate, true, Some(false))
        );
        assert!(serde_urlencoded::from_str::<PeopleQuery>("role=admin").is_err());
    }
}
