//! Review pages: the hub (my requests, my reviews, cycles), a cycle (reviews, progress, phase),
//! a review (answers, anonymous aggregates or "too few responses", nominations, the manager's
//! rating, the reviewee's acknowledgement), the reviewer's form with the evidence panel, and the
//! new-cycle form (with the standard template). Every form works without JavaScript.
use super::model::{
    AnswerInput, CycleInput, CyclePatch, Direction, DirectionResult, ParticipantSelector, Phase,
    PhaseDates,
};
use super::service::{self, AnswersInput, DecisionInput, Evidence, NominationInput, ReviewPatch};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use db::idempotency::Idem;
use kernel::{AppError, Ctx, Locale};
use ui::error::FormProblem;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(hub))
        .route("/reviews/cycles", post(create_submit))
        .route("/reviews/cycles/new", get(new_form))
        .route("/reviews/cycles/{id}", get(cycle_page))
        .route("/reviews/cycles/{id}/phase", post(phase_submit))
        .route("/reviews/{id}", get(review_page))
        .route("/reviews/{id}/peers", post(peers_submit))
        .route("/reviews/{id}/rate", post(rate_submit))
        .route("/reviews/{id}/ack", post(ack_submit))
        .route(
            "/reviews/requests/{id}",
            get(request_page).post(request_submit),
        )
        .route("/reviews/requests/{id}/decline", post(decline_submit))
        .route("/reviews/requests/{id}/decision", post(decision_submit))
}

fn page_err(locale: Locale) -> impl Fn(AppError) -> PageError {
    move |e| PageError(e, locale)
}

pub(super) fn ctx_of(st: &AppState, req: &Req) -> Result<Ctx, PageError> {
    req.ctx(st.now_ms()).map_err(page_err(req.locale()))
}

pub(super) fn num_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(AppError::NotFound, locale))
}

pub(super) fn t(locale: Locale, key: &str) -> String {
    ui::t(locale, key).to_string()
}

pub(super) fn pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

pub(super) fn field(p: &[(String, String)], k: &str) -> String {
    p.iter()
        .find(|(a, _)| a == k)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default()
}

fn version_of(p: &[(String, String)]) -> i64 {
    field(p, "version").parse().unwrap_or(-1)
}

fn phase_label(locale: Locale, p: Phase) -> String {
    t(locale, &format!("reviews.phase_{}", p.as_str()))
}

fn direction_label(locale: Locale, d: Direction) -> String {
    t(locale, &format!("reviews.direction_{}", d.as_str()))
}

fn status_label(locale: Locale, s: &str) -> String {
    t(locale, &format!("reviews.status_{s}"))
}

// ---------------------------------------------------------------- hub

pub struct RequestRowView {
    pub id: i64,
    pub reviewee: String,
    pub direction: String,
    pub status: String,
}

pub struct ReviewRowView {
    pub id: i64,
    pub name: String,
    pub cycle: String,
    pub phase: String,
}

pub struct CycleRowView {
    pub id: i64,
    pub name: String,
    pub period: String,
    pub phase: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/hub.html")]
struct HubPage {
    chrome: Chrome,
    requests: Vec<RequestRowView>,
    reviews: Vec<ReviewRowView>,
    cycles: Vec<CycleRowView>,
    can_create: bool,
}

async fn hub(State(st): State<AppState>, req: Req) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let err = page_err(locale);
    let requests = service::my_requests(&st.db, &ctx)
        .await
        .map_err(&err)?
        .into_iter()
        .map(|r| RequestRowView {
            id: r.id,
            reviewee: r.reviewee_name,
            direction: direction_label(locale, r.direction),
            status: status_label(locale, r.status.as_str()),
        })
        .collect();
    let reviews = service::my_reviews(&st.db, &ctx)
        .await
        .map_err(&err)?
        .into_iter()
        .map(|r| ReviewRowView {
            id: r.id,
            name: r.person_name,
            cycle: r.cycle_name,
            phase: phase_label(locale, r.phase),
        })
        .collect();
    let cycles = service::list_cycles(&st.db, &ctx, None, Some(kernel::page::MAX_LIMIT))
        .await
        .map_err(&err)?
        .items
        .into_iter()
        .map(|c| CycleRowView {
            id: c.id,
            name: c.name,
            period: format!("{} – {}", c.period_start, c.period_end),
            phase: phase_label(locale, c.phase),
        })
        .collect();
    let chrome = notify::chrome(&st, &req, "/reviews", "reviews.title", "/reviews").await;
    Ok(HubPage {
        chrome,
        requests,
        reviews,
        cycles,
        can_create: ctx.actor.can_manage_review_cycles(),
    }
    .into_response())
}

