//! Task pages: the list (filters, sort and cursor in the URL), the board (columns by status with
//! a "Move to" form per card — the keyboard/no-JS way; app.js adds drag-and-drop on top), detail
//! with history, create/edit forms (Post/Redirect/Get, errors per field) and a confirm-delete step.
use crate::model::{
    AssigneeFilter, Priority, Status, Task, TaskFilter, TaskInput, TaskPatch, TaskSort, TaskValues,
};
use crate::service;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use db::idempotency::Idem;
use kernel::validate::Checks;
use kernel::{AppError, Ctx, Locale, Role};
use serde::Deserialize;
use serde_json::Value;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tasks", get(list_page).post(create_submit))
        .route("/tasks/new", get(new_form))
        .route("/tasks/board", get(board_page))
        .route("/tasks/{id}", get(detail_page))
        .route("/tasks/{id}/edit", get(edit_form).post(edit_submit))
        .route(
            "/tasks/{id}/delete",
            get(delete_confirm).post(delete_submit),
        )
        .route("/tasks/{id}/move", post(move_submit))
}

/// Cards per board column.
const BOARD_PER_COLUMN: i64 = 25;
/// Rows per list page.
const LIST_PAGE: i64 = 50;

// ---------------------------------------------------------------- small helpers

fn page_err(locale: Locale) -> impl Fn(AppError) -> PageError {
    move |e| PageError(e, locale)
}

fn ctx_of(st: &AppState, req: &Req) -> Result<Ctx, PageError> {
    req.ctx(st.now_ms()).map_err(page_err(req.locale()))
}

/// `/tasks/abc` is a missing page, not a bad request.
fn task_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(AppError::NotFound, locale))
}

fn is_true(v: &str) -> bool {
    matches!(v, "true" | "1" | "on" | "yes")
}

/// The name to show for a person in this language (中文名 in zh-CN when there is one).
pub fn person_label(locale: Locale, name: &str, name_zh: Option<&str>) -> String {
    match (locale, name_zh.filter(|z| !z.trim().is_empty())) {
        (Locale::ZhCn, Some(z)) => z.to_string(),
        (Locale::En, Some(z)) if z != name => format!("{name} ({z})"),
        _ => name.to_string(),
    }
}

fn assignee_label(locale: Locale, t: &Task) -> String {
    match &t.assignee_name {
        Some(n) => person_label(locale, n, t.assignee_name_zh.as_deref()),
        None => ui::t(locale, "task.unassigned").to_string(),
    }
}

/// The message for a field error code: `error.<code>`, else `work.error_<code>`, else generic.
pub fn field_message(locale: Locale, code: &str) -> String {
    let k = format!("error.{code}");
    let s = ui::t(locale, &k);
    if s != k {
        return s.to_string();
    }
    let k = format!("work.error_{code}");
    let s = ui::t(locale, &k);
    if s != k {
        s.to_string()
    } else {
        ui::t(locale, "error.invalid").to_string()
    }
}

fn status_label(locale: Locale, s: Status) -> &'static str {
    ui::t(locale, &format!("status.{}", s.as_str()))
}

fn priority_label(locale: Locale, p: Priority) -> &'static str {
    ui::t(locale, &format!("priority.{}", p.as_str()))
}

/// An `<option>`.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Self {
        Opt {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

fn status_opts(locale: Locale, current: Option<Status>) -> Vec<Opt> {
    Status::ALL
        .iter()
        .map(|s| Opt::new(s.as_str(), status_label(locale, *s), Some(*s) == current))
        .collect()
}

fn priority_opts(locale: Locale, current: Option<Priority>) -> Vec<Opt> {
    Priority::ALL
        .iter()
        .map(|p| Opt::new(p.as_str(), priority_label(locale, *p), Some(*p) == current))
        .collect()
}

/// Departments in tree order, indented by depth.
async fn department_opts(st: &AppState, current: Option<i64>) -> Result<Vec<Opt>, AppError> {
    let tree = team::service::tree(&st.db).await?;
    Ok(tree
        .into_iter()
        .map(|n| {
            let d = n.department;
            let label = format!(
                "{}{}",
                "\u{a0}\u{a0}".repeat(n.depth.max(0) as usize),
                d.name
            );
            Opt::new(d.id.to_string(), label, Some(d.id) == current)
        })
        .collect())
}

fn person_opt(locale: Locale, p: &team::Person, current: Option<i64>) -> Opt {
    let mut label = person_label(locale, &p.name, p.name_zh.as_deref());
    if let Some(d) = &p.department_name {
        label.push_str(" · ");
        label.push_str(d);
    }
    Opt::new(p.id.to_string(), label, Some(p.id) == current)
}

/// People for an assignee select: active people (of `department`'s subtree when given, else
/// all, up to `max`), plus the current one even when inactive or outside the list.
async fn people_opts(
    st: &AppState,
    ctx: &Ctx,
    department: Option<i64>,
    current: Option<i64>,
    max: usize,
) -> Result<Vec<Opt>, AppError> {
    let locale = ctx.locale;
    let mut out = Vec::new();
    let mut f = team::PersonFilter {
        department_id: department,
        include_sub: department.is_some(),
        active: Some(true),
        limit: Some(kernel::page::MAX_LIMIT),
        ..Default::default()
    };
    loop {
        let page = team::service::list_people(&st.db, ctx, &f).await?;
        out.extend(page.items.iter().map(|p| person_opt(locale, p, current)));
        match page.next_cursor {
            Some(c) if out.len() < max => f.cursor = Some(c),
            _ => break,
        }
    }
    if let Some(c) = current
        && !out.iter().any(|o| o.selected)
        && let Ok(p) = team::service::get_person(&st.db, ctx, c).await
    {
        out.insert(0, person_opt(locale, &p, current));
    }
    Ok(out)
}

fn validation_list(locale: Locale, e: &AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .map(|f| (f.field.clone(), field_message(locale, f.code)))
            .collect(),
        _ => Vec::new(),
    }
}

