//! The directory's pages: the department tree and a department's page, the people list (filters,
//! sortable columns, cursor pager in the URL) and a person's page, with create/edit/delete forms
//! that work without JavaScript (Post/Redirect/Get; errors re-render the form with the input).
use crate::model::{
    Department, DepartmentInput, DepartmentNode, DepartmentPatch, Person, PersonFilter,
    PersonInput, PersonOption, PersonPatch, PersonSort,
};
use crate::service;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use db::audit::HistoryEntry;
use kernel::{Actor, AppError, Ctx, Locale, Role};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/departments",
            get(departments_page).post(department_create),
        )
        .route("/departments/new", get(department_new))
        .route("/departments/{id}", get(department_page))
        .route(
            "/departments/{id}/edit",
            get(department_edit).post(department_update),
        )
        .route(
            "/departments/{id}/delete",
            get(department_delete_confirm).post(department_delete),
        )
        .route("/people", get(people_page).post(person_create))
        .route("/people/new", get(person_new))
        .route("/people/{id}", get(person_page))
        .route("/people/{id}/edit", get(person_edit).post(person_update))
        .route("/people/{id}/contact", axum::routing::post(person_contact))
        .route(
            "/people/{id}/delete",
            get(person_delete_confirm).post(person_delete),
        )
}

// ---------------------------------------------------------------- helpers

type PageResult = Result<Response, PageError>;

fn here(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string())
}

/// Ids in paths: anything that is not a positive number is simply not found.
fn parse_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse::<i64>()
        .ok()
        .filter(|&i| i > 0)
        .ok_or(PageError(AppError::NotFound, locale))
}

fn ctx_of(st: &AppState, req: &Req) -> Result<Ctx, PageError> {
    req.ctx(st.now_ms()).map_err(|e| PageError(e, req.locale()))
}

/// The message for an error code: `error.<code>`, else `team.error_<code>`, else "is not valid".
pub fn error_text(locale: Locale, code: &str) -> &'static str {
    let k = format!("error.{code}");
    let s = ui::t(locale, &k);
    if s != k {
        return s;
    }
    let k = format!("team.error_{code}");
    let s = ui::t(locale, &k);
    if s != k {
        s
    } else {
        ui::t(locale, "error.invalid")
    }
}

/// Field messages and a message for the whole form, shown when a form is sent back.
#[derive(Debug, Default)]
pub struct FormErrors {
    pub fields: Vec<(String, String)>,
    pub general: Option<String>,
}

impl FormErrors {
    pub fn push(&mut self, field: &str, msg: &str) {
        self.fields.push((field.to_string(), msg.to_string()));
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|(f, _)| f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }

    /// The message(s) for one field, joined.
    pub fn of(&self, field: &str) -> String {
        self.fields
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Turns a service error into form messages; errors that are not about the input
    /// (not allowed, not found, internal…) come back as `Err` for the error page.
    pub fn from_error(locale: Locale, e: AppError, known: &[&str]) -> Result<FormErrors, AppError> {
        let mut out = FormErrors::default();
        match e {
            AppError::Validation(fs) => {
                for f in fs {
                    out.push(&f.field, error_text(locale, f.code));
                }
            }
            AppError::Conflict(msg) => {
                match msg.split_once(": ").filter(|(f, _)| known.contains(f)) {
                    Some((field, _)) => out.push(field, ui::t(locale, "team.taken")),
                    None => out.general = Some(msg),
                }
            }
            AppError::PreconditionFailed => {
                out.general = Some(ui::t(locale, "error.stale").to_string())
            }
            other => return Err(other),
        }
        if out.general.is_none() && !out.fields.is_empty() {
            out.general = Some(ui::t(locale, "problem.validation").to_string());
        }
        Ok(out)
    }
}

/// `""` → `None`; a number → `Some`; anything else → a field error.
fn opt_id(field: &str, s: &str, errs: &mut FormErrors, locale: Locale) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            errs.push(field, error_text(locale, "invalid"));
            None
        }
    }
}

