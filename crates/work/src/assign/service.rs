//! Assignment use cases. Suggest reads what the caller may see (the task: 404 otherwise; the
//! candidates: people in the caller's scope). Auto-assign needs the right to plan the
//! department; its preview changes nothing, and accepting goes through the task service
//! (policy, audit, notifications) in one transaction.
use crate::assign::model::{
    AcceptRequest, AcceptResult, Alternative, DEFAULT_ESTIMATE_HOURS, DEFAULT_WINDOW_DAYS, Preview,
    PreviewLoad, PreviewRequest, PreviewRow, PreviewUnassigned, ScoreParts, Suggestion,
    Suggestions, TaskSkill, TaskSkillsInput, score, task_window,
};
use crate::assign::store;
use db::Db;
use kernel::dates::{format_date, parse_date};
use kernel::validate::Checks;
use kernel::{AppError, AppResult, Ctx};
use optimize::Matrix;
use optimize::capacitated::{CapacitatedProblem, UnassignedReason, solve_capacitated};
use optimize::suggest::{Candidate, SkillNeed, Weights, suggest_score};
use std::collections::HashMap;
use team::capacity::Availability;
use time::{Date, Duration};

/// The most tasks one auto-assign plans.
pub const MAX_BATCH: i64 = 5000;

fn today(ctx: &Ctx) -> Date {
    kernel::dates::date_of(ctx.now_ms, crate::service::DEFAULT_OFFSET_HOURS)
}

pub async fn task_skills(db: &Db, ctx: &Ctx, task_id: i64) -> AppResult<Vec<TaskSkill>> {
    crate::service::get(db, ctx, task_id).await?;
    let mut tx = db.read().await?;
    Ok(store::task_skills(&mut tx, task_id).await?)
}

