//! `/capacity/*`: the workload heat map, the working calendar (view and import) and leave.
use crate::capacity::model::{CalendarDay, LEAVE_KINDS, Leave, LeaveInput, LeavePatch, Workload};
use crate::capacity::service;
use crate::web::{PageResult, back, ctx_of, form_message, here, opt_i64, opt_text};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/capacity/workload", get(workload_page))
        .route(
            "/capacity/calendar",
            get(calendar_page).post(calendar_import),
        )
        .route("/capacity/leaves", get(leaves_page).post(leave_create))
        .route("/capacity/leaves/delete", post(leave_delete))
        .route("/capacity/leaves/{id}/edit", get(leave_edit_page))
        .route("/capacity/leaves/{id}", post(leave_update))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Flash {
    saved: Option<String>,
    error: Option<String>,
}

// ---------------------------------------------------------------- workload

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WorkloadParams {
    department_id: String,
    from: String,
    weeks: String,
    cursor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "capacity/workload.html")]
struct WorkloadPage {
    chrome: Chrome,
    w: Workload,
    departments: Vec<(i64, String, bool)>,
    p: WorkloadParams,
    next_url: Option<String>,
}

impl WorkloadPage {
    /// The heat class of a cell: 0 (idle) … 4 (full), or `over`.
    fn heat(&self, c: &crate::capacity::model::WeekCell) -> &'static str {
        if c.over {
            return "heat over";
        }
        match c.load {
            None => "heat over",
            Some(l) if l <= 0.0 => "heat h0",
            Some(l) if l < 0.5 => "heat h1",
            Some(l) if l < 0.8 => "heat h2",
            Some(l) if l < 1.0 => "heat h3",
            Some(_) => "heat h4",
        }
    }
    fn hours(&self, h: &f64) -> String {
        let r = (h * 10.0).round() / 10.0;
        if r.fract() == 0.0 {
            format!("{r:.0}")
        } else {
            format!("{r:.1}")
        }
    }
}

async fn workload_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(p): Query<WorkloadParams>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let dept = opt_i64(&p.department_id).ok().flatten();
    let weeks = opt_i64(&p.weeks)
        .ok()
        .flatten()
        .map(|w| w.clamp(1, service::MAX_WEEKS));
    let from = opt_text(&p.from);
    let w = service::workload(
        &st.db,
        &ctx,
        dept,
        from.as_deref(),
        weeks,
        opt_text(&p.cursor).as_deref(),
        Some(100),
    )
    .await
    .map_err(pe)?;
    let next_url = w.next_cursor.as_ref().map(|c| {
        format!(
            "/capacity/workload?department_id={}&from={}&weeks={}&cursor={}",
            p.department_id,
            crate::web::urlencode(&p.from),
            p.weeks,
            crate::web::urlencode(c)
        )
    });
    let departments = crate::service::tree(&st.db)
        .await
        .map_err(pe)?
        .into_iter()
        .map(|n| {
            (
                n.department.id,
                format!("{}{}", "　".repeat(n.depth as usize), n.department.name),
                Some(n.department.id) == dept,
            )
        })
        .collect();
    let chrome = notify::chrome(
        &st,
        &req,
        "/capacity/workload",
        "capacity.workload",
        &here(&uri),
    )
    .await;
    Ok(WorkloadPage {
        chrome,
        w,
        departments,
        p,
        next_url,
    }
    .into_response())
}

// ---------------------------------------------------------------- calendar

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CalendarParams {
    year: String,
    saved: Option<String>,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "capacity/calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    year: i32,
    days: Vec<CalendarDay>,
    can_import: bool,
    flash: Flash,
}

