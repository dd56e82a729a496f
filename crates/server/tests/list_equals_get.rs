//! List equals get: over random organisations (department trees, accounts of every role, tasks
//! with random departments, assignees and creators), for every account the ids reachable through
//! the list (all pages), its filters and the board are exactly the ids a direct GET allows — on
//! SQLite and PostgreSQL. The negative control drops the list's scope filter for one account
//! (work's test-only `fault-injection` switch) and requires the property to notice.
use crate::common::*;
use kernel::Role;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
struct Org {
    /// parent index (< own index) per department; None = top level.
    depts: Vec<Option<usize>>,
    /// role and department index per account.
    users: Vec<(Role, Option<usize>)>,
    /// department, assignee (account index), creator (account index) per task.
    tasks: Vec<(Option<usize>, Option<usize>, usize)>,
}

fn org() -> impl Strategy<Value = Org> {
    (2usize..5, 2usize..6).prop_flat_map(|(nd, nu)| {
        let depts = (0..nd)
            .map(|i| {
                if i == 0 {
                    Just(None).boxed()
                } else {
                    proptest::option::of(0..i).boxed()
                }
            })
            .collect::<Vec<_>>();
        let role = prop_oneof![
            Just(Role::Viewer),
            Just(Role::Member),
            Just(Role::Manager),
            Just(Role::Admin)
        ];
        let users = proptest::collection::vec((role, proptest::option::of(0..nd)), nu);
        let tasks = proptest::collection::vec(
            (
                proptest::option::of(0..nd),
                proptest::option::of(0..nu),
                0..nu,
            ),
            3..12,
        );
        (depts, users, tasks).prop_map(|(depts, users, tasks)| Org {
            depts,
            users,
            tasks,
        })
    })
}

struct Built {
    /// (username, token) per account.
    users: Vec<(String, String)>,
    tasks: Vec<i64>,
    depts: Vec<i64>,
    persons: Vec<i64>,
}

async fn build(app: &App, org: &Org, prefix: &str) -> Built {
    let admin = app.api(
        &app.user_with_token(&format!("{prefix}root"), Role::Admin)
            .await,
    );
    let mut depts = Vec::new();
    for (i, parent) in org.depts.iter().enumerate() {
        let d: Value = admin
            .post(
                "/api/v1/departments",
                &json!({"name": format!("{prefix}d{i}"), "parent_id": parent.map(|p| depts[p])}),
            )
            .await
            .json()
            .await
            .unwrap();
        depts.push(d["id"].as_i64().unwrap());
    }
    let mut users = Vec::new();
    let mut persons = Vec::new();
    let mut user_ids = Vec::new();
    for (i, (role, dept)) in org.users.iter().enumerate() {
        let name = format!("{prefix}u{i}");
        let token = app.user_with_token(&name, *role).await;
        let me: Value = app
            .api(&token)
            .get("/api/v1/me")
            .await
            .json()
            .await
            .unwrap();
        let uid = me["user"]["id"].as_i64().unwrap();
        let p: Value = admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": name, "name": name, "department_id": dept.map(|d| depts[d]),
                        "user_id": uid}),
            )
            .await
            .json()
            .await
            .unwrap();
        persons.push(p["id"].as_i64().unwrap());
        user_ids.push(uid);
        users.push((name, token));
    }
    let mut tasks = Vec::new();
    for (i, (dept, assignee, creator)) in org.tasks.iter().enumerate() {
        let status = ["todo", "doing", "blocked", "done"][i % 4];
        let t: Value = admin
            .post(
                "/api/v1/tasks",
                &json!({"title": format!("{prefix}t{i}"), "department_id": dept.map(|d| depts[d]),
                        "assignee_id": assignee.map(|a| persons[a]),
                        "status": status}),
            )
            .await
            .json()
            .await
            .unwrap();
        let id = t["id"].as_i64().unwrap();
        // The creator is part of visibility; only the database can make anyone the creator.
        let mut tx = app.db().write().await.unwrap();
        tx.execute(
            "UPDATE tasks SET created_by = $1 WHERE id = $2",
            &[
                db::Val::I64(Some(user_ids[*creator])),
                db::Val::I64(Some(id)),
            ],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        tasks.push(id);
    }
    Built {
        users,
        tasks,
        depts,
        persons,
    }
}

