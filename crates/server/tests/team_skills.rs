//! Team part A over HTTP on both backends: pinyin search, skills policy and gap numbers,
//! calendar import and workload numbers, suggest ranking, auto-assign preview → accept.
use crate::common::*;
use kernel::Role;
use serde_json::{Value, json};

const NOW: i64 = 1_780_000_000_000; // 2026-05-29 (a Friday) in Asia/Shanghai

async fn post_ok(api: &Api, path: &str, body: Value) -> Value {
    let r = api.post(path, &body).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "POST {path}: {status} {v}");
    v
}

async fn put(api: &Api, path: &str, body: &Value) -> reqwest::Response {
    api.req(reqwest::Method::PUT, path)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn put_ok(api: &Api, path: &str, body: Value) -> Value {
    let r = put(api, path, &body).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "PUT {path}: {status} {v}");
    v
}

async fn get_json(api: &Api, path: &str) -> Value {
    let r = api.get(path).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "GET {path}: {status} {v}");
    v
}

async fn dept(api: &Api, name: &str, parent: Option<i64>) -> i64 {
    post_ok(
        api,
        "/api/v1/departments",
        json!({"name": name, "parent_id": parent}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn person(api: &Api, no: &str, name: &str, extra: Value) -> i64 {
    let mut body = json!({"employee_no": no, "name": name});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    post_ok(api, "/api/v1/people", body).await["id"]
        .as_i64()
        .unwrap()
}

/// A user with `role` whose account is linked to `person_id`.
async fn linked(app: &App, username: &str, role: Role, person_id: i64) -> Api {
    let token = app.user_with_token(username, role).await;
    team::demo::link_user(app.db(), NOW, person_id, username)
        .await
        .unwrap();
    app.api(&token)
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_are_found_by_pinyin_and_sorted_by_it() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let d = dept(&admin, "客服部", None).await;
        person(&admin, "E1", "张三", json!({"department_id": d, "languages": ["中文", "English"], "employment_type": "full_time", "location": "上海", "weekly_hours": 32})).await;
        person(
            &admin,
            "E2",
            "Li Si",
            json!({"name_zh": "李四", "department_id": d}),
        )
        .await;
        person(&admin, "E3", "Anna Wu", json!({"department_id": d})).await;
        person(&admin, "E4", "Zhao Liu", json!({"name_zh": "赵六"})).await;

        for q in ["zhang", "zs", "ZhangSan", "张"] {
            let v = get_json(&admin, &format!("/api/v1/people?q={}", urlencode(q))).await;
            assert_eq!(names(&v), ["张三"], "{b:?}: q={q}");
        }
        let v = get_json(&admin, "/api/v1/people?q=ls").await;
        assert_eq!(names(&v), ["Li Si"], "{b:?}: initials of the Chinese name");
        let v = get_json(&admin, &format!("/api/v1/people?q={}", urlencode("赵六"))).await;
        assert_eq!(names(&v), ["Zhao Liu"], "{b:?}");
        // Sorted by pinyin among Latin names: anna wu, li si, zhang san, zhao liu.
        let v = get_json(&admin, "/api/v1/people?sort=name&limit=2").await;
        assert_eq!(names(&v), ["Anna Wu", "Li Si"], "{b:?}");
        let next = v["next_cursor"].as_str().unwrap();
        let v = get_json(
            &admin,
            &format!(
                "/api/v1/people?sort=name&limit=2&cursor={}",
                urlencode(next)
            ),
        )
        .await;
        assert_eq!(
            names(&v),
            ["张三", "Zhao Liu"],
            "{b:?}: the cursor follows the pinyin order"
        );
        assert_eq!(v["items"][0]["languages"], json!(["中文", "English"]));
        assert_eq!(v["items"][0]["weekly_hours"], json!(32.0));

        // Renaming updates the keys.
        let id = v["items"][0]["id"].as_i64().unwrap();
        let r = admin.get(&format!("/api/v1/people/{id}")).await;
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let r = admin
            .patch(
                &format!("/api/v1/people/{id}"),
                &json!({"name": "王五"}),
                Some(&etag),
            )
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        assert!(
            names(&get_json(&admin, "/api/v1/people?q=zs").await).is_empty(),
            "{b:?}"
        );
        assert_eq!(
            names(&get_json(&admin, "/api/v1/people?q=ww").await),
            ["王五"],
            "{b:?}"
        );
        let bad = admin
            .patch(
                &format!("/api/v1/people/{id}"),
                &json!({"weekly_hours": 100, "employment_type": "slave"}),
                Some(&etag),
            )
            .await;
        let p = problem(bad, 422).await;
        assert!(
            names_field(&p, "weekly_hours") && names_field(&p, "employment_type"),
            "{b:?}: {p}"
        );

        // The org chart draws both trees.
        let chart = get_json(&admin, "/api/v1/org/departments").await;
        assert_eq!(chart["nodes"].as_array().unwrap().len(), 1);
        let page = app_get_html(&app, &admin, "/org").await;
        assert!(page.contains("<svg") && page.contains("客服部"), "{b:?}");
        app.stop().await;
    }
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap()
        .trim_start_matches('=')
        .to_string()
}

/// A page fetched with the API token (pages accept bearer tokens too? if not, via the admin
/// session) — used only to see the page renders.
async fn app_get_html(app: &App, api: &Api, path: &str) -> String {
    let r = api.get(path).await;
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, 200, "{path} on {:?}: {body}", app.backend);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skills_follow_the_policy_and_the_gap_report_counts() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let ops = dept(&admin, "Operations", None).await;
        let cs = dept(&admin, "Customer Service", Some(ops)).await;
        let other = dept(&admin, "Finance", None).await;
        let excel = post_ok(
            &admin,
            "/api/v1/skills",
            json!({"name": "Excel", "category": "Data"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let sql = post_ok(
            &admin,
            "/api/v1/skills",
            json!({"name": "SQL", "category": "Data"}),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let dup = admin
            .post(
                "/api/v1/skills",
                &json!({"name": "excel", "category": "Data"}),
            )
            .await;
        problem(dup, 409).await;
        put_ok(
            &admin,
            "/api/v1/position-skills",
            json!({"position": "Analyst", "skill_id": excel, "level": 3}),
        )
        .await;
        put_ok(
            &admin,
            "/api/v1/position-skills",
            json!({"position": "Analyst", "skill_id": sql, "level": 2}),
        )
        .await;

        let a = person(
            &admin,
            "A1",
            "Alice",
            json!({"department_id": cs, "position": "Analyst"}),
        )
        .await;
        let bb = person(
            &admin,
            "B1",
            "Bob",
            json!({"department_id": cs, "position": "Analyst"}),
        )
        .await;
        let c = person(
            &admin,
            "C1",
            "Carol",
            json!({"department_id": other, "position": "Analyst"}),
        )
        .await;
        let mgr_p = person(&admin, "M1", "Mia", json!({"department_id": ops})).await;
        let mem_p = person(&admin, "N1", "Ned", json!({"department_id": cs})).await;
        let manager = linked(&app, "mia", Role::Manager, mgr_p).await;
        let member = linked(&app, "ned", Role::Member, mem_p).await;

        // Levels: the manager rates people in their subtree; not outside (404: not visible).
        put_ok(
            &manager,
            &format!("/api/v1/people/{a}/skills/{excel}"),
            json!({"level": 4, "evidence": "Q1 report"}),
        )
        .await;
        put_ok(
            &manager,
            &format!("/api/v1/people/{a}/skills/{sql}"),
            json!({"level": 1}),
        )
        .await;
        put_ok(
            &manager,
            &format!("/api/v1/people/{bb}/skills/{excel}"),
            json!({"level": 2}),
        )
        .await;
        let r = put(
            &manager,
            &format!("/api/v1/people/{c}/skills/{excel}"),
            &json!({"level": 5}),
        )
        .await;
        problem(r, 404).await;
        put_ok(
            &admin,
            &format!("/api/v1/people/{c}/skills/{excel}"),
            json!({"level": 5}),
        )
        .await;
        let r = put(
            &manager,
            &format!("/api/v1/people/{a}/skills/{sql}"),
            &json!({"level": 9, "cert_expires": "2026-02-30"}),
        )
        .await;
        let p = problem(r, 422).await;
        assert!(
            names_field(&p, "level") && names_field(&p, "cert_expires"),
            "{b:?}: {p}"
        );
        // A member sees their department but may not rate; people outside are 404.
        let r = put(
            &member,
            &format!("/api/v1/people/{a}/skills/{sql}"),
            &json!({"level": 3}),
        )
        .await;
        problem(r, 403).await;
        problem(member.get(&format!("/api/v1/people/{c}/skills")).await, 404).await;
        assert_eq!(
            get_json(&member, &format!("/api/v1/people/{a}/skills")).await["items"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let r = member
            .post(
                "/api/v1/skills",
                &json!({"name": "Sneaky", "category": "X"}),
            )
            .await;
        problem(r, 403).await;

        // The matrix shows only visible people, with gaps.
        let m = get_json(&manager, "/api/v1/skills/matrix").await;
        let rows: Vec<&str> = m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            rows,
            ["Alice", "Bob", "Mia", "Ned"],
            "{b:?}: Carol is outside the manager's scope"
        );
        let alice = &m["rows"][0]["cells"];
        assert_eq!(m["skills"][0]["name"], "Excel");
        assert_eq!(
            alice[0],
            json!({"level": 4, "required": 3, "expired": false, "gap": false})
        );
        assert_eq!(
            alice[1],
            json!({"level": 1, "required": 2, "expired": false, "gap": true})
        );
        let mm = get_json(&member, "/api/v1/skills/matrix").await;
        assert_eq!(
            mm["rows"].as_array().unwrap().len(),
            3,
            "{b:?}: the member sees their department"
        );

        // Gap report for Operations (with Customer Service): Alice and Bob are Analysts.
        let g = get_json(
            &manager,
            &format!("/api/v1/skills/gaps?department_id={ops}"),
        )
        .await;
        assert_eq!(g["people"], json!(4), "{b:?}");
        let line = |name: &str| {
            g["lines"]
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["skill_name"] == name)
                .unwrap()
                .clone()
        };
        let s = line("SQL");
        assert_eq!(
            (
                s["required_by"].as_i64(),
                s["meeting"].as_i64(),
                s["below"].as_i64(),
                s["shortfall_levels"].as_i64()
            ),
            (Some(2), Some(0), Some(2), Some(3)),
            "{b:?}: {s}"
        );
        let e = line("Excel");
        assert_eq!(
            (
                e["required_by"].as_i64(),
                e["meeting"].as_i64(),
                e["below"].as_i64(),
                e["shortfall_levels"].as_i64()
            ),
            (Some(2), Some(1), Some(1), Some(1)),
            "{b:?}: {e}"
        );
        assert_eq!(
            g["lines"][0]["skill_name"], "SQL",
            "most people below first"
        );
        // An expired certificate no longer meets the requirement.
        put_ok(
            &manager,
            &format!("/api/v1/people/{a}/skills/{excel}"),
            json!({"level": 4, "cert_expires": "2026-01-31"}),
        )
        .await;
        let g = get_json(
            &manager,
            &format!("/api/v1/skills/gaps?department_id={ops}"),
        )
        .await;
        let e = g["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["skill_name"] == "Excel")
            .unwrap();
        assert_eq!(
            (
                e["meeting"].as_i64(),
                e["below"].as_i64(),
                e["shortfall_levels"].as_i64()
            ),
            (Some(0), Some(2), Some(4)),
            "{b:?}: {e}"
        );
        // The member's report never counts people they may not see.
        let g = get_json(
            &member,
            &format!("/api/v1/skills/gaps?department_id={other}"),
        )
        .await;
        assert_eq!(g["people"], json!(0), "{b:?}");
        // Pages render for both.
        app_get_html(&app, &manager, "/skills/matrix").await;
        app_get_html(&app, &manager, &format!("/skills/gaps?department_id={ops}")).await;
        app_get_html(&app, &member, "/skills").await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_import_and_workload_numbers() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let d = dept(&admin, "Logistics", None).await;
        let p = person(
            &admin,
            "L1",
            "Lu Wei",
            json!({"department_id": d, "weekly_hours": 40}),
        )
        .await;
        let mgr_p = person(&admin, "L0", "Boss Lu", json!({"department_id": d})).await;
        let manager = linked(&app, "luboss", Role::Manager, mgr_p).await;

        // Bad imports say precisely what is wrong and change nothing.
        let r = admin
            .req(reqwest::Method::POST, "/api/v1/calendar/import")
            .header("content-type", "application/json")
            .body("{\"year\": 2026, \"days\": [")
            .send()
            .await
            .unwrap();
        let e = problem(r, 422).await;
        assert!(names_field(&e, "file"), "{b:?}: {e}");
        assert!(e.to_string().contains("line 1"), "{b:?}: {e}");
        let r = admin.post("/api/v1/calendar/import", &json!({"year": 2026, "days": [{"name": "x", "date": "2026-06-03", "isOffDay": false}]})).await;
        let e = problem(r, 422).await;
        assert!(
            names_field(&e, "days[0].date"),
            "{b:?}: a make-up day on a Wednesday: {e}"
        );
        let r = manager
            .post(
                "/api/v1/calendar/import",
                &json!({"year": 2026, "days": []}),
            )
            .await;
        problem(r, 403).await;
        assert!(
            get_json(&admin, "/api/v1/calendar/2026").await["days"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        let cal = json!({"year": 2026, "days": [
            {"name": "测试假期", "date": "2026-06-01", "isOffDay": true},
            {"name": "测试假期", "date": "2026-06-02", "isOffDay": true},
            {"name": "测试假期", "date": "2026-06-06", "isOffDay": false}]});
        let s = post_ok(&admin, "/api/v1/calendar/import", cal).await;
        assert_eq!(
            (s["off_days"].as_i64(), s["make_up_workdays"].as_i64()),
            (Some(2), Some(1))
        );
        // Leave on Tuesday and Wednesday of the third week.
        post_ok(&manager, "/api/v1/leaves", json!({"person_id": p, "start_date": "2026-06-09", "end_date": "2026-06-10", "kind": "annual"})).await;
        let r = manager.post("/api/v1/leaves", &json!({"person_id": p, "start_date": "2026-06-10", "end_date": "2026-06-09", "kind": "holiday"})).await;
        let e = problem(r, 422).await;
        assert!(
            names_field(&e, "end_date") && names_field(&e, "kind"),
            "{b:?}: {e}"
        );

        let task = |title: &str, est: f64, due: Option<&str>, status: &str| json!({"title": title, "department_id": d, "assignee_id": p, "estimate_hours": est, "due_date": due, "status": status});
        for t in [
            task("overdue", 10.0, Some("2026-05-20"), "todo"),
            task("undated", 5.0, None, "doing"),
            task("week two", 30.0, Some("2026-06-03"), "todo"),
            task("week two more", 4.0, Some("2026-06-05"), "blocked"),
            task("done already", 100.0, Some("2026-06-03"), "done"),
            task("week three", 8.0, Some("2026-06-12"), "todo"),
            task("far away", 8.0, Some("2026-09-01"), "todo"),
        ] {
            post_ok(&admin, "/api/v1/tasks", t).await;
        }
        let w = get_json(
            &manager,
            &format!("/api/v1/workload?department_id={d}&weeks=3"),
        )
        .await;
        assert_eq!(
            w["weeks"],
            json!(["2026-05-25", "2026-06-01", "2026-06-08"]),
            "{b:?}"
        );
        let row = w["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person_id"] == p)
            .unwrap();
        let cells: Vec<(f64, f64, bool)> = row["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["capacity_hours"].as_f64().unwrap(),
                    c["assigned_hours"].as_f64().unwrap(),
                    c["over"].as_bool().unwrap(),
                )
            })
            .collect();
        // Week 1: 5 days, overdue + undated work. Week 2: Mon/Tue off, Saturday a make-up
        // workday = 4 days; 34 h due → over. Week 3: 5 days − 2 days' leave.
        assert_eq!(
            cells,
            vec![(40.0, 15.0, false), (32.0, 34.0, true), (24.0, 8.0, false)],
            "{b:?}"
        );
        let html = app_get_html(
            &app,
            &manager,
            &format!("/capacity/workload?department_id={d}&weeks=3"),
        )
        .await;
        assert!(html.contains("34/32") && html.contains("▲"), "{b:?}");
        app.stop().await;
    }
}

async fn skill(api: &Api, name: &str) -> i64 {
    post_ok(
        api,
        "/api/v1/skills",
        json!({"name": name, "category": "Test"}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggest_ranks_candidates_and_explains_the_score() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let d = dept(&admin, "Data", None).await;
        let other = dept(&admin, "Elsewhere", None).await;
        let sql = skill(&admin, "SQL").await;
        let x = person(&admin, "X", "Xia", json!({"department_id": d})).await;
        let y = person(&admin, "Y", "Yan", json!({"department_id": d})).await;
        let z = person(&admin, "Z", "Zou", json!({"department_id": d})).await;
        put_ok(
            &admin,
            &format!("/api/v1/people/{x}/skills/{sql}"),
            json!({"level": 5}),
        )
        .await;
        put_ok(
            &admin,
            &format!("/api/v1/people/{y}/skills/{sql}"),
            json!({"level": 2}),
        )
        .await;
        // Xia is already busy: 60 of her 80 hours in the window are taken.
        post_ok(
            &admin,
            "/api/v1/tasks",
            json!({"title": "busy", "department_id": d, "assignee_id": x, "estimate_hours": 60.0}),
        )
        .await;
        let t = post_ok(
            &admin,
            "/api/v1/tasks",
            json!({"title": "report", "department_id": d, "estimate_hours": 8.0}),
        )
        .await;
        let tid = t["id"].as_i64().unwrap();
        let r = put(
            &admin,
            &format!("/api/v1/tasks/{tid}/skills"),
            &json!({"skills": [{"skill_id": sql, "level": 4}, {"skill_id": sql, "level": 9}]}),
        )
        .await;
        let e = problem(r, 422).await;
        assert!(
            names_field(&e, "skills[1].skill_id") && names_field(&e, "skills[1].level"),
            "{b:?}: {e}"
        );
        put_ok(
            &admin,
            &format!("/api/v1/tasks/{tid}/skills"),
            json!({"skills": [{"skill_id": sql, "level": 4}]}),
        )
        .await;
        // The change is in the task's history with object snapshots (the documented schema).
        let h = get_json(&admin, &format!("/api/v1/tasks/{tid}/history")).await;
        let set = &h["items"][0];
        assert_eq!(set["action"], "task.skills_set", "{b:?}: {h}");
        assert_eq!(set["before"], json!({"skills": []}));
        assert_eq!(set["after"]["skills"][0]["level"], 4, "{b:?}: {h}");

        let s = get_json(&admin, &format!("/api/v1/tasks/{tid}/suggestions")).await;
        assert_eq!(s["window_from"], "2026-05-29");
        assert_eq!(
            s["window_to"], "2026-06-11",
            "{b:?}: two weeks without a due date"
        );
        let c = s["candidates"].as_array().unwrap();
        let order: Vec<i64> = c.iter().map(|c| c["person_id"].as_i64().unwrap()).collect();
        assert_eq!(order, vec![x, y, z], "{b:?}: {s}");
        // Xia: full skill fit, 20 free hours ≥ 8 → capacity 1, load 1 − 60/80 = 0.25.
        let px = &c[0]["parts"];
        assert_eq!(
            (
                px["skill_fit"].as_f64(),
                px["capacity"].as_f64(),
                px["load"].as_f64()
            ),
            (Some(1.0), Some(1.0), Some(0.25))
        );
        assert!((px["score"].as_f64().unwrap() - (0.6 + 0.25 + 0.15 * 0.25)).abs() < 1e-9);
        assert_eq!(c[0]["free_hours"], json!(20.0));
        // Yan: level 2 of 4 → fit 0.5, a named gap; idle.
        let py = &c[1]["parts"];
        assert_eq!(py["skill_fit"].as_f64(), Some(0.5));
        assert_eq!(
            py["gaps"],
            json!([{"skill_id": sql, "skill_name": "SQL", "has": 2, "needs": 4}])
        );
        assert!(
            (py["score"].as_f64().unwrap() - 0.7).abs() < 1e-9,
            "{b:?}: {py}"
        );
        assert!((c[2]["parts"]["score"].as_f64().unwrap() - 0.4).abs() < 1e-9);

        // Someone who may not see the task gets 404.
        let q = person(&admin, "Q", "Qin", json!({"department_id": other})).await;
        let outsider = linked(&app, "qin", Role::Member, q).await;
        problem(
            outsider
                .get(&format!("/api/v1/tasks/{tid}/suggestions"))
                .await,
            404,
        )
        .await;
        let html = app_get_html(&app, &admin, &format!("/tasks/{tid}/suggest")).await;
        assert!(html.contains("Xia") && html.contains("SQL 2/4"), "{b:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_assign_previews_then_accepts_exactly_the_accepted_rows() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let d = dept(&admin, "Support", None).await;
        let other = dept(&admin, "Sales", None).await;
        let s = skill(&admin, "Phones").await;
        // Ann: 10 h a week → 20 h in the two-week window; Ben: 40 h → 80 h.
        let ann = person(
            &admin,
            "A",
            "Ann",
            json!({"department_id": d, "weekly_hours": 10}),
        )
        .await;
        let ben = person(
            &admin,
            "B",
            "Ben",
            json!({"department_id": d, "weekly_hours": 40}),
        )
        .await;
        let mgr_p = person(
            &admin,
            "M",
            "Max",
            json!({"department_id": d, "weekly_hours": 0}),
        )
        .await;
        put_ok(
            &admin,
            &format!("/api/v1/people/{ann}/skills/{s}"),
            json!({"level": 5}),
        )
        .await;
        put_ok(
            &admin,
            &format!("/api/v1/people/{ben}/skills/{s}"),
            json!({"level": 3}),
        )
        .await;
        let manager = linked(&app, "max", Role::Manager, mgr_p).await;
        let mut ids = Vec::new();
        for i in 0..6 {
            let t = post_ok(
                &admin,
                "/api/v1/tasks",
                json!({"title": format!("call {i}"), "department_id": d, "estimate_hours": 8.0}),
            )
            .await;
            let id = t["id"].as_i64().unwrap();
            put_ok(
                &admin,
                &format!("/api/v1/tasks/{id}/skills"),
                json!({"skills": [{"skill_id": s, "level": 3}]}),
            )
            .await;
            ids.push(id);
        }
        let assigned = post_ok(
            &admin,
            "/api/v1/tasks",
            json!({"title": "mine", "department_id": d, "assignee_id": ben, "estimate_hours": 8.0}),
        )
        .await;
        let elsewhere = post_ok(
            &admin,
            "/api/v1/tasks",
            json!({"title": "sales call", "department_id": other, "estimate_hours": 1.0}),
        )
        .await;

        // Only who may plan the department may preview.
        let outsider_p = person(&admin, "O", "Oz", json!({"department_id": other})).await;
        let outsider = linked(&app, "ozzy", Role::Manager, outsider_p).await;
        problem(
            outsider
                .post("/api/v1/assign/preview", &json!({"department_id": d}))
                .await,
            403,
        )
        .await;
        problem(
            manager
                .post("/api/v1/assign/preview", &json!({"department_id": 999_999}))
                .await,
            404,
        )
        .await;

        let p = post_ok(
            &manager,
            "/api/v1/assign/preview",
            json!({"department_id": d}),
        )
        .await;
        let rows = p["rows"].as_array().unwrap().clone();
        assert_eq!(rows.len(), 6, "{b:?}: {p}");
        let planned: std::collections::HashSet<i64> = rows
            .iter()
            .map(|r| r["task_id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            planned,
            ids.iter().copied().collect(),
            "{b:?}: only the unassigned tasks of the department"
        );
        // Capacity is respected: Ann takes at most 20 h, Ben at most 80 − 8 = 72 h.
        let hours_of = |who: i64| {
            rows.iter()
                .filter(|r| r["person_id"] == who)
                .map(|r| r["hours"].as_f64().unwrap())
                .sum::<f64>()
        };
        assert!(
            hours_of(ann) <= 20.0 && hours_of(ann) > 0.0,
            "{b:?}: Ann {}",
            hours_of(ann)
        );
        assert!(hours_of(ben) <= 72.0, "{b:?}");
        assert!(
            !rows.iter().any(|r| r["person_id"] == mgr_p),
            "{b:?}: no skill, no capacity"
        );
        for l in p["loads"].as_array().unwrap() {
            assert!(
                l["planned_hours"].as_f64().unwrap() <= l["free_hours"].as_f64().unwrap() + 1e-9
            );
        }
        // Nothing changed yet.
        for id in &ids {
            assert!(
                get_json(&admin, &format!("/api/v1/tasks/{id}")).await["assignee_id"].is_null()
            );
        }

        // Accept all rows but the first, moving the last one to the other person.
        let mut items: Vec<Value> = rows[1..].iter().map(|r| json!({"task_id": r["task_id"], "version": r["version"], "person_id": r["person_id"]})).collect();
        let last = items.len() - 1;
        let moved_to = if items[last]["person_id"] == ann {
            ben
        } else {
            ann
        };
        items[last]["person_id"] = json!(moved_to);
        let r = post_ok(
            &manager,
            "/api/v1/assign/accept",
            json!({"items": items.clone()}),
        )
        .await;
        assert_eq!(r["assigned"], json!(5), "{b:?}");
        for (i, it) in items.iter().enumerate() {
            let t = get_json(&admin, &format!("/api/v1/tasks/{}", it["task_id"])).await;
            assert_eq!(t["assignee_id"], it["person_id"], "{b:?}: row {i}");
        }
        let skipped = get_json(&admin, &format!("/api/v1/tasks/{}", rows[0]["task_id"])).await;
        assert!(
            skipped["assignee_id"].is_null(),
            "{b:?}: the rejected row stays unassigned"
        );
        assert_eq!(
            get_json(&admin, &format!("/api/v1/tasks/{}", assigned["id"])).await["assignee_id"],
            json!(ben)
        );
        assert!(
            get_json(&admin, &format!("/api/v1/tasks/{}", elsewhere["id"])).await["assignee_id"]
                .is_null()
        );
        // Audited through the task service.
        let hist = get_json(
            &admin,
            &format!("/api/v1/tasks/{}/history", items[0]["task_id"]),
        )
        .await;
        assert!(
            hist.to_string().contains("task.auto_assign"),
            "{b:?}: {hist}"
        );

        // Accepting the same (now stale) rows again changes nothing: 412, all or nothing.
        let again = vec![
            json!({"task_id": rows[0]["task_id"], "version": rows[0]["version"], "person_id": ben}),
            items[0].clone(),
        ];
        problem(
            manager
                .post("/api/v1/assign/accept", &json!({"items": again}))
                .await,
            412,
        )
        .await;
        assert!(
            get_json(&admin, &format!("/api/v1/tasks/{}", rows[0]["task_id"])).await["assignee_id"]
                .is_null(),
            "{b:?}"
        );
        let e = problem(
            manager
                .post("/api/v1/assign/accept", &json!({"items": []}))
                .await,
            422,
        )
        .await;
        assert!(names_field(&e, "items"));
        let html = app_get_html(
            &app,
            &manager,
            &format!("/tasks/auto-assign?department_id={d}"),
        )
        .await;
        assert!(
            html.contains("call 0") || html.contains("name=\"accept\""),
            "{b:?}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_company_fills_the_matrix_heat_map_and_org_chart() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        work::demo::load_demo(app.db(), NOW, work::demo::DemoSize::Small)
            .await
            .unwrap();
        let m = get_json(&admin, "/api/v1/skills/matrix?limit=200").await;
        assert_eq!(
            m["skills"].as_array().unwrap().len(),
            team::skills_demo::SKILLS.len()
        );
        let cells: Vec<&Value> = m["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["cells"].as_array().unwrap())
            .collect();
        assert!(
            cells.iter().filter(|c| !c["level"].is_null()).count() > 100,
            "{b:?}: levels filled"
        );
        assert!(
            cells.iter().any(|c| c["gap"] == json!(true)),
            "{b:?}: some gaps to show"
        );
        let g = get_json(&admin, "/api/v1/skills/gaps").await;
        assert!(!g["lines"].as_array().unwrap().is_empty(), "{b:?}");
        let w = get_json(&admin, "/api/v1/workload?limit=200").await;
        let assigned: f64 = w["rows"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["cells"].as_array().unwrap())
            .map(|c| c["assigned_hours"].as_f64().unwrap())
            .sum();
        assert!(assigned > 0.0, "{b:?}: the heat map has work on it");
        assert_eq!(
            get_json(&admin, "/api/v1/calendar/2026").await["days"]
                .as_array()
                .unwrap()
                .len(),
            39
        );
        assert!(
            !get_json(&admin, "/api/v1/leaves").await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let org = get_json(&admin, "/api/v1/org/departments").await;
        assert!(
            org["nodes"].as_array().unwrap().len() >= 9
                && !org["edges"].as_array().unwrap().is_empty()
        );
        let ops = org["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["label"].as_str().unwrap().contains("Operations"))
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let p = post_ok(
            &admin,
            "/api/v1/assign/preview",
            json!({"department_id": ops}),
        )
        .await;
        assert!(
            !p["rows"].as_array().unwrap().is_empty(),
            "{b:?}: the demo backlog can be auto-assigned"
        );
        for page in [
            "/org",
            "/skills/matrix",
            "/skills/gaps",
            "/capacity/workload",
            "/capacity/calendar?year=2026",
            "/capacity/leaves",
            &format!("/tasks/auto-assign?department_id={ops}"),
        ] {
            app_get_html(&app, &admin, page).await;
        }
        app.stop().await;
    }
}

/// The forms work without script: a session, the CSRF field, Post/Redirect/Get.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_as_plain_forms() {
    use crate::web::{form_token, sign_in};
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let c = sign_in(&app, "boss").await;
        let page = |path: &str| {
            let c = c.clone();
            let url = app.url(path);
            async move { c.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let html = page("/skills").await;
        let csrf = form_token(&html);
        let r = c
            .post(app.url("/skills"))
            .form(&[
                ("name", "沟通 Communication"),
                ("category", "通用"),
                ("description", ""),
                ("_csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        assert!(
            page("/skills").await.contains("沟通 Communication"),
            "{b:?}"
        );

        let r = c.post(app.url("/capacity/calendar")).form(&[("json", "{\"year\": 2026, \"days\": [{\"name\": \"x\", \"date\": \"2026-06-03\", \"isOffDay\": false}]}"), ("_csrf", &csrf)]).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let back = r.headers()["location"].to_str().unwrap().to_string();
        assert!(
            page(&back).await.contains("days[0].date"),
            "{b:?}: the error names the day"
        );

        // Auto-assign: accept two of three rows, one of them moved to the other person.
        let d = dept(&admin, "Desk", None).await;
        let ann = person(&admin, "A", "Ann", json!({"department_id": d})).await;
        let ben = person(&admin, "B", "Ben", json!({"department_id": d})).await;
        let mut tasks = Vec::new();
        for i in 0..3 {
            tasks.push(post_ok(&admin, "/api/v1/tasks", json!({"title": format!("ticket {i}"), "department_id": d, "estimate_hours": 2.0})).await);
        }
        let html = page(&format!("/tasks/auto-assign?department_id={d}")).await;
        let csrf = form_token(&html);
        let version = |t: &Value| t["version"].as_i64().unwrap().to_string();
        let id = |t: &Value| t["id"].as_i64().unwrap().to_string();
        for t in &tasks {
            assert!(
                html.contains(&format!("name=\"accept\" value=\"{}\"", id(t))),
                "{b:?}: a row per task"
            );
        }
        let form = vec![
            ("_csrf".to_string(), csrf.clone()),
            ("department_id".to_string(), d.to_string()),
            ("accept".to_string(), id(&tasks[0])),
            (format!("p_{}", id(&tasks[0])), ann.to_string()),
            (format!("v_{}", id(&tasks[0])), version(&tasks[0])),
            ("accept".to_string(), id(&tasks[1])),
            (format!("p_{}", id(&tasks[1])), ben.to_string()),
            (format!("v_{}", id(&tasks[1])), version(&tasks[1])),
            // Row 3 is unticked: its person and version are sent but not accepted.
            (format!("p_{}", id(&tasks[2])), ann.to_string()),
            (format!("v_{}", id(&tasks[2])), version(&tasks[2])),
        ];
        let r = c
            .post(app.url("/tasks/auto-assign/accept"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        assert!(
            r.headers()["location"].to_str().unwrap().contains("done=2"),
            "{b:?}"
        );
        let who = |t: &Value| {
            let id = t["id"].as_i64().unwrap();
            let admin = &admin;
            async move { get_json(admin, &format!("/api/v1/tasks/{id}")).await["assignee_id"].clone() }
        };
        assert_eq!(who(&tasks[0]).await, json!(ann));
        assert_eq!(who(&tasks[1]).await, json!(ben));
        assert!(
            who(&tasks[2]).await.is_null(),
            "{b:?}: an unticked row changes nothing"
        );
        app.stop().await;
    }
}
