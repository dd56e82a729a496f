//! Edit pages of hiring records: an opening, a pending headcount request, a candidate (with
//! the CV replacement form), an interview (its schedule for who runs hiring, the scorecard for
//! its interviewer) and a sent offer's terms. Each form carries the version it was read at and
//! shows field errors next to their fields; a stale form says so instead of overwriting.
use super::edits;
use super::model::{
    Candidate, HeadcountRequest, Interview, Offer, Opening, RECOMMENDATIONS, Rating, SOURCES,
    ScorecardInput,
};
use super::pages::{chrome, parse_local, people_opts, source_label, with_status};
use super::patch::{CandidatePatch, HeadcountPatch, InterviewPatch, OfferPatch, OpeningPatch};
use super::service;
use crate::pages::{FormErrors, Opt, ctx_of, opt_text, parse_id};
use crate::people_ui::{form_errors, form_id, money, parse_money};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use kernel::{AppError, Ctx, Locale};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/hiring/openings/{id}/edit",
            get(opening_page).post(opening_save),
        )
        .route(
            "/hiring/headcount/{id}/edit",
            get(headcount_page).post(headcount_save),
        )
        .route(
            "/hiring/candidates/{id}/edit",
            get(candidate_page).post(candidate_save),
        )
        .route(
            "/hiring/interviews/{id}/edit",
            get(interview_page).post(interview_save),
        )
        .route("/hiring/offers/{id}/edit", get(offer_page).post(offer_save))
}

type PageResult = Result<Response, PageError>;

/// Form messages for a failed save; a refusal because the record is decided (409) is told in
/// the user's language with `conflict_key`.
fn save_errors(locale: Locale, e: AppError, conflict_key: &str) -> Result<FormErrors, PageError> {
    if let AppError::Conflict(_) = e {
        return Ok(FormErrors {
            fields: Vec::new(),
            general: Some(ui::t(locale, conflict_key).to_string()),
        });
    }
    form_errors(locale, e)
}

fn version_of(s: &str) -> i64 {
    s.trim().parse().unwrap_or(0)
}

