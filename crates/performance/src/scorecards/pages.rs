//! Scorecard pages: the list, a scorecard for a period (achievement, status and points per KPI
//! with a link to the KPI, the score and its history) and the compose/edit form (rows of KPI +
//! weight; blank rows are ignored, so it works without script).
use super::model::{ItemInput, ScorecardInput, ScorecardPatch};
use super::service;
use crate::goals::model::Level;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use db::idempotency::Idem;
use kernel::{AppError, Ctx, Locale, Role};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/scorecards", get(list_page).post(create_submit))
        .route("/scorecards/new", get(new_form))
        .route("/scorecards/{id}", get(report_page))
        .route("/scorecards/{id}/edit", get(edit_form).post(edit_submit))
        .route("/scorecards/{id}/delete", post(delete_submit))
}

/// Item rows on the form.
const ROWS: usize = 10;

fn page_err(locale: Locale) -> impl Fn(AppError) -> PageError {
    move |e| PageError(e, locale)
}

fn ctx_of(st: &AppState, req: &Req) -> Result<Ctx, PageError> {
    req.ctx(st.now_ms()).map_err(page_err(req.locale()))
}

fn num_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(AppError::NotFound, locale))
}

fn t(locale: Locale, key: &str) -> String {
    ui::t(locale, key).to_string()
}

fn name(locale: Locale, en: &str, zh: Option<&str>) -> String {
    match (locale, zh.filter(|z| !z.trim().is_empty())) {
        (Locale::ZhCn, Some(z)) => z.to_string(),
        _ => en.to_string(),
    }
}

fn fmt(x: Option<f64>) -> String {
    x.map_or_else(
        || "—".into(),
        |v| {
            if v.fract() == 0.0 && v.abs() < 1e15 {
                format!("{}", v as i64)
            } else {
                format!("{v:.2}")
            }
        },
    )
}