// ---------------------------------------------------------------- cycle

pub struct PendingView {
    pub reviewer: String,
    pub direction: String,
    pub reviewee: String,
    pub open: i64,
}

pub struct DeptView {
    pub name: String,
    pub submitted: i64,
    pub requests: i64,
    pub pending: Vec<PendingView>,
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/cycle.html")]
struct CyclePage {
    chrome: Chrome,
    id: i64,
    version: i64,
    name: String,
    period: String,
    phase: String,
    dates: Vec<(String, String)>,
    threshold: i64,
    reviews: Vec<ReviewRowView>,
    progress: Option<Vec<DeptView>>,
    phases: Vec<Opt>,
    can_manage: bool,
    scoring: super::calibration_pages::ScoringForm,
    /// Before feedback (admins): reviewees with fewer approved peers than the minimum.
    short_of_peers: i64,
    short_of_peers_note: Option<String>,
    /// A refused phase move, said next to the phase form.
    phase_problem: Option<String>,
}

async fn cycle_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = num_id(&id, req.locale())?;
    render_cycle(&st, &req, id, None).await
}

/// The cycle's page; `problem` is a refused phase move, drawn next to the phase form.
async fn render_cycle(
    st: &AppState,
    req: &Req,
    id: i64,
    problem: Option<FormProblem>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = ctx_of(st, req)?;
    let err = page_err(locale);
    let c = service::get_cycle(&st.db, &ctx, id).await.map_err(&err)?;
    let reviews = service::list_reviews(&st.db, &ctx, id)
        .await
        .map_err(&err)?
        .into_iter()
        .map(|r| ReviewRowView {
            id: r.id,
            name: r.person_name,
            cycle: r.department_name.unwrap_or_default(),
            phase: r.manager_name.unwrap_or_else(|| "—".into()),
        })
        .collect();
    let progress = if ctx.actor.can_see_review_progress() {
        Some(
            service::progress(&st.db, &ctx, id)
                .await
                .map_err(&err)?
                .into_iter()
                .map(|d| DeptView {
                    name: d.department_name.unwrap_or_else(|| "—".into()),
                    submitted: d.submitted,
                    requests: d.requests,
                    pending: d
                        .pending
                        .into_iter()
                        .map(|p| PendingView {
                            reviewer: p.reviewer_name,
                            direction: direction_label(locale, p.direction),
                            reviewee: p.reviewee_name.unwrap_or_else(|| "—".into()),
                            open: p.open,
                        })
                        .collect(),
                })
                .collect(),
        )
    } else {
        None
    };
    let dates = [
        (Phase::SelfReview, &c.phases.self_due),
        (Phase::Nomination, &c.phases.nomination_due),
        (Phase::Feedback, &c.phases.feedback_due),
        (Phase::Calibration, &c.phases.calibration_due),
        (Phase::Signoff, &c.phases.signoff_due),
        (Phase::Shared, &c.phases.shared_on),
    ]
    .into_iter()
    .map(|(p, d)| (phase_label(locale, p), d.clone()))
    .collect();
    let phases = Phase::ALL
        .iter()
        .filter(|p| **p >= c.phase)
        .map(|p| Opt {
            value: p.as_str().into(),
            label: phase_label(locale, *p),
            selected: *p == c.phase,
        })
        .collect();
    let short_of_peers = if ctx.actor.can_manage_review_cycles() && c.phase < Phase::Feedback {
        super::reports::service::peer_shortfall(&st.db, &ctx, id)
            .await
            .map_err(&err)?
    } else {
        0
    };
    let here = format!("/reviews/cycles/{id}");
    let chrome = notify::chrome(st, req, "/reviews", "reviews.cycle", &here).await;
    let page = CyclePage {
        chrome,
        id,
        version: c.version,
        name: c.name,
        period: format!("{} – {}", c.period_start, c.period_end),
        phase: phase_label(locale, c.phase),
        dates,
        threshold: c.min_responses,
        reviews,
        progress,
        phases,
        can_manage: ctx.actor.can_manage_review_cycles(),
        scoring: super::calibration_pages::scoring_form(locale, &c.weights, &c.guideline, &ctx),
        short_of_peers,
        short_of_peers_note: (short_of_peers > 0).then(|| {
            t(locale, "rfb.short_of_peers")
                .replace("{n}", &short_of_peers.to_string())
                .replace("{min}", &c.peers_min.to_string())
        }),
        phase_problem: FormProblem::for_form(&problem, "phase"),
    };
    Ok(FormProblem::respond(&problem, page.into_response()))
}

