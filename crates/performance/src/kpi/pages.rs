//! KPI pages: the library (filters, status of the latest period), the KPI page (chart with
//! target band and thresholds, 同比/环比, moving mean, anomalies explained, forecast with its
//! error, the data table, actions with before/after and the "open action" form), the
//! definition form, and year grids for targets and manual actuals. Every form works without
//! JavaScript; the chart is an ECharts option in a data attribute that `ui/assets/app.js` draws.
use crate::kpi::model::{
    Aggregation, Computed, Direction, Frequency, Kpi, KpiInput, KpiPatch, Rag, ThresholdMode, Unit,
    parse_scope, scope_str,
};
use crate::kpi::series::PeriodStatus;
use crate::kpi::service::{self, Action, ActionInput, KpiFilter, Overview, PointInput, TargetCell};
use analytics::{Granularity, Period};
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
use serde_json::json;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kpis", get(list_page).post(create_submit))
        .route("/kpis/new", get(new_form))
        .route("/kpis/{id}", get(detail_page))
        .route("/kpis/{id}/edit", get(edit_form).post(edit_submit))
        .route("/kpis/{id}/targets", get(targets_page).post(targets_submit))
        .route("/kpis/{id}/actuals", get(actuals_page).post(actuals_submit))
        .route("/kpis/{id}/actions", post(action_submit))
        .route("/kpis/{id}/history", get(history_page))
        .route("/kpis/{id}/delete", get(delete_confirm).post(delete_submit))
}

/// Daily KPIs show this many of the latest periods in the page's table (the API has them all).
const TABLE_DAYS: usize = 92;

// ---------------------------------------------------------------- helpers

fn page_err(locale: Locale) -> impl Fn(AppError) -> PageError {
    move |e| PageError(e, locale)
}

fn ctx_of(st: &AppState, req: &Req) -> Result<Ctx, PageError> {
    req.ctx(st.now_ms()).map_err(page_err(req.locale()))
}

fn kpi_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse().map_err(|_| PageError(AppError::NotFound, locale))
}

fn t(locale: Locale, key: &str) -> &'static str {
    ui::t(locale, key)
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

fn enum_opts(locale: Locale, prefix: &str, values: &[&'static str], current: &str) -> Vec<Opt> {
    values
        .iter()
        .map(|v| opt(*v, t(locale, &format!("kpi.{prefix}_{v}")), *v == current))
        .collect()
}

/// A number for people: 万/亿 in Chinese, thousands separators in English, at most 2 decimals.
pub fn fmt_num(locale: Locale, v: f64) -> String {
    let plain = |x: f64| -> String {
        let s = format!("{x:.2}");
        // 12.50 → 12.5, 12.00 → 12 (only decimals are trimmed).
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" { "0".into() } else { s.to_string() }
    };
    let a = v.abs();
    match locale {
        Locale::ZhCn if a >= 1e8 => format!("{}亿", plain(v / 1e8)),
        Locale::ZhCn if a >= 1e4 => format!("{}万", plain(v / 1e4)),
        Locale::ZhCn => plain(v),
        Locale::En => {
            let s = plain(v);
            let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
            let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
            let mut grouped = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            if frac.is_empty() {
                format!("{sign}{grouped}")
            } else {
                format!("{sign}{grouped}.{frac}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_diffs_targets_by_period_and_definitions_by_field() {
        let before = json!({"targets": [{"period": "2026-01", "target": 100.0},
                                        {"period": "2026-02", "target": 100.0}]});
        let after = json!({"targets": [{"period": "2026-02", "target": 120.0},
                                       {"period": "2026-03", "target": 90.0, "target_high": 110.0}]});
        let c = target_changes(Locale::En, Some(&before), Some(&after));
        let shown: Vec<String> = c
            .iter()
            .map(|c| format!("{}: {} → {}", c.label, c.old, c.new))
            .collect();
        assert_eq!(
            shown,
            [
                "2026-01: 100 → —",
                "2026-02: 100 → 120",
                "2026-03: — → 90 – 110"
            ]
        );
        let b = json!({"name": "Orders", "unit": "count", "amber_from": 5.0, "computed": null});
        let a = json!({"name": "Orders", "unit": "percent", "amber_from": 7.5,
                       "computed": "tasks_completed"});
        let labels: Vec<String> = definition_changes(Locale::En, Some(&b), Some(&a))
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert_eq!(labels, ["Unit", "Amber beyond", "Computed from opsdesk"]);
        let notes = point_notes(
            Locale::En,
            Some(
                &json!({"source": "manual", "result": {"inserted": 1, "updated": 0, "deleted": 0},
                         "points": [{"period": "2026-01", "value": 3.0}]}),
            ),
        );
        assert_eq!(
            notes,
            ["Source typed in: 1 new, 0 changed, 0 removed", "2026-01: 3"]
        );
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(fmt_num(Locale::En, 350.0), "350");
        assert_eq!(fmt_num(Locale::En, 1_234_567.5), "1,234,567.5");
        assert_eq!(fmt_num(Locale::En, -1200.0), "-1,200");
        assert_eq!(fmt_num(Locale::En, 0.126), "0.13");
        assert_eq!(fmt_num(Locale::En, 0.0), "0");
        assert_eq!(fmt_num(Locale::ZhCn, 350.0), "350");
        assert_eq!(fmt_num(Locale::ZhCn, 12_500.0), "1.25万");
        assert_eq!(fmt_num(Locale::ZhCn, 310_000_000.0), "3.1亿");
        assert_eq!(fmt_change(Some(-0.052)), "▼ 5.2 %");
    }

    #[test]
    fn grids_cover_the_year_in_the_kpis_periods() {
        let mut k: Kpi = serde_json::from_value(serde_json::json!({
            "id": 1, "code": "k", "name": "k", "name_zh": null, "description": null, "unit": "count",
            "direction": "higher", "aggregation": "sum", "frequency": "weekly", "scope": "company",
            "department_id": null, "department_name": null, "person_id": null, "person_name": null,
            "owner_person_id": null, "owner_name": null, "owner_name_zh": null, "formula": null,
            "computed": null, "threshold_mode": "percent", "amber_from": 0.0, "red_from": 10.0,
            "version": 1, "created_at": 0, "updated_at": 0
        }))
        .unwrap();
        let today = analytics::calendar::parse_ymd(b"2026-05-29").unwrap();
        let labels = |k: &Kpi, span: &str| -> Vec<String> {
            grid_periods(k, span, today)
                .1
                .iter()
                .map(|p| p.label())
                .collect()
        };
        let w26 = labels(&k, "2026");
        assert_eq!(
            (w26.len(), w26[0].as_str(), w26[52].as_str()),
            (53, "2026-W01", "2026-W53")
        );
        let w25 = labels(&k, "2025");
        assert_eq!(
            (w25.len(), w25[0].as_str(), w25[51].as_str()),
            (52, "2025-W01", "2025-W52")
        );
        assert_eq!(grid_periods(&k, "nonsense", today).0, "2026");
        k.frequency = Frequency::Monthly;
        assert_eq!(labels(&k, "2026").len(), 12);
        k.frequency = Frequency::Quarterly;
        assert_eq!(
            labels(&k, "2026"),
            ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
        );
        k.frequency = Frequency::Daily;
        let (span, days, prev, next) = grid_periods(&k, "2026-02", today);
        assert_eq!(
            (span.as_str(), days.len(), prev.as_str(), next.as_str()),
            ("2026-02", 28, "2026-01", "2026-03")
        );
    }
}

fn fmt_value(locale: Locale, unit: Unit, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) => match unit {
            Unit::Percent => format!("{} %", fmt_num(locale, x)),
            Unit::Ratio => format!("{:.1} %", x * 100.0),
            Unit::Currency => format!("¥{}", fmt_num(locale, x)),
            Unit::Hours => format!("{} h", fmt_num(locale, x)),
            Unit::Days => format!("{} {}", fmt_num(locale, x), t(locale, "kpi.days_suffix")),
            _ => fmt_num(locale, x),
        },
    }
}

fn fmt_change(ratio: Option<f64>) -> String {
    match ratio {
        Some(r) if r > 0.0 => format!("▲ {:.1} %", r * 100.0),
        Some(r) if r < 0.0 => format!("▼ {:.1} %", -r * 100.0),
        Some(_) => "0 %".into(),
        None => "—".into(),
    }
}

fn rag_label(locale: Locale, r: Option<Rag>) -> &'static str {
    match r {
        Some(Rag::Green) => t(locale, "kpi.rag_green"),
        Some(Rag::Amber) => t(locale, "kpi.rag_amber"),
        Some(Rag::Red) => t(locale, "kpi.rag_red"),
        None => t(locale, "kpi.rag_none"),
    }
}

fn rag_class(r: Option<Rag>) -> &'static str {
    r.map_or("rag-none", |r| match r {
        Rag::Green => "rag-green",
        Rag::Amber => "rag-amber",
        Rag::Red => "rag-red",
    })
}