fn find_err<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

// ---------------------------------------------------------------- list parameters (in the URL)

/// The list's and the board's filters, sort and page, read leniently from the URL (an empty or
/// unknown value is ignored; dates are passed on for the service to judge). The default order is
/// newest first (`id` descending, served by the primary key).
#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    pub department_id: Option<i64>,
    pub include_sub: bool,
    pub statuses: Vec<Status>,
    pub assignee: Option<AssigneeFilter>,
    pub priority: Option<Priority>,
    pub due_after: String,
    pub due_before: String,
    pub overdue: bool,
    pub q: String,
    pub sort: TaskSort,
    pub desc: bool,
    pub cursor: Option<String>,
}

impl Default for ListParams {
    fn default() -> Self {
        ListParams {
            department_id: None,
            include_sub: false,
            statuses: Vec::new(),
            assignee: None,
            priority: None,
            due_after: String::new(),
            due_before: String::new(),
            overdue: false,
            q: String::new(),
            sort: TaskSort::Id,
            desc: true,
            cursor: None,
        }
    }
}

/// The direction a column sorts in first: newest, latest and most urgent first; titles and due
/// dates from the start.
pub fn default_desc(s: TaskSort) -> bool {
    !matches!(s, TaskSort::Title | TaskSort::DueDate)
}

impl ListParams {
    pub fn parse(query: &str) -> Self {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let mut p = ListParams::default();
        let mut order: Option<bool> = None;
        for (k, v) in pairs {
            let v = v.trim();
            match k.as_str() {
                "department_id" => p.department_id = v.parse().ok(),
                "include_subdepartments" => p.include_sub = is_true(v),
                "status" => {
                    for s in v.split(',').filter_map(|s| Status::parse(s.trim())) {
                        if !p.statuses.contains(&s) {
                            p.statuses.push(s);
                        }
                    }
                }
                "assignee" | "assignee_id" => p.assignee = AssigneeFilter::parse(v),
                "priority" => p.priority = Priority::parse(v),
                "due_after" => p.due_after = v.to_string(),
                "due_before" => p.due_before = v.to_string(),
                "overdue" => p.overdue = is_true(v),
                "q" => p.q = v.to_string(),
                "sort" => p.sort = TaskSort::parse(v).unwrap_or_default(),
                "order" => order = Some(v == "desc"),
                "cursor" => p.cursor = Some(v.to_string()).filter(|c| !c.is_empty()),
                _ => {}
            }
        }
        p.statuses.sort_by_key(|s| *s as u8);
        p.desc = order.unwrap_or_else(|| default_desc(p.sort));
        p
    }

    /// The same filters in the default order, first page.
    pub fn unsorted(&self) -> Self {
        ListParams {
            sort: TaskSort::Id,
            desc: true,
            cursor: None,
            ..self.clone()
        }
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if let Some(d) = self.department_id {
            v.push(("department_id", d.to_string()));
            if self.include_sub {
                v.push(("include_subdepartments", "true".into()));
            }
        }
        for s in &self.statuses {
            v.push(("status", s.as_str().into()));
        }
        match self.assignee {
            Some(AssigneeFilter::Me) => v.push(("assignee", "me".into())),
            Some(AssigneeFilter::Unassigned) => v.push(("assignee", "none".into())),
            Some(AssigneeFilter::Person(p)) => v.push(("assignee", p.to_string())),
            None => {}
        }
        if let Some(p) = self.priority {
            v.push(("priority", p.as_str().into()));
        }
        if !self.due_after.is_empty() {
            v.push(("due_after", self.due_after.clone()));
        }
        if !self.due_before.is_empty() {
            v.push(("due_before", self.due_before.clone()));
        }
        if self.overdue {
            v.push(("overdue", "true".into()));
        }
        if !self.q.is_empty() {
            v.push(("q", self.q.clone()));
        }
        v.extend(self.sort_pairs());
        v
    }

    /// `sort` and `order` when they differ from the defaults.
    pub fn sort_pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if self.sort != TaskSort::Id {
            v.push(("sort", self.sort.as_str().into()));
        }
        if self.desc != default_desc(self.sort) {
            v.push(("order", if self.desc { "desc" } else { "asc" }.into()));
        }
        v
    }

    /// `base?filters[&cursor=…]` (the canonical URL of a page of this list).
    pub fn href(&self, base: &str, cursor: Option<&str>) -> String {
        let mut pairs = self.pairs();
        if let Some(c) = cursor {
            pairs.push(("cursor", c.to_string()));
        }
        let q = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if q.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{q}")
        }
    }

    /// The header link for sorting by `key`: its first direction, or the other one when already sorted by it.
    pub fn sort_href(&self, base: &str, key: TaskSort) -> String {
        let desc = if self.sort == key {
            !self.desc
        } else {
            default_desc(key)
        };
        ListParams {
            sort: key,
            desc,
            cursor: None,
            ..self.clone()
        }
        .href(base, None)
    }

    pub fn filter(&self, limit: i64) -> TaskFilter {
        TaskFilter {
            department_id: self.department_id,
            include_sub: self.include_sub,
            status: self.statuses.clone(),
            assignee: self.assignee,
            priority: self.priority,
            due_before: Some(self.due_before.clone()).filter(|s| !s.is_empty()),
            due_after: Some(self.due_after.clone()).filter(|s| !s.is_empty()),
            overdue: self.overdue,
            q: Some(self.q.clone()).filter(|s| !s.is_empty()),
            sort: self.sort,
            desc: self.desc,
            cursor: self.cursor.clone(),
            limit: Some(limit),
        }
    }

    /// Whether any filter (not sort or page) is set.
    pub fn filtered(&self) -> bool {
        self.department_id.is_some()
            || !self.statuses.is_empty()
            || self.assignee.is_some()
            || self.priority.is_some()
            || !self.due_after.is_empty()
            || !self.due_before.is_empty()
            || self.overdue
            || !self.q.is_empty()
    }
}