async fn phase_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = pairs(&body);
    let patch = CyclePatch {
        phase: Phase::parse(&field(&p, "phase")),
        override_peers_min: Some(field(&p, "override_peers_min") == "1"),
        ..Default::default()
    };
    match service::update_cycle(&st.db, &ctx, id, version_of(&p), &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/cycles/{id}")).into_response()),
        Err(e) => {
            let problem = FormProblem::of("phase", e, locale)?;
            render_cycle(&st, &req, id, Some(problem)).await
        }
    }
}

// ---------------------------------------------------------------- new cycle

#[derive(Template, WebTemplate)]
#[template(path = "reviews/new.html")]
struct NewPage {
    chrome: Chrome,
    idem: String,
    departments: Vec<Opt>,
    scoring: super::calibration_pages::ScoringForm,
    template: super::template_form::TemplateForm,
}

async fn new_form(State(st): State<AppState>, req: Req) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    if !ctx.actor.can_manage_review_cycles() {
        return Err(PageError(
            AppError::Forbidden("manage review cycles"),
            locale,
        ));
    }
    let departments = team::service::tree(&st.db)
        .await
        .map_err(page_err(locale))?
        .into_iter()
        .map(|n| Opt {
            value: n.department.id.to_string(),
            label: format!(
                "{}{}",
                "\u{a0}\u{a0}".repeat(n.depth.max(0) as usize),
                n.department.name
            ),
            selected: false,
        })
        .collect();
    let chrome = notify::chrome(&st, &req, "/reviews", "reviews.new", "/reviews/cycles/new").await;
    Ok(NewPage {
        chrome,
        idem: db::random_hex(16),
        departments,
        scoring: super::calibration_pages::default_scoring_form(locale, &ctx),
        template: super::template_form::standard_form(locale),
    }
    .into_response())
}

