//! Goal pages: the tree of a cycle (expand/collapse with details/summary, no script), "my
//! goals", a goal's detail with its key results, check-in forms and timeline, create/edit forms
//! (Post/Redirect/Get, the SMART check's errors at each field) and end-of-cycle scoring.
use super::model::{
    CheckInInput, ConfidenceScale, Cycle, CycleKind, Goal, GoalInput, GoalKind, GoalPatch, KrScore,
    Level, MeasureInput, ScoreInput,
};
use super::service::{self, GoalFilter};
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
        .route("/goals", get(tree_page).post(create_submit))
        .route("/goals/mine", get(mine_page))
        .route("/goals/new", get(new_form))
        .route("/goals/{id}", get(detail_page))
        .route("/goals/{id}/edit", get(edit_form).post(edit_submit))
        .route("/goals/{id}/delete", post(delete_submit))
        .route("/goals/{id}/key-results", post(add_kr_submit))
        .route(
            "/goals/{id}/key-results/{kr}/checkins",
            post(checkin_submit),
        )
        .route("/goals/{id}/score", post(score_submit))
}

// ---------------------------------------------------------------- helpers

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

/// `error.<code>`, else `goals.error_<code>`, else the generic message.
fn field_message(locale: Locale, code: &str) -> String {
    for k in [format!("error.{code}"), format!("goals.error_{code}")] {
        let s = ui::t(locale, &k);
        if s != k {
            return s.to_string();
        }
    }
    t(locale, "error.invalid")
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

fn find<'a>(errors: &'a Errors, field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

fn person_label(locale: Locale, name: &str, zh: Option<&str>) -> String {
    work::pages::person_label(locale, name, zh)
}

fn pct(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x:.2}")
    }
}

fn parse_num(c: &mut Vec<(String, &'static str)>, field: &str, v: &str) -> Option<f64> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    match v.replace(',', ".").parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            c.push((field.to_string(), "invalid"));
            None
        }
    }
}

fn opt_id(v: &str) -> Option<i64> {
    v.trim().parse().ok().filter(|n: &i64| *n > 0)
}

/// The current quarter's label, the default cycle.
fn current_cycle(ctx: &Ctx) -> String {
    Cycle::containing(CycleKind::Quarterly, service::today_of(ctx.now_ms)).label
}

pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt {
        value: value.into(),
        label: label.into(),
        selected,
    }
}

/// One goal as a row of the tree or a list.
pub struct GoalRow {
    pub id: i64,
    pub title: String,
    pub level: String,
    pub kind: String,
    pub owner: String,
    pub department: String,
    pub cycle: String,
    pub due: String,
    pub progress: i64,
    pub health: &'static str,
    pub health_label: String,
    pub score: Option<String>,
    pub krs: usize,
    pub has_children: bool,
    /// How many open branches end after this row.
    pub closes: Vec<()>,
}

fn row(locale: Locale, g: &Goal) -> GoalRow {
    GoalRow {
        id: g.id,
        title: g.title.clone(),
        level: t(locale, &format!("goals.level_{}", g.level.as_str())),
        kind: t(locale, &format!("goals.kind_{}", g.kind.as_str())),
        owner: person_label(locale, &g.owner_name, g.owner_name_zh.as_deref()),
        department: g.department_name.clone().unwrap_or_default(),
        cycle: g.cycle.clone(),
        due: g.due_date.clone(),
        progress: pct(g.progress),
        health: g.health.as_str(),
        health_label: t(locale, &format!("goals.health_{}", g.health.as_str())),
        score: g.score.map(|s| format!("{s:.2}")),
        krs: g.key_results.len(),
        has_children: false,
        closes: Vec::new(),
    }
}

// ---------------------------------------------------------------- tree and my goals