fn opt_text(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

fn checked(s: &str) -> bool {
    matches!(s, "on" | "true" | "1" | "yes")
}

/// A choice in a `<select>`.
pub struct Opt {
    pub value: String,
    pub label: String,
}

/// Department choices, indented by depth; `exclude` drops a subtree (a department cannot move
/// under itself), `allowed` keeps only departments the actor may use (plus `keep`).
fn dept_options(
    tree: &[DepartmentNode],
    exclude: Option<i64>,
    allowed: impl Fn(i64) -> bool,
    keep: Option<i64>,
) -> Vec<Opt> {
    let mut out = Vec::new();
    let mut skip_below: Option<i64> = None;
    for n in tree {
        if let Some(d) = skip_below {
            if n.depth > d {
                continue;
            }
            skip_below = None;
        }
        if Some(n.department.id) == exclude {
            skip_below = Some(n.depth);
            continue;
        }
        if allowed(n.department.id) || Some(n.department.id) == keep {
            let indent = "\u{3000}".repeat(n.depth as usize);
            out.push(Opt {
                value: n.department.id.to_string(),
                label: format!("{indent}{}", n.department.name),
            });
        }
    }
    out
}

fn person_label(p: &PersonOption) -> String {
    match &p.name_zh {
        Some(zh) => format!("{} {} · {}", p.name, zh, p.employee_no),
        None => format!("{} · {}", p.name, p.employee_no),
    }
}

fn person_options(people: &[PersonOption], exclude: Option<i64>) -> Vec<Opt> {
    people
        .iter()
        .filter(|p| Some(p.id) != exclude)
        .map(|p| Opt {
            value: p.id.to_string(),
            label: person_label(p),
        })
        .collect()
}

fn can_create_departments(a: &Actor) -> bool {
    a.is_admin() || (a.role == Role::Manager && !a.scope.is_empty())
}

// ---------------------------------------------------------------- history

/// One change, ready to show.
pub struct HistoryView {
    pub at: i64,
    pub actor: String,
    pub action: String,
    /// (field label, before, after)
    pub changes: Vec<(String, String, String)>,
}

/// Fields not worth showing in a history (bookkeeping, or shown by their name instead).
const HIDDEN: &[&str] = &[
    "id",
    "version",
    "created_at",
    "updated_at",
    "people_count",
    "department_id",
    "manager_id",
    "parent_id",
    "head_person_id",
];

/// The order changed fields are listed in (the form's order); others follow by name.
const FIELD_ORDER: &[&str] = &[
    "employee_no",
    "name",
    "name_zh",
    "code",
    "parent_name",
    "department_name",
    "head_name",
    "position",
    "manager_name",
    "email",
    "phone",
    "hire_date",
    "active",
    "user_id",
    "username",
    "description",
];

fn field_label(locale: Locale, entity: &str, field: &str) -> String {
    let key = match (entity, field) {
        ("department", "name") => "dept.name",
        ("department", "code") => "dept.code",
        ("department", "parent_name") => "dept.parent",
        ("department", "head_name") => "dept.head",
        ("department", "description") => "dept.description",
        (_, "department_name") => "team.department",
        (_, "manager_name") => "person.manager",
        (_, "user_id") | (_, "username") => "person.user",
        (_, f) => return ui::t(locale, &format!("person.{f}")).to_string(),
    };
    ui::t(locale, key).to_string()
}

fn show_value(locale: Locale, v: Option<&serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) if s.is_empty() => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Bool(b)) => {
            ui::t(locale, if *b { "team.yes" } else { "team.no" }).into()
        }
        Some(other) => other.to_string(),
    }
}

/// The fields that differ between `before` and `after` (both JSON objects), in form order.
pub fn diff(
    locale: Locale,
    entity: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<(String, String, String)> {
    let (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) = (before, after)
    else {
        return Vec::new();
    };
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    let rank = |k: &str| {
        FIELD_ORDER
            .iter()
            .position(|f| *f == k)
            .unwrap_or(FIELD_ORDER.len())
    };
    keys.sort_by(|x, y| rank(x).cmp(&rank(y)).then(x.cmp(y)));
    keys.into_iter()
        .filter(|k| !HIDDEN.contains(&k.as_str()))
        // A linked account is shown by its username when the change names it.
        .filter(|k| !(k.as_str() == "user_id" && a.contains_key("username")))
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| {
            (
                field_label(locale, entity, k),
                show_value(locale, b.get(k)),
                show_value(locale, a.get(k)),
            )
        })
        .collect()
}