async fn create_submit(
    State(st): State<AppState>,
    req: Req,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let p = pairs(&body);
    let opt = |k: &str| Some(field(&p, k)).filter(|v| !v.is_empty());
    let input = CycleInput {
        name: field(&p, "name"),
        period_start: field(&p, "period_start"),
        period_end: field(&p, "period_end"),
        phases: PhaseDates {
            self_due: field(&p, "self_due"),
            nomination_due: field(&p, "nomination_due"),
            feedback_due: field(&p, "feedback_due"),
            calibration_due: field(&p, "calibration_due"),
            signoff_due: field(&p, "signoff_due"),
            shared_on: field(&p, "shared_on"),
        },
        min_responses: opt("min_responses").and_then(|v| v.parse().ok()),
        peers_min: None,
        peers_max: None,
        scale_max: None,
        weights: super::calibration_pages::weights_field(&p),
        guideline: super::calibration_pages::guideline_field(&p),
        participants: ParticipantSelector {
            department_id: opt("department_id").and_then(|v| v.parse().ok()),
            position: opt("position"),
            hired_before: opt("hired_before"),
            person_ids: Vec::new(),
        },
        questions: super::template_form::questions_from(&p).map_err(page_err(locale))?,
    };
    let key = opt("idem").filter(|k| k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let c = service::create_cycle(&st.db, &ctx, &input, idem.as_ref())
        .await
        .map_err(page_err(locale))?;
    Ok(Redirect::to(&format!("/reviews/cycles/{}", c.id)).into_response())
}

// ---------------------------------------------------------------- review

pub struct AnswerView {
    pub prompt: String,
    pub value: String,
}

pub struct AggregateView {
    pub prompt: String,
    pub mean: String,
    pub distribution: String,
    pub texts: Vec<String>,
}

pub struct DirectionView {
    pub title: String,
    pub too_few: bool,
    pub note: String,
    pub questions: Vec<AggregateView>,
}

pub struct NominationView {
    pub request_id: i64,
    pub name: String,
    pub status: String,
    pub undecided: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/review.html")]
struct ReviewPage {
    chrome: Chrome,
    id: i64,
    version: i64,
    cycle_id: i64,
    person_id: i64,
    /// The peer limits, said on the page (min approved before feedback, max the manager approves).
    peer_limits: String,
    person: String,
    cycle: String,
    phase: String,
    manager_rating: String,
    proposed_rating: String,
    manager_comment: String,
    reviewee_comment: String,
    acknowledged: bool,
    self_answers: Vec<AnswerView>,
    manager_answers: Option<Vec<AnswerView>>,
    results_pending: bool,
    anonymous: Vec<DirectionView>,
    nominations: Vec<NominationView>,
    can_rate: bool,
    can_nominate: bool,
    can_ack: bool,
    scale: Vec<i64>,
    people: Vec<Opt>,
    extra: super::calibration_pages::ReviewExtra,
    /// A refused rating, nomination or acknowledgement, said next to its form.
    rate_problem: Option<String>,
    nominate_problem: Option<String>,
    ack_problem: Option<String>,
}

fn answers_view(a: &[service::NamedAnswer]) -> Vec<AnswerView> {
    a.iter()
        .map(|x| AnswerView {
            prompt: x.prompt.clone(),
            value: x
                .rating
                .map(|r| r.to_string())
                .or_else(|| x.text.clone())
                .unwrap_or_default(),
        })
        .collect()
}

fn direction_view(locale: Locale, r: &DirectionResult) -> DirectionView {
    DirectionView {
        title: direction_label(locale, r.direction),
        too_few: r.too_few,
        note: t(locale, "reviews.too_few")
            .replace("{n}", &r.responses.to_string())
            .replace("{k}", &r.threshold.to_string()),
        questions: r
            .questions
            .iter()
            .map(|q| AggregateView {
                prompt: q.prompt.clone(),
                mean: q.mean.map_or_else(String::new, |m| format!("{m:.2}")),
                distribution: q
                    .distribution
                    .iter()
                    .enumerate()
                    .map(|(i, n)| format!("{}: {n}", i + 1))
                    .collect::<Vec<_>>()
                    .join(" · "),
                texts: q.texts.clone(),
            })
            .collect(),
    }
}

async fn review_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = num_id(&id, req.locale())?;
    render_review(&st, &req, id, None).await
}

/// The review's page; `problem` is a refused form's reason, drawn next to that form.
async fn render_review(
    st: &AppState,
    req: &Req,
    id: i64,
    problem: Option<FormProblem>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = ctx_of(st, req)?;
    let err = page_err(locale);
    let d = service::get_review(&st.db, &ctx, id).await.map_err(&err)?;
    let r = &d.review;
    let anonymous: Vec<DirectionView> = [&d.peer, &d.upward]
        .into_iter()
        .flatten()
        .map(|x| direction_view(locale, x))
        .collect();
    let can_nominate = d.is_reviewee && r.phase <= Phase::Nomination;
    let people = if can_nominate {
        team::service::people_options(&st.db, &ctx)
            .await
            .map_err(&err)?
            .into_iter()
            .filter(|p| p.id != r.person_id)
            .map(|p| Opt {
                value: p.id.to_string(),
                label: work::pages::person_label(locale, &p.name, p.name_zh.as_deref()),
                selected: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let extra = super::calibration_pages::review_extra(st, &ctx, &d).await;
    let here = format!("/reviews/{id}");
    let chrome = notify::chrome(st, req, "/reviews", "reviews.review", &here).await;
    let page = ReviewPage {
        chrome,
        id,
        version: r.version,
        cycle_id: r.cycle_id,
        person_id: r.person_id,
        peer_limits: t(locale, "rfb.peer_limits")
            .replace("{min}", &d.peers_min.to_string())
            .replace("{max}", &d.peers_max.to_string()),
        person: r.person_name.clone(),
        cycle: r.cycle_name.clone(),
        phase: phase_label(locale, r.phase),
        manager_rating: r.manager_rating.map(|x| x.to_string()).unwrap_or_default(),
        proposed_rating: r.proposed_rating.map(|x| x.to_string()).unwrap_or_default(),
        manager_comment: r.manager_comment.clone().unwrap_or_default(),
        reviewee_comment: r.reviewee_comment.clone().unwrap_or_default(),
        acknowledged: r.acknowledged,
        self_answers: answers_view(&d.self_answers),
        manager_answers: d.manager_answers.as_deref().map(answers_view),
        results_pending: anonymous.is_empty(),
        anonymous,
        nominations: d
            .nominations
            .iter()
            .map(|n| NominationView {
                request_id: n.request_id,
                name: n.name.clone(),
                status: status_label(locale, &n.status),
                undecided: n.status == "nominated",
            })
            .collect(),
        can_rate: d.can_rate && r.phase != Phase::Shared,
        can_nominate,
        can_ack: d.is_reviewee
            && r.phase == Phase::Shared
            && ctx.actor.role != kernel::Role::Viewer,
        scale: (1..=d.scale_max).collect(),
        people,
        extra,
        rate_problem: FormProblem::for_form(&problem, "rate"),
        nominate_problem: FormProblem::for_form(&problem, "nominate"),
        ack_problem: FormProblem::for_form(&problem, "ack"),
    };
    Ok(FormProblem::respond(&problem, page.into_response()))
}

async fn peers_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let person_ids = pairs(&body)
        .into_iter()
        .filter(|(k, _)| k == "person_id")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    match service::nominate(&st.db, &ctx, id, &NominationInput { person_ids }).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(e) => {
            let problem = FormProblem::of("nominate", e, locale)?;
            render_review(&st, &req, id, Some(problem)).await
        }
    }
}

async fn rate_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = pairs(&body);
    let patch = ReviewPatch {
        manager_rating: field(&p, "manager_rating").parse().ok(),
        proposed_rating: field(&p, "proposed_rating").parse().ok(),
        manager_comment: Some(field(&p, "manager_comment")),
        ..Default::default()
    };
    match service::update_review(&st.db, &ctx, id, version_of(&p), &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(e) => {
            let problem = FormProblem::of("rate", e, locale)?;
            render_review(&st, &req, id, Some(problem)).await
        }
    }
}

async fn ack_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = pairs(&body);
    let patch = ReviewPatch {
        acknowledged: Some(true),
        reviewee_comment: Some(field(&p, "reviewee_comment")),
        ..Default::default()
    };
    match service::update_review(&st.db, &ctx, id, version_of(&p), &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/{id}")).into_response()),
        Err(e) => {
            let problem = FormProblem::of("ack", e, locale)?;
            render_review(&st, &req, id, Some(problem)).await
        }
    }
}