fn scope_label(locale: Locale, l: Level) -> String {
    t(locale, &format!("scorecards.scope_{}", l.as_str()))
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub scope: String,
    pub whom: String,
    pub kpis: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecards/list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    next: Option<String>,
    can_create: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Cursor {
    cursor: String,
    period: String,
}

async fn list_page(
    State(st): State<AppState>,
    req: Req,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let q: Cursor = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let p = service::list(&st.db, &ctx, Some(&q.cursor), None)
        .await
        .map_err(page_err(locale))?;
    let rows = p
        .items
        .iter()
        .map(|s| Row {
            id: s.id,
            name: s.name.clone(),
            scope: scope_label(locale, s.scope),
            whom: s
                .person_name
                .clone()
                .or_else(|| s.department_name.clone())
                .unwrap_or_default(),
            kpis: s.items.len(),
        })
        .collect();
    let chrome = notify::chrome(&st, &req, "/scorecards", "scorecards.title", "/scorecards").await;
    Ok(ListPage {
        chrome,
        rows,
        next: p.next_cursor.map(|c| format!("/scorecards?cursor={c}")),
        can_create: matches!(ctx.actor.role, Role::Admin | Role::Manager),
    }
    .into_response())
}

pub struct ItemView {
    pub kpi_id: i64,
    pub code: String,
    pub name: String,
    pub unit: String,
    pub weight: String,
    pub period: String,
    pub value: String,
    pub target: String,
    pub achievement: String,
    pub status: String,
    pub status_label: String,
    pub points: String,
}

pub struct HistoryView {
    pub period: String,
    pub score: String,
    pub coverage: i64,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecards/report.html")]
struct ReportPage {
    chrome: Chrome,
    id: i64,
    version: i64,
    name: String,
    scope: String,
    whom: String,
    period: String,
    period_error: Option<String>,
    score: String,
    coverage: i64,
    items: Vec<ItemView>,
    history: Vec<HistoryView>,
    can_edit: bool,
    notice: Option<String>,
}

async fn report_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let raw = raw.unwrap_or_default();
    let q: Cursor = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let (rep, period_error) = match service::report(&st.db, &ctx, id, Some(&q.period)).await {
        Ok(r) => (r, None),
        Err(AppError::Validation(_)) => (
            service::report(&st.db, &ctx, id, None)
                .await
                .map_err(page_err(locale))?,
            Some(t(locale, "goals.error_invalid_cycle")),
        ),
        Err(e) => return Err(PageError(e, locale)),
    };
    let can_edit = service::can_edit(&st.db, &ctx, &rep.scorecard)
        .await
        .map_err(page_err(locale))?;
    let items = rep
        .result
        .items
        .iter()
        .map(|i| ItemView {
            kpi_id: i.kpi_id,
            code: i.kpi_code.clone(),
            name: name(locale, &i.kpi_name, i.kpi_name_zh.as_deref()),
            unit: i.unit.clone(),
            weight: fmt(Some(i.weight)),
            period: i.kpi_period.clone().unwrap_or_else(|| "—".into()),
            value: fmt(i.value),
            target: fmt(i.target),
            achievement: i
                .achievement
                .map_or_else(|| "—".into(), |a| format!("{a:.1} %")),
            status: i.status.clone().unwrap_or_else(|| "none".into()),
            status_label: t(
                locale,
                &format!(
                    "scorecards.status_{}",
                    i.status.as_deref().unwrap_or("none")
                ),
            ),
            points: fmt(i.points),
        })
        .collect();
    let current = rep.result.period.clone();
    let history = rep
        .history
        .iter()
        .map(|h| HistoryView {
            period: h.period.clone(),
            score: h.score.map_or_else(|| "—".into(), |s| format!("{s:.1} %")),
            coverage: (h.coverage * 100.0).round() as i64,
            current: h.period == current,
        })
        .collect();
    let s = &rep.scorecard;
    let here = format!("/scorecards/{id}?period={current}");
    let chrome = notify::chrome(&st, &req, "/scorecards", "scorecards.report", &here).await;
    Ok(ReportPage {
        chrome,
        id,
        version: s.version,
        name: s.name.clone(),
        scope: scope_label(locale, s.scope),
        whom: s
            .person_name
            .clone()
            .or_else(|| s.department_name.clone())
            .unwrap_or_default(),
        period: current,
        period_error,
        score: rep
            .result
            .score
            .map_or_else(|| "—".into(), |s| format!("{s:.1} %")),
        coverage: (rep.result.coverage * 100.0).round() as i64,
        items,
        history,
        can_edit,
        notice: raw
            .split('&')
            .any(|kv| kv == "saved=1")
            .then(|| t(locale, "goals.notice_saved")),
    }
    .into_response())
}

// ---------------------------------------------------------------- compose and edit

#[derive(Debug, Clone, Default)]
pub struct Form {
    pub name: String,
    pub scope: String,
    pub department_id: String,
    pub person_id: String,
    pub rows: Vec<(String, String)>,
    pub version: String,
    pub idem: String,
}

impl Form {
    fn parse(body: &[u8]) -> Form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(a, _)| a == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let kpis: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k == "kpi_id")
            .map(|(_, v)| v.clone())
            .collect();
        let weights: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k == "weight")
            .map(|(_, v)| v.clone())
            .collect();
        Form {
            name: get("name"),
            scope: get("scope"),
            department_id: get("department_id"),
            person_id: get("person_id"),
            rows: kpis
                .into_iter()
                .zip(weights.into_iter().chain(std::iter::repeat(String::new())))
                .collect(),
            version: get("version"),
            idem: get("idem"),
        }
    }

    /// The items of the filled rows; unreadable weights are named by row.
    fn items(&self, bad: &mut Vec<(String, String)>, locale: Locale) -> Vec<ItemInput> {
        let mut out = Vec::new();
        for (kpi, w) in &self.rows {
            let Ok(kpi_id) = kpi.trim().parse::<i64>() else {
                continue;
            };
            let weight = match w.trim() {
                "" => None,
                s => match s.replace(',', ".").parse::<f64>() {
                    Ok(x) => Some(x),
                    Err(_) => {
                        bad.push((
                            format!("items[{}].weight", out.len()),
                            t(locale, "error.invalid"),
                        ));
                        None
                    }
                },
            };
            out.push(ItemInput { kpi_id, weight });
        }
        out
    }
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct RowView {
    pub index: usize,
    pub kpis: Vec<Opt>,
    pub weight: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "scorecards/form.html")]
