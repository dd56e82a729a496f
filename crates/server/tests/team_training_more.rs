//! Team edits after issue 5's follow-up, on both databases: leave is edited (If-Match, audited,
//! a person picker on the form) and cancelled; courses are edited (If-Match,
//! audited) and name the skill they teach; "enrol from skill gaps" previews then enrols the
//! people of a department whose level is below their position's requirement (API and pages,
//! without JavaScript), for those who manage the department's training only.
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

async fn audit_count(app: &App, action: &str) -> i64 {
    let mut tx = app.db().read().await.unwrap();
    tx.count(
        "SELECT COUNT(*) AS n FROM audit_events WHERE action = $1",
        &[action.into()],
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn courses_are_edited_and_enrol_from_skill_gaps_previews_then_enrols() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let mgr = app.api(&app.user_with_token("mgr", Role::Manager).await);
        let smgr = app.api(&app.user_with_token("smgr", Role::Manager).await);
        let member = app.api(&app.user_with_token("mona", Role::Member).await);
        let dept = |name: &str, parent: Option<i64>| {
            let admin = &admin;
            let name = name.to_string();
            async move {
                id(&body(
                    admin
                        .post(
                            "/api/v1/departments",
                            &json!({"name": name, "parent_id": parent}),
                        )
                        .await,
                    201,
                )
                .await)
            }
        };
        let ops = dept("Ops", None).await;
        let night = dept("Night shift", Some(ops)).await;
        let sales = dept("Sales", None).await;
        let person = |no: &str, dept: i64, position: &str, user: Option<i64>| {
            let admin = &admin;
            let (no, position) = (no.to_string(), position.to_string());
            async move {
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
        };
        person("M1", ops, "Lead", user_of(&mgr).await).await;
        person("S1", sales, "Lead", user_of(&smgr).await).await;
        person("U1", ops, "Driver", user_of(&member).await).await;
        // Clerks need Forklift 3. Low has 1, None has none, Expired has 4 with an expired
        // certificate, Good has 3; Night (sub-department) has 2; Seller is in Sales.
        let low = person("E1", ops, "Clerk", None).await;
        let none = person("E2", ops, "Clerk", None).await;
        let expired = person("E3", ops, "Clerk", None).await;
        let good = person("E4", ops, "Clerk", None).await;
        let night_p = person("E5", night, "Clerk", None).await;
        person("E6", sales, "Clerk", None).await;
        let skill = body(
            admin
                .post(
                    "/api/v1/skills",
                    &json!({"name": "Forklift", "category": "Warehouse"}),
                )
                .await,
            201,
        )
        .await;
        let sk = id(&skill);
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
        for (p, level, cert) in [
            (low, 1, None),
            (expired, 4, Some("2020-01-01")),
            (good, 3, None),
            (night_p, 2, None),
        ] {
            let r = admin
                .req(
                    reqwest::Method::PUT,
                    &format!("/api/v1/people/{p}/skills/{sk}"),
                )
                .json(&json!({"level": level, "cert_expires": cert}))
                .send()
                .await
                .unwrap();
            body(r, 200).await;
        }

        // A course without a skill closes no gap; editing it names the skill (If-Match).
        let course = body(
            admin
                .post("/api/v1/courses", &json!({"title": "Forklift basics"}))
                .await,
            201,
        )
        .await;
        let session = body(
            admin
                .post(
                    "/api/v1/training-sessions",
                    &json!({"course_id": id(&course), "starts_on": "2027-03-01", "ends_on": "2027-03-01"}),
                )
                .await,
            201,
        )
        .await;
        let gaps = format!("/api/v1/training-sessions/{}/skill-gaps", id(&session));
        let p = body(mgr.get(&format!("{gaps}?department_id={ops}")).await, 200).await;
        assert_eq!(
            (p["skill_id"].clone(), p["people"].clone()),
            (Value::Null, json!([])),
            "{b:?}"
        );

        let cpath = format!("/api/v1/courses/{}", id(&course));
        problem(mgr.patch(&cpath, &json!({"skill_id": sk}), None).await, 428).await;
        problem(
            member
                .patch(&cpath, &json!({"skill_id": sk}), Some(&etag(&course)))
                .await,
            403,
        )
        .await;
        let p = problem(
            mgr.patch(&cpath, &json!({"skill_id": 9999}), Some(&etag(&course)))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "skill_id"), "{p}");
        let edited = body(
            mgr.patch(
                &cpath,
                &json!({"skill_id": sk, "hours": 4.5, "certificate_months": 24}),
                Some(&etag(&course)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            (
                edited["skill_name"].as_str(),
                edited["hours"].as_f64(),
                edited["certificate_months"].as_i64(),
                edited["title"].as_str()
            ),
            (
                Some("Forklift"),
                Some(4.5),
                Some(24),
                Some("Forklift basics")
            ),
            "{b:?}"
        );
        problem(
            mgr.patch(&cpath, &json!({"title": "x"}), Some(&etag(&course)))
                .await,
            412,
        )
        .await;
        let cleared = body(
            mgr.patch(&cpath, &json!({"hours": null}), Some(&etag(&edited)))
                .await,
            200,
        )
        .await;
        assert_eq!(
            (cleared["hours"].clone(), cleared["skill_id"].as_i64()),
            (Value::Null, Some(sk))
        );
        assert_eq!(audit_count(&app, "course.update").await, 2, "{b:?}");

        // The preview: Low, None, Expired and Night (sub-department); not Good, not Sales.
        let p = body(mgr.get(&format!("{gaps}?department_id={ops}")).await, 200).await;
        assert_eq!(p["skill_name"], "Forklift");
        let mut who: Vec<(i64, i64, i64, bool)> = p["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["person_id"].as_i64().unwrap(),
                    x["has"].as_i64().unwrap(),
                    x["needs"].as_i64().unwrap(),
                    x["expired"].as_bool().unwrap(),
                )
            })
            .collect();
        who.sort();
        let mut want = vec![
            (low, 1, 3, false),
            (none, 0, 3, false),
            (expired, 4, 3, true),
            (night_p, 2, 3, false),
        ];
        want.sort();
        assert_eq!(who, want, "{b:?}");
        assert!(
            p["people"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["enrolled"] == false)
        );

        // Policy: members and the other department's manager may not; an unknown department is
        // named; nothing has been enrolled by looking.
        problem(
            member.get(&format!("{gaps}?department_id={ops}")).await,
            403,
        )
        .await;
        problem(smgr.get(&format!("{gaps}?department_id={ops}")).await, 403).await;
        problem(smgr.post(&gaps, &json!({"department_id": ops})).await, 403).await;
        let p = problem(mgr.get(&format!("{gaps}?department_id=9999")).await, 422).await;
        assert!(names_field(&p, "department_id"));
        let ep = format!("/api/v1/training-sessions/{}/enrolments", id(&session));
        assert_eq!(body(admin.get(&ep).await, 200).await, json!([]), "{b:?}");

        // Low enrols by hand first; the confirm enrols the other three, source skill_gap.
        body(mgr.post(&ep, &json!({"person_id": low})).await, 201).await;
        let p = body(mgr.get(&format!("{gaps}?department_id={ops}")).await, 200).await;
        let low_row = p["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["person_id"] == low)
            .unwrap()
            .clone();
        assert_eq!(low_row["enrolled"], true);
        let made = body(mgr.post(&gaps, &json!({"department_id": ops})).await, 201).await;
        let mut ids: Vec<i64> = made
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["person_id"].as_i64().unwrap())
            .collect();
        ids.sort();
        let mut want = vec![none, expired, night_p];
        want.sort();
        assert_eq!(ids, want, "{b:?}");
        assert!(
            made.as_array()
                .unwrap()
                .iter()
                .all(|e| e["source"] == "skill_gap")
        );
        assert_eq!(audit_count(&app, "enrolment.create").await, 4);
        // Again: nobody new.
        assert_eq!(
            body(mgr.post(&gaps, &json!({"department_id": night})).await, 201).await,
            json!([])
        );

        // Pages: the session page offers the form, the preview lists people, the confirm enrols
        // (Sales' Seller via the admin), and the course edit page saves.
        let sales_gaps = body(
            admin.get(&format!("{gaps}?department_id={sales}")).await,
            200,
        )
        .await;
        assert_eq!(sales_gaps["people"].as_array().unwrap().len(), 1);
        let c = sign_in(&app, "boss").await;
        let sp = app.url(&format!("/training/sessions/{}", id(&session)));
        let html = c.get(&sp).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains(&format!(
                "action=\"/training/sessions/{}/skill-gaps\"",
                id(&session)
            )),
            "{b:?}"
        );
        let r = c
            .get(app.url(&format!(
                "/training/sessions/{}/skill-gaps?department_id={sales}",
                id(&session)
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains("P E6") && html.contains("0 / 3"), "{b:?}");
        assert!(!html.contains("tp."), "untranslated key");
        let r = c
            .post(app.url(&format!("/training/sessions/{}/skill-gaps", id(&session))))
            .form(&[
                ("_csrf", form_token(&html)),
                ("department_id", sales.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        assert_eq!(
            body(admin.get(&ep).await, 200)
                .await
                .as_array()
                .unwrap()
                .len(),
            5
        );

        let edit = app.url(&format!("/training/courses/{}/edit", id(&course)));
        let html = c.get(&edit).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("value=\"Forklift basics\"") && html.contains(" selected>"),
            "{b:?}"
        );
        let version = body(admin.get(&cpath).await, 200).await["version"]
            .as_i64()
            .unwrap();
        let r = c
            .post(app.url(&format!("/training/courses/{}", id(&course))))
            .form(&[
                ("_csrf", form_token(&html)),
                ("version", version.to_string()),
                ("title", "Forklift basics (2027)".into()),
                ("skill_id", "".into()),
                ("hours", "".into()),
                ("certificate_months", "12".into()),
                ("provider", "".into()),
                ("description", "".into()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let after = body(admin.get(&cpath).await, 200).await;
        assert_eq!(
            (after["title"].as_str(), after["skill_id"].clone()),
            (Some("Forklift basics (2027)"), Value::Null)
        );
        // A stale version re-renders the form with the problem (422), nothing saved.
        let r = c
            .post(app.url(&format!("/training/courses/{}", id(&course))))
            .form(&[
                ("_csrf", form_token(&html)),
                ("version", version.to_string()),
                ("title", "stale".into()),
            ])
            .send()
            .await
            .unwrap();
        assert_ne!(r.status(), 303, "{b:?}");
        assert_eq!(
            body(admin.get(&cpath).await, 200).await["title"],
            "Forklift basics (2027)"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leave_is_edited_and_cancelled_with_a_person_picker() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let mgr = app.api(&app.user_with_token("mgr", Role::Manager).await);
        let member = app.api(&app.user_with_token("mona", Role::Member).await);
        let other = app.api(&app.user_with_token("otto", Role::Member).await);
        let mut depts = Vec::new();
        for name in ["Ops", "Sales"] {
            depts.push(id(&body(
                admin
                    .post("/api/v1/departments", &json!({"name": name}))
                    .await,
                201,
            )
            .await));
        }
        let mut people = Vec::new();
        for (no, name, d, api) in [
            ("M1", "Manager Mo", depts[0], &mgr),
            ("E1", "Mona Member", depts[0], &member),
            ("E2", "Otto Other", depts[0], &other),
            ("S1", "Sal Sales", depts[1], &admin),
        ] {
            let user = if no == "S1" { None } else { user_of(api).await };
            people.push(id(&body(
                admin
                    .post("/api/v1/people", &json!({"employee_no": no, "name": name, "department_id": d, "user_id": user}))
                    .await,
                201,
            )
            .await));
        }
        let mona = people[1];
        let l = body(
            member
                .post("/api/v1/leaves", &json!({"person_id": mona, "start_date": "2026-12-01", "end_date": "2026-12-03", "kind": "annual"}))
                .await,
            201,
        )
        .await;
        let lp = format!("/api/v1/leaves/{}", id(&l));
        problem(
            member
                .patch(&lp, &json!({"end_date": "2026-12-04"}), None)
                .await,
            428,
        )
        .await;
        problem(
            other
                .patch(&lp, &json!({"end_date": "2026-12-04"}), Some(&etag(&l)))
                .await,
            403,
        )
        .await;
        let p = problem(
            member
                .patch(&lp, &json!({"end_date": "2026-11-30"}), Some(&etag(&l)))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "end_date"), "{b:?} {p}");
        let l2 = body(
            member
                .patch(
                    &lp,
                    &json!({"end_date": "2026-12-04", "kind": "personal", "note": "moving"}),
                    Some(&etag(&l)),
                )
                .await,
            200,
        )
        .await;
        assert_eq!(
            (
                l2["start_date"].as_str(),
                l2["end_date"].as_str(),
                l2["kind"].as_str(),
                l2["note"].as_str()
            ),
            (
                Some("2026-12-01"),
                Some("2026-12-04"),
                Some("personal"),
                Some("moving")
            ),
            "{b:?}"
        );
        problem(
            mgr.patch(&lp, &json!({"note": null}), Some(&etag(&l)))
                .await,
            412,
        )
        .await;
        let l3 = body(
            mgr.patch(&lp, &json!({"note": null}), Some(&etag(&l2)))
                .await,
            200,
        )
        .await;
        assert_eq!(l3["note"], Value::Null);
        assert_eq!(audit_count(&app, "leave.update").await, 2, "{b:?}");

        // Pages: the picker offers whom you may record leave for (a member: themself; the
        // manager: Ops, not Sales); the edit page saves; cancel removes.
        let c = sign_in(&app, "mona").await;
        let html = c
            .get(app.url("/capacity/leaves"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains(&format!("<option value=\"{mona}\" selected>")),
            "{b:?}"
        );
        assert!(
            !html.contains("Otto Other"),
            "{b:?}: a member records only their own leave"
        );
        let cm = sign_in(&app, "mgr").await;
        let html_m = cm
            .get(app.url("/capacity/leaves"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html_m.contains("Otto Other") && !html_m.contains("Sal Sales"),
            "{b:?}"
        );
        let edit = c
            .get(app.url(&format!("/capacity/leaves/{}/edit", id(&l))))
            .send()
            .await
            .unwrap();
        assert_eq!(edit.status(), 200);
        let html = edit.text().await.unwrap();
        assert!(
            html.contains("value=\"2026-12-04\"") && !html.contains("capacity."),
            "{b:?}"
        );
        let r = c
            .post(app.url(&format!("/capacity/leaves/{}", id(&l))))
            .form(&[
                ("_csrf", form_token(&html)),
                ("version", l3["version"].to_string()),
                ("start_date", "2026-12-02".into()),
                ("end_date", "2026-12-05".into()),
                ("kind", "sick".into()),
                ("note", "".into()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let now = body(admin.get(&lp).await, 200).await;
        assert_eq!(
            (now["start_date"].as_str(), now["kind"].as_str()),
            (Some("2026-12-02"), Some("sick"))
        );
        // A stale form is refused in place (422) and saves nothing.
        let r = c
            .post(app.url(&format!("/capacity/leaves/{}", id(&l))))
            .form(&[
                ("_csrf", form_token(&html)),
                ("version", l3["version"].to_string()),
                ("start_date", "2026-12-09".into()),
                ("end_date", "2026-12-09".into()),
                ("kind", "sick".into()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        assert_eq!(
            body(admin.get(&lp).await, 200).await["start_date"],
            "2026-12-02"
        );
        let r = c
            .post(app.url("/capacity/leaves/delete"))
            .form(&[
                ("_csrf", form_token(&html)),
                ("id", id(&l).to_string()),
                ("version", now["version"].to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        problem(admin.get(&lp).await, 404).await;
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_edited_over_the_api_and_the_page() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let mgr = app.api(&app.user_with_token("mgr", Role::Manager).await);
        let member = app.api(&app.user_with_token("mona", Role::Member).await);
        let d = id(&body(
            admin
                .post("/api/v1/departments", &json!({"name": "Ops"}))
                .await,
            201,
        )
        .await);
        let mut people = Vec::new();
        for (no, api) in [("M1", &mgr), ("E1", &member)] {
            let user = user_of(api).await;
            people.push(id(&body(
                admin
                    .post("/api/v1/people", &json!({"employee_no": no, "name": format!("P {no}"), "department_id": d, "user_id": user}))
                    .await,
                201,
            )
            .await));
        }
        let course = body(
            admin
                .post("/api/v1/courses", &json!({"title": "Safety"}))
                .await,
            201,
        )
        .await;
        let s = body(
            admin
                .post("/api/v1/training-sessions", &json!({"course_id": id(&course), "starts_on": "2027-05-03", "ends_on": "2027-05-04", "capacity": 5}))
                .await,
            201,
        )
        .await;
        let sp = format!("/api/v1/training-sessions/{}", id(&s));
        body(
            member
                .post(
                    &format!("{sp}/enrolments"),
                    &json!({"person_id": people[1]}),
                )
                .await,
            201,
        )
        .await;
        body(
            mgr.post(
                &format!("{sp}/enrolments"),
                &json!({"person_id": people[0]}),
            )
            .await,
            201,
        )
        .await;
        let s = body(admin.get(&sp).await, 200).await;
        problem(mgr.patch(&sp, &json!({"location": "A"}), None).await, 428).await;
        problem(
            member
                .patch(&sp, &json!({"location": "A"}), Some(&etag(&s)))
                .await,
            403,
        )
        .await;
        let p = problem(
            mgr.patch(
                &sp,
                &json!({"ends_on": "2027-05-01", "capacity": 1}),
                Some(&etag(&s)),
            )
            .await,
            422,
        )
        .await;
        assert!(
            names_field(&p, "ends_on") && names_field(&p, "capacity"),
            "{b:?} {p}"
        );
        let p = problem(
            mgr.patch(&sp, &json!({"trainer_id": 9999}), Some(&etag(&s)))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "trainer_id"));
        let s2 = body(
            mgr.patch(
                &sp,
                &json!({"location": "Room 3", "trainer_id": people[0], "ends_on": "2027-05-05"}),
                Some(&etag(&s)),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(
            (
                s2["location"].as_str(),
                s2["trainer_id"].as_i64(),
                s2["ends_on"].as_str(),
                s2["capacity"].as_i64()
            ),
            (Some("Room 3"), Some(people[0]), Some("2027-05-05"), Some(5)),
            "{b:?}"
        );
        problem(
            mgr.patch(&sp, &json!({"location": "B"}), Some(&etag(&s)))
                .await,
            412,
        )
        .await;
        assert_eq!(audit_count(&app, "session.update").await, 1, "{b:?}");

        let c = sign_in(&app, "mgr").await;
        let page = app.url(&format!("/training/sessions/{}", id(&s)));
        let html = c.get(&page).send().await.unwrap().text().await.unwrap();
        assert!(
            html.contains("value=\"Room 3\"") && !html.contains("tp."),
            "{b:?}"
        );
        let r = c
            .post(&page)
            .form(&[
                ("_csrf", form_token(&html)),
                ("version", s2["version"].to_string()),
                ("starts_on", "2027-06-01".into()),
                ("ends_on", "2027-06-01".into()),
                ("trainer_id", "".into()),
                ("location", "".into()),
                ("capacity", "".into()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let s3 = body(admin.get(&sp).await, 200).await;
        assert_eq!(
            (
                s3["starts_on"].as_str(),
                s3["trainer_id"].clone(),
                s3["location"].clone(),
                s3["capacity"].clone()
            ),
            (Some("2027-06-01"), Value::Null, Value::Null, Value::Null),
            "{b:?}"
        );
        app.stop().await;
    }
}