async fn decision_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = pairs(&body);
    let approve = field(&p, "approve") == "1";
    service::decide(&st.db, &ctx, id, &DecisionInput { approve })
        .await
        .map_err(page_err(locale))?;
    let back = field(&p, "review_id");
    Ok(Redirect::to(&format!("/reviews/{}", back.parse::<i64>().unwrap_or(0))).into_response())
}

// ---------------------------------------------------------------- the reviewer's form

pub struct QuestionView {
    pub id: i64,
    pub section: String,
    pub prompt: String,
    pub rated: bool,
    pub required: bool,
    pub points: Vec<(i64, String, bool)>,
    pub text: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/request.html")]
struct RequestPage {
    chrome: Chrome,
    id: i64,
    version: i64,
    reviewee: String,
    cycle: String,
    direction: String,
    status: String,
    anonymous: bool,
    writable: bool,
    can_decline: bool,
    questions: Vec<QuestionView>,
    evidence: Evidence,
    alert: Option<String>,
}

async fn render_request(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    given: Option<&[AnswerInput]>,
    errors: Vec<(String, String)>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let f = service::get_request(&st.db, ctx, id)
        .await
        .map_err(page_err(locale))?;
    let answers: &[AnswerInput] = match given {
        Some(g) => g,
        None if !f.submitted.is_empty() => &f.submitted,
        None => &f.draft,
    };
    let questions = f
        .questions
        .iter()
        .map(|q| {
            let a = answers.iter().find(|a| a.question_id == q.id);
            let rating = a.and_then(|a| a.rating);
            QuestionView {
                id: q.id,
                section: q.section.clone(),
                prompt: q.prompt.clone(),
                rated: q.kind.is_rated(),
                required: q.required,
                points: (1..=f.scale_max)
                    .map(|p| {
                        let label = q
                            .anchors
                            .get((p - 1) as usize)
                            .cloned()
                            .unwrap_or_else(|| p.to_string());
                        (p, label, rating == Some(p))
                    })
                    .collect(),
                text: a.and_then(|a| a.text.clone()).unwrap_or_default(),
                error: errors
                    .iter()
                    .find(|(k, _)| *k == format!("question_{}", q.id))
                    .map(|(_, m)| m.clone()),
            }
        })
        .collect();
    let here = format!("/reviews/requests/{id}");
    let chrome = notify::chrome(st, req, "/reviews", "reviews.request", &here).await;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        RequestPage {
            chrome,
            id,
            version: f.request.version,
            reviewee: f.request.reviewee_name.clone(),
            cycle: f.cycle_name.clone(),
            direction: direction_label(locale, f.request.direction),
            status: status_label(locale, f.request.status.as_str()),
            anonymous: f.anonymous,
            writable: f.writable,
            can_decline: f.writable && f.request.direction != Direction::SelfReview,
            questions,
            evidence: f.evidence,
            alert: (!errors.is_empty()).then(|| t(locale, "problem.validation")),
        },
    )
        .into_response())
}