fn money_text(v: Option<i64>) -> String {
    v.map(money).unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM` in China time, for a datetime-local input (the inverse of `parse_local`).
fn local_input(ms: i64) -> String {
    kernel::dates::format_instant(ms, 8).replacen(' ', "T", 1)
}

fn render<T: IntoResponse>(page: T, errors: &FormErrors) -> PageResult {
    Ok(with_status(page.into_response(), errors))
}

fn copy(e: &FormErrors) -> FormErrors {
    FormErrors {
        fields: e.fields.clone(),
        general: e.general.clone(),
    }
}

// ---------------------------------------------------------------- opening

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OpeningForm {
    version: String,
    title: String,
    description: String,
    hiring_manager_id: String,
    salary_min: String,
    salary_max: String,
    currency: String,
    status: String,
}

impl OpeningForm {
    fn of(o: &Opening) -> Self {
        Self {
            version: o.version.to_string(),
            title: o.title.clone(),
            description: o.description.clone().unwrap_or_default(),
            hiring_manager_id: o
                .hiring_manager_id
                .map(|p| p.to_string())
                .unwrap_or_default(),
            salary_min: money_text(o.salary_min_minor),
            salary_max: money_text(o.salary_max_minor),
            currency: o.currency.clone(),
            status: o.status.clone(),
        }
    }

    fn patch(&self, salaries: bool) -> Result<OpeningPatch, AppError> {
        let mut p = OpeningPatch {
            title: Some(self.title.clone()),
            description: Some(opt_text(&self.description)),
            hiring_manager_id: Some(form_id("hiring_manager_id", &self.hiring_manager_id)?),
            currency: Some(self.currency.clone()),
            status: Some(self.status.clone()),
            ..Default::default()
        };
        // The form shows salaries only to those who may see them; the rest leave them alone.
        if salaries {
            p.salary_min_minor = Some(parse_money("salary_min_minor", &self.salary_min)?);
            p.salary_max_minor = Some(parse_money("salary_max_minor", &self.salary_max)?);
        }
        Ok(p)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring/opening_edit.html")]
struct OpeningEditPage {
    chrome: Chrome,
    o: Opening,
    f: OpeningForm,
    people: Vec<Opt>,
    salaries: bool,
    errors: FormErrors,
}

impl OpeningEditPage {
    fn status_label(&self, s: &str) -> &'static str {
        self.chrome.t(&format!("tp.status_{s}"))
    }
}

/// Whether the actor may see (and so set) the salaries and budgets of `department_id`.
async fn sees_compensation(st: &AppState, ctx: &Ctx, department_id: i64) -> Result<bool, AppError> {
    let head = crate::service::get_department(&st.db, ctx, department_id)
        .await?
        .head_person_id;
    Ok(ctx.actor.can_see_compensation(department_id, head))
}

async fn render_opening(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    sent: Option<OpeningForm>,
    errors: FormErrors,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let o = service::get_opening(&st.db, ctx, id).await.map_err(pe)?;
    if !ctx.actor.can_run_hiring(o.department_id) {
        return Err(pe(AppError::Forbidden("change this opening")));
    }
    let salaries = sees_compensation(st, ctx, o.department_id)
        .await
        .map_err(pe)?;
    let mut chrome = chrome(
        st,
        req,
        "tp.edit_opening",
        &format!("/hiring/openings/{id}/edit"),
    )
    .await;
    chrome.title = format!("{} · {}", chrome.t("tp.edit_opening"), o.title);
    let status = copy(&errors);
    let page = OpeningEditPage {
        chrome,
        f: sent.unwrap_or_else(|| OpeningForm::of(&o)),
        people: people_opts(st, ctx).await.map_err(pe)?,
        o,
        salaries,
        errors,
    };
    render(page, &status)
}

async fn opening_page(State(st): State<AppState>, req: Req, Path(id): Path<String>) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_opening(&st, &req, &ctx, id, None, FormErrors::default()).await
}

async fn opening_save(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<OpeningForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let o = service::get_opening(&st.db, &ctx, id).await?;
        let salaries = sees_compensation(&st, &ctx, o.department_id).await?;
        let p = f.patch(salaries)?;
        edits::update_opening(&st.db, &ctx, id, version_of(&f.version), &p).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/openings/{id}")).into_response()),
        Err(e) => {
            let errors = save_errors(locale, e, "problem.conflict")?;
            render_opening(&st, &req, &ctx, id, Some(f), errors).await
        }
    }
}

// ---------------------------------------------------------------- headcount request

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HeadcountForm {
    version: String,
    position: String,
    headcount: String,
    budget: String,
    currency: String,
    justification: String,
}

impl HeadcountForm {
    fn of(h: &HeadcountRequest) -> Self {
        Self {
            version: h.version.to_string(),
            position: h.position.clone(),
            headcount: h.headcount.to_string(),
            budget: money_text(h.budget_minor),
            currency: h.currency.clone(),
            justification: h.justification.clone(),
        }
    }

    fn patch(&self, budget: bool) -> Result<HeadcountPatch, AppError> {
        Ok(HeadcountPatch {
            position: Some(self.position.clone()),
            headcount: Some(self.headcount.trim().parse().map_err(|_| {
                AppError::field("headcount", "invalid_number", "must be a whole number")
            })?),
            budget_minor: if budget {
                Some(parse_money("budget_minor", &self.budget)?)
            } else {
                None
            },
            currency: Some(self.currency.clone()),
            justification: Some(self.justification.clone()),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring/headcount_edit.html")]
struct HeadcountEditPage {
    chrome: Chrome,
    h: HeadcountRequest,
    f: HeadcountForm,
    budget: bool,
    errors: FormErrors,
}

async fn render_headcount(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    sent: Option<HeadcountForm>,
    errors: FormErrors,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let h = service::get_headcount(&st.db, ctx, id).await.map_err(pe)?;
    if !ctx.actor.can_run_hiring(h.department_id) {
        return Err(pe(AppError::Forbidden(
            "change headcount requests of this department",
        )));
    }
    let budget = sees_compensation(st, ctx, h.department_id)
        .await
        .map_err(pe)?;
    let mut chrome = chrome(
        st,
        req,
        "tp.edit_headcount",
        &format!("/hiring/headcount/{id}/edit"),
    )
    .await;
    chrome.title = format!("{} · {}", chrome.t("tp.edit_headcount"), h.position);
    let status = copy(&errors);
    let page = HeadcountEditPage {
        chrome,
        f: sent.unwrap_or_else(|| HeadcountForm::of(&h)),
        h,
        budget,
        errors,
    };
    render(page, &status)
}

async fn headcount_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_headcount(&st, &req, &ctx, id, None, FormErrors::default()).await
}

async fn headcount_save(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<HeadcountForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let h = service::get_headcount(&st.db, &ctx, id).await?;
        let budget = sees_compensation(&st, &ctx, h.department_id).await?;
        edits::update_headcount(&st.db, &ctx, id, version_of(&f.version), &f.patch(budget)?).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/hiring").into_response()),
        Err(e) => {
            let errors = save_errors(locale, e, "tp.headcount_decided")?;
            render_headcount(&st, &req, &ctx, id, Some(f), errors).await
        }
    }
}

// ---------------------------------------------------------------- candidate

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CandidateForm {
    version: String,
    name: String,
    email: String,
    phone: String,
    source: String,
    notes: String,
}

impl CandidateForm {
    fn of(c: &Candidate) -> Self {
        Self {
            version: c.version.to_string(),
            name: c.name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            source: c.source.clone(),
            notes: c.notes.clone().unwrap_or_default(),
        }
    }

    fn patch(&self) -> CandidatePatch {
        CandidatePatch {
            name: Some(self.name.clone()),
            email: Some(opt_text(&self.email)),
            phone: Some(opt_text(&self.phone)),
            source: Some(self.source.clone()),
            notes: Some(opt_text(&self.notes)),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring/candidate_edit.html")]
struct CandidateEditPage {
    chrome: Chrome,
    c: Candidate,
    f: CandidateForm,
    sources: Vec<Opt>,
    errors: FormErrors,
}

async fn render_candidate(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    sent: Option<CandidateForm>,
    errors: FormErrors,
) -> PageResult {
    let locale = req.locale();
    let pe = |e| PageError(e, locale);
    let c = service::get_candidate(&st.db, ctx, id).await.map_err(pe)?;
    let o = service::get_opening(&st.db, ctx, c.opening_id)
        .await
        .map_err(pe)?;
    if !ctx.actor.can_run_hiring(o.department_id) {
        return Err(pe(AppError::Forbidden("change candidates of this opening")));
    }
    let mut chrome = chrome(
        st,
        req,
        "tp.edit_candidate",
        &format!("/hiring/candidates/{id}/edit"),
    )
    .await;
    chrome.title = format!("{} · {}", chrome.t("tp.edit_candidate"), c.name);
    let sources = SOURCES
        .iter()
        .map(|s| Opt {
            value: (*s).into(),
            label: source_label(locale, s).into(),
        })
        .collect();
    let status = copy(&errors);
    let page = CandidateEditPage {
        chrome,
        f: sent.unwrap_or_else(|| CandidateForm::of(&c)),
        c,
        sources,
        errors,
    };
    render(page, &status)
}

async fn candidate_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_candidate(&st, &req, &ctx, id, None, FormErrors::default()).await
}

async fn candidate_save(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<CandidateForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    match edits::update_candidate(&st.db, &ctx, id, version_of(&f.version), &f.patch()).await {
        Ok(_) => Ok(Redirect::to(&format!("/hiring/candidates/{id}")).into_response()),
        Err(e) => {
            let errors = save_errors(locale, e, "problem.conflict")?;
            render_candidate(&st, &req, &ctx, id, Some(f), errors).await
        }
    }
}

// ---------------------------------------------------------------- interview

/// One form, two parts: `part=schedule` (who runs hiring) or `part=scorecard` (the
/// interviewer); each sends only its own fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InterviewForm {
    version: String,
    part: String,
    interviewer_id: String,
    at: String,
    kind: String,
    criterion_1: String,
    rating_1: String,
    criterion_2: String,
    rating_2: String,
    criterion_3: String,
    rating_3: String,
    recommendation: String,
    notes: String,
}

impl InterviewForm {
    fn of(i: &Interview) -> Self {
        let mut f = Self {
            version: i.version.to_string(),
            interviewer_id: i.interviewer_id.map(|p| p.to_string()).unwrap_or_default(),
            at: local_input(i.scheduled_at),
            kind: i.kind.clone(),
            recommendation: "yes".into(),
            rating_1: "3".into(),
            rating_2: "3".into(),
            rating_3: "3".into(),
            ..Default::default()
        };
        if let Some(s) = &i.scorecard {
            f.recommendation = s.recommendation.clone();
            f.notes = s.notes.clone().unwrap_or_default();
            let slots = [
                (&mut f.criterion_1, &mut f.rating_1),
                (&mut f.criterion_2, &mut f.rating_2),
                (&mut f.criterion_3, &mut f.rating_3),
            ];
            for (r, (c, n)) in s.ratings.iter().zip(slots) {
                *c = r.criterion.clone();
                *n = r.rating.to_string();
            }
        }
        f
    }

    fn criteria(&self) -> [(&str, &str); 3] {
        [
            (&self.criterion_1, &self.rating_1),
            (&self.criterion_2, &self.rating_2),
            (&self.criterion_3, &self.rating_3),
        ]
    }

    fn patch(&self) -> Result<InterviewPatch, AppError> {
        if self.part == "scorecard" {
            let ratings = self
                .criteria()
                .into_iter()
                .filter(|(c, _)| !c.trim().is_empty())
                .map(|(c, r)| Rating {
                    criterion: c.to_string(),
                    rating: r.trim().parse().unwrap_or(0),
                })
                .collect();
            return Ok(InterviewPatch {
                scorecard: Some(ScorecardInput {
                    ratings,
                    recommendation: self.recommendation.clone(),
                    notes: opt_text(&self.notes),
                }),
                ..Default::default()
            });
        }
        Ok(InterviewPatch {
            interviewer_id: Some(
                form_id("interviewer_id", &self.interviewer_id)?
                    .ok_or_else(|| AppError::field("interviewer_id", "required", "is required"))?,
            ),
            scheduled_at: Some(parse_local(&self.at)?),
            kind: Some(self.kind.clone()),
            scorecard: None,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring/interview_edit.html")]
struct InterviewEditPage {
    chrome: Chrome,
    i: Interview,
    c: Candidate,
    f: InterviewForm,
    /// The scorecard's criterion slots: (criterion, rating).
    rows: Vec<(String, String)>,
    people: Vec<Opt>,
    can_run: bool,
    mine: bool,
    errors: FormErrors,
}

impl InterviewEditPage {
    fn rec(&self, r: &str) -> &'static str {
        self.chrome.t(&format!("tp.rec_{r}"))
    }
    fn recommendations(&self) -> [&'static str; 4] {
        RECOMMENDATIONS
    }
}

async fn render_interview(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    sent: Option<InterviewForm>,
    errors: FormErrors,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let i = edits::get_interview(&st.db, ctx, id).await.map_err(pe)?;
    let c = service::get_candidate(&st.db, ctx, i.candidate_id)
        .await
        .map_err(pe)?;
    let o = service::get_opening(&st.db, ctx, c.opening_id)
        .await
        .map_err(pe)?;
    let can_run = ctx.actor.can_run_hiring(o.department_id);
    let mine = ctx.actor.person_id.is_some() && i.interviewer_id == ctx.actor.person_id;
    if !can_run && !mine {
        return Err(pe(AppError::Forbidden("change this interview")));
    }
    let mut chrome = chrome(
        st,
        req,
        "tp.edit_interview",
        &format!("/hiring/interviews/{id}/edit"),
    )
    .await;
    chrome.title = format!("{} · {}", chrome.t("tp.edit_interview"), c.name);
    let status = copy(&errors);
    let f = sent.unwrap_or_else(|| InterviewForm::of(&i));
    let rows = f
        .criteria()
        .iter()
        .map(|(c, r)| (c.to_string(), r.to_string()))
        .collect();
    let page = InterviewEditPage {
        chrome,
        f,
        rows,
        people: people_opts(st, ctx).await.map_err(pe)?,
        i,
        c,
        can_run,
        mine,
        errors,
    };
    render(page, &status)
}

async fn interview_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_interview(&st, &req, &ctx, id, None, FormErrors::default()).await
}

async fn interview_save(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<InterviewForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let p = f.patch()?;
        edits::update_interview(&st.db, &ctx, id, version_of(&f.version), &p).await
    }
    .await;
    match r {
        Ok(i) => {
            Ok(Redirect::to(&format!("/hiring/candidates/{}", i.candidate_id)).into_response())
        }
        Err(e) => {
            let errors = save_errors(locale, e, "tp.interviewer_locked")?;
            render_interview(&st, &req, &ctx, id, Some(f), errors).await
        }
    }
}

// ---------------------------------------------------------------- offer

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OfferForm {
    version: String,
    salary: String,
    currency: String,
    start_date: String,
}

impl OfferForm {
    fn of(o: &Offer) -> Self {
        Self {
            version: o.version.to_string(),
            salary: money_text(o.salary_minor),
            currency: o.currency.clone(),
            start_date: o.start_date.clone(),
        }
    }

    fn patch(&self) -> Result<OfferPatch, AppError> {
        Ok(OfferPatch {
            salary_minor: Some(
                parse_money("salary_minor", &self.salary)?
                    .ok_or_else(|| AppError::field("salary_minor", "required", "is required"))?,
            ),
            currency: Some(self.currency.clone()),
            start_date: Some(self.start_date.clone()),
            status: None,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "hiring/offer_edit.html")]
struct OfferEditPage {
    chrome: Chrome,
    o: Offer,
    c: Candidate,
    f: OfferForm,
    errors: FormErrors,
}

async fn render_offer(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    sent: Option<OfferForm>,
    errors: FormErrors,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let o = service::get_offer(&st.db, ctx, id).await.map_err(pe)?;
    let c = service::get_candidate(&st.db, ctx, o.candidate_id)
        .await
        .map_err(pe)?;
    let opening = service::get_opening(&st.db, ctx, c.opening_id)
        .await
        .map_err(pe)?;
    let sees = sees_compensation(st, ctx, opening.department_id)
        .await
        .map_err(pe)?;
    if !ctx.actor.can_run_hiring(opening.department_id) || !sees {
        return Err(pe(AppError::Forbidden("change offers for this opening")));
    }
    let mut chrome = chrome(
        st,
        req,
        "tp.edit_offer",
        &format!("/hiring/offers/{id}/edit"),
    )
    .await;
    chrome.title = format!("{} · {}", chrome.t("tp.edit_offer"), c.name);
    let status = copy(&errors);
    let page = OfferEditPage {
        chrome,
        f: sent.unwrap_or_else(|| OfferForm::of(&o)),
        o,
        c,
        errors,
    };
    render(page, &status)
}

async fn offer_page(State(st): State<AppState>, req: Req, Path(id): Path<String>) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_offer(&st, &req, &ctx, id, None, FormErrors::default()).await
}

async fn offer_save(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<OfferForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let p = f.patch()?;
        edits::update_offer(&st.db, &ctx, id, version_of(&f.version), &p).await
    }
    .await;
    match r {
        Ok(o) => {
            Ok(Redirect::to(&format!("/hiring/candidates/{}", o.candidate_id)).into_response())
        }
        Err(e) => {
            let errors = save_errors(locale, e, "tp.offer_final")?;
            render_offer(&st, &req, &ctx, id, Some(f), errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_input_round_trips_in_china_time() {
        let ms = parse_local("2026-05-28T09:30").unwrap();
        assert_eq!(local_input(ms), "2026-05-28T09:30");
    }
}
