//! Goals and OKRs over HTTP on both backends: the JSON API (SMART problems naming fields,
//! Idempotency-Key, ETag/If-Match, 404 for invisible goals, check-ins, scoring and the lock)
//! and the pages (tree, my goals, forms with field errors, check-in) in both languages.
use crate::common::*;
use kernel::Role;
use serde_json::{Value, json};

const NOW: i64 = 1_780_000_000_000; // 2026-05-28, cycle 2026-Q2

/// CS and Fin; `ceo` without an account; `agent` (member, CS) and `teller` (member, Fin) linked
/// to their accounts. Returns (admin api, agent token, teller token, ceo, agent person).
async fn org(app: &App) -> (Api, String, String, i64, i64) {
    let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
    let agent_tok = app.user_with_token("agent", Role::Member).await;
    let teller_tok = app.user_with_token("teller", Role::Member).await;
    let dept = |name: &'static str| {
        let admin = &admin;
        async move {
            let r = admin
                .post("/api/v1/departments", &json!({"name": name}))
                .await;
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let cs = dept("CS").await;
    let fin = dept("Fin").await;
    let person = |no: &'static str, name: &'static str, d: i64| {
        let admin = &admin;
        async move {
            let r = admin
                .post(
                    "/api/v1/people",
                    &json!({"employee_no": no, "name": name, "department_id": d}),
                )
                .await;
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let ceo = person("E1", "CEO", cs).await;
    let agent = person("E2", "Agent", cs).await;
    let teller = person("E3", "Teller", fin).await;
    team::demo::link_user(app.db(), NOW, agent, "agent")
        .await
        .unwrap();
    team::demo::link_user(app.db(), NOW, teller, "teller")
        .await
        .unwrap();
    (admin, agent_tok, teller_tok, ceo, agent)
}

fn etag(r: &reqwest::Response) -> String {
    r.headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goals_api_smart_check_etags_visibility_checkins_and_scoring() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let (admin, agent_tok, teller_tok, ceo, agent_p) = org(&app).await;
        let agent = app.api(&agent_tok);
        let teller = app.api(&teller_tok);

        // Create with an Idempotency-Key twice → one goal.
        let body = json!({"level": "company", "kind": "objective", "title": "Delight customers",
                          "owner_id": ceo, "cycle": "2026-Q2"});
        let send = || {
            admin
                .req(reqwest::Method::POST, "/api/v1/goals")
                .header("Idempotency-Key", "g-1")
                .json(&body)
                .send()
        };
        let r1 = send().await.unwrap();
        assert_eq!(r1.status(), 201, "{b:?}");
        assert!(r1.headers().get("location").is_some());
        let company: Value = r1.json().await.unwrap();
        let r2: Value = send().await.unwrap().json().await.unwrap();
        assert_eq!(company["id"], r2["id"], "{b:?}: replayed");
        let cid = company["id"].as_i64().unwrap();

        // The SMART check as a problem naming each field.
        let p = problem(
            agent
                .post(
                    "/api/v1/goals",
                    &json!({"level": "person", "kind": "smart", "title": "Be better",
                                               "cycle": "2026-Q2", "due_date": "2026-08-01"}),
                )
                .await,
            422,
        )
        .await;
        for f in ["parent_id", "measure", "due_date"] {
            assert!(names_field(&p, f), "{b:?}: {f} in {p}");
        }
        let p = problem(
            agent
                .post("/api/v1/goals", &json!({"level": "person", "kind": "smart", "title": "x", "cycle": "2026-Q2",
                    "parent_id": cid, "measure": {"metric": "csat", "unit": "", "start_value": 4, "target_value": 4}}))
                .await,
            422,
        )
        .await;
        assert!(
            names_field(&p, "measure.target_value") && names_field(&p, "measure.unit"),
            "{p}"
        );
        problem(
            agent
                .post(
                    "/api/v1/goals",
                    &json!({"level": "person", "kind": "smart", "title": "x",
            "cycle": "2026-Q2", "bogus": 1}),
                )
                .await,
            422,
        )
        .await;

        // The agent's SMART goal (owner defaults to the agent).
        let r = agent
            .post("/api/v1/goals", &json!({"level": "person", "kind": "smart", "title": "Answer within 1 hour",
                "cycle": "2026-Q2", "parent_id": cid,
                "measure": {"metric": "answered within 1 h", "unit": "%", "start_value": 60, "target_value": 90}}))
            .await;
        assert_eq!(r.status(), 201, "{b:?}");
        let g: Value = r.json().await.unwrap();
        let gid = g["id"].as_i64().unwrap();
        assert_eq!(g["owner_id"], json!(agent_p));
        let kr = g["key_results"][0]["id"].as_i64().unwrap();

        // Visibility: the teller (Fin) sees the company goal only; the agent's is 404 for them.
        let list: Value = teller
            .get("/api/v1/goals?cycle=2026-Q2")
            .await
            .json()
            .await
            .unwrap();
        let ids: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![cid], "{b:?}");
        problem(teller.get(&format!("/api/v1/goals/{gid}")).await, 404).await;
        problem(
            teller.get(&format!("/api/v1/goals/{gid}/checkins")).await,
            404,
        )
        .await;
        problem(
            teller
                .post(
                    &format!("/api/v1/key-results/{kr}/checkins"),
                    &json!({"value": 1, "confidence": 50}),
                )
                .await,
            404,
        )
        .await;
        problem(agent.get("/api/v1/goals?cycle=2026-Q9").await, 422).await;
        let tree: Value = agent
            .get("/api/v1/goals/tree?cycle=2026-Q2")
            .await
            .json()
            .await
            .unwrap();
        let depths: Vec<(i64, i64)> = tree["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["goal"]["id"].as_i64().unwrap(),
                    i["depth"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(depths, vec![(cid, 0), (gid, 1)], "{b:?}");

        // ETag / If-Match.
        let r = agent.get(&format!("/api/v1/goals/{gid}")).await;
        let tag = etag(&r);
        let nm = agent
            .req(reqwest::Method::GET, &format!("/api/v1/goals/{gid}"))
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(nm.status(), 304);
        let path = format!("/api/v1/goals/{gid}");
        problem(
            agent.patch(&path, &json!({"title": "Faster"}), None).await,
            428,
        )
        .await;
        let r = agent
            .patch(&path, &json!({"title": "Faster"}), Some(&tag))
            .await;
        assert_eq!(r.status(), 200, "{b:?}");
        problem(
            agent
                .patch(&path, &json!({"title": "Again"}), Some(&tag))
                .await,
            412,
        )
        .await;

        // A check-in on the 1–10 scale; progress follows.
        let r = agent
            .post(&format!("/api/v1/key-results/{kr}/checkins"),
                  &json!({"value": 75, "confidence": 7, "confidence_scale": "ten", "note": "good week"}))
            .await;
        assert_eq!(r.status(), 201, "{b:?}");
        let c: Value = r.json().await.unwrap();
        assert_eq!(
            (c["progress"].as_f64(), c["confidence"].as_i64()),
            (Some(0.5), Some(70))
        );
        let p = problem(
            agent
                .post(
                    &format!("/api/v1/key-results/{kr}/checkins"),
                    &json!({"confidence": 500}),
                )
                .await,
            422,
        )
        .await;
        assert!(
            names_field(&p, "confidence") && names_field(&p, "value"),
            "{p}"
        );
        let g: Value = agent.get(&path).await.json().await.unwrap();
        assert_eq!(g["progress"].as_f64(), Some(0.5));
        let hist: Value = agent
            .get(&format!("{path}/checkins"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(hist["items"].as_array().unwrap().len(), 1);

        // Scoring: not before the deadline; members never; then locked.
        let r = admin.get(&path).await;
        let tag = etag(&r);
        problem(
            admin
                .req(reqwest::Method::POST, &format!("{path}/score"))
                .header("If-Match", &tag)
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
            409,
        )
        .await;
        app.srv
            .as_ref()
            .unwrap()
            .manual_clock
            .as_ref()
            .unwrap()
            .set_ms(NOW + 34 * 86_400_000);
        problem(
            agent
                .req(reqwest::Method::POST, &format!("{path}/score"))
                .header("If-Match", &tag)
                .json(&json!({}))
                .send()
                .await
                .unwrap(),
            403,
        )
        .await;
        let r = admin
            .req(reqwest::Method::POST, &format!("{path}/score"))
            .header("If-Match", &tag)
            .json(&json!({"key_results": [{"key_result_id": kr, "score": 0.6}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{b:?}");
        let tag = etag(&r);
        let s: Value = r.json().await.unwrap();
        assert_eq!(
            (s["score"].as_f64(), s["state"].as_str()),
            (Some(0.6), Some("scored"))
        );
        problem(
            admin
                .patch(&path, &json!({"title": "Late"}), Some(&tag))
                .await,
            409,
        )
        .await;
        problem(
            agent
                .post(
                    &format!("/api/v1/key-results/{kr}/checkins"),
                    &json!({"value": 90, "confidence": 90}),
                )
                .await,
            409,
        )
        .await;

        let doc: Value = admin
            .get("/api/v1/openapi.json")
            .await
            .json()
            .await
            .unwrap();
        for p in [
            "/api/v1/goals",
            "/api/v1/goals/tree",
            "/api/v1/goals/{id}/score",
            "/api/v1/key-results/{id}/checkins",
        ] {
            assert!(doc["paths"].get(p).is_some(), "{p} documented");
        }
        app.stop().await;
    }
}

fn form_token(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[i..].split('"').next().unwrap().to_string()
}

async fn sign_in(app: &App, username: &str, lang: &str) -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("accept-language", lang.parse().unwrap());
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(h)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = form_token(&page);
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", "correct horse battery staple"),
            ("_csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    c
}

async fn text(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn goal_pages_tree_forms_and_check_in_in_both_languages() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let (admin, _, _, ceo, _) = org(&app).await;
        let r = admin
            .post(
                "/api/v1/goals",
                &json!({"level": "company", "kind": "objective", "title": "Delight customers",
                                           "owner_id": ceo, "cycle": "2026-Q2"}),
            )
            .await;
        let cid = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        for (lang, tree_word, err_word) in [
            (
                "en",
                "Goals and OKRs",
                "choose the goal this one contributes to",
            ),
            ("zh-CN", "目标与关键成果", "请选择所支撑的上级目标"),
        ] {
            let c = sign_in(&app, "agent", lang).await;
            let (s, html) = text(&c, app.url("/goals")).await;
            assert_eq!(s, 200, "{b:?} {lang}");
            assert!(
                html.contains(tree_word) && html.contains("Delight customers"),
                "{lang}"
            );
            assert!(
                !html.contains("style=") && !html.contains("<script>"),
                "no inline style/script"
            );
            let (s, form) = text(&c, app.url("/goals/new")).await;
            assert_eq!(s, 200);
            let token = form_token(&form);
            // No parent, no metric: the form comes back with the errors at the fields.
            let r = c
                .post(app.url("/goals"))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("level", "person"),
                    ("kind", "smart"),
                    ("title", "Reply faster"),
                    ("cycle", "2026-Q2"),
                    ("metric", ""),
                    ("unit", "%"),
                    ("start_value", "60"),
                    ("target_value", "90"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{b:?} {lang}");
            let html = r.text().await.unwrap();
            assert!(
                html.contains(err_word) && html.contains("id=\"err-metric\""),
                "{lang}"
            );
            // Valid: redirected to the new goal.
            let r = c
                .post(app.url("/goals"))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("level", "person"),
                    ("kind", "smart"),
                    ("title", "Reply faster"),
                    ("cycle", "2026-Q2"),
                    ("parent_id", &cid.to_string()),
                    ("metric", "replies within 1 h"),
                    ("unit", "%"),
                    ("start_value", "60"),
                    ("target_value", "90"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{b:?} {lang}");
            let loc = r
                .headers()
                .get("location")
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            let gid: i64 = loc
                .trim_start_matches("/goals/")
                .split('?')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let (s, detail) = text(&c, app.url(&loc)).await;
            assert_eq!(s, 200);
            let g: Value = admin
                .get(&format!("/api/v1/goals/{gid}"))
                .await
                .json()
                .await
                .unwrap();
            let kr = g["key_results"][0]["id"].as_i64().unwrap();
            let action = format!("/goals/{gid}/key-results/{kr}/checkins");
            assert!(detail.contains(&action), "{lang}: a check-in form");
            let token = form_token(&detail);
            let r = c
                .post(app.url(&action))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("value", "abc"),
                    ("confidence", "70"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 422, "{lang}");
            let r = c
                .post(app.url(&action))
                .form(&[
                    ("_csrf", token.as_str()),
                    ("value", "75"),
                    ("confidence", "7"),
                    ("scale", "ten"),
                    ("note", "on it"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{lang}");
            let (_, detail) = text(&c, app.url(&format!("/goals/{gid}"))).await;
            assert!(
                detail.contains("on it") && detail.contains("value=\"50\""),
                "{lang}: timeline and progress"
            );
            let (s, mine) = text(&c, app.url("/goals/mine")).await;
            assert_eq!(s, 200);
            assert!(mine.contains(&format!("/goals/{gid}")));
            let (s, _) = text(&c, app.url(&format!("/goals/{gid}/edit"))).await;
            assert_eq!(s, 200);
        }
        // The tree nests the agent's goals under the company goal, in a details element.
        let c = sign_in(&app, "boss", "en").await;
        let (_, html) = text(&c, app.url("/goals?cycle=2026-Q2")).await;
        assert!(html.contains("<details open>"), "{b:?}");
        let (s, _) = text(&c, app.url("/goals/999999")).await;
        assert_eq!(s, 404);
        app.stop().await;
    }
}

async fn demo_kpi(app: &App, code: &str, dept: Option<i64>, target: f64, value: f64) -> i64 {
    use performance::kpi::model::{
        Aggregation, Direction, Frequency, KpiInput, ThresholdMode, Unit,
    };
    use performance::kpi::service::{PointInput, TargetCell};
    let admin = kernel::Ctx::system(NOW);
    let input = KpiInput {
        code: code.into(),
        name: code.into(),
        name_zh: None,
        description: None,
        unit: Unit::Percent,
        direction: Direction::Higher,
        aggregation: Aggregation::Mean,
        frequency: Frequency::Monthly,
        scope: if dept.is_some() {
            "department"
        } else {
            "company"
        }
        .into(),
        department_id: dept,
        person_id: None,
        owner_person_id: None,
        formula: None,
        computed: None,
        threshold_mode: ThresholdMode::Percent,
        amber_from: 0.0,
        red_from: 10.0,
    };
    let db = app.db();
    let k = performance::kpi::service::create(db, &admin, &input, None)
        .await
        .unwrap();
    let cell = TargetCell {
        period: "2026-05".into(),
        target: Some(target),
        target_high: None,
    };
    performance::kpi::service::set_targets(db, &admin, k.id, k.version, &[cell])
        .await
        .unwrap();
    let p = PointInput {
        period: "2026-05-05".into(),
        value: Some(value),
        denominator: None,
    };
    performance::kpi::service::push_points(db, &admin, k.id, "test", &[p])
        .await
        .unwrap();
    k.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scorecards_api_and_pages_on_both_backends() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let (admin, agent_tok, teller_tok, _, _) = org(&app).await;
        let agent = app.api(&agent_tok);
        let teller = app.api(&teller_tok);
        let depts: Value = admin.get("/api/v1/departments").await.json().await.unwrap();
        let cs = depts["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "CS")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let a = demo_kpi(&app, "csat", None, 90.0, 99.0).await; // 110 %
        let c = demo_kpi(&app, "fcr", Some(cs), 80.0, 60.0).await; // 75 %
        let body = json!({"name": "CS monthly", "scope": "department", "department_id": cs,
                          "items": [{"kpi_id": a, "weight": 1}, {"kpi_id": c, "weight": 3}]});
        let create = || {
            admin
                .req(reqwest::Method::POST, "/api/v1/scorecards")
                .header("Idempotency-Key", "s-1")
                .json(&body)
                .send()
        };
        let r = create().await.unwrap();
        assert_eq!(r.status(), 201, "{b:?}");
        let card: Value = r.json().await.unwrap();
        let again: Value = create().await.unwrap().json().await.unwrap();
        assert_eq!(card["id"], again["id"]);
        let id = card["id"].as_i64().unwrap();
        // Members do not compose; bad input names the field.
        problem(agent.post("/api/v1/scorecards", &body).await, 403).await;
        let p = problem(
            admin
                .post(
                    "/api/v1/scorecards",
                    &json!({"name": "", "scope": "person", "items": []}),
                )
                .await,
            422,
        )
        .await;
        assert!(
            names_field(&p, "name") && names_field(&p, "person_id") && names_field(&p, "items"),
            "{p}"
        );

        // (1 × 110 + 3 × 75) / 4 = 83.75
        let rep: Value = agent
            .get(&format!("/api/v1/scorecards/{id}/report?period=2026-05"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(rep["result"]["score"].as_f64(), Some(83.75), "{b:?}: {rep}");
        assert_eq!(rep["history"].as_array().unwrap().len(), 6);
        problem(
            agent
                .get(&format!("/api/v1/scorecards/{id}/report?period=May"))
                .await,
            422,
        )
        .await;
        problem(teller.get(&format!("/api/v1/scorecards/{id}")).await, 404).await;
        problem(
            teller.get(&format!("/api/v1/scorecards/{id}/report")).await,
            404,
        )
        .await;
        let list: Value = teller.get("/api/v1/scorecards").await.json().await.unwrap();
        assert!(list["items"].as_array().unwrap().is_empty());

        // If-Match on changes.
        let path = format!("/api/v1/scorecards/{id}");
        problem(admin.patch(&path, &json!({"name": "x"}), None).await, 428).await;
        let tag = admin.get(&path).await.headers()["etag"]
            .to_str()
            .unwrap()
            .to_string();
        let r = admin
            .patch(
                &path,
                &json!({"items": [{"kpi_id": a, "weight": 1}]}),
                Some(&tag),
            )
            .await;
        assert_eq!(r.status(), 200);
        problem(
            admin.patch(&path, &json!({"name": "y"}), Some(&tag)).await,
            412,
        )
        .await;

        // Pages in both languages: the report links to the KPI; the form shows field errors.
        for (lang, word) in [("en", "Achievement"), ("zh-CN", "达成率")] {
            let c = sign_in(&app, "agent", lang).await;
            let (s, html) = text(&c, app.url(&format!("/scorecards/{id}?period=2026-05"))).await;
            assert_eq!(s, 200, "{b:?} {lang}");
            assert!(
                html.contains(word)
                    && html.contains(&format!("href=\"/kpis/{a}\""))
                    && html.contains("110.0 %"),
                "{lang}"
            );
            let (s, _) = text(&c, app.url("/scorecards")).await;
            assert_eq!(s, 200);
            let (s, _) = text(&c, app.url("/scorecards/new")).await;
            assert_eq!(s, 403, "members do not compose");
        }
        let c = sign_in(&app, "boss", "en").await;
        let (_, form) = text(&c, app.url("/scorecards/new")).await;
        let token = form_token(&form);
        let r = c
            .post(app.url("/scorecards"))
            .form(&[
                ("_csrf", token.as_str()),
                ("name", "Empty"),
                ("scope", "company"),
                ("kpi_id", ""),
                ("weight", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        let r = c
            .post(app.url("/scorecards"))
            .form(&[
                ("_csrf", token.as_str()),
                ("name", "Company"),
                ("scope", "company"),
                ("kpi_id", &a.to_string()),
                ("weight", "2"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let doc: Value = admin
            .get("/api/v1/openapi.json")
            .await
            .json()
            .await
            .unwrap();
        assert!(doc["paths"].get("/api/v1/scorecards/{id}/report").is_some());
        app.stop().await;
    }
}
