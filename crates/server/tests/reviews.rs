//! Performance reviews over HTTP on both backends: a 360° cycle end to end through the API
//! (self review, nomination and approval, feedback, decline, calibration-time results, the
//! manager's rating, sharing, acknowledgement), the pages in both languages, and THE ANONYMITY
//! TEST: with 5 peer responses for one reviewee and 2 for another, everything the reviewee,
//! their manager, a department manager and the global admin can reach for the cycle (pages, API
//! answers — scores and calibration included —, notifications, histories, and the audit log
//! itself) holds no reviewer identity and no submission time, and nothing below the threshold.
use crate::common::*;
use kernel::Role;
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) const NOW: i64 = 1_780_000_000_000; // 2026-05-28

pub(crate) async fn ok(r: reqwest::Response, what: &str) -> Value {
    let s = r.status();
    let body = r.text().await.unwrap();
    assert!(s.is_success(), "{what}: {s} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

pub(crate) fn etag(r: &reqwest::Response) -> String {
    r.headers()
        .get("etag")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

pub(crate) struct Who {
    pub token: String,
    pub user_id: i64,
    pub person_id: i64,
    pub username: String,
}

pub(crate) struct Org {
    pub admin: Who,
    pub eng: i64,
    pub boss: Who,
    pub dm: Who,
    pub rev: Who,
    pub few: Who,
    pub report: Who,
    pub peers: Vec<Who>,
}

pub(crate) async fn someone(
    app: &App,
    admin: &Api,
    username: &str,
    name: &str,
    role: Role,
    dept: i64,
    manager: Option<i64>,
) -> Who {
    let token = app.user_with_token(username, role).await;
    person_for(app, admin, token, username, name, dept, manager).await
}

/// Links a new person record to the account behind `token`.
pub(crate) async fn person_for(
    app: &App,
    admin: &Api,
    token: String,
    username: &str,
    name: &str,
    dept: i64,
    manager: Option<i64>,
) -> Who {
    let me = ok(app.api(&token).get("/api/v1/me").await, "me").await;
    let user_id = me["user"]["id"].as_i64().unwrap();
    // The anonymous reviewers joined later: a cycle "hired before 2025" leaves them out.
    let hired = if username.starts_with("zq") {
        "2025-06-01"
    } else {
        "2024-01-01"
    };
    let p = ok(
        admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": format!("E-{username}"), "name": name, "department_id": dept,
                        "user_id": user_id, "manager_id": manager, "position": "Engineer",
                        "email": format!("{username}@example.com"), "hire_date": hired}),
            )
            .await,
        "person",
    )
    .await;
    Who {
        token,
        user_id,
        person_id: p["id"].as_i64().unwrap(),
        username: username.to_string(),
    }
}

