//! `serve --demo`: a realistic demo company in an empty database, and demo accounts whose
//! password is made fresh and printed at every start (so there are never default credentials).
use kernel::Role;
use ui::AppState;

pub const DEMO_ACCOUNTS: [(&str, Role); 4] = [
    ("admin", Role::Admin),
    ("manager", Role::Manager),
    ("member", Role::Member),
    ("viewer", Role::Viewer),
];

pub async fn ensure_demo(st: &AppState) -> anyhow::Result<()> {
    let now = st.now_ms();
    let err = |e: kernel::AppError| anyhow::anyhow!("demo: {e}");
    let fresh = identity::service::setup_needed(&st.db).await.map_err(err)?;
    if fresh {
        work::demo::load_demo(&st.db, now, work::demo::DemoSize::Small)
            .await
            .map_err(err)?;
        team::people_demo::load(&st.db, now).await.map_err(err)?;
    }
    let password = format!("demo-{}", &db::random_hex(6));
    let people = team::demo::demo_people_for_accounts(&st.db)
        .await
        .map_err(err)?;
    for ((username, role), person) in DEMO_ACCOUNTS.iter().zip(people) {
        identity::service::upsert_demo_user(&st.db, now, username, *role, &password)
            .await
            .map_err(err)?;
        team::demo::link_user(&st.db, now, person, username)
            .await
            .map_err(err)?;
    }
    if fresh {
        // After the accounts are linked, so the red KPI's alert reaches the demo people.
        performance::kpi::demo::load_demo(&st.db, now)
            .await
            .map_err(err)?;
        // Goals bind key results to demo KPIs, and scorecards weigh them: both after the KPIs.
        performance::goals::demo::load_demo(&st.db, now)
            .await
            .map_err(err)?;
        performance::scorecards::demo::load_demo(&st.db, now)
            .await
            .map_err(err)?;
        // Reviews show goals and scorecards as evidence: after them.
        performance::reviews::demo::load_demo(&st.db, now)
            .await
            .map_err(err)?;
    }
    println!("\nopsdesk demo company loaded. Sign in with any of these accounts:");
    for (u, r) in DEMO_ACCOUNTS {
        println!("  {u:<8} ({})  password: {password}", r.as_str());
    }
    println!();
    Ok(())
}
