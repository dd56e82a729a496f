//! Training pages: the catalogue (courses, programs, sessions) with create forms for admins
//! and managers, and a session's page with enrolment (a person, oneself, a department) and an
//! attendance/result form per enrolment.
use super::model::{
    Course, CourseInput, CoursePatch, EnrolInput, Enrolment, EnrolmentPatch, Program, ProgramPatch,
    Session, SessionInput, SessionPatch, SkillGapPreview,
};
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
        .route("/training", get(catalogue_page))
        .route("/training/courses", post(course_create))
        .route("/training/courses/{id}/edit", get(course_edit_page))
        .route("/training/courses/{id}", post(course_update))
        .route(
            "/training/programs/{id}/edit",
            get(program_edit_page).post(program_update),
        )
        .route("/training/sessions", post(session_create))
        .route(
            "/training/sessions/{id}",
            get(session_page).post(session_update),
        )
        .route("/training/sessions/{id}/enrol", post(enrol))
        .route(
            "/training/sessions/{id}/skill-gaps",
            get(skill_gaps_page).post(skill_gaps_enrol),
        )
        .route("/training/enrolments/{id}", post(record_result))
}

type PageResult = Result<Response, PageError>;

fn unprocessable(mut r: Response, bad: bool) -> Response {
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    r
}

#[derive(Template, WebTemplate)]
#[template(path = "training/catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    courses: Vec<Course>,
    programs: Vec<Program>,
    sessions: Vec<Session>,
    people: Vec<Opt>,
    skills: Vec<Opt>,
    can_manage: bool,
    errors: FormErrors,
}

async fn skill_opts(st: &AppState, ctx: &Ctx) -> Result<Vec<Opt>, AppError> {
    Ok(crate::skills::service::list_skills(&st.db, ctx)
        .await?
        .into_iter()
        .map(|s| Opt {
            value: s.id.to_string(),
            label: format!("{} · {}", s.category, s.name),
        })
        .collect())
}

async fn people_opts(st: &AppState, ctx: &Ctx) -> Result<Vec<Opt>, AppError> {
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

async fn render_catalogue(st: &AppState, req: &Req, ctx: &Ctx, errors: FormErrors) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let bad = !errors.is_empty();
    let page = CataloguePage {
        chrome: notify::chrome(st, req, "/training", "tp.training", "/training").await,
        courses: service::list_courses(&st.db, ctx).await.map_err(pe)?,
        programs: service::list_programs(&st.db, ctx).await.map_err(pe)?,
        sessions: service::list_sessions(&st.db, ctx, None, None, None, Some(200))
            .await
            .map_err(pe)?
            .items,
        people: people_opts(st, ctx).await.map_err(pe)?,
        skills: skill_opts(st, ctx).await.map_err(pe)?,
        can_manage: ctx.actor.can_manage_training(),
        errors,
    };
    Ok(unprocessable(page.into_response(), bad))
}