fn history_views(locale: Locale, entity: &str, items: Vec<HistoryEntry>) -> Vec<HistoryView> {
    items
        .into_iter()
        .map(|h| {
            let verb = h.action.rsplit('.').next().unwrap_or("").to_string();
            let key = format!("team.action_{verb}");
            let label = ui::t(locale, &key);
            HistoryView {
                at: h.at,
                actor: h.actor_name,
                action: if label == key {
                    h.action.clone()
                } else {
                    label.to_string()
                },
                changes: diff(locale, entity, h.before.as_ref(), h.after.as_ref()),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- the department tree

/// A department in the nested tree list: `open` starts a nested list for its children,
/// `close` is how many nested lists end after it.
pub struct TreeRow {
    pub d: Department,
    pub open: bool,
    pub close: usize,
    pub can_edit: bool,
}

/// Turns the depth-first list into nesting instructions for `<ul>`s.
pub fn nest(nodes: Vec<DepartmentNode>, can_edit: impl Fn(i64) -> bool) -> Vec<TreeRow> {
    let depths: Vec<i64> = nodes.iter().map(|n| n.depth).collect();
    nodes
        .into_iter()
        .enumerate()
        .map(|(i, n)| {
            let next = depths.get(i + 1).copied().unwrap_or(0);
            let open = next > n.depth;
            let close = if open {
                0
            } else {
                (n.depth - next).max(0) as usize
            };
            let can_edit = can_edit(n.department.id);
            TreeRow {
                d: n.department,
                open,
                close,
                can_edit,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "departments.html")]
struct DepartmentsPage {
    chrome: Chrome,
    rows: Vec<TreeRow>,
    can_create: bool,
}

/// "12 people" in the page's language.
fn people_count(locale: Locale, n: i64) -> String {
    ui::i18n::tf(locale, "team.member_count", &[("n", &n.to_string())])
}

impl DepartmentsPage {
    fn members(&self, n: &i64) -> String {
        people_count(self.chrome.locale, *n)
    }
    fn head<'a>(&self, d: &'a Department) -> &'a str {
        d.head_name.as_deref().unwrap_or("—")
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ExportParam {
    format: String,
}

async fn departments_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(x): Query<ExportParam>,
) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, req.locale());
    let tree = service::tree(&st.db).await.map_err(pe)?;
    if let Some(format) = imports::export::ExportFormat::from_page_param(&x.format) {
        // The tree's order, as the page shows it.
        let all: Vec<Department> = tree.into_iter().map(|n| n.department).collect();
        let sheet = crate::export::departments_sheet(req.locale(), &all);
        let today = imports::export::today(ctx.now_ms);
        return imports::export::respond(format, "departments", &today, &sheet).map_err(pe);
    }
    let actor = &ctx.actor;
    let rows = nest(tree, |id| actor.can_manage_department(Some(id)));
    let chrome = notify::chrome(&st, &req, "/departments", "dept.title", &here(&uri)).await;
    Ok(DepartmentsPage {
        chrome,
        rows,
        can_create: can_create_departments(actor),
    }
    .into_response())
}

// ---------------------------------------------------------------- one department

#[derive(Template, WebTemplate)]
#[template(path = "department.html")]
struct DepartmentPage {
    chrome: Chrome,
    d: Department,
    members: Vec<Person>,
    more_members: bool,
    children: Vec<Department>,
    history: Vec<HistoryView>,
    can_edit: bool,
    can_delete: bool,
}

impl DepartmentPage {
    fn members(&self, n: &i64) -> String {
        people_count(self.chrome.locale, *n)
    }
    fn head(&self) -> &str {
        self.d.head_name.as_deref().unwrap_or("—")
    }
    fn parent(&self) -> &str {
        self.d.parent_name.as_deref().unwrap_or("—")
    }
}

async fn department_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let d = service::get_department(&st.db, &ctx, id)
        .await
        .map_err(pe)?;
    let f = PersonFilter {
        department_id: Some(id),
        limit: Some(100),
        ..Default::default()
    };
    let members = service::list_people(&st.db, &ctx, &f).await.map_err(pe)?;
    let children = service::list_departments(&st.db, &ctx)
        .await
        .map_err(pe)?
        .into_iter()
        .filter(|c| c.parent_id == Some(id))
        .collect();
    let history = service::history(&st.db, &ctx, "department", id, None, Some(50))
        .await
        .map_err(pe)?;
    let chrome = notify::chrome(&st, &req, "/departments", "dept.title", &here(&uri)).await;
    let mut chrome = chrome;
    chrome.title = d.name.clone();
    Ok(DepartmentPage {
        can_edit: ctx.actor.can_manage_department(Some(id)),
        can_delete: ctx.actor.can_delete_department(),
        chrome,
        d,
        more_members: members.next_cursor.is_some(),
        members: members.items,
        children,
        history: history_views(locale, "department", history.items),
    }
    .into_response())
}

// ---------------------------------------------------------------- department form

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeptForm {
    pub name: String,
    pub code: String,
    pub parent_id: String,
    pub head_person_id: String,
    pub description: String,
    pub version: String,
}

impl DeptForm {
    fn of(d: &Department) -> Self {
        Self {
            name: d.name.clone(),
            code: d.code.clone().unwrap_or_default(),
            parent_id: d.parent_id.map(|i| i.to_string()).unwrap_or_default(),
            head_person_id: d.head_person_id.map(|i| i.to_string()).unwrap_or_default(),
            description: d.description.clone().unwrap_or_default(),
            version: d.version.to_string(),
        }
    }
}

const DEPT_FIELDS: &[&str] = &["name", "code", "parent_id", "head_person_id", "description"];

#[derive(Template, WebTemplate)]
#[template(path = "department_form.html")]
struct DepartmentFormPage {
    chrome: Chrome,
    /// `None` for a new department.
    id: Option<i64>,
    form: DeptForm,
    errors: FormErrors,
    parents: Vec<Opt>,
    /// Whether "(top level)" is a choice.
    root_allowed: bool,
    heads: Vec<Opt>,
}

impl DepartmentFormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/departments/{id}/edit"),
            None => "/departments".into(),
        }
    }
    fn cancel(&self) -> String {
        match self.id {
            Some(id) => format!("/departments/{id}"),
            None => "/departments".into(),
        }
    }
}

async fn department_form(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: Option<i64>,
    form: DeptForm,
    errors: FormErrors,
    current_parent: Option<i64>,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let tree = service::tree(&st.db).await.map_err(pe)?;
    let a = &ctx.actor;
    let parents = dept_options(
        &tree,
        id,
        |d| a.can_manage_department(Some(d)),
        current_parent,
    );
    let heads = person_options(
        &service::people_options(&st.db, ctx).await.map_err(pe)?,
        None,
    );
    let (active, title) = match id {
        Some(id) => (format!("/departments/{id}/edit"), "dept.edit"),
        None => ("/departments/new".into(), "dept.new"),
    };
    let chrome = notify::chrome(st, req, "/departments", title, &active).await;
    let status = if errors.is_empty() { 200 } else { 422 };
    let mut r = DepartmentFormPage {
        chrome,
        id,
        form,
        errors,
        parents,
        root_allowed: a.is_admin() || (id.is_some() && current_parent.is_none()),
        heads,
    }
    .into_response();
    *r.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    Ok(r)
}

#[derive(Deserialize)]
struct NewDeptQuery {
    parent_id: Option<String>,
}

