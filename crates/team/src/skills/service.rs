//! Skills use cases. Reads of people's levels follow `Actor::people_visibility` (a person the
//! caller may not see is 404); writes ask the policy, validate, then write and audit in one
//! transaction.
use crate::skills::model::{
    DevelopmentItem, DevelopmentItemInput, GapReport, LEVELS, MAX_DEVELOPMENT_ITEMS, Matrix,
    MatrixRow, PersonSkill, PersonSkillInput, PositionSkill, PositionSkillInput, Skill, SkillInput,
    SkillPatch, cell, gap_report,
};
use crate::skills::store;
use db::idempotency::{self, Idem};
use db::{Db, Tx};
use kernel::page::{clamp_limit, decode_cursor, encode_cursor};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};
use std::collections::HashMap;

fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// Today (`YYYY-MM-DD`, Asia/Shanghai) for certification expiry.
pub fn today(ctx: &Ctx) -> String {
    kernel::dates::format_date(kernel::dates::date_of(ctx.now_ms, 8))
}

pub async fn list_skills(db: &Db, _ctx: &Ctx) -> AppResult<Vec<Skill>> {
    let mut tx = db.read().await?;
    Ok(store::list_skills(&mut tx).await?)
}

pub async fn get_skill(db: &Db, _ctx: &Ctx, id: i64) -> AppResult<Skill> {
    let mut tx = db.read().await?;
    store::get_skill(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)
}

async fn name_unique(tx: &mut Tx, v: &SkillInput, except: Option<i64>) -> AppResult<()> {
    if store::skill_name_taken(tx, &v.name, except).await? {
        return Err(AppError::Conflict(format!(
            "name: a skill named {} already exists",
            v.name
        )));
    }
    Ok(())
}

