//! Team part B over HTTP on both databases: hiring (policy, pipeline, CVs, hire, funnel),
//! training (enrolment, results, certificates, the reminder job), kudos and private 1:1s.
use crate::common::*;
use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};

async fn body(r: reqwest::Response, status: u16) -> Value {
    let s = r.status().as_u16();
    let text = r.text().await.unwrap();
    assert_eq!(s, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

fn etag(v: &Value) -> String {
    format!("\"{}-{}\"", id(v), v["version"].as_i64().unwrap())
}

/// A user with a role, linked to a new person in `dept` (optionally with a manager).
async fn person(
    app: &App,
    admin: &Api,
    name: &str,
    role: Role,
    dept: i64,
    manager: Option<i64>,
) -> (Api, i64) {
    let api = app.api(&app.user_with_token(name, role).await);
    let me = body(api.get("/api/v1/me").await, 200).await;
    let user_id = me["user"]["id"].as_i64().unwrap();
    let p = body(
        admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": format!("E-{name}"), "name": name, "department_id": dept,
                        "manager_id": manager, "user_id": user_id}),
            )
            .await,
        201,
    )
    .await;
    (api, id(&p))
}

async fn department(admin: &Api, name: &str) -> i64 {
    id(&body(
        admin
            .post("/api/v1/departments", &json!({"name": name}))
            .await,
        201,
    )
    .await)
}

async fn set_head(admin: &Api, dept: i64, head: i64) {
    let d = body(admin.get(&format!("/api/v1/departments/{dept}")).await, 200).await;
    body(
        admin
            .patch(
                &format!("/api/v1/departments/{dept}"),
                &json!({"head_person_id": head}),
                Some(&etag(&d)),
            )
            .await,
        200,
    )
    .await;
}

async fn put_cv(api: &Api, cand: i64, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    api.req(
        Method::PUT,
        &format!("/api/v1/candidates/{cand}/cv?filename={name}"),
    )
    .header("content-type", "application/octet-stream")
    .body(bytes)
    .send()
    .await
    .unwrap()
}

async fn move_to(api: &Api, cand: &Value, stage: &str) -> Value {
    let r = api
        .req(
            Method::POST,
            &format!("/api/v1/candidates/{}/move", id(cand)),
        )
        .header("If-Match", etag(cand))
        .json(&json!({"stage": stage}))
        .send()
        .await
        .unwrap();
    body(r, 200).await
}

async fn count_mentions(api: &Api, text: &str) -> usize {
    body(api.get("/api/v1/notifications").await, 200)
        .await
        .to_string()
        .matches(text)
        .count()
}

async fn advance_clock(admin: &Api, days: i64) {
    body(
        admin
            .post("/test/clock", &json!({"advance_ms": days * 86_400_000}))
            .await,
        200,
    )
    .await;
}

struct Org {
    admin: Api,
    ops: i64,
    head: (Api, i64),
    mgr: (Api, i64),
    mgr2: (Api, i64),
    interviewer: (Api, i64),
    outsider: (Api, i64),
    sales_mgr: (Api, i64),
}