async fn department_new(
    State(st): State<AppState>,
    req: Req,
    Query(q): Query<NewDeptQuery>,
) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    if !can_create_departments(&ctx.actor) {
        return Err(PageError(
            AppError::Forbidden("create departments"),
            req.locale(),
        ));
    }
    let form = DeptForm {
        parent_id: q.parent_id.unwrap_or_default(),
        ..Default::default()
    };
    department_form(&st, &req, &ctx, None, form, FormErrors::default(), None).await
}

async fn department_create(
    State(st): State<AppState>,
    req: Req,
    Form(form): Form<DeptForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let mut errors = FormErrors::default();
    let parent_id = opt_id("parent_id", &form.parent_id, &mut errors, locale);
    let head_person_id = opt_id("head_person_id", &form.head_person_id, &mut errors, locale);
    if errors.is_empty() {
        let input = DepartmentInput {
            name: form.name.clone(),
            code: opt_text(&form.code),
            parent_id,
            head_person_id,
            description: opt_text(&form.description),
        };
        match service::create_department(&st.db, &ctx, &input, None).await {
            Ok(d) => return Ok(Redirect::to(&format!("/departments/{}", d.id)).into_response()),
            Err(e) => {
                errors = FormErrors::from_error(locale, e, DEPT_FIELDS)
                    .map_err(|e| PageError(e, locale))?
            }
        }
    }
    department_form(&st, &req, &ctx, None, form, errors, None).await
}

async fn department_edit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let d = service::get_department(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    if !ctx.actor.can_manage_department(Some(id)) {
        return Err(PageError(
            AppError::Forbidden("edit this department"),
            locale,
        ));
    }
    department_form(
        &st,
        &req,
        &ctx,
        Some(id),
        DeptForm::of(&d),
        FormErrors::default(),
        d.parent_id,
    )
    .await
}

