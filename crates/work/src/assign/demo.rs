//! The assignment part of the demo: skills the demo's open tasks require, chosen from their
//! department's work (see `team::skills_demo`).
use db::Db;
use kernel::AppResult;

/// At most this many open tasks get required skills (the large demo has 100,000 tasks).
const MAX_TASKS: i64 = 5000;

pub async fn load(db: &Db, now: i64) -> AppResult<()> {
    let skills = team::skills_demo::load(db, now).await?;
    let mut tx = db.write().await?;
    let tasks = tx
        .fetch_all(
            "SELECT t.id, d.code FROM tasks t JOIN departments d ON d.id = t.department_id \
             WHERE t.status IN ('todo','doing','blocked') ORDER BY t.id LIMIT $1",
            &[MAX_TASKS.into()],
        )
        .await?;
    for r in tasks {
        let id = r.i64("id")?;
        let code = r.opt_string("code")?.unwrap_or_default();
        let own = team::skills_demo::department_skills(&code);
        let h = team::skills_demo::mix(id, 7);
        let n = 1 + (h % 2) as usize;
        for j in 0..n {
            let k = own[(h as usize + j) % own.len()];
            let level = 2 + ((h >> (8 + j)) % 3) as i64;
            tx.execute(
                "INSERT INTO task_skills (task_id, skill_id, level) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING",
                &[id.into(), skills[k].into(), level.into()],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