/// The filter form shared by the list and the board (`task_filters.html`).
pub struct FilterForm {
    pub action: &'static str,
    pub q: String,
    pub statuses: Vec<Opt>,
    pub show_statuses: bool,
    pub priorities: Vec<Opt>,
    pub departments: Vec<Opt>,
    pub include_sub: bool,
    pub assignees: Vec<Opt>,
    pub assignee_any: bool,
    pub assignee_me: bool,
    pub assignee_none: bool,
    pub due_after: String,
    pub due_before: String,
    pub overdue: bool,
    /// Whether the "more filters" part starts open (a filter other than the search is set, or wrong).
    pub open: bool,
    /// Sort and order to keep when filtering (hidden fields).
    pub keep: Vec<(&'static str, String)>,
    pub errors: Vec<(String, String)>,
}

impl FilterForm {
    pub fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
}

async fn filter_form(
    st: &AppState,
    ctx: &Ctx,
    p: &ListParams,
    action: &'static str,
    show_statuses: bool,
) -> Result<FilterForm, AppError> {
    let locale = ctx.locale;
    let person = match p.assignee {
        Some(AssigneeFilter::Person(id)) => Some(id),
        _ => None,
    };
    // People are listed once a department is chosen (a company-wide select would be thousands long).
    let assignees = match (p.department_id, person) {
        (Some(_), _) => people_opts(st, ctx, p.department_id, person, 500).await?,
        (None, Some(id)) => match team::service::get_person(&st.db, ctx, id).await {
            Ok(person) => vec![person_opt(locale, &person, Some(id))],
            Err(AppError::NotFound) => Vec::new(),
            Err(e) => return Err(e),
        },
        (None, None) => Vec::new(),
    };
    Ok(FilterForm {
        action,
        q: p.q.clone(),
        statuses: Status::ALL
            .iter()
            .map(|s| Opt::new(s.as_str(), status_label(locale, *s), p.statuses.contains(s)))
            .collect(),
        show_statuses,
        priorities: priority_opts(locale, p.priority),
        departments: department_opts(st, p.department_id).await?,
        include_sub: p.include_sub,
        assignees,
        assignee_any: p.assignee.is_none(),
        assignee_me: p.assignee == Some(AssigneeFilter::Me),
        assignee_none: p.assignee == Some(AssigneeFilter::Unassigned),
        due_after: p.due_after.clone(),
        due_before: p.due_before.clone(),
        overdue: p.overdue,
        open: ListParams {
            q: String::new(),
            ..p.clone()
        }
        .filtered(),
        keep: p.sort_pairs(),
        errors: Vec::new(),
    })
}

// ---------------------------------------------------------------- the list

pub struct Header {
    pub label: &'static str,
    pub href: String,
    /// `ascending`, `descending` or `none` (aria-sort).
    pub aria: &'static str,
    pub arrow: &'static str,
    pub class: &'static str,
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub priority: &'static str,
    pub priority_label: &'static str,
    pub assignee: String,
    pub department: String,
    pub due: String,
    pub overdue: bool,
    pub updated: String,
}

fn row(locale: Locale, today: &str, t: &Task) -> Row {
    Row {
        id: t.id,
        title: t.title.clone(),
        status: t.status.as_str(),
        status_label: status_label(locale, t.status),
        priority: t.priority.as_str(),
        priority_label: priority_label(locale, t.priority),
        assignee: assignee_label(locale, t),
        department: t.department_name.clone().unwrap_or_default(),
        due: t.due_date.clone().unwrap_or_default(),
        overdue: t.is_overdue(today),
        updated: kernel::dates::format_instant(t.updated_at, service::DEFAULT_OFFSET_HOURS),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
struct ListPage {
    chrome: Chrome,
    filters: FilterForm,
    headers: Vec<Header>,
    rows: Vec<Row>,
    next_href: Option<String>,
    first_href: Option<String>,
    board_href: String,
    can_create: bool,
    notice: Option<&'static str>,
}

async fn list_page(
    State(st): State<AppState>,
    req: Req,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let err = page_err(locale);
    let ctx = ctx_of(&st, &req)?;
    let raw = raw.unwrap_or_default();
    let p = ListParams::parse(&raw);
    let deleted = raw.split('&').any(|kv| kv == "deleted=1");
    let mut filters = filter_form(&st, &ctx, &p, "/tasks", true)
        .await
        .map_err(&err)?;
    let today = service::today(&ctx);
    let (tasks, next) = match service::list(&st.db, &ctx, &p.filter(LIST_PAGE)).await {
        Ok(page) => (page.items, page.next_cursor),
        Err(e @ AppError::Validation(_)) => {
            filters.errors = validation_list(locale, &e);
            filters.open = true;
            (Vec::new(), None)
        }
        // A stale or mangled cursor: start again from the first page.
        Err(AppError::BadRequest(_)) if p.cursor.is_some() => {
            return Ok(Redirect::to(&p.href("/tasks", None)).into_response());
        }
        Err(e) => return Err(err(e)),
    };
    let cols: [(&str, Option<TaskSort>, &str); 7] = [
        ("task.field_title", Some(TaskSort::Title), ""),
        ("task.status", None, ""),
        ("task.priority", Some(TaskSort::Priority), ""),
        ("task.assignee", None, ""),
        ("task.department", None, "hide-sm"),
        ("task.due_date", Some(TaskSort::DueDate), ""),
        ("task.updated", Some(TaskSort::UpdatedAt), "hide-sm"),
    ];
    let headers = cols
        .iter()
        .map(|(key, sort, class)| {
            let active = *sort == Some(p.sort);
            Header {
                label: ui::t(locale, key),
                href: sort.map(|s| p.sort_href("/tasks", s)).unwrap_or_default(),
                aria: match (active, p.desc) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                arrow: match (active, p.desc) {
                    (false, _) => "",
                    (true, false) => "▲",
                    (true, true) => "▼",
                },
                class,
            }
        })
        .collect();
    let here = p.href("/tasks", p.cursor.as_deref());
    let chrome = notify::chrome(&st, &req, "/tasks", "task.title", &here).await;
    Ok(ListPage {
        chrome,
        filters,
        headers,
        rows: tasks.iter().map(|t| row(locale, &today, t)).collect(),
        next_href: next.map(|c| p.href("/tasks", Some(&c))),
        first_href: p.cursor.is_some().then(|| p.href("/tasks", None)),
        board_href: p.unsorted().href("/tasks/board", None),
        can_create: ctx.actor.role != Role::Viewer,
        notice: deleted.then(|| ui::t(locale, "task.deleted")),
    }
    .into_response())
}

// ---------------------------------------------------------------- the board

pub struct Card {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub assignee: String,
    pub due: String,
    pub overdue: bool,
    pub priority: &'static str,
    pub priority_label: &'static str,
    pub can_move: bool,
    pub moves: Vec<Opt>,
}

pub struct Column {
    pub status: &'static str,
    pub label: &'static str,
    pub total: i64,
    pub cards: Vec<Card>,
    /// The list of all this column's tasks, when the column shows only some.
    pub more_href: Option<String>,
    pub more_label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "board.html")]
struct BoardPage {
    chrome: Chrome,
    filters: FilterForm,
    columns: Vec<Column>,
    back: String,
    list_href: String,
    can_create: bool,
    stale: bool,
}

async fn board_page(
    State(st): State<AppState>,
    req: Req,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let err = page_err(locale);
    let ctx = ctx_of(&st, &req)?;
    let raw = raw.unwrap_or_default();
    let p = ListParams {
        cursor: None,
        ..ListParams::parse(&raw)
    };
    let stale = raw.split('&').any(|kv| kv == "stale=1");
    let mut filters = filter_form(&st, &ctx, &p, "/tasks/board", false)
        .await
        .map_err(&err)?;
    let today = service::today(&ctx);
    let board = match service::board(
        &st.db,
        &ctx,
        &p.filter(BOARD_PER_COLUMN),
        Some(BOARD_PER_COLUMN),
    )
    .await
    {
        Ok(b) => Some(b),
        Err(e @ AppError::Validation(_)) => {
            filters.errors = validation_list(locale, &e);
            filters.open = true;
            None
        }
        Err(e) => return Err(err(e)),
    };
    let columns = board
        .map(|b| b.columns)
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let shown = c.tasks.len() as i64;
            let cards = c
                .tasks
                .iter()
                .map(|t| Card {
                    id: t.id,
                    version: t.version,
                    title: t.title.clone(),
                    assignee: assignee_label(locale, t),
                    due: t.due_date.clone().unwrap_or_default(),
                    overdue: t.is_overdue(&today),
                    priority: t.priority.as_str(),
                    priority_label: priority_label(locale, t.priority),
                    can_move: ctx.actor.can_edit_task(&t.facts()),
                    moves: status_opts(locale, Some(t.status)),
                })
                .collect();
            Column {
                status: c.status.as_str(),
                label: status_label(locale, c.status),
                total: c.total,
                cards,
                more_href: (c.total > shown).then(|| {
                    ListParams {
                        statuses: vec![c.status],
                        ..p.clone()
                    }
                    .href("/tasks", None)
                }),
                more_label: ui::i18n::tf(locale, "work.show_all", &[("n", &c.total.to_string())]),
            }
        })
        .collect();
    let back = p.href("/tasks/board", None);
    let chrome = notify::chrome(&st, &req, "/tasks/board", "task.board_title", &back).await;
    Ok(BoardPage {
        chrome,
        filters,
        columns,
        list_href: p.unsorted().href("/tasks", None),
        back,
        can_create: ctx.actor.role != Role::Viewer,
        stale,
    }
    .into_response())
}

