//! Review scoring, calibration and outcomes over HTTP on both backends: weights validated on
//! the cycle, the score breakdown re-weighting absent components, calibration adjustments that
//! need a reason and are audited (actor, from, to, reason) and kept in the trail, the
//! reviewee shut out of calibration (404) and shown the outcome only once shared, development
//! items with a skill becoming training needs in the team module, and the pages.
use crate::common::*;
use crate::reviews::{Org, cycle_body, etag, ok, org, page, set_phase, sign_in};
use reqwest::Method;
use serde_json::{Value, json};

struct World {
    o: Org,
    cycle: i64,
    rv: i64,
    skill: i64,
}

/// Sends a write with the review's current ETag.
async fn with_etag(
    api: &Api,
    method: Method,
    path: &str,
    review: i64,
    body: &Value,
) -> reqwest::Response {
    let r = api.get(&format!("/api/v1/reviews/{review}")).await;
    assert_eq!(r.status(), 200, "{path}");
    let e = etag(&r);
    api.req(method, path)
        .header("If-Match", e)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A cycle over rev and few with its own weights, moved to calibration, rev rated 4 by boss.
async fn world(app: &App) -> World {
    let o = org(app).await;
    let hr = app.api(&o.admin.token);
    let boss = app.api(&o.boss.token);
    let skill = ok(
        hr.post(
            "/api/v1/skills",
            &json!({"name": "Incident review", "category": "Ops"}),
        )
        .await,
        "skill",
    )
    .await["id"]
        .as_i64()
        .unwrap();

    // Weights: each 0–100, together 100; a guideline per scale point adding up to 100.
    let mut bad = cycle_body(&[o.rev.person_id]);
    bad["weights"] = json!({"goals": 50, "kpi": 50, "manager": 10, "peer": 0, "upward": 0});
    let p = problem(hr.post("/api/v1/review-cycles", &bad).await, 422).await;
    assert!(names_field(&p, "weights"), "{p}");
    bad["weights"] = json!({"goals": 120, "kpi": -20, "manager": 0, "peer": 0, "upward": 0});
    let p = problem(hr.post("/api/v1/review-cycles", &bad).await, 422).await;
    assert!(names_field(&p, "weights.goals"), "{p}");
    bad["weights"] = json!({"goals": 30, "kpi": 10, "manager": 40, "peer": 10, "upward": 10});
    bad["guideline"] = json!([50, 50]);
    let p = problem(hr.post("/api/v1/review-cycles", &bad).await, 422).await;
    assert!(names_field(&p, "guideline"), "{p}");

    let mut body = cycle_body(&[o.rev.person_id, o.few.person_id]);
    body["weights"] = json!({"goals": 30, "kpi": 10, "manager": 40, "peer": 10, "upward": 10});
    let c = ok(hr.post("/api/v1/review-cycles", &body).await, "cycle").await;
    assert_eq!(
        c["guideline"],
        json!([10, 20, 40, 20, 10]),
        "default guideline"
    );
    assert_eq!(c["weights"]["manager"], 40);
    let cycle = c["id"].as_i64().unwrap();
    // Weights are edited with the cycle.
    let e = etag(&hr.get(&format!("/api/v1/review-cycles/{cycle}")).await);
    let p = problem(
        hr.patch(
            &format!("/api/v1/review-cycles/{cycle}"),
            &json!({"weights": {"goals": 30, "kpi": 10, "manager": 40, "peer": 10, "upward": 0}}),
            Some(&e),
        )
        .await,
        422,
    )
    .await;
    assert!(names_field(&p, "weights"), "{p}");
    let c = ok(
        hr.patch(
            &format!("/api/v1/review-cycles/{cycle}"),
            &json!({"weights": {"goals": 20, "kpi": 10, "manager": 50, "peer": 10, "upward": 10},
                    "guideline": [5, 25, 40, 20, 10]}),
            Some(&e),
        )
        .await,
        "weights",
    )
    .await;
    assert_eq!(c["weights"]["manager"], 50);
    assert_eq!(c["guideline"], json!([5, 25, 40, 20, 10]));

    for phase in ["nomination", "feedback", "calibration"] {
        set_phase(&hr, cycle, phase).await;
    }
    let list = ok(
        hr.get(&format!("/api/v1/review-cycles/{cycle}/reviews"))
            .await,
        "reviews",
    )
    .await;
    let rv = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"] == o.rev.person_id)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = boss.get(&format!("/api/v1/reviews/{rv}")).await;
    let e = etag(&r);
    ok(
        boss.patch(
            &format!("/api/v1/reviews/{rv}"),
            &json!({"manager_rating": 4, "proposed_rating": 4}),
            Some(&e),
        )
        .await,
        "rate",
    )
    .await;
    World {
        o,
        cycle,
        rv,
        skill,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calibration_changes_are_audited() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let w = world(&app).await;
        let (o, cid, rv) = (&w.o, w.cycle, w.rv);
        let boss = app.api(&o.boss.token);
        let rev = app.api(&o.rev.token);
        let dm = app.api(&o.dm.token);
        let hr = app.api(&o.admin.token);

        // The score: only the manager's rating has data (no goals, no scorecard, peers and
        // upward below k), so it is the whole score.
        let s = ok(
            boss.get(&format!("/api/v1/reviews/{rv}/score")).await,
            "score",
        )
        .await;
        assert_eq!(s["score"], 4.0, "{b:?} {s}");
        let counted: Vec<&str> = s["components"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["counted"] == true)
            .map(|c| c["component"].as_str().unwrap())
            .collect();
        assert_eq!(counted, ["manager"], "{b:?} {s}");
        let manager = s["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["component"] == "manager")
            .unwrap();
        assert_eq!(
            (
                manager["weight"].as_i64(),
                manager["effective_weight"].as_f64()
            ),
            (Some(50), Some(100.0))
        );

        // The reviewee (a member) sees no calibration at all, and no score before sharing.
        for p in [
            format!("/api/v1/review-cycles/{cid}/calibration"),
            format!("/api/v1/reviews/{rv}/score"),
            format!("/api/v1/reviews/{rv}/outcome"),
        ] {
            assert_eq!(rev.get(&p).await.status(), 404, "{b:?} {p}");
        }
        let r = with_etag(
            &rev,
            Method::PATCH,
            &format!("/api/v1/reviews/{rv}/calibration"),
            rv,
            &json!({"calibrated_rating": 5, "reason": "self-promotion"}),
        )
        .await;
        assert_eq!(r.status(), 404, "{b:?}");

        // An adjustment needs a reason and If-Match.
        let path = format!("/api/v1/reviews/{rv}/calibration");
        let p = problem(
            with_etag(
                &boss,
                Method::PATCH,
                &path,
                rv,
                &json!({"calibrated_rating": 5}),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "reason"), "{b:?} {p}");
        let r = boss
            .req(Method::PATCH, &path)
            .json(&json!({"calibrated_rating": 5, "reason": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 428);
        let st = ok(
            with_etag(
                &boss,
                Method::PATCH,
                &path,
                rv,
                &json!({"calibrated_rating": 5, "reason": "Led the storage migration", "potential": 3}),
            )
            .await,
            "calibrate",
        )
        .await;
        assert_eq!(
            (st["final_rating"].as_i64(), st["potential"].as_i64()),
            (Some(5), Some(3))
        );

        // The audit entry: who, from, to, why — written with the change.
        let mut tx = app.db().read().await.unwrap();
        let rows = tx
            .fetch_all(
                "SELECT actor_user_id, before_json, after_json FROM audit_events \
                 WHERE action = 'review.calibrate' AND entity_id = $1",
                &[rv.into()],
            )
            .await
            .unwrap();
        drop(tx);
        assert_eq!(rows.len(), 1, "{b:?}: one audit event per adjustment");
        assert_eq!(
            rows[0].opt_i64("actor_user_id").unwrap(),
            Some(o.boss.user_id)
        );
        let before: Value = serde_json::from_str(&rows[0].string("before_json").unwrap()).unwrap();
        let after: Value = serde_json::from_str(&rows[0].string("after_json").unwrap()).unwrap();
        assert_eq!(before["rating"], 4, "{b:?}");
        assert_eq!(after["rating"], 5, "{b:?}");
        assert_eq!(after["reason"], "Led the storage migration", "{b:?}");

        // A second adjustment by the department manager: the trail keeps both, in order.
        ok(
            with_etag(
                &dm,
                Method::PATCH,
                &path,
                rv,
                &json!({"calibrated_rating": 4, "reason": "Aligned with Eng"}),
            )
            .await,
            "dm calibrates",
        )
        .await;
        let v = ok(
            dm.get(&format!(
                "/api/v1/review-cycles/{cid}/calibration?department_id={}",
                o.eng
            ))
            .await,
            "view",
        )
        .await;
        let trail = v["trail"].as_array().unwrap();
        assert_eq!(trail.len(), 2, "{b:?} {v}");
        assert_eq!(
            (
                trail[0]["from_rating"].as_i64(),
                trail[0]["to_rating"].as_i64()
            ),
            (Some(4), Some(5))
        );
        assert_eq!(trail[1]["reason"], "Aligned with Eng");
        assert_eq!(trail[1]["actor_name"], "deptmgr");
        let row = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["review_id"] == rv)
            .unwrap();
        assert_eq!(
            (
                row["proposed_rating"].as_i64(),
                row["final_rating"].as_i64()
            ),
            (Some(4), Some(4))
        );
        let d4 = &v["distribution"][3];
        assert_eq!(
            (
                d4["guideline_percent"].as_i64(),
                d4["proposed"].as_i64(),
                d4["calibrated"].as_i64()
            ),
            (Some(20), Some(1), Some(1))
        );
        let cell = v["nine_box"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["performance"] == "high" && c["potential"] == 3)
            .unwrap();
        assert_eq!(cell["reviews"][0]["review_id"], rv, "{b:?} {v}");

        // Groups: a manager outside a department's scope is refused; a department that does
        // not exist is a 404 naming the field.
        let sales = ok(
            hr.post("/api/v1/departments", &json!({"name": "Sales"}))
                .await,
            "dept",
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let r = dm
            .get(&format!(
                "/api/v1/review-cycles/{cid}/calibration?department_id={sales}"
            ))
            .await;
        assert_eq!(r.status(), 403, "{b:?}");
        let r = hr
            .get(&format!(
                "/api/v1/review-cycles/{cid}/calibration?department_id={sales}"
            ))
            .await;
        let v = ok(r, "admin sales").await;
        assert!(v["rows"].as_array().unwrap().is_empty());
        let p = problem(
            hr.get(&format!(
                "/api/v1/review-cycles/{cid}/calibration?department_id=999999"
            ))
            .await,
            404,
        )
        .await;
        assert!(names_field(&p, "department_id"), "{b:?} {p}");

        // Outside calibration and sign-off the rating is locked, and so are the weights once
        // shared.
        set_phase(&hr, cid, "shared").await;
        let e = etag(&hr.get(&format!("/api/v1/review-cycles/{cid}")).await);
        let p = problem(
            hr.patch(
                &format!("/api/v1/review-cycles/{cid}"),
                &json!({"weights": {"goals": 0, "kpi": 0, "manager": 100, "peer": 0, "upward": 0}}),
                Some(&e),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "weights"), "{b:?} {p}");
        let p = problem(
            with_etag(
                &boss,
                Method::PATCH,
                &path,
                rv,
                &json!({"calibrated_rating": 3, "reason": "late"}),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "calibrated_rating"), "{b:?} {p}");
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_reach_the_reviewee_when_shared_and_become_training_needs() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let w = world(&app).await;
        let (o, cid, rv) = (&w.o, w.cycle, w.rv);
        let boss = app.api(&o.boss.token);
        let rev = app.api(&o.rev.token);
        let hr = app.api(&o.admin.token);
        let out = format!("/api/v1/reviews/{rv}/outcome");
        let body = json!({"recommendation": "promotion", "development_items": [
            {"text": "Run two incident reviews", "skill_id": w.skill, "target_level": 4},
            {"text": "Mentor a new hire"}]});
        // Outcomes are set from sign-off on.
        let p = problem(with_etag(&boss, Method::PUT, &out, rv, &body).await, 422).await;
        assert!(names_field(&p, "recommendation"), "{b:?} {p}");
        ok(
            with_etag(
                &boss,
                Method::PATCH,
                &format!("/api/v1/reviews/{rv}/calibration"),
                rv,
                &json!({"calibrated_rating": 5, "reason": "Carried the on-call rota", "potential": 2}),
            )
            .await,
            "calibrate",
        )
        .await;
        set_phase(&hr, cid, "signoff").await;
        let mut bad = body.clone();
        bad["development_items"][0]["target_level"] = Value::Null;
        let p = problem(with_etag(&boss, Method::PUT, &out, rv, &bad).await, 422).await;
        assert!(
            names_field(&p, "development_items[0].target_level"),
            "{b:?} {p}"
        );
        // The reviewee may not set their own outcome.
        assert_eq!(
            with_etag(&rev, Method::PUT, &out, rv, &body).await.status(),
            403
        );
        let set = ok(
            with_etag(&boss, Method::PUT, &out, rv, &body).await,
            "outcome",
        )
        .await;
        assert_eq!(
            set["final_rating"], 5,
            "{b:?} calibrated wins over proposed"
        );
        assert_eq!(set["development_items"].as_array().unwrap().len(), 2);
        assert_eq!(set["development_items"][0]["skill_name"], "Incident review");

        let mut tx = app.db().read().await.unwrap();
        let rows = tx
            .fetch_all(
                "SELECT actor_user_id, after_json FROM audit_events WHERE action = 'review.outcome' AND entity_id = $1",
                &[rv.into()],
            )
            .await
            .unwrap();
        drop(tx);
        assert_eq!(rows.len(), 1, "{b:?}");
        assert_eq!(
            rows[0].opt_i64("actor_user_id").unwrap(),
            Some(o.boss.user_id)
        );
        assert!(
            rows[0]
                .string("after_json")
                .unwrap()
                .contains("Run two incident reviews")
        );

        // The item with a skill is a training need for rev's managers, not for rev's peers.
        let gaps = ok(
            boss.get(&format!("/api/v1/skills/gaps?department_id={}", o.eng))
                .await,
            "gaps",
        )
        .await;
        let line = gaps["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["skill_id"] == w.skill)
            .unwrap_or_else(|| panic!("{b:?}: a training need for the skill: {gaps}"));
        let person = line["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["person_id"] == o.rev.person_id)
            .unwrap();
        assert_eq!(
            (person["needs"].as_i64(), person["development"].as_bool()),
            (Some(4), Some(true))
        );
        // … and so does the enrolment preview of a session teaching that skill.
        let course = ok(
            hr.post(
                "/api/v1/courses",
                &json!({"title": "Incident reviews 101", "skill_id": w.skill}),
            )
            .await,
            "course",
        )
        .await;
        let session = ok(
            hr.post(
                "/api/v1/training-sessions",
                &json!({"course_id": course["id"], "starts_on": "2027-03-01", "ends_on": "2027-03-01"}),
            )
            .await,
            "session",
        )
        .await;
        let preview = ok(
            hr.get(&format!(
                "/api/v1/training-sessions/{}/skill-gaps?department_id={}",
                session["id"], o.eng
            ))
            .await,
            "preview",
        )
        .await;
        assert!(
            preview["people"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["person_id"] == o.rev.person_id && p["needs"] == 4),
            "{b:?}: {preview}"
        );
        for (lang, word) in [("en", "from a development plan"), ("zh-CN", "来自发展计划")] {
            let c = sign_in(&app, "boss", lang).await;
            let (s, html) = page(&c, &app, &format!("/skills/gaps?department_id={}", o.eng)).await;
            assert_eq!(s, 200);
            assert!(
                html.contains("Incident review") && html.contains(word),
                "{b:?} {lang}"
            );
        }
        let peer = app.api(&o.few.token);
        let gaps = ok(peer.get("/api/v1/skills/gaps").await, "member gaps").await;
        assert!(
            !gaps.to_string().contains("Incident review"),
            "{b:?}: a colleague does not see rev's development plan: {gaps}"
        );

        // Before sharing the reviewee sees nothing of it; once shared: final rating,
        // recommendation and items — never potential or the trail.
        assert_eq!(rev.get(&out).await.status(), 404);
        set_phase(&hr, cid, "shared").await;
        let mine = ok(rev.get(&out).await, "reviewee outcome").await;
        assert_eq!(mine["final_rating"], 5, "{b:?} {mine}");
        assert_eq!(mine["recommendation"], "promotion");
        assert_eq!(mine["development_items"].as_array().unwrap().len(), 2);
        assert!(
            mine["potential"].is_null()
                && mine["trail"].is_null()
                && mine["calibrated_rating"].is_null()
        );
        assert!(!mine.to_string().contains("Carried the on-call rota"));
        let s = ok(
            rev.get(&format!("/api/v1/reviews/{rv}/score")).await,
            "score",
        )
        .await;
        assert_eq!(s["score"], 4.0);
        // The review page shows the reviewee the outcome and the score, in both languages,
        // and no calibration reason or potential.
        for (lang, word) in [("en", "Development plan"), ("zh-CN", "发展计划")] {
            let c = sign_in(&app, "rev", lang).await;
            let (s, html) = page(&c, &app, &format!("/reviews/{rv}")).await;
            assert_eq!(s, 200);
            assert!(
                html.contains(word) && html.contains("Mentor a new hire"),
                "{b:?} {lang}"
            );
            assert!(!html.contains("Carried the on-call rota"), "{b:?} {lang}");
            let (s, _) = page(&c, &app, &format!("/reviews/cycles/{cid}/calibration")).await;
            assert_eq!(s, 404, "{b:?} {lang}");
        }
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calibration_pages_adjust_with_a_reason_without_javascript() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let w = world(&app).await;
        let (cid, rv) = (w.cycle, w.rv);
        for (lang, word) in [("en", "9-box grid"), ("zh-CN", "九宫格")] {
            let c = sign_in(&app, "boss", lang).await;
            let (s, html) = page(&c, &app, &format!("/reviews/cycles/{cid}/calibration")).await;
            assert_eq!(s, 200, "{b:?} {lang}");
            assert!(
                html.contains(word) && html.contains("Reviewee Wang"),
                "{b:?} {lang}"
            );
            let (s, html) = page(&c, &app, &format!("/reviews/{rv}")).await;
            assert_eq!(s, 200);
            let score = if lang == "en" {
                "Manager rating"
            } else {
                "上级评分"
            };
            assert!(html.contains(score), "{b:?} {lang}: the score breakdown");
        }
        let c = sign_in(&app, "boss", "en").await;
        let (_, html) = page(&c, &app, &format!("/reviews/cycles/{cid}/calibration")).await;
        let i = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
        let csrf = html[i..].split('"').next().unwrap().to_string();
        let form = html
            .find(&format!("action=\"/reviews/{rv}/calibrate\""))
            .unwrap();
        let i = html[form..].find("name=\"version\" value=\"").unwrap() + form + 22;
        let version = html[i..].split('"').next().unwrap().to_string();
        let back = format!("/reviews/cycles/{cid}/calibration");
        // Without a reason: refused, nothing changes.
        let r = c
            .post(app.url(&format!("/reviews/{rv}/calibrate")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("version", &version),
                ("calibrated_rating", "2"),
                ("reason", ""),
                ("back", &back),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        let r = c
            .post(app.url(&format!("/reviews/{rv}/calibrate")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("version", &version),
                ("calibrated_rating", "2"),
                ("reason", "Missed two deadlines"),
                ("back", &back),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        assert_eq!(r.headers()["location"], back.as_str());
        let (_, html) = page(&c, &app, &back).await;
        assert!(
            html.contains("Missed two deadlines"),
            "{b:?}: the trail shows the reason"
        );
        let c = sign_in(&app, "rev", "en").await;
        let (s, _) = page(&c, &app, &back).await;
        assert_eq!(s, 404, "{b:?}: a member gets 404 on calibration");

        // The cycle page edits the weights and guideline (admins).
        let c = sign_in(&app, "hradmin", "zh-CN").await;
        let (s, html) = page(&c, &app, &format!("/reviews/cycles/{cid}")).await;
        assert_eq!(s, 200);
        assert!(html.contains("得分权重"), "{b:?}");
        let i = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
        let csrf = html[i..].split('"').next().unwrap().to_string();
        let form = html.find("/scoring\"").unwrap();
        let i = html[form..].find("name=\"version\" value=\"").unwrap() + form + 22;
        let version = html[i..].split('"').next().unwrap().to_string();
        let mut fields = vec![
            ("_csrf", csrf.clone()),
            ("version", version.clone()),
            ("weight_goals", "40".to_string()),
            ("weight_kpi", "0".to_string()),
            ("weight_manager", "40".to_string()),
            ("weight_peer", "10".to_string()),
            ("weight_upward", "20".to_string()),
            ("guideline", "10, 20, 40, 20, 10".to_string()),
        ];
        let url = app.url(&format!("/reviews/cycles/{cid}/scoring"));
        let r = c.post(url.clone()).form(&fields).send().await.unwrap();
        assert_eq!(r.status(), 422, "{b:?}: 110 %");
        fields[6].1 = "10".to_string();
        let r = c.post(url).form(&fields).send().await.unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let hr = app.api(&w.o.admin.token);
        let cy = ok(
            hr.get(&format!("/api/v1/review-cycles/{cid}")).await,
            "cycle",
        )
        .await;
        assert_eq!(cy["weights"]["goals"], 40, "{b:?}");
        app.stop().await;
    }
}