fn person_name(locale: Locale, name: Option<&str>, zh: Option<&str>) -> String {
    match name {
        Some(n) => work::pages::person_label(locale, n, zh),
        None => "—".into(),
    }
}

fn kpi_name(locale: Locale, k: &Kpi) -> String {
    k.label(locale == Locale::ZhCn).to_string()
}

/// A field error's message: `kpi.error_<code>`, else `error.<code>`; formula problems keep their
/// detail (where the parser stopped, which codes are unknown, the cycle's path).
fn field_message(locale: Locale, code: &str, detail: &str) -> String {
    let k = format!("kpi.error_{code}");
    let s = t(locale, &k);
    let base = if s != k {
        s.to_string()
    } else {
        work::pages::field_message(locale, code)
    };
    match code {
        "invalid_formula" | "cycle" | "unknown_kpi" | "in_use" | "invalid_period" => {
            format!("{base} ({detail})")
        }
        _ => base,
    }
}

fn validation_list(locale: Locale, e: &AppError) -> Vec<(String, String)> {
    match e {
        AppError::Validation(errs) => errs
            .iter()
            .map(|f| (f.field.clone(), field_message(locale, f.code, &f.detail)))
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

fn flag(raw: &Option<String>, f: &str) -> bool {
    raw.as_deref().unwrap_or("").split('&').any(|kv| kv == f)
}

// ---------------------------------------------------------------- the library

pub struct ListRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub scope: &'static str,
    pub owner: String,
    pub period: String,
    pub value: String,
    pub target: String,
    pub rag: &'static str,
    pub rag_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi/list.html")]
struct ListPage {
    chrome: Chrome,
    q: String,
    scopes: Vec<Opt>,
    mine: bool,
    rows: Vec<ListRow>,
    next_href: Option<String>,
    can_create: bool,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    q: String,
    scope: String,
    mine: String,
    cursor: String,
}

async fn list_page(
    State(st): State<AppState>,
    req: Req,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let err = page_err(locale);
    let ctx = ctx_of(&st, &req)?;
    let p: ListParams =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let scope = parse_scope(p.scope.trim()).map(|s| scope_str(s).to_string());
    let f = KpiFilter {
        scope: scope.clone(),
        department_id: None,
        mine: p.mine == "1" || p.mine == "true" || p.mine == "on",
        q: Some(p.q.clone()).filter(|q| !q.trim().is_empty()),
        cursor: Some(p.cursor.clone()).filter(|c| !c.is_empty()),
        limit: Some(50),
    };
    let page = match service::list(&st.db, &ctx, &f).await {
        Ok(p) => p,
        Err(AppError::BadRequest(_)) if f.cursor.is_some() => {
            return Ok(Redirect::to("/kpis").into_response());
        }
        Err(e) => return Err(err(e)),
    };
    let mut rows = Vec::with_capacity(page.items.len());
    for k in &page.items {
        let latest = service::latest_status(&st.db, k, ctx.now_ms)
            .await
            .map_err(&err)?;
        rows.push(ListRow {
            id: k.id,
            code: k.code.clone(),
            name: kpi_name(locale, k),
            scope: t(locale, &format!("kpi.scope_{}", scope_str(k.scope))),
            owner: person_name(locale, k.owner_name.as_deref(), k.owner_name_zh.as_deref()),
            period: latest
                .as_ref()
                .map_or_else(String::new, |s| s.period.clone()),
            value: fmt_value(locale, k.unit, latest.as_ref().and_then(|s| s.value)),
            target: fmt_value(locale, k.unit, latest.as_ref().and_then(|s| s.target)),
            rag: rag_class(latest.as_ref().and_then(|s| s.status)),
            rag_label: rag_label(locale, latest.as_ref().and_then(|s| s.status)),
        });
    }
    let next_href = page.next_cursor.map(|c| {
        let pairs = [
            ("q", p.q.clone()),
            ("scope", scope.clone().unwrap_or_default()),
            ("mine", if f.mine { "1".into() } else { String::new() }),
            ("cursor", c),
        ];
        format!(
            "/kpis?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let mut scopes = vec![opt("", t(locale, "kpi.scope_any"), scope.is_none())];
    scopes.extend(enum_opts(
        locale,
        "scope",
        &["company", "department", "person"],
        scope.as_deref().unwrap_or(""),
    ));
    let chrome = notify::chrome(&st, &req, "/kpis", "kpi.title", "/kpis").await;
    Ok(ListPage {
        chrome,
        q: p.q,
        scopes,
        mine: f.mine,
        rows,
        next_href,
        can_create: matches!(ctx.actor.role, Role::Admin | Role::Manager),
        notice: flag(&raw, "deleted=1").then(|| t(locale, "kpi.deleted")),
    }
    .into_response())
}

// ---------------------------------------------------------------- the KPI page

pub struct TableRow {
    pub period: String,
    pub value: String,
    pub reason: String,
    pub target: String,
    pub rag: &'static str,
    pub rag_label: &'static str,
    pub pop: String,
    pub yoy: String,
    pub moving: String,
    pub anomaly: bool,
}

pub struct AnomalyRow {
    pub period: String,
    pub explanation: String,
}

pub struct ActionRow {
    pub task_href: Option<String>,
    pub title: String,
    pub assignee: String,
    pub due: String,
    pub status: String,
    pub period: String,
    pub effect: Option<String>,
    pub improved: Option<bool>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi/detail.html")]
struct DetailPage {
    chrome: Chrome,
    id: i64,
    code: String,
    name: String,
    description: Option<String>,
    facts: Vec<(&'static str, String)>,
    latest_period: String,
    latest_value: String,
    latest_target: String,
    latest_rag: &'static str,
    latest_rag_label: &'static str,
    latest_reason: String,
    achievement: String,
    pop: String,
    yoy: String,
    chart: String,
    forecast: String,
    forecast_error: String,
    projection: Option<String>,
    anomaly_note: Option<String>,
    anomalies: Vec<AnomalyRow>,
    rows: Vec<TableRow>,
    table_note: Option<String>,
    actions: Vec<ActionRow>,
    can_manage: bool,
    can_record: bool,
    people: Vec<Opt>,
    action_title: String,
    action_due: String,
    idem: String,
    errors: Vec<(String, String)>,
    notice: Option<&'static str>,
}

impl DetailPage {
    fn err(&self, field: &str) -> Option<&str> {
        find_err(&self.errors, field)
    }
}

/// The ECharts option: actuals (anomalies marked), moving mean, target, threshold lines, the
/// target band (green band for band KPIs; the amber zone between target and red line otherwise)
/// and the forecast continuing the series.
pub fn chart_option(locale: Locale, o: &Overview) -> serde_json::Value {
    let k = &o.kpi;
    let th = k.thresholds();
    let mut labels: Vec<String> = o.periods.iter().map(|p| p.period.clone()).collect();
    let fc: Vec<(String, f64)> = o
        .analysis
        .forecast
        .as_ref()
        .map(|f| {
            f.points
                .iter()
                .map(|p| (p.period.clone(), p.value))
                .collect()
        })
        .unwrap_or_default();
    // Forecast periods may already be on the axis (future periods that have a target).
    for (p, _) in &fc {
        if !labels.contains(p) {
            labels.push(p.clone());
        }
    }
    let pad = |mut v: Vec<serde_json::Value>| {
        v.resize(labels.len(), serde_json::Value::Null);
        v
    };
    let num = |x: Option<f64>| x.map_or(serde_json::Value::Null, |v| json!(round(v)));
    let actual = pad(o.periods.iter().map(|p| num(p.value)).collect());
    let moving: std::collections::HashMap<&str, Option<f64>> = o
        .analysis
        .periods
        .iter()
        .map(|r| (r.period.as_str(), r.moving_mean))
        .collect();
    let mean = pad(o
        .periods
        .iter()
        .map(|p| num(moving.get(p.period.as_str()).copied().flatten()))
        .collect());
    let target = pad(o.periods.iter().map(|p| num(p.target)).collect());
    let lines: Vec<Option<(f64, f64)>> = o
        .periods
        .iter()
        .map(|p| p.target.map(|t| th.lines(t)))
        .collect();
    let amber = pad(lines.iter().map(|l| num(l.map(|x| x.0))).collect());
    let red = pad(lines.iter().map(|l| num(l.map(|x| x.1))).collect());
    // The band as a stacked area: an invisible base, then the band's height on top of it.
    let (base, height): (Vec<_>, Vec<_>) = o
        .periods
        .iter()
        .zip(&lines)
        .map(|(p, l)| match (k.direction, p.target, p.target_high, l) {
            (Direction::Band, Some(lo), Some(hi), _) => (num(Some(lo)), num(Some(hi - lo))),
            (Direction::Higher, Some(t), _, Some((_, r))) => (num(Some(*r)), num(Some(t - r))),
            (Direction::Lower, Some(t), _, Some((_, r))) => (num(Some(t)), num(Some(r - t))),
            _ => (serde_json::Value::Null, serde_json::Value::Null),
        })
        .unzip();
    let mut forecast = vec![serde_json::Value::Null; labels.len()];
    if let Some(last) = o.periods.iter().rposition(|p| p.value.is_some()) {
        // The dashed forecast starts from the last actual so the two lines join.
        forecast[last] = num(o.periods[last].value);
        for (p, v) in &fc {
            if let Some(i) = labels.iter().position(|l| l == p) {
                forecast[i] = json!(round(*v));
            }
        }
    }
    let marks: Vec<serde_json::Value> = o
        .analysis
        .anomalies
        .anomalies
        .iter()
        .map(|a| json!({"coord": [a.period, round(a.value)], "value": "!", "itemStyle": {"color": "#c62828"}}))
        .collect();
    let l = |key: &str| t(locale, key);
    let band_name = if k.direction == Direction::Band {
        l("kpi.chart_band")
    } else {
        l("kpi.chart_amber_zone")
    };
    json!({
        "animation": false,
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "bottom": 0},
        "grid": {"left": 48, "right": 16, "top": 16, "bottom": 72},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "scale": true},
        "dataZoom": [{"type": "inside", "start": if labels.len() > 120 { 70 } else { 0 }}, {"type": "slider", "bottom": 28}],
        "series": [
            {"name": "band-base", "type": "line", "stack": "band", "data": pad(base), "symbol": "none",
             "lineStyle": {"opacity": 0}, "tooltip": {"show": false}, "silent": true},
            {"name": band_name, "type": "line", "stack": "band", "data": pad(height), "symbol": "none",
             "lineStyle": {"opacity": 0}, "areaStyle": {"color": if k.direction == Direction::Band { "rgba(46,125,50,0.15)" } else { "rgba(245,166,35,0.18)" }},
             "tooltip": {"show": false}, "silent": true},
            {"name": l("kpi.chart_actual"), "type": "line", "data": actual, "symbol": "circle", "symbolSize": 4,
             "itemStyle": {"color": "#1f4fb8"}, "markPoint": {"symbol": "pin", "symbolSize": 36, "data": marks}},
            {"name": l("kpi.chart_moving"), "type": "line", "data": mean, "symbol": "none",
             "lineStyle": {"type": "dotted"}, "itemStyle": {"color": "#7b1fa2"}},
            {"name": l("kpi.chart_target"), "type": "line", "step": "middle", "data": target, "symbol": "none",
             "itemStyle": {"color": "#2e7d32"}},
            {"name": l("kpi.chart_amber"), "type": "line", "step": "middle", "data": amber, "symbol": "none",
             "lineStyle": {"type": "dashed", "width": 1}, "itemStyle": {"color": "#f5a623"}},
            {"name": l("kpi.chart_red"), "type": "line", "step": "middle", "data": red, "symbol": "none",
             "lineStyle": {"type": "dashed", "width": 1}, "itemStyle": {"color": "#c62828"}},
            {"name": l("kpi.chart_forecast"), "type": "line", "data": forecast, "symbol": "none",
             "lineStyle": {"type": "dashed"}, "itemStyle": {"color": "#546e7a"}}
        ]
    })
}

fn round(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

fn action_rows(locale: Locale, k: &Kpi, actions: &[Action]) -> Vec<ActionRow> {
    actions
        .iter()
        .map(|a| ActionRow {
            task_href: a.task_id.map(|t| format!("/tasks/{t}")),
            title: a
                .title
                .clone()
                .unwrap_or_else(|| t(locale, "kpi.task_deleted").to_string()),
            assignee: person_name(
                locale,
                a.assignee_name.as_deref(),
                a.assignee_name_zh.as_deref(),
            ),
            due: a.due_date.clone().unwrap_or_else(|| "—".into()),
            status: a
                .status
                .as_deref()
                .map(|s| t(locale, &format!("status.{s}")).to_string())
                .unwrap_or_default(),
            period: a.period.clone(),
            effect: a.effect.as_ref().map(|e| {
                ui::i18n::tf(
                    locale,
                    "kpi.effect",
                    &[
                        ("before", &fmt_value(locale, k.unit, e.before_mean)),
                        ("bfrom", &e.before_from),
                        ("bto", &e.before_to),
                        ("after", &fmt_value(locale, k.unit, e.after_mean)),
                        ("afrom", &e.after_from),
                        ("ato", &e.after_to),
                        ("n", &e.after_count.to_string()),
                    ],
                )
            }),
            improved: a.effect.as_ref().and_then(|e| e.improved),
        })
        .collect()
}

async fn people_opts(st: &AppState, ctx: &Ctx, current: Option<i64>) -> Result<Vec<Opt>, AppError> {
    Ok(team::service::people_options(&st.db, ctx)
        .await?
        .into_iter()
        .filter(|p| p.active || Some(p.id) == current)
        .map(|p| {
            opt(
                p.id.to_string(),
                work::pages::person_label(ctx.locale, &p.name, p.name_zh.as_deref()),
                Some(p.id) == current,
            )
        })
        .collect())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ActionForm {
    title: String,
    assignee_id: String,
    due_date: String,
    idem: String,
}

async fn render_detail(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    form: ActionForm,
    errors: Vec<(String, String)>,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    let o = service::overview(&st.db, ctx, id).await.map_err(&err)?;
    let k = &o.kpi;
    let latest = o
        .periods
        .iter()
        .rev()
        .find(|p| p.value.is_some())
        .or(o.periods.last())
        .cloned();
    let row_of = |p: &PeriodStatus| p.period.clone();
    let analysis: std::collections::HashMap<&str, &analytics::analysis::PeriodRow> = o
        .analysis
        .periods
        .iter()
        .map(|r| (r.period.as_str(), r))
        .collect();
    let change = |p: &str, yoy: bool| {
        analysis.get(p).map_or("—".into(), |r| {
            fmt_change(if yoy {
                r.year_over_year.ratio
            } else {
                r.period_over_period.ratio
            })
        })
    };
    let mut rows: Vec<TableRow> = o
        .periods
        .iter()
        .rev()
        .map(|p| TableRow {
            period: row_of(p),
            value: fmt_value(locale, k.unit, p.value),
            reason: p.no_value_reason.clone().unwrap_or_default(),
            target: match (p.target, p.target_high) {
                (Some(lo), Some(hi)) => format!(
                    "{} – {}",
                    fmt_value(locale, k.unit, Some(lo)),
                    fmt_value(locale, k.unit, Some(hi))
                ),
                (t, _) => fmt_value(locale, k.unit, t),
            },
            rag: rag_class(p.status),
            rag_label: rag_label(locale, p.status),
            pop: change(&p.period, false),
            yoy: change(&p.period, true),
            moving: fmt_value(
                locale,
                k.unit,
                analysis.get(p.period.as_str()).and_then(|r| r.moving_mean),
            ),
            anomaly: analysis.get(p.period.as_str()).is_some_and(|r| r.anomaly),
        })
        .collect();
    let table_note = (k.granularity() == Granularity::Day && rows.len() > TABLE_DAYS).then(|| {
        ui::i18n::tf(
            locale,
            "kpi.table_note",
            &[
                ("n", &TABLE_DAYS.to_string()),
                ("href", &format!("/api/v1/kpis/{id}/periods")),
            ],
        )
    });
    if k.granularity() == Granularity::Day {
        rows.truncate(TABLE_DAYS);
    }
    let (forecast, forecast_error) = match &o.analysis.forecast {
        Some(f) => (
            format!("{}: {}", f.description, {
                let shown: Vec<String> = f
                    .points
                    .iter()
                    .map(|p| format!("{} {}", p.period, fmt_value(locale, k.unit, Some(p.value))))
                    .collect();
                // A month of daily points reads better as its first days and its end.
                if shown.len() > 4 {
                    format!(
                        "{} · {} · … · {}",
                        shown[0],
                        shown[1],
                        shown[shown.len() - 1]
                    )
                } else {
                    shown.join(" · ")
                }
            }),
            f.history_error.map_or_else(
                || t(locale, "kpi.forecast_no_error").to_string(),
                |e| {
                    ui::i18n::tf(
                        locale,
                        "kpi.forecast_error",
                        &[
                            ("mae", &fmt_num(locale, e.mae)),
                            (
                                "mape",
                                &e.mape.map_or("—".into(), |m| format!("{:.1} %", m * 100.0)),
                            ),
                            ("n", &e.n.to_string()),
                        ],
                    )
                },
            ),
        ),
        None => (
            o.analysis.forecast_note.clone().unwrap_or_default(),
            String::new(),
        ),
    };
    let projection = o.projection.as_ref().map(|p| {
        ui::i18n::tf(
            locale,
            "kpi.projection",
            &[
                ("period", &p.period),
                ("so_far", &fmt_value(locale, k.unit, Some(p.actual_so_far))),
                ("projected", &fmt_value(locale, k.unit, Some(p.projected))),
                ("days", &p.remaining_days.to_string()),
            ],
        )
    });
    let scope = t(locale, &format!("kpi.scope_{}", scope_str(k.scope)));
    let mut facts = vec![
        (t(locale, "kpi.code"), k.code.clone()),
        (
            t(locale, "kpi.scope"),
            match (&k.department_name, &k.person_name) {
                (_, Some(p)) => format!("{scope} · {p}"),
                (Some(d), None) => format!("{scope} · {d}"),
                _ => scope.to_string(),
            },
        ),
        (
            t(locale, "kpi.owner"),
            person_name(locale, k.owner_name.as_deref(), k.owner_name_zh.as_deref()),
        ),
        (
            t(locale, "kpi.unit"),
            t(locale, &format!("kpi.unit_{}", k.unit.as_str())).into(),
        ),
        (
            t(locale, "kpi.direction"),
            t(locale, &format!("kpi.direction_{}", k.direction.as_str())).into(),
        ),
        (
            t(locale, "kpi.aggregation"),
            t(
                locale,
                &format!("kpi.aggregation_{}", k.aggregation.as_str()),
            )
            .into(),
        ),
        (
            t(locale, "kpi.frequency"),
            t(locale, &format!("kpi.frequency_{}", k.frequency.as_str())).into(),
        ),
        (
            t(locale, "kpi.thresholds"),
            ui::i18n::tf(
                locale,
                &format!("kpi.thresholds_{}", k.threshold_mode.as_str()),
                &[
                    ("amber", &fmt_num(locale, k.amber_from)),
                    ("red", &fmt_num(locale, k.red_from)),
                ],
            ),
        ),
    ];
    if let Some(f) = &k.formula {
        facts.push((t(locale, "kpi.formula"), f.clone()));
    }
    if let Some(c) = k.computed {
        facts.push((
            t(locale, "kpi.computed"),
            t(locale, &format!("kpi.computed_{}", c.as_str())).into(),
        ));
    }
    let can_record = ctx.actor.can_record_kpi(&k.facts());
    let people = if can_record {
        people_opts(st, ctx, form.assignee_id.parse().ok())
            .await
            .map_err(&err)?
    } else {
        Vec::new()
    };
    let here = format!("/kpis/{id}");
    let chrome = notify::chrome(st, req, "/kpis", "kpi.title", &here).await;
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DetailPage {
        chrome,
        id,
        code: k.code.clone(),
        name: kpi_name(locale, k),
        description: k.description.clone(),
        facts,
        latest_period: latest
            .as_ref()
            .map_or_else(String::new, |p| p.period.clone()),
        latest_value: fmt_value(locale, k.unit, latest.as_ref().and_then(|p| p.value)),
        latest_target: fmt_value(locale, k.unit, latest.as_ref().and_then(|p| p.target)),
        latest_rag: rag_class(latest.as_ref().and_then(|p| p.status)),
        latest_rag_label: rag_label(locale, latest.as_ref().and_then(|p| p.status)),
        latest_reason: latest
            .as_ref()
            .and_then(|p| p.no_value_reason.clone())
            .unwrap_or_default(),
        achievement: latest
            .as_ref()
            .and_then(|p| p.achievement)
            .map_or("—".into(), |a| format!("{a:.1} %")),
        pop: latest
            .as_ref()
            .map_or("—".into(), |p| change(&p.period, false)),
        yoy: latest
            .as_ref()
            .map_or("—".into(), |p| change(&p.period, true)),
        chart: chart_option(locale, &o).to_string(),
        forecast,
        forecast_error,
        projection,
        anomaly_note: o.analysis.anomalies.note.clone(),
        anomalies: o
            .analysis
            .anomalies
            .anomalies
            .iter()
            .rev()
            .take(10)
            .map(|a| AnomalyRow {
                period: a.period.clone(),
                explanation: a.explanation.clone(),
            })
            .collect(),
        rows,
        table_note,
        actions: action_rows(locale, k, &o.actions),
        can_manage: ctx.actor.can_manage_kpi(&k.facts()),
        can_record,
        people,
        action_title: if form.title.is_empty() {
            ui::i18n::tf(locale, "kpi.action_default_title", &[("code", &k.code)])
        } else {
            form.title
        },
        action_due: form.due_date,
        idem: if form.idem.is_empty() {
            db::random_hex(16)
        } else {
            form.idem
        },
        errors,
        notice,
    };
    Ok((status, page).into_response())
}

async fn detail_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let notice = if flag(&raw, "saved=1") {
        Some(t(ctx.locale, "kpi.saved"))
    } else if flag(&raw, "action=1") {
        Some(t(ctx.locale, "kpi.action_opened"))
    } else {
        None
    };
    render_detail(
        &st,
        &req,
        &ctx,
        id,
        ActionForm::default(),
        Vec::new(),
        notice,
    )
    .await
}

async fn action_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let form: ActionForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let assignee = form.assignee_id.trim();
    let assignee_id = if assignee.is_empty() {
        None
    } else if let Ok(n) = assignee.parse::<i64>() {
        Some(n)
    } else {
        let errors = vec![("assignee_id".into(), field_message(locale, "invalid", ""))];
        return render_detail(&st, &req, &ctx, id, form, errors, None).await;
    };
    let input = ActionInput {
        title: form.title.clone(),
        description: None,
        assignee_id,
        due_date: Some(form.due_date.trim().to_string()).filter(|d| !d.is_empty()),
    };
    let key = Some(form.idem.clone()).filter(|k| !k.is_empty() && k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    match service::open_action(&st.db, &ctx, id, &input, idem.as_ref()).await {
        Ok(_) => Ok(Redirect::to(&format!("/kpis/{id}?action=1#actions")).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = validation_list(locale, &e);
            render_detail(&st, &req, &ctx, id, form, errors, None).await
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

// ---------------------------------------------------------------- define / edit

/// The KPI form as posted: all text, so bad input is shown back, never a rejection.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct KpiForm {
    pub code: String,
    pub name: String,
    pub name_zh: String,
    pub description: String,
    pub unit: String,
    pub direction: String,
    pub aggregation: String,
    pub frequency: String,
    pub scope: String,
    pub department_id: String,
    pub person_id: String,
    pub owner_person_id: String,
    pub formula: String,
    pub computed: String,
    pub threshold_mode: String,
    pub amber_from: String,
    pub red_from: String,
    pub version: String,
    pub idem: String,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl KpiForm {
    fn of_kpi(k: &Kpi) -> Self {
        KpiForm {
            code: k.code.clone(),
            name: k.name.clone(),
            name_zh: k.name_zh.clone().unwrap_or_default(),
            description: k.description.clone().unwrap_or_default(),
            unit: k.unit.as_str().into(),
            direction: k.direction.as_str().into(),
            aggregation: k.aggregation.as_str().into(),
            frequency: k.frequency.as_str().into(),
            scope: scope_str(k.scope).into(),
            department_id: k.department_id.map(|d| d.to_string()).unwrap_or_default(),
            person_id: k.person_id.map(|d| d.to_string()).unwrap_or_default(),
            owner_person_id: k.owner_person_id.map(|d| d.to_string()).unwrap_or_default(),
            formula: k.formula.clone().unwrap_or_default(),
            computed: k
                .computed
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            threshold_mode: k.threshold_mode.as_str().into(),
            amber_from: k.amber_from.to_string(),
            red_from: k.red_from.to_string(),
            version: k.version.to_string(),
            idem: String::new(),
        }
    }

    /// Typed input; each value that does not parse is a field error.
    fn input(&self) -> Result<KpiInput, Vec<(String, &'static str)>> {
        let mut errs = Vec::new();
        fn pick<T: Copy>(
            errs: &mut Vec<(String, &'static str)>,
            field: &str,
            v: &str,
            parse: fn(&str) -> Option<T>,
            default: T,
        ) -> T {
            parse(v.trim()).unwrap_or_else(|| {
                errs.push((
                    field.to_string(),
                    if v.trim().is_empty() {
                        "required"
                    } else {
                        "invalid"
                    },
                ));
                default
            })
        }
        let unit = pick(&mut errs, "unit", &self.unit, Unit::parse, Unit::Count);
        let direction = pick(
            &mut errs,
            "direction",
            &self.direction,
            Direction::parse,
            Direction::Higher,
        );
        let aggregation = pick(
            &mut errs,
            "aggregation",
            &self.aggregation,
            Aggregation::parse,
            Aggregation::Sum,
        );
        let frequency = pick(
            &mut errs,
            "frequency",
            &self.frequency,
            Frequency::parse,
            Frequency::Monthly,
        );
        let threshold_mode = match self.threshold_mode.trim() {
            "" => ThresholdMode::Percent,
            s => pick(
                &mut errs,
                "threshold_mode",
                s,
                ThresholdMode::parse,
                ThresholdMode::Percent,
            ),
        };
        let computed = match self.computed.trim() {
            "" => None,
            s => Some(pick(
                &mut errs,
                "computed",
                s,
                Computed::parse,
                Computed::TasksCompleted,
            )),
        };
        let mut id = |field: &str, v: &str| -> Option<i64> {
            let v = v.trim();
            if v.is_empty() {
                return None;
            }
            v.parse().ok().or_else(|| {
                errs.push((field.to_string(), "invalid"));
                None
            })
        };
        let department_id = id("department_id", &self.department_id);
        let person_id = id("person_id", &self.person_id);
        let owner_person_id = id("owner_person_id", &self.owner_person_id);
        let mut num = |field: &str, v: &str, default: f64| -> f64 {
            let v = v.trim().replace(',', ".");
            if v.is_empty() {
                return default;
            }
            v.parse().unwrap_or_else(|_| {
                errs.push((field.to_string(), "invalid"));
                default
            })
        };
        let amber_from = num("amber_from", &self.amber_from, 0.0);
        let red_from = num("red_from", &self.red_from, 10.0);
        let input = KpiInput {
            code: self.code.clone(),
            name: self.name.clone(),
            name_zh: some(&self.name_zh),
            description: some(&self.description),
            unit,
            direction,
            aggregation,
            frequency,
            scope: self.scope.clone(),
            department_id,
            person_id,
            owner_person_id,
            formula: some(&self.formula),
            computed,
            threshold_mode,
            amber_from,
            red_from,
        };
        if errs.is_empty() {
            Ok(input)
        } else {
            Err(errs)
        }
    }
}

fn patch_of(i: KpiInput) -> KpiPatch {
    KpiPatch {
        code: Some(i.code),
        name: Some(i.name),
        name_zh: Some(i.name_zh),
        description: Some(i.description),
        unit: Some(i.unit),
        direction: Some(i.direction),
        aggregation: Some(i.aggregation),
        frequency: Some(i.frequency),
        scope: Some(i.scope),
        department_id: Some(i.department_id),
        person_id: Some(i.person_id),
        owner_person_id: Some(i.owner_person_id),
        formula: Some(i.formula),
        computed: Some(i.computed),
        threshold_mode: Some(i.threshold_mode),
        amber_from: Some(i.amber_from),
        red_from: Some(i.red_from),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi/form.html")]
struct FormPage {
    chrome: Chrome,
    id: Option<i64>,
    action: String,
    cancel_href: String,
    form: KpiForm,
    units: Vec<Opt>,
    directions: Vec<Opt>,
    aggregations: Vec<Opt>,
    frequencies: Vec<Opt>,
    scopes: Vec<Opt>,
    modes: Vec<Opt>,
    computeds: Vec<Opt>,
    departments: Vec<Opt>,
    people: Vec<Opt>,
    owners: Vec<Opt>,
    errors: Vec<(String, String)>,
    alert: Option<&'static str>,
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
    form: KpiForm,
    errors: Vec<(String, String)>,
    alert: Option<&'static str>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    let strs = |all: &[&'static str]| all.to_vec();
    let units = enum_opts(
        locale,
        "unit",
        &strs(&Unit::ALL.iter().map(|u| u.as_str()).collect::<Vec<_>>()),
        &form.unit,
    );
    let directions = enum_opts(
        locale,
        "direction",
        &Direction::ALL
            .iter()
            .map(|u| u.as_str())
            .collect::<Vec<_>>(),
        &form.direction,
    );
    let aggregations = enum_opts(
        locale,
        "aggregation",
        &Aggregation::ALL
            .iter()
            .map(|u| u.as_str())
            .collect::<Vec<_>>(),
        &form.aggregation,
    );
    let frequencies = enum_opts(
        locale,
        "frequency",
        &Frequency::ALL
            .iter()
            .map(|u| u.as_str())
            .collect::<Vec<_>>(),
        &form.frequency,
    );
    let scopes = enum_opts(
        locale,
        "scope",
        &["company", "department", "person"],
        &form.scope,
    );
    let modes = enum_opts(
        locale,
        "mode",
        &ThresholdMode::ALL
            .iter()
            .map(|u| u.as_str())
            .collect::<Vec<_>>(),
        &form.threshold_mode,
    );
    let mut computeds = vec![opt(
        "",
        t(locale, "kpi.computed_none"),
        form.computed.is_empty(),
    )];
    computeds.extend(enum_opts(
        locale,
        "computed",
        &Computed::ALL.iter().map(|u| u.as_str()).collect::<Vec<_>>(),
        &form.computed,
    ));
    let tree = team::service::tree(&st.db).await.map_err(&err)?;
    let mut departments = vec![opt("", "—", form.department_id.is_empty())];
    departments.extend(tree.into_iter().map(|n| {
        let d = n.department;
        opt(
            d.id.to_string(),
            format!(
                "{}{}",
                "\u{a0}\u{a0}".repeat(n.depth.max(0) as usize),
                d.name
            ),
            d.id.to_string() == form.department_id,
        )
    }));
    let mut people = vec![opt("", "—", form.person_id.is_empty())];
    people.extend(
        people_opts(st, ctx, form.person_id.parse().ok())
            .await
            .map_err(&err)?,
    );
    let mut owners = vec![opt("", "—", form.owner_person_id.is_empty())];
    owners.extend(
        people_opts(st, ctx, form.owner_person_id.parse().ok())
            .await
            .map_err(&err)?,
    );
    let (action, cancel_href, title_key, here) = match id {
        Some(i) => (
            format!("/kpis/{i}/edit"),
            format!("/kpis/{i}"),
            "kpi.edit",
            format!("/kpis/{i}/edit"),
        ),
        None => (
            "/kpis".into(),
            "/kpis".into(),
            "kpi.new",
            "/kpis/new".into(),
        ),
    };
    let chrome = notify::chrome(st, req, "/kpis", title_key, &here).await;
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
            cancel_href,
            form,
            units,
            directions,
            aggregations,
            frequencies,
            scopes,
            modes,
            computeds,
            departments,
            people,
            owners,
            errors,
            alert,
        },
    )
        .into_response())
}

async fn new_form(State(st): State<AppState>, req: Req) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    if !matches!(ctx.actor.role, Role::Admin | Role::Manager) {
        return Err(PageError(AppError::Forbidden("define KPIs"), ctx.locale));
    }
    let form = KpiForm {
        unit: "count".into(),
        direction: "higher".into(),
        aggregation: "sum".into(),
        frequency: "monthly".into(),
        scope: if ctx.actor.is_admin() {
            "company"
        } else {
            "department"
        }
        .into(),
        department_id: ctx
            .actor
            .department_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
        owner_person_id: ctx
            .actor
            .person_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
        threshold_mode: "percent".into(),
        amber_from: "0".into(),
        red_from: "10".into(),
        idem: db::random_hex(16),
        ..Default::default()
    };
    render_form(&st, &req, &ctx, None, form, Vec::new(), None).await
}

fn parse_errors(locale: Locale, errs: Vec<(String, &'static str)>) -> Vec<(String, String)> {
    errs.into_iter()
        .map(|(f, c)| (f, field_message(locale, c, "")))
        .collect()
}

async fn create_submit(
    State(st): State<AppState>,
    req: Req,
    body: Bytes,
) -> Result<Response, PageError> {
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let form: KpiForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let input = match form.input() {
        Ok(i) => i,
        Err(errs) => {
            let errors = parse_errors(locale, errs);
            return render_form(&st, &req, &ctx, None, form, errors, None).await;
        }
    };
    let key = Some(form.idem.clone()).filter(|k| !k.is_empty() && k.len() <= 255);
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let mut result = service::create(&st.db, &ctx, &input, idem.as_ref()).await;
    if matches!(result, Err(AppError::IdempotencyMismatch)) {
        result = service::create(&st.db, &ctx, &input, None).await;
    }
    match result {
        Ok(k) => Ok(Redirect::to(&format!("/kpis/{}?saved=1", k.id)).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = validation_list(locale, &e);
            render_form(&st, &req, &ctx, None, form, errors, None).await
        }
        Err(AppError::Forbidden(_)) => {
            let errors = vec![(
                "scope".to_string(),
                t(locale, "kpi.error_forbidden_scope").to_string(),
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
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let k = service::get(&st.db, &ctx, id)
        .await
        .map_err(page_err(ctx.locale))?;
    if !ctx.actor.can_manage_kpi(&k.facts()) {
        return Err(PageError(
            AppError::Forbidden("change this KPI"),
            ctx.locale,
        ));
    }
    render_form(
        &st,
        &req,
        &ctx,
        Some(id),
        KpiForm::of_kpi(&k),
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
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let form: KpiForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let input = match form.input() {
        Ok(i) => i,
        Err(errs) => {
            let errors = parse_errors(locale, errs);
            return render_form(&st, &req, &ctx, Some(id), form, errors, None).await;
        }
    };
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    match service::update(&st.db, &ctx, id, version, &patch_of(input)).await {
        Ok(k) => Ok(Redirect::to(&format!("/kpis/{}?saved=1", k.id)).into_response()),
        Err(e @ AppError::Validation(_)) => {
            let errors = validation_list(locale, &e);
            render_form(&st, &req, &ctx, Some(id), form, errors, None).await
        }
        Err(AppError::PreconditionFailed) => {
            render_form(
                &st,
                &req,
                &ctx,
                Some(id),
                form,
                Vec::new(),
                Some(t(locale, "error.stale")),
            )
            .await
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

// ---------------------------------------------------------------- grids (targets, actuals)

pub struct GridRow {
    pub period: String,
    pub a: String,
    pub b: String,
    pub error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi/grid.html")]
struct GridPage {
    chrome: Chrome,
    id: i64,
    name: String,
    /// `targets` or `actuals`.
    mode: &'static str,
    /// The heading of the first and (when shown) second value column.
    a_label: &'static str,
    b_label: Option<&'static str>,
    /// The chosen year (or month for daily KPIs) and its neighbours.
    span: String,
    prev_href: String,
    next_href: String,
    version: i64,
    rows: Vec<GridRow>,
    alert: Option<String>,
    notice: Option<&'static str>,
    can_save: bool,
}

/// The periods a grid shows: the KPI's periods in a year (a month for daily KPIs).
fn grid_periods(k: &Kpi, span: &str, today: i32) -> (String, Vec<Period>, String, String) {
    let g = k.granularity();
    let coarse = if g == Granularity::Day {
        Granularity::Month
    } else {
        Granularity::Year
    };
    let span_p = Period::parse(coarse, span).unwrap_or_else(|| coarse.period_of(today));
    let (first, last) = (span_p.start(), span_p.end());
    let mut periods = Vec::new();
    let mut p = g.period_of(first);
    // An ISO week belongs to the year of its Thursday: skip a first week that mostly lies in
    // the previous year.
    if g == Granularity::Week && p.start() + 3 < first {
        p = p.offset(1);
    }
    while p.start() <= last && (g != Granularity::Week || p.start() + 3 <= last) {
        periods.push(p);
        p = p.offset(1);
    }
    (
        span_p.label(),
        periods,
        span_p.offset(-1).label(),
        span_p.offset(1).label(),
    )
}

fn today_of(ctx: &Ctx) -> i32 {
    let d = kernel::dates::format_date(kernel::dates::date_of(ctx.now_ms, service::OFFSET_HOURS));
    analytics::calendar::parse_ymd(d.as_bytes()).unwrap_or(0)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpanQuery {
    span: String,
}

fn cell(v: Option<f64>) -> String {
    v.map(|x| {
        let s = format!("{x}");
        s
    })
    .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
async fn render_grid(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    mode: &'static str,
    span: &str,
    posted: Option<&std::collections::HashMap<String, (String, String)>>,
    cell_errors: Vec<(String, String)>,
    notice: Option<&'static str>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let err = page_err(locale);
    let (k, targets) = service::targets(&st.db, ctx, id).await.map_err(&err)?;
    let (span, periods, prev, next) = grid_periods(&k, span, today_of(ctx));
    let band = k.direction == Direction::Band;
    let ratio = k.aggregation == Aggregation::Ratio;
    let saved: std::collections::HashMap<String, (String, String)> = if mode == "targets" {
        targets
            .into_iter()
            .map(|t| (t.period, (cell(Some(t.target)), cell(t.target_high))))
            .collect()
    } else {
        service::manual_values(&st.db, ctx, id)
            .await
            .map_err(&err)?
            .into_iter()
            .map(|(p, (v, d))| (p, (cell(Some(v)), cell(d))))
            .collect()
    };
    let rows = periods
        .iter()
        .map(|p| {
            let label = p.label();
            let (a, b) = posted
                .and_then(|m| m.get(&label))
                .or_else(|| saved.get(&label))
                .cloned()
                .unwrap_or_default();
            GridRow {
                error: cell_errors
                    .iter()
                    .find(|(f, _)| *f == label)
                    .map(|(_, m)| m.clone()),
                period: label,
                a,
                b,
            }
        })
        .collect();
    let (a_label, b_label) = match (mode, band, ratio) {
        ("targets", true, _) => (t(locale, "kpi.band_low"), Some(t(locale, "kpi.band_high"))),
        ("targets", false, _) => (t(locale, "kpi.target"), None),
        (_, _, true) => (
            t(locale, "kpi.numerator"),
            Some(t(locale, "kpi.denominator")),
        ),
        _ => (t(locale, "kpi.actual"), None),
    };
    let can_save = if mode == "targets" {
        ctx.actor.can_manage_kpi(&k.facts())
    } else {
        ctx.actor.can_record_kpi(&k.facts()) && k.formula.is_none() && k.computed.is_none()
    };
    let base = format!("/kpis/{id}/{mode}");
    let chrome = notify::chrome(
        st,
        req,
        "/kpis",
        &format!("kpi.grid_{mode}"),
        &format!("{base}?span={span}"),
    )
    .await;
    let status = if cell_errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        GridPage {
            chrome,
            id,
            name: kpi_name(locale, &k),
            mode,
            a_label,
            b_label,
            prev_href: format!("{base}?span={prev}"),
            next_href: format!("{base}?span={next}"),
            span,
            version: k.version,
            rows,
            alert: (!cell_errors.is_empty()).then(|| t(locale, "problem.validation").to_string()),
            notice,
            can_save,
        },
    )
        .into_response())
}

async fn targets_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let q: SpanQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let notice = flag(&raw, "saved=1").then(|| t(ctx.locale, "kpi.saved"));
    render_grid(
        &st,
        &req,
        &ctx,
        id,
        "targets",
        &q.span,
        None,
        Vec::new(),
        notice,
    )
    .await
}

async fn actuals_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let q: SpanQuery = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let notice = flag(&raw, "saved=1").then(|| t(ctx.locale, "kpi.saved"));
    render_grid(
        &st,
        &req,
        &ctx,
        id,
        "actuals",
        &q.span,
        None,
        Vec::new(),
        notice,
    )
    .await
}

/// The posted grid: `span`, `version`, and per period `a:<period>` / `b:<period>`.
fn posted_grid(
    body: &[u8],
) -> (
    String,
    i64,
    std::collections::HashMap<String, (String, String)>,
) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let mut span = String::new();
    let mut version = -1;
    let mut cells: std::collections::HashMap<String, (String, String)> = Default::default();
    for (k, v) in pairs {
        match k.as_str() {
            "span" => span = v,
            "version" => version = v.trim().parse().unwrap_or(-1),
            _ => {
                if let Some(p) = k.strip_prefix("a:") {
                    cells.entry(p.to_string()).or_default().0 = v.trim().to_string();
                } else if let Some(p) = k.strip_prefix("b:") {
                    cells.entry(p.to_string()).or_default().1 = v.trim().to_string();
                }
            }
        }
    }
    (span, version, cells)
}

fn parse_cell(s: &str) -> Result<Option<f64>, ()> {
    let s = s.trim().replace([',', ' '], "");
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or(())
}

/// Cells that do not parse as numbers, as (period, message).
fn cell_errors(
    locale: Locale,
    cells: &std::collections::HashMap<String, (String, String)>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = cells
        .iter()
        .filter(|(_, (a, b))| parse_cell(a).is_err() || parse_cell(b).is_err())
        .map(|(p, _)| (p.clone(), t(locale, "kpi.error_not_a_number").to_string()))
        .collect();
    out.sort();
    out
}

/// Service field errors (`items[i].x`, `points[i].x`) mapped back to the grid's periods.
fn map_errors(locale: Locale, e: &AppError, periods: &[String]) -> Vec<(String, String)> {
    validation_list(locale, e)
        .into_iter()
        .map(|(f, m)| {
            let idx = f
                .split_once('[')
                .and_then(|(_, r)| r.split_once(']'))
                .and_then(|(i, _)| i.parse::<usize>().ok());
            (idx.and_then(|i| periods.get(i).cloned()).unwrap_or(f), m)
        })
        .collect()
}

async fn targets_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let (span, version, cells) = posted_grid(&body);
    let errs = cell_errors(locale, &cells);
    if !errs.is_empty() {
        return render_grid(
            &st,
            &req,
            &ctx,
            id,
            "targets",
            &span,
            Some(&cells),
            errs,
            None,
        )
        .await;
    }
    let mut periods: Vec<String> = cells.keys().cloned().collect();
    periods.sort();
    let items: Vec<TargetCell> = periods
        .iter()
        .map(|p| {
            let (a, b) = &cells[p];
            TargetCell {
                period: p.clone(),
                target: parse_cell(a).ok().flatten(),
                target_high: parse_cell(b).ok().flatten(),
            }
        })
        .collect();
    match service::set_targets(&st.db, &ctx, id, version, &items).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/kpis/{id}/targets?span={span}&saved=1")).into_response())
        }
        Err(e @ AppError::Validation(_)) => {
            let errs = map_errors(locale, &e, &periods);
            render_grid(
                &st,
                &req,
                &ctx,
                id,
                "targets",
                &span,
                Some(&cells),
                errs,
                None,
            )
            .await
        }
        Err(AppError::PreconditionFailed) => {
            let errs = vec![(String::new(), t(locale, "error.stale").to_string())];
            render_grid(
                &st,
                &req,
                &ctx,
                id,
                "targets",
                &span,
                Some(&cells),
                errs,
                None,
            )
            .await
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

async fn actuals_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let locale = ctx.locale;
    let (span, _, cells) = posted_grid(&body);
    let errs = cell_errors(locale, &cells);
    if !errs.is_empty() {
        return render_grid(
            &st,
            &req,
            &ctx,
            id,
            "actuals",
            &span,
            Some(&cells),
            errs,
            None,
        )
        .await;
    }
    let saved = service::manual_values(&st.db, &ctx, id)
        .await
        .map_err(page_err(locale))?;
    let mut periods: Vec<String> = cells.keys().cloned().collect();
    periods.sort();
    // Only changed cells are sent, so an untouched empty cell is not a "delete" of nothing.
    let points: Vec<PointInput> = periods
        .iter()
        .filter_map(|p| {
            let (a, b) = &cells[p];
            let value = parse_cell(a).ok().flatten();
            let denominator = parse_cell(b).ok().flatten();
            let old = saved.get(p).copied();
            let unchanged = match (old, value) {
                (None, None) => true,
                (Some((v, d)), Some(nv)) => v == nv && d == denominator,
                _ => false,
            };
            (!unchanged).then(|| PointInput {
                period: p.clone(),
                value,
                denominator,
            })
        })
        .collect();
    let kept: Vec<String> = points.iter().map(|p| p.period.clone()).collect();
    if points.is_empty() {
        return Ok(
            Redirect::to(&format!("/kpis/{id}/actuals?span={span}&saved=1")).into_response(),
        );
    }
    match service::push_points(&st.db, &ctx, id, service::MANUAL, &points).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/kpis/{id}/actuals?span={span}&saved=1")).into_response())
        }
        Err(e @ AppError::Validation(_)) => {
            let errs = map_errors(locale, &e, &kept);
            render_grid(
                &st,
                &req,
                &ctx,
                id,
                "actuals",
                &span,
                Some(&cells),
                errs,
                None,
            )
            .await
        }
        Err(e) => Err(PageError(e, locale)),
    }
}

// ---------------------------------------------------------------- history

/// One changed thing in a history entry: a definition field, a period's target.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub label: String,
    pub old: String,
    pub new: String,
}

pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub changes: Vec<Change>,
    /// Lines that are not before → after pairs (a push's summary and its points).
    pub notes: Vec<String>,
    pub task_href: Option<String>,
}

/// The definition fields a history entry compares: (snapshot field, label key, catalogue
/// prefix of its values, if they are an enum).
const TRACKED: [(&str, &str, Option<&str>); 16] = [
    ("code", "kpi.code", None),
    ("name", "kpi.name_en", None),
    ("name_zh", "kpi.name_zh", None),
    ("description", "kpi.description", None),
    ("unit", "kpi.unit", Some("unit")),
    ("direction", "kpi.direction", Some("direction")),
    ("aggregation", "kpi.aggregation", Some("aggregation")),
    ("frequency", "kpi.frequency", Some("frequency")),
    ("scope", "kpi.scope", Some("scope")),
    ("department_name", "kpi.department", None),
    ("person_name", "kpi.person", None),
    ("owner_name", "kpi.owner", None),
    ("formula", "kpi.formula", None),
    ("threshold_mode", "kpi.threshold_mode", Some("mode")),
    ("amber_from", "kpi.amber_from", None),
    ("red_from", "kpi.red_from", None),
];

/// Points listed under a push in the history; the rest are counted.
const HISTORY_POINTS: usize = 12;

fn show_json(locale: Locale, prefix: Option<&str>, v: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::String(s)) => match prefix {
            Some(p) => t(locale, &format!("kpi.{p}_{s}")).to_string(),
            None => {
                let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
                if one_line.chars().count() > 80 {
                    format!("{}…", one_line.chars().take(80).collect::<String>())
                } else {
                    one_line
                }
            }
        },
        Some(Value::Number(n)) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |x| fmt_num(locale, x)),
        Some(other) => other.to_string(),
    }
}

/// What a definition change changed, field by field (the audit's before/after KPI snapshots).
pub fn definition_changes(
    locale: Locale,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<Change> {
    let (Some(b), Some(a)) = (before, after) else {
        return Vec::new();
    };
    let mut out: Vec<Change> = TRACKED
        .iter()
        .filter(|(f, _, _)| b.get(f) != a.get(f))
        .map(|(f, label, prefix)| Change {
            label: t(locale, label).to_string(),
            old: show_json(locale, *prefix, b.get(f)),
            new: show_json(locale, *prefix, a.get(f)),
        })
        .collect();
    if b.get("computed") != a.get("computed") {
        let show = |v: Option<&serde_json::Value>| match v.and_then(|x| x.as_str()) {
            Some(c) => t(locale, &format!("kpi.computed_{c}")).to_string(),
            None => t(locale, "kpi.computed_none").to_string(),
        };
        out.push(Change {
            label: t(locale, "kpi.computed").to_string(),
            old: show(b.get("computed")),
            new: show(a.get("computed")),
        });
    }
    out
}

/// What a targets change changed, period by period (`{"targets": [...]}` snapshots).
pub fn target_changes(
    locale: Locale,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Vec<Change> {
    use std::collections::BTreeMap;
    let by_period = |v: Option<&serde_json::Value>| -> BTreeMap<String, String> {
        v.and_then(|v| v.get("targets"))
            .and_then(|t| t.as_array())
            .into_iter()
            .flatten()
            .filter_map(|x| {
                let period = x.get("period")?.as_str()?.to_string();
                let low = show_json(locale, None, x.get("target"));
                let shown = match x.get("target_high").filter(|h| !h.is_null()) {
                    Some(h) => format!("{low} – {}", show_json(locale, None, Some(h))),
                    None => low,
                };
                Some((period, shown))
            })
            .collect()
    };
    let (b, a) = (by_period(before), by_period(after));
    let periods: std::collections::BTreeSet<&String> = b.keys().chain(a.keys()).collect();
    periods
        .into_iter()
        .filter(|p| b.get(*p) != a.get(*p))
        .map(|p| Change {
            label: p.clone(),
            old: b.get(p).cloned().unwrap_or_else(|| "—".into()),
            new: a.get(p).cloned().unwrap_or_else(|| "—".into()),
        })
        .collect()
}

/// A push's summary and its first points (`{"source", "points", "result"}` snapshot).
pub fn point_notes(locale: Locale, after: Option<&serde_json::Value>) -> Vec<String> {
    let Some(a) = after else {
        return Vec::new();
    };
    let count = |k: &str| a["result"][k].as_u64().unwrap_or(0).to_string();
    let source = a["source"].as_str().unwrap_or("");
    let source = if source == service::MANUAL {
        t(locale, "kpi.source_manual").to_string()
    } else {
        source.to_string()
    };
    let mut notes = vec![ui::i18n::tf(
        locale,
        "kpi.history_points",
        &[
            ("source", &source),
            ("inserted", &count("inserted")),
            ("updated", &count("updated")),
            ("deleted", &count("deleted")),
        ],
    )];
    let points = a["points"].as_array().map_or(&[][..], Vec::as_slice);
    for p in points.iter().take(HISTORY_POINTS) {
        let period = p["period"].as_str().unwrap_or("");
        let value = show_json(locale, None, p.get("value"));
        notes.push(match p.get("denominator").filter(|d| !d.is_null()) {
            Some(d) => format!("{period}: {value} / {}", show_json(locale, None, Some(d))),
            None => format!("{period}: {value}"),
        });
    }
    if points.len() > HISTORY_POINTS {
        let more = (points.len() - HISTORY_POINTS).to_string();
        notes.push(ui::i18n::tf(locale, "kpi.history_more", &[("n", &more)]));
    }
    notes
}

fn history_row(locale: Locale, h: &db::audit::HistoryEntry) -> HistoryRow {
    let (before, after) = (h.before.as_ref(), h.after.as_ref());
    let (action, changes, notes) = match h.action.as_str() {
        "kpi.create" => ("kpi.action_create", Vec::new(), Vec::new()),
        "kpi.update" => (
            "kpi.action_update",
            definition_changes(locale, before, after),
            Vec::new(),
        ),
        "kpi.targets" => (
            "kpi.action_targets",
            target_changes(locale, before, after),
            Vec::new(),
        ),
        "kpi.points" => ("kpi.action_points", Vec::new(), point_notes(locale, after)),
        "kpi.action" => ("kpi.action_action", Vec::new(), Vec::new()),
        _ => ("kpi.action_other", Vec::new(), Vec::new()),
    };
    let task_href = (h.action == "kpi.action")
        .then(|| after.and_then(|a| a["task_id"].as_i64()))
        .flatten()
        .map(|id| format!("/tasks/{id}"));
    HistoryRow {
        at: kernel::dates::format_instant(h.at, service::OFFSET_HOURS),
        actor: h.actor_name.clone(),
        action: t(locale, action),
        changes,
        notes,
        task_href,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kpi/history.html")]
struct HistoryPage {
    chrome: Chrome,
    id: i64,
    code: String,
    name: String,
    history: Vec<HistoryRow>,
}

async fn history_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let err = page_err(ctx.locale);
    let k = service::get(&st.db, &ctx, id).await.map_err(&err)?;
    let entries = service::history(&st.db, &ctx, id).await.map_err(&err)?;
    let here = format!("/kpis/{id}/history");
    let chrome = notify::chrome(&st, &req, "/kpis", "kpi.history", &here).await;
    Ok(HistoryPage {
        chrome,
        id,
        code: k.code.clone(),
        name: kpi_name(ctx.locale, &k),
        history: entries.iter().map(|h| history_row(ctx.locale, h)).collect(),
    }
    .into_response())
}

// ---------------------------------------------------------------- delete

#[derive(Template, WebTemplate)]
#[template(path = "kpi/delete.html")]
struct DeletePage {
    chrome: Chrome,
    id: i64,
    version: i64,
    question: String,
    /// Why the KPI cannot be deleted now, one line per kind of use; empty when it can.
    refusal: Vec<String>,
    alert: Option<&'static str>,
}

async fn render_delete(
    st: &AppState,
    req: &Req,
    ctx: &Ctx,
    id: i64,
    alert: Option<&'static str>,
) -> Result<Response, PageError> {
    let locale = ctx.locale;
    let (k, usage) = service::usage(&st.db, ctx, id)
        .await
        .map_err(page_err(locale))?;
    let mut refusal = Vec::new();
    if !usage.formulas.is_empty() {
        refusal.push(ui::i18n::tf(
            locale,
            "kpi.delete_formulas",
            &[("codes", &usage.formulas.join(", "))],
        ));
    }
    if usage.key_results > 0 {
        let n = usage.key_results.to_string();
        refusal.push(ui::i18n::tf(locale, "kpi.delete_key_results", &[("n", &n)]));
    }
    if usage.scorecards > 0 {
        let n = usage.scorecards.to_string();
        refusal.push(ui::i18n::tf(locale, "kpi.delete_scorecards", &[("n", &n)]));
    }
    let here = format!("/kpis/{id}/delete");
    let chrome = notify::chrome(st, req, "/kpis", "kpi.delete_title", &here).await;
    let name = kpi_name(locale, &k);
    let status = if refusal.is_empty() && alert.is_none() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::CONFLICT
    };
    let page = DeletePage {
        chrome,
        id,
        version: k.version,
        question: ui::i18n::tf(
            locale,
            "kpi.delete_question",
            &[("name", &name), ("code", &k.code)],
        ),
        refusal,
        alert,
    };
    Ok((status, page).into_response())
}

async fn delete_confirm(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    render_delete(&st, &req, &ctx, id, None).await
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
    let id = kpi_id(&id, req.locale())?;
    let ctx = ctx_of(&st, &req)?;
    let form: DeleteForm = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let version: i64 = form.version.trim().parse().unwrap_or(-1);
    match service::delete(&st.db, &ctx, id, version).await {
        Ok(()) => Ok(Redirect::to("/kpis?deleted=1").into_response()),
        Err(AppError::PreconditionFailed) => {
            render_delete(&st, &req, &ctx, id, Some(t(ctx.locale, "error.stale"))).await
        }
        // Something started using the KPI since the page was shown: show why, as the page does.
        Err(AppError::Conflict(_)) => render_delete(&st, &req, &ctx, id, None).await,
        Err(e) => Err(PageError(e, ctx.locale)),
    }
}
