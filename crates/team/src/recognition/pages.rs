//! The kudos feed with its "give kudos" form, and company values (admins manage them).
use super::model::{CompanyValue, Kudos, KudosInput, ValueInput};
use super::service::{self, FeedQuery};
use crate::pages::{FormErrors, Opt, ctx_of, opt_text};
use crate::people_ui::{form_errors, form_id};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kernel::{AppError, Ctx};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kudos", get(feed_page).post(give))
        .route("/kudos/values", post(value_create))
}

#[derive(Template, WebTemplate)]
#[template(path = "recognition/feed.html")]
struct FeedPage {
    chrome: Chrome,
    items: Vec<Kudos>,
    next: Option<String>,
    values: Vec<CompanyValue>,
    people: Vec<Opt>,
    can_give: bool,
    can_manage: bool,
    errors: FormErrors,
}

impl FeedPage {
    fn day(&self, ms: &i64) -> String {
        kernel::dates::format_instant(*ms, 8)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FeedParams {
    cursor: String,
}

async fn render(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    cursor: Option<&str>,
    errors: FormErrors,
) -> Result<Response, PageError> {
    let pe = |e| PageError(e, req.locale());
    let page = service::feed(
        &st.db,
        ctx,
        &FeedQuery {
            to_person_id: None,
            department_id: None,
            value_id: None,
            cursor,
            limit: Some(50),
        },
    )
    .await
    .map_err(pe)?;
    let people = crate::service::people_options(&st.db, ctx)
        .await
        .map_err(pe)?
        .into_iter()
        .filter(|p| p.active && Some(p.id) != ctx.actor.person_id)
        .map(|p| Opt {
            value: p.id.to_string(),
            label: format!("{} ({})", p.name, p.employee_no),
        })
        .collect();
    let bad = !errors.is_empty();
    let mut r = FeedPage {
        chrome: notify::chrome(st, req, "/kudos", "tp.kudos", "/kudos").await,
        items: page.items,
        next: page.next_cursor,
        values: service::list_values(&st.db, ctx).await.map_err(pe)?,
        people,
        can_give: ctx.actor.can_give_kudos(),
        can_manage: ctx.actor.can_manage_values(),
        errors,
    }
    .into_response();
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn feed_page(
    State(st): State<AppState>,
    req: Req,
    Query(p): Query<FeedParams>,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    render(
        &st,
        &req,
        &ctx,
        Some(p.cursor.as_str()).filter(|c| !c.is_empty()),
        FormErrors::default(),
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GiveForm {
    to_person_id: String,
    value_id: String,
    message: String,
}

async fn give(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<GiveForm>,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let input = KudosInput {
            to_person_id: form_id("to_person_id", &f.to_person_id)?
                .ok_or_else(|| AppError::field("to_person_id", "required", "is required"))?,
            value_id: form_id("value_id", &f.value_id)?
                .ok_or_else(|| AppError::field("value_id", "required", "is required"))?,
            message: f.message.clone(),
        };
        service::give_kudos(&st.db, &ctx, &input, None).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/kudos").into_response()),
        Err(e) => render(&st, &req, &ctx, None, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ValueForm {
    name: String,
    description: String,
}

async fn value_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<ValueForm>,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let input = ValueInput {
        name: f.name,
        description: opt_text(&f.description),
        active: true,
    };
    match service::create_value(&st.db, &ctx, &input).await {
        Ok(_) => Ok(Redirect::to("/kudos").into_response()),
        Err(e) => render(&st, &req, &ctx, None, form_errors(req.locale(), e)?).await,
    }
}