async fn department_update(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(form): Form<DeptForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let before = service::get_department(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    let mut errors = FormErrors::default();
    let parent_id = opt_id("parent_id", &form.parent_id, &mut errors, locale);
    let head_person_id = opt_id("head_person_id", &form.head_person_id, &mut errors, locale);
    let version = form.version.trim().parse::<i64>().unwrap_or(before.version);
    if errors.is_empty() {
        let patch = DepartmentPatch {
            name: Some(form.name.clone()),
            code: Some(opt_text(&form.code)),
            parent_id: Some(parent_id),
            head_person_id: Some(head_person_id),
            description: Some(opt_text(&form.description)),
        };
        match service::update_department(&st.db, &ctx, id, version, &patch).await {
            Ok(_) => return Ok(Redirect::to(&format!("/departments/{id}")).into_response()),
            Err(e) => {
                errors = FormErrors::from_error(locale, e, DEPT_FIELDS)
                    .map_err(|e| PageError(e, locale))?
            }
        }
    }
    department_form(&st, &req, &ctx, Some(id), form, errors, before.parent_id).await
}

// ---------------------------------------------------------------- delete (both kinds)

#[derive(Template, WebTemplate)]
#[template(path = "confirm_delete.html")]
struct ConfirmDeletePage {
    chrome: Chrome,
    question: String,
    action: String,
    back: String,
    version: i64,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteForm {
    version: String,
}

#[allow(clippy::too_many_arguments)]
async fn confirm_page(
    st: &AppState,
    req: &Req,
    active: &str,
    title: &str,
    question: String,
    base: String,
    version: i64,
    error: Option<String>,
) -> Response {
    let chrome = notify::chrome(st, req, active, title, &format!("{base}/delete")).await;
    let status = if error.is_some() { 409 } else { 200 };
    let mut r = ConfirmDeletePage {
        chrome,
        question,
        action: format!("{base}/delete"),
        back: base,
        version,
        error,
    }
    .into_response();
    *r.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    r
}

async fn department_delete_confirm(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let d = service::get_department(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    if !ctx.actor.can_delete_department() {
        return Err(PageError(AppError::Forbidden("delete departments"), locale));
    }
    let q = ui::i18n::tf(locale, "team.confirm_delete_dept", &[("name", &d.name)]);
    Ok(confirm_page(
        &st,
        &req,
        "/departments",
        "dept.title",
        q,
        format!("/departments/{id}"),
        d.version,
        None,
    )
    .await)
}

async fn department_delete(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<DeleteForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let d = service::get_department(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    let version = f.version.trim().parse::<i64>().ok();
    match service::delete_department(&st.db, &ctx, id, version).await {
        Ok(()) => Ok(Redirect::to("/departments").into_response()),
        Err(AppError::Conflict(msg)) => {
            let q = ui::i18n::tf(locale, "team.confirm_delete_dept", &[("name", &d.name)]);
            let msg = format!("{} ({msg})", ui::t(locale, "team.dept_not_empty"));
            Ok(confirm_page(
                &st,
                &req,
                "/departments",
                "dept.title",
                q,
                format!("/departments/{id}"),
                d.version,
                Some(msg),
            )
            .await)
        }
        Err(AppError::PreconditionFailed) => {
            let q = ui::i18n::tf(locale, "team.confirm_delete_dept", &[("name", &d.name)]);
            let msg = ui::t(locale, "error.stale").to_string();
            Ok(confirm_page(
                &st,
                &req,
                "/departments",
                "dept.title",
                q,
                format!("/departments/{id}"),
                d.version,
                Some(msg),
            )
            .await)
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

// ---------------------------------------------------------------- the people list

/// The list's URL state (all optional, all lenient: a bad value is ignored).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PeopleParams {
    pub q: String,
    pub department_id: String,
    pub include_sub: String,
    pub active: String,
    pub sort: String,
    pub order: String,
    pub cursor: String,
    /// `csv` or `xlsx`: the whole filtered list as a file instead of the page.
    pub format: String,
}

impl PeopleParams {
    pub fn sort(&self) -> PersonSort {
        PersonSort::parse(&self.sort).unwrap_or_default()
    }

    pub fn desc(&self) -> bool {
        self.order == "desc"
    }

    pub fn filter(&self) -> PersonFilter {
        PersonFilter {
            department_id: self.department_id.trim().parse().ok(),
            include_sub: checked(&self.include_sub),
            q: opt_text(&self.q),
            active: match self.active.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            sort: self.sort(),
            desc: self.desc(),
            cursor: opt_text(&self.cursor),
            limit: Some(50),
        }
    }

    /// `/people?…` with these filters and the given sort, order and cursor (empty values left out).
    pub fn url(&self, sort: &str, order: &str, cursor: &str) -> String {
        let pairs = [
            ("q", self.q.trim()),
            ("department_id", self.department_id.as_str()),
            (
                "include_sub",
                if checked(&self.include_sub) {
                    "true"
                } else {
                    ""
                },
            ),
            ("active", self.active.as_str()),
            ("sort", sort),
            ("order", order),
            ("cursor", cursor),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let qs = serde_urlencoded::to_string(&kept).unwrap_or_default();
        if qs.is_empty() {
            "/people".into()
        } else {
            format!("/people?{qs}")
        }
    }

    /// The link of a column header: ascending first, the other way when already sorted by it.
    pub fn sort_url(&self, col: &str) -> String {
        let order = if self.sort().as_str() == col && !self.desc() {
            "desc"
        } else {
            "asc"
        };
        self.url(col, order, "")
    }

    /// `aria-sort` of a column header.
    pub fn aria_sort(&self, col: &str) -> &'static str {
        match (self.sort().as_str() == col, self.desc()) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }
    }

    pub fn arrow(&self, col: &str) -> &'static str {
        match self.aria_sort(col) {
            "ascending" => " ▲",
            "descending" => " ▼",
            _ => "",
        }
    }

    pub fn next_url(&self, cursor: &str) -> String {
        self.url(
            self.sort().as_str(),
            if self.desc() { "desc" } else { "" },
            cursor,
        )
    }

    /// This list (filters and sort, all pages) as a file.
    pub fn export_url(&self, format: &str) -> String {
        let base = self.url(
            self.sort().as_str(),
            if self.desc() { "desc" } else { "" },
            "",
        );
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}format={format}")
    }

    pub fn first_url(&self) -> String {
        self.url(
            self.sort().as_str(),
            if self.desc() { "desc" } else { "" },
            "",
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "people.html")]
struct PeoplePage {
    chrome: Chrome,
    p: PeopleParams,
    people: Vec<Person>,
    next: Option<String>,
    departments: Vec<Opt>,
    can_create: bool,
}

impl PeoplePage {
    fn include_sub(&self) -> bool {
        checked(&self.p.include_sub)
    }
}

async fn people_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(p): Query<PeopleParams>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    if let Some(format) = imports::export::ExportFormat::from_page_param(&p.format) {
        let people = crate::api::export_people(&st, &ctx, p.filter())
            .await
            .map_err(pe)?;
        let sheet = crate::export::people_sheet(locale, &people);
        let today = imports::export::today(ctx.now_ms);
        return imports::export::respond(format, "people", &today, &sheet).map_err(pe);
    }
    let page = match service::list_people(&st.db, &ctx, &p.filter()).await {
        Ok(page) => page,
        // A stale or mangled cursor (e.g. after changing the sort by hand): start over.
        Err(AppError::BadRequest(_)) => {
            let mut f = p.filter();
            f.cursor = None;
            service::list_people(&st.db, &ctx, &f).await.map_err(pe)?
        }
        Err(e) => return Err(pe(e)),
    };
    let tree = service::tree(&st.db).await.map_err(pe)?;
    let departments = dept_options(&tree, None, |_| true, None);
    let chrome = notify::chrome(&st, &req, "/people", "person.title", &here(&uri)).await;
    Ok(PeoplePage {
        chrome,
        p,
        people: page.items,
        next: page.next_cursor,
        departments,
        can_create: can_create_departments(&ctx.actor),
    }
    .into_response())
}

// ---------------------------------------------------------------- one person

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub email: String,
    pub phone: String,
    pub version: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "person.html")]
struct PersonPage {
    chrome: Chrome,
    p: Person,
    reports: Vec<Person>,
    history: Vec<HistoryView>,
    can_edit: bool,
    can_delete: bool,
    /// A member on their own page edits only their email and phone.
    contact: Option<ContactForm>,
    errors: FormErrors,
    saved: bool,
}

#[derive(Deserialize)]
struct PersonQuery {
    saved: Option<String>,
}

async fn render_person(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    contact_input: Option<ContactForm>,
    errors: FormErrors,
    saved: bool,
) -> PageResult {
    let locale = req.locale();
    let pe = |e| PageError(e, locale);
    let p = service::get_person(&st.db, ctx, id).await.map_err(pe)?;
    let reports = service::direct_reports(&st.db, ctx, id).await.map_err(pe)?;
    let history = service::history(&st.db, ctx, "person", id, None, Some(50))
        .await
        .map_err(pe)?;
    let a = &ctx.actor;
    let can_edit = a.can_manage_person(p.department_id);
    let contact = (!can_edit && a.can_edit_own_contact(id)).then(|| {
        contact_input.unwrap_or_else(|| ContactForm {
            email: p.email.clone().unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            version: p.version.to_string(),
        })
    });
    let mut chrome =
        notify::chrome(st, req, "/people", "person.title", &format!("/people/{id}")).await;
    chrome.title = p.name.clone();
    let status = if errors.is_empty() { 200 } else { 422 };
    let mut r = PersonPage {
        chrome,
        can_delete: a.can_delete_person(),
        can_edit,
        contact,
        reports,
        history: history_views(locale, "person", history.items),
        p,
        errors,
        saved,
    }
    .into_response();
    *r.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    Ok(r)
}

async fn person_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Query(q): Query<PersonQuery>,
) -> PageResult {
    let id = parse_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_person(
        &st,
        &req,
        &ctx,
        id,
        None,
        FormErrors::default(),
        q.saved.is_some(),
    )
    .await
}

