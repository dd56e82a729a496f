//! Assignment SQL: the skills tasks require, and the unassigned backlog of departments.
use crate::assign::model::{TaskSkill, TaskSkillInput};
use db::sql::Sql;
use db::{DbError, Tx};

pub async fn task_skills(tx: &mut Tx, task_id: i64) -> Result<Vec<TaskSkill>, DbError> {
    tx.fetch_all(
        "SELECT ts.skill_id, s.name AS skill_name, ts.level FROM task_skills ts \
         JOIN skills s ON s.id = ts.skill_id WHERE ts.task_id = $1 ORDER BY s.name",
        &[task_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(TaskSkill {
            skill_id: r.i64("skill_id")?,
            skill_name: r.string("skill_name")?,
            level: r.i64("level")?,
        })
    })
    .collect()
}

/// (task, skill, name, level) for many tasks.
pub async fn skills_of_tasks(tx: &mut Tx, tasks: &[i64]) -> Result<Vec<(i64, TaskSkill)>, DbError> {
    let mut out = Vec::new();
    for chunk in tasks.chunks(500) {
        let mut q = Sql::new(
            "SELECT ts.task_id, ts.skill_id, s.name AS skill_name, ts.level FROM task_skills ts \
             JOIN skills s ON s.id = ts.skill_id WHERE ts.task_id IN ",
        );
        let l = q.in_list(chunk);
        q.push(&l);
        for r in tx.fetch_all(&q.text, &q.args).await? {
            out.push((
                r.i64("task_id")?,
                TaskSkill {
                    skill_id: r.i64("skill_id")?,
                    skill_name: r.string("skill_name")?,
                    level: r.i64("level")?,
                },
            ));
        }
    }
    Ok(out)
}

pub async fn replace_task_skills(
    tx: &mut Tx,
    task_id: i64,
    skills: &[TaskSkillInput],
) -> Result<(), DbError> {
    tx.execute(
        "DELETE FROM task_skills WHERE task_id = $1",
        &[task_id.into()],
    )
    .await?;
    for s in skills {
        tx.execute(
            "INSERT INTO task_skills (task_id, skill_id, level) VALUES ($1,$2,$3)",
            &[task_id.into(), s.skill_id.into(), s.level.into()],
        )
        .await?;
    }
    Ok(())
}

pub async fn skill_exists(tx: &mut Tx, id: i64) -> Result<bool, DbError> {
    Ok(tx
        .count(
            "SELECT COUNT(*) AS n FROM skills WHERE id = $1",
            &[id.into()],
        )
        .await?
        > 0)
}

/// An unassigned open task to plan.
pub struct BacklogTask {
    pub id: i64,
    pub title: String,
    pub version: i64,
    pub due_date: Option<String>,
    pub estimate_hours: Option<f64>,
}

/// Unassigned open (todo, doing, blocked) tasks of the departments, most urgent first.
pub async fn backlog(
    tx: &mut Tx,
    departments: &[i64],
    limit: i64,
) -> Result<Vec<BacklogTask>, DbError> {
    let mut q = Sql::new(
        "SELECT id, title, version, due_date, estimate_hours FROM tasks \
         WHERE assignee_id IS NULL AND status IN ('todo','doing','blocked') AND department_id IN ",
    );
    let l = q.in_list(departments);
    q.push(&l);
    let lp = q.arg(limit);
    q.push(&format!(
        " ORDER BY CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, \
         COALESCE(due_date, '9999-12-31'), id LIMIT {lp}"
    ));
    tx.fetch_all(&q.text, &q.args)
        .await?
        .iter()
        .map(|r| {
            Ok(BacklogTask {
                id: r.i64("id")?,
                title: r.string("title")?,
                version: r.i64("version")?,
                due_date: r.opt_string("due_date")?,
                estimate_hours: r.opt_f64("estimate_hours")?,
            })
        })
        .collect()
}
