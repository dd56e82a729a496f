//! 1:1 pages: the caller's own 1:1s and one 1:1 with its notes and follow-ups. Only the two
//! participants ever reach these pages (404 for everyone else, see the module docs).
use super::model::{FollowupInput, OneOnOne, OneOnOneInput, OneOnOnePatch};
use super::service;
use crate::pages::{FormErrors, Opt, ctx_of, opt_text, parse_id};
use crate::people_ui::{form_errors, form_id};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kernel::{AppError, Ctx};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/one-on-ones", get(list_page).post(create))
        .route("/one-on-ones/{id}", get(detail_page).post(update))
        .route("/one-on-ones/{id}/followups", post(add_followup))
        .route("/one-on-ones/followups/{id}", post(toggle_followup))
}

type PageResult = Result<Response, PageError>;

fn unprocessable(mut r: Response, bad: bool) -> Response {
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

#[derive(Template, WebTemplate)]
#[template(path = "one_on_one/list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<OneOnOne>,
    partners: Vec<Opt>,
    errors: FormErrors,
}

/// The people the caller can hold 1:1s with: direct reports and their own manager.
async fn partners(st: &AppState, ctx: &Ctx) -> Result<Vec<Opt>, AppError> {
    let Some(me) = ctx.actor.person_id else {
        return Ok(Vec::new());
    };
    let mut out: Vec<Opt> = crate::service::direct_reports(&st.db, ctx, me)
        .await?
        .into_iter()
        .map(|p| Opt {
            value: p.id.to_string(),
            label: p.name,
        })
        .collect();
    let mine = crate::service::get_person(&st.db, ctx, me).await?;
    if let (Some(m), Some(name)) = (mine.manager_id, mine.manager_name) {
        out.push(Opt {
            value: m.to_string(),
            label: name,
        });
    }
    Ok(out)
}

async fn render_list(st: &AppState, req: &Req, ctx: &Ctx, errors: FormErrors) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let items = service::list_mine(&st.db, ctx, None, None, Some(200))
        .await
        .map_err(pe)?
        .items;
    let bad = !errors.is_empty();
    let page = ListPage {
        chrome: notify::chrome(st, req, "/one-on-ones", "tp.one_on_ones", "/one-on-ones").await,
        items,
        partners: partners(st, ctx).await.map_err(pe)?,
        errors,
    };
    Ok(unprocessable(page.into_response(), bad))
}

async fn list_page(State(st): State<AppState>, req: Req) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    render_list(&st, &req, &ctx, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewForm {
    with_person_id: String,
    meeting_on: String,
    talking_points: String,
}

async fn create(State(st): State<AppState>, req: Req, Form(f): Form<NewForm>) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let input = OneOnOneInput {
            with_person_id: form_id("with_person_id", &f.with_person_id)?
                .ok_or_else(|| AppError::field("with_person_id", "required", "is required"))?,
            meeting_on: f.meeting_on.clone(),
            talking_points: opt_text(&f.talking_points),
            notes: None,
        };
        service::create(&st.db, &ctx, &input, None).await
    }
    .await;
    match r {
        Ok(o) => Ok(Redirect::to(&format!("/one-on-ones/{}", o.id)).into_response()),
        Err(e) => render_list(&st, &req, &ctx, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "one_on_one/detail.html")]
struct DetailPage {
    chrome: Chrome,
    o: OneOnOne,
    errors: FormErrors,
}

impl DetailPage {
    fn owner(&self, id: &Option<i64>) -> String {
        match id {
            Some(p) if *p == self.o.manager_id => self.o.manager_name.clone(),
            Some(p) if *p == self.o.report_id => self.o.report_name.clone(),
            _ => "—".into(),
        }
    }
}

async fn render_detail(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> PageResult {
    let o = service::get(&st.db, ctx, id)
        .await
        .map_err(|e| PageError(e, req.locale()))?;
    let mut chrome = notify::chrome(
        st,
        req,
        "/one-on-ones",
        "tp.one_on_one",
        &format!("/one-on-ones/{id}"),
    )
    .await;
    chrome.title = format!("{} · {} / {}", o.meeting_on, o.manager_name, o.report_name);
    let bad = !errors.is_empty();
    Ok(unprocessable(
        DetailPage { chrome, o, errors }.into_response(),
        bad,
    ))
}

async fn detail_page(State(st): State<AppState>, req: Req, Path(id): Path<String>) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_detail(&st, &req, &ctx, id, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EditForm {
    version: String,
    meeting_on: String,
    talking_points: String,
    notes: String,
}

async fn update(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let patch = OneOnOnePatch {
        meeting_on: Some(f.meeting_on),
        talking_points: Some(f.talking_points),
        notes: Some(f.notes),
    };
    match service::update(
        &st.db,
        &ctx,
        id,
        f.version.trim().parse().unwrap_or(0),
        &patch,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/one-on-ones/{id}")).into_response()),
        Err(e) => render_detail(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FollowupForm {
    text: String,
    owner_id: String,
    due_on: String,
}

async fn add_followup(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<FollowupForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let input = FollowupInput {
            text: f.text.clone(),
            owner_id: form_id("owner_id", &f.owner_id)?,
            due_on: opt_text(&f.due_on),
        };
        service::add_followup(&st.db, &ctx, id, &input).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/one-on-ones/{id}")).into_response()),
        Err(e) => render_detail(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ToggleForm {
    done: String,
}

async fn toggle_followup(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<ToggleForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let o = service::set_followup_done(&st.db, &ctx, id, f.done == "true")
        .await
        .map_err(|e| PageError(e, req.locale()))?;
    Ok(Redirect::to(&format!("/one-on-ones/{}", o.id)).into_response())
}