async fn request_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    render_request(&st, &req, &ctx, id, None, Vec::new()).await
}

async fn request_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = pairs(&body);
    let mut answers: Vec<AnswerInput> = Vec::new();
    for (k, v) in &p {
        let (kind, qid) = if let Some(q) = k.strip_prefix("rating_") {
            ("rating", q)
        } else if let Some(q) = k.strip_prefix("text_") {
            ("text", q)
        } else {
            continue;
        };
        let Ok(qid) = qid.parse::<i64>() else {
            continue;
        };
        let v = v.trim();
        if v.is_empty() {
            continue;
        }
        let a = AnswerInput {
            question_id: qid,
            rating: (kind == "rating").then(|| v.parse().ok()).flatten(),
            text: (kind == "text").then(|| v.to_string()),
        };
        answers.push(a);
    }
    let input = AnswersInput {
        answers: answers.clone(),
    };
    let version = version_of(&p);
    let r = if field(&p, "action") == "submit" {
        service::submit(&st.db, &ctx, id, version, &input).await
    } else {
        service::save_draft(&st.db, &ctx, id, version, &input).await
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/reviews/requests/{id}")).into_response()),
        Err(AppError::Validation(v)) => {
            let errors = v
                .iter()
                .map(|f| {
                    let k = format!("error.{}", f.code);
                    let m = ui::t(locale, &k);
                    let m = if m == k {
                        t(locale, "error.invalid")
                    } else {
                        m.to_string()
                    };
                    (f.field.clone(), m)
                })
                .collect();
            render_request(&st, &req, &ctx, id, Some(&answers), errors).await
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

async fn decline_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = pairs(&body);
    service::decline(&st.db, &ctx, id, version_of(&p))
        .await
        .map_err(page_err(locale))?;
    Ok(Redirect::to("/reviews").into_response())
}