async fn org(app: &App) -> Org {
    let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
    let ops = department(&admin, "运营部 Operations").await;
    let sales = department(&admin, "Sales").await;
    let head = person(app, &admin, "head", Role::Member, ops, None).await;
    set_head(&admin, ops, head.1).await;
    let mgr = person(app, &admin, "mgr", Role::Manager, ops, Some(head.1)).await;
    let mgr2 = person(app, &admin, "mgr2", Role::Manager, ops, Some(head.1)).await;
    let interviewer = person(app, &admin, "ivr", Role::Member, ops, Some(mgr.1)).await;
    let outsider = person(app, &admin, "out", Role::Member, ops, Some(mgr.1)).await;
    let sales_mgr = person(app, &admin, "smgr", Role::Manager, sales, None).await;
    Org {
        admin,
        ops,
        head,
        mgr,
        mgr2,
        interviewer,
        outsider,
        sales_mgr,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hiring_policy_pipeline_scorecards_salaries_and_hire() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let (mgr, mgr_id) = (&o.mgr.0, o.mgr.1);

        // Headcount: requested by a manager, decided by the head only; budgets stay inside.
        let hc = body(
            mgr.post(
                "/api/v1/headcount-requests",
                &json!({"department_id": o.ops, "position": "运营专员",
                "headcount": 2, "budget_minor": 48_000_000, "justification": "peak season"}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(hc["status"], "pending", "{b:?}");
        let decide = |api: &Api, v: &Value| {
            api.req(
                Method::POST,
                &format!("/api/v1/headcount-requests/{}/decision", id(v)),
            )
            .header("If-Match", etag(v))
            .json(&json!({"approve": true}))
            .send()
        };
        problem(decide(&o.mgr2.0, &hc).await.unwrap(), 403).await;
        problem(
            o.sales_mgr
                .0
                .get(&format!("/api/v1/headcount-requests/{}", id(&hc)))
                .await,
            404,
        )
        .await;
        problem(
            o.outsider
                .0
                .get(&format!("/api/v1/headcount-requests/{}", id(&hc)))
                .await,
            404,
        )
        .await;
        let seen = body(
            o.head
                .0
                .get(&format!("/api/v1/headcount-requests/{}", id(&hc)))
                .await,
            200,
        )
        .await;
        assert_eq!(
            seen["budget_minor"], 48_000_000,
            "{b:?}: the head sees the budget"
        );
        assert_eq!(
            count_mentions(&o.head.0, "\"kind\":\"headcount_request\"").await,
            1,
            "{b:?}: the head is asked"
        );
        let hc = body(decide(&o.head.0, &hc).await.unwrap(), 200).await;
        assert_eq!(hc["status"], "approved", "{b:?}");

        // Opening with a salary range; the hiring manager is on the team.
        let op = body(
            mgr.post(
                "/api/v1/openings",
                &json!({"title": "Operations specialist", "department_id": o.ops,
                "headcount_request_id": id(&hc), "hiring_manager_id": mgr_id,
                "salary_min_minor": 1_500_000, "salary_max_minor": 2_200_000}),
            )
            .await,
            201,
        )
        .await;
        let op_path = format!("/api/v1/openings/{}", id(&op));
        problem(o.outsider.0.get(&op_path).await, 404).await;
        problem(o.sales_mgr.0.get(&op_path).await, 404).await;
        let list = body(o.outsider.0.get("/api/v1/openings").await, 200).await;
        assert_eq!(
            list["items"],
            json!([]),
            "{b:?}: lists show exactly what reads allow"
        );

        // Candidate through the pipeline, with the non-drag move and its rules.
        let c = body(
            mgr.post(
                "/api/v1/candidates",
                &json!({"opening_id": id(&op), "name": "李雷 Li Lei",
                "email": "li.lei@example.com", "source": "referral"}),
            )
            .await,
            201,
        )
        .await;
        assert_eq!(c["stage"], "applied");
        let c = move_to(mgr, &c, "screening").await;
        let r = mgr
            .req(Method::POST, &format!("/api/v1/candidates/{}/move", id(&c)))
            .header("If-Match", etag(&c))
            .json(&json!({"stage": "hired"}))
            .send()
            .await
            .unwrap();
        assert!(
            names_field(&problem(r, 422).await, "stage"),
            "{b:?}: hire is not a move"
        );
        problem(
            mgr.req(Method::POST, &format!("/api/v1/candidates/{}/move", id(&c)))
                .json(&json!({"stage": "interview"}))
                .send()
                .await
                .unwrap(),
            428,
        )
        .await;
        let c = move_to(mgr, &c, "interview").await;
        problem(o.outsider.0.post(&format!("/api/v1/candidates/{}/interviews", id(&c)),
            &json!({"interviewer_id": o.outsider.1, "scheduled_at": 1_780_100_000_000i64, "kind": "onsite"})).await, 404).await;
        let iv = body(
            mgr.post(&format!("/api/v1/candidates/{}/interviews", id(&c)),
                &json!({"interviewer_id": o.interviewer.1, "scheduled_at": 1_780_100_000_000i64, "kind": "onsite"}))
                .await,
            201,
        )
        .await;

        assert_eq!(
            count_mentions(&o.interviewer.0, "\"kind\":\"interview\"").await,
            1,
            "{b:?}: the interviewer is told"
        );
        // The interviewer joined the hiring team: reads the opening, but not its salaries.
        let seen = body(o.interviewer.0.get(&op_path).await, 200).await;
        assert_eq!(
            seen["salary_min_minor"],
            Value::Null,
            "{b:?}: no salary for a member"
        );
        assert_eq!(
            body(mgr.get(&op_path).await, 200).await["salary_min_minor"],
            1_500_000
        );

        // Scorecards: only the interviewer submits; only the hiring team (and admins) read.
        let card = json!({"ratings": [{"criterion": "沟通 Communication", "rating": 4}, {"criterion": "Ops sense", "rating": 5}],
                          "recommendation": "strong_yes", "notes": "great with customers"});
        problem(
            o.mgr2
                .0
                .req(
                    Method::PUT,
                    &format!("/api/v1/interviews/{}/scorecard", id(&iv)),
                )
                .json(&card)
                .send()
                .await
                .unwrap(),
            404,
        )
        .await;
        let bad = json!({"ratings": [{"criterion": "x", "rating": 9}], "recommendation": "maybe"});
        let p = problem(
            o.interviewer
                .0
                .req(
                    Method::PUT,
                    &format!("/api/v1/interviews/{}/scorecard", id(&iv)),
                )
                .json(&bad)
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert!(
            names_field(&p, "ratings[0].rating") && names_field(&p, "recommendation"),
            "{b:?}: {p}"
        );
        body(
            o.interviewer
                .0
                .req(
                    Method::PUT,
                    &format!("/api/v1/interviews/{}/scorecard", id(&iv)),
                )
                .json(&card)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let ivs = format!("/api/v1/candidates/{}/interviews", id(&c));
        for api in [mgr, &o.interviewer.0, &o.admin] {
            let got = body(api.get(&ivs).await, 200).await;
            assert_eq!(
                got[0]["scorecard"]["recommendation"], "strong_yes",
                "{b:?}: the hiring team reads it"
            );
        }
        let hidden = body(o.mgr2.0.get(&ivs).await, 200).await;
        assert_eq!(
            hidden[0]["scorecard"],
            Value::Null,
            "{b:?}: a manager off the team does not"
        );
        assert_eq!(hidden[0]["scorecard_hidden"], true);
        assert!(!hidden.to_string().contains("great with customers"));

        // Offers: salaries for admins and the department's managers only.
        problem(
            o.interviewer
                .0
                .post(
                    &format!("/api/v1/candidates/{}/offers", id(&c)),
                    &json!({"salary_minor": 2_000_000, "start_date": "2027-01-04"}),
                )
                .await,
            403,
        )
        .await;
        let offer = body(
            mgr.post(
                &format!("/api/v1/candidates/{}/offers", id(&c)),
                &json!({"salary_minor": 2_000_000, "start_date": "2027-01-04"}),
            )
            .await,
            201,
        )
        .await;
        let offers_path = format!("/api/v1/candidates/{}/offers", id(&c));
        assert_eq!(
            body(o.interviewer.0.get(&offers_path).await, 200).await[0]["salary_minor"],
            Value::Null
        );
        assert_eq!(
            body(o.mgr2.0.get(&offers_path).await, 200).await[0]["salary_minor"],
            2_000_000
        );
        assert_eq!(
            body(o.head.0.get(&offers_path).await, 200).await[0]["salary_minor"],
            2_000_000
        );
        let cand_list = body(
            o.interviewer
                .0
                .get(&format!("/api/v1/candidates?opening_id={}", id(&op)))
                .await,
            200,
        )
        .await;
        assert!(
            !cand_list.to_string().contains("2000000"),
            "{b:?}: no salary in lists for members"
        );

        // Hire needs an accepted offer, then creates the person in one step.
        let hire_path = format!("/api/v1/candidates/{}/hire", id(&c));
        let hire = |api: &Api| {
            api.req(Method::POST, &hire_path)
                .json(&json!({"employee_no": "E-1001"}))
                .send()
        };
        assert!(
            names_field(&problem(hire(mgr).await.unwrap(), 422).await, "offer"),
            "{b:?}"
        );
        let r = mgr
            .req(Method::PATCH, &format!("/api/v1/offers/{}", id(&offer)))
            .header("If-Match", etag(&offer))
            .json(&json!({"status": "accepted"}))
            .send()
            .await
            .unwrap();
        body(r, 200).await;
        problem(hire(&o.interviewer.0).await.unwrap(), 403).await;
        let hired = body(hire(mgr).await.unwrap(), 201).await;
        assert_eq!(hired["candidate"]["stage"], "hired", "{b:?}");
        let pid = hired["person"]["id"].as_i64().unwrap();
        let p = body(o.admin.get(&format!("/api/v1/people/{pid}")).await, 200).await;
        assert_eq!(
            (
                p["name"].as_str(),
                p["department_id"].as_i64(),
                p["manager_id"].as_i64()
            ),
            (Some("李雷 Li Lei"), Some(o.ops), Some(mgr_id)),
            "{b:?}: {p}"
        );
        assert_eq!(
            (
                p["position"].as_str(),
                p["hire_date"].as_str(),
                p["email"].as_str()
            ),
            (
                Some("Operations specialist"),
                Some("2027-01-04"),
                Some("li.lei@example.com")
            )
        );
        assert_eq!(hired["candidate"]["person_id"], pid);
        problem(hire(mgr).await.unwrap(), 422).await;
        let again = body(
            mgr.get(&format!("/api/v1/candidates/{}", id(&c))).await,
            200,
        )
        .await;
        problem(
            mgr.req(Method::POST, &format!("/api/v1/candidates/{}/move", id(&c)))
                .header("If-Match", etag(&again))
                .json(&json!({"stage": "rejected"}))
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        app.stop().await;
    }
}

fn minimal_docx() -> Vec<u8> {
    let mut v = b"PK\x03\x04\x14\x00\x00\x00\x00\x00".to_vec();
    v.extend_from_slice(b"[Content_Types].xml<Types/>PK\x03\x04word/document.xml<w:document/>");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cv_upload_checks_content_size_and_serves_an_attachment() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let mgr = &o.mgr.0;
        let op = body(
            mgr.post(
                "/api/v1/openings",
                &json!({"title": "Analyst", "department_id": o.ops}),
            )
            .await,
            201,
        )
        .await;
        let c = body(
            mgr.post(
                "/api/v1/candidates",
                &json!({"opening_id": id(&op), "name": "Han Meimei", "source": "job_board"}),
            )
            .await,
            201,
        )
        .await;
        let cid = id(&c);

        let exe = b"MZ\x90\x00\x03\x00\x00\x00 this is a program".to_vec();
        assert!(
            names_field(
                &problem(put_cv(mgr, cid, "cv.pdf", exe).await, 422).await,
                "cv"
            ),
            "{b:?}: not a PDF by content"
        );
        let p = problem(
            put_cv(mgr, cid, "cv.docx", b"%PDF-1.7\n".to_vec()).await,
            422,
        )
        .await;
        assert!(p.to_string().contains("extension"), "{b:?}: {p}");
        let xlsx = b"PK\x03\x04[Content_Types].xml xl/workbook.xml".to_vec();
        problem(put_cv(mgr, cid, "cv.docx", xlsx).await, 422).await;
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(4 * 1024 * 1024 + 1, b'a');
        let p = problem(put_cv(mgr, cid, "big.pdf", big).await, 422).await;
        assert!(names_field(&p, "cv"), "{b:?}: too large is named");
        let mut huge = b"%PDF-1.7\n".to_vec();
        huge.resize(6 * 1024 * 1024, b'a');
        problem(put_cv(mgr, cid, "huge.pdf", huge).await, 413).await;
        problem(
            put_cv(&o.interviewer.0, cid, "cv.pdf", b"%PDF-1.4".to_vec()).await,
            404,
        )
        .await;

        let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();
        let c2 = body(put_cv(mgr, cid, "简历 CV.pdf", pdf.clone()).await, 200).await;
        assert_eq!(c2["cv"]["content_type"], "application/pdf", "{b:?}");
        assert_eq!(c2["cv"]["size_bytes"], pdf.len());
        let r = mgr.get(&format!("/api/v1/candidates/{cid}/cv")).await;
        assert_eq!(r.status(), 200);
        let h = r.headers().clone();
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let cd = h["content-disposition"].to_str().unwrap();
        assert!(
            cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''%E7%AE%80"),
            "{b:?}: {cd}"
        );
        assert_eq!(
            r.bytes().await.unwrap().to_vec(),
            pdf,
            "{b:?}: stored bytes come back"
        );
        problem(
            o.outsider
                .0
                .get(&format!("/api/v1/candidates/{cid}/cv"))
                .await,
            404,
        )
        .await;

        body(put_cv(mgr, cid, "cv.docx", minimal_docx()).await, 200).await;
        let r = mgr.get(&format!("/api/v1/candidates/{cid}/cv")).await;
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("wordprocessingml"),
            "{b:?}: replaced"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn funnel_conversion_time_to_hire_and_sources() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let mgr = &o.mgr.0;
        let op = body(
            mgr.post(
                "/api/v1/openings",
                &json!({"title": "Planner", "department_id": o.ops, "hiring_manager_id": o.mgr.1}),
            )
            .await,
            201,
        )
        .await;
        let op_id = id(&op);
        let add = |name: &'static str, source: &'static str| {
            mgr.req(Method::POST, "/api/v1/candidates")
                .json(&json!({"opening_id": op_id, "name": name, "source": source}))
                .send()
        };
        // referral: A hired after 10 days, B rejected after interview; job_board: C hired after
        // 20 days, D rejected at screening, E still applied.
        let a = body(add("A", "referral").await.unwrap(), 201).await;
        let bb = body(add("B", "referral").await.unwrap(), 201).await;
        let d = body(add("D", "job_board").await.unwrap(), 201).await;
        body(add("E", "job_board").await.unwrap(), 201).await;
        let bb = move_to(mgr, &bb, "screening").await;
        let bb = move_to(mgr, &bb, "interview").await;
        move_to(mgr, &bb, "rejected").await;
        let d = move_to(mgr, &d, "screening").await;
        move_to(mgr, &d, "rejected").await;
        async fn hire_after(mgr: &Api, admin: &Api, c: Value, days: i64, no: &str) {
            let c = move_to(mgr, &c, "screening").await;
            let c = move_to(mgr, &c, "interview").await;
            let offer = body(
                mgr.post(
                    &format!("/api/v1/candidates/{}/offers", id(&c)),
                    &json!({"salary_minor": 1, "start_date": "2027-02-01"}),
                )
                .await,
                201,
            )
            .await;
            let r = mgr
                .req(Method::PATCH, &format!("/api/v1/offers/{}", id(&offer)))
                .header("If-Match", etag(&offer))
                .json(&json!({"status": "accepted"}))
                .send()
                .await
                .unwrap();
            body(r, 200).await;
            advance_clock(admin, days).await;
            body(
                mgr.post(
                    &format!("/api/v1/candidates/{}/hire", id(&c)),
                    &json!({"employee_no": no}),
                )
                .await,
                201,
            )
            .await;
        }
        hire_after(mgr, &o.admin, a, 10, "N-1").await;
        let c = body(add("C", "job_board").await.unwrap(), 201).await;
        hire_after(mgr, &o.admin, c, 20, "N-2").await;

        let f = body(
            mgr.get(&format!("/api/v1/hiring/funnel?opening_id={}", id(&op)))
                .await,
            200,
        )
        .await;
        let reached: Vec<i64> = f["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["reached"].as_i64().unwrap())
            .collect();
        assert_eq!(reached, [5, 4, 3, 2, 2], "{b:?}: {f}");
        assert_eq!(f["stages"][0]["conversion_to_next"], 0.8);
        assert_eq!(f["stages"][1]["conversion_to_next"], 0.75);
        assert_eq!(f["stages"][3]["conversion_to_next"], 1.0);
        assert_eq!(f["hired"], 2);
        assert_eq!(f["time_to_hire_mean_days"], 15.0, "{b:?}");
        assert_eq!(f["time_to_hire_median_days"], 15.0);
        assert_eq!(
            f["sources"][0],
            json!({"source": "referral", "candidates": 2, "interviewed": 2, "hired": 1, "hire_rate": 0.5})
        );
        assert_eq!(f["sources"][1]["candidates"], 3);
        assert!((f["sources"][1]["hire_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // Outside the opening's audience: 404 for the opening, nothing in the overall funnel.
        problem(
            o.outsider
                .0
                .get(&format!("/api/v1/hiring/funnel?opening_id={}", id(&op)))
                .await,
            404,
        )
        .await;
        assert_eq!(
            body(o.sales_mgr.0.get("/api/v1/hiring/funnel").await, 200).await["candidates"],
            0
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_on_ones_are_private_to_their_two_participants() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let (mgr, report) = (&o.mgr, &o.interviewer);
        let secret = "wants to move to the Shanghai office; worried about burnout";
        problem(
            o.outsider
                .0
                .post(
                    "/api/v1/one-on-ones",
                    &json!({"with_person_id": o.mgr2.1, "meeting_on": "2026-12-01"}),
                )
                .await,
            422,
        )
        .await;
        let one = body(
            mgr.0
                .post(
                    "/api/v1/one-on-ones",
                    &json!({"with_person_id": report.1, "meeting_on": "2026-12-01",
                "talking_points": "Q1 goals", "notes": secret}),
                )
                .await,
            201,
        )
        .await;
        assert_eq!(
            (one["manager_id"].as_i64(), one["report_id"].as_i64()),
            (Some(mgr.1), Some(report.1))
        );
        // The report starts one with their manager too (roles come from the reporting line).
        let retry = || {
            report
                .0
                .req(Method::POST, "/api/v1/one-on-ones")
                .header("Idempotency-Key", "oo-1")
                .json(&json!({"with_person_id": mgr.1, "meeting_on": "2026-12-15"}))
                .send()
        };
        let two = body(retry().await.unwrap(), 201).await;
        let again = body(retry().await.unwrap(), 201).await;
        assert_eq!(id(&two), id(&again), "{b:?}: a retried create replays");
        assert_eq!(two["manager_id"].as_i64(), Some(mgr.1), "{b:?}");
        let path = format!("/api/v1/one-on-ones/{}", id(&one));
        let got = body(report.0.get(&path).await, 200).await;
        assert_eq!(got["notes"], secret);
        let fu = body(
            report
                .0
                .post(
                    &format!("{path}/followups"),
                    &json!({"text": "send the transfer form", "owner_id": report.1}),
                )
                .await,
            200,
        )
        .await;
        let fid = fu["followups"][0]["id"].as_i64().unwrap();
        let r = mgr
            .0
            .req(
                Method::PATCH,
                &format!("/api/v1/one-on-one-followups/{fid}"),
            )
            .json(&json!({"done": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(body(r, 200).await["followups"][0]["done"], true);

        // Nobody else, whatever their role: admin, the manager's own head, a peer manager.
        for (who, api) in [
            ("admin", &o.admin),
            ("head", &o.head.0),
            ("mgr2", &o.mgr2.0),
            ("outsider", &o.outsider.0),
        ] {
            problem(api.get(&path).await, 404).await;
            let list = body(api.get("/api/v1/one-on-ones").await, 200).await;
            assert_eq!(list["items"], json!([]), "{b:?}: {who} lists none");
            let with = body(
                api.get(&format!("/api/v1/one-on-ones?with_person_id={}", report.1))
                    .await,
                200,
            )
            .await;
            assert_eq!(
                with["items"],
                json!([]),
                "{b:?}: {who} lists none by person"
            );
            problem(
                api.patch(&path, &json!({"notes": "x"}), Some(&etag(&got)))
                    .await,
                404,
            )
            .await;
            let r = api
                .req(
                    Method::PATCH,
                    &format!("/api/v1/one-on-one-followups/{fid}"),
                )
                .json(&json!({"done": false}))
                .send()
                .await
                .unwrap();
            problem(r, 404).await;
        }
        let mine = body(mgr.0.get("/api/v1/one-on-ones").await, 200).await;
        assert_eq!(mine["items"].as_array().unwrap().len(), 2);
        // Edits need If-Match; the audit log records that a 1:1 changed, never what was said.
        let got = body(mgr.0.get(&path).await, 200).await;
        body(
            mgr.0
                .patch(
                    &path,
                    &json!({"notes": format!("{secret} (follow up in Jan)")}),
                    Some(&etag(&got)),
                )
                .await,
            200,
        )
        .await;
        problem(
            mgr.0
                .patch(&path, &json!({"notes": "stale"}), Some(&etag(&got)))
                .await,
            412,
        )
        .await;
        let mut tx = app.db().read().await.unwrap();
        let rows = tx.fetch_all("SELECT action, before_json, after_json FROM audit_events WHERE entity = 'one_on_one'", &[]).await.unwrap();
        assert!(rows.len() >= 4, "{b:?}: 1:1 changes are audited");
        for r in &rows {
            let text = format!(
                "{:?}{:?}",
                r.opt_string("before_json").unwrap(),
                r.opt_string("after_json").unwrap()
            );
            assert!(
                !text.contains("Shanghai")
                    && !text.contains("Q1 goals")
                    && !text.contains("transfer form"),
                "{b:?}: {text}"
            );
        }
        drop(tx);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kudos_need_an_active_value_and_reach_the_feed_and_the_receiver() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        problem(
            o.mgr
                .0
                .post(
                    "/api/v1/company-values",
                    &json!({"name": "客户第一 Customer first"}),
                )
                .await,
            403,
        )
        .await;
        let v = body(
            o.admin
                .post(
                    "/api/v1/company-values",
                    &json!({"name": "客户第一 Customer first"}),
                )
                .await,
            201,
        )
        .await;
        problem(
            o.admin
                .post(
                    "/api/v1/company-values",
                    &json!({"name": "客户第一 Customer first"}),
                )
                .await,
            409,
        )
        .await;
        let old = body(
            o.admin
                .post(
                    "/api/v1/company-values",
                    &json!({"name": "Old value", "active": false}),
                )
                .await,
            201,
        )
        .await;
        let k = json!({"to_person_id": o.interviewer.1, "value_id": id(&v), "message": "Saved the Friday release"});
        let given = body(o.outsider.0.post("/api/v1/kudos", &k).await, 201).await;
        assert_eq!(given["value_name"], "客户第一 Customer first");
        let p = problem(
            o.outsider
                .0
                .post(
                    "/api/v1/kudos",
                    &json!({"to_person_id": o.outsider.1, "value_id": id(&old), "message": ""}),
                )
                .await,
            422,
        )
        .await;
        assert!(
            names_field(&p, "to_person_id")
                && names_field(&p, "value_id")
                && names_field(&p, "message"),
            "{b:?}: {p}"
        );
        let viewer = app.api(&app.user_with_token("viewr", Role::Viewer).await);
        problem(viewer.post("/api/v1/kudos", &k).await, 403).await;
        let feed = body(
            viewer
                .get(&format!("/api/v1/kudos?department_id={}", o.ops))
                .await,
            200,
        )
        .await;
        assert_eq!(
            feed["items"][0]["message"], "Saved the Friday release",
            "{b:?}"
        );
        let mine = body(
            o.admin
                .get(&format!("/api/v1/kudos?to_person_id={}", o.mgr.1))
                .await,
            200,
        )
        .await;
        assert_eq!(mine["items"], json!([]));
        let n = body(o.interviewer.0.get("/api/v1/notifications").await, 200).await;
        assert!(
            n.to_string().contains("Saved the Friday release"),
            "{b:?}: the receiver is notified: {n}"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_enrolment_results_certificates_and_the_reminder_job() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        problem(
            o.outsider
                .0
                .post("/api/v1/courses", &json!({"title": "x"}))
                .await,
            403,
        )
        .await;
        let course = body(o.mgr.0.post("/api/v1/courses", &json!({"title": "叉车安全 Forklift safety", "hours": 8.0, "certificate_months": 12})).await, 201).await;
        let other = body(
            o.mgr
                .0
                .post("/api/v1/courses", &json!({"title": "First aid"}))
                .await,
            201,
        )
        .await;
        let prog = body(o.mgr.0.post("/api/v1/training-programs", &json!({"title": "Warehouse onboarding", "course_ids": [id(&course), id(&other)]})).await, 201).await;
        assert_eq!(prog["courses"][1]["title"], "First aid");
        let p = problem(o.mgr.0.post("/api/v1/training-sessions", &json!({"course_id": id(&course), "starts_on": "2026-06-10", "ends_on": "2026-06-01"})).await, 422).await;
        assert!(names_field(&p, "ends_on"), "{b:?}");
        let s = body(
            o.mgr
                .0
                .post(
                    "/api/v1/training-sessions",
                    &json!({"course_id": id(&course), "starts_on": "2026-06-01",
            "ends_on": "2026-06-02", "trainer_id": o.mgr2.1, "capacity": 10}),
                )
                .await,
            201,
        )
        .await;
        let sp = format!("/api/v1/training-sessions/{}/enrolments", id(&s));
        // A member enrols themself only; a manager enrols the whole department.
        problem(
            o.outsider
                .0
                .post(&sp, &json!({"person_id": o.interviewer.1}))
                .await,
            403,
        )
        .await;
        body(
            o.outsider
                .0
                .post(&sp, &json!({"person_id": o.outsider.1}))
                .await,
            201,
        )
        .await;
        let dept = body(
            o.mgr.0.post(&sp, &json!({"department_id": o.ops})).await,
            201,
        )
        .await;
        assert_eq!(
            dept.as_array().unwrap().len(),
            4,
            "{b:?}: the other four of Ops, the outsider skipped"
        );
        assert!(
            dept.as_array()
                .unwrap()
                .iter()
                .all(|e| e["source"] == "department")
        );
        problem(
            o.sales_mgr
                .0
                .post(&sp, &json!({"department_id": o.ops}))
                .await,
            403,
        )
        .await;
        // Completing a certifying course issues the certificate; results need If-Match.
        let mine = dept
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["person_id"] == o.interviewer.1)
            .unwrap()
            .clone();
        let r = o
            .mgr
            .0
            .req(Method::PATCH, &format!("/api/v1/enrolments/{}", id(&mine)))
            .header("If-Match", etag(&mine))
            .json(&json!({"status": "completed", "score": 92.5, "completed_on": "2026-06-02"}))
            .send()
            .await
            .unwrap();
        let done = body(r, 200).await;
        assert_eq!(
            (done["status"].as_str(), done["score"].as_f64()),
            (Some("completed"), Some(92.5))
        );
        let rec = body(
            o.interviewer
                .0
                .get(&format!("/api/v1/people/{}/training", o.interviewer.1))
                .await,
            200,
        )
        .await;
        assert_eq!(
            rec["certificates"][0]["expires_on"], "2027-06-02",
            "{b:?}: {rec}"
        );
        assert_eq!(rec["enrolments"][0]["score"], 92.5);
        problem(
            o.outsider
                .0
                .get(&format!("/api/v1/people/{}/training", o.interviewer.1))
                .await,
            404,
        )
        .await;
        problem(
            o.sales_mgr
                .0
                .get(&format!("/api/v1/people/{}/training", o.interviewer.1))
                .await,
            404,
        )
        .await;

        // Reminders: a certificate expiring in 20 days is reminded once, across two runs; one
        // expiring in 90 days is not yet.
        let now = 1_780_000_000_000i64; // 2026-05-28 (UTC+8)
        body(
            o.mgr
                .0
                .post(
                    "/api/v1/certificates",
                    &json!({"person_id": o.outsider.1, "name": "Electrician licence",
            "issued_on": "2023-06-17", "expires_on": "2026-06-17"}),
                )
                .await,
            201,
        )
        .await;
        body(
            o.mgr
                .0
                .post(
                    "/api/v1/certificates",
                    &json!({"person_id": o.outsider.1, "name": "Later",
            "issued_on": "2023-08-26", "expires_on": "2026-08-26"}),
                )
                .await,
            201,
        )
        .await;
        let first = team::training::reminders::send_certificate_reminders(app.db(), now, 30)
            .await
            .unwrap();
        let second =
            team::training::reminders::send_certificate_reminders(app.db(), now + 3_600_000, 30)
                .await
                .unwrap();
        assert_eq!((first, second), (1, 0), "{b:?}: exactly once");
        assert_eq!(
            count_mentions(&o.outsider.0, "\"kind\":\"certificate_expiry\"").await,
            1,
            "{b:?}: the person is told once"
        );
        assert_eq!(
            count_mentions(&o.mgr.0, "\"kind\":\"certificate_expiry\"").await,
            1,
            "{b:?}: and their manager"
        );
        let later = team::training::reminders::send_certificate_reminders(
            app.db(),
            now + 70 * 86_400_000,
            30,
        )
        .await
        .unwrap();
        assert_eq!(later, 1, "{b:?}: the later one comes due in its turn");
        let exp = body(
            o.mgr
                .0
                .get("/api/v1/certificates?expiring_by=2026-07-01")
                .await,
            200,
        )
        .await;
        assert_eq!(exp["items"].as_array().unwrap().len(), 1, "{b:?}");
        app.stop().await;
    }
}

fn multipart(fields: &[(&str, &str)], file: (&str, &str, &[u8])) -> (String, Vec<u8>) {
    let b = "opsdeskTestBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{b}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n", file.0, file.1).as_bytes(),
    );
    body.extend_from_slice(file.2);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_pages_render_and_forms_work_without_javascript() {
    use crate::web::{form_token, sign_in};
    for b in BACKENDS {
        let app = spawn(b).await;
        let now = 1_780_000_000_000i64;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        app.user_with_token("mgr", Role::Manager).await;
        work::demo::load_demo(app.db(), now, work::demo::DemoSize::Small)
            .await
            .unwrap();
        team::people_demo::load(app.db(), now).await.unwrap();
        team::people_demo::load(app.db(), now).await.unwrap(); // a second load changes nothing
        let [_, ops_head, _, _] = team::demo::demo_people_for_accounts(app.db())
            .await
            .unwrap();
        team::demo::link_user(app.db(), now, ops_head, "mgr")
            .await
            .unwrap();

        // The demo board has a candidate in every stage.
        let openings = body(admin.get("/api/v1/openings").await, 200).await;
        let op = openings["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["candidates"].as_i64() > Some(0))
            .unwrap()
            .clone();
        let cands = body(
            admin
                .get(&format!("/api/v1/candidates?opening_id={}", id(&op)))
                .await,
            200,
        )
        .await;
        for stage in [
            "applied",
            "screening",
            "interview",
            "offer",
            "hired",
            "rejected",
        ] {
            assert!(
                cands["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["stage"] == stage),
                "{b:?}: a demo candidate in {stage}"
            );
        }
        assert_eq!(
            body(admin.get("/api/v1/hiring/funnel").await, 200).await["hired"],
            1
        );

        let c = sign_in(&app, "boss").await;
        for path in [
            "/hiring",
            &format!("/hiring/openings/{}", id(&op)),
            "/hiring/funnel",
            "/training",
            "/kudos",
            "/one-on-ones",
        ] {
            let r = c.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 200, "{b:?}: {path}");
            let html = r.text().await.unwrap();
            assert!(
                !html.contains("tp."),
                "{b:?}: {path} has an untranslated key"
            );
            assert!(
                !html.contains("<script>") && !html.contains("style=\""),
                "{b:?}: {path}: no inline script or style"
            );
        }
        let board = c
            .get(app.url(&format!("/hiring/openings/{}", id(&op))))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            board.contains("黄磊 Huang Lei") && board.contains("name=\"stage\""),
            "{b:?}: cards with a move form"
        );
        let admin_one_on_ones = c
            .get(app.url("/one-on-ones"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !admin_one_on_ones.contains("night shift"),
            "{b:?}: the admin sees no 1:1s"
        );

        // Move from the board with a plain form.
        let applied = cands["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["stage"] == "applied")
            .unwrap()
            .clone();
        let token = form_token(&board);
        let r = c
            .post(app.url(&format!("/hiring/candidates/{}/move", id(&applied))))
            .form(&[
                ("_csrf", token.as_str()),
                ("version", &applied["version"].to_string()),
                ("stage", "screening"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        assert_eq!(
            body(
                admin
                    .get(&format!("/api/v1/candidates/{}", id(&applied)))
                    .await,
                200
            )
            .await["stage"],
            "screening"
        );

        // Upload a CV with the multipart form: the CSRF field is required, the content checked.
        let url = app.url(&format!("/hiring/candidates/{}/cv", id(&applied)));
        let (ct, bytes) = multipart(&[], ("cv", "cv.pdf", b"%PDF-1.4 demo"));
        let r = c
            .post(&url)
            .header("content-type", ct)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b:?}: no CSRF field, no upload");
        let (ct, bytes) = multipart(&[("_csrf", &token)], ("cv", "cv.pdf", b"GIF89a not a pdf"));
        let r = c
            .post(&url)
            .header("content-type", ct)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        assert!(
            r.text().await.unwrap().contains("PDF, DOC or DOCX"),
            "{b:?}: the form says why"
        );
        let (ct, bytes) = multipart(&[("_csrf", &token)], ("cv", "简历.pdf", b"%PDF-1.4 demo"));
        let r = c
            .post(&url)
            .header("content-type", ct)
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let r = c.get(&url).send().await.unwrap();
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );

        // Close the opening from its board; adding candidates is then refused.
        let r = c
            .post(app.url(&format!("/hiring/openings/{}/status", id(&op))))
            .form(&[
                ("_csrf", token.as_str()),
                ("version", &op["version"].to_string()),
                ("status", "closed"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let p = problem(
            admin
                .post(
                    "/api/v1/candidates",
                    &json!({"opening_id": id(&op), "name": "Late", "source": "other"}),
                )
                .await,
            422,
        )
        .await;
        assert!(
            names_field(&p, "opening_id"),
            "{b:?}: the opening is closed"
        );
        // The demo manager sees their 1:1s; the admin gets 404 on the same page.
        let m = sign_in(&app, "mgr").await;
        let list = m
            .get(app.url("/one-on-ones"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let i = list
            .find("href=\"/one-on-ones/")
            .expect("a 1:1 in the manager's list")
            + 19;
        let oid: String = list[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let page = m
            .get(app.url(&format!("/one-on-ones/{oid}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("night shift"));
        assert_eq!(
            c.get(app.url(&format!("/one-on-ones/{oid}")))
                .send()
                .await
                .unwrap()
                .status(),
            404,
            "{b:?}"
        );
        // Person page: training record and kudos.
        let person = m
            .get(app.url(&format!("/people/{ops_head}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            person.contains("Customer first") || person.contains("Teamwork"),
            "{b:?}: kudos on the person page"
        );
        app.stop().await;
    }
}
