//! `/org`: the org chart page — the department tree and the reporting lines of a department,
//! both as server-drawn SVG (no script needed, scrolls sideways on a narrow phone).
use crate::org::model::Chart;
use crate::org::service;
use crate::web::{PageResult, ctx_of, here, opt_i64};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new().route("/org", get(org_page))
}

#[derive(Template, WebTemplate)]
#[template(path = "org/chart.html")]
struct OrgPage {
    chrome: Chrome,
    departments: Chart,
    reporting: Chart,
    options: Vec<(i64, String, bool)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrgQuery {
    department_id: String,
}

async fn org_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(q): Query<OrgQuery>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let departments = service::department_chart(&st.db, &ctx).await.map_err(pe)?;
    // Reporting lines of the chosen department, else the actor's own, else the first root:
    // the whole company's lines would be thousands of boxes.
    let chosen = opt_i64(&q.department_id)
        .ok()
        .flatten()
        .or(ctx.actor.department_id)
        .or(departments.nodes.first().map(|n| n.id));
    let reporting = match chosen {
        Some(d) => service::reporting_chart(&st.db, &ctx, Some(d))
            .await
            .map_err(pe)?,
        None => crate::org::model::layout(Vec::new()),
    };
    let options = departments
        .nodes
        .iter()
        .map(|n| {
            (
                n.id,
                format!("{}{}", "　".repeat(n.depth as usize), n.label),
                Some(n.id) == chosen,
            )
        })
        .collect();
    let chrome = notify::chrome(&st, &req, "/org", "org.title", &here(&uri)).await;
    Ok(OrgPage {
        chrome,
        departments,
        reporting,
        options,
    }
    .into_response())
}