pub async fn create_skill(
    db: &Db,
    ctx: &Ctx,
    input: &SkillInput,
    idem: Option<&Idem>,
) -> AppResult<Skill> {
    if !ctx.actor.can_manage_skill_catalogue() {
        return Err(AppError::Forbidden("manage the skill catalogue"));
    }
    let mut c = Checks::new();
    let v = input.clone().validate(&mut c);
    c.finish()?;
    let mut tx = db.write().await?;
    if let Some(id) = idempotency::replayed(&mut tx, idem).await? {
        return store::get_skill(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound);
    }
    name_unique(&mut tx, &v, None).await?;
    let id = store::insert_skill(&mut tx, &v, ctx.now_ms).await?;
    let s = store::get_skill(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "skill.create",
        "skill",
        Some(id),
        None,
        json(&s),
    )
    .await?;
    idempotency::remember(
        &mut tx,
        idem,
        201,
        id,
        &format!("/api/v1/skills/{id}"),
        ctx.now_ms,
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn update_skill(
    db: &Db,
    ctx: &Ctx,
    id: i64,
    expected_version: i64,
    patch: &SkillPatch,
) -> AppResult<Skill> {
    let mut tx = db.write().await?;
    let before = store::get_skill(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx.actor.can_manage_skill_catalogue() {
        return Err(AppError::Forbidden("manage the skill catalogue"));
    }
    let mut c = Checks::new();
    let v = SkillInput::from_skill(&before)
        .apply(patch)
        .validate(&mut c);
    c.finish()?;
    name_unique(&mut tx, &v, Some(id)).await?;
    if store::update_skill(&mut tx, id, expected_version, &v, ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    let after = store::get_skill(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "skill.update",
        "skill",
        Some(id),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a skill with everyone's levels in it and the requirements naming it.
pub async fn delete_skill(db: &Db, ctx: &Ctx, id: i64, expected_version: i64) -> AppResult<()> {
    let mut tx = db.write().await?;
    let before = store::get_skill(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx.actor.can_manage_skill_catalogue() {
        return Err(AppError::Forbidden("manage the skill catalogue"));
    }
    if before.version != expected_version {
        return Err(AppError::PreconditionFailed);
    }
    store::delete_skill(&mut tx, id).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "skill.delete",
        "skill",
        Some(id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The person's department, or `NotFound` when the person does not exist or the caller may not
/// see their capability data.
async fn visible_person(tx: &mut Tx, ctx: &Ctx, person_id: i64) -> AppResult<Option<i64>> {
    let dept = store::person_department(tx, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !ctx.actor.can_see_person_capability(dept, person_id) {
        return Err(AppError::NotFound);
    }
    Ok(dept)
}

pub async fn person_skills(db: &Db, ctx: &Ctx, person_id: i64) -> AppResult<Vec<PersonSkill>> {
    let mut tx = db.read().await?;
    visible_person(&mut tx, ctx, person_id).await?;
    Ok(store::person_skills(&mut tx, person_id).await?)
}

/// Sets (creates or replaces) a person's level in a skill.
pub async fn set_person_skill(
    db: &Db,
    ctx: &Ctx,
    person_id: i64,
    skill_id: i64,
    input: &PersonSkillInput,
) -> AppResult<PersonSkill> {
    let mut tx = db.write().await?;
    let dept = visible_person(&mut tx, ctx, person_id).await?;
    if !ctx.actor.can_rate_skills(dept) {
        return Err(AppError::Forbidden("rate this person's skills"));
    }
    let mut c = Checks::new();
    let v = input.clone().validate(&mut c);
    if store::get_skill(&mut tx, skill_id).await?.is_none() {
        c.push("skill_id", "not_found", "no such skill");
    }
    c.finish()?;
    let before = store::person_skill(&mut tx, person_id, skill_id).await?;
    store::upsert_person_skill(&mut tx, person_id, skill_id, &v, ctx.now_ms).await?;
    let after = store::person_skill(&mut tx, person_id, skill_id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "person.skill_set",
        "person",
        Some(person_id),
        before.as_ref().and_then(json),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn remove_person_skill(
    db: &Db,
    ctx: &Ctx,
    person_id: i64,
    skill_id: i64,
) -> AppResult<()> {
    let mut tx = db.write().await?;
    let dept = visible_person(&mut tx, ctx, person_id).await?;
    if !ctx.actor.can_rate_skills(dept) {
        return Err(AppError::Forbidden("rate this person's skills"));
    }
    let before = store::person_skill(&mut tx, person_id, skill_id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::delete_person_skill(&mut tx, person_id, skill_id).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "person.skill_remove",
        "person",
        Some(person_id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn position_skills(
    db: &Db,
    _ctx: &Ctx,
    position: Option<&str>,
) -> AppResult<Vec<PositionSkill>> {
    let mut tx = db.read().await?;
    Ok(store::position_skills(&mut tx, position).await?)
}

pub async fn set_position_skill(
    db: &Db,
    ctx: &Ctx,
    input: &PositionSkillInput,
) -> AppResult<PositionSkill> {
    if !ctx.actor.can_manage_skill_catalogue() {
        return Err(AppError::Forbidden("set the skills a position requires"));
    }
    let mut c = Checks::new();
    let v = input.clone().validate(&mut c);
    let mut tx = db.write().await?;
    if store::get_skill(&mut tx, v.skill_id).await?.is_none() {
        c.push("skill_id", "not_found", "no such skill");
    }
    c.finish()?;
    store::upsert_position_skill(&mut tx, &v.position, v.skill_id, v.level).await?;
    let after = store::position_skills(&mut tx, Some(&v.position))
        .await?
        .into_iter()
        .find(|p| p.skill_id == v.skill_id)
        .ok_or(AppError::NotFound)?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "position_skill.set",
        "position_skill",
        Some(v.skill_id),
        None,
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn remove_position_skill(
    db: &Db,
    ctx: &Ctx,
    position: &str,
    skill_id: i64,
) -> AppResult<()> {
    if !ctx.actor.can_manage_skill_catalogue() {
        return Err(AppError::Forbidden("set the skills a position requires"));
    }
    let mut tx = db.write().await?;
    let before = store::position_skills(&mut tx, Some(position))
        .await?
        .into_iter()
        .find(|p| p.skill_id == skill_id)
        .ok_or(AppError::NotFound)?;
    store::delete_position_skill(&mut tx, position, skill_id).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "position_skill.remove",
        "position_skill",
        Some(skill_id),
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The departments a department filter means (itself and, with `include_sub`, its subtree);
/// an unknown department is `NotFound`.
pub async fn department_filter(
    tx: &mut Tx,
    department_id: Option<i64>,
    include_sub: bool,
) -> AppResult<Option<Vec<i64>>> {
    match department_id {
        None => Ok(None),
        Some(d) => {
            if !crate::store::department_exists(tx, d).await? {
                return Err(AppError::NotFound);
            }
            Ok(Some(if include_sub {
                crate::store::department_subtree(tx, d).await?
            } else {
                vec![d]
            }))
        }
    }
}

/// Requirements as (position, skill, level).
async fn requirements(tx: &mut Tx) -> AppResult<Vec<(String, i64, i64)>> {
    Ok(store::position_skills(tx, None)
        .await?
        .into_iter()
        .map(|p| (p.position, p.skill_id, p.level))
        .collect())
}

/// The matrix: visible active people (by pinyin) × skills (by category), with each cell's
/// level, what the person's position requires, and whether that is a gap. Paged by people.
pub async fn matrix(
    db: &Db,
    ctx: &Ctx,
    department_id: Option<i64>,
    include_sub: bool,
    category: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Matrix> {
    let limit = clamp_limit(limit);
    let after = match cursor.filter(|c| !c.is_empty()) {
        Some(c) => {
            Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?)
        }
        None => None,
    };
    let today = today(ctx);
    let mut tx = db.read().await?;
    let departments = department_filter(&mut tx, department_id, include_sub).await?;
    let vis = ctx.actor.people_visibility();
    let mut people =
        store::people_lines(&mut tx, &vis, departments.as_deref(), after, limit + 1).await?;
    let next_cursor = if people.len() as i64 > limit {
        people.truncate(limit as usize);
        people.last().map(|p| encode_cursor(&p.sort_key, p.id))
    } else {
        None
    };
    let skills = store::skill_heads(&mut tx, category).await?;
    let reqs = requirements(&mut tx).await?;
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let levels: HashMap<(i64, i64), (i64, Option<String>)> = store::levels_of(&mut tx, &ids)
        .await?
        .into_iter()
        .map(|(p, s, l, e)| ((p, s), (l, e)))
        .collect();
    let rows = people
        .into_iter()
        .map(|p| {
            let cells = skills
                .iter()
                .map(|s| {
                    let got = levels.get(&(p.id, s.id));
                    let required = p.position.as_ref().and_then(|pos| {
                        reqs.iter()
                            .find(|(rp, rs, _)| rp == pos && *rs == s.id)
                            .map(|r| r.2)
                    });
                    cell(
                        got.map(|g| g.0),
                        required,
                        got.and_then(|g| g.1.as_deref()),
                        &today,
                    )
                })
                .collect();
            MatrixRow {
                person_id: p.id,
                name: p.name,
                name_zh: p.name_zh,
                position: p.position,
                department_name: p.department_name,
                cells,
            }
        })
        .collect();
    Ok(Matrix {
        skills,
        rows,
        next_cursor,
    })
}

/// Training needs: for a department and its sub-departments (everyone visible when `None`),
/// which required skills people fall short of, by how much and who. The training module
/// enrols people from this.
pub async fn training_needs(
    db: &Db,
    ctx: &Ctx,
    department_id: Option<i64>,
) -> AppResult<GapReport> {
    let mut tx = db.read().await?;
    training_needs_in(&mut tx, ctx, department_id).await
}

/// [`training_needs`] inside a transaction (training enrols from it in its write).
pub async fn training_needs_in(
    tx: &mut Tx,
    ctx: &Ctx,
    department_id: Option<i64>,
) -> AppResult<GapReport> {
    let today = today(ctx);
    let departments = department_filter(tx, department_id, true).await?;
    let vis = ctx.actor.people_visibility();
    let people = store::people_lines(tx, &vis, departments.as_deref(), None, i64::MAX).await?;
    let skills = store::skill_heads(tx, None).await?;
    let reqs = requirements(tx).await?;
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let levels: HashMap<(i64, i64), (i64, Option<String>)> = store::levels_of(tx, &ids)
        .await?
        .into_iter()
        .map(|(p, s, l, e)| ((p, s), (l, e)))
        .collect();
    // Development plans are review outcomes: they count only for people the caller manages.
    let development: Vec<(i64, i64, i64)> = store::development_needs(tx, &ids)
        .await?
        .into_iter()
        .filter(|(_, dept, _, _)| ctx.actor.can_see_development_needs(*dept))
        .map(|(p, _, s, l)| (p, s, l))
        .collect();
    let lines: Vec<(i64, String, Option<String>)> = people
        .into_iter()
        .map(|p| {
            let name = match p.name_zh {
                Some(z) => format!("{z} {}", p.name),
                None => p.name,
            };
            (p.id, name, p.position)
        })
        .collect();
    Ok(gap_report(
        department_id,
        &lines,
        &reqs,
        &development,
        &skills,
        &levels,
        &today,
    ))
}

/// Each person's current levels (skill → level) for assignment; a level whose certification
/// has expired does not count. Only people the caller may see are returned.
pub async fn levels_of_people(
    db: &Db,
    ctx: &Ctx,
    people: &[i64],
) -> AppResult<HashMap<i64, HashMap<i64, i64>>> {
    let today = today(ctx);
    let mut tx = db.read().await?;
    let vis = ctx.actor.people_visibility();
    let visible: std::collections::HashSet<i64> =
        crate::capacity::store::capacity_people(&mut tx, &vis, None, Some(people), None, i64::MAX)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
    let ids: Vec<i64> = people
        .iter()
        .copied()
        .filter(|p| visible.contains(p))
        .collect();
    let mut out: HashMap<i64, HashMap<i64, i64>> = HashMap::new();
    for (p, s, l, exp) in store::levels_of(&mut tx, &ids).await? {
        if exp.as_deref().is_none_or(|e| e >= today.as_str()) {
            out.entry(p).or_default().insert(s, l);
        }
    }
    Ok(out)
}

/// Writes the rows of a "skills and levels" import inside the kit's transaction: each row's
/// person (by employee number or email) must be visible to the caller (else `not_found`, as a
/// read would answer) and ratable by them (`not_permitted`), its skill must be in the catalogue
/// (by name, ignoring case), and a person and skill may appear once. Every problem is collected;
/// any problem writes nothing. One `person.skill_set` audit event per row, as the form writes.
pub async fn import_levels(
    tx: &mut Tx,
    ctx: &Ctx,
    rows: Vec<(usize, crate::skills::import::LevelRow)>,
) -> Result<usize, imports::ImportFailure> {
    use imports::{ImportFailure, RowError};
    let people = crate::import::PeopleIndex::load(
        tx,
        rows.iter()
            .map(|(_, r)| (r.employee_no.as_deref(), r.email.as_deref())),
    )
    .await?;
    let skills: HashMap<String, i64> = store::list_skills(tx)
        .await?
        .into_iter()
        .map(|s| (s.name.trim().to_lowercase(), s.id))
        .collect();
    let mut errs = Vec::new();
    let mut seen: HashMap<(i64, i64), usize> = HashMap::new();
    let mut writes = Vec::with_capacity(rows.len());
    for (n, r) in &rows {
        let person = match people.find(r.employee_no.as_deref(), r.email.as_deref()) {
            Ok(p) if ctx.actor.can_see_person_capability(p.department_id, p.id) => Some(p),
            Ok(_) => {
                // Hidden people are reported exactly like missing ones.
                let field = if r.employee_no.is_some() {
                    "employee_no"
                } else {
                    "email"
                };
                errs.push(RowError::new(*n, field, "not_found", "no such person"));
                None
            }
            Err((field, why)) => {
                errs.push(RowError::new(*n, field, "not_found", why));
                None
            }
        };
        if let Some(p) = person
            && !ctx.actor.can_rate_skills(p.department_id)
        {
            errs.push(RowError::new(
                *n,
                if r.employee_no.is_some() {
                    "employee_no"
                } else {
                    "email"
                },
                "not_permitted",
                "you may not rate this person's skills",
            ));
        }
        let skill = skills.get(&r.skill.to_lowercase()).copied();
        if skill.is_none() {
            errs.push(RowError::new(
                *n,
                "skill",
                "not_found",
                format!("the catalogue has no skill named {}", r.skill),
            ));
        }
        if let (Some(p), Some(s)) = (person, skill) {
            if let Some(first) = seen.get(&(p.id, s)).copied() {
                errs.push(RowError::new(
                    *n,
                    "skill",
                    "duplicate",
                    format!("this person's level in {} is also in row {first}", r.skill),
                ));
            }
            seen.entry((p.id, s)).or_insert(*n);
            writes.push((p.id, s, &r.input));
        }
    }
    if !errs.is_empty() {
        return Err(ImportFailure::Rows(errs));
    }
    for (person_id, skill_id, input) in writes {
        let before = store::person_skill(tx, person_id, skill_id).await?;
        store::upsert_person_skill(tx, person_id, skill_id, input, ctx.now_ms).await?;
        let after = store::person_skill(tx, person_id, skill_id)
            .await?
            .ok_or(AppError::NotFound)?;
        db::audit::log_change(
            tx,
            ctx,
            "person.skill_set",
            "person",
            Some(person_id),
            before.as_ref().and_then(json),
            json(&after),
        )
        .await?;
    }
    Ok(rows.len())
}

/// Validates a source's development plan items: a text each, a catalogue skill with a target
/// level 1–5 when a skill is named, at most [`MAX_DEVELOPMENT_ITEMS`]. Field names are
/// `{prefix}[i].text` etc.
pub async fn check_development_items(
    tx: &mut Tx,
    c: &mut Checks,
    prefix: &str,
    items: &[DevelopmentItemInput],
) -> AppResult<Vec<DevelopmentItemInput>> {
    if items.len() > MAX_DEVELOPMENT_ITEMS {
        c.push(
            prefix,
            "too_many",
            format!("at most {MAX_DEVELOPMENT_ITEMS} items"),
        );
    }
    let mut out = Vec::new();
    for (i, it) in items.iter().enumerate() {
        let f = |x: &str| format!("{prefix}[{i}].{x}");
        let text = c.text(&f("text"), &it.text, true, 1000);
        if let Some(s) = it.skill_id {
            if store::get_skill(tx, s).await?.is_none() {
                c.push(&f("skill_id"), "not_found", "no such skill");
            }
            match it.target_level {
                Some(l) if LEVELS.contains(&l) => {}
                Some(_) => c.push(&f("target_level"), "out_of_range", "a level from 1 to 5"),
                None => c.push(
                    &f("target_level"),
                    "required",
                    "a skill needs a target level",
                ),
            }
        } else if it.target_level.is_some() {
            c.push(
                &f("target_level"),
                "not_allowed",
                "a target level needs a skill",
            );
        }
        out.push(DevelopmentItemInput {
            text,
            skill_id: it.skill_id,
            target_level: it.target_level,
        });
    }
    Ok(out)
}

/// Replaces the development plan items a review wrote for its reviewee, inside the review's
/// transaction. The caller (performance::reviews) has asked its policy, validated with
/// [`check_development_items`] and audits the change; items with a skill then count as
/// training needs ([`training_needs`]).
pub async fn replace_review_development_items_in(
    tx: &mut Tx,
    ctx: &Ctx,
    review_id: i64,
    person_id: i64,
    items: &[DevelopmentItemInput],
) -> AppResult<Vec<DevelopmentItem>> {
    store::replace_development_items(
        tx,
        "review",
        review_id,
        person_id,
        items,
        ctx.user_id(),
        ctx.now_ms,
    )
    .await?;
    Ok(store::development_items(tx, "review", review_id).await?)
}

/// The development plan items of a review (the caller has asked the review policy).
pub async fn review_development_items_in(
    tx: &mut Tx,
    review_id: i64,
) -> AppResult<Vec<DevelopmentItem>> {
    Ok(store::development_items(tx, "review", review_id).await?)
}
