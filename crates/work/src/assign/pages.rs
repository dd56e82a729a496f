//! Pages: "suggest assignee" on a task (with the skills it requires) and "auto-assign" for a
//! department (a preview to accept all, some or adjusted rows, or to reject). Forms work
//! without script.
use crate::assign::model::{
    AcceptItem, AcceptRequest, Preview, PreviewRequest, Suggestions, TaskSkillInput,
    TaskSkillsInput,
};
use crate::assign::service;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kernel::{AppError, Ctx, Locale};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks/auto-assign", get(auto_page))
        .route("/tasks/auto-assign/accept", post(auto_accept))
        .route(
            "/tasks/{id}/suggest",
            get(suggest_page).post(suggest_assign),
        )
        .route("/tasks/{id}/skills", post(skill_add))
        .route("/tasks/{id}/skills/remove", post(skill_remove))
}

type PageResult = Result<Response, PageError>;

fn ctx_of(st: &AppState, req: &Req) -> Result<Ctx, PageError> {
    req.ctx(st.now_ms()).map_err(|e| PageError(e, req.locale()))
}

fn here(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string())
}

fn task_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse::<i64>()
        .ok()
        .filter(|&i| i > 0)
        .ok_or(PageError(AppError::NotFound, locale))
}

fn enc(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|x| x.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// A form error as one line for the page; errors that are not about the input go to the
/// error page.
fn message(locale: Locale, e: AppError) -> Result<String, PageError> {
    match e {
        AppError::Validation(fs) => Ok(fs
            .iter()
            .map(|f| format!("{}: {}", f.field, f.detail))
            .collect::<Vec<_>>()
            .join("; ")),
        AppError::PreconditionFailed => Ok(ui::t(locale, "error.stale").to_string()),
        AppError::Forbidden(why) => Ok(format!("{}: {why}", ui::t(locale, "assign.not_allowed"))),
        AppError::Conflict(m) | AppError::BadRequest(m) => Ok(m),
        other => Err(PageError(other, locale)),
    }
}

fn pct(x: &f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn hours(h: &f64) -> String {
    let r = (h * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Flash {
    saved: Option<String>,
    error: Option<String>,
}

// ---------------------------------------------------------------- suggest

#[derive(Template, WebTemplate)]
#[template(path = "assign/suggest.html")]
struct SuggestPage {
    chrome: Chrome,
    task_title: String,
    version: i64,
    current: Option<i64>,
    s: Suggestions,
    skills: Vec<team::skills::model::Skill>,
    can_edit: bool,
    flash: Flash,
}

impl SuggestPage {
    fn is_current(&self, id: &i64) -> bool {
        self.current == Some(*id)
    }
    fn pct(&self, x: &f64) -> String {
        pct(x)
    }
    fn hours(&self, h: &f64) -> String {
        hours(h)
    }
}

async fn suggest_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> PageResult {
    let locale = req.locale();
    let id = task_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let task = crate::service::get(&st.db, &ctx, id).await.map_err(pe)?;
    let s = service::suggest(&st.db, &ctx, id, Some(10))
        .await
        .map_err(pe)?;
    let skills = team::skills::service::list_skills(&st.db, &ctx)
        .await
        .map_err(pe)?;
    let mut chrome = notify::chrome(&st, &req, "/tasks", "assign.suggest", &here(&uri)).await;
    chrome.title = format!("{} · {}", chrome.t("assign.suggest"), task.title);
    Ok(SuggestPage {
        chrome,
        can_edit: ctx.actor.can_edit_task(&task.facts()),
        task_title: task.title,
        version: task.version,
        current: task.assignee_id,
        s,
        skills,
        flash,
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssignForm {
    person_id: String,
    version: String,
}

async fn suggest_assign(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<AssignForm>,
) -> PageResult {
    let locale = req.locale();
    let id = task_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let person: i64 = f.person_id.trim().parse().unwrap_or(0);
    let version: i64 = f.version.trim().parse().unwrap_or(0);
    let patch = crate::model::TaskPatch {
        assignee_id: Some(Some(person)),
        ..Default::default()
    };
    match crate::service::update(&st.db, &ctx, id, version, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}?saved")).into_response()),
        Err(e) => Ok(Redirect::to(&format!(
            "/tasks/{id}/suggest?error={}",
            enc(&message(locale, e)?)
        ))
        .into_response()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SkillForm {
    skill_id: String,
    level: String,
}

/// Adds (or re-levels) one required skill: the service takes the whole list, so the page
/// sends the current list with the change.
async fn change_skills(
    st: &AppState,
    req: &Req,
    id: &str,
    f: SkillForm,
    remove: bool,
) -> PageResult {
    let locale = req.locale();
    let id = task_id(id, locale)?;
    let ctx = ctx_of(st, req)?;
    let pe = |e| PageError(e, locale);
    let skill_id: i64 = f.skill_id.trim().parse().unwrap_or(0);
    let mut list: Vec<TaskSkillInput> = service::task_skills(&st.db, &ctx, id)
        .await
        .map_err(pe)?
        .into_iter()
        .filter(|s| s.skill_id != skill_id)
        .map(|s| TaskSkillInput {
            skill_id: s.skill_id,
            level: s.level,
        })
        .collect();
    if !remove {
        list.push(TaskSkillInput {
            skill_id,
            level: f.level.trim().parse().unwrap_or(0),
        });
    }
    let to = format!("/tasks/{id}/suggest");
    match service::set_task_skills(&st.db, &ctx, id, &TaskSkillsInput { skills: list }).await {
        Ok(_) => Ok(Redirect::to(&format!("{to}?saved=1")).into_response()),
        Err(e) => {
            Ok(Redirect::to(&format!("{to}?error={}", enc(&message(locale, e)?))).into_response())
        }
    }
}

async fn skill_add(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<SkillForm>,
) -> PageResult {
    change_skills(&st, &req, &id, f, false).await
}

async fn skill_remove(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<SkillForm>,
) -> PageResult {
    change_skills(&st, &req, &id, f, true).await
}

// ---------------------------------------------------------------- auto-assign

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AutoParams {
    department_id: String,
    done: Option<String>,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "assign/auto.html")]
struct AutoPage {
    chrome: Chrome,
    departments: Vec<(i64, String, bool)>,
    preview: Option<Preview>,
    done: Option<String>,
    error: Option<String>,
}

impl AutoPage {
    fn pct(&self, x: &f64) -> String {
        pct(x)
    }
    fn hours(&self, h: &f64) -> String {
        hours(h)
    }
    fn reason(&self, r: &str) -> &'static str {
        self.chrome.t(&format!("assign.reason_{r}"))
    }
}

async fn auto_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(p): Query<AutoParams>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let chosen = p.department_id.trim().parse::<i64>().ok();
    // Only departments the actor may plan are offered.
    let departments: Vec<(i64, String, bool)> = team::service::tree(&st.db)
        .await
        .map_err(pe)?
        .into_iter()
        .filter(|n| ctx.actor.can_plan_assignments(Some(n.department.id)))
        .map(|n| {
            (
                n.department.id,
                format!("{}{}", "　".repeat(n.depth as usize), n.department.name),
                Some(n.department.id) == chosen,
            )
        })
        .collect();
    let preview = match chosen {
        Some(d) => Some(
            service::preview(
                &st.db,
                &ctx,
                &PreviewRequest {
                    department_id: d,
                    include_subdepartments: Some(true),
                },
            )
            .await
            .map_err(pe)?,
        ),
        None => None,
    };
    let chrome = notify::chrome(&st, &req, "/tasks", "assign.auto_title", &here(&uri)).await;
    Ok(AutoPage {
        chrome,
        departments,
        preview,
        done: p.done,
        error: p.error,
    }
    .into_response())
}

async fn auto_accept(
    State(st): State<AppState>,
    req: Req,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
    };
    let department = get("department_id").unwrap_or_default();
    let mut items = Vec::new();
    for (f, v) in &fields {
        if f != "accept" {
            continue;
        }
        let Ok(task_id) = v.trim().parse::<i64>() else {
            continue;
        };
        let person = get(&format!("p_{task_id}"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let version = get(&format!("v_{task_id}"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        items.push(AcceptItem {
            task_id,
            version,
            person_id: person,
        });
    }
    let back = format!("/tasks/auto-assign?department_id={}", enc(&department));
    match service::accept(&st.db, &ctx, &AcceptRequest { items }).await {
        Ok(r) => Ok(Redirect::to(&format!("{back}&done={}", r.assigned)).into_response()),
        Err(e) => Ok(
            Redirect::to(&format!("{back}&error={}", enc(&message(locale, e)?))).into_response(),
        ),
    }
}
