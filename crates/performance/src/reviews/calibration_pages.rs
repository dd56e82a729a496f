//! Pages of scoring, calibration and outcomes: the calibration page of a cycle (distribution
//! against the guideline, 9-box grid, adjustments with a required reason, the trail), the
//! weights and guideline form of a cycle, and the score, potential and outcome parts of a review
//! page. Forms work without JavaScript.
// The reviews pages share one set of form helpers.
use super::calibration::{self, CalibrationInput};
use super::model::{CyclePatch, Phase};
use super::outcomes::{self, OutcomeInput, Recommendation};
use super::pages::Opt;
use super::pages::{ctx_of, field, num_id, pairs, t};
use super::scoring::{Breakdown, Component, Weights, default_guideline};
use super::service::{self, ReviewDetail};
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::{Ctx, Locale};
use team::skills::model::DevelopmentItemInput;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reviews/cycles/{id}/calibration", get(calibration_page))
        .route("/reviews/cycles/{id}/scoring", post(scoring_submit))
        .route("/reviews/{id}/calibrate", post(calibrate_submit))
        .route("/reviews/{id}/outcome", post(outcome_submit))
}

fn dash(v: Option<impl ToString>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "—".into())
}

pub fn component_label(locale: Locale, c: Component) -> String {
    t(locale, &format!("calib.component_{}", c.as_str()))
}

// ---------------------------------------------------------------- weights and guideline

pub struct WeightField {
    pub name: &'static str,
    pub label: String,
    pub value: i64,
}

/// The weights/guideline fields of the new-cycle form and the cycle page.
pub struct ScoringForm {
    pub weights: Vec<WeightField>,
    pub guideline: String,
    pub can_calibrate: bool,
}

pub fn scoring_form(locale: Locale, w: &Weights, guideline: &[i64], ctx: &Ctx) -> ScoringForm {
    ScoringForm {
        weights: w
            .list()
            .into_iter()
            .map(|(c, v)| WeightField {
                name: c.as_str(),
                label: component_label(locale, c),
                value: v,
            })
            .collect(),
        guideline: guideline
            .iter()
            .map(|g| g.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        can_calibrate: ctx.actor.can_see_calibration(None),
    }
}

/// The new-cycle form's defaults.
pub fn default_scoring_form(locale: Locale, ctx: &Ctx) -> ScoringForm {
    scoring_form(locale, &Weights::default(), &default_guideline(5), ctx)
}

/// Weights from a form: `None` when no weight field was sent; an unreadable number becomes -1
/// so validation names the field.
pub fn weights_field(p: &[(String, String)]) -> Option<Weights> {
    let names = ["goals", "kpi", "manager", "peer", "upward"];
    if !names
        .iter()
        .any(|n| p.iter().any(|(k, _)| *k == format!("weight_{n}")))
    {
        return None;
    }
    let v = |n: &str| field(p, &format!("weight_{n}")).parse().unwrap_or(-1);
    Some(Weights {
        goals: v("goals"),
        kpi: v("kpi"),
        manager: v("manager"),
        peer: v("peer"),
        upward: v("upward"),
    })
}

/// A guideline from a form (`10, 20, 40, 20, 10`): `None` when empty.
pub fn guideline_field(p: &[(String, String)]) -> Option<Vec<i64>> {
    let raw = field(p, "guideline");
    if raw.is_empty() {
        return None;
    }
    Some(
        raw.split([',', ' ', '/', '，'])
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().trim_end_matches('%').parse().unwrap_or(-1))
            .collect(),
    )
}

async fn scoring_submit(
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
        weights: weights_field(&p),
        guideline: guideline_field(&p),
        ..Default::default()
    };
    service::update_cycle(
        &st.db,
        &ctx,
        id,
        field(&p, "version").parse().unwrap_or(-1),
        &patch,
    )
    .await
    .map_err(|e| PageError(e, locale))?;
    Ok(Redirect::to(&format!("/reviews/cycles/{id}")).into_response())
}

// ---------------------------------------------------------------- calibration page