/// Replaces the skills a task requires (whoever may edit the task).
pub async fn set_task_skills(
    db: &Db,
    ctx: &Ctx,
    task_id: i64,
    input: &TaskSkillsInput,
) -> AppResult<Vec<TaskSkill>> {
    let task = crate::service::get(db, ctx, task_id).await?;
    if !ctx.actor.can_edit_task(&task.facts()) {
        return Err(AppError::Forbidden("edit this task"));
    }
    let mut c = Checks::new();
    let mut seen = std::collections::HashSet::new();
    let mut tx = db.write().await?;
    for (i, s) in input.skills.iter().enumerate() {
        if !(1..=5).contains(&s.level) {
            c.push(
                &format!("skills[{i}].level"),
                "out_of_range",
                "must be a level from 1 to 5",
            );
        }
        if !seen.insert(s.skill_id) {
            c.push(
                &format!("skills[{i}].skill_id"),
                "duplicate",
                "the skill is listed twice",
            );
        } else if !store::skill_exists(&mut tx, s.skill_id).await? {
            c.push(
                &format!("skills[{i}].skill_id"),
                "not_found",
                "no such skill",
            );
        }
    }
    c.finish()?;
    let before = store::task_skills(&mut tx, task_id).await?;
    store::replace_task_skills(&mut tx, task_id, &input.skills).await?;
    let after = store::task_skills(&mut tx, task_id).await?;
    db::audit::log_change(
        &mut tx,
        ctx,
        "task.skills_set",
        "task",
        Some(task_id),
        // History snapshots are objects (the API's HistoryItem contract), so wrap the list.
        Some(serde_json::json!({ "skills": before })),
        Some(serde_json::json!({ "skills": after })),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Engine keys for skills (ids as text), and a person's levels as the engine reads them.
fn engine_levels<'a>(
    keys: &'a HashMap<i64, String>,
    levels: Option<&HashMap<i64, i64>>,
) -> Vec<(&'a str, u8)> {
    levels
        .map(|m| {
            m.iter()
                .filter_map(|(s, l)| keys.get(s).map(|k| (k.as_str(), (*l).clamp(0, 5) as u8)))
                .collect()
        })
        .unwrap_or_default()
}

/// Ranked, explained candidates for one task: skill fit, free capacity in the task's window
/// and current load (see `optimize::suggest`). Ties: more free hours first, then by id.
pub async fn suggest(
    db: &Db,
    ctx: &Ctx,
    task_id: i64,
    limit: Option<i64>,
) -> AppResult<Suggestions> {
    let task = crate::service::get(db, ctx, task_id).await?;
    let limit = limit.unwrap_or(10).clamp(1, 100) as usize;
    let required = {
        let mut tx = db.read().await?;
        store::task_skills(&mut tx, task_id).await?
    };
    let departments = match task.department_id {
        Some(d) => {
            let mut tx = db.read().await?;
            Some(team::department_subtree(&mut tx, d).await?)
        }
        None => None,
    };
    let today = today(ctx);
    let (from, to) = task_window(today, task.due_date.as_deref().and_then(parse_date));
    let people = team::capacity::availability(db, ctx, departments.as_deref(), from, to).await?;
    let ids: Vec<i64> = people.iter().map(|p| p.person_id).collect();
    let levels = team::skills::service::levels_of_people(db, ctx, &ids).await?;
    let hours = task.estimate_hours.unwrap_or(DEFAULT_ESTIMATE_HOURS);
    let names: HashMap<i64, String> = required
        .iter()
        .map(|s| (s.skill_id, s.skill_name.clone()))
        .collect();
    let empty = HashMap::new();
    let mut ranked: Vec<Suggestion> = people
        .iter()
        .map(|p| {
            let s = score(
                &required,
                hours,
                levels.get(&p.person_id).unwrap_or(&empty),
                p.free_hours(),
                p.load_ratio(),
            );
            Suggestion {
                rank: 0,
                person_id: p.person_id,
                name: p.name.clone(),
                free_hours: p.free_hours(),
                capacity_hours: p.capacity_hours,
                assigned_hours: p.assigned_hours,
                parts: ScoreParts::from_score(s, &names),
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.parts
            .score
            .total_cmp(&a.parts.score)
            .then(b.free_hours.total_cmp(&a.free_hours))
            .then(a.person_id.cmp(&b.person_id))
    });
    ranked.truncate(limit);
    for (i, s) in ranked.iter_mut().enumerate() {
        s.rank = i as i64 + 1;
    }
    Ok(Suggestions {
        task_id,
        task_hours: hours,
        estimate_assumed: task.estimate_hours.is_none(),
        window_from: format_date(from),
        window_to: format_date(to),
        required,
        candidates: ranked,
    })
}

/// The optimal capacitated plan for the department's unassigned open tasks (a preview: nothing
/// is written). Each person's capacity is their free hours from today to the latest task
/// window (at least two weeks); a pair is allowed only if the person has at least one of the
/// task's required skills.
pub async fn preview(db: &Db, ctx: &Ctx, req: &PreviewRequest) -> AppResult<Preview> {
    let departments = {
        let mut tx = db.read().await?;
        if !team::store::department_exists(&mut tx, req.department_id).await? {
            return Err(AppError::NotFound);
        }
        if req.include_subdepartments.unwrap_or(true) {
            team::department_subtree(&mut tx, req.department_id).await?
        } else {
            vec![req.department_id]
        }
    };
    if !ctx.actor.can_plan_assignments(Some(req.department_id)) {
        return Err(AppError::Forbidden("auto-assign this department's tasks"));
    }
    let (tasks, task_skills) = {
        let mut tx = db.read().await?;
        let tasks = store::backlog(&mut tx, &departments, MAX_BATCH).await?;
        let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
        let mut by_task: HashMap<i64, Vec<TaskSkill>> = HashMap::new();
        for (t, s) in store::skills_of_tasks(&mut tx, &ids).await? {
            by_task.entry(t).or_default().push(s);
        }
        (tasks, by_task)
    };
    let today = today(ctx);
    let horizon = tasks
        .iter()
        .map(|t| task_window(today, t.due_date.as_deref().and_then(parse_date)).1)
        .fold(today + Duration::days(DEFAULT_WINDOW_DAYS), Date::max);
    let people: Vec<Availability> =
        team::capacity::availability(db, ctx, Some(&departments), today, horizon).await?;
    let ids: Vec<i64> = people.iter().map(|p| p.person_id).collect();
    let levels = team::skills::service::levels_of_people(db, ctx, &ids).await?;

    // Engine inputs, built once: skill keys, each task's needs, each person's levels.
    let mut keys: HashMap<i64, String> = HashMap::new();
    for s in task_skills.values().flatten() {
        keys.entry(s.skill_id)
            .or_insert_with(|| s.skill_id.to_string());
    }
    let person_levels: Vec<Vec<(&str, u8)>> = people
        .iter()
        .map(|p| engine_levels(&keys, levels.get(&p.person_id)))
        .collect();
    let no_skills: Vec<TaskSkill> = Vec::new();
    let needs: Vec<Vec<SkillNeed>> = tasks
        .iter()
        .map(|t| {
            task_skills
                .get(&t.id)
                .unwrap_or(&no_skills)
                .iter()
                .map(|s| SkillNeed {
                    skill: keys[&s.skill_id].as_str(),
                    level: s.level.clamp(0, 5) as u8,
                })
                .collect()
        })
        .collect();
    let hours: Vec<f64> = tasks
        .iter()
        .map(|t| t.estimate_hours.unwrap_or(DEFAULT_ESTIMATE_HOURS).max(0.0))
        .collect();
    let (n_t, n_p) = (tasks.len(), people.len());
    let mut fit = Vec::with_capacity(n_t * n_p);
    for (t, need) in needs.iter().enumerate() {
        for (p, person) in people.iter().enumerate() {
            let s = suggest_score(
                need,
                hours[t],
                &Candidate {
                    skills: &person_levels[p],
                    free_hours: person.free_hours(),
                    load_ratio: person.load_ratio(),
                },
                Weights::default(),
            );
            let allowed = need.is_empty() || s.skill_fit > 0.0;
            fit.push(if allowed { s.score } else { f64::NEG_INFINITY });
        }
    }
    let fit = Matrix::from_row_major(n_t, n_p, fit);
    let problem = CapacitatedProblem {
        capacities: people.iter().map(Availability::free_hours).collect(),
        estimates: hours.clone(),
        fit,
    };
    let plan = solve_capacitated(&problem).map_err(|e| AppError::Internal(e.to_string()))?;

    let names: HashMap<i64, String> = task_skills
        .values()
        .flatten()
        .map(|s| (s.skill_id, s.skill_name.clone()))
        .collect();
    let fit_at = |t: usize, p: usize| problem.fit.as_slice()[t * n_p + p];
    let rows = plan
        .assignments
        .iter()
        .map(|a| {
            let (t, p) = (&tasks[a.task], &people[a.person]);
            let s = suggest_score(
                &needs[a.task],
                hours[a.task],
                &Candidate {
                    skills: &person_levels[a.person],
                    free_hours: p.free_hours(),
                    load_ratio: p.load_ratio(),
                },
                Weights::default(),
            );
            let mut alts: Vec<usize> = (0..n_p)
                .filter(|&q| q != a.person && fit_at(a.task, q).is_finite())
                .collect();
            alts.sort_by(|&x, &y| {
                fit_at(a.task, y)
                    .total_cmp(&fit_at(a.task, x))
                    .then(x.cmp(&y))
            });
            alts.truncate(3);
            PreviewRow {
                task_id: t.id,
                title: t.title.clone(),
                version: t.version,
                due_date: t.due_date.clone(),
                hours: hours[a.task],
                estimate_assumed: t.estimate_hours.is_none(),
                person_id: p.person_id,
                person_name: p.name.clone(),
                rank: a.explanation.rank as i64,
                parts: ScoreParts::from_score(s, &names),
                alternatives: alts
                    .into_iter()
                    .map(|q| Alternative {
                        person_id: people[q].person_id,
                        name: people[q].name.clone(),
                        score: fit_at(a.task, q),
                    })
                    .collect(),
            }
        })
        .collect();
    let unassigned = plan
        .unassigned
        .iter()
        .map(|u| PreviewUnassigned {
            task_id: tasks[u.task].id,
            title: tasks[u.task].title.clone(),
            reason: match u.reason {
                UnassignedReason::NoAllowedPerson => "no_allowed_person",
                UnassignedReason::TooBigForEveryone => "too_big_for_everyone",
                UnassignedReason::NoPositiveFit => "no_positive_fit",
                UnassignedReason::CapacityTaken => "capacity_taken",
            }
            .to_string(),
        })
        .collect();
    let loads = plan
        .loads
        .iter()
        .filter(|l| !l.tasks.is_empty())
        .map(|l| PreviewLoad {
            person_id: people[l.person].person_id,
            name: people[l.person].name.clone(),
            free_hours: l.capacity,
            planned_hours: l.assigned_hours,
            tasks: l.tasks.len() as i64,
        })
        .collect();
    Ok(Preview {
        department_id: req.department_id,
        window_from: format_date(today),
        window_to: format_date(horizon),
        rows,
        unassigned,
        loads,
        total_score: plan.total_fit,
        upper_bound: plan.upper_bound,
        optimal: plan.optimal,
    })
}

/// Accepts previewed rows (all, some, or adjusted): every task is assigned through the task
/// service in one transaction, so it is all or nothing, and a task changed since the preview
/// (its version) refuses the whole acceptance with 412.
pub async fn accept(db: &Db, ctx: &Ctx, req: &AcceptRequest) -> AppResult<AcceptResult> {
    let mut c = Checks::new();
    if req.items.is_empty() {
        c.push("items", "required", "accept at least one row");
    }
    let mut seen = std::collections::HashSet::new();
    for (i, it) in req.items.iter().enumerate() {
        if !seen.insert(it.task_id) {
            c.push(
                &format!("items[{i}].task_id"),
                "duplicate",
                "the task is listed twice",
            );
        }
    }
    c.finish()?;
    let items: Vec<(i64, i64, i64)> = req
        .items
        .iter()
        .map(|i| (i.task_id, i.version, i.person_id))
        .collect();
    let tasks = crate::service::assign_batch(db, ctx, &items).await?;
    Ok(AcceptResult {
        assigned: tasks.len() as i64,
        task_ids: tasks.iter().map(|t| t.id).collect(),
    })
}
