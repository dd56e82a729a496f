//! Feedback pages: "my feedback" (received and given, requests asked of me with an answer form,
//! my requests), the give and request forms (`/reviews/feedback/new`, with their errors at each
//! field), and the feedback list on a person (`/reviews/people/{id}`, in `reports::pages`). No
//! JavaScript needed.
use super::service::{self, FeedbackInput, FeedbackRequestInput};
use super::store::Feedback;
use crate::reviews::pages::{field, pairs};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use db::idempotency::Idem;
use kernel::{AppError, Ctx, Locale};
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews/feedback", get(mine).post(give_submit))
        .route("/reviews/feedback/new", get(new_form))
        .route("/reviews/feedback/requests", post(request_submit))
        .route(
            "/reviews/feedback/requests/{id}/decline",
            post(decline_submit),
        )
}

pub(crate) fn page_err(locale: Locale) -> impl Fn(AppError) -> PageError {
    move |e| PageError(e, locale)
}

/// `error.<code>`, else `rfb.error_<code>`, else the generic message.
fn field_message(locale: Locale, code: &str) -> String {
    for k in [format!("error.{code}"), format!("rfb.error_{code}")] {
        let s = ui::t(locale, &k);
        if s != k {
            return s.to_string();
        }
    }
    ui::t(locale, "error.invalid").to_string()
}

type Errors = Vec<(String, String)>;

fn errors_of(locale: Locale, e: &AppError) -> Errors {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .map(|f| (f.field.clone(), field_message(locale, f.code)))
            .collect(),
        _ => Vec::new(),
    }
}

pub struct FeedbackView {
    pub subject_id: i64,
    pub subject: String,
    pub author: String,
    pub shared: bool,
    pub body: String,
    pub given_on: String,
}

pub(crate) fn feedback_views(list: Vec<Feedback>) -> Vec<FeedbackView> {
    list.into_iter()
        .map(|f| FeedbackView {
            subject_id: f.subject_id,
            subject: f.subject_name,
            author: f.author_name,
            shared: f.visibility == "shared",
            body: f.body,
            given_on: f.given_on,
        })
        .collect()
}

pub struct RequestView {
    pub id: i64,
    pub subject: String,
    pub requester: String,
    pub requestee: String,
    pub message: String,
    pub status: String,
    pub open: bool,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// What the forms held when a submit failed, so they are shown again with their errors.
#[derive(Default)]
struct Form {
    /// `give`, `answer-<id>` or `request`.
    which: String,
    values: Vec<(String, String)>,
    errors: Errors,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/feedback.html")]
struct MinePage {
    chrome: Chrome,
    feedback: Vec<FeedbackView>,
    to_me: Vec<RequestView>,
    by_me: Vec<RequestView>,
    can_write: bool,
    form: Form,
    alert: Option<String>,
}

/// The give and request forms, apart from the lists: their pickers hold the whole directory.
#[derive(Template, WebTemplate)]
#[template(path = "reviews/feedback_new.html")]
struct NewPage {
    chrome: Chrome,
    people: Vec<Opt>,
    subjects: Vec<Opt>,
    idem: String,
    form: Form,
    alert: Option<String>,
}

impl Form {
    fn err(&self, which: &str, field: &str) -> Option<&str> {
        (self.which == which)
            .then(|| {
                self.errors
                    .iter()
                    .find(|(f, _)| f == field)
                    .map(|(_, m)| m.as_str())
            })
            .flatten()
    }