/// Eng (with a sub-department Platform): boss (manager, head of Eng), dm (another manager in
/// Eng), rev and few (members reporting to boss), report (reports to rev), six peers whose
/// names, usernames and emails all contain "zqpeer"; hr is the global admin.
pub(crate) async fn org(app: &App) -> Org {
    let admin_tok = app.user_with_token("hradmin", Role::Admin).await;
    let admin_api = app.api(&admin_tok);
    let eng = ok(
        admin_api
            .post("/api/v1/departments", &json!({"name": "Eng"}))
            .await,
        "dept",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let platform = ok(
        admin_api
            .post(
                "/api/v1/departments",
                &json!({"name": "Platform", "parent_id": eng}),
            )
            .await,
        "dept",
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let admin = person_for(
        app,
        &admin_api,
        admin_tok.clone(),
        "hradmin",
        "HR Admin",
        eng,
        None,
    )
    .await;
    let boss = someone(app, &admin_api, "boss", "Boss Li", Role::Manager, eng, None).await;
    let dm = someone(
        app,
        &admin_api,
        "deptmgr",
        "Dept Manager",
        Role::Manager,
        eng,
        None,
    )
    .await;
    let rev = someone(
        app,
        &admin_api,
        "rev",
        "Reviewee Wang",
        Role::Member,
        platform,
        Some(boss.person_id),
    )
    .await;
    let few = someone(
        app,
        &admin_api,
        "few",
        "Few Zhao",
        Role::Member,
        eng,
        Some(boss.person_id),
    )
    .await;
    let report = someone(
        app,
        &admin_api,
        "zqreport",
        "Zqreport Sun",
        Role::Member,
        platform,
        Some(rev.person_id),
    )
    .await;
    let mut peers = Vec::new();
    for i in 1..=6 {
        peers.push(
            someone(
                app,
                &admin_api,
                &format!("zqpeer{i}"),
                &format!("Zqpeer{i} Chen"),
                Role::Member,
                eng,
                None,
            )
            .await,
        );
    }
    Org {
        admin,
        eng,
        boss,
        dm,
        rev,
        few,
        report,
        peers,
    }
}

pub(crate) fn template() -> Value {
    let anchors = json!(["poor", "fair", "good", "great", "superb"]);
    let mut qs = Vec::new();
    for d in ["self", "manager", "peer", "upward"] {
        qs.push(
            json!({"direction": d, "section": "Overall", "kind": "rating",
                       "prompt": format!("{d} overall"), "anchors": anchors}),
        );
        qs.push(json!({"direction": d, "kind": "competency", "competency": "Collaboration",
                       "prompt": format!("{d} collaboration"), "anchors": anchors, "required": false}));
        qs.push(
            json!({"direction": d, "kind": "text", "prompt": format!("{d} comments"),
                       "required": false}),
        );
    }
    Value::Array(qs)
}

pub(crate) fn cycle_body(people: &[i64]) -> Value {
    json!({"name": "2026 H1 review", "period_start": "2026-01-01", "period_end": "2026-06-30",
           "phases": {"self_due": "2026-06-05", "nomination_due": "2026-06-10",
                      "feedback_due": "2026-06-20", "calibration_due": "2026-06-25",
                      "signoff_due": "2026-06-28", "shared_on": "2026-06-30"},
           "participants": {"person_ids": people}, "questions": template()})
}

/// The question ids of one direction, in template order: (overall, collaboration, comments).
pub(crate) fn qids(cycle: &Value, direction: &str) -> (i64, i64, i64) {
    let ids: Vec<i64> = cycle["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["direction"] == direction)
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    (ids[0], ids[1], ids[2])
}

/// HR moves the cycle on, overriding the peer minimum where a test's reviewees have few peers
/// (the refusal itself is tested with `patch_cycle`).
pub(crate) async fn set_phase(admin: &Api, cycle: i64, phase: &str) -> Value {
    let r = admin.get(&format!("/api/v1/review-cycles/{cycle}")).await;
    let e = etag(&r);
    ok(
        admin
            .patch(
                &format!("/api/v1/review-cycles/{cycle}"),
                &json!({"phase": phase, "override_peers_min": true}),
                Some(&e),
            )
            .await,
        "phase",
    )
    .await
}

/// PATCHes the cycle with `body` at its current version.
pub(crate) async fn patch_cycle(admin: &Api, cycle: i64, body: &Value) -> reqwest::Response {
    let r = admin.get(&format!("/api/v1/review-cycles/{cycle}")).await;
    let e = etag(&r);
    admin
        .patch(&format!("/api/v1/review-cycles/{cycle}"), body, Some(&e))
        .await
}

/// The review of `person` in the cycle.
pub async fn review_of(api: &Api, cycle: i64, person: i64) -> i64 {
    let l = ok(
        api.get(&format!("/api/v1/review-cycles/{cycle}/reviews"))
            .await,
        "reviews",
    )
    .await;
    l["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person_id"] == person)
        .unwrap_or_else(|| panic!("a review of {person}: {l}"))["id"]
        .as_i64()
        .unwrap()
}

/// The caller's request for `reviewee` in `direction`.
pub(crate) async fn request_for(api: &Api, cycle: i64, reviewee: i64, direction: &str) -> i64 {
    let l = ok(api.get("/api/v1/review-requests").await, "requests").await;
    l["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["cycle_id"] == cycle && r["reviewee_id"] == reviewee && r["direction"] == direction
        })
        .unwrap_or_else(|| panic!("a {direction} request for {reviewee}: {l}"))["id"]
        .as_i64()
        .unwrap()
}

pub(crate) async fn submit(api: &Api, id: i64, answers: Value) -> reqwest::Response {
    let r = api.get(&format!("/api/v1/review-requests/{id}")).await;
    assert_eq!(r.status(), 200);
    let e = etag(&r);
    api.req(
        Method::POST,
        &format!("/api/v1/review-requests/{id}/submit"),
    )
    .header("If-Match", e)
    .json(&json!({ "answers": answers }))
    .send()
    .await
    .unwrap()
}

pub(crate) async fn sign_in(app: &App, username: &str, lang: &str) -> reqwest::Client {
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
    let i = page.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    let token = page[i..].split('"').next().unwrap().to_string();
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

pub(crate) async fn page(c: &reqwest::Client, app: &App, path: &str) -> (u16, String) {
    let r = c.get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// What the whole story leaves behind for the anonymity checks.
struct Story {
    org: Org,
    cycle: i64,
    rev_review: i64,
    few_review: i64,
    /// Instants at which anonymous answers were submitted or declined.
    anonymous_instants: Vec<i64>,
}

/// Runs a cycle to "shared": rev gets 5 peer answers (a sixth peer declines) and 1 upward
/// answer; few gets 2 peer answers. Asserts the workflow along the way.
async fn story(app: &App) -> Story {
    let o = org(app).await;
    let hr = app.api(&o.admin.token);
    let boss = app.api(&o.boss.token);
    let rev = app.api(&o.rev.token);
    let few = app.api(&o.few.token);
    let mut clock = NOW;

    // Only admins start cycles; the template is validated on save.
    let r = boss
        .post("/api/v1/review-cycles", &cycle_body(&[o.rev.person_id]))
        .await;
    assert_eq!(r.status(), 403);
    let mut bad = cycle_body(&[o.rev.person_id]);
    bad["questions"][0]["anchors"] = json!(["only", "three", "labels"]);
    let p = problem(hr.post("/api/v1/review-cycles", &bad).await, 422).await;
    assert!(names_field(&p, "questions[0].anchors"), "{p}");
    let send = || {
        hr.req(Method::POST, "/api/v1/review-cycles")
            .header("Idempotency-Key", "cycle-1")
            .json(&cycle_body(&[o.rev.person_id, o.few.person_id]))
            .send()
    };
    let r1 = send().await.unwrap();
    assert_eq!(r1.status(), 201);
    let cycle = r1.json::<Value>().await.unwrap();
    let again = send().await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(cycle["id"], again["id"], "Idempotency-Key replays");
    let cid = cycle["id"].as_i64().unwrap();
    assert_eq!(cycle["phase"], "self");
    assert_eq!(cycle["min_responses"], 3, "k defaults to 3");

    // Participants by department include sub-departments (rev sits in Platform under Eng).
    let mut by_dept = cycle_body(&[]);
    by_dept["participants"] = json!({"department_id": o.eng, "hired_before": "2025-01-01"});
    by_dept["name"] = json!("by department");
    let c2 = ok(hr.post("/api/v1/review-cycles", &by_dept).await, "by dept").await;
    let l = ok(
        hr.get(&format!("/api/v1/review-cycles/{}/reviews", c2["id"]))
            .await,
        "reviews",
    )
    .await;
    let names: Vec<&str> = l["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Reviewee Wang") && names.contains(&"Boss Li"),
        "{names:?}"
    );
    assert!(
        !names.iter().any(|n| n.starts_with("Zq")),
        "hired before: {names:?}"
    );

    let reviews = ok(
        hr.get(&format!("/api/v1/review-cycles/{cid}/reviews"))
            .await,
        "reviews",
    )
    .await;
    let review_of = |p: i64| {
        reviews["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person_id"] == p)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (rev_review, few_review) = (review_of(o.rev.person_id), review_of(o.few.person_id));
    // A member sees only their own review in the cycle.
    let mine = ok(
        rev.get(&format!("/api/v1/review-cycles/{cid}/reviews"))
            .await,
        "mine",
    )
    .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        few.get(&format!("/api/v1/reviews/{rev_review}"))
            .await
            .status(),
        404
    );

    // Self review: a draft, then a submit from the draft.
    let (so, sc, st) = qids(&cycle, "self");
    let self_req = request_for(&rev, cid, o.rev.person_id, "self").await;
    let r = rev
        .get(&format!("/api/v1/review-requests/{self_req}"))
        .await;
    let form: Value = {
        let e = etag(&r);
        let f = r.json::<Value>().await.unwrap();
        let d = rev
            .req(Method::PUT, &format!("/api/v1/review-requests/{self_req}"))
            .header("If-Match", e)
            .json(&json!({"answers": [{"question_id": so, "rating": 4}, {"question_id": st, "text": "I shipped"}]}))
            .send()
            .await
            .unwrap();
        let status = d.status();
        assert_eq!(status, 200, "{}", d.text().await.unwrap());
        f
    };
    assert_eq!(form["questions"].as_array().unwrap().len(), 3);
    assert!(form["evidence"]["goals"].is_array());
    let r = submit(&rev, self_req, json!([])).await;
    assert_eq!(r.status(), 200, "submit from the draft");
    // A required question unanswered is named.
    let few_self = request_for(&few, cid, o.few.person_id, "self").await;
    let p = problem(
        submit(&few, few_self, json!([{"question_id": sc, "rating": 3}])).await,
        422,
    )
    .await;
    assert!(names_field(&p, &format!("question_{so}")), "{p}");
    assert_eq!(
        submit(&few, few_self, json!([{"question_id": so, "rating": 3}]))
            .await
            .status(),
        200
    );

    // Nomination: the reviewee nominates, the manager approves; the reviewee cannot approve.
    set_phase(&hr, cid, "nomination").await;
    let ids: Vec<i64> = o.peers.iter().map(|p| p.person_id).collect();
    let d = ok(
        rev.post(
            &format!("/api/v1/reviews/{rev_review}/peers"),
            &json!({"person_ids": ids}),
        )
        .await,
        "nominate",
    )
    .await;
    assert_eq!(d["nominations"].as_array().unwrap().len(), 6);
    let d = ok(
        few.post(
            &format!("/api/v1/reviews/{few_review}/peers"),
            &json!({"person_ids": [ids[0], ids[1]]}),
        )
        .await,
        "nominate",
    )
    .await;
    let first = d["nominations"][0]["request_id"].as_i64().unwrap();
    let r = few
        .post(
            &format!("/api/v1/review-requests/{first}/decision"),
            &json!({"approve": true}),
        )
        .await;
    assert_eq!(
        r.status(),
        403,
        "the reviewee does not approve their own peers"
    );
    for review in [rev_review, few_review] {
        let d = ok(
            boss.get(&format!("/api/v1/reviews/{review}")).await,
            "review",
        )
        .await;
        for n in d["nominations"].as_array().unwrap() {
            let r = boss
                .post(
                    &format!("/api/v1/review-requests/{}/decision", n["request_id"]),
                    &json!({"approve": true}),
                )
                .await;
            assert_eq!(r.status(), 200);
        }
    }
    let r = boss
        .post(
            &format!("/api/v1/review-requests/{first}/decision"),
            &json!({"approve": false}),
        )
        .await;
    assert_eq!(r.status(), 409, "decided once");
    // The reviewee sees "approved", never whether a peer wrote or declined.
    let d = ok(
        rev.get(&format!("/api/v1/reviews/{rev_review}")).await,
        "review",
    )
    .await;
    assert!(
        d["nominations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "approved")
    );

    // Feedback: few has 2 approved peers (below the minimum of 3), so HR must override.
    let p = problem(
        patch_cycle(&hr, cid, &json!({"phase": "feedback"})).await,
        422,
    )
    .await;
    assert!(names_field(&p, "phase"), "{p}");
    ok(
        patch_cycle(
            &hr,
            cid,
            &json!({"phase": "feedback", "override_peers_min": true}),
        )
        .await,
        "feedback with override",
    )
    .await;
    clock += 86_400_000;
    app.advance_clock(86_400_000).await;
    let (po, pc, pt) = qids(&cycle, "peer");
    let mut anonymous_instants = Vec::new();
    let ratings = [5, 4, 4, 3, 5];
    for (i, p) in o.peers.iter().enumerate() {
        let api = app.api(&p.token);
        // Each anonymous action at its own odd instant, so any trace of it can be found.
        let step = 7 * 60_000 + 13_000 + i as i64 * 1_001;
        app.advance_clock(step).await;
        clock += step;
        anonymous_instants.push(clock);
        let req = request_for(&api, cid, o.rev.person_id, "peer").await;
        if i == 5 {
            let r = api.get(&format!("/api/v1/review-requests/{req}")).await;
            let e = etag(&r);
            let r = api
                .req(
                    Method::POST,
                    &format!("/api/v1/review-requests/{req}/decline"),
                )
                .header("If-Match", e)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "a peer may decline");
            continue;
        }
        let r = submit(
            &api,
            req,
            json!([{"question_id": po, "rating": ratings[i]}, {"question_id": pc, "rating": 3},
                   {"question_id": pt, "text": format!("rev-peer-text-{i}")}]),
        )
        .await;
        assert_eq!(r.status(), 200);
        // Final: a second submit conflicts.
        let again = submit(&api, req, json!([{"question_id": po, "rating": 1}])).await;
        assert_eq!(again.status(), 409);
        if i < 2 {
            app.advance_clock(61_000).await;
            clock += 61_000;
            anonymous_instants.push(clock);
            let req = request_for(&api, cid, o.few.person_id, "peer").await;
            let r = submit(
                &api,
                req,
                json!([{"question_id": po, "rating": 2}, {"question_id": pt, "text": format!("few-secret-text-{i}")}]),
            )
            .await;
            assert_eq!(r.status(), 200);
        }
    }
    // One upward answer for rev (below k).
    let (uo, _, ut) = qids(&cycle, "upward");
    app.advance_clock(59_000).await;
    clock += 59_000;
    anonymous_instants.push(clock);
    let up = app.api(&o.report.token);
    let req = request_for(&up, cid, o.rev.person_id, "upward").await;
    let r = submit(
        &up,
        req,
        json!([{"question_id": uo, "rating": 2}, {"question_id": ut, "text": "upward-secret-text"}]),
    )
    .await;
    assert_eq!(r.status(), 200);
    app.advance_clock(3_600_000).await;

    // The manager's review; during feedback nothing anonymous is visible yet.
    let (mo, _, _) = qids(&cycle, "manager");
    for reviewee in [o.rev.person_id, o.few.person_id] {
        let req = request_for(&boss, cid, reviewee, "manager").await;
        assert_eq!(
            submit(&boss, req, json!([{"question_id": mo, "rating": 4}]))
                .await
                .status(),
            200
        );
    }
    let d = ok(
        boss.get(&format!("/api/v1/reviews/{rev_review}")).await,
        "review",
    )
    .await;
    assert!(d["peer"].is_null(), "no aggregates while feedback runs");
    // Progress: managers see who has not submitted; peers' lines carry no reviewee.
    let pr = ok(
        boss.get(&format!("/api/v1/review-cycles/{cid}/progress"))
            .await,
        "progress",
    )
    .await;
    assert!(pr["departments"].is_array());
    assert_eq!(
        rev.get(&format!("/api/v1/review-cycles/{cid}/progress"))
            .await
            .status(),
        403
    );

    // Calibration: aggregates for managers, at or above k only.
    set_phase(&hr, cid, "calibration").await;
    let d = ok(
        boss.get(&format!("/api/v1/reviews/{rev_review}")).await,
        "review",
    )
    .await;
    assert_eq!(d["peer"]["responses"], 5);
    assert_eq!(d["peer"]["too_few"], false);
    let overall = &d["peer"]["questions"][0];
    assert_eq!(overall["mean"], 4.2);
    assert_eq!(overall["distribution"], json!([0, 0, 1, 2, 2]));
    assert_eq!(
        d["peer"]["questions"][2]["texts"].as_array().unwrap().len(),
        5
    );
    assert_eq!(d["upward"]["responses"], 1);
    assert_eq!(d["upward"]["too_few"], true);
    assert_eq!(d["upward"]["questions"], json!([]));
    let d = ok(
        boss.get(&format!("/api/v1/reviews/{few_review}")).await,
        "review",
    )
    .await;
    assert_eq!(d["peer"]["responses"], 2);
    assert_eq!(d["peer"]["too_few"], true);
    assert_eq!(d["peer"]["questions"], json!([]));
    // Not yet for the reviewee, and not the manager's rating either.
    let e = etag(&boss.get(&format!("/api/v1/reviews/{rev_review}")).await);
    let rr = boss
        .patch(
            &format!("/api/v1/reviews/{rev_review}"),
            &json!({"manager_rating": 4, "proposed_rating": 5, "manager_comment": "strong half"}),
            Some(&e),
        )
        .await;
    let rr_status = rr.status();
    let rr_body = rr.text().await.unwrap();
    assert_eq!(rr_status, 200, "{rr_body}");
    let d = ok(
        rev.get(&format!("/api/v1/reviews/{rev_review}")).await,
        "review",
    )
    .await;
    assert!(d["peer"].is_null() && d["review"]["manager_rating"].is_null());
    assert!(d["manager_answers"].is_null());
    // A calibration adjustment and an outcome, so the collection below also reads a trail.
    let e = etag(&boss.get(&format!("/api/v1/reviews/{rev_review}")).await);
    let r = boss
        .req(
            Method::PATCH,
            &format!("/api/v1/reviews/{rev_review}/calibration"),
        )
        .header("If-Match", e)
        .json(&json!({"calibrated_rating": 4, "reason": "story calibration", "potential": 2}))
        .send()
        .await
        .unwrap();
    ok(r, "calibrate").await;

    // Shared: the reviewee sees the aggregates and the rating, then acknowledges.
    set_phase(&hr, cid, "signoff").await;
    let e = etag(&boss.get(&format!("/api/v1/reviews/{rev_review}")).await);
    let r = boss
        .req(
            Method::PUT,
            &format!("/api/v1/reviews/{rev_review}/outcome"),
        )
        .header("If-Match", e)
        .json(&json!({"recommendation": "reward",
                      "development_items": [{"text": "story development item"}]}))
        .send()
        .await
        .unwrap();
    ok(r, "outcome").await;
    set_phase(&hr, cid, "shared").await;
    let r = rev.get(&format!("/api/v1/reviews/{rev_review}")).await;
    let e = etag(&r);
    let d = r.json::<Value>().await.unwrap();
    assert_eq!(d["peer"]["responses"], 5);
    assert_eq!(d["review"]["manager_rating"], 4);
    assert_eq!(d["review"]["manager_comment"], "strong half");
    let a = ok(
        rev.patch(
            &format!("/api/v1/reviews/{rev_review}"),
            &json!({"acknowledged": true, "reviewee_comment": "thanks"}),
            Some(&e),
        )
        .await,
        "ack",
    )
    .await;
    assert_eq!(a["acknowledged"], true);
    let n = ok(rev.get("/api/v1/notifications").await, "notifications").await;
    assert!(n.to_string().contains("review results are shared"), "{n}");
    // Texts are shuffled on every read: their order is not the submission order every time.
    let mut orders = std::collections::HashSet::new();
    for _ in 0..12 {
        let d = ok(rev.get(&format!("/api/v1/reviews/{rev_review}")).await, "r").await;
        orders.insert(d["peer"]["questions"][2]["texts"].to_string());
    }
    assert!(orders.len() > 1, "peer comments come in random order");

    Story {
        org: o,
        cycle: cid,
        rev_review,
        few_review,
        anonymous_instants,
    }
}

/// A response as text: an XLSX download is read back (header and cells), anything else as UTF-8.
fn readable(bytes: Vec<u8>) -> String {
    if bytes.starts_with(b"PK") {
        let t = sheets::read(&bytes, &sheets::Limits::default()).expect("a readable XLSX");
        let mut out = t.header.join("\t");
        for r in t.rows {
            out.push('\n');
            out.push_str(&r.cells.join("\t"));
        }
        return out;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

const PEOPLE_KEYS: [&str; 12] = [
    "person_id",
    "reviewer_id",
    "user_id",
    "actor_user_id",
    "from_person_id",
    "to_person_id",
    "owner_id",
    "created_by",
    "updated_by",
    "manager_id",
    "author_id",
    "by",
];

/// Walks a JSON answer for keys naming people or accounts whose value is an anonymous reviewer.
fn people_refs(v: &Value, ids: &[i64], path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if PEOPLE_KEYS.contains(&k.as_str())
                    && let Some(n) = x.as_i64()
                    && ids.contains(&n)
                {
                    out.push(format!("{path}.{k} = {n}"));
                }
                people_refs(x, ids, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                people_refs(x, ids, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_end_to_end_and_anonymity_holds_for_everyone_who_can_look() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let s = story(&app).await;
        let o = &s.org;
        let (cid, rv, fv) = (s.cycle, s.rev_review, s.few_review);

        // Identity of every anonymous reviewer (peers, and the upward reviewer).
        let anon: Vec<&Who> = o.peers.iter().chain([&o.report]).collect();
        let mut ids: Vec<i64> = anon.iter().map(|w| w.person_id).collect();
        ids.extend(anon.iter().map(|w| w.user_id));
        // Submission times in every form a page or API could print them.
        let mut times = Vec::new();
        for t in &s.anonymous_instants {
            times.push(t.to_string());
            times.push((t / 1000).to_string());
            times.push(kernel::dates::rfc3339(*t));
            times.push(kernel::dates::format_instant(*t, 8));
            times.push(kernel::dates::format_instant(*t, 0));
        }
        // Text that exists only below the threshold (few's peers, rev's single upward answer).
        let below = ["few-secret-text", "upward-secret-text"];

        let check = |who: &str, what: &str, body: &str| {
            let low = body.to_lowercase();
            for w in &anon {
                assert!(
                    !low.contains(&w.username) && !low.contains(&format!("{}@", w.username)),
                    "{b:?} {who} {what}: names anonymous reviewer {}",
                    w.username
                );
            }
            assert!(
                !low.contains("zqpeer") && !low.contains("zqreport"),
                "{b:?} {who} {what}: reviewer name"
            );
            for t in &times {
                assert!(
                    !body.contains(t.as_str()),
                    "{b:?} {who} {what}: submission time {t}"
                );
            }
            for x in below {
                assert!(
                    !body.contains(x),
                    "{b:?} {who} {what}: below-threshold text {x}"
                );
            }
            if let Ok(v) = serde_json::from_str::<Value>(body) {
                let mut refs = Vec::new();
                people_refs(&v, &ids, "", &mut refs);
                assert!(refs.is_empty(), "{b:?} {who} {what}: reviewer ids {refs:?}");
            }
        };

        let viewers: [(&str, &Who); 5] = [
            ("reviewee", &o.rev),
            ("reviewee below k", &o.few),
            ("manager", &o.boss),
            ("department manager", &o.dm),
            ("global admin", &o.admin),
        ];
        let mut saw_rev_texts = 0;
        for (who, w) in viewers {
            let api = app.api(&w.token);
            // Every API answer about the cycle, the reviews, requests, notifications and the
            // reviewees' histories that this caller can reach.
            let mut paths = vec![
                "/api/v1/review-cycles".to_string(),
                format!("/api/v1/review-cycles/{cid}"),
                format!("/api/v1/review-cycles/{cid}/reviews"),
                format!("/api/v1/review-cycles/{cid}/progress"),
                "/api/v1/reviews".to_string(),
                format!("/api/v1/reviews/{rv}"),
                format!("/api/v1/reviews/{fv}"),
                "/api/v1/review-requests".to_string(),
                "/api/v1/notifications".to_string(),
                format!("/api/v1/people/{}/history", o.rev.person_id),
                format!("/api/v1/people/{}/history", o.few.person_id),
                // Scoring, calibration and outcomes (reviews_calibration.rs).
                format!("/api/v1/review-cycles/{cid}/calibration"),
                format!("/api/v1/reviews/{rv}/score"),
                format!("/api/v1/reviews/{fv}/score"),
                format!("/api/v1/reviews/{rv}/outcome"),
                format!("/api/v1/reviews/{fv}/outcome"),
                // Continuous feedback, reports, histories and every export (reviews_more.rs).
                format!("/api/v1/review-cycles/{cid}/progress?format=csv"),
                format!("/api/v1/review-cycles/{cid}/progress?format=xlsx"),
                format!("/api/v1/review-cycles/{cid}/report"),
                format!("/api/v1/review-cycles/{cid}/report?format=csv"),
                format!("/api/v1/review-cycles/{cid}/report?format=xlsx"),
                format!("/api/v1/review-history/{}", o.rev.person_id),
                format!("/api/v1/review-history/{}", o.few.person_id),
                "/api/v1/feedback".to_string(),
                format!("/api/v1/feedback?subject_id={}", o.rev.person_id),
                format!("/api/v1/feedback?subject_id={}", o.few.person_id),
                "/api/v1/feedback-requests".to_string(),
            ];
            let reqs = ok(api.get("/api/v1/review-requests").await, "requests").await;
            for r in reqs["items"].as_array().unwrap() {
                paths.push(format!("/api/v1/review-requests/{}", r["id"]));
            }
            for p in &paths {
                let r = api.get(p).await;
                let status = r.status().as_u16();
                let body = readable(r.bytes().await.unwrap().to_vec());
                assert!(
                    matches!(status, 200 | 403 | 404),
                    "{b:?} {who} {p}: {status} {body}"
                );
                check(who, p, &body);
                if body.contains("rev-peer-text-") {
                    saw_rev_texts += 1;
                }
            }
            // Every page of the module, in both languages.
            for lang in ["en", "zh-CN"] {
                let c = sign_in(&app, &w.username, lang).await;
                for p in [
                    "/reviews".to_string(),
                    format!("/reviews/cycles/{cid}"),
                    format!("/reviews/{rv}"),
                    format!("/reviews/{fv}"),
                    "/notifications".to_string(),
                    format!("/reviews/cycles/{cid}/calibration"),
                    "/reviews/feedback".to_string(),
                    format!("/reviews/cycles/{cid}/report"),
                    format!("/reviews/cycles/{cid}/report?format=csv"),
                    format!("/reviews/cycles/{cid}/report?format=xlsx"),
                    format!("/reviews/cycles/{cid}/progress?format=csv"),
                    format!("/reviews/cycles/{cid}/progress?format=xlsx"),
                    format!("/reviews/people/{}", o.rev.person_id),
                    format!("/reviews/people/{}", o.few.person_id),
                ] {
                    let r = c.get(app.url(&p)).send().await.unwrap();
                    let status = r.status().as_u16();
                    let html = readable(r.bytes().await.unwrap().to_vec());
                    assert!(
                        matches!(status, 200 | 403 | 404),
                        "{b:?} {who} {p}: {status}"
                    );
                    check(who, &p, &html);
                }
            }
        }
        assert!(
            saw_rev_texts >= 3,
            "above k the texts are shown (reviewee, managers, admin)"
        );

        // The pages say "too few responses" below k, in both languages.
        for (lang, word) in [("en", "Too few responses"), ("zh-CN", "回复太少")] {
            let c = sign_in(&app, "few", lang).await;
            let (status, html) = page(&c, &app, &format!("/reviews/{fv}")).await;
            assert_eq!(status, 200);
            assert!(html.contains(word), "{b:?} {lang}: {html}");
            assert!(html.contains("n = 2"), "{b:?} {lang}");
        }

        // The audit log itself (what an operator with the database sees): anonymous events
        // carry no actor, request id, address or content, and the cycle's first day as time.
        let mut tx = app.db().read().await.unwrap();
        let rows = tx
            .fetch_all(
                "SELECT actor_user_id, actor_name, action, request_id, source_ip, at, after_json \
                 FROM audit_events WHERE action IN ('review.submission','review.decline','review.draft')",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(
            rows.len(),
            5 + 1 + 2 + 1,
            "{b:?}: one event per anonymous action"
        );
        let start = 1_767_225_600_000i64; // 2026-01-01T00:00Z
        for r in &rows {
            assert_eq!(r.opt_i64("actor_user_id").unwrap(), None);
            assert_eq!(r.string("actor_name").unwrap(), "anonymous");
            assert_eq!(r.string("request_id").unwrap(), "");
            assert_eq!(r.opt_string("source_ip").unwrap(), None);
            assert_eq!(r.i64("at").unwrap(), start);
            let after = r.opt_string("after_json").unwrap().unwrap_or_default();
            check("audit", "after_json", &after);
            assert!(!after.contains("rev-peer-text"), "no content in the audit");
        }
        let all = tx
            .fetch_all(
                "SELECT at, actor_user_id, after_json, before_json FROM audit_events",
                &[],
            )
            .await
            .unwrap();
        for r in &all {
            let at = r.i64("at").unwrap();
            assert!(
                !s.anonymous_instants.contains(&at),
                "{b:?}: an audit event at a submission instant"
            );
        }
        drop(tx);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_pages_write_a_review_without_javascript() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let hr = app.api(&o.admin.token);
        let cycle = ok(
            hr.post("/api/v1/review-cycles", &cycle_body(&[o.rev.person_id]))
                .await,
            "cycle",
        )
        .await;
        let (so, _, st) = qids(&cycle, "self");
        let rev = app.api(&o.rev.token);
        let req = request_for(&rev, cycle["id"].as_i64().unwrap(), o.rev.person_id, "self").await;
        for (lang, word) in [("en", "Evidence"), ("zh-CN", "参考依据")] {
            let c = sign_in(&app, "rev", lang).await;
            let (s, html) = page(&c, &app, &format!("/reviews/requests/{req}")).await;
            assert_eq!(s, 200, "{b:?} {lang}");
            assert!(html.contains(word), "{b:?} {lang}");
            let (s, html) = page(&c, &app, "/reviews").await;
            assert_eq!(s, 200);
            assert!(html.contains("2026 H1 review"));
        }
        let c = sign_in(&app, "rev", "en").await;
        let (_, html) = page(&c, &app, &format!("/reviews/requests/{req}")).await;
        let i = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
        let csrf = html[i..].split('"').next().unwrap().to_string();
        let i = html.find("name=\"version\" value=\"").unwrap() + 22;
        let version = html[i..].split('"').next().unwrap().to_string();
        // Submitting without the required rating re-renders the form naming the problem.
        let r = c
            .post(app.url(&format!("/reviews/requests/{req}")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("version", version.as_str()),
                (&format!("text_{st}"), "done"),
                ("action", "submit"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("field-error"));
        let r = c
            .post(app.url(&format!("/reviews/requests/{req}")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("version", version.as_str()),
                (&format!("rating_{so}"), "4"),
                (&format!("text_{st}"), "done"),
                ("action", "submit"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let d = ok(rev.get("/api/v1/review-requests").await, "reqs").await;
        assert!(
            d["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == req && x["status"] == "submitted")
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_a_shared_cycle_with_and_without_enough_peers_and_a_running_one() {
    for b in BACKENDS {
        let app = spawn(b).await;
        work::demo::load_demo(app.db(), NOW, work::demo::DemoSize::Small)
            .await
            .unwrap();
        performance::kpi::demo::load_demo(app.db(), NOW)
            .await
            .unwrap();
        performance::goals::demo::load_demo(app.db(), NOW)
            .await
            .unwrap();
        let n = performance::reviews::demo::load_demo(app.db(), NOW)
            .await
            .unwrap();
        assert_eq!(n, 2, "{b:?}");
        assert_eq!(
            performance::reviews::demo::load_demo(app.db(), NOW)
                .await
                .unwrap(),
            0,
            "loaded once"
        );
        let admin = app.api(&app.user_with_token("hradmin", Role::Admin).await);
        let cycles = ok(admin.get("/api/v1/review-cycles").await, "cycles").await;
        let phases: Vec<&str> = cycles["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["phase"].as_str().unwrap())
            .collect();
        assert_eq!(phases, ["feedback", "shared"], "{b:?}");
        let shared = cycles["items"][1]["id"].as_i64().unwrap();
        let list = ok(
            admin
                .get(&format!("/api/v1/review-cycles/{shared}/reviews"))
                .await,
            "reviews",
        )
        .await;
        let (mut enough, mut too_few) = (0, 0);
        for r in list["items"].as_array().unwrap() {
            let d = ok(
                admin.get(&format!("/api/v1/reviews/{}", r["id"])).await,
                "r",
            )
            .await;
            if d["peer"]["too_few"] == true {
                too_few += 1;
            } else {
                assert!(d["peer"]["responses"].as_i64().unwrap() >= 3);
                enough += 1;
            }
        }
        assert!(enough >= 1 && too_few >= 1, "{b:?}: {enough} {too_few}");
        // Scoring, calibration and outcomes of the shared cycle.
        assert_eq!(cycles["items"][1]["weights"]["manager"], 35, "{b:?}");
        let v = ok(
            admin
                .get(&format!("/api/v1/review-cycles/{shared}/calibration"))
                .await,
            "calibration",
        )
        .await;
        let trail = v["trail"].as_array().unwrap();
        assert_eq!(trail.len(), 2, "{b:?}: two calibrated ratings");
        assert!(
            trail
                .iter()
                .all(|t| !t["reason"].as_str().unwrap().is_empty())
        );
        let rows = v["rows"].as_array().unwrap();
        assert!(rows.iter().all(|r| r["potential"].is_i64()), "{b:?}");
        assert!(rows.iter().any(|r| r["score"].is_f64()), "{b:?}");
        assert_eq!(
            rows.iter()
                .filter(|r| r["calibrated_rating"].is_i64())
                .count(),
            2,
            "{b:?}"
        );
        let mut with_skill = 0;
        for r in rows {
            let o = ok(
                admin
                    .get(&format!("/api/v1/reviews/{}/outcome", r["review_id"]))
                    .await,
                "outcome",
            )
            .await;
            assert!(!o["development_items"].as_array().unwrap().is_empty());
            with_skill += o["development_items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["skill_id"].is_i64())
                .count();
        }
        assert_eq!(with_skill, 1, "{b:?}: one development item with a skill");
        app.stop().await;
    }
}

/// The new-cycle page edits the question template without JavaScript: rows changed, added and
/// cleared reach the cycle; a competency question without its competency is refused naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_new_cycle_page_sets_a_custom_question_template() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let c = sign_in(&app, "hradmin", "zh-CN").await;
        let (s, html) = page(&c, &app, "/reviews/cycles/new").await;
        assert_eq!(s, 200, "{b:?}");
        assert!(
            html.contains("总体表现 Overall performance") && html.contains("能力评分"),
            "{b:?}: the standard template is the starting point, labelled in Chinese"
        );
        let i = html.find("name=\"_csrf\" value=\"").unwrap() + 20;
        let csrf = html[i..].split('"').next().unwrap().to_string();
        let post = async |rows: &[(&str, &str, &str, &str)]| {
            let mut form: Vec<(String, String)> = vec![
                ("_csrf".into(), csrf.clone()),
                ("name".into(), "2027 Q1 custom".into()),
                ("period_start".into(), "2027-01-01".into()),
                ("period_end".into(), "2027-03-31".into()),
                ("self_due".into(), "2027-03-05".into()),
                ("nomination_due".into(), "2027-03-10".into()),
                ("feedback_due".into(), "2027-03-20".into()),
                ("calibration_due".into(), "2027-03-25".into()),
                ("signoff_due".into(), "2027-03-28".into()),
                ("shared_on".into(), "2027-03-31".into()),
                ("department_id".into(), o.eng.to_string()),
            ];
            for i in 1..=5 {
                form.push((format!("anchor_{i}"), format!("{i} 级 level {i}")));
            }
            for (i, (direction, kind, prompt, competency)) in rows.iter().enumerate() {
                form.push((format!("q{i}_direction"), direction.to_string()));
                form.push((format!("q{i}_kind"), kind.to_string()));
                form.push((format!("q{i}_section"), "主体 Main".into()));
                form.push((format!("q{i}_prompt"), prompt.to_string()));
                form.push((format!("q{i}_competency"), competency.to_string()));
                form.push((format!("q{i}_required"), "1".into()));
            }
            c.post(app.url("/reviews/cycles"))
                .form(&form)
                .send()
                .await
                .unwrap()
        };
        let rows = [
            ("self", "rating", "我的贡献 My contribution", ""),
            (
                "manager",
                "competency",
                "客户导向 Customer focus",
                "客户导向",
            ),
            ("peer", "text", "", ""), // cleared: left out
            ("peer", "text", "一条建议 One suggestion", ""),
            ("upward", "rating", "支持团队 Supports the team", ""),
        ];
        let mut bad = rows;
        bad[1].3 = "";
        let r = post(&bad).await;
        assert_eq!(r.status(), 422, "{b:?}");
        assert!(
            r.text().await.unwrap().contains("questions[1].competency"),
            "{b:?}: the refusal names the question"
        );
        let r = post(&rows).await;
        assert_eq!(r.status(), 303, "{b:?}");
        let id: i64 = r.headers()["location"]
            .to_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let cycle = ok(
            app.api(&o.admin.token)
                .get(&format!("/api/v1/review-cycles/{id}"))
                .await,
            "cycle",
        )
        .await;
        let got: Vec<(String, String, String)> = cycle["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                (
                    q["direction"].as_str().unwrap().to_string(),
                    q["kind"].as_str().unwrap().to_string(),
                    q["prompt"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String, String)> = rows
            .iter()
            .filter(|r| !r.2.is_empty())
            .map(|r| (r.0.to_string(), r.1.to_string(), r.2.to_string()))
            .collect();
        assert_eq!(got, want, "{b:?}: {cycle}");
        assert_eq!(cycle["questions"][1]["competency"], "客户导向", "{b:?}");
        assert_eq!(cycle["questions"][0]["anchors"][4], "5 级 level 5", "{b:?}");
        assert_eq!(
            cycle["questions"][2]["anchors"].as_array().map(Vec::len),
            Some(0),
            "{b:?}: text questions have no anchors"
        );
        app.stop().await;
    }
}

/// A refused phase move or rating is said next to its form, on the page drawn again with the
/// refusal's status (not on an error page that loses the form).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_forms_say_what_was_refused_next_to_the_form() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let hr = app.api(&o.admin.token);
        let cycle = ok(
            hr.post("/api/v1/review-cycles", &cycle_body(&[o.rev.person_id]))
                .await,
            "cycle",
        )
        .await;
        let cid = cycle["id"].as_i64().unwrap();
        let hidden = |html: &str, name: &str| {
            let k = format!("name=\"{name}\" value=\"");
            let i = html.find(&k).unwrap_or_else(|| panic!("{name}")) + k.len();
            html[i..].split('"').next().unwrap().to_string()
        };

        // Feedback cannot start while rev has no approved peer (minimum 3) and no override.
        let c = sign_in(&app, "hradmin", "en").await;
        let (_, html) = page(&c, &app, &format!("/reviews/cycles/{cid}")).await;
        let r = c
            .post(app.url(&format!("/reviews/cycles/{cid}/phase")))
            .form(&[
                ("_csrf", hidden(&html, "_csrf").as_str()),
                ("version", hidden(&html, "version").as_str()),
                ("phase", "feedback"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("id=\"err-phase\"")
                && html.contains(&format!("action=\"/reviews/cycles/{cid}/phase\"")),
            "{b:?}: the reason stands beside the phase form: {html}"
        );

        // The manager's rating: a stale form (412) and a rating off the scale (422).
        let review = review_of(&hr, cid, o.rev.person_id).await;
        let c = sign_in(&app, "boss", "zh-CN").await;
        let (_, html) = page(&c, &app, &format!("/reviews/{review}")).await;
        let csrf = hidden(&html, "_csrf");
        let version = hidden(&html, "version");
        for (v, rating, status) in [("0", "3", 412), (version.as_str(), "9", 422)] {
            let r = c
                .post(app.url(&format!("/reviews/{review}/rate")))
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("version", v),
                    ("manager_rating", rating),
                    ("manager_comment", "kept"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), status, "{b:?}");
            let html = r.text().await.unwrap();
            assert!(
                html.contains("id=\"err-rate\"")
                    && html.contains(&format!("action=\"/reviews/{review}/rate\"")),
                "{b:?} {status}: {html}"
            );
            if status == 422 {
                assert!(html.contains("manager_rating"), "{b:?}: names the field");
            }
        }
        app.stop().await;
    }
}
