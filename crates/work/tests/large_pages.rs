//! Handler cost of the task pages and the list API on the benchmark data set (100,000 tasks,
//! 2,000 people), per role, without the server around them. Slow to load, so ignored:
//! `cargo test --release -p work --test large_pages -- --ignored --nocapture`.
use axum::body::Body;
use axum::http::Request;
use db::Backend;
use db::testing::TestDb;
use kernel::{Locale, Role};
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;
use ui::{AppState, Auth, RequestInfo, Theme, WebConfig};
use work::demo::{DemoSize, load_demo};

const NOW: i64 = 1_780_000_000_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn pages_on_the_large_set() {
    let t = TestDb::new(Backend::Sqlite).await;
    let db = &t.db;
    load_demo(db, NOW, DemoSize::Large).await.unwrap();
    let mut tx = db.read().await.unwrap();
    let row = tx
        .fetch_all(
            "SELECT id, department_id FROM people WHERE department_id IS NOT NULL AND user_id IS NULL \
             ORDER BY id LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    let (person, dept) = (
        row[0].i64("id").unwrap(),
        row[0].i64("department_id").unwrap(),
    );
    drop(tx);
    for role in [Role::Admin, Role::Manager, Role::Member] {
        let name = format!("bench_{}", role.as_str());
        let mut tx = db.write().await.unwrap();
        let uid = tx
            .insert_id(
                "INSERT INTO users (username, password_hash, role, created_at, updated_at) \
                 VALUES ($1,'x',$2,0,0) RETURNING id",
                &[name.as_str().into(), role.as_str().into()],
            )
            .await
            .unwrap();
        if role == Role::Member {
            tx.execute(
                "UPDATE people SET user_id = $1 WHERE id = $2",
                &[uid.into(), person.into()],
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let mut tx = db.read().await.unwrap();
        let mut actor = team::resolve_actor(&mut tx, uid, &name, role)
            .await
            .unwrap();
        if role == Role::Manager {
            actor.department_id = Some(dept);
            actor.scope = team::department_subtree(&mut tx, dept).await.unwrap();
        }
        drop(tx);
        let info = RequestInfo {
            request_id: "bench".into(),
            source_ip: None,
            locale: Locale::ZhCn,
            theme: Theme::System,
            auth: Some(Auth {
                actor,
                csrf: Some("t".into()),
                via_token: false,
            }),
            anon_csrf: None,
        };
        let st = AppState {
            db: db.clone(),
            clock: Arc::new(kernel::clock::ManualClock::new(NOW)),
            web: Arc::new(WebConfig::default()),
        };
        let (api, _) = work::api::router().split_for_parts();
        let app = api
            .merge(work::pages::router())
            .layer(axum::Extension(info))
            .with_state(st);
        for uri in [
            "/tasks",
            "/tasks?status=doing",
            "/tasks?sort=due_date",
            "/tasks/board",
            "/tasks/new",
            "/api/v1/tasks?limit=50",
        ] {
            let n = 100;
            let start = Instant::now();
            let mut len = 0;
            for _ in 0..n {
                let r = app
                    .clone()
                    .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                    .await
                    .unwrap();
                assert!(r.status().is_success(), "{uri}: {}", r.status());
                len = axum::body::to_bytes(r.into_body(), 1 << 24)
                    .await
                    .unwrap()
                    .len();
            }
            println!(
                "{role:?} {uri}: {:?} per request, {len} bytes",
                start.elapsed() / n
            );
        }
    }
}