// ---------------------------------------------------------------- detail

/// One changed field in a history entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub label: &'static str,
    pub old: String,
    pub new: String,
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub changes: Vec<Change>,
}

/// The fields a history entry compares, with their labels.
const TRACKED: [(&str, &str); 8] = [
    ("title", "task.field_title"),
    ("description", "task.description"),
    ("assignee_name", "task.assignee"),
    ("department_name", "task.department"),
    ("status", "task.status"),
    ("priority", "task.priority"),
    ("due_date", "task.due_date"),
    ("estimate_hours", "task.estimate_hours"),
];

fn show_value(locale: Locale, field: &str, v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) => match field {
            "status" => {
                Status::parse(s).map_or_else(|| s.clone(), |x| status_label(locale, x).to_string())
            }
            "priority" => Priority::parse(s)
                .map_or_else(|| s.clone(), |x| priority_label(locale, x).to_string()),
            _ => {
                let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
                if one_line.chars().count() > 80 {
                    format!("{}…", one_line.chars().take(80).collect::<String>())
                } else {
                    one_line
                }
            }
        },
        Some(other) => other.to_string(),
    }
}

/// What an update changed, field by field (the audit's before/after task snapshots).
pub fn changes(locale: Locale, before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let (Some(b), Some(a)) = (before, after) else {
        return Vec::new();
    };
    TRACKED
        .iter()
        .filter(|(f, _)| b.get(f) != a.get(f))
        .map(|(f, label)| Change {
            label: ui::t(locale, label),
            old: show_value(locale, f, b.get(f)),
            new: show_value(locale, f, a.get(f)),
        })
        .collect()
}