pub struct TrailView {
    pub person: String,
    pub by: String,
    pub at: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reviews/calibration.html")]
struct CalibrationPage {
    chrome: Chrome,
    v: calibration::CalibrationView,
    phase: String,
    groups: Vec<Opt>,
    grid: Vec<(String, Vec<Vec<calibration::NineBoxEntry>>)>,
    rows: Vec<RowViewT>,
    trail: Vec<TrailView>,
    scale: Vec<i64>,
    back: String,
}

/// One row of the table.
pub struct RowViewT {
    pub review_id: i64,
    pub version: i64,
    pub name: String,
    pub department: String,
    pub score: String,
    pub counted: String,
    pub proposed: String,
    pub calibrated: String,
    pub final_rating: String,
    pub potential: String,
}

async fn calibration_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let err = |e| PageError(e, locale);
    let q = pairs(q.unwrap_or_default().as_bytes());
    let dept: Option<i64> = Some(field(&q, "department_id"))
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().unwrap_or(-1));
    let v = calibration::view(&st.db, &ctx, id, dept)
        .await
        .map_err(err)?;
    let groups = team::service::tree(&st.db)
        .await
        .map_err(err)?
        .into_iter()
        .filter(|n| ctx.actor.can_see_calibration(Some(n.department.id)))
        .map(|n| Opt {
            value: n.department.id.to_string(),
            label: format!(
                "{}{}",
                "\u{a0}\u{a0}".repeat(n.depth.max(0) as usize),
                n.department.name
            ),
            selected: Some(n.department.id) == dept,
        })
        .collect();
    let mut grid = Vec::new();
    for potential in [3, 2, 1] {
        let cells = ["low", "mid", "high"]
            .iter()
            .map(|b| {
                v.nine_box
                    .iter()
                    .find(|c| c.potential == potential && c.performance == *b)
                    .map(|c| c.reviews.clone())
                    .unwrap_or_default()
            })
            .collect();
        grid.push((t(locale, &format!("calib.potential_{potential}")), cells));
    }
    let rows = v
        .rows
        .iter()
        .map(|r| RowViewT {
            review_id: r.review_id,
            version: r.version,
            name: r.person_name.clone(),
            department: dash(r.department_name.clone()),
            score: r.score.map_or_else(|| "—".into(), |s| format!("{s:.2}")),
            counted: r
                .counted
                .iter()
                .map(|c| component_label(locale, *c))
                .collect::<Vec<_>>()
                .join(", "),
            proposed: dash(r.proposed_rating),
            calibrated: dash(r.calibrated_rating),
            final_rating: r.final_rating.map(|f| f.to_string()).unwrap_or_default(),
            potential: r.potential.map_or_else(
                || "—".into(),
                |p| t(locale, &format!("calib.potential_{p}")),
            ),
        })
        .collect();
    let trail = v
        .trail
        .iter()
        .map(|e| TrailView {
            person: e.person_name.clone(),
            by: e.entry.actor_name.clone(),
            at: kernel::dates::format_instant(e.entry.at, 8),
            from: dash(e.entry.from_rating),
            to: e.entry.to_rating.to_string(),
            reason: e.entry.reason.clone(),
        })
        .collect();
    let here = format!("/reviews/cycles/{id}/calibration");
    let back = match dept {
        Some(d) => format!("{here}?department_id={d}"),
        None => here.clone(),
    };
    let chrome = notify::chrome(&st, &req, "/reviews", "calib.title", &here).await;
    Ok(CalibrationPage {
        chrome,
        phase: t(locale, &format!("reviews.phase_{}", v.phase.as_str())),
        scale: (1..=v.scale_max).collect(),
        groups,
        grid,
        rows,
        trail,
        back,
        v,
    }
    .into_response())
}

async fn calibrate_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = pairs(&body);
    let num = |k: &str| {
        Some(field(&p, k))
            .filter(|v| !v.is_empty())
            .map(|v| v.parse().unwrap_or(-1))
    };
    let input = CalibrationInput {
        calibrated_rating: num("calibrated_rating"),
        reason: Some(field(&p, "reason")),
        potential: num("potential"),
    };
    calibration::calibrate(
        &st.db,
        &ctx,
        id,
        field(&p, "version").parse().unwrap_or(-1),
        &input,
    )
    .await
    .map_err(|e| PageError(e, locale))?;
    // Back to the calibration page it came from (a local path only), else the review.
    let back = field(&p, "back");
    let to = if back.starts_with("/reviews/cycles/") && !back.contains("//") {
        back
    } else {
        format!("/reviews/{id}")
    };
    Ok(Redirect::to(&to).into_response())
}

async fn outcome_submit(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let id = num_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let p = pairs(&body);
    let mut items = Vec::new();
    for i in 0..team::skills::model::MAX_DEVELOPMENT_ITEMS {
        let text = field(&p, &format!("item_text_{i}"));
        if text.is_empty() {
            continue;
        }
        let num = |k: String| {
            Some(field(&p, &k))
                .filter(|v| !v.is_empty())
                .map(|v| v.parse().unwrap_or(-1))
        };
        items.push(DevelopmentItemInput {
            text,
            skill_id: num(format!("item_skill_{i}")),
            target_level: num(format!("item_level_{i}")),
        });
    }
    let input = OutcomeInput {
        recommendation: Recommendation::parse(&field(&p, "recommendation"))
            .unwrap_or(Recommendation::None),
        development_items: items,
    };
    outcomes::set(
        &st.db,
        &ctx,
        id,
        field(&p, "version").parse().unwrap_or(-1),
        &input,
    )
    .await
    .map_err(|e| PageError(e, locale))?;
    Ok(Redirect::to(&format!("/reviews/{id}")).into_response())
}

