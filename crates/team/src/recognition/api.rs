//! `/api/v1/company-values` and `/api/v1/kudos`.
use super::model::{CompanyValue, Kudos, KudosInput, ValueInput};
use super::service::{self, FeedQuery};
use crate::api::{created, json_body, read_response, with_etag};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use db::idempotency::Idem;
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiJson, ApiQuery, AppState, IdempotencyKey, IfMatch, Req, etag_for};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_values, create_value))
        .routes(routes!(get_value, update_value))
        .routes(routes!(list_kudos, give_kudos))
}

/// The company values kudos are tied to.
#[utoipa::path(get, path = "/api/v1/company-values", tag = "recognition",
    responses((status = 200, body = Vec<CompanyValue>), (status = 401, body = ui::error::Problem)))]
async fn list_values(
    State(st): State<AppState>,
    req: Req,
) -> Result<Json<Vec<CompanyValue>>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::list_values(&st.db, &ctx).await?))
}

/// Add a company value (admins).
#[utoipa::path(post, path = "/api/v1/company-values", tag = "recognition", request_body = ValueInput,
    responses((status = 201, body = CompanyValue), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 409, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_value(
    State(st): State<AppState>,
    req: Req,
    ApiJson(input): ApiJson<ValueInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let v = service::create_value(&st.db, &ctx, &input).await?;
    let (id, ver) = (v.id, v.version);
    Ok(created(v, &format!("/api/v1/company-values/{id}"), id, ver))
}

/// One company value.
#[utoipa::path(get, path = "/api/v1/company-values/{id}", tag = "recognition",
    params(("id" = i64, Path, description = "Value id")),
    responses((status = 200, body = CompanyValue), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_value(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let v = service::get_value(&st.db, &ctx, id).await?;
    let ver = v.version;
    Ok(read_response(&headers, v, id, ver))
}

/// Rename, describe or retire a value (admins). Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/company-values/{id}", tag = "recognition", request_body = ValueInput,
    params(("id" = i64, Path, description = "Value id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = CompanyValue), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem), (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn update_value(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ValueInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let v = service::update_value(&st.db, &ctx, id, version, &input).await?;
    let etag = etag_for(v.id, v.version);
    Ok(with_etag(Json(v).into_response(), &etag))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KudosQuery {
    /// Kudos received by this person.
    pub to_person_id: Option<i64>,
    /// Kudos received by people of this department (and its sub-departments).
    pub department_id: Option<i64>,
    pub value_id: Option<i64>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KudosPage {
    pub items: Vec<Kudos>,
    pub next_cursor: Option<String>,
}

/// The kudos feed, newest first.
#[utoipa::path(get, path = "/api/v1/kudos", tag = "recognition", params(KudosQuery),
    responses((status = 200, body = KudosPage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_kudos(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<KudosQuery>,
) -> Result<Json<KudosPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::feed(
        &st.db,
        &ctx,
        &FeedQuery {
            to_person_id: q.to_person_id,
            department_id: q.department_id,
            value_id: q.value_id,
            cursor: q.cursor.as_deref(),
            limit: q.limit,
        },
    )
    .await?;
    Ok(Json(KudosPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Give kudos to a colleague for a company value; they are notified.
#[utoipa::path(post, path = "/api/v1/kudos", tag = "recognition", request_body = KudosInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first result for a retried create")),
    responses((status = 201, body = Kudos), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn give_kudos(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: KudosInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let k = service::give_kudos(&st.db, &ctx, &input, idem.as_ref()).await?;
    let id = k.id;
    Ok(created(
        k,
        &format!("/api/v1/kudos?to_person_id={}", input.to_person_id),
        id,
        1,
    ))
}
