//! `/skills…`: the catalogue (with position requirements), the matrix, the gap report and a
//! person's levels. Forms post and redirect back (no script needed).
use crate::skills::model::{
    GapReport, Matrix, PersonSkill, PersonSkillInput, PositionSkill, PositionSkillInput, Skill,
    SkillInput,
};
use crate::skills::service;
use crate::web::{PageResult, back, ctx_of, form_message, here, opt_i64, opt_text, parse_id};
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
        .route("/skills", get(catalogue_page).post(skill_create))
        .route("/skills/requirements", post(requirement_set))
        .route("/skills/requirements/remove", post(requirement_remove))
        .route("/skills/matrix", get(matrix_page))
        .route("/skills/gaps", get(gaps_page))
        .route("/skills/people/{id}", get(person_page).post(person_set))
        .route("/skills/people/{id}/remove", post(person_remove))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Flash {
    saved: Option<String>,
    error: Option<String>,
}

/// Department choices for a filter, indented by depth.
async fn department_options(
    st: &AppState,
    selected: Option<i64>,
) -> Result<Vec<(i64, String, bool)>, kernel::AppError> {
    Ok(crate::service::tree(&st.db)
        .await?
        .into_iter()
        .map(|n| {
            (
                n.department.id,
                format!("{}{}", "　".repeat(n.depth as usize), n.department.name),
                Some(n.department.id) == selected,
            )
        })
        .collect())
}

// ---------------------------------------------------------------- catalogue

#[derive(Template, WebTemplate)]
#[template(path = "skills/catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    skills: Vec<Skill>,
    requirements: Vec<PositionSkill>,
    can_manage: bool,
    flash: Flash,
}

async fn catalogue_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(flash): Query<Flash>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let skills = service::list_skills(&st.db, &ctx).await.map_err(pe)?;
    let requirements = service::position_skills(&st.db, &ctx, None)
        .await
        .map_err(pe)?;
    let chrome = notify::chrome(&st, &req, "/skills", "skills.catalogue", &here(&uri)).await;
    Ok(CataloguePage {
        chrome,
        skills,
        requirements,
        can_manage: ctx.actor.can_manage_skill_catalogue(),
        flash,
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SkillForm {
    name: String,
    category: String,
    description: String,
}

async fn skill_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<SkillForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let input = SkillInput {
        name: f.name,
        category: f.category,
        description: opt_text(&f.description),
    };
    match service::create_skill(&st.db, &ctx, &input, None).await {
        Ok(_) => Ok(back("/skills", Ok("created"))),
        Err(e) => Ok(back("/skills", Err(form_message(locale, e)?))),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RequirementForm {
    position: String,
    skill_id: String,
    level: String,
}

async fn requirement_set(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<RequirementForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let input = PositionSkillInput {
        position: f.position,
        skill_id: f.skill_id.trim().parse().unwrap_or(0),
        level: f.level.trim().parse().unwrap_or(0),
    };
    match service::set_position_skill(&st.db, &ctx, &input).await {
        Ok(_) => Ok(back("/skills", Ok("saved"))),
        Err(e) => Ok(back("/skills", Err(form_message(locale, e)?))),
    }
}

async fn requirement_remove(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<RequirementForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let skill_id = f.skill_id.trim().parse().unwrap_or(0);
    match service::remove_position_skill(&st.db, &ctx, &f.position, skill_id).await {
        Ok(()) => Ok(back("/skills", Ok("removed"))),
        Err(e) => Ok(back("/skills", Err(form_message(locale, e)?))),
    }
}

// ---------------------------------------------------------------- matrix

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MatrixParams {
    department_id: String,
    category: String,
    cursor: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "skills/matrix.html")]
struct MatrixPage {
    chrome: Chrome,
    m: Matrix,
    departments: Vec<(i64, String, bool)>,
    categories: Vec<(String, bool)>,
    next_url: Option<String>,
    can_import: bool,
}

async fn matrix_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(p): Query<MatrixParams>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let dept = opt_i64(&p.department_id).ok().flatten();
    let category = opt_text(&p.category);
    let m = service::matrix(
        &st.db,
        &ctx,
        dept,
        true,
        category.as_deref(),
        opt_text(&p.cursor).as_deref(),
        Some(100),
    )
    .await
    .map_err(pe)?;
    let mut cats: Vec<String> = service::list_skills(&st.db, &ctx)
        .await
        .map_err(pe)?
        .into_iter()
        .map(|s| s.category)
        .collect();
    cats.dedup();
    let categories = cats
        .into_iter()
        .map(|c| {
            let sel = category.as_deref() == Some(c.as_str());
            (c, sel)
        })
        .collect();
    let next_url = m.next_cursor.as_ref().map(|c| {
        format!(
            "/skills/matrix?department_id={}&category={}&cursor={}",
            p.department_id,
            crate::web::urlencode(&p.category),
            crate::web::urlencode(c)
        )
    });
    let chrome = notify::chrome(&st, &req, "/skills", "skills.matrix", &here(&uri)).await;
    Ok(MatrixPage {
        chrome,
        m,
        departments: department_options(&st, dept).await.map_err(pe)?,
        categories,
        next_url,
        can_import: imports::Importer::may_import(
            &crate::skills::import::SkillLevelsImport,
            &ctx.actor,
        ),
    }
    .into_response())
}

// ---------------------------------------------------------------- gaps

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GapParams {
    department_id: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "skills/gaps.html")]