// ---------------------------------------------------------------- the review page's parts

pub struct ScoreLine {
    pub label: String,
    pub weight: i64,
    pub raw: String,
    pub value: String,
    pub counted: bool,
    pub effective: String,
}

pub struct ScoreView {
    pub score: String,
    pub scale_max: i64,
    pub lines: Vec<ScoreLine>,
}

pub struct ItemView {
    pub text: String,
    pub skill: String,
    pub level: String,
}

pub struct ItemField {
    pub text: String,
    pub level: String,
    pub skills: Vec<Opt>,
}

pub struct OutcomeView {
    pub manager: bool,
    pub editable: bool,
    pub can_potential: bool,
    pub final_rating: String,
    pub recommendation: String,
    pub proposed: String,
    pub calibrated: String,
    pub potential: String,
    pub items: Vec<ItemView>,
    pub potentials: Vec<Opt>,
    pub recommendations: Vec<Opt>,
    pub item_fields: Vec<ItemField>,
}

/// The score and outcome parts of a review page (`reviews/review_extra.html`).
#[derive(Default)]
pub struct ReviewExtra {
    pub score: Option<ScoreView>,
    pub outcome: Option<OutcomeView>,
}

fn score_view(locale: Locale, b: &Breakdown) -> ScoreView {
    ScoreView {
        score: b.score.map(|s| format!("{s:.2}")).unwrap_or_default(),
        scale_max: b.scale_max,
        lines: b
            .components
            .iter()
            .map(|c| ScoreLine {
                label: component_label(locale, c.component),
                weight: c.weight,
                raw: dash(c.raw),
                value: dash(c.value),
                counted: c.counted,
                effective: format!("{:.0}", c.effective_weight),
            })
            .collect(),
    }
}

/// What a review page adds for scores and outcomes; parts the caller may not see are `None`.
pub async fn review_extra(st: &AppState, ctx: &Ctx, d: &ReviewDetail) -> ReviewExtra {
    let locale = ctx.locale;
    if !calibration::may_see_score(d) {
        return ReviewExtra::default();
    }
    let score = match service::get_cycle(&st.db, ctx, d.review.cycle_id).await {
        Ok(c) => calibration::score_of(&st.db, ctx, d, &c)
            .await
            .ok()
            .map(|b| score_view(locale, &b)),
        Err(_) => None,
    };
    let outcome = match outcomes::get(&st.db, ctx, d.review.id).await {
        Ok(o) => {
            let manager = o.trail.is_some();
            let skills = if o.editable {
                team::skills::service::list_skills(&st.db, ctx)
                    .await
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let mut item_fields: Vec<ItemField> = o
                .development_items
                .iter()
                .map(|i| ItemField {
                    text: i.text.clone(),
                    level: i.target_level.map(|l| l.to_string()).unwrap_or_default(),
                    skills: skills
                        .iter()
                        .map(|s| Opt {
                            value: s.id.to_string(),
                            label: s.name.clone(),
                            selected: Some(s.id) == i.skill_id,
                        })
                        .collect(),
                })
                .collect();
            // Two empty rows to add items without JavaScript.
            for _ in 0..2 {
                item_fields.push(ItemField {
                    text: String::new(),
                    level: String::new(),
                    skills: skills
                        .iter()
                        .map(|s| Opt {
                            value: s.id.to_string(),
                            label: s.name.clone(),
                            selected: false,
                        })
                        .collect(),
                });
            }
            Some(OutcomeView {
                manager,
                editable: o.editable,
                can_potential: manager && o.phase < Phase::Shared,
                final_rating: dash(o.final_rating),
                recommendation: t(locale, &format!("calib.rec_{}", o.recommendation.as_str())),
                proposed: dash(o.proposed_rating),
                calibrated: dash(o.calibrated_rating),
                potential: o.potential.map_or_else(
                    || "—".into(),
                    |p| t(locale, &format!("calib.potential_{p}")),
                ),
                items: o
                    .development_items
                    .iter()
                    .map(|i| ItemView {
                        text: i.text.clone(),
                        skill: i.skill_name.clone().unwrap_or_default(),
                        level: i.target_level.map(|l| l.to_string()).unwrap_or_default(),
                    })
                    .collect(),
                potentials: (1..=3)
                    .map(|p| Opt {
                        value: p.to_string(),
                        label: t(locale, &format!("calib.potential_{p}")),
                        selected: o.potential == Some(p),
                    })
                    .collect(),
                recommendations: Recommendation::ALL
                    .iter()
                    .map(|r| Opt {
                        value: r.as_str().into(),
                        label: t(locale, &format!("calib.rec_{}", r.as_str())),
                        selected: *r == o.recommendation,
                    })
                    .collect(),
                item_fields,
            })
        }
        Err(_) => None,
    };
    ReviewExtra { score, outcome }
}