struct FormPage {
    chrome: Chrome,
    id: Option<i64>,
    action: String,
    form: Form,
    scopes: Vec<Opt>,
    departments: Vec<Opt>,
    people: Vec<Opt>,
    rows: Vec<RowView>,
    errors: Vec<(String, String)>,
    alert: Option<String>,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn render_form(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: Option<i64>,
    form: Form,
    errors: Vec<(String, String)>,
    alert: Option<String>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    let kpis = crate::kpi::service::list(
        &st.db,
        ctx,
        &crate::kpi::service::KpiFilter {
            limit: Some(kernel::page::MAX_LIMIT),
            ..Default::default()
        },
    )
    .await
    .map_err(&err)?
    .items;
    let filled: Vec<(String, String)> = form
        .rows
        .iter()
        .filter(|(k, _)| !k.trim().is_empty())
        .cloned()
        .collect();
    let rows = (0..ROWS.max(filled.len() + 2))
        .map(|i| {
            let (k, w) = filled.get(i).cloned().unwrap_or_default();
            RowView {
                index: i,
                kpis: kpis
                    .iter()
                    .map(|x| Opt {
                        value: x.id.to_string(),
                        label: format!(
                            "{} · {}",
                            x.code,
                            name(locale, &x.name, x.name_zh.as_deref())
                        ),
                        selected: x.id.to_string() == k,
                    })
                    .collect(),
                weight: w,
                error: errors
                    .iter()
                    .find(|(f, _)| f.starts_with(&format!("items[{i}]")))
                    .map(|(_, m)| m.clone()),
            }
        })
        .collect();
    let departments = team::service::tree(&st.db)
        .await
        .map_err(&err)?
        .into_iter()
        .map(|n| Opt {
            selected: n.department.id.to_string() == form.department_id,
            value: n.department.id.to_string(),
            label: format!(
                "{}{}",
                "\u{a0}\u{a0}".repeat(n.depth.max(0) as usize),
                n.department.name
            ),
        })
        .collect();
    let people = team::service::people_options(&st.db, ctx)
        .await
        .map_err(&err)?
        .into_iter()
        .map(|p| Opt {
            selected: p.id.to_string() == form.person_id,
            value: p.id.to_string(),
            label: work::pages::person_label(locale, &p.name, p.name_zh.as_deref()),
        })
        .collect();
    let scopes = Level::ALL
        .iter()
        .map(|l| Opt {
            value: l.as_str().into(),
            label: scope_label(locale, *l),
            selected: form.scope == l.as_str(),
        })
        .collect();
    let (action, key, here) = match id {
        Some(i) => (
            format!("/scorecards/{i}/edit"),
            "scorecards.edit",
            format!("/scorecards/{i}/edit"),
        ),
        None => (
            "/scorecards".to_string(),
            "scorecards.new",
            "/scorecards/new".to_string(),
        ),
    };
    let chrome = notify::chrome(st, req, "/scorecards", key, &here).await;
    let status = if errors.is_empty() && alert.is_none() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        FormPage {
            chrome,
            id,
            action,
            form,
            scopes,
            departments,
            people,
            rows,
            errors,
            alert,
        },
    )
        .into_response())
}

fn errors_of(locale: Locale, e: &AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(v) => v
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
            .collect(),
        _ => Vec::new(),
    }
}