    fn val(&self, which: &str, field: &str) -> &str {
        if self.which != which {
            return "";
        }
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn request_views(locale: Locale, list: Vec<super::store::FeedbackRequest>) -> Vec<RequestView> {
    list.into_iter()
        .map(|r| RequestView {
            id: r.id,
            subject: r.subject_name,
            requester: r.requester_name,
            requestee: r.requestee_name,
            message: r.message.unwrap_or_default(),
            open: r.status == "open",
            status: ui::t(locale, &format!("rfb.request_{}", r.status)).to_string(),
        })
        .collect()
}

fn alert_of(locale: Locale, form: &Form) -> Option<String> {
    (!form.errors.is_empty()).then(|| ui::t(locale, "problem.validation").to_string())
}

async fn render_list(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    form: Form,
    status: StatusCode,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    let feedback = feedback_views(service::list(&st.db, ctx, None).await.map_err(&err)?);
    let lists = service::my_requests(&st.db, ctx).await.map_err(&err)?;
    let chrome = notify::chrome(st, req, "/reviews", "rfb.title", "/reviews/feedback").await;
    Ok((
        status,
        MinePage {
            chrome,
            feedback,
            to_me: request_views(locale, lists.to_me),
            by_me: request_views(locale, lists.by_me),
            can_write: ctx.actor.person_id.is_some() && ctx.actor.role != kernel::Role::Viewer,
            alert: alert_of(locale, &form),
            form,
        },
    )
        .into_response())
}

async fn render_new(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    form: Form,
    status: StatusCode,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    if ctx.actor.person_id.is_none() || ctx.actor.role == kernel::Role::Viewer {
        return Err(err(AppError::Forbidden("give feedback")));
    }
    let me = ctx.actor.person_id;
    let reports = {
        let mut tx = st.db.read().await.map_err(|e| err(e.into()))?;
        match me {
            Some(p) => crate::goals::store::reports_of(&mut tx, p)
                .await
                .map_err(|e| err(e.into()))?,
            None => Vec::new(),
        }
    };
    let options = team::service::people_options(&st.db, ctx)
        .await
        .map_err(&err)?;
    let opt = |p: &team::model::PersonOption| Opt {
        value: p.id.to_string(),
        label: work::pages::person_label(locale, &p.name, p.name_zh.as_deref()),
        selected: false,
    };
    let people = options
        .iter()
        .filter(|p| p.active && Some(p.id) != me)
        .map(opt)
        .collect();
    // Feedback is requested about oneself or someone in one's reporting line (admins: anyone).
    let subjects = options
        .iter()
        .filter(|p| p.active && ctx.actor.can_request_feedback(p.id, &reports))
        .map(opt)
        .collect();
    let chrome = notify::chrome(st, req, "/reviews", "rfb.new", "/reviews/feedback/new").await;
    Ok((
        status,
        NewPage {
            chrome,
            people,
            subjects,
            idem: db::random_hex(16),
            alert: alert_of(locale, &form),
            form,
        },
    )
        .into_response())
}

async fn new_form(State(st): State<AppState>, req: Req) -> Result<Response, PageError> {
    let ctx = req.ctx(st.now_ms()).map_err(page_err(req.locale()))?;
    render_new(&st, &req, &ctx, Form::default(), StatusCode::OK).await
}

async fn mine(State(st): State<AppState>, req: Req) -> Result<Response, PageError> {
    let ctx = req.ctx(st.now_ms()).map_err(page_err(req.locale()))?;
    render_list(&st, &req, &ctx, Form::default(), StatusCode::OK).await
}

async fn give_submit(
    State(st): State<AppState>,
    req: Req,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(page_err(locale))?;
    let p = pairs(&body);
    let request_id = field(&p, "request_id").parse::<i64>().ok();
    let input = FeedbackInput {
        subject_id: field(&p, "subject_id").parse().ok(),
        visibility: field(&p, "visibility"),
        body: field(&p, "body"),
        request_id,
    };
    let key = Some(field(&p, "idem")).filter(|k| !k.is_empty() && k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    match service::give(&st.db, &ctx, &input, idem.as_ref()).await {
        Ok(_) => Ok(Redirect::to("/reviews/feedback").into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = errors_of(locale, &e);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            match request_id {
                Some(id) => {
                    let which = format!("answer-{id}");
                    let form = Form {
                        which,
                        values: p,
                        errors,
                    };
                    render_list(&st, &req, &ctx, form, status).await
                }
                None => {
                    let which = "give".to_string();
                    let form = Form {
                        which,
                        values: p,
                        errors,
                    };
                    render_new(&st, &req, &ctx, form, status).await
                }
            }
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

async fn request_submit(
    State(st): State<AppState>,
    req: Req,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(page_err(locale))?;
    let p = pairs(&body);
    let num = |k: &str| field(&p, k).parse::<i64>().unwrap_or(0);
    let input = FeedbackRequestInput {
        subject_id: num("subject_id"),
        requestee_id: num("requestee_id"),
        message: Some(field(&p, "message")).filter(|m| !m.is_empty()),
    };
    let key = Some(field(&p, "idem")).filter(|k| !k.is_empty() && k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    match service::request(&st.db, &ctx, &input, idem.as_ref()).await {
        Ok(_) => Ok(Redirect::to("/reviews/feedback").into_response()),
        Err(e @ AppError::Validation(_)) => {
            let form = Form {
                which: "request".into(),
                values: p,
                errors: errors_of(locale, &e),
            };
            render_new(&st, &req, &ctx, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

async fn decline_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id: i64 = id
        .parse()
        .map_err(|_| PageError(AppError::NotFound, locale))?;
    let ctx = req.ctx(st.now_ms()).map_err(page_err(locale))?;
    service::decline_request(&st.db, &ctx, id)
        .await
        .map_err(page_err(locale))?;
    Ok(Redirect::to("/reviews/feedback").into_response())
}