fn action_label(locale: Locale, action: &str) -> &'static str {
    match action {
        "task.create" => ui::t(locale, "work.action_create"),
        "task.update" => ui::t(locale, "work.action_update"),
        "task.move" => ui::t(locale, "work.action_move"),
        "task.delete" => ui::t(locale, "work.action_delete"),
        _ => ui::t(locale, "work.action_other"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "task.html")]
struct DetailPage {
    chrome: Chrome,
    id: i64,
    version: i64,
    title: String,
    status: &'static str,
    status_label: &'static str,
    priority: &'static str,
    priority_label: &'static str,
    overdue: bool,
    assignee: String,
    assignee_href: Option<String>,
    department: String,
    department_href: Option<String>,
    due: String,
    estimate: String,
    completed: String,
    created: String,
    updated: String,
    paragraphs: Vec<String>,
    history: Vec<HistoryRow>,
    can_edit: bool,
    can_delete: bool,
    moves: Vec<Opt>,
    notice: Option<&'static str>,
    alert: Option<&'static str>,
}

async fn detail_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let err = page_err(locale);
    let id = task_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let t = service::get(&st.db, &ctx, id).await.map_err(&err)?;
    let hist = service::history(&st.db, &ctx, id).await.map_err(&err)?;
    let raw = raw.unwrap_or_default();
    let flag = |f: &str| raw.split('&').any(|kv| kv == f);
    let today = service::today(&ctx);
    let instant = |ms: i64| kernel::dates::format_instant(ms, service::DEFAULT_OFFSET_HOURS);
    let history = hist
        .iter()
        .map(|h| HistoryRow {
            at: instant(h.at),
            actor: h.actor_name.clone(),
            action: action_label(locale, &h.action),
            changes: changes(locale, h.before.as_ref(), h.after.as_ref()),
        })
        .collect();
    let here = format!("/tasks/{id}");
    let chrome = notify::chrome(&st, &req, "/tasks", "task.title", &here).await;
    Ok(DetailPage {
        chrome,
        id,
        version: t.version,
        title: t.title.clone(),
        status: t.status.as_str(),
        status_label: status_label(locale, t.status),
        priority: t.priority.as_str(),
        priority_label: priority_label(locale, t.priority),
        overdue: t.is_overdue(&today),
        assignee: assignee_label(locale, &t),
        assignee_href: t.assignee_id.map(|a| format!("/tasks?assignee={a}")),
        department: t.department_name.clone().unwrap_or_else(|| "—".into()),
        department_href: t.department_id.map(|d| format!("/tasks?department_id={d}")),
        due: t.due_date.clone().unwrap_or_else(|| "—".into()),
        estimate: t
            .estimate_hours
            .map_or_else(|| "—".into(), |h| format!("{h}")),
        completed: t.completed_at.map_or_else(String::new, instant),
        created: instant(t.created_at),
        updated: instant(t.updated_at),
        paragraphs: t
            .description
            .as_deref()
            .unwrap_or("")
            .split('\n')
            .map(|l| l.trim_end().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        history,
        can_edit: ctx.actor.can_edit_task(&t.facts()),
        can_delete: ctx.actor.can_delete_task(&t.facts()),
        moves: status_opts(locale, Some(t.status)),
        notice: flag("saved=1").then(|| ui::t(locale, "task.saved")),
        alert: flag("stale=1").then(|| ui::t(locale, "error.stale")),
    }
    .into_response())
}

// ---------------------------------------------------------------- create and edit

/// The task form as posted: all text, so bad input is shown back, never a rejection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaskForm {
    pub title: String,
    pub description: String,
    pub assignee_id: String,
    pub department_id: String,
    pub status: String,
    pub priority: String,
    pub due_date: String,
    pub estimate_hours: String,
    /// The version the edit is based on.
    pub version: String,
    /// The create form's idempotency key (a double submit creates one task).
    pub idem: String,
}

/// Typed values from the form, with a field error for each value that does not parse.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedForm {
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<i64>,
    pub department_id: Option<i64>,
    pub status: Status,
    pub priority: Priority,
    pub due_date: Option<String>,
    pub estimate_hours: Option<f64>,
}