async fn new_form(State(st): State<AppState>, req: Req) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    if !matches!(ctx.actor.role, Role::Admin | Role::Manager) {
        return Err(PageError(
            AppError::Forbidden("compose scorecards"),
            ctx.locale,
        ));
    }
    let form = Form {
        scope: "department".into(),
        department_id: ctx
            .actor
            .department_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
        idem: db::random_hex(16),
        ..Default::default()
    };
    render_form(&st, &req, &ctx, None, form, Vec::new(), None).await
}

async fn create_submit(
    State(st): State<AppState>,
    req: Req,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let form = Form::parse(&body);
    let mut bad = Vec::new();
    let items = form.items(&mut bad, locale);
    let input = ScorecardInput {
        name: form.name.clone(),
        scope: Level::parse(form.scope.trim()).unwrap_or(Level::Department),
        department_id: form.department_id.trim().parse().ok(),
        person_id: form.person_id.trim().parse().ok(),
        items,
    };
    if !bad.is_empty() {
        return render_form(&st, &req, &ctx, None, form, bad, None).await;
    }
    let key = Some(form.idem.clone()).filter(|k| !k.is_empty() && k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let mut r = service::create(&st.db, &ctx, &input, idem.as_ref()).await;
    if matches!(r, Err(AppError::IdempotencyMismatch)) {
        r = service::create(&st.db, &ctx, &input, None).await;
    }
    match r {
        Ok(s) => Ok(Redirect::to(&format!("/scorecards/{}?saved=1", s.id)).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = errors_of(locale, &e);
            render_form(&st, &req, &ctx, None, form, errors, None).await
        }
        Err(AppError::Forbidden(_)) => {
            let alert = Some(t(locale, "scorecards.forbidden_scope"));
            render_form(&st, &req, &ctx, None, form, Vec::new(), alert).await
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
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let s = service::get(&st.db, &ctx, id)
        .await
        .map_err(page_err(locale))?;
    if !service::can_edit(&st.db, &ctx, &s)
        .await
        .map_err(page_err(locale))?
    {
        return Err(PageError(
            AppError::Forbidden("change this scorecard"),
            locale,
        ));
    }
    let form = Form {
        name: s.name.clone(),
        scope: s.scope.as_str().into(),
        department_id: s.department_id.map(|d| d.to_string()).unwrap_or_default(),
        person_id: s.person_id.map(|d| d.to_string()).unwrap_or_default(),
        rows: s
            .items
            .iter()
            .map(|i| (i.kpi_id.to_string(), i.weight.to_string()))
            .collect(),
        version: s.version.to_string(),
        idem: String::new(),
    };
    render_form(&st, &req, &ctx, Some(id), form, Vec::new(), None).await
}

async fn edit_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let form = Form::parse(&body);
    let mut bad = Vec::new();
    let items = form.items(&mut bad, locale);
    if !bad.is_empty() {
        return render_form(&st, &req, &ctx, Some(id), form, bad, None).await;
    }
    let version = form.version.trim().parse::<i64>().unwrap_or(-1);
    let patch = ScorecardPatch {
        name: Some(form.name.clone()),
        items: Some(items),
    };
    match service::update(&st.db, &ctx, id, version, &patch).await {
        Ok(s) => Ok(Redirect::to(&format!("/scorecards/{}?saved=1", s.id)).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = errors_of(locale, &e);
            render_form(&st, &req, &ctx, Some(id), form, errors, None).await
        }
        Err(AppError::PreconditionFailed) => {
            let alert = Some(t(locale, "error.stale"));
            render_form(&st, &req, &ctx, Some(id), form, Vec::new(), alert).await
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

async fn delete_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let form = Form::parse(&body);
    let version = form.version.trim().parse::<i64>().unwrap_or(-1);
    match service::delete(&st.db, &ctx, id, version).await {
        Ok(()) => Ok(Redirect::to("/scorecards").into_response()),
        Err(AppError::PreconditionFailed) => {
            Ok(Redirect::to(&format!("/scorecards/{id}")).into_response())
        }
        Err(e) => Err(PageError(e, locale)),
    }
}
