//! Report pages: the cycle report (`/reviews/cycles/{id}/report`, `?format=csv|xlsx` downloads
//! it), the progress board's download (`/reviews/cycles/{id}/progress?format=…`), and a
//! person's page (`/reviews/people/{id}`: ratings across cycles and the feedback about them the
//! reader may see).
use super::model::RatingGroup;
use super::service;
use crate::reviews::feedback::pages::{FeedbackView, feedback_views, page_err};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use kernel::{AppError, Locale};
use std::collections::HashMap;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews/cycles/{id}/report", get(report_page))
        .route("/reviews/cycles/{id}/progress", get(progress_download))
        .route("/reviews/people/{id}", get(person_page))
}

fn num_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(AppError::NotFound, locale))
}

fn file_format(q: &HashMap<String, String>) -> Option<sheets::Format> {
    q.get("format")
        .and_then(|f| imports::export::ExportFormat::from_page_param(f))
}

fn num(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".into())
}

pub struct CompletionView {
    pub department: String,
    pub direction: String,
    pub submitted: i64,
    pub requests: i64,
    pub declined: i64,
    pub rate: String,
}

pub struct GroupView {
    pub name: String,
    pub rated: i64,
    pub mean: String,
    pub distribution: String,
    pub proposed_mean: String,
    pub delta: String,
    pub tendency: String,
    pub flagged: bool,
}

fn group_view(locale: Locale, g: &RatingGroup) -> GroupView {
    GroupView {
        name: g.name.clone().unwrap_or_else(|| "—".into()),
        rated: g.rated,
        mean: num(g.mean),
        distribution: g
            .distribution
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{}: {n}", i + 1))
            .collect::<Vec<_>>()
            .join(" · "),
        proposed_mean: num(g.proposed_mean),
        delta: g
            .delta
            .map(|d| format!("{d:+.2}"))
            .unwrap_or_else(|| "—".into()),
        tendency: g
            .tendency
            .as_deref()
            .map(|x| ui::t(locale, &format!("rfb.tendency_{x}")).to_string())
            .unwrap_or_default(),
        flagged: g.tendency.is_some(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/report.html")]
struct ReportPage {
    chrome: Chrome,
    id: i64,
    name: String,
    completion: Vec<CompletionView>,
    cycle: GroupView,
    /// (catalogue key of the title, groups): by department, by manager.
    tables: Vec<(&'static str, Vec<GroupView>)>,
}

async fn report_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = req.ctx(st.now_ms()).map_err(page_err(locale))?;
    let r = service::cycle_report(&st.db, &ctx, id)
        .await
        .map_err(page_err(locale))?;
    if let Some(format) = file_format(&q) {
        let sheet = super::export::report_sheet(locale, &r);
        return imports::export::respond(
            format,
            "review-report",
            &imports::export::today(ctx.now_ms),
            &sheet,
        )
        .map_err(page_err(locale));
    }
    let completion = r
        .completion
        .iter()
        .map(|c| CompletionView {
            department: c.department_name.clone().unwrap_or_else(|| "—".into()),
            direction: ui::t(
                locale,
                &format!("reviews.direction_{}", c.direction.as_str()),
            )
            .to_string(),
            submitted: c.submitted,
            requests: c.requests,
            declined: c.declined,
            rate: c
                .rate
                .map(|x| format!("{:.0} %", x * 100.0))
                .unwrap_or_else(|| "—".into()),
        })
        .collect();
    let here = format!("/reviews/cycles/{id}/report");
    let chrome = notify::chrome(&st, &req, "/reviews", "rfb.report", &here).await;
    Ok(ReportPage {
        chrome,
        id,
        name: r.cycle_name.clone(),
        completion,
        cycle: group_view(locale, &r.cycle),
        tables: vec![
            (
                "rfb.by_department",
                r.by_department
                    .iter()
                    .map(|g| group_view(locale, g))
                    .collect(),
            ),
            (
                "rfb.by_manager",
                r.by_manager.iter().map(|g| group_view(locale, g)).collect(),
            ),
        ],
    }
    .into_response())
}

/// The progress board (shown on the cycle page) as a download; without a format, the page.
async fn progress_download(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let Some(format) = file_format(&q) else {
        return Ok(Redirect::to(&format!("/reviews/cycles/{id}")).into_response());
    };
    let ctx = req.ctx(st.now_ms()).map_err(page_err(locale))?;
    let err = page_err(locale);
    let deps = crate::reviews::service::progress(&st.db, &ctx, id)
        .await
        .map_err(&err)?;
    let cycle = crate::reviews::service::get_cycle(&st.db, &ctx, id)
        .await
        .map_err(&err)?;
    let sheet = super::export::progress_sheet(locale, &cycle.name, &deps);
    imports::export::respond(
        format,
        "review-progress",
        &imports::export::today(ctx.now_ms),
        &sheet,
    )
    .map_err(err)
}

pub struct HistoryView {
    pub review_id: i64,
    pub cycle: String,
    pub period_end: String,
    pub phase: String,
    pub rating: String,
    pub proposed: String,
    pub change: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/person.html")]
struct PersonPage {
    chrome: Chrome,
    name: String,
    history: Vec<HistoryView>,
    feedback: Vec<FeedbackView>,
}

async fn person_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = req.ctx(st.now_ms()).map_err(page_err(locale))?;
    let err = page_err(locale);
    let h = service::person_history(&st.db, &ctx, id)
        .await
        .map_err(&err)?;
    let feedback = feedback_views(
        crate::reviews::feedback::service::list(&st.db, &ctx, Some(id))
            .await
            .map_err(&err)?,
    );
    let opt = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
    let history = h
        .items
        .iter()
        .map(|r| HistoryView {
            review_id: r.review_id,
            cycle: r.cycle_name.clone(),
            period_end: r.period_end.clone(),
            phase: ui::t(locale, &format!("reviews.phase_{}", r.phase.as_str())).to_string(),
            rating: r
                .final_rating
                .map(|v| format!("{v} / {}", r.scale_max))
                .unwrap_or_else(|| "—".into()),
            proposed: opt(r.proposed_rating),
            change: r.change.map(|c| format!("{c:+}")).unwrap_or_default(),
        })
        .collect();
    let here = format!("/reviews/people/{id}");
    let chrome = notify::chrome(&st, &req, "/reviews", "rfb.person_title", &here).await;
    Ok(PersonPage {
        chrome,
        name: h.name,
        history,
        feedback,
    }
    .into_response())
}