async fn catalogue_page(State(st): State<AppState>, req: Req) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    render_catalogue(&st, &req, &ctx, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CourseForm {
    title: String,
    provider: String,
    hours: String,
    certificate_months: String,
    description: String,
    skill_id: String,
}

impl CourseForm {
    fn input(&self) -> Result<CourseInput, AppError> {
        let hours = match self.hours.trim() {
            "" => None,
            h => Some(
                h.parse::<f64>()
                    .map_err(|_| AppError::field("hours", "invalid_number", "must be a number"))?,
            ),
        };
        Ok(CourseInput {
            title: self.title.clone(),
            description: opt_text(&self.description),
            provider: opt_text(&self.provider),
            hours,
            certificate_months: form_id("certificate_months", &self.certificate_months)?,
            skill_id: form_id("skill_id", &self.skill_id)?,
        })
    }
}

async fn course_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<CourseForm>,
) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    let r = async { service::create_course(&st.db, &ctx, &f.input()?, None).await }.await;
    match r {
        Ok(_) => Ok(Redirect::to("/training").into_response()),
        Err(e) => render_catalogue(&st, &req, &ctx, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SessionForm {
    course_id: String,
    starts_on: String,
    ends_on: String,
    trainer_id: String,
    location: String,
    capacity: String,
}

async fn session_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<SessionForm>,
) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let input = SessionInput {
            course_id: form_id("course_id", &f.course_id)?
                .ok_or_else(|| AppError::field("course_id", "required", "is required"))?,
            starts_on: f.starts_on.clone(),
            ends_on: f.ends_on.clone(),
            trainer_id: form_id("trainer_id", &f.trainer_id)?,
            location: opt_text(&f.location),
            capacity: form_id("capacity", &f.capacity)?,
        };
        service::create_session(&st.db, &ctx, &input, None).await
    }
    .await;
    match r {
        Ok(s) => Ok(Redirect::to(&format!("/training/sessions/{}", s.id)).into_response()),
        Err(e) => render_catalogue(&st, &req, &ctx, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/course_edit.html")]
struct CourseEditPage {
    chrome: Chrome,
    c: Course,
    /// The form's values (the course's, or what was sent when it was refused).
    f: CourseForm,
    version: i64,
    skills: Vec<Opt>,
    errors: FormErrors,
}

impl CourseForm {
    fn of(c: &Course) -> Self {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            title: c.title.clone(),
            provider: opt(&c.provider),
            hours: c.hours.map(|h| h.to_string()).unwrap_or_default(),
            certificate_months: c
                .certificate_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            description: opt(&c.description),
            skill_id: c.skill_id.map(|s| s.to_string()).unwrap_or_default(),
        }
    }
}

async fn render_course_edit(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    sent: Option<(CourseForm, i64)>,
    errors: FormErrors,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    if !ctx.actor.can_manage_training() {
        return Err(pe(AppError::Forbidden("manage the training catalogue")));
    }
    let c = service::get_course(&st.db, ctx, id).await.map_err(pe)?;
    let (f, version) = sent.unwrap_or_else(|| (CourseForm::of(&c), c.version));
    let mut chrome = notify::chrome(
        st,
        req,
        "/training",
        "tp.edit_course",
        &format!("/training/courses/{id}/edit"),
    )
    .await;
    chrome.title = format!("{} · {}", chrome.t("tp.edit_course"), c.title);
    let bad = !errors.is_empty();
    let page = CourseEditPage {
        chrome,
        skills: skill_opts(st, ctx).await.map_err(pe)?,
        c,
        f,
        version,
        errors,
    };
    Ok(unprocessable(page.into_response(), bad))
}

async fn course_edit_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_course_edit(&st, &req, &ctx, id, None, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CourseEditForm {
    #[serde(flatten)]
    f: CourseForm,
    version: String,
}

async fn course_update(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(e): Form<CourseEditForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let version = e.version.trim().parse().unwrap_or(0);
    let r = async {
        let i = e.f.input()?;
        let patch = CoursePatch {
            title: Some(i.title),
            description: Some(i.description),
            provider: Some(i.provider),
            hours: Some(i.hours),
            certificate_months: Some(i.certificate_months),
            skill_id: Some(i.skill_id),
        };
        service::update_course(&st.db, &ctx, id, version, &patch).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/training").into_response()),
        Err(err) => {
            let errors = form_errors(req.locale(), err)?;
            render_course_edit(&st, &req, &ctx, id, Some((e.f, version)), errors).await
        }
    }
}

/// The program form: title, description and one course per slot, in program order (slots left
/// empty are dropped; three spare slots let a course be added without JavaScript).
#[derive(Debug, Default)]
struct ProgramForm {
    version: i64,
    title: String,
    description: String,
    courses: Vec<String>,
}

impl ProgramForm {
    const SPARE: usize = 3;

    fn of(p: &Program) -> Self {
        Self {
            version: p.version,
            title: p.title.clone(),
            description: p.description.clone().unwrap_or_default(),
            courses: p.courses.iter().map(|c| c.id.to_string()).collect(),
        }
    }

    /// From the posted pairs; `course` repeats once per slot.
    fn parse(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "version" => f.version = v.trim().parse().unwrap_or(0),
                "title" => f.title = v,
                "description" => f.description = v,
                "course" if !v.trim().is_empty() => f.courses.push(v),
                _ => {}
            }
        }
        f
    }

    fn slots(&self) -> Vec<String> {
        let mut s = self.courses.clone();
        s.extend(std::iter::repeat_n(String::new(), Self::SPARE));
        s
    }

    fn patch(&self) -> Result<ProgramPatch, AppError> {
        let mut ids = Vec::new();
        for c in &self.courses {
            ids.extend(form_id("course_ids", c)?);
        }
        Ok(ProgramPatch {
            title: Some(self.title.clone()),
            description: Some(opt_text(&self.description)),
            course_ids: Some(ids),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/program_edit.html")]
struct ProgramEditPage {
    chrome: Chrome,
    p: Program,
    f: ProgramForm,
    /// The course slots, in program order.
    slots: Vec<String>,
    courses: Vec<Opt>,
    errors: FormErrors,
}

async fn render_program_edit(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    sent: Option<ProgramForm>,
    errors: FormErrors,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    if !ctx.actor.can_manage_training() {
        return Err(pe(AppError::Forbidden("manage the training catalogue")));
    }
    let p = service::get_program(&st.db, ctx, id).await.map_err(pe)?;
    let courses = service::list_courses(&st.db, ctx)
        .await
        .map_err(pe)?
        .into_iter()
        .map(|c| Opt {
            value: c.id.to_string(),
            label: c.title,
        })
        .collect();
    let mut chrome = notify::chrome(
        st,
        req,
        "/training",
        "tp.edit_program",
        &format!("/training/programs/{id}/edit"),
    )
    .await;
    chrome.title = format!("{} · {}", chrome.t("tp.edit_program"), p.title);
    let bad = !errors.is_empty();
    let f = sent.unwrap_or_else(|| ProgramForm::of(&p));
    let page = ProgramEditPage {
        chrome,
        slots: f.slots(),
        f,
        p,
        courses,
        errors,
    };
    Ok(unprocessable(page.into_response(), bad))
}

async fn program_edit_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_program_edit(&st, &req, &ctx, id, None, FormErrors::default()).await
}

async fn program_update(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let f = ProgramForm::parse(pairs);
    let r = async {
        let p = f.patch()?;
        service::update_program(&st.db, &ctx, id, f.version, &p).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to("/training").into_response()),
        Err(err) => {
            let errors = form_errors(req.locale(), err)?;
            render_program_edit(&st, &req, &ctx, id, Some(f), errors).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/skill_gaps.html")]
struct SkillGapsPage {
    chrome: Chrome,
    s: Session,
    p: SkillGapPreview,
    department: String,
    to_enrol: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GapForm {
    department_id: String,
}

/// The people "enrol from skill gaps" would enrol, before anything changes; the form below the
/// list confirms.
async fn skill_gaps_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<GapForm>,
) -> PageResult {
    let locale = req.locale();
    let pe = |e| PageError(e, locale);
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let dept = parse_id(&q.department_id, locale)?;
    let s = service::get_session(&st.db, &ctx, id).await.map_err(pe)?;
    let p = service::skill_gap_preview(&st.db, &ctx, id, dept)
        .await
        .map_err(pe)?;
    let department = crate::service::get_department(&st.db, &ctx, dept)
        .await
        .map_err(pe)?
        .name;
    let mut chrome = notify::chrome(
        &st,
        &req,
        "/training",
        "tp.gaps_title",
        &format!("/training/sessions/{id}/skill-gaps?department_id={dept}"),
    )
    .await;
    chrome.title = format!("{} · {}", chrome.t("tp.gaps_title"), s.course_title);
    let to_enrol = p.people.iter().filter(|x| !x.enrolled).count();
    Ok(SkillGapsPage {
        chrome,
        s,
        p,
        department,
        to_enrol,
    }
    .into_response())
}

async fn skill_gaps_enrol(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<GapForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let dept = form_id("department_id", &f.department_id)?
            .ok_or_else(|| AppError::field("department_id", "required", "is required"))?;
        service::enrol_from_skill_gaps(&st.db, &ctx, id, dept).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/training/sessions/{id}")).into_response()),
        Err(e) => render_session(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "training/session.html")]
struct SessionPage {
    chrome: Chrome,
    s: Session,
    enrolments: Vec<Enrolment>,
    departments: Vec<Opt>,
    people: Vec<Opt>,
    can_manage: bool,
    can_record: bool,
    me: Option<i64>,
    errors: FormErrors,
}

impl SessionPage {
    fn status(&self, s: &str) -> &'static str {
        self.chrome.t(&format!("tp.enrol_{s}"))
    }
    fn score(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{x}")).unwrap_or_default()
    }
    fn is_trainer(&self, person: &str) -> bool {
        self.s.trainer_id.map(|t| t.to_string()).as_deref() == Some(person)
    }
    fn enrolled(&self) -> bool {
        self.enrolments.iter().any(|e| Some(e.person_id) == self.me)
    }
}

async fn render_session(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    errors: FormErrors,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let s = service::get_session(&st.db, ctx, id).await.map_err(pe)?;
    let enrolments = service::session_enrolments(&st.db, ctx, id)
        .await
        .map_err(pe)?;
    let a = &ctx.actor;
    let departments = crate::service::tree(&st.db)
        .await
        .map_err(pe)?
        .into_iter()
        .filter(|n| a.can_manage_training_of(Some(n.department.id)))
        .map(|n| Opt {
            value: n.department.id.to_string(),
            label: format!("{}{}", "— ".repeat(n.depth as usize), n.department.name),
        })
        .collect();
    let is_trainer = a.person_id.is_some() && s.trainer_id == a.person_id;
    let mut chrome = notify::chrome(
        st,
        req,
        "/training",
        "tp.session",
        &format!("/training/sessions/{id}"),
    )
    .await;
    chrome.title = format!("{} · {}", s.course_title, s.starts_on);
    let bad = !errors.is_empty();
    let page = SessionPage {
        chrome,
        people: if a.can_manage_training() {
            people_opts(st, ctx).await.map_err(pe)?
        } else {
            Vec::new()
        },
        departments,
        can_manage: a.can_manage_training(),
        can_record: a.can_manage_training() || (is_trainer && a.role != kernel::Role::Viewer),
        me: a.person_id,
        s,
        enrolments,
        errors,
    };
    Ok(unprocessable(page.into_response(), bad))
}

async fn session_page(State(st): State<AppState>, req: Req, Path(id): Path<String>) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_session(&st, &req, &ctx, id, FormErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SessionEditForm {
    version: String,
    starts_on: String,
    ends_on: String,
    trainer_id: String,
    location: String,
    capacity: String,
}

async fn session_update(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<SessionEditForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let p = SessionPatch {
            starts_on: Some(f.starts_on.clone()),
            ends_on: Some(f.ends_on.clone()),
            trainer_id: Some(form_id("trainer_id", &f.trainer_id)?),
            location: Some(opt_text(&f.location)),
            capacity: Some(form_id("capacity", &f.capacity)?),
        };
        let version = f.version.trim().parse().unwrap_or(0);
        service::update_session(&st.db, &ctx, id, version, &p).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/training/sessions/{id}")).into_response()),
        Err(e) => render_session(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct EnrolForm {
    person_id: String,
    department_id: String,
}

async fn enrol(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<EnrolForm>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let input = EnrolInput {
            person_id: form_id("person_id", &f.person_id)?,
            department_id: form_id("department_id", &f.department_id)?,
        };
        service::enrol(&st.db, &ctx, id, &input).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/training/sessions/{id}")).into_response()),
        Err(e) => render_session(&st, &req, &ctx, id, form_errors(req.locale(), e)?).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ResultForm {
    session_id: String,
    version: String,
    status: String,
    score: String,
}

async fn record_result(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<ResultForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let sid = parse_id(&f.session_id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let r = async {
        let score = match f.score.trim() {
            "" => None,
            s => Some(
                s.parse::<f64>()
                    .map_err(|_| AppError::field("score", "invalid_number", "must be a number"))?,
            ),
        };
        let p = EnrolmentPatch {
            status: f.status.clone(),
            score,
            completed_on: None,
        };
        service::update_enrolment(&st.db, &ctx, id, f.version.trim().parse().unwrap_or(0), &p).await
    }
    .await;
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/training/sessions/{sid}")).into_response()),
        Err(e) => render_session(&st, &req, &ctx, sid, form_errors(locale, e)?).await,
    }
}
