//! Hiring pages: openings and headcount requests, the pipeline board of an opening (with a
//! "Move to" form on every card, so no dragging is needed), a candidate's page (CV, interviews
//! and scorecards, offers, hire) and the funnel. Forms work without JavaScript.
use super::model::{
    Candidate, CandidateInput, Funnel, HeadcountDecision, HeadcountInput, HeadcountRequest,
    HireInput, Interview, InterviewInput, MoveInput, Offer, OfferInput, OfferStatusInput, Opening,
    OpeningInput, Rating, SOURCES, ScorecardInput, Stage,
};
use super::service::{self, CandidateQuery};
use crate::pages::{FormErrors, Opt, ctx_of, opt_text, parse_id};
use crate::people_ui::{form_errors, form_id, money, parse_money};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kernel::{AppError, Ctx, Locale};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hiring", get(hiring_page))
        .route("/hiring/headcount", post(headcount_create))
        .route("/hiring/headcount/{id}/decide", post(headcount_decide))
        .route("/hiring/openings", post(opening_create))
        .route("/hiring/openings/{id}", get(board_page))
        .route("/hiring/openings/{id}/candidates", post(candidate_create))
        .route("/hiring/openings/{id}/status", post(opening_status))
        .route("/hiring/candidates/{id}", get(candidate_page))
        .route("/hiring/candidates/{id}/move", post(candidate_move))
        .route(
            "/hiring/candidates/{id}/cv",
            get(cv_download)
                .post(cv_upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    ui::multipart::UPLOAD_MAX_BYTES,
                )),
        )
        .route("/hiring/candidates/{id}/interviews", post(interview_create))
        .route("/hiring/interviews/{id}/scorecard", post(scorecard_submit))
        .route("/hiring/candidates/{id}/offers", post(offer_create))
        .route("/hiring/offers/{id}", post(offer_outcome))
        .route("/hiring/candidates/{id}/hire", post(hire))
        .route("/hiring/funnel", get(funnel_page))
        .merge(super::edit_pages::router())
}

type PageResult = Result<Response, PageError>;

fn stage_label(locale: Locale, s: Stage) -> &'static str {
    ui::t(locale, &format!("tp.stage_{}", s.as_str()))
}

pub(super) fn source_label(locale: Locale, s: &str) -> &'static str {
    ui::t(locale, &format!("tp.source_{s}"))
}

pub(super) async fn chrome(st: &AppState, req: &Req, title_key: &str, here: &str) -> Chrome {
    notify::chrome(st, req, "/hiring", title_key, here).await
}

