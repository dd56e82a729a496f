//! Issue 5's edits, on both databases: hiring records (headcount requests while pending,
//! openings, candidates with CV replacement, interviews and their scorecards, offers) and
//! training programs are changed through PATCH with If-Match and audited with before/after
//! snapshots; salaries stay with those who may see them and scorecards with the hiring team;
//! the edit pages save, refuse stale forms and show field errors inline in the user's language;
//! enrolling again re-activates a cancelled enrolment (from the skill-gap preview, by person
//! and by department), audited as such.
use crate::common::*;
use crate::web::{form_token, sign_in};
use kernel::Role;
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

async fn user_of(api: &Api) -> Option<i64> {
    body(api.get("/api/v1/me").await, 200).await["user"]["id"].as_i64()
}

/// The newest audit event of `action` on `entity_id`: (before, after) as JSON.
async fn last_audit(app: &App, action: &str, entity_id: i64) -> (Value, Value) {
    let mut tx = app.db().read().await.unwrap();
    let row = tx
        .fetch_opt(
            "SELECT before_json, after_json FROM audit_events WHERE action = $1 AND entity_id = $2 \
             ORDER BY id DESC LIMIT 1",
            &[action.into(), entity_id.into()],
        )
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no {action} audit event for {entity_id}"));
    let parse = |c: &str| {
        row.opt_string(c)
            .unwrap()
            .map_or(Value::Null, |s| serde_json::from_str(&s).unwrap())
    };
    (parse("before_json"), parse("after_json"))
}

async fn dept(admin: &Api, name: &str, head: Option<i64>) -> i64 {
    id(&body(
        admin
            .post(
                "/api/v1/departments",
                &json!({"name": name, "head_person_id": head}),
            )
            .await,
        201,
    )
    .await)
}

async fn person(admin: &Api, no: &str, dept: i64, position: &str, user: Option<i64>) -> i64 {
    id(&body(
        admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": no, "name": format!("P {no}"), "department_id": dept,
                        "position": position, "user_id": user}),
            )
            .await,
        201,
    )
    .await)
}