async fn person_contact(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<ContactForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let before = service::get_person(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    let version = f.version.trim().parse::<i64>().unwrap_or(before.version);
    let patch = PersonPatch {
        email: Some(opt_text(&f.email)),
        phone: Some(opt_text(&f.phone)),
        ..Default::default()
    };
    match service::update_person(&st.db, &ctx, id, version, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
        Err(e) => {
            let errors = FormErrors::from_error(locale, e, PERSON_FIELDS)
                .map_err(|e| PageError(e, locale))?;
            render_person(&st, &req, &ctx, id, Some(f), errors, false).await
        }
    }
}

// ---------------------------------------------------------------- person form

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PersonForm {
    pub employee_no: String,
    pub name: String,
    pub name_zh: String,
    pub department_id: String,
    pub position: String,
    pub manager_id: String,
    pub email: String,
    pub phone: String,
    pub hire_date: String,
    pub active: String,
    pub version: String,
}

impl PersonForm {
    fn of(p: &Person) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let i = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
        Self {
            employee_no: p.employee_no.clone(),
            name: p.name.clone(),
            name_zh: s(&p.name_zh),
            department_id: i(p.department_id),
            position: s(&p.position),
            manager_id: i(p.manager_id),
            email: s(&p.email),
            phone: s(&p.phone),
            hire_date: s(&p.hire_date),
            active: if p.active { "on".into() } else { String::new() },
            version: p.version.to_string(),
        }
    }

    fn is_active(&self) -> bool {
        checked(&self.active)
    }
}

const PERSON_FIELDS: &[&str] = &[
    "employee_no",
    "name",
    "name_zh",
    "department_id",
    "position",
    "manager_id",
    "email",
    "phone",
    "hire_date",
    "active",
    "user_id",
];

#[derive(Template, WebTemplate)]
#[template(path = "person_form.html")]
struct PersonFormPage {
    chrome: Chrome,
    id: Option<i64>,
    form: PersonForm,
    errors: FormErrors,
    departments: Vec<Opt>,
    /// Whether "no department" is a choice (admins only; others create within their scope).
    no_department: bool,
    managers: Vec<Opt>,
}

impl PersonFormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/people/{id}/edit"),
            None => "/people".into(),
        }
    }
    fn cancel(&self) -> String {
        match self.id {
            Some(id) => format!("/people/{id}"),
            None => "/people".into(),
        }
    }
}

async fn person_form(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: Option<i64>,
    form: PersonForm,
    errors: FormErrors,
    current_dept: Option<i64>,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let tree = service::tree(&st.db).await.map_err(pe)?;
    let a = &ctx.actor;
    let departments = dept_options(&tree, None, |d| a.can_manage_person(Some(d)), current_dept);
    let managers = person_options(&service::people_options(&st.db, ctx).await.map_err(pe)?, id);
    let (here, title) = match id {
        Some(id) => (format!("/people/{id}/edit"), "person.edit"),
        None => ("/people/new".into(), "person.new"),
    };
    let chrome = notify::chrome(st, req, "/people", title, &here).await;
    let status = if errors.is_empty() { 200 } else { 422 };
    let no_department = a.is_admin() || (id.is_some() && current_dept.is_none());
    let mut r = PersonFormPage {
        chrome,
        id,
        form,
        errors,
        departments,
        no_department,
        managers,
    }
    .into_response();
    *r.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    Ok(r)
}

#[derive(Deserialize)]
struct NewPersonQuery {
    department_id: Option<String>,
}

async fn person_new(
    State(st): State<AppState>,
    req: Req,
    Query(q): Query<NewPersonQuery>,
) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    if !can_create_departments(&ctx.actor) {
        return Err(PageError(
            AppError::Forbidden("create people"),
            req.locale(),
        ));
    }
    let form = PersonForm {
        department_id: q.department_id.unwrap_or_default(),
        active: "on".into(),
        ..Default::default()
    };
    person_form(&st, &req, &ctx, None, form, FormErrors::default(), None).await
}