struct GapsPage {
    chrome: Chrome,
    r: GapReport,
    departments: Vec<(i64, String, bool)>,
}

async fn gaps_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Query(p): Query<GapParams>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let dept = opt_i64(&p.department_id).ok().flatten();
    let r = service::training_needs(&st.db, &ctx, dept)
        .await
        .map_err(pe)?;
    let chrome = notify::chrome(&st, &req, "/skills", "skills.gaps", &here(&uri)).await;
    Ok(GapsPage {
        chrome,
        r,
        departments: department_options(&st, dept).await.map_err(pe)?,
    }
    .into_response())
}

// ---------------------------------------------------------------- one person

#[derive(Template, WebTemplate)]
#[template(path = "skills/person.html")]
struct PersonPage {
    chrome: Chrome,
    person_id: i64,
    name: String,
    levels: Vec<PersonSkill>,
    skills: Vec<Skill>,
    can_rate: bool,
    flash: Flash,
}

async fn person_page(
    State(st): State<AppState>,
    req: Req,
    uri: Uri,
    Path(id): Path<String>,
    Query(flash): Query<Flash>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let levels = service::person_skills(&st.db, &ctx, id).await.map_err(pe)?;
    let p = crate::service::get_person(&st.db, &ctx, id)
        .await
        .map_err(pe)?;
    let skills = service::list_skills(&st.db, &ctx).await.map_err(pe)?;
    let mut chrome = notify::chrome(&st, &req, "/skills", "skills.person", &here(&uri)).await;
    let name = match &p.name_zh {
        Some(z) => format!("{z} {}", p.name),
        None => p.name.clone(),
    };
    chrome.title = format!("{} · {name}", chrome.t("skills.person"));
    Ok(PersonPage {
        chrome,
        person_id: id,
        name,
        levels,
        skills,
        can_rate: ctx.actor.can_rate_skills(p.department_id),
        flash,
    }
    .into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LevelForm {
    skill_id: String,
    level: String,
    evidence: String,
    cert_expires: String,
}

async fn person_set(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<LevelForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let to = format!("/skills/people/{id}");
    let input = PersonSkillInput {
        level: f.level.trim().parse().unwrap_or(0),
        evidence: opt_text(&f.evidence),
        cert_expires: opt_text(&f.cert_expires),
    };
    let skill_id = f.skill_id.trim().parse().unwrap_or(0);
    match service::set_person_skill(&st.db, &ctx, id, skill_id, &input).await {
        Ok(_) => Ok(back(&to, Ok("saved"))),
        Err(e) => Ok(back(&to, Err(form_message(locale, e)?))),
    }
}

async fn person_remove(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<String>,
    Form(f): Form<LevelForm>,
) -> PageResult {
    let locale = req.locale();
    let id = parse_id(&id, locale)?;
    let ctx = ctx_of(&st, &req)?;
    let to = format!("/skills/people/{id}");
    let skill_id = f.skill_id.trim().parse().unwrap_or(0);
    match service::remove_person_skill(&st.db, &ctx, id, skill_id).await {
        Ok(()) => Ok(back(&to, Ok("removed"))),
        Err(e) => Ok(back(&to, Err(form_message(locale, e)?))),
    }
}