async fn set_head(admin: &Api, dept: i64, head: i64) {
    let path = format!("/api/v1/departments/{dept}");
    let d = body(admin.get(&path).await, 200).await;
    body(
        admin
            .patch(&path, &json!({"head_person_id": head}), Some(&etag(&d)))
            .await,
        200,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hiring_records_are_edited_with_if_match_audited_and_kept_private() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let mgr = app.api(&app.user_with_token("mgr", Role::Manager).await);
        let smgr = app.api(&app.user_with_token("smgr", Role::Manager).await);
        let ivan = app.api(&app.user_with_token("ivan", Role::Member).await);
        let ops = dept(&admin, "Ops", None).await;
        let sales = dept(&admin, "Sales", None).await;
        let mgr_p = person(&admin, "M1", ops, "Lead", user_of(&mgr).await).await;
        person(&admin, "S1", sales, "Lead", user_of(&smgr).await).await;
        let ivan_p = person(&admin, "I1", ops, "Engineer", user_of(&ivan).await).await;
        let other_p = person(&admin, "O1", ops, "Engineer", None).await;
        set_head(&admin, ops, mgr_p).await;

        // Headcount: changed while pending (If-Match), immutable once decided (409 naming why).
        let hc = body(
            mgr.post(
                "/api/v1/headcount-requests",
                &json!({"department_id": ops, "position": "Engineer", "headcount": 1,
                        "budget_minor": 30_000_000, "justification": "growth"}),
            )
            .await,
            201,
        )
        .await;
        let hp = format!("/api/v1/headcount-requests/{}", id(&hc));
        problem(mgr.patch(&hp, &json!({"headcount": 2}), None).await, 428).await;
        problem(
            smgr.patch(&hp, &json!({"headcount": 2}), Some(&etag(&hc)))
                .await,
            404,
        )
        .await;
        let p = problem(
            mgr.patch(&hp, &json!({"headcount": 0}), Some(&etag(&hc)))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "headcount"), "{p}");
        let hc2 = body(
            mgr.patch(
                &hp,
                &json!({"position": "Senior engineer", "headcount": 2, "budget_minor": 45_000_000}),
                Some(&etag(&hc)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            (
                hc2["position"].as_str(),
                hc2["headcount"].as_i64(),
                hc2["budget_minor"].as_i64(),
                hc2["justification"].as_str()
            ),
            (
                Some("Senior engineer"),
                Some(2),
                Some(45_000_000),
                Some("growth")
            ),
            "{b:?}"
        );
        problem(
            mgr.patch(&hp, &json!({"headcount": 3}), Some(&etag(&hc)))
                .await,
            412,
        )
        .await;
        let (before, after) = last_audit(&app, "headcount.update", id(&hc)).await;
        assert_eq!(
            (before["headcount"].as_i64(), after["headcount"].as_i64()),
            (Some(1), Some(2))
        );
        let approved = body(
            mgr.req(reqwest::Method::POST, &format!("{hp}/decision"))
                .header("If-Match", etag(&hc2))
                .json(&json!({"approve": true}))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let p = problem(
            admin
                .patch(&hp, &json!({"headcount": 5}), Some(&etag(&approved)))
                .await,
            409,
        )
        .await;
        assert!(
            p["detail"].as_str().unwrap_or("").contains("approved"),
            "{p}"
        );

        // Openings: everything but the department changes; the hiring team reads the opening
        // without its salaries and may not change it.
        let o = body(
            mgr.post(
                "/api/v1/openings",
                &json!({"title": "Engineer", "department_id": ops, "salary_min_minor": 2_000_000,
                        "salary_max_minor": 3_000_000, "team": [ivan_p]}),
            )
            .await,
            201,
        )
        .await;
        let op = format!("/api/v1/openings/{}", id(&o));
        let p = problem(
            mgr.patch(
                &op,
                &json!({"salary_min_minor": 4_000_000}),
                Some(&etag(&o)),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "salary_max_minor"), "{p}");
        problem(
            ivan.patch(&op, &json!({"title": "x"}), Some(&etag(&o)))
                .await,
            403,
        )
        .await;
        let o2 = body(
            mgr.patch(
                &op,
                &json!({"title": "Backend engineer", "description": "Rust", "hiring_manager_id": mgr_p,
                        "salary_max_minor": 3_500_000, "status": "closed"}),
                Some(&etag(&o)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            (
                o2["title"].as_str(),
                o2["description"].as_str(),
                o2["hiring_manager_id"].as_i64(),
                o2["salary_min_minor"].as_i64(),
                o2["salary_max_minor"].as_i64(),
                o2["status"].as_str()
            ),
            (
                Some("Backend engineer"),
                Some("Rust"),
                Some(mgr_p),
                Some(2_000_000),
                Some(3_500_000),
                Some("closed")
            ),
            "{b:?}"
        );
        let seen = body(ivan.get(&op).await, 200).await;
        assert_eq!(
            (
                seen["title"].as_str(),
                seen["salary_min_minor"].clone(),
                seen["salary_max_minor"].clone()
            ),
            (Some("Backend engineer"), Value::Null, Value::Null),
            "the hiring team does not see salaries: {b:?}"
        );
        let p = problem(
            mgr.patch(&op, &json!({"status": "on_hold"}), Some(&etag(&o2)))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "status"), "{p}");
        let o3 = body(
            mgr.patch(
                &op,
                &json!({"status": "open", "description": null}),
                Some(&etag(&o2)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(o3["description"], Value::Null);
        let (before, after) = last_audit(&app, "opening.update", id(&o)).await;
        assert_eq!(
            (before["status"].as_str(), after["status"].as_str()),
            (Some("closed"), Some("open"))
        );

        // Candidates: details change; a replaced CV is named in the audit trail.
        let c = body(
            mgr.post(
                "/api/v1/candidates",
                &json!({"opening_id": id(&o), "name": "Cai", "source": "website"}),
            )
            .await,
            201,
        )
        .await;
        let cp = format!("/api/v1/candidates/{}", id(&c));
        let p = problem(
            mgr.patch(
                &cp,
                &json!({"source": "newspaper", "email": "nope"}),
                Some(&etag(&c)),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "source") && names_field(&p, "email"), "{p}");
        problem(
            ivan.patch(&cp, &json!({"name": "x"}), Some(&etag(&c)))
                .await,
            403,
        )
        .await;
        let c2 = body(
            mgr.patch(
                &cp,
                &json!({"name": "Cai Wen", "email": "cai@example.com", "phone": "138 0000 0000",
                        "source": "referral", "notes": "strong screening call"}),
                Some(&etag(&c)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            (
                c2["name"].as_str(),
                c2["email"].as_str(),
                c2["source"].as_str(),
                c2["notes"].as_str(),
                c2["stage"].as_str()
            ),
            (
                Some("Cai Wen"),
                Some("cai@example.com"),
                Some("referral"),
                Some("strong screening call"),
                Some("applied")
            ),
            "{b:?}"
        );
        let (before, after) = last_audit(&app, "candidate.update", id(&c)).await;
        assert_eq!(
            (before["name"].as_str(), after["name"].as_str()),
            (Some("Cai"), Some("Cai Wen"))
        );
        for name in ["first.pdf", "second.pdf"] {
            body(
                mgr.req(reqwest::Method::PUT, &format!("{cp}/cv?filename={name}"))
                    .header("content-type", "application/octet-stream")
                    .body(format!("%PDF-1.4\n{name}\n"))
                    .send()
                    .await
                    .unwrap(),
                200,
            )
            .await;
        }
        let (before, after) = last_audit(&app, "candidate.cv_upload", id(&c)).await;
        assert_eq!(
            (before["filename"].as_str(), after["filename"].as_str()),
            (Some("first.pdf"), Some("second.pdf"))
        );
        let cv = mgr.get(&format!("{cp}/cv")).await;
        assert_eq!(cv.text().await.unwrap(), "%PDF-1.4\nsecond.pdf\n");

        // Interviews: Ivan scores his own; the manager, once off the hiring team, reschedules
        // but never sees nor changes the scorecard, and cannot hand it to someone else.
        body(
            mgr.req(reqwest::Method::POST, &format!("{cp}/move"))
                .header("If-Match", etag(&body(mgr.get(&cp).await, 200).await))
                .json(&json!({"stage": "interview"}))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let iv = body(
            mgr.post(
                &format!("{cp}/interviews"),
                &json!({"interviewer_id": ivan_p, "scheduled_at": 1_798_761_600_000_i64, "kind": "technical"}),
            )
            .await,
            201,
        )
        .await;
        let ip = format!("/api/v1/interviews/{}", id(&iv));
        let card = json!({"scorecard": {"ratings": [{"criterion": "Rust", "rating": 4}],
                                        "recommendation": "yes", "notes": "solid"}});
        problem(admin.patch(&ip, &card, Some(&etag(&iv))).await, 403).await;
        let iv2 = body(ivan.patch(&ip, &card, Some(&etag(&iv))).await, 200).await;
        assert_eq!(iv2["scorecard"]["notes"], "solid", "{b:?}");
        let p = problem(
            ivan.patch(&ip, &json!({"kind": "onsite"}), Some(&etag(&iv2)))
                .await,
            403,
        )
        .await;
        assert_eq!(p["status"], 403);
        let iv3 = body(
            ivan.patch(
                &ip,
                &json!({"scorecard": {"ratings": [{"criterion": "Rust", "rating": 5},
                                                  {"criterion": "Teamwork", "rating": 4}],
                                      "recommendation": "strong_yes"}}),
                Some(&etag(&iv2)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            (
                iv3["scorecard"]["ratings"].as_array().unwrap().len(),
                iv3["scorecard"]["recommendation"].as_str(),
                iv3["scorecard"]["notes"].clone()
            ),
            (2, Some("strong_yes"), Value::Null)
        );
        // Take the manager off the hiring team: scorecards are the team's only.
        let o_now = body(mgr.get(&op).await, 200).await;
        body(
            mgr.patch(
                &op,
                &json!({"hiring_manager_id": null}),
                Some(&etag(&o_now)),
            )
            .await,
            200,
        )
        .await;
        let as_mgr = body(mgr.get(&ip).await, 200).await;
        assert_eq!(
            (
                as_mgr["scorecard"].clone(),
                as_mgr["scorecard_hidden"].as_bool()
            ),
            (Value::Null, Some(true)),
            "{b:?}"
        );
        problem(mgr.patch(&ip, &card, Some(&etag(&iv3))).await, 404).await;
        let moved = body(
            mgr.patch(
                &ip,
                &json!({"scheduled_at": 1_798_848_000_000_i64, "kind": "onsite"}),
                Some(&etag(&iv3)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            (
                moved["kind"].as_str(),
                moved["scheduled_at"].as_i64(),
                moved["scorecard"].clone()
            ),
            (Some("onsite"), Some(1_798_848_000_000), Value::Null),
            "the answer to a manager off the team withholds the scorecard: {b:?}"
        );
        let told: Vec<Value> = body(ivan.get("/api/v1/notifications").await, 200).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "interview" && n["entity_id"] == id(&iv))
            .cloned()
            .collect();
        assert_eq!(told.len(), 2, "scheduled, then moved: {told:?}");
        let p = problem(
            mgr.patch(
                &ip,
                &json!({"interviewer_id": other_p}),
                Some(&etag(&moved)),
            )
            .await,
            409,
        )
        .await;
        assert!(
            p["detail"].as_str().unwrap_or("").contains("scorecard"),
            "{p}"
        );
        let p = problem(
            mgr.patch(
                &ip,
                &json!({"scheduled_at": 1_798_848_000}),
                Some(&etag(&moved)),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "scheduled_at"), "{p}");
        let (before, after) = last_audit(&app, "interview.update", id(&iv)).await;
        assert_eq!(
            (before["kind"].as_str(), after["kind"].as_str()),
            (Some("technical"), Some("onsite"))
        );
        assert_eq!(
            after["scorecard"]["recommendation"], "strong_yes",
            "the trail keeps the scorecard it moved with"
        );

        // Offers: terms change while sent (salary only by who sees it); the outcome is final.
        let offer = body(
            mgr.post(
                &format!("{cp}/offers"),
                &json!({"salary_minor": 2_500_000, "start_date": "2027-03-01"}),
            )
            .await,
            201,
        )
        .await;
        let fp = format!("/api/v1/offers/{}", id(&offer));
        problem(
            ivan.patch(&fp, &json!({"salary_minor": 1}), Some(&etag(&offer)))
                .await,
            403,
        )
        .await;
        let p = problem(
            mgr.patch(
                &fp,
                &json!({"start_date": "2027-02-30"}),
                Some(&etag(&offer)),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "start_date"), "{p}");
        let f2 = body(
            mgr.patch(
                &fp,
                &json!({"salary_minor": 2_800_000, "start_date": "2027-04-01"}),
                Some(&etag(&offer)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            (
                f2["salary_minor"].as_i64(),
                f2["start_date"].as_str(),
                f2["status"].as_str()
            ),
            (Some(2_800_000), Some("2027-04-01"), Some("sent"))
        );
        assert_eq!(
            body(ivan.get(&fp).await, 200).await["salary_minor"],
            Value::Null,
            "the interviewer reads the offer without its salary"
        );
        let (before, after) = last_audit(&app, "offer.update", id(&offer)).await;
        assert_eq!(
            (
                before["salary_minor"].as_i64(),
                after["salary_minor"].as_i64()
            ),
            (Some(2_500_000), Some(2_800_000))
        );
        let f3 = body(
            mgr.patch(&fp, &json!({"status": "accepted"}), Some(&etag(&f2)))
                .await,
            200,
        )
        .await;
        problem(
            mgr.patch(&fp, &json!({"salary_minor": 3_000_000}), Some(&etag(&f3)))
                .await,
            409,
        )
        .await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_pages_save_refuse_stale_forms_and_show_errors_inline_in_the_users_language() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let ops = dept(&admin, "Ops", None).await;
        let ivan = person(&admin, "I1", ops, "Engineer", None).await;
        let hc = body(
            admin
                .post(
                    "/api/v1/headcount-requests",
                    &json!({"department_id": ops, "position": "Engineer", "headcount": 1,
                            "justification": "growth"}),
                )
                .await,
            201,
        )
        .await;
        let o = body(
            admin
                .post(
                    "/api/v1/openings",
                    &json!({"title": "Engineer", "department_id": ops, "salary_min_minor": 2_000_000}),
                )
                .await,
            201,
        )
        .await;
        let c = body(
            admin
                .post(
                    "/api/v1/candidates",
                    &json!({"opening_id": id(&o), "name": "Cai", "source": "website"}),
                )
                .await,
            201,
        )
        .await;
        let cp = format!("/api/v1/candidates/{}", id(&c));
        body(
            admin
                .req(reqwest::Method::POST, &format!("{cp}/move"))
                .header("If-Match", etag(&c))
                .json(&json!({"stage": "interview"}))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let iv = body(
            admin
                .post(
                    &format!("{cp}/interviews"),
                    &json!({"interviewer_id": ivan, "scheduled_at": 1_798_761_600_000_i64, "kind": "technical"}),
                )
                .await,
            201,
        )
        .await;
        let offer = body(
            admin
                .post(
                    &format!("{cp}/offers"),
                    &json!({"salary_minor": 2_500_000, "start_date": "2027-03-01"}),
                )
                .await,
            201,
        )
        .await;
        let course = |t: &'static str| {
            let admin = &admin;
            async move {
                id(&body(
                    admin.post("/api/v1/courses", &json!({"title": t})).await,
                    201,
                )
                .await)
            }
        };
        let (c1, c2, c3) = (
            course("Safety").await,
            course("Forklift").await,
            course("First aid").await,
        );
        let prog = body(
            admin
                .post(
                    "/api/v1/training-programs",
                    &json!({"title": "Onboarding", "course_ids": [c1, c2]}),
                )
                .await,
            201,
        )
        .await;

        let web = sign_in(&app, "boss").await;
        let page = |path: String| {
            let web = &web;
            let url = app.url(&path);
            async move {
                let r = web.get(url).send().await.unwrap();
                assert_eq!(r.status(), 200, "{path}");
                r.text().await.unwrap()
            }
        };
        // Every object's page links to its edit form.
        for (on, edit) in [
            (
                "/hiring".to_string(),
                format!("/hiring/headcount/{}/edit", id(&hc)),
            ),
            (
                format!("/hiring/openings/{}", id(&o)),
                format!("/hiring/openings/{}/edit", id(&o)),
            ),
            (
                format!("/hiring/candidates/{}", id(&c)),
                format!("/hiring/candidates/{}/edit", id(&c)),
            ),
            (
                format!("/hiring/candidates/{}", id(&c)),
                format!("/hiring/interviews/{}/edit", id(&iv)),
            ),
            (
                format!("/hiring/candidates/{}", id(&c)),
                format!("/hiring/offers/{}/edit", id(&offer)),
            ),
            (
                "/training".to_string(),
                format!("/training/programs/{}/edit", id(&prog)),
            ),
        ] {
            let html = page(on.clone()).await;
            assert!(
                html.contains(&format!("href=\"{edit}\"")),
                "{on} links to {edit}: {b:?}"
            );
            let form = page(edit.clone()).await;
            assert!(
                form.contains(&format!("action=\"{edit}\"")) && form.contains("name=\"_csrf\""),
                "{edit}"
            );
            assert!(!form.contains("tp."), "untranslated key on {edit}");
        }

        // Each form saves (303), in the fields it shows.
        let post = |path: String, fields: Vec<(&'static str, String)>, lang: &'static str| {
            let web = &web;
            let url = app.url(&path);
            async move {
                let html = web
                    .get(&url)
                    .header("accept-language", lang)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let mut form = vec![("_csrf", form_token(&html))];
                form.extend(fields);
                web.post(&url)
                    .header("accept-language", lang)
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let v = |x: &Value| x["version"].as_i64().unwrap().to_string();
        let r = post(
            format!("/hiring/headcount/{}/edit", id(&hc)),
            vec![
                ("version", v(&hc)),
                ("position", "Senior engineer".into()),
                ("headcount", "3".into()),
                ("budget", "450,000.00".into()),
                ("currency", "CNY".into()),
                ("justification", "growth".into()),
            ],
            "en",
        )
        .await;
        assert_eq!(r.status(), 303, "{b:?}");
        let hc2 = body(
            admin
                .get(&format!("/api/v1/headcount-requests/{}", id(&hc)))
                .await,
            200,
        )
        .await;
        assert_eq!(
            (hc2["headcount"].as_i64(), hc2["budget_minor"].as_i64()),
            (Some(3), Some(45_000_000))
        );
        let r = post(
            format!("/hiring/openings/{}/edit", id(&o)),
            vec![
                ("version", v(&o)),
                ("title", "Backend engineer".into()),
                ("status", "closed".into()),
                ("hiring_manager_id", "".into()),
                ("salary_min", "20,000.00".into()),
                ("salary_max", "35,000.00".into()),
                ("currency", "CNY".into()),
                ("description", "Rust".into()),
            ],
            "en",
        )
        .await;
        assert_eq!(r.status(), 303, "{b:?}");
        let o2 = body(
            admin.get(&format!("/api/v1/openings/{}", id(&o))).await,
            200,
        )
        .await;
        assert_eq!(
            (
                o2["title"].as_str(),
                o2["status"].as_str(),
                o2["salary_max_minor"].as_i64()
            ),
            (Some("Backend engineer"), Some("closed"), Some(3_500_000))
        );
        let c_now = body(admin.get(&cp).await, 200).await;
        let r = post(
            format!("/hiring/candidates/{}/edit", id(&c)),
            vec![
                ("version", v(&c_now)),
                ("name", "Cai Wen".into()),
                ("email", "cai@example.com".into()),
                ("phone", "".into()),
                ("source", "referral".into()),
                ("notes", "strong call".into()),
            ],
            "en",
        )
        .await;
        assert_eq!(r.status(), 303, "{b:?}");
        assert_eq!(
            body(admin.get(&cp).await, 200).await["notes"],
            "strong call"
        );
        let r = post(
            format!("/hiring/interviews/{}/edit", id(&iv)),
            vec![
                ("version", v(&iv)),
                ("part", "schedule".into()),
                ("interviewer_id", ivan.to_string()),
                ("at", "2027-01-05T10:30".into()),
                ("kind", "onsite".into()),
            ],
            "en",
        )
        .await;
        assert_eq!(r.status(), 303, "{b:?}");
        let iv2 = body(
            admin.get(&format!("/api/v1/interviews/{}", id(&iv))).await,
            200,
        )
        .await;
        assert_eq!(
            (iv2["kind"].as_str(), iv2["scheduled_at"].as_i64()),
            (Some("onsite"), Some(1_799_116_200_000))
        );
        let r = post(
            format!("/hiring/offers/{}/edit", id(&offer)),
            vec![
                ("version", v(&offer)),
                ("salary", "28,000.00".into()),
                ("currency", "CNY".into()),
                ("start_date", "2027-04-01".into()),
            ],
            "en",
        )
        .await;
        assert_eq!(r.status(), 303, "{b:?}");
        let f2 = body(
            admin.get(&format!("/api/v1/offers/{}", id(&offer))).await,
            200,
        )
        .await;
        assert_eq!(f2["salary_minor"], 2_800_000);
        // The program: courses reordered, one added, one dropped (empty slot).
        let r = post(
            format!("/training/programs/{}/edit", id(&prog)),
            vec![
                ("version", v(&prog)),
                ("title", "Onboarding 2027".into()),
                ("description", "".into()),
                ("course", c3.to_string()),
                ("course", "".into()),
                ("course", c1.to_string()),
            ],
            "en",
        )
        .await;
        assert_eq!(r.status(), 303, "{b:?}");
        let p2 = body(
            admin
                .get(&format!("/api/v1/training-programs/{}", id(&prog)))
                .await,
            200,
        )
        .await;
        let ids: Vec<i64> = p2["courses"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(
            (p2["title"].as_str(), ids),
            (Some("Onboarding 2027"), vec![c3, c1])
        );

        // A stale form changes nothing and says why; a bad field is named next to its input,
        // in Chinese for a Chinese browser.
        let r = post(
            format!("/hiring/candidates/{}/edit", id(&c)),
            vec![
                ("version", v(&c_now)),
                ("name", "Stale".into()),
                ("source", "referral".into()),
            ],
            "zh-CN",
        )
        .await;
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("刷新后重试"),
            "the stale message in Chinese: {b:?}"
        );
        assert_eq!(body(admin.get(&cp).await, 200).await["name"], "Cai Wen");
        let hc_now = body(
            admin
                .get(&format!("/api/v1/headcount-requests/{}", id(&hc)))
                .await,
            200,
        )
        .await;
        let r = post(
            format!("/hiring/headcount/{}/edit", id(&hc)),
            vec![
                ("version", v(&hc_now)),
                ("position", "".into()),
                ("headcount", "2".into()),
                ("justification", "growth".into()),
            ],
            "zh-CN",
        )
        .await;
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("id=\"err-position\"") && html.contains("为必填项"),
            "an inline error in Chinese: {b:?}"
        );
        let r = post(
            format!("/hiring/offers/{}/edit", id(&offer)),
            vec![
                ("version", v(&f2)),
                ("salary", "28,000.00".into()),
                ("start_date", "2027-02-30".into()),
            ],
            "en",
        )
        .await;
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"err-start_date\""), "{b:?}");
        // A decided request says so in the user's language (409 from the API).
        body(
            admin
                .req(
                    reqwest::Method::POST,
                    &format!("/api/v1/headcount-requests/{}/decision", id(&hc)),
                )
                .header("If-Match", etag(&hc_now))
                .json(&json!({"approve": false}))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let hc_now = body(
            admin
                .get(&format!("/api/v1/headcount-requests/{}", id(&hc)))
                .await,
            200,
        )
        .await;
        let r = post(
            format!("/hiring/headcount/{}/edit", id(&hc)),
            vec![
                ("version", v(&hc_now)),
                ("position", "Later".into()),
                ("headcount", "2".into()),
                ("justification", "growth".into()),
            ],
            "zh-CN",
        )
        .await;
        assert_eq!(r.status(), 422, "{b:?}");
        assert!(r.text().await.unwrap().contains("不可修改"), "{b:?}");
        let r = post(
            format!("/training/programs/{}/edit", id(&prog)),
            vec![("version", v(&p2)), ("title", "Onboarding".into())],
            "en",
        )
        .await;
        assert_eq!(r.status(), 422, "a program needs a course: {b:?}");
        assert!(r.text().await.unwrap().contains("id=\"err-course_ids\""));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn programs_are_edited_and_enrolling_again_reactivates_a_cancelled_enrolment() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let mgr = app.api(&app.user_with_token("mgr", Role::Manager).await);
        let member = app.api(&app.user_with_token("mona", Role::Member).await);
        let ops = dept(&admin, "Ops", None).await;
        person(&admin, "M1", ops, "Lead", user_of(&mgr).await).await;
        person(&admin, "U1", ops, "Lead", user_of(&member).await).await;
        let low = person(&admin, "E1", ops, "Clerk", None).await;
        let none = person(&admin, "E2", ops, "Clerk", None).await;

        // Programs: title, description and courses (replaced, in order), If-Match, audited.
        let mut courses = Vec::new();
        for t in ["Safety", "Forklift", "First aid"] {
            courses.push(id(&body(
                admin.post("/api/v1/courses", &json!({"title": t})).await,
                201,
            )
            .await));
        }
        let prog = body(
            mgr.post(
                "/api/v1/training-programs",
                &json!({"title": "Onboarding", "course_ids": [courses[0], courses[1]]}),
            )
            .await,
            201,
        )
        .await;
        let pp = format!("/api/v1/training-programs/{}", id(&prog));
        assert_eq!(
            body(member.get(&pp).await, 200).await["title"],
            "Onboarding"
        );
        problem(mgr.patch(&pp, &json!({"title": "x"}), None).await, 428).await;
        problem(
            member
                .patch(&pp, &json!({"title": "x"}), Some(&etag(&prog)))
                .await,
            403,
        )
        .await;
        for bad in [json!([]), json!([courses[0], courses[0]]), json!([9999])] {
            let p = problem(
                mgr.patch(&pp, &json!({"course_ids": bad}), Some(&etag(&prog)))
                    .await,
                422,
            )
            .await;
            assert!(names_field(&p, "course_ids"), "{p}");
        }
        let p2 = body(
            mgr.patch(
                &pp,
                &json!({"description": "first week", "course_ids": [courses[2], courses[0]]}),
                Some(&etag(&prog)),
            )
            .await,
            200,
        )
        .await;
        let ids: Vec<i64> = p2["courses"].as_array().unwrap().iter().map(id).collect();
        assert_eq!(
            (p2["title"].as_str(), p2["description"].as_str(), ids),
            (
                Some("Onboarding"),
                Some("first week"),
                vec![courses[2], courses[0]]
            ),
            "{b:?}"
        );
        problem(
            mgr.patch(&pp, &json!({"title": "x"}), Some(&etag(&prog)))
                .await,
            412,
        )
        .await;
        let listed = body(mgr.get("/api/v1/training-programs").await, 200).await;
        assert_eq!(listed[0]["courses"].as_array().unwrap().len(), 2);
        let (before, after) = last_audit(&app, "program.update", id(&prog)).await;
        assert_eq!(
            (
                before["courses"].as_array().unwrap().len(),
                after["courses"][0]["id"].as_i64()
            ),
            (2, Some(courses[2]))
        );

        // Re-enrolment: Low and None have a Forklift gap; Low's enrolment is cancelled.
        let sk = id(&body(
            admin
                .post(
                    "/api/v1/skills",
                    &json!({"name": "Forklift", "category": "Warehouse"}),
                )
                .await,
            201,
        )
        .await);
        body(
            admin
                .req(reqwest::Method::PUT, "/api/v1/position-skills")
                .json(&json!({"position": "Clerk", "skill_id": sk, "level": 3}))
                .send()
                .await
                .unwrap(),
            200,
        )
        .await;
        let cpath = format!("/api/v1/courses/{}", courses[1]);
        let course = body(admin.get(&cpath).await, 200).await;
        body(
            admin
                .patch(&cpath, &json!({"skill_id": sk}), Some(&etag(&course)))
                .await,
            200,
        )
        .await;
        let session = id(&body(
            admin
                .post(
                    "/api/v1/training-sessions",
                    &json!({"course_id": courses[1], "starts_on": "2027-03-01", "ends_on": "2027-03-01",
                            "capacity": 2}),
                )
                .await,
            201,
        )
        .await);
        let ep = format!("/api/v1/training-sessions/{session}/enrolments");
        let gaps = format!("/api/v1/training-sessions/{session}/skill-gaps");
        let first = body(mgr.post(&ep, &json!({"person_id": low})).await, 201).await;
        let e = first[0].clone();
        let cancelled = body(
            mgr.patch(
                &format!("/api/v1/enrolments/{}", id(&e)),
                &json!({"status": "cancelled"}),
                Some(&etag(&e)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(cancelled["status"], "cancelled");
        let preview = body(mgr.get(&format!("{gaps}?department_id={ops}")).await, 200).await;
        let row = |p: &Value, who: i64| {
            p["people"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["person_id"] == who)
                .cloned()
                .unwrap()
        };
        assert_eq!(
            (
                row(&preview, low)["enrolled"].clone(),
                row(&preview, low)["cancelled"].clone()
            ),
            (json!(false), json!(true)),
            "the preview shows the cancelled enrolment it will re-activate: {b:?}"
        );
        assert_eq!(row(&preview, none)["cancelled"], false);
        // The preview page says so too.
        let web = sign_in(&app, "mgr").await;
        let html = web
            .get(app.url(&format!(
                "/training/sessions/{session}/skill-gaps?department_id={ops}"
            )))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("Cancelled earlier") && html.contains("People to enrol: 2"),
            "{b:?}"
        );

        let made = body(mgr.post(&gaps, &json!({"department_id": ops})).await, 201).await;
        let mut got: Vec<(i64, String, String)> = made
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["person_id"].as_i64().unwrap(),
                    x["status"].as_str().unwrap().to_string(),
                    x["source"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        got.sort();
        let mut want = vec![
            (low, "enrolled".to_string(), "skill_gap".to_string()),
            (none, "enrolled".to_string(), "skill_gap".to_string()),
        ];
        want.sort();
        assert_eq!(got, want, "{b:?}");
        let again = made
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["person_id"] == low)
            .unwrap()
            .clone();
        assert_eq!(id(&again), id(&e), "the same enrolment, re-activated");
        let (before, after) = last_audit(&app, "enrolment.reactivate", id(&e)).await;
        assert_eq!(
            (before["status"].as_str(), after["status"].as_str()),
            (Some("cancelled"), Some("enrolled"))
        );
        let preview = body(mgr.get(&format!("{gaps}?department_id={ops}")).await, 200).await;
        assert_eq!(row(&preview, low)["enrolled"], true);
        // Full (capacity 2): nobody else fits; re-activation counts against the capacity.
        let seats = body(
            admin
                .get(&format!("/api/v1/training-sessions/{session}"))
                .await,
            200,
        )
        .await;
        assert_eq!(seats["enrolled"], 2);

        // By person and by department: cancel again, enrol again.
        for (how, req) in [
            ("person", json!({"person_id": low})),
            ("department", json!({"department_id": ops})),
        ] {
            let cur = body(
                admin.get(&format!("/api/v1/enrolments/{}", id(&e))).await,
                200,
            )
            .await;
            body(
                mgr.patch(
                    &format!("/api/v1/enrolments/{}", id(&e)),
                    &json!({"status": "cancelled"}),
                    Some(&etag(&cur)),
                )
                .await,
                200,
            )
            .await;
            if how == "department" {
                // Make room: the department has more active people than the session's places.
                let s = body(
                    admin
                        .get(&format!("/api/v1/training-sessions/{session}"))
                        .await,
                    200,
                )
                .await;
                body(
                    admin
                        .patch(
                            &format!("/api/v1/training-sessions/{session}"),
                            &json!({"capacity": null}),
                            Some(&etag(&s)),
                        )
                        .await,
                    200,
                )
                .await;
            }
            let made = body(mgr.post(&ep, &req).await, 201).await;
            let back = made
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["person_id"] == low)
                .unwrap_or_else(|| panic!("{how}: {made}"))
                .clone();
            assert_eq!(
                (id(&back), back["status"].as_str(), back["source"].as_str()),
                (id(&e), Some("enrolled"), Some(how)),
                "{how}: {b:?}"
            );
        }
        let mut tx = app.db().read().await.unwrap();
        let n = tx
            .count(
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'enrolment.reactivate' AND entity_id = $1",
                &[id(&e).into()],
            )
            .await
            .unwrap();
        assert_eq!(n, 3, "{b:?}");
        drop(tx);
        app.stop().await;
    }
}

async fn upload(api: &Api, kind: &str, name: &str, bytes: Vec<u8>) -> Value {
    use reqwest::multipart::{Form, Part};
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = api
        .req(reqwest::Method::POST, &format!("/api/v1/imports/{kind}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    body(r, 201).await
}

/// The "done when" on the demo company: each team import's downloadable template, in
/// either language and format, imports back as it comes (dry run clean, then committed), in
/// dependency order — people first, then their skill levels and training records. (The
/// people import creates people, so each language starts from a fresh demo.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_company_imports_its_downloadable_templates_back() {
    for b in BACKENDS {
        for (lang, format) in [("zh-CN", "xlsx"), ("en", "csv")] {
            let app = spawn(b).await;
            let now = 1_780_000_000_000i64;
            let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
            work::demo::load_demo(app.db(), now, work::demo::DemoSize::Small)
                .await
                .unwrap();
            team::people_demo::load(app.db(), now).await.unwrap();
            for kind in ["people", "skill-levels", "training-records"] {
                let t = admin
                    .req(
                        reqwest::Method::GET,
                        &format!("/api/v1/imports/{kind}/template?format={format}"),
                    )
                    .header("accept-language", lang)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(t.status(), 200, "{kind} {lang}");
                let bytes = t.bytes().await.unwrap().to_vec();
                let up = upload(&admin, kind, &format!("template.{format}"), bytes).await;
                let path = format!("/api/v1/imports/{kind}/{}/run", id(&up));
                let dry = body(admin.post(&path, &json!({"dry_run": true})).await, 200).await;
                assert_eq!(dry["issues"], json!([]), "{b:?} {kind} {lang}: {dry}");
                let done = body(admin.post(&path, &json!({"dry_run": false})).await, 200).await;
                assert_eq!(done["issues"], json!([]), "{b:?} {kind} {lang}: {done}");
                assert_eq!(
                    (done["committed"].as_bool(), done["written"].as_i64()),
                    (Some(true), Some(2)),
                    "{b:?} {kind} {lang}: {done}"
                );
            }
            app.stop().await;
        }
    }
}
