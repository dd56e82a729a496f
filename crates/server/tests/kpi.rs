//! KPIs end to end on both databases: the access policy, formulas, status thresholds, the
//! idempotent push, KPIs computed from tasks, the red → notification loop and actions with
//! their before/after, plus the pages.
use crate::common::*;
use kernel::Role;
use serde_json::{Value, json};

/// The organisation every KPI test uses: OPS (head: boss) with CS below it, and LOG beside.
struct Org {
    admin: Api,
    mgr: Api,
    agent: Api,
    outsider: Api,
    ops: i64,
    cs: i64,
    log: i64,
    boss_person: i64,
    agent_person: i64,
    colleague_person: i64,
}

async fn post_ok(api: &Api, path: &str, body: Value) -> Value {
    let r = api.post(path, &body).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert!(status.is_success(), "POST {path}: {status} {v}");
    v
}

async fn org(app: &App) -> Org {
    let admin = app.api(&app.user_with_token("admin", Role::Admin).await);
    let mgr = app.api(&app.user_with_token("mgr", Role::Manager).await);
    let agent = app.api(&app.user_with_token("agent", Role::Member).await);
    let outsider = app.api(&app.user_with_token("outsider", Role::Member).await);
    let ops = post_ok(
        &admin,
        "/api/v1/departments",
        json!({"name": "运营部 Operations", "code": "OPS"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let cs = post_ok(
        &admin,
        "/api/v1/departments",
        json!({"name": "客服部 Customer Service", "code": "CS", "parent_id": ops}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let log = post_ok(
        &admin,
        "/api/v1/departments",
        json!({"name": "物流部 Logistics", "code": "LOG"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let person = |no: &str, name: &str, dept: i64, manager: Option<i64>| json!({"employee_no": no, "name": name, "department_id": dept, "manager_id": manager});
    let boss_person =
        post_ok(&admin, "/api/v1/people", person("E1", "Boss", ops, None)).await["id"]
            .as_i64()
            .unwrap();
    let agent_person = post_ok(
        &admin,
        "/api/v1/people",
        person("E2", "Agent", cs, Some(boss_person)),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let colleague_person = post_ok(
        &admin,
        "/api/v1/people",
        person("E3", "Colleague", cs, Some(boss_person)),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let other_person =
        post_ok(&admin, "/api/v1/people", person("E4", "Other", log, None)).await["id"]
            .as_i64()
            .unwrap();
    let now = 1_780_000_000_000;
    for (p, u) in [
        (boss_person, "mgr"),
        (agent_person, "agent"),
        (other_person, "outsider"),
    ] {
        team::demo::link_user(app.db(), now, p, u).await.unwrap();
    }
    Org {
        admin,
        mgr,
        agent,
        outsider,
        ops,
        cs,
        log,
        boss_person,
        agent_person,
        colleague_person,
    }
}

fn kpi(code: &str, scope: &str, extra: Value) -> Value {
    let mut v = json!({
        "code": code, "name": code, "unit": "count", "direction": "higher",
        "aggregation": "sum", "frequency": "monthly", "scope": scope
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    v
}

async fn codes(api: &Api) -> Vec<String> {
    let v: Value = api
        .get("/api/v1/kpis?limit=200")
        .await
        .json()
        .await
        .unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap().to_string())
        .collect()
}

async fn etag(api: &Api, id: i64) -> String {
    let r = api.get(&format!("/api/v1/kpis/{id}")).await;
    r.headers()["etag"].to_str().unwrap().to_string()
}

async fn push(api: &Api, id: i64, source: &str, points: Value) -> reqwest::Response {
    api.post(
        &format!("/api/v1/kpis/{id}/points"),
        &json!({"source": source, "points": points}),
    )
    .await
}

async fn set_targets(api: &Api, id: i64, items: Value) -> reqwest::Response {
    let tag = etag(api, id).await;
    api.req(reqwest::Method::PUT, &format!("/api/v1/kpis/{id}/targets"))
        .header("If-Match", tag)
        .json(&json!({ "items": items }))
        .send()
        .await
        .unwrap()
}

async fn status(api: &Api, id: i64, period: &str) -> Value {
    let r = api
        .get(&format!("/api/v1/kpis/{id}/status?period={period}"))
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn notifications(api: &Api, kind: &str) -> Vec<Value> {
    let v: Value = api.get("/api/v1/notifications").await.json().await.unwrap();
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == kind)
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_see_company_own_and_department_kpis_managers_edit_their_departments() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        post_ok(a, "/api/v1/kpis", kpi("company_k", "company", json!({}))).await;
        let cs_k = post_ok(
            a,
            "/api/v1/kpis",
            kpi("cs_k", "department", json!({"department_id": o.cs})),
        )
        .await;
        let log_k = post_ok(
            a,
            "/api/v1/kpis",
            kpi("log_k", "department", json!({"department_id": o.log})),
        )
        .await;
        post_ok(
            a,
            "/api/v1/kpis",
            kpi("agent_k", "person", json!({"person_id": o.agent_person})),
        )
        .await;
        post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "colleague_k",
                "person",
                json!({"person_id": o.colleague_person}),
            ),
        )
        .await;
        // Owned by the agent although it is Logistics': owners see what they own.
        post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "owned_k",
                "department",
                json!({"department_id": o.log, "owner_person_id": o.agent_person}),
            ),
        )
        .await;

        assert_eq!(
            codes(&o.agent).await,
            ["agent_k", "company_k", "cs_k", "owned_k"],
            "{b:?}: a member sees company KPIs, their department's, their own and what they own"
        );
        assert_eq!(
            codes(&o.mgr).await,
            ["agent_k", "colleague_k", "company_k", "cs_k"],
            "{b:?}: a manager sees their subtree's department and person KPIs"
        );
        assert_eq!(codes(&o.outsider).await, ["company_k", "log_k", "owned_k"]);
        let log_id = log_k["id"].as_i64().unwrap();
        problem(o.agent.get(&format!("/api/v1/kpis/{log_id}")).await, 404).await;
        problem(
            o.mgr.get(&format!("/api/v1/kpis/{log_id}/periods")).await,
            404,
        )
        .await;

        // Managers define and edit KPIs of their department subtree only; members do not.
        let r = o
            .mgr
            .post(
                "/api/v1/kpis",
                &kpi("cs_new", "department", json!({"department_id": o.cs})),
            )
            .await;
        assert_eq!(r.status(), 201, "{b:?}");
        problem(
            o.mgr
                .post(
                    "/api/v1/kpis",
                    &kpi("log_new", "department", json!({"department_id": o.log})),
                )
                .await,
            403,
        )
        .await;
        problem(
            o.mgr
                .post("/api/v1/kpis", &kpi("co_new", "company", json!({})))
                .await,
            403,
        )
        .await;
        problem(
            o.agent
                .post(
                    "/api/v1/kpis",
                    &kpi("mine", "department", json!({"department_id": o.cs})),
                )
                .await,
            403,
        )
        .await;
        let cs_id = cs_k["id"].as_i64().unwrap();
        let tag = etag(&o.mgr, cs_id).await;
        let r = o
            .mgr
            .patch(
                &format!("/api/v1/kpis/{cs_id}"),
                &json!({"name": "客服指标"}),
                Some(&tag),
            )
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        problem(
            o.mgr
                .patch(
                    &format!("/api/v1/kpis/{cs_id}"),
                    &json!({"name": "x"}),
                    None,
                )
                .await,
            428,
        )
        .await;
        problem(
            o.mgr
                .patch(
                    &format!("/api/v1/kpis/{cs_id}"),
                    &json!({"name": "x"}),
                    Some(&tag),
                )
                .await,
            412,
        )
        .await;
        let tag = etag(&o.agent, cs_id).await;
        problem(
            o.agent
                .patch(
                    &format!("/api/v1/kpis/{cs_id}"),
                    &json!({"name": "x"}),
                    Some(&tag),
                )
                .await,
            403,
        )
        .await;
        // Bad input names the field.
        let p = problem(
            a.post("/api/v1/kpis", &kpi("Bad-Code", "team", json!({})))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "code") && names_field(&p, "scope"), "{p}");
        let p = problem(
            a.post("/api/v1/kpis", &kpi("cs_k", "company", json!({})))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "code"), "{p}: duplicate code");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formulas_parse_refuse_cycles_and_explain_division_by_zero() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        let rev = post_ok(
            a,
            "/api/v1/kpis",
            kpi("revenue", "company", json!({"unit": "currency"})),
        )
        .await;
        let orders = post_ok(a, "/api/v1/kpis", kpi("orders", "company", json!({}))).await;
        let aov = post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "aov",
                "company",
                json!({"formula": "revenue / orders", "aggregation": "mean"}),
            ),
        )
        .await;
        for (formula, why) in [
            ("revenue / (orders", "unbalanced parenthesis"),
            ("revenue ^ 2", "unknown operator"),
            ("revenue / missing_kpi", "unknown code"),
            ("aov2 * 2", "itself"),
        ] {
            let p = problem(
                a.post(
                    "/api/v1/kpis",
                    &kpi("aov2", "company", json!({"formula": formula})),
                )
                .await,
                422,
            )
            .await;
            assert!(names_field(&p, "formula"), "{b:?} {why}: {p}");
        }
        // revenue → aov → revenue would be a cycle: refused at save.
        let rid = rev["id"].as_i64().unwrap();
        let tag = etag(a, rid).await;
        let p = problem(
            a.patch(
                &format!("/api/v1/kpis/{rid}"),
                &json!({"formula": "aov * 2"}),
                Some(&tag),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "formula"), "{p}");
        assert!(p.to_string().contains("cycle"), "{p}");
        // A formula's input cannot be deleted while it is used.
        problem(
            a.req(reqwest::Method::DELETE, &format!("/api/v1/kpis/{rid}"))
                .header("If-Match", tag.clone())
                .send()
                .await
                .unwrap(),
            409,
        )
        .await;

        let oid = orders["id"].as_i64().unwrap();
        push(
            a,
            rid,
            "erp",
            json!([{"period": "2026-01", "value": 1000}, {"period": "2026-02", "value": 500}]),
        )
        .await;
        push(
            a,
            oid,
            "erp",
            json!([{"period": "2026-01-10", "value": 3}, {"period": "2026-01-20", "value": 1},
                                     {"period": "2026-02", "value": 0}]),
        )
        .await;
        let aid = aov["id"].as_i64().unwrap();
        let jan = status(a, aid, "2026-01").await;
        assert_eq!(jan["value"], json!(250.0), "{b:?} 1000 / (3 + 1)");
        let feb = status(a, aid, "2026-02").await;
        assert_eq!(feb["value"], Value::Null, "{b:?}");
        assert!(
            feb["no_value_reason"]
                .as_str()
                .unwrap()
                .contains("division by zero (orders is 0)"),
            "{feb}"
        );
        let mar = status(a, aid, "2026-03").await;
        assert_eq!(mar["value"], Value::Null, "{mar}");
        assert!(
            mar["no_value_reason"].as_str().unwrap().contains("no data"),
            "{mar}"
        );
        // A formula KPI takes no points of its own.
        let p = problem(
            push(a, aid, "erp", json!([{"period": "2026-01", "value": 1}])).await,
            422,
        )
        .await;
        assert!(names_field(&p, "points"), "{p}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_follows_thresholds_for_each_direction() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        let cases = [
            // direction, mode, amber, red, targets (low, high), values Jan/Feb/Mar
            (
                "higher",
                "percent",
                5.0,
                10.0,
                (100.0, None),
                [100.0, 93.0, 85.0],
            ),
            (
                "lower",
                "absolute",
                2.0,
                5.0,
                (24.0, None),
                [20.0, 27.0, 30.0],
            ),
            (
                "band",
                "percent",
                0.0,
                10.0,
                (40.0, Some(60.0)),
                [50.0, 62.0, 70.0],
            ),
        ];
        for (i, (dir, mode, amber, red, (lo, hi), vals)) in cases.into_iter().enumerate() {
            let k = post_ok(
                a,
                "/api/v1/kpis",
                kpi(
                    &format!("k{i}"),
                    "company",
                    json!({"direction": dir, "threshold_mode": mode,
                    "amber_from": amber, "red_from": red, "aggregation": "mean"}),
                ),
            )
            .await;
            let id = k["id"].as_i64().unwrap();
            let items: Vec<Value> = ["2026-01", "2026-02", "2026-03"]
                .iter()
                .map(|p| json!({"period": p, "target": lo, "target_high": hi}))
                .collect();
            let r = set_targets(a, id, json!(items)).await;
            assert_eq!(r.status(), 200, "{b:?} {dir}");
            let points: Vec<Value> = ["2026-01", "2026-02", "2026-03"]
                .iter()
                .zip(vals)
                .map(|(p, v)| json!({"period": p, "value": v}))
                .collect();
            assert_eq!(push(a, id, "manual", json!(points)).await.status(), 200);
            for (p, want) in [
                ("2026-01", "green"),
                ("2026-02", "amber"),
                ("2026-03", "red"),
            ] {
                let s = status(a, id, p).await;
                assert_eq!(s["status"], want, "{b:?} {dir} {p}: {s}");
            }
            let none = status(a, id, "2026-04").await;
            assert_eq!(none["status"], Value::Null, "{b:?}: no value, no status");
        }
        // Targets need If-Match; a bad period is named.
        let k: Value = a.get("/api/v1/kpis?q=k0").await.json().await.unwrap();
        let id = k["items"][0]["id"].as_i64().unwrap();
        problem(
            a.req(reqwest::Method::PUT, &format!("/api/v1/kpis/{id}/targets"))
                .json(&json!({"items": []}))
                .send()
                .await
                .unwrap(),
            428,
        )
        .await;
        let p = problem(
            set_targets(a, id, json!([{"period": "2026-13", "target": 1}])).await,
            422,
        )
        .await;
        assert!(names_field(&p, "items[0].period"), "{p}");
        let t: Value = a
            .get(&format!("/api/v1/kpis/{id}/targets"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            t["items"].as_array().unwrap().len(),
            3,
            "{b:?}: all or nothing"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_points_are_idempotent_by_kpi_period_and_source() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        let k = post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "calls",
                "department",
                json!({"department_id": o.cs, "frequency": "daily",
                "owner_person_id": o.agent_person}),
            ),
        )
        .await;
        let id = k["id"].as_i64().unwrap();
        let two =
            json!([{"period": "2026-03-01", "value": 5}, {"period": "2026-03-02", "value": 7}]);
        // The owner pushes with their personal token.
        let r: Value = push(&o.agent, id, "pbx", two.clone())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (r["inserted"].as_u64(), r["unchanged"].as_u64()),
            (Some(2), Some(0)),
            "{b:?} {r}"
        );
        let r: Value = push(&o.agent, id, "pbx", two).await.json().await.unwrap();
        assert_eq!(
            (r["inserted"].as_u64(), r["unchanged"].as_u64()),
            (Some(0), Some(2)),
            "{b:?} replay"
        );
        let r: Value = push(
            &o.agent,
            id,
            "pbx",
            json!([{"period": "2026-03-02", "value": 8}]),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(r["updated"].as_u64(), Some(1), "{b:?}");
        let r: Value = push(
            &o.agent,
            id,
            "crm",
            json!([{"period": "2026-03-02", "value": 3}]),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(
            r["inserted"].as_u64(),
            Some(1),
            "{b:?}: another source is another point"
        );
        assert_eq!(
            status(a, id, "2026-03-02").await["value"],
            json!(11.0),
            "{b:?}: 8 + 3"
        );
        assert_eq!(status(a, id, "2026-03-01").await["value"], json!(5.0));
        // Who may push: the owner and managers of the department, not other members.
        problem(
            push(
                &o.outsider,
                id,
                "pbx",
                json!([{"period": "2026-03-03", "value": 1}]),
            )
            .await,
            404,
        )
        .await;
        assert_eq!(
            push(
                &o.mgr,
                id,
                "pbx",
                json!([{"period": "2026-03-03", "value": 1}])
            )
            .await
            .status(),
            200
        );
        let viewer = app.api(&app.user_with_token("viewer", Role::Viewer).await);
        // A viewer without a department does not see a department's KPI at all.
        problem(
            push(
                &viewer,
                id,
                "pbx",
                json!([{"period": "2026-03-03", "value": 1}]),
            )
            .await,
            404,
        )
        .await;
        // Bad points are named, and nothing of the batch is kept.
        let p = problem(
            push(
                a,
                id,
                "pbx",
                json!([{"period": "2026-03-04", "value": 1}, {"period": "March", "value": 2}]),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "points[1].period"), "{p}");
        assert_eq!(
            status(a, id, "2026-03-04").await["value"],
            Value::Null,
            "{b:?}"
        );
        let p = problem(
            push(
                a,
                id,
                "opsdesk",
                json!([{"period": "2026-03-04", "value": 1}]),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "source"), "{p}");
        let ratio = post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "rate",
                "company",
                json!({"aggregation": "ratio", "unit": "ratio"}),
            ),
        )
        .await;
        let p = problem(
            push(
                a,
                ratio["id"].as_i64().unwrap(),
                "x",
                json!([{"period": "2026-03", "value": 9}]),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "points[0].denominator"), "{p}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn computed_kpis_count_the_tasks() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        // The test clock starts at 2026-05-29 04:26 in Asia/Shanghai.
        let task = |title: &str, dept: i64, due: Option<&str>| json!({"title": title, "department_id": dept, "due_date": due});
        let mut ids = Vec::new();
        for (t, d, due) in [
            ("late", o.cs, Some("2026-05-28")),
            ("early", o.ops, Some("2026-06-30")),
            ("no due date", o.cs, None),
            ("overdue 1", o.cs, Some("2026-05-01")),
            ("overdue 2", o.ops, Some("2026-05-20")),
            ("later", o.ops, Some("2026-12-01")),
            ("logistics", o.log, Some("2026-05-01")),
        ] {
            ids.push(
                post_ok(a, "/api/v1/tasks", task(t, d, due)).await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        let done = |i: usize| {
            let id = ids[i];
            let api = &o.admin;
            async move {
                let r = api.get(&format!("/api/v1/tasks/{id}")).await;
                let tag = r.headers()["etag"].to_str().unwrap().to_string();
                let r = api
                    .patch(
                        &format!("/api/v1/tasks/{id}"),
                        &json!({"status": "done"}),
                        Some(&tag),
                    )
                    .await;
                assert_eq!(r.status(), 200);
            }
        };
        done(0).await;
        done(2).await;
        done(6).await;
        app.srv
            .as_ref()
            .unwrap()
            .manual_clock
            .as_ref()
            .unwrap()
            .advance_ms(86_400_000);
        done(1).await;
        let mk = |code: &str, comp: &str, agg: &str, freq: &str, scope: &str| {
            let mut v = kpi(
                code,
                scope,
                json!({"computed": comp, "aggregation": agg, "frequency": freq}),
            );
            if scope == "department" {
                v["department_id"] = json!(o.ops);
            }
            v
        };
        let completed = post_ok(
            a,
            "/api/v1/kpis",
            mk("ops_done", "tasks_completed", "sum", "daily", "department"),
        )
        .await;
        let all_done = post_ok(
            a,
            "/api/v1/kpis",
            mk("all_done", "tasks_completed", "sum", "monthly", "company"),
        )
        .await;
        let on_time = post_ok(
            a,
            "/api/v1/kpis",
            mk(
                "ops_on_time",
                "on_time_rate",
                "ratio",
                "monthly",
                "department",
            ),
        )
        .await;
        let overdue = post_ok(
            a,
            "/api/v1/kpis",
            mk(
                "ops_overdue",
                "overdue_tasks",
                "last",
                "daily",
                "department",
            ),
        )
        .await;
        let p = problem(
            a.post(
                "/api/v1/kpis",
                &mk("bad", "tasks_completed", "mean", "daily", "company"),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "aggregation"), "{p}");
        let now = 1_780_000_000_000 + 86_400_000;
        performance::kpi::service::refresh_all(app.db(), now)
            .await
            .unwrap();
        let id = |v: &Value| v["id"].as_i64().unwrap();
        // OPS and its sub-department CS: "late" and "no due date" on the 29th, "early" on the 30th.
        assert_eq!(
            status(a, id(&completed), "2026-05-29").await["value"],
            json!(2.0),
            "{b:?}"
        );
        assert_eq!(
            status(a, id(&completed), "2026-05-30").await["value"],
            json!(1.0),
            "{b:?}"
        );
        assert_eq!(
            status(a, id(&all_done), "2026-05").await["value"],
            json!(4.0),
            "{b:?}: with Logistics"
        );
        // Of the two with a due date, "early" was on time and "late" was not.
        assert_eq!(
            status(a, id(&on_time), "2026-05").await["value"],
            json!(0.5),
            "{b:?}"
        );
        // Open and past due on 2026-05-30 in OPS + CS: "overdue 1" and "overdue 2" (not Logistics').
        assert_eq!(
            status(a, id(&overdue), "2026-05-30").await["value"],
            json!(2.0),
            "{b:?}"
        );
        // Refreshing again recomputes, it does not add up.
        performance::kpi::service::refresh_all(app.db(), now)
            .await
            .unwrap();
        assert_eq!(
            status(a, id(&completed), "2026-05-29").await["value"],
            json!(2.0),
            "{b:?}"
        );
        assert_eq!(
            status(a, id(&overdue), "2026-05-30").await["value"],
            json!(2.0),
            "{b:?}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_red_period_notifies_owner_and_manager_exactly_once() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        let k = post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "csat",
                "department",
                json!({"department_id": o.cs, "owner_person_id": o.agent_person}),
            ),
        )
        .await;
        let id = k["id"].as_i64().unwrap();
        assert_eq!(
            set_targets(a, id, json!([{"period": "2026-05", "target": 100}]))
                .await
                .status(),
            200
        );
        push(a, id, "survey", json!([{"period": "2026-05", "value": 95}])).await;
        assert!(
            notifications(&o.agent, "kpi.red").await.is_empty(),
            "{b:?}: amber is not red"
        );
        push(a, id, "survey", json!([{"period": "2026-05", "value": 50}])).await;
        push(a, id, "survey", json!([{"period": "2026-05", "value": 40}])).await;
        performance::kpi::service::refresh_all(app.db(), 1_780_000_000_000)
            .await
            .unwrap();
        performance::kpi::service::refresh_all(app.db(), 1_780_000_000_000)
            .await
            .unwrap();
        let own = notifications(&o.agent, "kpi.red").await;
        assert_eq!(own.len(), 1, "{b:?}: the owner is told once: {own:?}");
        assert_eq!(own[0]["link"], json!(format!("/kpis/{id}")));
        assert!(own[0]["title"].as_str().unwrap().contains("2026-05"));
        assert_eq!(
            notifications(&o.mgr, "kpi.red").await.len(),
            1,
            "{b:?}: and their manager once"
        );
        assert!(notifications(&o.outsider, "kpi.red").await.is_empty());
        assert!(notifications(a, "kpi.red").await.is_empty());
        // A new red period is a new alert.
        push(a, id, "survey", json!([{"period": "2026-06", "value": 10}])).await;
        assert_eq!(
            notifications(&o.agent, "kpi.red").await.len(),
            1,
            "{b:?}: no target, no status"
        );
        set_targets(a, id, json!([{"period": "2026-06", "target": 100}])).await;
        assert_eq!(notifications(&o.agent, "kpi.red").await.len(), 2, "{b:?}");
        assert_eq!(notifications(&o.mgr, "kpi.red").await.len(), 2, "{b:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_open_tasks_and_measure_before_and_after() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        let k = post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "fcr",
                "department",
                json!({"department_id": o.cs, "owner_person_id": o.boss_person}),
            ),
        )
        .await;
        let id = k["id"].as_i64().unwrap();
        push(
            a,
            id,
            "bi",
            json!([{"period": "2026-01", "value": 99}, {"period": "2026-02", "value": 10},
            {"period": "2026-03", "value": 20}, {"period": "2026-04", "value": 30}]),
        )
        .await;
        // Opened by the manager (who manages CS) in 2026-05, assigned to the agent.
        let r = o
            .mgr
            .req(reqwest::Method::POST, &format!("/api/v1/kpis/{id}/actions"))
            .header("Idempotency-Key", "act-1")
            .json(&json!({"title": "Retrain on the new FAQ", "assignee_id": o.agent_person, "due_date": "2026-06-15"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{b:?}");
        let action: Value = r.json().await.unwrap();
        assert_eq!(action["period"], "2026-05");
        assert_eq!(action["effect"], Value::Null, "{b:?}: not done yet");
        let replay: Value = o
            .mgr
            .req(reqwest::Method::POST, &format!("/api/v1/kpis/{id}/actions"))
            .header("Idempotency-Key", "act-1")
            .json(&json!({"title": "Retrain on the new FAQ", "assignee_id": o.agent_person, "due_date": "2026-06-15"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            replay["id"], action["id"],
            "{b:?}: a retried open is one action"
        );
        let task_id = action["task_id"].as_i64().unwrap();
        // The task is a normal task: the assignee was told and can see and finish it.
        assert_eq!(
            notifications(&o.agent, "task.assigned").await.len(),
            1,
            "{b:?}"
        );
        let r = o.agent.get(&format!("/api/v1/tasks/{task_id}")).await;
        assert_eq!(r.status(), 200);
        let tag = r.headers()["etag"].to_str().unwrap().to_string();
        let t: Value = r.json().await.unwrap();
        assert_eq!(
            (t["due_date"].as_str(), t["department_id"].as_i64()),
            (Some("2026-06-15"), Some(o.cs))
        );
        // Members may not open actions on KPIs they neither manage nor own.
        problem(
            o.agent
                .post(
                    &format!("/api/v1/kpis/{id}/actions"),
                    &json!({"title": "x"}),
                )
                .await,
            403,
        )
        .await;
        let r = o
            .agent
            .patch(
                &format!("/api/v1/tasks/{task_id}"),
                &json!({"status": "done"}),
                Some(&tag),
            )
            .await;
        assert_eq!(r.status(), 200);
        push(
            a,
            id,
            "bi",
            json!([{"period": "2026-06", "value": 40}, {"period": "2026-07", "value": 50}]),
        )
        .await;
        let list: Value = o
            .mgr
            .get(&format!("/api/v1/kpis/{id}/actions"))
            .await
            .json()
            .await
            .unwrap();
        let e = &list["items"][0]["effect"];
        assert_eq!(
            (e["before_from"].as_str(), e["before_to"].as_str()),
            (Some("2026-02"), Some("2026-04")),
            "{b:?} {e}"
        );
        assert_eq!(
            e["before_mean"],
            json!(20.0),
            "{b:?}: mean of 10, 20, 30 (January is outside)"
        );
        assert_eq!(
            (e["after_from"].as_str(), e["after_to"].as_str()),
            (Some("2026-06"), Some("2026-08"))
        );
        assert_eq!(
            (e["after_mean"].clone(), e["after_count"].clone()),
            (json!(45.0), json!(2)),
            "{b:?}"
        );
        assert_eq!(
            (e["change"].clone(), e["improved"].clone()),
            (json!(25.0), json!(true))
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kpi_pages_define_set_targets_enter_actuals_and_open_an_action() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let c = crate::web::sign_in(&app, "mgr").await;
        let page = c
            .get(app.url("/kpis/new"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = crate::web::form_token(&page);
        let cs = o.cs.to_string();
        let owner = o.boss_person.to_string();
        let mut form = vec![
            ("_csrf", csrf.as_str()),
            ("code", "handled"),
            ("name", "Tickets handled"),
            ("name_zh", "处理工单数"),
            ("unit", "count"),
            ("direction", "higher"),
            ("aggregation", "sum"),
            ("frequency", "monthly"),
            ("scope", "department"),
            ("department_id", cs.as_str()),
            ("owner_person_id", owner.as_str()),
            ("threshold_mode", "percent"),
            ("amber_from", "0"),
            ("red_from", "10"),
            ("formula", "handled2 +"),
        ];
        let r = c.post(app.url("/kpis")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 422, "{b:?}: a bad formula is shown back");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("err-formula") && html.contains("Tickets handled"),
            "{b:?}"
        );
        form.retain(|(k, _)| *k != "formula");
        let r = c.post(app.url("/kpis")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = loc
            .trim_start_matches("/kpis/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();

        let grid = c
            .get(app.url(&format!("/kpis/{id}/targets?span=2026")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            grid.contains("name=\"a:2026-12\""),
            "{b:?}: a year of monthly targets"
        );
        let version = grid
            .split("name=\"version\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let r = c
            .post(app.url(&format!("/kpis/{id}/targets")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("span", "2026"),
                ("version", version.as_str()),
                ("a:2026-04", "100"),
                ("a:2026-05", "1,000.5x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}: not a number");
        let r = c
            .post(app.url(&format!("/kpis/{id}/targets")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("span", "2026"),
                ("version", version.as_str()),
                ("a:2026-04", "100"),
                ("a:2026-05", "100"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let r = c
            .post(app.url(&format!("/kpis/{id}/actuals")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("span", "2026"),
                ("a:2026-04", "104"),
                ("a:2026-05", "60"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let s = status(&o.admin, id, "2026-05").await;
        assert_eq!(
            (s["value"].clone(), s["status"].clone()),
            (json!(60.0), json!("red")),
            "{b:?}"
        );

        let page = c
            .get(app.url(&format!("/kpis/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("data-chart=") && page.contains("echarts.min.js"),
            "{b:?}"
        );
        assert!(page.contains("2026-05") && page.contains("Tickets handled"));
        let idem = page
            .split("name=\"idem\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let agent = o.agent_person.to_string();
        let r = c
            .post(app.url(&format!("/kpis/{id}/actions")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("idem", idem.as_str()),
                ("title", "Call back the backlog"),
                ("assignee_id", agent.as_str()),
                ("due_date", "2026-06-05"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let page = c
            .get(app.url(&format!("/kpis/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Call back the backlog"), "{b:?}");
        let list = c
            .get(app.url("/kpis"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            list.contains("Tickets handled") && list.contains("rag-red"),
            "{b:?}"
        );
        // The other language.
        let zh = c
            .get(app.url("/kpis"))
            .header("Accept-Language", "zh-CN")
            .send()
            .await
            .unwrap();
        assert_eq!(zh.status(), 200);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_library_has_a_red_kpi_with_its_open_action() {
    let app = spawn(db::Backend::Sqlite).await;
    let now = 1_780_000_000_000;
    work::demo::load_demo(app.db(), now, work::demo::DemoSize::Small)
        .await
        .unwrap();
    let n = performance::kpi::demo::load_demo(app.db(), now)
        .await
        .unwrap();
    assert!(n >= 10);
    let admin = app.api(&app.user_with_token("admin", Role::Admin).await);
    let list: Value = admin
        .get("/api/v1/kpis?q=first_response")
        .await
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_i64().unwrap();
    let o: Value = admin
        .get(&format!("/api/v1/kpis/{id}/overview"))
        .await
        .json()
        .await
        .unwrap();
    let last = o["periods"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|p| !p["value"].is_null())
        .unwrap();
    assert_eq!(last["status"], "red", "{last}");
    assert_eq!(o["actions"].as_array().unwrap().len(), 1);
    assert_eq!(o["actions"][0]["status"], "todo");
    assert!(o["forecast"]["history_error"]["mae"].is_number(), "{o}");
    // One row per period carries status and analysis; nothing is repeated per comparison.
    assert!(last.get("period_over_period").is_some() && last.get("moving_mean").is_some());
    assert!(o.get("analysis").is_none() && o["forecast"].get("fitted").is_none());
    assert!(o["anomalies"]["anomalies"].is_array(), "{o}");
    let csat: Value = admin.get("/api/v1/kpis?q=csat").await.json().await.unwrap();
    let cid = csat["items"][0]["id"].as_i64().unwrap();
    let acts: Value = admin
        .get(&format!("/api/v1/kpis/{cid}/actions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        acts["items"][0]["effect"]["improved"],
        json!(true),
        "{acts}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anomalous_latest_value_notifies_once_with_its_explanation() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        let k = post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "tickets",
                "department",
                json!({"department_id": o.cs, "frequency": "daily",
                "owner_person_id": o.agent_person}),
            ),
        )
        .await;
        let id = k["id"].as_i64().unwrap();
        let mut points: Vec<Value> = (1..=28)
            .map(|d| json!({"period": format!("2026-04-{d:02}"), "value": 100 + (d % 7)}))
            .collect();
        push(a, id, "pbx", json!(points)).await;
        assert!(
            notifications(&o.agent, "kpi.anomaly").await.is_empty(),
            "{b:?}: ordinary days"
        );
        points = vec![json!({"period": "2026-04-29", "value": 900})];
        push(a, id, "pbx", json!(points)).await;
        performance::kpi::service::refresh_all(app.db(), 1_780_000_000_000)
            .await
            .unwrap();
        let n = notifications(&o.agent, "kpi.anomaly").await;
        assert_eq!(n.len(), 1, "{b:?}: {n:?}");
        assert!(
            n[0]["body"]
                .as_str()
                .unwrap()
                .contains("above the expected"),
            "{n:?}"
        );
        assert_eq!(notifications(&o.mgr, "kpi.anomaly").await.len(), 1, "{b:?}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_of_actuals_imports_from_a_file_all_or_nothing() {
    use reqwest::multipart::{Form, Part};
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        let k = post_ok(
            a,
            "/api/v1/kpis",
            kpi("visits", "department", json!({"department_id": o.cs})),
        )
        .await;
        let id = k["id"].as_i64().unwrap();
        let upload = |csv: String| {
            let form = Form::new().part(
                "file",
                Part::bytes(csv.into_bytes()).file_name("actuals.csv"),
            );
            a.req(reqwest::Method::POST, "/api/v1/imports/kpi-actuals")
                .multipart(form)
                .send()
        };
        let run = |imp: i64| {
            a.req(
                reqwest::Method::POST,
                &format!("/api/v1/imports/kpi-actuals/{imp}/run"),
            )
            .json(&json!({"dry_run": false}))
            .send()
        };
        // One bad row (an unknown KPI) → nothing is written, and the report names the row.
        let mut csv = String::from("指标编码,周期,实际值\n");
        for m in 1..=12 {
            csv.push_str(&format!("visits,2025/{m},\"1,{m:03}\"\n"));
        }
        let bad = format!("{csv}nope,2025-01,5\n");
        let imp: Value = upload(bad).await.unwrap().json().await.unwrap();
        let r = run(imp["id"].as_i64().unwrap()).await.unwrap();
        let p = problem(r, 422).await;
        assert!(names_field(&p, "rows[14].kpi"), "{b:?} {p}");
        assert_eq!(
            status(a, id, "2025-01").await["value"],
            Value::Null,
            "{b:?}: all or nothing"
        );
        let imp: Value = upload(csv).await.unwrap().json().await.unwrap();
        let rep: Value = run(imp["id"].as_i64().unwrap())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (rep["committed"].clone(), rep["written"].clone()),
            (json!(true), json!(12)),
            "{b:?} {rep}"
        );
        assert_eq!(
            status(a, id, "2025-03").await["value"],
            json!(1003.0),
            "{b:?}"
        );
        assert_eq!(status(a, id, "2025-12").await["value"], json!(1012.0));
        app.stop().await;
    }
}

async fn text_of(c: &reqwest::Client, app: &App, path: &str, lang: &str) -> (u16, String) {
    let r = c
        .get(app.url(path))
        .header("Accept-Language", lang)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kpi_history_page_and_delete_refused_while_in_use() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let a = &o.admin;
        let k = post_ok(
            a,
            "/api/v1/kpis",
            kpi(
                "handled",
                "department",
                json!({"name": "Tickets handled", "department_id": o.cs, "owner_person_id": o.boss_person}),
            ),
        )
        .await;
        let id = k["id"].as_i64().unwrap();
        let r = a
            .patch(
                &format!("/api/v1/kpis/{id}"),
                &json!({"name": "Tickets closed", "direction": "lower"}),
                Some(&etag(a, id).await),
            )
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        let tag = etag(a, id).await;
        let r = a
            .req(reqwest::Method::PUT, &format!("/api/v1/kpis/{id}/targets"))
            .header("If-Match", tag)
            .json(&json!({"items": [{"period": "2026-04", "target": 100}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{b:?}");
        let r = push(
            a,
            id,
            "erp",
            json!([{"period": "2026-04", "value": 90}, {"period": "2026-05", "value": 95}]),
        )
        .await;
        assert!(r.status().is_success(), "{b:?}");

        // The history: definition field by field, targets by period, a push's summary.
        let mgr = crate::web::sign_in(&app, "mgr").await;
        let (status, page) = text_of(&mgr, &app, &format!("/kpis/{id}/history"), "en").await;
        assert_eq!(status, 200, "{b:?}");
        for want in [
            "defined the KPI",
            "changed the definition",
            "Tickets handled → Tickets closed",
            "Higher is better → Lower is better",
            "changed targets",
            "2026-04: — → 100",
            "Source erp: 2 new, 0 changed, 0 removed",
            "2026-05: 95",
        ] {
            assert!(page.contains(want), "{b:?}: {want:?} in the history");
        }
        let (_, zh) = text_of(&mgr, &app, &format!("/kpis/{id}/history"), "zh-CN").await;
        assert!(
            zh.contains("修改了定义") && zh.contains("修改了目标"),
            "{b:?}"
        );
        let (_, detail) = text_of(&mgr, &app, &format!("/kpis/{id}"), "en").await;
        assert!(
            detail.contains(&format!("/kpis/{id}/history"))
                && detail.contains(&format!("/kpis/{id}/delete")),
            "{b:?}: the KPI page links both"
        );
        // The history is as visible as the KPI: a member of another department gets 404.
        let outsider = crate::web::sign_in(&app, "outsider").await;
        let (status, _) = text_of(&outsider, &app, &format!("/kpis/{id}/history"), "en").await;
        assert_eq!(status, 404, "{b:?}");
        // A member who sees the KPI may read its history but not delete it.
        let agent = crate::web::sign_in(&app, "agent").await;
        let (status, _) = text_of(&agent, &app, &format!("/kpis/{id}/history"), "en").await;
        assert_eq!(status, 200, "{b:?}");
        let (status, _) = text_of(&agent, &app, &format!("/kpis/{id}/delete"), "en").await;
        assert_eq!(status, 403, "{b:?}");

        // In use by a formula, a key result and a scorecard: the page says so and offers no form.
        let twice = post_ok(
            a,
            "/api/v1/kpis",
            kpi("twice", "company", json!({"formula": "handled * 2"})),
        )
        .await;
        let goal = post_ok(
            a,
            "/api/v1/goals",
            json!({"level": "company", "kind": "objective", "title": "Serve faster",
                   "owner_id": o.boss_person, "cycle": "2026-Q2"}),
        )
        .await;
        let gid = goal["id"].as_i64().unwrap();
        post_ok(
            a,
            &format!("/api/v1/goals/{gid}/key-results"),
            json!({"title": "Tickets", "metric": "tickets", "unit": "count", "start_value": 0, "target_value": 100, "kpi_id": id}),
        )
        .await;
        let card = post_ok(
            a,
            "/api/v1/scorecards",
            json!({"name": "CS", "scope": "department", "department_id": o.cs,
                   "items": [{"kpi_id": id, "weight": 1}]}),
        )
        .await;
        let (status, page) = text_of(&mgr, &app, &format!("/kpis/{id}/delete"), "en").await;
        assert_eq!(status, 409, "{b:?}");
        assert!(page.contains("delete-refused"), "{b:?}");
        for want in [
            "the formulas of other KPIs use it: twice",
            "1 key result(s) are bound to it",
            "1 scorecard(s) weigh it",
        ] {
            assert!(page.contains(want), "{b:?}: {want:?} on the delete page");
        }
        assert!(!page.contains("name=\"version\""), "{b:?}: no delete form");
        let (_, zh) = text_of(&mgr, &app, &format!("/kpis/{id}/delete"), "zh-CN").await;
        assert!(zh.contains("该指标仍在使用中"), "{b:?}");
        // Posting anyway is refused with the same explanation, and so is the API.
        let csrf = crate::web::form_token(&detail);
        let current: Value = a
            .get(&format!("/api/v1/kpis/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let version = current["version"].as_i64().unwrap().to_string();
        let r = mgr
            .post(app.url(&format!("/kpis/{id}/delete")))
            .form(&[("_csrf", csrf.as_str()), ("version", version.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409, "{b:?}");
        assert!(r.text().await.unwrap().contains("1 scorecard(s) weigh it"));
        let p = problem(
            a.req(reqwest::Method::DELETE, &format!("/api/v1/kpis/{id}"))
                .header("If-Match", etag(a, id).await)
                .send()
                .await
                .unwrap(),
            409,
        )
        .await;
        let detail_text = p["detail"].as_str().unwrap_or_default();
        assert!(
            detail_text.contains("twice") && detail_text.contains("key result"),
            "{p}"
        );
        assert!(
            a.get(&format!("/api/v1/kpis/{id}"))
                .await
                .status()
                .is_success(),
            "{b:?}: nothing was deleted"
        );

        // Once nothing uses it, the page asks, a stale version is refused, then it is deleted.
        let tid = twice["id"].as_i64().unwrap();
        let cid = card["id"].as_i64().unwrap();
        for path in [
            format!("/api/v1/kpis/{tid}"),
            format!("/api/v1/goals/{gid}"),
            format!("/api/v1/scorecards/{cid}"),
        ] {
            let tag = a.get(&path).await.headers()["etag"]
                .to_str()
                .unwrap()
                .to_string();
            let r = a
                .req(reqwest::Method::DELETE, &path)
                .header("If-Match", tag)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 204, "{b:?}: DELETE {path}");
        }
        let (status, page) = text_of(&mgr, &app, &format!("/kpis/{id}/delete"), "en").await;
        assert_eq!(status, 200, "{b:?}");
        assert!(
            page.contains("Delete the KPI “Tickets closed” (handled)")
                && page.contains("name=\"version\""),
            "{b:?}"
        );
        let stale = (version.parse::<i64>().unwrap() - 1).to_string();
        let r = mgr
            .post(app.url(&format!("/kpis/{id}/delete")))
            .form(&[("_csrf", csrf.as_str()), ("version", stale.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409, "{b:?}: a stale version is shown back");
        assert!(
            a.get(&format!("/api/v1/kpis/{id}"))
                .await
                .status()
                .is_success()
        );
        let r = mgr
            .post(app.url(&format!("/kpis/{id}/delete")))
            .form(&[("_csrf", csrf.as_str()), ("version", version.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        assert_eq!(r.headers()["location"], "/kpis?deleted=1");
        let (_, list) = text_of(&mgr, &app, "/kpis?deleted=1", "en").await;
        assert!(list.contains("KPI deleted."), "{b:?}");
        assert_eq!(
            a.get(&format!("/api/v1/kpis/{id}")).await.status(),
            404,
            "{b:?}"
        );
        let (status, _) = text_of(&mgr, &app, &format!("/kpis/{id}/history"), "en").await;
        assert_eq!(status, 404, "{b:?}");
        app.stop().await;
    }
}