fn opt_id(c: &mut Checks, field: &str, v: &str) -> Option<i64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.parse::<i64>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            c.push(field, "invalid", "not a valid choice");
            None
        }
    }
}

impl TaskForm {
    pub fn parse(&self, c: &mut Checks) -> ParsedForm {
        let status = match self.status.trim() {
            "" => Status::default(),
            s => Status::parse(s).unwrap_or_else(|| {
                c.push("status", "invalid", "not a valid status");
                Status::default()
            }),
        };
        let priority = match self.priority.trim() {
            "" => Priority::default(),
            s => Priority::parse(s).unwrap_or_else(|| {
                c.push("priority", "invalid", "not a valid priority");
                Priority::default()
            }),
        };
        let estimate_hours = match self.estimate_hours.trim() {
            "" => None,
            s => match s.replace(',', ".").parse::<f64>() {
                Ok(h) => Some(h),
                Err(_) => {
                    c.push("estimate_hours", "invalid", "not a number");
                    None
                }
            },
        };
        ParsedForm {
            title: self.title.clone(),
            description: Some(self.description.clone()).filter(|d| !d.trim().is_empty()),
            assignee_id: opt_id(c, "assignee_id", &self.assignee_id),
            department_id: opt_id(c, "department_id", &self.department_id),
            status,
            priority,
            due_date: Some(self.due_date.trim().to_string()).filter(|d| !d.is_empty()),
            estimate_hours,
        }
    }

    fn of_task(t: &Task) -> Self {
        TaskForm {
            title: t.title.clone(),
            description: t.description.clone().unwrap_or_default(),
            assignee_id: t.assignee_id.map(|x| x.to_string()).unwrap_or_default(),
            department_id: t.department_id.map(|x| x.to_string()).unwrap_or_default(),
            status: t.status.as_str().into(),
            priority: t.priority.as_str().into(),
            due_date: t.due_date.clone().unwrap_or_default(),
            estimate_hours: t.estimate_hours.map(|h| h.to_string()).unwrap_or_default(),
            version: t.version.to_string(),
            idem: String::new(),
        }
    }
}

impl ParsedForm {
    fn input(&self) -> TaskInput {
        TaskInput {
            title: self.title.clone(),
            description: self.description.clone(),
            assignee_id: self.assignee_id,
            department_id: self.department_id,
            status: self.status,
            priority: self.priority,
            due_date: self.due_date.clone(),
            estimate_hours: self.estimate_hours,
        }
    }