async fn person_create(
    State(st): State<AppState>,
    req: Req,
    Form(form): Form<PersonForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let mut errors = FormErrors::default();
    let department_id = opt_id("department_id", &form.department_id, &mut errors, locale);
    let manager_id = opt_id("manager_id", &form.manager_id, &mut errors, locale);
    if errors.is_empty() {
        let input = PersonInput {
            employee_no: form.employee_no.clone(),
            name: form.name.clone(),
            name_zh: opt_text(&form.name_zh),
            department_id,
            position: opt_text(&form.position),
            manager_id,
            email: opt_text(&form.email),
            phone: opt_text(&form.phone),
            hire_date: opt_text(&form.hire_date),
            active: form.is_active(),
            user_id: None,
        };
        match service::create_person(&st.db, &ctx, &input, None).await {
            Ok(p) => return Ok(Redirect::to(&format!("/people/{}", p.id)).into_response()),
            Err(e) => {
                errors = FormErrors::from_error(locale, e, PERSON_FIELDS)
                    .map_err(|e| PageError(e, locale))?
            }
        }
    }
    person_form(&st, &req, &ctx, None, form, errors, None).await
}

async fn person_edit(State(st): State<AppState>, req: Req, Path(id): Path<String>) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = service::get_person(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    if !ctx.actor.can_manage_person(p.department_id) {
        // A member's own record: the contact form on the person's page.
        if ctx.actor.can_edit_own_contact(id) {
            return Ok(Redirect::to(&format!("/people/{id}#contact")).into_response());
        }
        return Err(PageError(AppError::Forbidden("edit this person"), locale));
    }
    person_form(
        &st,
        &req,
        &ctx,
        Some(id),
        PersonForm::of(&p),
        FormErrors::default(),
        p.department_id,
    )
    .await
}

