//! Periodic background jobs. Each job holds a lease row in the database while it runs, so with
//! several nodes on one PostgreSQL database a job runs exactly once per period across them;
//! `job_runs` logs each run (job, node, time) in the claiming transaction.
use db::Val;
use std::time::Duration;
use ui::AppState;

struct Job {
    name: &'static str,
    every_ms: i64,
}

const JOBS: &[Job] = &[
    Job {
        name: "housekeeping",
        every_ms: 10 * 60_000,
    },
    Job {
        name: "notification_digest",
        every_ms: 60 * 60_000,
    },
    Job {
        name: "certificate_reminders",
        every_ms: 60 * 60_000,
    },
    // KPIs computed from opsdesk's own data, and the red/anomaly alerts of every KPI.
    Job {
        name: "kpi_refresh",
        every_ms: 15 * 60_000,
    },
    // Hourly is enough: a week's reminder is claimed once per (key result, week) anyway.
    Job {
        name: "goal_checkin_reminders",
        every_ms: 60 * 60_000,
    },
    Job {
        name: "goal_kpi_refresh",
        every_ms: 15 * 60_000,
    },
    // Hourly: each (request or review, phase, offset) is claimed once anyway.
    Job {
        name: "review_reminders",
        every_ms: 60 * 60_000,
    },
];

/// The periodic jobs' names (for tests that check each runs exactly once per period).
pub fn job_names() -> Vec<&'static str> {
    JOBS.iter().map(|j| j.name).collect()
}

/// Runs due jobs every `tick` (30 s in production; tests shorten it).
/// How long the run log (`job_runs`) is kept.
const RUN_LOG_KEEP_MS: i64 = 30 * 86_400_000;

pub fn spawn(st: AppState, tick: Duration) -> tokio::task::JoinHandle<()> {
    let holder = db::random_hex(8);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(tick);
        loop {
            tick.tick().await;
            for job in JOBS {
                match claim(&st, job, &holder).await {
                    Ok(true) => {
                        if let Err(e) = run(&st, job.name).await {
                            tracing::warn!(job = job.name, error = %e, "job failed");
                        }
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::debug!(job = job.name, error = %e, "job lease not available")
                    }
                }
            }
        }
    })
}

/// Takes the job's turn if it is due and nobody else holds it; records the run atomically.
async fn claim(st: &AppState, job: &Job, holder: &str) -> Result<bool, db::DbError> {
    let now = st.now_ms();
    let mut tx = st.db.write().await?;
    tx.execute(
        "INSERT INTO job_leases (name, holder, lease_until, last_run_at) VALUES ($1, NULL, 0, NULL) \
         ON CONFLICT (name) DO NOTHING",
        &[job.name.into()],
    )
    .await?;
    let n = tx
        .execute(
            "UPDATE job_leases SET holder = $2, lease_until = $3, last_run_at = $4 \
             WHERE name = $1 AND lease_until < $4 AND (last_run_at IS NULL OR last_run_at <= $5)",
            &[
                job.name.into(),
                holder.into(),
                Val::from(now + 5 * 60_000),
                now.into(),
                (now - job.every_ms).into(),
            ],
        )
        .await?;
    if n == 1 {
        tx.execute(
            "INSERT INTO job_runs (name, holder, started_at) VALUES ($1, $2, $3)",
            &[job.name.into(), holder.into(), now.into()],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

async fn run(st: &AppState, name: &str) -> Result<(), kernel::AppError> {
    let now = st.now_ms();
    match name {
        "housekeeping" => {
            identity::service::housekeeping(&st.db, now).await?;
            imports::service::purge(&st.db, now).await?;
            let mut tx = st.db.write().await?;
            tx.execute(
                "DELETE FROM job_runs WHERE started_at < $1",
                &[(now - RUN_LOG_KEEP_MS).into()],
            )
            .await?;
            tx.commit().await?;
        }
        "notification_digest" => notify::service::run_digest(&st.db, now).await?,
        "certificate_reminders" => {
            team::training::reminders::send_certificate_reminders(
                &st.db,
                now,
                team::training::reminders::DEFAULT_DAYS_BEFORE,
            )
            .await?;
        }
        "kpi_refresh" => {
            performance::kpi::service::refresh_all(&st.db, now).await?;
        }
        "goal_checkin_reminders" => {
            performance::goals::service::run_checkin_reminders(&st.db, now).await?;
        }
        "review_reminders" => {
            performance::reviews::reports::reminders::send_review_reminders(&st.db, now).await?;
        }
        "goal_kpi_refresh" => {
            performance::goals::service::refresh_kpi_bound(&st.db, now).await?;
        }
        _ => {}
    }
    let mut tx = st.db.write().await?;
    tx.execute(
        "UPDATE job_leases SET lease_until = 0 WHERE name = $1",
        &[name.into()],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