/// The ids of `href="/tasks/ID"` links in a page.
fn task_links(html: &str) -> BTreeSet<i64> {
    html.split("href=\"/tasks/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

/// Every task id of every page of the task list.
async fn all_pages(api: &Api, query: &str) -> Result<BTreeSet<i64>, String> {
    pages_of(api, "/api/v1/tasks", query).await
}

/// Every id of every page of a cursor-paginated collection.
async fn pages_of(api: &Api, collection: &str, query: &str) -> Result<BTreeSet<i64>, String> {
    let mut ids = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("{collection}?limit=3&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let r = api.get(&path).await;
        if r.status() != 200 {
            return Err(format!("{path}: {}", r.status()));
        }
        let v: Value = r.json().await.unwrap();
        for t in v["items"].as_array().unwrap() {
            ids.insert(t["id"].as_i64().unwrap());
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return Ok(ids),
        }
    }
}

/// The property for one account: Err describes the first difference.
async fn check_account(api: &Api, b: &Built, who: &str, prefix: &str) -> Result<(), String> {
    // Earlier cases' tasks share the server: searches are narrowed to this case's titles.
    let mine = format!("{prefix}t");
    let mut gettable = BTreeSet::new();
    for id in &b.tasks {
        match api
            .get(&format!("/api/v1/tasks/{id}"))
            .await
            .status()
            .as_u16()
        {
            200 => {
                gettable.insert(*id);
            }
            404 => {}
            s => return Err(format!("{who}: GET task {id} answered {s}")),
        }
    }
    let ours: BTreeSet<i64> = b.tasks.iter().copied().collect();
    let listed: BTreeSet<i64> = all_pages(api, "")
        .await?
        .intersection(&ours)
        .copied()
        .collect();
    if listed != gettable {
        return Err(format!("{who}: list {listed:?} ≠ get {gettable:?}"));
    }
    // Every filter shows a subset of what GET allows, and the status filters partition it.
    let mut by_status = BTreeSet::new();
    for s in ["todo", "doing", "blocked", "done", "cancelled"] {
        let ids = all_pages(api, &format!("status={s}")).await?;
        let ids: BTreeSet<i64> = ids.intersection(&ours).copied().collect();
        by_status.extend(ids);
    }
    if by_status != gettable {
        return Err(format!(
            "{who}: status filters {by_status:?} ≠ get {gettable:?}"
        ));
    }
    for d in &b.depts {
        for sub in ["false", "true"] {
            let q = format!("department_id={d}&include_subdepartments={sub}");
            let ids = all_pages(api, &q).await?;
            if let Some(x) = ids.intersection(&ours).find(|x| !gettable.contains(x)) {
                return Err(format!("{who}: {q} shows task {x}, which GET refuses"));
            }
        }
    }
    for a in ["me", "none"] {
        let ids = all_pages(api, &format!("assignee={a}")).await?;
        if let Some(x) = ids.intersection(&ours).find(|x| !gettable.contains(x)) {
            return Err(format!(
                "{who}: assignee={a} shows task {x}, which GET refuses"
            ));
        }
    }
    let searched = all_pages(api, &format!("q={mine}")).await?;
    if searched != gettable {
        return Err(format!("{who}: search {searched:?} ≠ get {gettable:?}"));
    }
    // The pages show the same: the list page and the board page (a bearer token works there
    // too), read as the links to task pages they render.
    for page in ["/tasks", "/tasks/board"] {
        let r = api.get(&format!("{page}?q={mine}")).await;
        if r.status() != 200 {
            return Err(format!("{who}: {page} answered {}", r.status()));
        }
        let shown: BTreeSet<i64> = task_links(&r.text().await.unwrap())
            .intersection(&ours)
            .copied()
            .collect();
        if shown != gettable {
            return Err(format!("{who}: page {page} {shown:?} ≠ get {gettable:?}"));
        }
    }
    // The board: column totals count exactly the visible tasks; cards are visible ones.
    let board: Value = api
        .get(&format!("/api/v1/tasks/board?per_column=200&q={mine}"))
        .await
        .json()
        .await
        .unwrap();
    let mut on_board = BTreeSet::new();
    let mut total = 0;
    for c in board["columns"].as_array().unwrap() {
        total += c["total"].as_i64().unwrap();
        for t in c["tasks"].as_array().unwrap() {
            on_board.insert(t["id"].as_i64().unwrap());
        }
    }
    if on_board != gettable || total != gettable.len() as i64 {
        return Err(format!(
            "{who}: board {on_board:?} (total {total}) ≠ get {gettable:?}"
        ));
    }
    Ok(())
}

/// The directory (people, departments): the list shows exactly the records a GET allows.
async fn check_directory(api: &Api, b: &Built, who: &str) -> Result<(), String> {
    for (collection, ids) in [
        ("/api/v1/people", &b.persons),
        ("/api/v1/departments", &b.depts),
    ] {
        let ours: BTreeSet<i64> = ids.iter().copied().collect();
        let mut gettable = BTreeSet::new();
        for id in ids {
            match api
                .get(&format!("{collection}/{id}"))
                .await
                .status()
                .as_u16()
            {
                200 => {
                    gettable.insert(*id);
                }
                404 => {}
                s => return Err(format!("{who}: GET {collection}/{id} answered {s}")),
            }
        }
        let listed: BTreeSet<i64> = pages_of(api, collection, "")
            .await?
            .intersection(&ours)
            .copied()
            .collect();
        if listed != gettable {
            return Err(format!(
                "{who}: {collection} list {listed:?} ≠ get {gettable:?}"
            ));
        }
    }
    Ok(())
}

async fn check_org(app: &App, org: &Org, prefix: &str) -> Result<(), String> {
    let b = build(app, org, prefix).await;
    for (name, token) in &b.users {
        check_account(&app.api(token), &b, name, prefix).await?;
        check_directory(&app.api(token), &b, name).await?;
    }
    Ok(())
}

#[test]
fn lists_filters_and_board_equal_direct_reads() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for backend in BACKENDS {
        let app = rt.block_on(spawn(backend));
        let n = std::sync::atomic::AtomicU32::new(0);
        // Each case builds a whole organisation through the API: a few cases are plenty to
        // cover the role × scope × ownership combinations, and keep CI time bounded.
        let cases = std::env::var("LIST_GET_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(6);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        runner
            .run(&org(), |o| {
                let case = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                rt.block_on(check_org(&app, &o, &format!("c{case}_")))
                    .map_err(TestCaseError::fail)
            })
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        rt.block_on(app.stop());
    }
}

/// The negative control: with the list's scope filter dropped for one member, the same check
/// must fail — proof that the property would catch a list leaking what GET refuses.
#[test]
fn the_property_catches_a_dropped_scope_filter() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let app = spawn(db::Backend::Sqlite).await;
        let org = Org {
            depts: vec![None, None],
            users: vec![(Role::Member, Some(0)), (Role::Member, Some(1))],
            tasks: vec![(Some(0), None, 0), (Some(1), None, 1)],
        };
        let prefix = format!("faulty{}_", db::random_hex(3));
        work::fault::drop_list_scope_for(&format!("{prefix}u0"));
        let r = check_org(&app, &org, &prefix).await;
        let err = r.expect_err("the dropped scope filter must be detected");
        assert!(err.contains("list"), "detected by the list check: {err}");
        app.stop().await;
    });
}
