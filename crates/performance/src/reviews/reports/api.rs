//! `/api/v1/review-cycles/{id}/report` (admins: the company; managers: their departments) and
//! `/api/v1/review-history/{id}` (a person's ratings across cycles, under the review policy).
//! The report and the progress board export as CSV or XLSX with `format`.
use super::service::{self, CycleReport, PersonHistory};
use crate::goals::api::Id;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use imports::export::ExportFormat;
use serde::Deserialize;
use ui::{ApiError, ApiQuery, AppState, Req};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(cycle_report))
        .routes(routes!(person_history))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default), or `csv` / `xlsx` for a file holding what the page shows.
    pub format: Option<ExportFormat>,
}

/// Completion per reviewee department and direction, and the managers' final and proposed
/// ratings by department and by manager with each group's mean against the cycle mean
/// (`tendency`: `lenient` / `harsh`). Never reads peer or upward answers.
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}/report", tag = "reviews",
    params(("id" = i64, Path), ExportQuery),
    responses((status = 200, content((CycleReport = "application/json"), ("text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn cycle_report(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let r = service::cycle_report(&st.db, &ctx, id).await?;
    if let Some(format) = q.format.and_then(ExportFormat::file) {
        let sheet = super::export::report_sheet(req.locale(), &r);
        return Ok(imports::export::respond(
            format,
            "review-report",
            &imports::export::today(ctx.now_ms),
            &sheet,
        )?);
    }
    Ok(Json(r).into_response())
}

/// A person's reviews across cycles with the manager's final and proposed rating and the change
/// against the previous cycle — only the reviews the caller may see (the person, their managers,
/// admins); ratings reach the person once results are shared.
#[utoipa::path(get, path = "/api/v1/review-history/{id}", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = PersonHistory),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn person_history(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Json<PersonHistory>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::person_history(&st.db, &ctx, id).await?))
}

/// The progress board as a file (used by `GET /api/v1/review-cycles/{id}/progress?format=`).
pub fn progress_file(
    locale: kernel::Locale,
    now_ms: i64,
    format: sheets::Format,
    cycle: &str,
    deps: &[crate::reviews::service::DepartmentProgress],
) -> Result<Response, ApiError> {
    let sheet = super::export::progress_sheet(locale, cycle, deps);
    Ok(imports::export::respond(
        format,
        "review-progress",
        &imports::export::today(now_ms),
        &sheet,
    )?)
}