async fn person_update(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(form): Form<PersonForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let before = service::get_person(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    let mut errors = FormErrors::default();
    let department_id = opt_id("department_id", &form.department_id, &mut errors, locale);
    let manager_id = opt_id("manager_id", &form.manager_id, &mut errors, locale);
    let version = form.version.trim().parse::<i64>().unwrap_or(before.version);
    if errors.is_empty() {
        let patch = PersonPatch {
            employee_no: Some(form.employee_no.clone()),
            name: Some(form.name.clone()),
            name_zh: Some(opt_text(&form.name_zh)),
            department_id: Some(department_id),
            position: Some(opt_text(&form.position)),
            manager_id: Some(manager_id),
            email: Some(opt_text(&form.email)),
            phone: Some(opt_text(&form.phone)),
            hire_date: Some(opt_text(&form.hire_date)),
            active: Some(form.is_active()),
            user_id: None,
        };
        match service::update_person(&st.db, &ctx, id, version, &patch).await {
            Ok(_) => return Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
            Err(e) => {
                errors = FormErrors::from_error(locale, e, PERSON_FIELDS)
                    .map_err(|e| PageError(e, locale))?
            }
        }
    }
    person_form(
        &st,
        &req,
        &ctx,
        Some(id),
        form,
        errors,
        before.department_id,
    )
    .await
}

async fn person_delete_confirm(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = service::get_person(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    if !ctx.actor.can_delete_person() {
        return Err(PageError(AppError::Forbidden("delete people"), locale));
    }
    let q = ui::i18n::tf(locale, "team.confirm_delete_person", &[("name", &p.name)]);
    Ok(confirm_page(
        &st,
        &req,
        "/people",
        "person.title",
        q,
        format!("/people/{id}"),
        p.version,
        None,
    )
    .await)
}

async fn person_delete(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<DeleteForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = service::get_person(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    let version = f.version.trim().parse::<i64>().ok();
    match service::delete_person(&st.db, &ctx, id, version).await {
        Ok(()) => Ok(Redirect::to("/people").into_response()),
        Err(AppError::PreconditionFailed) => {
            let q = ui::i18n::tf(locale, "team.confirm_delete_person", &[("name", &p.name)]);
            let msg = ui::t(locale, "error.stale").to_string();
            Ok(confirm_page(
                &st,
                &req,
                "/people",
                "person.title",
                q,
                format!("/people/{id}"),
                p.version,
                Some(msg),
            )
            .await)
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, parent: Option<i64>, depth: i64) -> DepartmentNode {
        DepartmentNode {
            department: Department {
                id,
                name: format!("d{id}"),
                code: None,
                parent_id: parent,
                parent_name: None,
                head_person_id: None,
                head_name: None,
                description: None,
                people_count: 0,
                version: 1,
                created_at: 0,
                updated_at: 0,
            },
            depth,
        }
    }

    /// A ─┬─ B ── C
    ///    └─ D
    /// E
    fn tree() -> Vec<DepartmentNode> {
        vec![
            node(1, None, 0),
            node(2, Some(1), 1),
            node(3, Some(2), 2),
            node(4, Some(1), 1),
            node(5, None, 0),
        ]
    }

    #[test]
    fn nesting_balances_lists() {
        let rows = nest(tree(), |id| id != 5);
        let got: Vec<(i64, bool, usize, bool)> = rows
            .iter()
            .map(|r| (r.d.id, r.open, r.close, r.can_edit))
            .collect();
        assert_eq!(
            got,
            [
                (1, true, 0, true),
                (2, true, 0, true),
                (3, false, 1, true),
                (4, false, 1, true),
                (5, false, 0, false)
            ]
        );
        // Every opened list is closed.
        let opens = rows.iter().filter(|r| r.open).count();
        assert_eq!(opens, rows.iter().map(|r| r.close).sum::<usize>());
    }

    #[test]
    fn department_choices_skip_own_subtree_and_keep_allowed() {
        let all = dept_options(&tree(), Some(2), |_| true, None);
        assert_eq!(
            all.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(),
            ["1", "4", "5"]
        );
        assert!(all[1].label.starts_with('\u{3000}'));
        let scoped = dept_options(&tree(), None, |d| d == 2 || d == 3, Some(1));
        assert_eq!(
            scoped.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(),
            ["1", "2", "3"]
        );
    }

    #[test]
    fn people_urls_keep_filters_and_toggle_sort() {
        let p = PeopleParams {
            q: "wang li".into(),
            department_id: "3".into(),
            include_sub: "on".into(),
            sort: "name".into(),
            ..Default::default()
        };
        assert_eq!(
            p.sort_url("name"),
            "/people?q=wang+li&department_id=3&include_sub=true&sort=name&order=desc"
        );
        assert_eq!(
            p.sort_url("hire_date"),
            "/people?q=wang+li&department_id=3&include_sub=true&sort=hire_date&order=asc"
        );
        assert_eq!(p.aria_sort("name"), "ascending");
        assert_eq!(p.aria_sort("employee_no"), "none");
        assert!(p.next_url("abc").ends_with("&sort=name&cursor=abc"));
        assert_eq!(PeopleParams::default().first_url(), "/people?sort=name");
        let f = p.filter();
        assert_eq!(
            (f.department_id, f.include_sub, f.q.as_deref()),
            (Some(3), true, Some("wang li"))
        );
        let bad = PeopleParams {
            department_id: "x".into(),
            active: "maybe".into(),
            sort: "salary".into(),
            ..Default::default()
        };
        let f = bad.filter();
        assert_eq!(
            (f.department_id, f.active, f.sort),
            (None, None, PersonSort::Name)
        );
    }

    #[test]
    fn service_errors_become_form_messages() {
        let e = AppError::Validation(vec![kernel::FieldError::new("email", "invalid_email", "x")]);
        let f = FormErrors::from_error(Locale::En, e, PERSON_FIELDS).unwrap();
        assert!(f.has("email") && f.general.is_some());
        assert_eq!(f.of("email"), ui::t(Locale::En, "error.invalid_email"));
        let c = AppError::Conflict(
            "employee_no: a person with the employee number E1 already exists".into(),
        );
        let f = FormErrors::from_error(Locale::ZhCn, c, PERSON_FIELDS).unwrap();
        assert_eq!(f.of("employee_no"), ui::t(Locale::ZhCn, "team.taken"));
        let f = FormErrors::from_error(Locale::En, AppError::PreconditionFailed, PERSON_FIELDS)
            .unwrap();
        assert_eq!(f.general.as_deref(), Some(ui::t(Locale::En, "error.stale")));
        assert!(
            FormErrors::from_error(Locale::En, AppError::Forbidden("x"), PERSON_FIELDS).is_err()
        );
    }

    #[test]
    fn every_error_code_of_the_directory_has_a_message() {
        for code in [
            "required",
            "too_long",
            "invalid_chars",
            "invalid_format",
            "invalid_phone",
            "invalid_email",
            "invalid_date",
            "not_found",
            "cycle",
            "self",
            "invalid",
        ] {
            for l in [Locale::En, Locale::ZhCn] {
                let known = ui::t(l, &format!("error.{code}")) != format!("error.{code}")
                    || ui::t(l, &format!("team.error_{code}")) != format!("team.error_{code}");
                assert!(known, "{code} in {l:?}");
            }
        }
    }

    #[test]
    fn history_shows_changed_fields_by_name() {
        let before = serde_json::json!({"id": 1, "name": "Li Na", "manager_id": 2, "manager_name": "Wang", "email": null, "version": 1, "active": true});
        let after = serde_json::json!({"id": 1, "name": "Li Na", "manager_id": 3, "manager_name": "Zhao", "email": "li@x.cn", "version": 2, "active": false});
        let d = diff(Locale::En, "person", Some(&before), Some(&after));
        let labels: Vec<&str> = d.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            labels,
            [
                ui::t(Locale::En, "person.manager"),
                ui::t(Locale::En, "person.email"),
                ui::t(Locale::En, "person.active")
            ]
        );
        assert_eq!((d[0].1.as_str(), d[0].2.as_str()), ("Wang", "Zhao"));
        assert_eq!(d[1].1, "—");
        assert!(diff(Locale::En, "person", None, Some(&after)).is_empty());
        let linked = diff(
            Locale::En,
            "person",
            Some(&serde_json::json!({"user_id": null})),
            Some(&serde_json::json!({"user_id": 3, "username": "member"})),
        );
        assert_eq!(
            linked,
            [(
                ui::t(Locale::En, "person.user").to_string(),
                "—".to_string(),
                "member".to_string()
            )]
        );
    }
}