    fn patch(&self) -> TaskPatch {
        TaskPatch {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            assignee_id: Some(self.assignee_id),
            department_id: Some(self.department_id),
            status: Some(self.status),
            priority: Some(self.priority),
            due_date: Some(self.due_date.clone()),
            estimate_hours: Some(self.estimate_hours),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "task_form.html")]
struct FormPage {
    chrome: Chrome,
    /// `None` for a new task.
    id: Option<i64>,
    action: String,
    cancel_href: String,
    form: TaskForm,
    statuses: Vec<Opt>,
    priorities: Vec<Opt>,
    departments: Vec<Opt>,
    people: Vec<Opt>,
    errors: Vec<(String, String)>,
    alert: Option<String>,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
}

async fn render_form(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: Option<i64>,
    form: TaskForm,
    errors: Vec<(String, String)>,
    alert: Option<String>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    let mut c = Checks::new();
    let parsed = form.parse(&mut c);
    let departments = department_opts(st, parsed.department_id)
        .await
        .map_err(&err)?;
    let people = people_opts(st, ctx, None, parsed.assignee_id, 10_000)
        .await
        .map_err(&err)?;
    let (action, cancel_href, title_key, here) = match id {
        Some(i) => (
            format!("/tasks/{i}/edit"),
            format!("/tasks/{i}"),
            "task.edit",
            format!("/tasks/{i}/edit"),
        ),
        None => (
            "/tasks".to_string(),
            "/tasks".to_string(),
            "task.new",
            "/tasks/new".to_string(),
        ),
    };
    let chrome = notify::chrome(st, req, "/tasks", title_key, &here).await;
    let status = if errors.is_empty() && alert.is_none() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        chrome,
        id,
        action,
        cancel_href,
        statuses: status_opts(locale, Some(parsed.status)),
        priorities: priority_opts(locale, Some(parsed.priority)),
        departments,
        people,
        form,
        errors,
        alert,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    status: String,
    department_id: String,
    assignee_id: String,
}

async fn new_form(
    State(st): State<AppState>,
    req: Req,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    if ctx.actor.role == Role::Viewer {
        return Err(PageError(AppError::Forbidden("create tasks"), ctx.locale));
    }
    let q: NewQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let form = TaskForm {
        status: q.status,
        department_id: if q.department_id.is_empty() {
            ctx.actor
                .department_id
                .map(|d| d.to_string())
                .unwrap_or_default()
        } else {
            q.department_id
        },
        assignee_id: q.assignee_id,
        idem: db::random_hex(16),
        ..Default::default()
    };
    render_form(&st, &req, &ctx, None, form, Vec::new(), None).await
}

fn parse_body(body: &[u8]) -> TaskForm {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

async fn create_submit(
    State(st): State<AppState>,
    req: Req,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let form = parse_body(&body);
    let mut c = Checks::new();
    let parsed = form.parse(&mut c);
    let input = parsed.input();
    if !c.is_empty() {
        // Show every problem at once: the unparsable values and the rules on the rest.
        TaskValues::from_input(&input, ctx.now_ms).validate(&mut c);
        let errors = c
            .finish()
            .err()
            .map(|e| validation_list(locale, &e))
            .unwrap_or_default();
        return render_form(&st, &req, &ctx, None, form, errors, None).await;
    }
    let key = Some(form.idem.clone()).filter(|k| !k.is_empty() && k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let mut result = service::create(&st.db, &ctx, &input, idem.as_ref()).await;
    if matches!(result, Err(AppError::IdempotencyMismatch)) {
        // The same form (browser Back) sent again with other values: the user means a new task.
        result = service::create(&st.db, &ctx, &input, None).await;
    }
    match result {
        Ok(t) => Ok(Redirect::to(&format!("/tasks/{}?saved=1", t.id)).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = validation_list(locale, &e);
            render_form(&st, &req, &ctx, None, form, errors, None).await
        }
        Err(AppError::Forbidden(_)) => {
            let errors = vec![(
                "department_id".to_string(),
                field_message(locale, "forbidden_department"),
            )];
            refused(render_form(&st, &req, &ctx, None, form, errors, None).await)
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

async fn edit_form(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = task_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let t = service::get(&st.db, &ctx, id)
        .await
        .map_err(page_err(locale))?;
    if !ctx.actor.can_edit_task(&t.facts()) {
        return Err(PageError(AppError::Forbidden("edit this task"), locale));
    }
    render_form(
        &st,
        &req,
        &ctx,
        Some(id),
        TaskForm::of_task(&t),
        Vec::new(),
        None,
    )
    .await
}

async fn edit_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = task_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let form = parse_body(&body);
    let mut c = Checks::new();
    let parsed = form.parse(&mut c);
    if !c.is_empty() {
        TaskValues::from_input(&parsed.input(), ctx.now_ms).validate(&mut c);
        let errors = c
            .finish()
            .err()
            .map(|e| validation_list(locale, &e))
            .unwrap_or_default();
        return render_form(&st, &req, &ctx, Some(id), form, errors, None).await;
    }
    let Ok(version) = form.version.trim().parse::<i64>() else {
        let alert = Some(ui::t(locale, "error.stale").to_string());
        return render_form(&st, &req, &ctx, Some(id), form, Vec::new(), alert).await;
    };
    match service::update(&st.db, &ctx, id, version, &parsed.patch()).await {
        Ok(t) => Ok(Redirect::to(&format!("/tasks/{}?saved=1", t.id)).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = validation_list(locale, &e);
            render_form(&st, &req, &ctx, Some(id), form, errors, None).await
        }
        Err(AppError::PreconditionFailed) => {
            let alert = Some(ui::t(locale, "error.stale").to_string());
            render_form(&st, &req, &ctx, Some(id), form, Vec::new(), alert).await
        }
        // Editing is allowed (else the read-only detail page would not link here) but moving to
        // that department is not: say so at the field.
        Err(AppError::Forbidden(why)) if why.contains("department") => {
            let errors = vec![(
                "department_id".to_string(),
                field_message(locale, "forbidden_department"),
            )];
            refused(render_form(&st, &req, &ctx, Some(id), form, errors, None).await)
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

/// The form again with the refusal at its field, answered 403 like the API (so the refusal is
/// also audited as one).
fn refused(page: Result<Response, PageError>) -> Result<Response, PageError> {
    page.map(|mut r| {
        *r.status_mut() = axum::http::StatusCode::FORBIDDEN;
        r
    })
}

// ---------------------------------------------------------------- move and delete

#[derive(Deserialize, Default)]
#[serde(default)]
struct MoveForm {
    status: String,
    version: String,
    back: String,
}

/// Where a move returns to: an app-relative task page, else the task.
fn safe_back(back: &str, id: i64) -> String {
    let ok = (back == "/tasks" || back.starts_with("/tasks/") || back.starts_with("/tasks?"))
        && !back.contains("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if ok {
        back.to_string()
    } else {
        format!("/tasks/{id}")
    }
}

async fn move_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = task_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let f: MoveForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let Some(status) = Status::parse(f.status.trim()) else {
        return Err(PageError(
            AppError::field("status", "invalid", "not a valid status"),
            locale,
        ));
    };
    let Ok(version) = f.version.trim().parse::<i64>() else {
        return Ok(Redirect::to(&format!("/tasks/{id}?stale=1")).into_response());
    };
    match service::move_to(&st.db, &ctx, id, status, version).await {
        Ok(_) => Ok(Redirect::to(&safe_back(&f.back, id)).into_response()),
        Err(AppError::PreconditionFailed) => {
            Ok(Redirect::to(&format!("/tasks/{id}?stale=1")).into_response())
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "task_delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: i64,
    version: i64,
    question: String,
    alert: Option<&'static str>,
}

async fn render_delete(
    st: &AppState,
    req: &Req,
    t: &Task,
    alert: Option<&'static str>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let here = format!("/tasks/{}/delete", t.id);
    let chrome = notify::chrome(st, req, "/tasks", "work.delete_title", &here).await;
    let page = DeletePage {
        chrome,
        id: t.id,
        version: t.version,
        question: ui::i18n::tf(locale, "work.delete_question", &[("title", &t.title)]),
        alert,
    };
    let status = if alert.is_some() {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, page).into_response())
}

async fn delete_confirm(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = task_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let t = service::get(&st.db, &ctx, id)
        .await
        .map_err(page_err(locale))?;
    if !ctx.actor.can_delete_task(&t.facts()) {
        return Err(PageError(AppError::Forbidden("delete this task"), locale));
    }
    render_delete(&st, &req, &t, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeleteForm {
    version: String,
}

async fn delete_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let err = page_err(locale);
    let id = task_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let f: DeleteForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let version = f.version.trim().parse::<i64>().ok();
    let result = match version {
        Some(v) => service::delete(&st.db, &ctx, id, Some(v)).await,
        None => Err(AppError::PreconditionFailed),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/tasks?deleted=1").into_response()),
        Err(AppError::PreconditionFailed) => {
            let t = service::get(&st.db, &ctx, id).await.map_err(&err)?;
            render_delete(&st, &req, &t, Some(ui::t(locale, "error.stale"))).await
        }
        Err(e) => Err(err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_params_round_trip_through_the_url() {
        let p = ListParams::parse(
            "status=todo&status=doing&assignee=me&department_id=3&include_subdepartments=true&q=a+b&sort=due_date&order=desc&cursor=ab&deleted=1",
        );
        assert_eq!(p.statuses, vec![Status::Todo, Status::Doing]);
        assert_eq!(p.assignee, Some(AssigneeFilter::Me));
        assert_eq!(
            (p.department_id, p.include_sub, p.q.as_str()),
            (Some(3), true, "a b")
        );
        assert_eq!(
            (p.sort, p.desc, p.cursor.as_deref()),
            (TaskSort::DueDate, true, Some("ab"))
        );
        let href = p.href("/tasks", p.cursor.as_deref());
        assert_eq!(ListParams::parse(href.split_once('?').unwrap().1), p);
        // Empty form values (the "any" options) are no filter at all.
        let e = ListParams::parse("department_id=&assignee=&priority=&status=&due_before=&q=");
        assert_eq!(e, ListParams::default());
        assert!(!e.filtered());
        assert_eq!(e.href("/tasks", None), "/tasks");
    }

    #[test]
    fn sort_links_toggle_and_drop_the_cursor() {
        let p = ListParams::parse("sort=title&cursor=ff&priority=high");
        assert!(!p.desc);
        assert_eq!(
            p.sort_href("/tasks", TaskSort::Title),
            "/tasks?priority=high&sort=title&order=desc"
        );
        assert_eq!(
            p.sort_href("/tasks", TaskSort::DueDate),
            "/tasks?priority=high&sort=due_date"
        );
        assert_eq!(
            p.sort_href("/tasks", TaskSort::UpdatedAt),
            "/tasks?priority=high&sort=updated_at"
        );
        // The default is newest first; asking for the other way is kept in the URL.
        let d = ListParams::parse("");
        assert_eq!((d.sort, d.desc), (TaskSort::Id, true));
        assert_eq!(
            ListParams::parse("order=asc").href("/tasks", None),
            "/tasks?order=asc"
        );
        assert_eq!(
            ListParams::parse("sort=updated_at&order=asc").sort_href("/tasks", TaskSort::UpdatedAt),
            "/tasks?sort=updated_at"
        );
        let f = p.filter(50);
        assert_eq!(
            (f.priority, f.limit, f.cursor.as_deref()),
            (Some(Priority::High), Some(50), Some("ff"))
        );
    }

    #[test]
    fn form_values_parse_with_field_errors() {
        let f = TaskForm {
            title: "Fix".into(),
            assignee_id: "x".into(),
            department_id: "".into(),
            status: "doing".into(),
            priority: "bogus".into(),
            estimate_hours: "1,5".into(),
            ..Default::default()
        };
        let mut c = Checks::new();
        let p = f.parse(&mut c);
        assert_eq!(
            (p.status, p.estimate_hours, p.department_id),
            (Status::Doing, Some(1.5), None)
        );
        let AppError::Validation(errs) = c.finish().unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["priority", "assignee_id"]);
        // An edit sends every field, so clearing one is possible.
        let patch = p.patch();
        assert_eq!(patch.due_date, Some(None));
        assert_eq!(patch.description, Some(None));
    }

    #[test]
    fn history_lists_changed_fields() {
        let before = json!({"title": "A", "status": "todo", "priority": "low", "due_date": null, "version": 1});
        let after = json!({"title": "A", "status": "done", "priority": "low", "due_date": "2026-01-02", "version": 2});
        let c = changes(Locale::En, Some(&before), Some(&after));
        assert_eq!(
            c,
            vec![
                Change {
                    label: "Status",
                    old: "To do".into(),
                    new: "Done".into()
                },
                Change {
                    label: "Due date",
                    old: "—".into(),
                    new: "2026-01-02".into()
                },
            ]
        );
        assert!(changes(Locale::En, None, Some(&after)).is_empty());
    }

    #[test]
    fn helpers() {
        assert_eq!(person_label(Locale::ZhCn, "Li Wei", Some("李伟")), "李伟");
        assert_eq!(
            person_label(Locale::En, "Li Wei", Some("李伟")),
            "Li Wei (李伟)"
        );
        assert_eq!(person_label(Locale::ZhCn, "Anna", None), "Anna");
        assert_eq!(
            safe_back("/tasks/board?status=todo", 4),
            "/tasks/board?status=todo"
        );
        assert_eq!(safe_back("https://evil.example/", 4), "/tasks/4");
        assert_eq!(safe_back("/tasks//evil", 4), "/tasks/4");
        assert_eq!(safe_back("/taskset", 4), "/tasks/4");
        assert_eq!(field_message(Locale::En, "required"), "is required");
        assert_eq!(field_message(Locale::En, "no_such_code"), "is not valid");
    }
}
