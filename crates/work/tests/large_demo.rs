//! The benchmark data set: loads 2,000 people and 100,000 tasks on SQLite well under a minute,
//! and the hot list (50 tasks by department and status) stays fast. Slow in debug builds, so
//! ignored by default: `cargo test --release -p work --test large_demo -- --ignored --nocapture`.
use db::Backend;
use db::testing::TestDb;
use kernel::Ctx;
use std::time::{Duration, Instant};
use work::demo::{DemoSize, load_demo};
use work::model::{Status, TaskFilter};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn large_demo_loads_fast_and_lists_fast() {
    let t = TestDb::new(Backend::Sqlite).await;
    let db = &t.db;
    let now = 1_780_000_000_000;
    let start = Instant::now();
    let s = load_demo(db, now, DemoSize::Large).await.unwrap();
    let load = start.elapsed();
    println!("large demo: {s:?} in {load:?}");
    assert_eq!((s.people, s.tasks), (2000, 100_000));
    assert!(load < Duration::from_secs(60), "{load:?}");

    let mut tx = db.read().await.unwrap();
    let ops = tx
        .count("SELECT id AS n FROM departments WHERE code = 'CS'", &[])
        .await
        .unwrap();
    let plan = tx
        .fetch_all(
            "EXPLAIN QUERY PLAN SELECT t.id FROM tasks t LEFT JOIN people p ON p.id = t.assignee_id \
             LEFT JOIN departments d ON d.id = t.department_id WHERE 1=1 AND t.department_id = $1 \
             AND t.status = $2 ORDER BY t.id DESC LIMIT 51",
            &[ops.into(), "doing".into()],
        )
        .await
        .unwrap();
    for r in &plan {
        println!("plan: {}", r.string("detail").unwrap());
    }
    drop(tx);
    let ctx = Ctx::system(now);
    let f = TaskFilter {
        department_id: Some(ops),
        status: vec![Status::Doing],
        limit: Some(50),
        ..Default::default()
    };
    let n = 2000;
    let start = Instant::now();
    for _ in 0..n {
        let p = work::service::list(db, &ctx, &f).await.unwrap();
        assert_eq!(p.items.len(), 50);
    }
    let per = start.elapsed() / n;
    println!("list of 50 by department+status: {per:?} per call on one task");
}