async fn calendar_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(p): Query<CalendarParams>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let year = p
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| service::today(&ctx).year());
    let days = service::calendar(&st.db, &ctx, year).await.map_err(pe)?;
    let chrome = notify::chrome(
        &st,
        &req,
        "/capacity/workload",
        "capacity.calendar",
        &here(&uri),
    )
    .await;
    Ok(CalendarPage {
        chrome,
        year,
        days,
        can_import: ctx.actor.can_manage_calendar(),
        flash: Flash {
            saved: p.saved,
            error: p.error,
        },
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ImportForm {
    json: String,
}

async fn calendar_import(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<ImportForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    match service::import_calendar(&st.db, &ctx, &f.json).await {
        Ok(s) => Ok(back(
            &format!("/capacity/calendar?year={}", s.year),
            Ok("imported"),
        )),
        Err(e) => Ok(back("/capacity/calendar", Err(form_message(locale, e)?))),
    }
}

// ---------------------------------------------------------------- leave

#[derive(Template, WebTemplate)]
#[template(path = "capacity/leaves.html")]
struct LeavesPage {
    chrome: Chrome,
    leaves: Vec<Leave>,
    next_url: Option<String>,
    own_person: Option<i64>,
    /// Whom the caller may record leave for (yourself first).
    people: Vec<(i64, String)>,
    kinds: &'static [&'static str],
    flash: Flash,
}

impl LeavesPage {
    fn is_me(&self, id: &i64) -> bool {
        self.own_person == Some(*id)
    }

    fn kind(&self, k: &str) -> &'static str {
        self.chrome.t(&format!("capacity.leave_{k}"))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LeaveParams {
    cursor: String,
    saved: Option<String>,
    error: Option<String>,
}

async fn leaves_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(p): Query<LeaveParams>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let page = service::list_leaves(
        &st.db,
        &ctx,
        None,
        None,
        None,
        opt_text(&p.cursor).as_deref(),
        Some(50),
    )
    .await
    .map_err(pe)?;
    let next_url = page
        .next_cursor
        .as_ref()
        .map(|c| format!("/capacity/leaves?cursor={}", crate::web::urlencode(c)));
    let chrome = notify::chrome(
        &st,
        &req,
        "/capacity/workload",
        "capacity.leaves",
        &here(&uri),
    )
    .await;
    Ok(LeavesPage {
        chrome,
        leaves: page.items,
        next_url,
        people: {
            let mut people = service::leave_people(&st.db, &ctx).await.map_err(pe)?;
            people.sort_by_key(|p| Some(p.0) != ctx.actor.person_id);
            people
        },
        own_person: ctx.actor.person_id,
        kinds: &LEAVE_KINDS,
        flash: Flash {
            saved: p.saved,
            error: p.error,
        },
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LeaveForm {
    person_id: String,
    start_date: String,
    end_date: String,
    kind: String,
    note: String,
}

async fn leave_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<LeaveForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let person_id = match opt_i64(&f.person_id) {
        Ok(Some(p)) => p,
        _ => ctx.actor.person_id.unwrap_or(0),
    };
    let input = LeaveInput {
        person_id,
        start_date: f.start_date,
        end_date: f.end_date,
        kind: f.kind,
        note: opt_text(&f.note),
    };
    match service::create_leave(&st.db, &ctx, &input).await {
        Ok(_) => Ok(back("/capacity/leaves", Ok("created"))),
        Err(e) => Ok(back("/capacity/leaves", Err(form_message(locale, e)?))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeleteForm {
    id: String,
    version: String,
}

async fn leave_delete(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<DeleteForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let id = f.id.trim().parse().unwrap_or(0);
    let version = f.version.trim().parse().unwrap_or(0);
    match service::delete_leave(&st.db, &ctx, id, version).await {
        Ok(()) => Ok(back("/capacity/leaves", Ok("removed"))),
        Err(e) => Ok(back("/capacity/leaves", Err(form_message(locale, e)?))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "capacity/leave_edit.html")]
struct LeaveEditPage {
    chrome: Chrome,
    l: Leave,
    kinds: &'static [&'static str],
    error: Option<String>,
}

impl LeaveEditPage {
    fn kind(&self, k: &str) -> &'static str {
        self.chrome.t(&format!("capacity.leave_{k}"))
    }
}

async fn render_leave_edit(
    st: &AppState,
    req: &Req,
    ctx: &kernel::Ctx,
    id: i64,
    sent: Option<Leave>,
    error: Option<String>,
) -> PageResult {
    let pe = |e| PageError(e, req.locale());
    let stored = service::get_leave(&st.db, ctx, id).await.map_err(pe)?;
    let mut chrome = notify::chrome(
        st,
        req,
        "/capacity/workload",
        "capacity.edit_leave",
        &format!("/capacity/leaves/{id}/edit"),
    )
    .await;
    chrome.title = format!(
        "{} · {}",
        chrome.t("capacity.edit_leave"),
        stored.person_name
    );
    let bad = error.is_some();
    let mut r = LeaveEditPage {
        chrome,
        l: sent.unwrap_or(stored),
        kinds: &LEAVE_KINDS,
        error,
    }
    .into_response();
    if bad {
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

async fn leave_edit_page(State(st): State<AppState>, req: Req, Path(id): Path<i64>) -> PageResult {
    let ctx = ctx_of(&st, &req)?;
    render_leave_edit(&st, &req, &ctx, id, None, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LeaveEditForm {
    version: String,
    start_date: String,
    end_date: String,
    kind: String,
    note: String,
}

async fn leave_update(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    Form(f): Form<LeaveEditForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let version = f.version.trim().parse().unwrap_or(0);
    let patch = LeavePatch {
        start_date: Some(f.start_date.clone()),
        end_date: Some(f.end_date.clone()),
        kind: Some(f.kind.clone()),
        note: Some(opt_text(&f.note)),
    };
    match service::update_leave(&st.db, &ctx, id, version, &patch).await {
        Ok(_) => Ok(back("/capacity/leaves", Ok("saved"))),
        Err(e) => {
            let msg = form_message(locale, e)?;
            let mut sent = service::get_leave(&st.db, &ctx, id)
                .await
                .map_err(|e| PageError(e, locale))?;
            sent.start_date = f.start_date;
            sent.end_date = f.end_date;
            sent.kind = f.kind;
            sent.note = opt_text(&f.note);
            sent.version = version;
            render_leave_edit(&st, &req, &ctx, id, Some(sent), Some(msg)).await
        }
    }
}