pub(super) fn with_status(r: Response, errors: &FormErrors) -> Response {
    let mut r = r;
    if !errors.is_empty() {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

async fn dept_opts(st: &AppState, a: &kernel::Actor) -> Result<Vec<Opt>, AppError> {
    Ok(crate::service::tree(&st.db)
        .await?
        .into_iter()
        .filter(|n| a.can_run_hiring(n.department.id))
        .map(|n| Opt {
            value: n.department.id.to_string(),
            label: format!("{}{}", "— ".repeat(n.depth as usize), n.department.name),
        })
        .collect())
}

pub(super) async fn people_opts(st: &AppState, ctx: &Ctx) -> Result<Vec<Opt>, AppError> {
    Ok(crate::service::people_options(&st.db, ctx)
        .await?
        .into_iter()
        .filter(|p| p.active)
        .map(|p| Opt {
            value: p.id.to_string(),
            label: format!("{} ({})", p.name, p.employee_no),
        })
        .collect())
}

// ---------------------------------------------------------------- overview

#[derive(Template, WebTemplate)]
#[template(path = "hiring/index.html")]
struct HiringPage {
    chrome: Chrome,
    openings: Vec<Opening>,
    requests: Vec<HeadcountRequest>,
    decidable: Vec<i64>,
    /// Pending requests the caller may change.
    editable: Vec<i64>,
    departments: Vec<Opt>,
    people: Vec<Opt>,
    approved: Vec<Opt>,
    can_run: bool,
    errors: FormErrors,
}

impl HiringPage {
    fn money(&self, v: &Option<i64>) -> String {
        v.map(money).unwrap_or_else(|| "—".into())
    }
    fn can_decide(&self, id: &i64) -> bool {
        self.decidable.contains(id)
    }
    fn can_edit(&self, id: &i64) -> bool {
        self.editable.contains(id)
    }
    fn status(&self, s: &str) -> &'static str {
        self.chrome.t(&format!("tp.status_{s}"))
    }
}

async fn render_hiring(st: &AppState, req: &Req, ctx: &Ctx, errors: FormErrors) -> PageResult {
    let locale = req.locale();
    let pe = |e| PageError(e, locale);
    let openings = service::list_openings(&st.db, ctx, None, None, Some(200))
        .await
        .map_err(pe)?;
    let requests = service::list_headcount(&st.db, ctx, None, None, Some(200))
        .await
        .map_err(pe)?;
    let mut decidable = Vec::new();
    for r in &requests.items {
        let d = crate::service::get_department(&st.db, ctx, r.department_id)
            .await
            .map_err(pe)?;
        if r.status == "pending" && ctx.actor.can_decide_headcount(d.head_person_id) {
            decidable.push(r.id);
        }
    }
    let editable = requests
        .items
        .iter()
        .filter(|r| r.status == "pending" && ctx.actor.can_run_hiring(r.department_id))
        .map(|r| r.id)
        .collect();
    let approved = requests
        .items
        .iter()
        .filter(|r| r.status == "approved")
        .map(|r| Opt {
            value: r.id.to_string(),
            label: format!("#{} {} · {}", r.id, r.position, r.department_name),
        })
        .collect();
    let departments = dept_opts(st, &ctx.actor).await.map_err(pe)?;
    let page = HiringPage {
        chrome: chrome(st, req, "tp.hiring", "/hiring").await,
        can_run: !departments.is_empty(),
        people: people_opts(st, ctx).await.map_err(pe)?,
        departments,
        openings: openings.items,
        requests: requests.items,
        decidable,
        editable,
        approved,
        errors,
    };
    let errs = FormErrors {
        fields: page.errors.fields.clone(),
        general: page.errors.general.clone(),
    };
    Ok(with_status(page.into_response(), &errs))
}

async fn hiring_page(State(st): State<AppState>, req: Req) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    render_hiring(&st, &req, &ctx, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HeadcountForm {
    department_id: String,
    position: String,
    headcount: String,
    budget: String,
    justification: String,
}

async fn headcount_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<HeadcountForm>,
) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let input = HeadcountInput {
            department_id: form_id("department_id", &f.department_id)?
                .ok_or_else(|| AppError::field("department_id", "required", "is required"))?,
            position: f.position.clone(),
            headcount: f.headcount.trim().parse().map_err(|_| {
                AppError::field("headcount", "invalid_number", "must be a whole number")
            })?,
            budget_minor: parse_money("budget_minor", &f.budget)?,
            currency: None,
            justification: f.justification.clone(),
        };
        service::create_headcount(&st.db, &ctx, &input, None).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/hiring").into_response()),
        Err(e) => render_hiring(&st, &req, &ctx, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    version: String,
    decision: String,
}

async fn headcount_decide(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let d = HeadcountDecision {
        approve: f.decision == "approve",
        note: None,
    };
    let version = f.version.trim().parse().unwrap_or(0);
    match service::decide_headcount(&st.db, &ctx, id, version, &d).await {
        Ok(_) => Ok(Redirect::to("/hiring").into_response()),
        Err(e) => render_hiring(&st, &req, &ctx, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OpeningForm {
    title: String,
    department_id: String,
    headcount_request_id: String,
    hiring_manager_id: String,
    salary_min: String,
    salary_max: String,
    description: String,
}

async fn opening_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<OpeningForm>,
) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let input = OpeningInput {
            title: f.title.clone(),
            department_id: form_id("department_id", &f.department_id)?
                .ok_or_else(|| AppError::field("department_id", "required", "is required"))?,
            headcount_request_id: form_id("headcount_request_id", &f.headcount_request_id)?,
            hiring_manager_id: form_id("hiring_manager_id", &f.hiring_manager_id)?,
            description: opt_text(&f.description),
            salary_min_minor: parse_money("salary_min_minor", &f.salary_min)?,
            salary_max_minor: parse_money("salary_max_minor", &f.salary_max)?,
            currency: None,
            team: Vec::new(),
        };
        service::create_opening(&st.db, &ctx, &input, None).await
    }
    .await;
    match r {
        Ok(o) => Ok(Redirect::to(&format!("/hiring/openings/{}", o.id)).into_response()),
        Err(e) => render_hiring(&st, &req, &ctx, form_errors(req.locale(), e)?).await,
    }
}

// ---------------------------------------------------------------- board

struct Card {
    c: Candidate,
    source: &'static str,
    moves: Vec<Opt>,
}

struct Column {
    stage: &'static str,
    label: &'static str,
    cards: Vec<Card>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring/board.html")]
struct BoardPage {
    chrome: Chrome,
    o: Opening,
    columns: Vec<Column>,
    can_run: bool,
    sources: Vec<Opt>,
    errors: FormErrors,
}

impl BoardPage {
    fn money(&self, v: &Option<i64>) -> String {
        v.map(money).unwrap_or_else(|| "—".into())
    }
}

async fn render_board(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> PageResult {
    let locale = req.locale();
    let pe = |e| PageError(e, locale);
    let o = service::get_opening(&st.db, ctx, id).await.map_err(pe)?;
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let p = service::list_candidates(
            &st.db,
            ctx,
            &CandidateQuery {
                opening_id: Some(id),
                stage: None,
                source: None,
                cursor: cursor.as_deref(),
                limit: Some(200),
            },
        )
        .await
        .map_err(pe)?;
        all.extend(p.items);
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    let can_run = ctx.actor.can_run_hiring(o.department_id);
    let columns = Stage::BOARD
        .iter()
        .map(|s| Column {
            stage: s.as_str(),
            label: stage_label(locale, *s),
            cards: all
                .iter()
                .filter(|c| c.stage == *s)
                .map(|c| Card {
                    source: source_label(locale, &c.source),
                    moves: Stage::BOARD
                        .iter()
                        .filter(|to| super::model::move_refusal(c.stage, **to).is_none())
                        .map(|to| Opt {
                            value: to.as_str().into(),
                            label: stage_label(locale, *to).into(),
                        })
                        .collect(),
                    c: c.clone(),
                })
                .collect(),
        })
        .collect();
    let sources = SOURCES
        .iter()
        .map(|s| Opt {
            value: (*s).into(),
            label: source_label(locale, s).into(),
        })
        .collect();
    let mut chrome = chrome(st, req, "tp.board", &format!("/hiring/openings/{id}")).await;
    chrome.title = o.title.clone();
    let status_errs = FormErrors {
        fields: errors.fields.clone(),
        general: errors.general.clone(),
    };
    Ok(with_status(
        BoardPage {
            chrome,
            o,
            columns,
            can_run,
            sources,
            errors,
        }
        .into_response(),
        &status_errs,
    ))
}

async fn board_page(State(st): State<AppState>, req: Req, Path(id): Path<String>) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_board(&st, &req, &ctx, id, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CandidateForm {
    name: String,
    email: String,
    phone: String,
    source: String,
}

async fn candidate_create(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<CandidateForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let input = CandidateInput {
        opening_id: id,
        name: f.name,
        email: opt_text(&f.email),
        phone: opt_text(&f.phone),
        source: f.source,
        notes: None,
    };
    match service::create_candidate(&st.db, &ctx, &input, None).await {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/openings/{id}")).into_response()),
        Err(e) => render_board(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatusForm {
    version: String,
    status: String,
}

async fn opening_status(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let version = f.version.trim().parse().unwrap_or(0);
    match service::set_opening_status(&st.db, &ctx, id, version, f.status == "open").await {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/openings/{id}")).into_response()),
        Err(e) => render_board(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MoveForm {
    version: String,
    stage: String,
}

async fn candidate_move(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<MoveForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let c = service::get_candidate(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    let r = match Stage::parse(&f.stage) {
        Some(stage) => {
            service::move_candidate(
                &st.db,
                &ctx,
                id,
                f.version.trim().parse().unwrap_or(0),
                &MoveInput { stage },
            )
            .await
        }
        None => Err(AppError::field("stage", "invalid_choice", "choose a stage")),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/openings/{}", c.opening_id)).into_response()),
        Err(e) => render_board(&st, &req, &ctx, c.opening_id, form_errors(locale, e)?).await,
    }
}

// ---------------------------------------------------------------- candidate

#[derive(Template, WebTemplate)]
#[template(path = "hiring/candidate.html")]
struct CandidatePage {
    chrome: Chrome,
    c: Candidate,
    o: Opening,
    stage: &'static str,
    source: &'static str,
    interviews: Vec<Interview>,
    offers: Vec<Offer>,
    people: Vec<Opt>,
    can_run: bool,
    can_offer: bool,
    me: Option<i64>,
    errors: FormErrors,
}

impl CandidatePage {
    fn money(&self, v: &Option<i64>) -> String {
        v.map(money)
            .unwrap_or_else(|| self.chrome.t("tp.hidden").to_string())
    }
    fn mine(&self, i: &Interview) -> bool {
        self.me.is_some() && i.interviewer_id == self.me
    }
    fn instant(&self, ms: &i64) -> String {
        kernel::dates::format_instant(*ms, 8)
    }
    fn rec(&self, r: &str) -> &'static str {
        self.chrome.t(&format!("tp.rec_{r}"))
    }
    fn offer_status(&self, s: &str) -> &'static str {
        self.chrome.t(&format!("tp.offer_{s}"))
    }
    fn kib(&self, n: &i64) -> String {
        format!("{:.1} KiB", *n as f64 / 1024.0)
    }
}

async fn render_candidate(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> PageResult {
    let locale = req.locale();
    let pe = |e| PageError(e, locale);
    let c = service::get_candidate(&st.db, ctx, id).await.map_err(pe)?;
    let o = service::get_opening(&st.db, ctx, c.opening_id)
        .await
        .map_err(pe)?;
    let interviews = service::list_interviews(&st.db, ctx, id)
        .await
        .map_err(pe)?;
    let offers = service::list_offers(&st.db, ctx, id).await.map_err(pe)?;
    let can_run = ctx.actor.can_run_hiring(o.department_id);
    let head = crate::service::get_department(&st.db, ctx, o.department_id)
        .await
        .map_err(pe)?
        .head_person_id;
    let mut chrome = chrome(st, req, "tp.candidate", &format!("/hiring/candidates/{id}")).await;
    chrome.title = c.name.clone();
    let status_errs = FormErrors {
        fields: errors.fields.clone(),
        general: errors.general.clone(),
    };
    let page = CandidatePage {
        chrome,
        stage: stage_label(locale, c.stage),
        source: source_label(locale, &c.source),
        people: people_opts(st, ctx).await.map_err(pe)?,
        can_offer: can_run && ctx.actor.can_see_compensation(o.department_id, head),
        can_run,
        me: ctx.actor.person_id,
        c,
        o,
        interviews,
        offers,
        errors,
    };
    Ok(with_status(page.into_response(), &status_errs))
}

async fn candidate_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_candidate(&st, &req, &ctx, id, FormErrors::default()).await
}

async fn cv_download(State(st): State<AppState>, req: Req, Path(id): Path<String>) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let (name, ct, bytes) = service::download_cv(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    Ok(super::api::attachment(&name, &ct, bytes))
}

/// The upload form posts `multipart/form-data`; the server's CSRF guard has already checked
/// its `_csrf` field.
async fn cv_upload(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let mut file = None;
    // A body that is not well-formed multipart reads as "no file chosen".
    while let Ok(Some(part)) = form.next_field().await {
        if part.name() == Some("cv")
            && let Some(name) = part.file_name().map(str::to_string)
        {
            file = part.bytes().await.ok().map(|data| (name, data));
            break;
        }
    }
    let r = match file {
        Some((name, data)) => service::upload_cv(&st.db, &ctx, id, &name, &data)
            .await
            .map(|_| ()),
        None => Err(AppError::field("cv", "required", "choose a file")),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/hiring/candidates/{id}")).into_response()),
        Err(e) => render_candidate(&st, &req, &ctx, id, form_errors(locale, e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InterviewForm {
    interviewer_id: String,
    /// `YYYY-MM-DDTHH:MM` from a datetime-local input, in China time.
    at: String,
    kind: String,
}

pub(super) fn parse_local(s: &str) -> Result<i64, AppError> {
    let bad = || AppError::field("scheduled_at", "invalid_date", "must be a date and time");
    let (d, t) = s.trim().split_once('T').ok_or_else(bad)?;
    let date = kernel::dates::parse_date(d).ok_or_else(bad)?;
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let (h, m): (i64, i64) = (
        h.parse().map_err(|_| bad())?,
        m.get(..2).unwrap_or(m).parse().map_err(|_| bad())?,
    );
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return Err(bad());
    }
    let days = (date
        - time::Date::from_calendar_date(1970, time::Month::January, 1).map_err(|_| bad())?)
    .whole_days();
    Ok(((days * 24 + h - 8) * 60 + m) * 60_000)
}

async fn interview_create(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<InterviewForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let input = InterviewInput {
            interviewer_id: form_id("interviewer_id", &f.interviewer_id)?
                .ok_or_else(|| AppError::field("interviewer_id", "required", "is required"))?,
            scheduled_at: parse_local(&f.at)?,
            kind: f.kind.clone(),
        };
        service::schedule_interview(&st.db, &ctx, id, &input, None).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/candidates/{id}")).into_response()),
        Err(e) => render_candidate(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

/// Criteria rows of the scorecard form: `criterion_1`/`rating_1` … `criterion_5`/`rating_5`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ScorecardForm {
    candidate_id: String,
    criterion_1: String,
    rating_1: String,
    criterion_2: String,
    rating_2: String,
    criterion_3: String,
    rating_3: String,
    recommendation: String,
    notes: String,
}

async fn scorecard_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<ScorecardForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let cid = parse_id(&f.candidate_id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let ratings = [
        (&f.criterion_1, &f.rating_1),
        (&f.criterion_2, &f.rating_2),
        (&f.criterion_3, &f.rating_3),
    ]
    .into_iter()
    .filter(|(c, _)| !c.trim().is_empty())
    .map(|(c, r)| Rating {
        criterion: c.clone(),
        rating: r.trim().parse().unwrap_or(0),
    })
    .collect();
    let input = ScorecardInput {
        ratings,
        recommendation: f.recommendation,
        notes: opt_text(&f.notes),
    };
    match service::submit_scorecard(&st.db, &ctx, id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/candidates/{cid}")).into_response()),
        Err(e) => render_candidate(&st, &req, &ctx, cid, form_errors(locale, e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OfferForm {
    salary: String,
    start_date: String,
}

async fn offer_create(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<OfferForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let salary = parse_money("salary_minor", &f.salary)?
            .ok_or_else(|| AppError::field("salary_minor", "required", "is required"))?;
        service::create_offer(
            &st.db,
            &ctx,
            id,
            &OfferInput {
                salary_minor: salary,
                currency: None,
                start_date: f.start_date.clone(),
            },
            None,
        )
        .await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/candidates/{id}")).into_response()),
        Err(e) => render_candidate(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OutcomeForm {
    candidate_id: String,
    version: String,
    status: String,
}

async fn offer_outcome(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<OutcomeForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let cid = parse_id(&f.candidate_id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let input = OfferStatusInput { status: f.status };
    match service::set_offer_status(
        &st.db,
        &ctx,
        id,
        f.version.trim().parse().unwrap_or(0),
        &input,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/candidates/{cid}")).into_response()),
        Err(e) => render_candidate(&st, &req, &ctx, cid, form_errors(locale, e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HireForm {
    employee_no: String,
}

async fn hire(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<HireForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    match service::hire(
        &st.db,
        &ctx,
        id,
        &HireInput {
            employee_no: f.employee_no,
            hire_date: None,
        },
    )
    .await
    {
        Ok((_, p)) => Ok(Redirect::to(&format!("/people/{}", p.id)).into_response()),
        Err(e) => render_candidate(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

// ---------------------------------------------------------------- funnel

#[derive(Template, WebTemplate)]
#[template(path = "hiring/funnel.html")]
struct FunnelPage {
    chrome: Chrome,
    f: Funnel,
}

impl FunnelPage {
    fn stage(&self, s: &Stage) -> &'static str {
        stage_label(self.chrome.locale, *s)
    }
    fn source(&self, s: &str) -> &'static str {
        source_label(self.chrome.locale, s)
    }
    fn pct(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{:.1}%", x * 100.0))
            .unwrap_or_else(|| "—".into())
    }
    fn rate(&self, v: &f64) -> String {
        format!("{:.1}%", v * 100.0)
    }
    fn days(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "—".into())
    }
}

async fn funnel_page(State(st): State<AppState>, req: Req) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    let f = service::funnel_metrics(&st.db, &ctx, None)
        .await
        .map_err(|e| PageError(e, req.locale()))?;
    Ok(FunnelPage {
        chrome: chrome(&st, &req, "tp.funnel", "/hiring/funnel").await,
        f,
    }
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_china_time() {
        // 2026-05-28 09:30 in Shanghai is 01:30 UTC.
        assert_eq!(parse_local("2026-05-28T09:30").unwrap(), 1_779_931_800_000);
        assert!(parse_local("2026-05-28").is_err() && parse_local("2026-05-28T25:00").is_err());
    }
}