#[derive(Template, WebTemplate)]
#[template(path = "goals/tree.html")]
struct TreePage {
    chrome: Chrome,
    cycle: String,
    cycle_error: Option<String>,
    cycles: Vec<Opt>,
    rows: Vec<GoalRow>,
    can_create: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TreeQuery {
    cycle: String,
}

/// Cycles to offer: this year's quarters and the year, plus the current month (any label can
/// also be typed into the URL).
fn cycle_opts(ctx: &Ctx, current: &str) -> Vec<Opt> {
    let today = service::today_of(ctx.now_ms);
    let y = today.year();
    let mut labels: Vec<String> = (1..=4).map(|q| format!("{y}-Q{q}")).collect();
    labels.push(format!("{y}"));
    labels.push(Cycle::containing(CycleKind::Bimonthly, today).label);
    labels.push(Cycle::containing(CycleKind::Monthly, today).label);
    labels.push(format!("{}-Q1", y + 1));
    if !labels.iter().any(|l| l == current) {
        labels.push(current.to_string());
    }
    labels
        .into_iter()
        .map(|l| {
            let sel = l == current;
            opt(l.clone(), l, sel)
        })
        .collect()
}

async fn tree_page(
    State(st): State<AppState>,
    req: Req,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let q: TreeQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let mut cycle = q.cycle.trim().to_string();
    let mut cycle_error = None;
    if cycle.is_empty() {
        cycle = current_cycle(&ctx);
    } else if Cycle::parse(&cycle).is_none() {
        cycle_error = Some(field_message(locale, "invalid_cycle"));
        cycle = current_cycle(&ctx);
    }
    let items = service::tree(&st.db, &ctx, &cycle)
        .await
        .map_err(page_err(locale))?;
    let mut rows: Vec<GoalRow> = Vec::with_capacity(items.len());
    for (i, it) in items.iter().enumerate() {
        let mut r = row(locale, &it.goal);
        r.has_children = it.children > 0;
        if !r.has_children {
            let next = items.get(i + 1).map_or(0, |n| n.depth);
            r.closes = vec![(); it.depth.saturating_sub(next)];
        }
        rows.push(r);
    }
    let here = format!("/goals?cycle={cycle}");
    let chrome = notify::chrome(&st, &req, "/goals", "goals.title", &here).await;
    Ok(TreePage {
        chrome,
        cycles: cycle_opts(&ctx, &cycle),
        cycle,
        cycle_error,
        rows,
        can_create: ctx.actor.role != Role::Viewer,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "goals/mine.html")]
struct MinePage {
    chrome: Chrome,
    rows: Vec<GoalRow>,
    next: Option<String>,
    can_create: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MineQuery {
    cursor: String,
}

async fn mine_page(
    State(st): State<AppState>,
    req: Req,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let q: MineQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let f = GoalFilter {
        mine: Some(true),
        cursor: Some(q.cursor).filter(|c| !c.is_empty()),
        ..Default::default()
    };
    let page = service::list(&st.db, &ctx, &f)
        .await
        .map_err(page_err(locale))?;
    let chrome = notify::chrome(&st, &req, "/goals", "goals.mine", "/goals/mine").await;
    Ok(MinePage {
        chrome,
        rows: page.items.iter().map(|g| row(locale, g)).collect(),
        next: page.next_cursor.map(|c| format!("/goals/mine?cursor={c}")),
        can_create: ctx.actor.role != Role::Viewer,
    }
    .into_response())
}

// ---------------------------------------------------------------- detail

pub struct KrView {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub metric: String,
    pub unit: String,
    pub start: String,
    pub target: String,
    pub current: String,
    pub weight: String,
    pub progress: i64,
    pub health: &'static str,
    pub health_label: String,
    pub confidence: Option<i64>,
    pub kpi: Option<i64>,
    pub score: Option<String>,
    pub can_check_in: bool,
}

pub struct CheckInView {
    pub at: String,
    pub week: String,
    pub kr: String,
    pub value: String,
    pub progress: i64,
    pub confidence: i64,
    pub note: String,
    pub author: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "goals/detail.html")]
struct DetailPage {
    chrome: Chrome,
    g: GoalRow,
    version: i64,
    description: Vec<String>,
    parent: Option<(i64, String)>,
    period: String,
    state_label: String,
    locked: bool,
    krs: Vec<KrView>,
    timeline: Vec<CheckInView>,
    can_edit: bool,
    can_score: bool,
    score_due: bool,
    is_smart: bool,
    people: Vec<Opt>,
    /// Which form the errors belong to: `kr`, `checkin-<id>` or `score`.
    form: String,
    errors: Errors,
    kr_form: KrForm,
    /// A fresh Idempotency-Key for the add-key-result form (a double submit adds one).
    kr_idem: String,
    notice: Option<String>,
    alert: Option<String>,
}

impl DetailPage {
    fn err(&self, form: &str, field: &str) -> Option<&str> {
        if self.form == form {
            find(&self.errors, field)
        } else {
            None
        }
    }
}

async fn people_opts(st: &AppState, ctx: &Ctx, current: Option<i64>) -> Result<Vec<Opt>, AppError> {
    let people = team::service::people_options(&st.db, ctx).await?;
    Ok(people
        .into_iter()
        .map(|p| {
            let label = person_label(ctx.locale, &p.name, p.name_zh.as_deref());
            opt(p.id.to_string(), label, Some(p.id) == current)
        })
        .collect())
}

struct Failed {
    form: String,
    errors: Errors,
    kr_form: KrForm,
    alert: Option<String>,
}

async fn render_detail(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    failed: Option<Failed>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    let g = service::get(&st.db, ctx, id).await.map_err(&err)?;
    let rights = service::rights(&st.db, ctx, &g).await.map_err(&err)?;
    let parent = match g.parent_id {
        Some(p) => service::get(&st.db, ctx, p)
            .await
            .ok()
            .map(|pg| (pg.id, pg.title)),
        None => None,
    };
    let hist = service::checkins(&st.db, ctx, id).await.map_err(&err)?;
    let kr_title = |kid: i64| {
        g.key_results
            .iter()
            .find(|k| k.id == kid)
            .map(|k| k.title.clone())
            .unwrap_or_default()
    };
    let timeline = hist
        .iter()
        .map(|c| CheckInView {
            at: kernel::dates::format_instant(c.created_at, service::OFFSET_HOURS),
            week: c.week.clone(),
            kr: kr_title(c.key_result_id),
            value: num(c.value),
            progress: pct(c.progress),
            confidence: c.confidence,
            note: c.note.clone().unwrap_or_default(),
            author: c.author.clone().unwrap_or_default(),
        })
        .collect();
    let me = ctx.actor.person_id;
    let krs = g
        .key_results
        .iter()
        .map(|k| KrView {
            id: k.id,
            title: k.title.clone(),
            owner: person_label(locale, &k.owner_name, k.owner_name_zh.as_deref()),
            metric: k.metric.clone(),
            unit: k.unit.clone(),
            start: num(k.start_value),
            target: num(k.target_value),
            current: num(k.current_value),
            weight: num(k.weight),
            progress: pct(k.progress),
            health: k.health.as_str(),
            health_label: t(locale, &format!("goals.health_{}", k.health.as_str())),
            confidence: k.confidence,
            kpi: k.kpi_id,
            score: k.score.map(|s| format!("{s:.2}")),
            can_check_in: !g.locked()
                && ctx.actor.role != Role::Viewer
                && (rights.check_in_all || (me.is_some() && Some(k.owner_id) == me)),
        })
        .collect();
    let today = kernel::dates::format_date(service::today_of(ctx.now_ms));
    let failed = failed.unwrap_or(Failed {
        form: String::new(),
        errors: Vec::new(),
        kr_form: KrForm::default(),
        alert: None,
    });
    let people = people_opts(
        st,
        ctx,
        opt_id(&failed.kr_form.owner_id).or(Some(g.owner_id)),
    )
    .await
    .map_err(&err)?;
    let status = if failed.errors.is_empty() && failed.alert.is_none() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let here = format!("/goals/{id}");
    let chrome = notify::chrome(st, req, "/goals", "goals.detail", &here).await;
    let page = DetailPage {
        chrome,
        version: g.version,
        description: g
            .description
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        parent,
        period: format!("{} – {}", g.period_start, g.period_end),
        state_label: t(locale, &format!("goals.state_{}", g.state.as_str())),
        locked: g.locked(),
        krs,
        timeline,
        can_edit: rights.edit,
        can_score: rights.score,
        score_due: today >= g.due_date,
        is_smart: g.kind == GoalKind::Smart,
        people,
        form: failed.form,
        errors: failed.errors,
        kr_form: failed.kr_form,
        kr_idem: db::random_hex(16),
        notice,
        alert: failed.alert,
        g: row(locale, &g),
    };
    Ok((status, page).into_response())
}

async fn detail_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let raw = raw.unwrap_or_default();
    let notice = ["saved", "checked_in", "scored"]
        .into_iter()
        .find(|k| raw.split('&').any(|kv| kv == format!("{k}=1")))
        .map(|k| t(locale, &format!("goals.notice_{k}")));
    render_detail(&st, &req, &ctx, id, None, notice).await
}

// ---------------------------------------------------------------- key results, check-ins, score

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct KrForm {
    pub title: String,
    pub owner_id: String,
    pub metric: String,
    pub unit: String,
    pub start_value: String,
    pub target_value: String,
    pub weight: String,
    pub idem: String,
}

impl KrForm {
    fn parse(&self, bad: &mut Vec<(String, &'static str)>) -> MeasureInput {
        MeasureInput {
            title: Some(self.title.clone()),
            owner_id: opt_id(&self.owner_id),
            metric: self.metric.clone(),
            unit: self.unit.clone(),
            start_value: parse_num(bad, "start_value", &self.start_value).unwrap_or(0.0),
            target_value: parse_num(bad, "target_value", &self.target_value).unwrap_or(0.0),
            current_value: None,
            weight: parse_num(bad, "weight", &self.weight),
            kpi_id: None,
        }
    }
}

fn merge_errors(locale: Locale, bad: Vec<(String, &'static str)>, e: Option<&AppError>) -> Errors {
    let mut out: Errors = bad
        .into_iter()
        .map(|(f, c)| (f, field_message(locale, c)))
        .collect();
    if let Some(e) = e {
        for (f, m) in errors_of(locale, e) {
            if !out.iter().any(|(of, _)| *of == f) {
                out.push((f, m));
            }
        }
    }
    out
}

/// A refused write on the detail page: validation and lock errors are shown in place.
/// The form a refused write came from: its key, unreadable fields and values to show back.
struct Attempt {
    form: String,
    bad: Vec<(String, &'static str)>,
    kr_form: KrForm,
}

fn attempt(form: &str, bad: Vec<(String, &'static str)>, kr_form: KrForm) -> Attempt {
    Attempt {
        form: form.to_string(),
        bad,
        kr_form,
    }
}

async fn show_failure(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    a: Attempt,
    e: AppError,
) -> Result<Response, PageError> {
    let Attempt { form, bad, kr_form } = a;
    let locale = ctx.locale;
    let alert = match &e {
        AppError::Validation(_) => None,
        AppError::Conflict(m) => Some(m.clone()),
        AppError::PreconditionFailed => Some(t(locale, "error.stale")),
        _ => return Err(PageError(e, locale)),
    };
    let failed = Failed {
        form,
        errors: merge_errors(locale, bad, Some(&e)),
        kr_form,
        alert,
    };
    render_detail(st, req, ctx, id, Some(failed), None).await
}

async fn add_kr_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let form: KrForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut bad = Vec::new();
    let input = form.parse(&mut bad);
    let key = Some(form.idem.clone()).filter(|k| !k.is_empty() && k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let mut result = if bad.is_empty() {
        service::add_key_result(&st.db, &ctx, id, &input, idem.as_ref()).await
    } else {
        Err(AppError::Validation(Vec::new()))
    };
    if matches!(result, Err(AppError::IdempotencyMismatch)) {
        result = service::add_key_result(&st.db, &ctx, id, &input, None).await;
    }
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?saved=1")).into_response()),
        Err(e) => show_failure(&st, &req, &ctx, id, attempt("kr", bad, form), e).await,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct CheckInForm {
    value: String,
    confidence: String,
    scale: String,
    note: String,
}

async fn checkin_submit(
    State(st): State<AppState>,
    req: Req,
    Path((id, kr)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let kr = num_id(&kr, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let form: CheckInForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut bad = Vec::new();
    let value = parse_num(&mut bad, "value", &form.value);
    let confidence = parse_num(&mut bad, "confidence", &form.confidence);
    if confidence.is_none() && !bad.iter().any(|(f, _)| f == "confidence") {
        bad.push(("confidence".into(), "required"));
    }
    let input = CheckInInput {
        value,
        confidence: confidence.unwrap_or(-1.0),
        confidence_scale: if form.scale == "ten" {
            ConfidenceScale::Ten
        } else {
            ConfidenceScale::Percent
        },
        note: Some(form.note.clone()).filter(|n| !n.trim().is_empty()),
    };
    // The goal in the URL must be the key result's: a mismatched pair is a missing page.
    let g = service::get(&st.db, &ctx, id)
        .await
        .map_err(page_err(locale))?;
    if !g.key_results.iter().any(|k| k.id == kr) {
        return Err(PageError(AppError::NotFound, locale));
    }
    let result = if bad.is_empty() {
        service::check_in(&st.db, &ctx, kr, &input)
            .await
            .map(|_| ())
    } else {
        Err(AppError::Validation(Vec::new()))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/goals/{id}?checked_in=1")).into_response()),
        Err(e) => {
            let form_key = format!("checkin-{kr}");
            show_failure(
                &st,
                &req,
                &ctx,
                id,
                attempt(&form_key, bad, KrForm::default()),
                e,
            )
            .await
        }
    }
}

async fn score_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut bad = Vec::new();
    let mut version = None;
    let mut scores = Vec::new();
    for (k, v) in &pairs {
        if k == "version" {
            version = v.trim().parse::<i64>().ok();
        } else if let Some(kr) = k.strip_prefix("score_").and_then(|s| s.parse::<i64>().ok())
            && let Some(s) = parse_num(&mut bad, k, v)
        {
            scores.push(KrScore {
                key_result_id: kr,
                score: s,
            });
        }
    }
    let input = ScoreInput {
        key_results: scores,
    };
    let result = match version {
        Some(v) if bad.is_empty() => service::score(&st.db, &ctx, id, v, &input).await,
        Some(_) => Err(AppError::Validation(Vec::new())),
        None => Err(AppError::PreconditionFailed),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?scored=1")).into_response()),
        Err(AppError::Validation(errs)) => {
            // Map `key_results[i].score` back to the form's `score_<kr id>` fields.
            let errs = errs
                .into_iter()
                .map(|mut e| {
                    if let Some(i) = e
                        .field
                        .strip_prefix("key_results[")
                        .and_then(|r| r.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok())
                        && let Some(s) = input.key_results.get(i)
                    {
                        e.field = format!("score_{}", s.key_result_id);
                    }
                    e
                })
                .collect();
            show_failure(
                &st,
                &req,
                &ctx,
                id,
                attempt("score", bad, KrForm::default()),
                AppError::Validation(errs),
            )
            .await
        }
        Err(e) => {
            show_failure(
                &st,
                &req,
                &ctx,
                id,
                attempt("score", bad, KrForm::default()),
                e,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- create and edit

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GoalForm {
    pub level: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub owner_id: String,
    pub department_id: String,
    pub parent_id: String,
    pub cycle: String,
    pub due_date: String,
    pub metric: String,
    pub unit: String,
    pub start_value: String,
    pub target_value: String,
    pub version: String,
    pub idem: String,
}

impl GoalForm {
    fn input(&self, bad: &mut Vec<(String, &'static str)>) -> GoalInput {
        let level = Level::parse(self.level.trim()).unwrap_or_else(|| {
            bad.push(("level".into(), "invalid"));
            Level::Person
        });
        let kind = GoalKind::parse(self.kind.trim()).unwrap_or_else(|| {
            bad.push(("kind".into(), "invalid"));
            GoalKind::Objective
        });
        let measure = (kind == GoalKind::Smart).then(|| MeasureInput {
            title: None,
            owner_id: None,
            metric: self.metric.clone(),
            unit: self.unit.clone(),
            start_value: parse_num(bad, "measure.start_value", &self.start_value).unwrap_or(0.0),
            target_value: parse_num(bad, "measure.target_value", &self.target_value).unwrap_or(0.0),
            current_value: None,
            weight: None,
            kpi_id: None,
        });
        GoalInput {
            level,
            kind,
            title: self.title.clone(),
            description: Some(self.description.clone()).filter(|d| !d.trim().is_empty()),
            owner_id: opt_id(&self.owner_id),
            department_id: opt_id(&self.department_id),
            parent_id: opt_id(&self.parent_id),
            cycle: self.cycle.clone(),
            due_date: Some(self.due_date.clone()).filter(|d| !d.trim().is_empty()),
            measure,
        }
    }

    fn patch(&self) -> GoalPatch {
        GoalPatch {
            title: Some(self.title.clone()),
            description: Some(Some(self.description.clone()).filter(|d| !d.trim().is_empty())),
            owner_id: opt_id(&self.owner_id),
            parent_id: Some(opt_id(&self.parent_id)),
            due_date: Some(self.due_date.clone()),
        }
    }

    fn of_goal(g: &Goal) -> Self {
        GoalForm {
            level: g.level.as_str().into(),
            kind: g.kind.as_str().into(),
            title: g.title.clone(),
            description: g.description.clone().unwrap_or_default(),
            owner_id: g.owner_id.to_string(),
            department_id: g.department_id.map(|d| d.to_string()).unwrap_or_default(),
            parent_id: g.parent_id.map(|d| d.to_string()).unwrap_or_default(),
            cycle: g.cycle.clone(),
            due_date: g.due_date.clone(),
            version: g.version.to_string(),
            ..Default::default()
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "goals/form.html")]
struct FormPage {
    chrome: Chrome,
    id: Option<i64>,
    action: String,
    cancel_href: String,
    form: GoalForm,
    levels: Vec<Opt>,
    kinds: Vec<Opt>,
    people: Vec<Opt>,
    departments: Vec<Opt>,
    parents: Vec<Opt>,
    errors: Errors,
    alert: Option<String>,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<&str> {
        find(&self.errors, field)
    }
}

async fn render_form(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: Option<i64>,
    form: GoalForm,
    errors: Errors,
    alert: Option<String>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    let people = people_opts(st, ctx, opt_id(&form.owner_id))
        .await
        .map_err(&err)?;
    let dept = opt_id(&form.department_id);
    let departments = team::service::tree(&st.db)
        .await
        .map_err(&err)?
        .into_iter()
        .map(|n| {
            let label = format!(
                "{}{}",
                "\u{a0}\u{a0}".repeat(n.depth.max(0) as usize),
                n.department.name
            );
            opt(
                n.department.id.to_string(),
                label,
                Some(n.department.id) == dept,
            )
        })
        .collect();
    // Parents: the visible company and department goals of the form's cycle.
    let cycle = Some(form.cycle.trim().to_string())
        .filter(|c| Cycle::parse(c).is_some())
        .unwrap_or_else(|| current_cycle(ctx));
    let parent = opt_id(&form.parent_id);
    let mut parents = Vec::new();
    for it in service::tree(&st.db, ctx, &cycle).await.map_err(&err)? {
        if it.goal.level == Level::Person || Some(it.goal.id) == id {
            continue;
        }
        let label = format!(
            "{}{} · {}",
            "\u{a0}\u{a0}".repeat(it.depth),
            it.goal.title,
            t(locale, &format!("goals.level_{}", it.goal.level.as_str()))
        );
        parents.push(opt(
            it.goal.id.to_string(),
            label,
            Some(it.goal.id) == parent,
        ));
    }
    let levels = Level::ALL
        .iter()
        .map(|l| {
            opt(
                l.as_str(),
                t(locale, &format!("goals.level_{}", l.as_str())),
                form.level == l.as_str(),
            )
        })
        .collect();
    let kinds = GoalKind::ALL
        .iter()
        .map(|k| {
            opt(
                k.as_str(),
                t(locale, &format!("goals.kind_{}", k.as_str())),
                form.kind == k.as_str(),
            )
        })
        .collect();
    let (action, cancel_href, title_key, here) = match id {
        Some(i) => (
            format!("/goals/{i}/edit"),
            format!("/goals/{i}"),
            "goals.edit",
            format!("/goals/{i}/edit"),
        ),
        None => (
            "/goals".to_string(),
            "/goals".to_string(),
            "goals.new",
            "/goals/new".to_string(),
        ),
    };
    let chrome = notify::chrome(st, req, "/goals", title_key, &here).await;
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
        form,
        levels,
        kinds,
        people,
        departments,
        parents,
        errors,
        alert,
    };
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    parent_id: String,
    level: String,
    cycle: String,
}

async fn new_form(
    State(st): State<AppState>,
    req: Req,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    if ctx.actor.role == Role::Viewer {
        return Err(PageError(AppError::Forbidden("create goals"), ctx.locale));
    }
    let q: NewQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let form = GoalForm {
        level: Some(q.level)
            .filter(|l| Level::parse(l).is_some())
            .unwrap_or_else(|| "person".into()),
        kind: "objective".into(),
        owner_id: ctx
            .actor
            .person_id
            .map(|p| p.to_string())
            .unwrap_or_default(),
        department_id: ctx
            .actor
            .department_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
        parent_id: q.parent_id,
        cycle: Some(q.cycle)
            .filter(|c| Cycle::parse(c).is_some())
            .unwrap_or_else(|| current_cycle(&ctx)),
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
    let form: GoalForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let mut bad = Vec::new();
    let input = form.input(&mut bad);
    let key = Some(form.idem.clone()).filter(|k| !k.is_empty() && k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    // Unreadable numbers are shown back without writing anything.
    let mut result = if bad.is_empty() {
        service::create(&st.db, &ctx, &input, idem.as_ref()).await
    } else {
        Err(AppError::Validation(Vec::new()))
    };
    if matches!(result, Err(AppError::IdempotencyMismatch)) {
        // The same form (browser Back) sent again with other values: the user means a new goal.
        result = service::create(&st.db, &ctx, &input, None).await;
    }
    match result {
        Ok(g) => Ok(Redirect::to(&format!("/goals/{}?saved=1", g.id)).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = merge_errors(locale, bad, Some(&e));
            render_form(&st, &req, &ctx, None, form, errors, None).await
        }
        Err(AppError::Forbidden(_)) => {
            let errors = vec![(
                "owner_id".to_string(),
                field_message(locale, "forbidden_owner"),
            )];
            render_form(&st, &req, &ctx, None, form, errors, None).await
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
    let g = service::get(&st.db, &ctx, id)
        .await
        .map_err(page_err(locale))?;
    if !service::rights(&st.db, &ctx, &g)
        .await
        .map_err(page_err(locale))?
        .edit
    {
        return Err(PageError(AppError::Forbidden("edit this goal"), locale));
    }
    render_form(
        &st,
        &req,
        &ctx,
        Some(id),
        GoalForm::of_goal(&g),
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
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let form: GoalForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let Ok(version) = form.version.trim().parse::<i64>() else {
        let alert = Some(t(locale, "error.stale"));
        return render_form(&st, &req, &ctx, Some(id), form, Vec::new(), alert).await;
    };
    match service::update(&st.db, &ctx, id, version, &form.patch()).await {
        Ok(g) => Ok(Redirect::to(&format!("/goals/{}?saved=1", g.id)).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = errors_of(locale, &e);
            render_form(&st, &req, &ctx, Some(id), form, errors, None).await
        }
        Err(AppError::PreconditionFailed) => {
            let alert = Some(t(locale, "error.stale"));
            render_form(&st, &req, &ctx, Some(id), form, Vec::new(), alert).await
        }
        Err(AppError::Conflict(m)) => {
            render_form(&st, &req, &ctx, Some(id), form, Vec::new(), Some(m)).await
        }
        Err(e) => Err(PageError(e, locale)),
    }
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
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let form: DeleteForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let version = form.version.trim().parse::<i64>().unwrap_or(-1);
    match service::delete(&st.db, &ctx, id, version).await {
        Ok(()) => Ok(Redirect::to("/goals").into_response()),
        Err(e @ (AppError::Conflict(_) | AppError::PreconditionFailed)) => {
            show_failure(
                &st,
                &req,
                &ctx,
                id,
                attempt("delete", Vec::new(), KrForm::default()),
                e,
            )
            .await
        }
        Err(e) => Err(PageError(e, locale)),
    }
}
