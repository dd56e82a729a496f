//! Performance reviews, part two, over HTTP on both backends: continuous feedback between
//! cycles (visibility for author, subject, manager chain, a department manager outside the
//! chain and admins; requests, answers and declines; the evidence panel; the pages with their
//! field errors), deadline reminders (exactly once per request, phase and offset), reports and
//! their exports, and the peer limits.
use crate::common::*;
use crate::reviews::{
    cycle_body, etag, ok, org, page, patch_cycle, qids, request_for, review_of, set_phase, sign_in,
    submit,
};
use serde_json::{Value, json};

fn items(v: &Value) -> Vec<Value> {
    v["items"].as_array().cloned().unwrap_or_default()
}

fn bodies(v: &Value) -> Vec<String> {
    items(v)
        .iter()
        .map(|f| f["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn about(api: &Api, person: i64) -> Value {
    ok(
        api.get(&format!("/api/v1/feedback?subject_id={person}"))
            .await,
        "list",
    )
    .await
}

fn csrf_of(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[i..].split('"').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn continuous_feedback_reaches_exactly_who_the_visibility_allows() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let (hr, boss, dm, rev) = (
            app.api(&o.admin.token),
            app.api(&o.boss.token),
            app.api(&o.dm.token),
            app.api(&o.rev.token),
        );
        let (p0, p1, p2) = (
            app.api(&o.peers[0].token),
            app.api(&o.peers[1].token),
            app.api(&o.peers[2].token),
        );
        let rid = o.rev.person_id;

        // A colleague gives private and shared feedback on rev.
        let private = ok(
            p0.post(
                "/api/v1/feedback",
                &json!({"subject_id": rid, "visibility": "private", "body": "fb-private-1"}),
            )
            .await,
            "private",
        )
        .await;
        assert_eq!(private["author_id"], o.peers[0].person_id);
        // Private feedback is for the manager: boss is told, rev is not.
        let told = notices_of(&app, o.boss.user_id, "review.feedback_private").await;
        assert_eq!(told.len(), 1, "{b:?}: {told:?}");
        assert!(
            told[0].0.contains("Reviewee Wang") && told[0].1.contains("Zqpeer1 Chen"),
            "{b:?}: {told:?}"
        );
        assert!(
            notices_of(&app, o.rev.user_id, "review.feedback_private")
                .await
                .is_empty(),
            "{b:?}"
        );
        let shared = ok(
            p0.post(
                "/api/v1/feedback",
                &json!({"subject_id": rid, "visibility": "shared", "body": "fb-shared-1"}),
            )
            .await,
            "shared",
        )
        .await;
        // Field problems are named; feedback on oneself is refused.
        let p = problem(
            p0.post(
                "/api/v1/feedback",
                &json!({"subject_id": o.peers[0].person_id, "visibility": "secret", "body": ""}),
            )
            .await,
            422,
        )
        .await;
        for f in ["subject_id", "visibility", "body"] {
            assert!(names_field(&p, f), "{b:?} {f}: {p}");
        }

        // The subject sees only the shared one; the manager chain and admins both; a
        // department manager outside the chain and another colleague nothing.
        assert_eq!(
            bodies(&about(&rev, rid).await),
            ["fb-shared-1"],
            "{b:?} subject"
        );
        for (who, api) in [("boss", &boss), ("admin", &hr)] {
            let mut got = bodies(&about(api, rid).await);
            got.sort();
            assert_eq!(got, ["fb-private-1", "fb-shared-1"], "{b:?} {who}");
        }
        assert!(
            bodies(&about(&dm, rid).await).is_empty(),
            "{b:?} dept manager"
        );
        assert!(bodies(&about(&p1, rid).await).is_empty(), "{b:?} colleague");
        // rev manages zqreport: rev is in the chain for feedback about their report.
        ok(
            p1.post("/api/v1/feedback", &json!({"subject_id": o.report.person_id, "visibility": "private", "body": "fb-on-report"}))
                .await,
            "on report",
        )
        .await;
        assert_eq!(
            bodies(
                &ok(
                    rev.get(&format!(
                        "/api/v1/feedback?subject_id={}",
                        o.report.person_id
                    ))
                    .await,
                    "r"
                )
                .await
            ),
            ["fb-on-report"]
        );
        // Direct reads answer like the list: 404 for whom it is hidden.
        let pid = private["id"].as_i64().unwrap();
        assert_eq!(
            rev.get(&format!("/api/v1/feedback/{pid}")).await.status(),
            404
        );
        assert_eq!(
            dm.get(&format!("/api/v1/feedback/{pid}")).await.status(),
            404
        );
        assert_eq!(
            boss.get(&format!("/api/v1/feedback/{pid}")).await.status(),
            200
        );
        assert_eq!(
            p0.get(&format!("/api/v1/feedback/{pid}")).await.status(),
            200
        );
        // "My feedback": given by me or visible to me about me.
        let mine = ok(rev.get("/api/v1/feedback").await, "mine").await;
        assert_eq!(bodies(&mine), ["fb-shared-1"], "{b:?}");
        let n = ok(rev.get("/api/v1/notifications").await, "n").await;
        assert!(
            n.to_string().contains("shared feedback with you"),
            "{b:?} {n}"
        );
        assert!(!n.to_string().contains("fb-private-1"));
        let _ = shared;

        // Requests: about oneself, or about a report; the requestee is notified and answers.
        let r1 = ok(
            rev.post("/api/v1/feedback-requests", &json!({"subject_id": rid, "requestee_id": o.peers[1].person_id, "message": "how did the launch go?"}))
                .await,
            "request",
        )
        .await;
        let r2 = ok(
            boss.post(
                "/api/v1/feedback-requests",
                &json!({"subject_id": rid, "requestee_id": o.peers[2].person_id}),
            )
            .await,
            "request by manager",
        )
        .await;
        assert_eq!(
            p0.post(
                "/api/v1/feedback-requests",
                &json!({"subject_id": rid, "requestee_id": o.peers[1].person_id})
            )
            .await
            .status(),
            403,
            "{b:?}: a colleague does not solicit feedback about someone else"
        );
        let p = problem(
            rev.post(
                "/api/v1/feedback-requests",
                &json!({"subject_id": rid, "requestee_id": rid}),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "requestee_id"), "{p}");
        let n = ok(p1.get("/api/v1/notifications").await, "n").await;
        assert!(
            n.to_string()
                .contains("asks for your feedback about Reviewee Wang"),
            "{b:?} {n}"
        );
        let lists = ok(p1.get("/api/v1/feedback-requests").await, "lists").await;
        assert_eq!(lists["to_me"][0]["id"], r1["id"]);
        assert_eq!(lists["to_me"][0]["status"], "open");
        // Only the requester, the requestee and admins read a request.
        let r1id = r1["id"].as_i64().unwrap();
        assert_eq!(
            p0.get(&format!("/api/v1/feedback-requests/{r1id}"))
                .await
                .status(),
            404
        );
        assert_eq!(
            hr.get(&format!("/api/v1/feedback-requests/{r1id}"))
                .await
                .status(),
            200
        );
        // The requester cannot answer their own request.
        assert_eq!(
            rev.post(
                "/api/v1/feedback",
                &json!({"request_id": r1id, "visibility": "shared", "body": "x"})
            )
            .await
            .status(),
            403
        );
        let answer = ok(
            p1.post(
                "/api/v1/feedback",
                &json!({"request_id": r1id, "visibility": "shared", "body": "fb-answer-1"}),
            )
            .await,
            "answer",
        )
        .await;
        assert_eq!(answer["subject_id"], rid);
        assert_eq!(answer["request_id"], r1id);
        let r = ok(
            p1.get(&format!("/api/v1/feedback-requests/{r1id}")).await,
            "r",
        )
        .await;
        assert_eq!(
            r["status"], "answered",
            "{b:?}: answering fulfils the request"
        );
        assert_eq!(
            p1.post(
                "/api/v1/feedback",
                &json!({"request_id": r1id, "visibility": "shared", "body": "again"})
            )
            .await
            .status(),
            409
        );
        let n = ok(rev.get("/api/v1/notifications").await, "n").await;
        assert!(n.to_string().contains("answered your request"), "{b:?} {n}");
        // Declining is decided once.
        let r2id = r2["id"].as_i64().unwrap();
        assert_eq!(
            boss.post(
                &format!("/api/v1/feedback-requests/{r2id}/decline"),
                &json!({})
            )
            .await
            .status(),
            403
        );
        let d = ok(
            p2.post(
                &format!("/api/v1/feedback-requests/{r2id}/decline"),
                &json!({}),
            )
            .await,
            "decline",
        )
        .await;
        assert_eq!(d["status"], "declined");
        assert_eq!(
            p2.post(
                &format!("/api/v1/feedback-requests/{r2id}/decline"),
                &json!({})
            )
            .await
            .status(),
            409
        );

        // Every write is audited in its transaction.
        let mut tx = app.db().read().await.unwrap();
        let n = tx
            .count(
                "SELECT COUNT(*) AS n FROM audit_events WHERE action IN ('review_feedback.create', \
                 'review_feedback_request.create', 'review_feedback_request.answer', 'review_feedback_request.decline')",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(n, 4 + 2 + 1 + 1, "{b:?}");
        drop(tx);

        // The evidence panel of a cycle whose period holds the feedback: only what the reviewer
        // may read — the manager all three about rev, rev's own self review the shared two.
        let cycle = ok(
            hr.post("/api/v1/review-cycles", &cycle_body(&[rid])).await,
            "cycle",
        )
        .await;
        let cid = cycle["id"].as_i64().unwrap();
        let mreq = request_for(&boss, cid, rid, "manager").await;
        let f = ok(
            boss.get(&format!("/api/v1/review-requests/{mreq}")).await,
            "form",
        )
        .await;
        let mut got: Vec<&str> = f["evidence"]["feedback"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["body"].as_str().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, ["fb-answer-1", "fb-private-1", "fb-shared-1"], "{b:?}");
        let sreq = request_for(&rev, cid, rid, "self").await;
        let f = ok(
            rev.get(&format!("/api/v1/review-requests/{sreq}")).await,
            "form",
        )
        .await;
        let mut got: Vec<&str> = f["evidence"]["feedback"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["body"].as_str().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, ["fb-answer-1", "fb-shared-1"], "{b:?}");
        // A cycle over another period shows none of it.
        let mut old = cycle_body(&[rid]);
        old["period_start"] = json!("2025-01-01");
        old["period_end"] = json!("2025-06-30");
        old["name"] = json!("2025 H1");
        let c2 = ok(hr.post("/api/v1/review-cycles", &old).await, "old").await;
        let mreq = request_for(&boss, c2["id"].as_i64().unwrap(), rid, "manager").await;
        let f = ok(
            boss.get(&format!("/api/v1/review-requests/{mreq}")).await,
            "form",
        )
        .await;
        assert_eq!(f["evidence"]["feedback"], json!([]), "{b:?}");
        let _ = (qids, set_phase, submit, etag);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_pages_work_in_both_languages_and_name_field_errors() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let rev = app.api(&o.rev.token);
        ok(
            rev.post(
                "/api/v1/feedback-requests",
                &json!({"subject_id": o.rev.person_id, "requestee_id": o.peers[0].person_id}),
            )
            .await,
            "request",
        )
        .await;
        for (lang, list, form) in [
            (
                "en",
                "Feedback requested from me",
                ["Give feedback", "Private to their managers"],
            ),
            ("zh-CN", "请我提供的反馈", ["提供反馈", "仅对方上级可见"]),
        ] {
            let c = sign_in(&app, &o.peers[0].username, lang).await;
            let (s, html) = page(&c, &app, "/reviews/feedback").await;
            assert_eq!(s, 200, "{b:?} {lang}");
            assert!(html.contains(list), "{b:?} {lang}");
            assert!(
                html.contains("Reviewee Wang"),
                "{b:?}: the request is listed"
            );
            let (s, html) = page(&c, &app, "/reviews/feedback/new").await;
            assert_eq!(s, 200, "{b:?} {lang}");
            for w in form {
                assert!(html.contains(w), "{b:?} {lang}: {w}");
            }
        }
        let c = sign_in(&app, &o.peers[0].username, "en").await;
        let (_, html) = page(&c, &app, "/reviews/feedback/new").await;
        let csrf = csrf_of(&html);
        let subject = o.rev.person_id.to_string();
        // An empty body is named at its field, and what was typed stays.
        let r = c
            .post(app.url("/reviews/feedback"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("subject_id", subject.as_str()),
                ("visibility", "shared"),
                ("body", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("id=\"err-give-body\""), "{b:?}");
        assert!(html.contains("aria-invalid=\"true\""));
        let r = c
            .post(app.url("/reviews/feedback"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("subject_id", subject.as_str()),
                ("visibility", "shared"),
                ("body", "page-feedback"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        // The person's page lists what the reader may see.
        let c = sign_in(&app, "rev", "zh-CN").await;
        let (s, html) = page(&c, &app, &format!("/reviews/people/{}", o.rev.person_id)).await;
        assert_eq!(s, 200, "{b:?}");
        assert!(
            html.contains("page-feedback") && html.contains("关于此人的反馈"),
            "{b:?}"
        );
        app.stop().await;
    }
}

/// An instant `d` days after the test clock's start (2026-05-29 in Asia/Shanghai).
fn day(d: i64) -> i64 {
    crate::reviews::NOW + d * 86_400_000
}

/// (title, body) of the user's notifications of one kind, oldest first.
async fn notices_of(app: &App, user_id: i64, kind: &str) -> Vec<(String, String)> {
    let mut tx = app.db().read().await.unwrap();
    tx.fetch_all(
        "SELECT title, body FROM notifications WHERE kind = $1 AND user_id = $2 ORDER BY id",
        &[kind.into(), user_id.into()],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.string("title").unwrap(), r.string("body").unwrap()))
    .collect()
}

async fn reminders_of(app: &App, user_id: i64) -> Vec<(String, String)> {
    let mut tx = app.db().read().await.unwrap();
    tx.fetch_all(
        "SELECT title, body FROM notifications WHERE kind = 'review.reminder' AND user_id = $1 ORDER BY id",
        &[user_id.into()],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.string("title").unwrap(), r.string("body").unwrap()))
    .collect()
}

async fn remind(app: &App, at: i64) -> usize {
    performance::reviews::reports::reminders::send_review_reminders(app.db(), at)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_reminders_are_sent_once_per_request_phase_and_offset() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let hr = app.api(&o.admin.token);
        let (rev, few) = (app.api(&o.rev.token), app.api(&o.few.token));
        // Due: self 06-05, nomination 06-10, feedback 06-20 (cycle_body).
        let cycle = ok(
            hr.post(
                "/api/v1/review-cycles",
                &cycle_body(&[o.rev.person_id, o.few.person_id]),
            )
            .await,
            "cycle",
        )
        .await;
        let cid = cycle["id"].as_i64().unwrap();
        let (so, _, _) = qids(&cycle, "self");
        let fs = request_for(&few, cid, o.few.person_id, "self").await;
        assert_eq!(
            submit(&few, fs, json!([{"question_id": so, "rating": 3}]))
                .await
                .status(),
            200
        );

        assert_eq!(
            remind(&app, day(0)).await,
            0,
            "{b:?}: 7 days before, nothing"
        );
        // 3 days before the self deadline: rev (pending), not few (submitted).
        assert_eq!(remind(&app, day(4)).await, 1, "{b:?}");
        assert_eq!(
            remind(&app, day(4)).await,
            0,
            "{b:?}: a second run sends nothing"
        );
        assert_eq!(
            remind(&app, day(5)).await,
            0,
            "{b:?}: 2 days before: the 3-day one is sent"
        );
        // The reminder is in the recipient's language.
        ok(
            rev.patch("/api/v1/me/preferences", &json!({"locale": "zh-CN"}), None)
                .await,
            "locale",
        )
        .await;
        assert_eq!(remind(&app, day(6)).await, 1, "{b:?}: 1 day before");
        assert_eq!(remind(&app, day(7)).await, 0, "{b:?}");
        let got = reminders_of(&app, o.rev.user_id).await;
        assert_eq!(got.len(), 2, "{b:?}: {got:?}");
        assert!(
            got[0].0.contains("Self review due 2026-06-05") && got[0].1.contains("(days left: 3)"),
            "{got:?}"
        );
        assert!(
            got[1].0.contains("自评将于 2026-06-05 截止") && got[1].1.contains("还剩 1 天"),
            "{got:?}"
        );
        assert!(reminders_of(&app, o.few.user_id).await.is_empty(), "{b:?}");

        // Nomination (3 days before 06-10): both reviewees have fewer peers than the minimum,
        // and their manager has rev's nomination to decide.
        set_phase(&hr, cid, "nomination").await;
        let rev_review = review_of(&hr, cid, o.rev.person_id).await;
        ok(
            rev.post(
                &format!("/api/v1/reviews/{rev_review}/peers"),
                &json!({"person_ids": [o.peers[0].person_id]}),
            )
            .await,
            "nominate",
        )
        .await;
        assert_eq!(remind(&app, day(9)).await, 3, "{b:?}");
        assert_eq!(remind(&app, day(9)).await, 0, "{b:?}");
        let boss = reminders_of(&app, o.boss.user_id).await;
        assert_eq!(boss.len(), 1, "{b:?}: {boss:?}");
        assert!(
            boss[0]
                .1
                .contains("Peer nominations waiting for your decision in 2026 H1 review: 1"),
            "{boss:?}"
        );
        // Feedback (3 days before 06-20): the manager's two reviews, the upward request and
        // rev's unfinished self review.
        ok(
            patch_cycle(
                &hr,
                cid,
                &json!({"phase": "feedback", "override_peers_min": true}),
            )
            .await,
            "feedback",
        )
        .await;
        assert_eq!(remind(&app, day(19)).await, 4, "{b:?}");
        assert_eq!(remind(&app, day(19)).await, 0, "{b:?}");
        let boss = reminders_of(&app, o.boss.user_id).await;
        assert_eq!(
            boss.len(),
            3,
            "{b:?}: the approval reminder and two manager reviews"
        );
        assert!(
            boss.iter()
                .any(|x| x.1.contains("Manager review for Reviewee Wang")),
            "{boss:?}"
        );
        assert_eq!(reminders_of(&app, o.report.user_id).await.len(), 1);
        assert_eq!(
            remind(&app, day(23)).await,
            0,
            "{b:?}: after the deadline, nothing"
        );
        app.stop().await;
    }
}

async fn rate(api: &Api, review: i64, rating: i64, proposed: Option<i64>) {
    let r = api.get(&format!("/api/v1/reviews/{review}")).await;
    let e = etag(&r);
    let mut body = json!({"manager_rating": rating});
    if let Some(p) = proposed {
        body["proposed_rating"] = json!(p);
    }
    ok(
        api.patch(&format!("/api/v1/reviews/{review}"), &body, Some(&e))
            .await,
        "rate",
    )
    .await;
}

async fn download(c: &reqwest::Client, url: String) -> (u16, String, Vec<u8>) {
    let r = c.get(url).send().await.unwrap();
    let s = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (s, ct, r.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_show_completion_and_rating_tendencies_and_export_what_they_show() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let (hr, boss, dm, rev) = (
            app.api(&o.admin.token),
            app.api(&o.boss.token),
            app.api(&o.dm.token),
            app.api(&o.rev.token),
        );
        let people = [o.rev.person_id, o.few.person_id, o.report.person_id];
        let cycle = ok(
            hr.post("/api/v1/review-cycles", &cycle_body(&people)).await,
            "cycle",
        )
        .await;
        let cid = cycle["id"].as_i64().unwrap();
        let (so, _, _) = qids(&cycle, "self");
        let s = request_for(&rev, cid, o.rev.person_id, "self").await;
        assert_eq!(
            submit(&rev, s, json!([{"question_id": so, "rating": 4}]))
                .await
                .status(),
            200
        );
        // boss rates generously; rev's one report is rated low (by HR: rev is no manager).
        rate(
            &boss,
            review_of(&hr, cid, o.rev.person_id).await,
            5,
            Some(5),
        )
        .await;
        rate(
            &boss,
            review_of(&hr, cid, o.few.person_id).await,
            5,
            Some(5),
        )
        .await;
        rate(
            &hr,
            review_of(&hr, cid, o.report.person_id).await,
            2,
            Some(2),
        )
        .await;
        // A department name that would be a formula in a spreadsheet.
        let platform = {
            let d = ok(
                hr.get(&format!("/api/v1/people/{}", o.rev.person_id)).await,
                "p",
            )
            .await;
            d["department_id"].as_i64().unwrap()
        };
        let r = hr.get(&format!("/api/v1/departments/{platform}")).await;
        let e = etag(&r);
        ok(
            hr.patch(
                &format!("/api/v1/departments/{platform}"),
                &json!({"name": "=HYPERLINK(1)"}),
                Some(&e),
            )
            .await,
            "rename",
        )
        .await;

        let rep = ok(
            hr.get(&format!("/api/v1/review-cycles/{cid}/report")).await,
            "report",
        )
        .await;
        assert_eq!(rep["cycle"]["mean"], 4.0, "{b:?} {rep}");
        assert_eq!(rep["cycle"]["distribution"], json!([0, 1, 0, 0, 2]));
        let mgr = |name: &str| {
            rep["by_manager"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["name"] == name)
                .cloned()
                .unwrap()
        };
        assert_eq!(mgr("Boss Li")["mean"], 5.0);
        assert_eq!(mgr("Boss Li")["delta"], 1.0);
        assert_eq!(mgr("Boss Li")["tendency"], "lenient", "{b:?}");
        assert_eq!(mgr("Boss Li")["proposed_mean"], 5.0);
        assert_eq!(
            mgr("Reviewee Wang")["tendency"],
            Value::Null,
            "one rating says nothing"
        );
        let self_rows: Vec<&Value> = rep["completion"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["direction"] == "self")
            .collect();
        let plat = self_rows
            .iter()
            .find(|c| c["department_id"] == platform)
            .unwrap();
        assert_eq!(
            (plat["requests"].as_i64(), plat["submitted"].as_i64()),
            (Some(2), Some(1)),
            "{b:?}"
        );
        assert_eq!(plat["rate"], 0.5);
        // A manager sees their departments; members not at all.
        assert_eq!(
            dm.get(&format!("/api/v1/review-cycles/{cid}/report"))
                .await
                .status(),
            200
        );
        assert_eq!(
            rev.get(&format!("/api/v1/review-cycles/{cid}/report"))
                .await
                .status(),
            403
        );

        // Exports: UTF-8 with BOM, formulas neutralised, XLSX a zip; pages and API alike.
        let c = sign_in(&app, "hradmin", "en").await;
        let (s, ct, bytes) = download(
            &c,
            app.url(&format!("/reviews/cycles/{cid}/report?format=csv")),
        )
        .await;
        assert_eq!(s, 200, "{b:?}");
        assert!(ct.starts_with("text/csv"), "{ct}");
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{b:?}: BOM");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("'=HYPERLINK(1)") && !text.contains(",=HYPERLINK"),
            "{b:?}: {text}"
        );
        assert!(
            text.contains("Boss Li") && text.contains("Lenient"),
            "{text}"
        );
        let (s, ct, bytes) = download(
            &c,
            app.url(&format!("/reviews/cycles/{cid}/report?format=xlsx")),
        )
        .await;
        assert_eq!(s, 200);
        assert!(
            ct.contains("spreadsheetml") && bytes.starts_with(b"PK"),
            "{b:?}"
        );
        let api_csv = hr
            .req(
                reqwest::Method::GET,
                &format!("/api/v1/review-cycles/{cid}/report?format=csv"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(api_csv.status(), 200);
        assert_eq!(
            api_csv.bytes().await.unwrap().to_vec(),
            bytes_of_csv(&c, &app, cid).await,
            "{b:?}: API and page export the same"
        );
        let progress = boss
            .req(
                reqwest::Method::GET,
                &format!("/api/v1/review-cycles/{cid}/progress?format=csv"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(progress.status(), 200);
        let text = progress.text().await.unwrap();
        assert!(
            text.contains("Few Zhao") && text.contains("Self review"),
            "{b:?}: {text}"
        );
        let (s, _, bytes) = download(
            &c,
            app.url(&format!("/reviews/cycles/{cid}/progress?format=xlsx")),
        )
        .await;
        assert_eq!(s, 200);
        assert!(bytes.starts_with(b"PK"));
        // The report page in both languages.
        for (lang, word) in [("en", "Lenient"), ("zh-CN", "偏宽松")] {
            let c = sign_in(&app, "hradmin", lang).await;
            let (s, html) = page(&c, &app, &format!("/reviews/cycles/{cid}/report")).await;
            assert_eq!(s, 200, "{b:?} {lang}");
            assert!(
                html.contains(word) && html.contains("Boss Li"),
                "{b:?} {lang}"
            );
        }
        let c = sign_in(&app, "rev", "en").await;
        assert_eq!(
            page(&c, &app, &format!("/reviews/cycles/{cid}/report"))
                .await
                .0,
            403
        );

        // Year over year: an earlier cycle rated 3, this one 5 → +2 for the manager; the
        // reviewee sees no rating before results are shared; a colleague sees no review.
        let mut old = cycle_body(&[o.rev.person_id]);
        old["period_start"] = json!("2025-01-01");
        old["period_end"] = json!("2025-06-30");
        old["name"] = json!("2025 H1 review");
        let c2 = ok(hr.post("/api/v1/review-cycles", &old).await, "old").await;
        rate(
            &boss,
            review_of(&hr, c2["id"].as_i64().unwrap(), o.rev.person_id).await,
            3,
            Some(3),
        )
        .await;
        let h = ok(
            boss.get(&format!("/api/v1/review-history/{}", o.rev.person_id))
                .await,
            "history",
        )
        .await;
        let names: Vec<String> = items(&h)
            .iter()
            .map(|x| x["cycle_name"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["2026 H1 review", "2025 H1 review"], "{b:?}");
        assert_eq!(h["items"][0]["final_rating"], 5);
        assert_eq!(h["items"][0]["change"], 2, "{b:?}");
        let h = ok(
            rev.get(&format!("/api/v1/review-history/{}", o.rev.person_id))
                .await,
            "history",
        )
        .await;
        assert_eq!(items(&h).len(), 2);
        assert!(
            items(&h).iter().all(|x| x["final_rating"].is_null()),
            "{b:?}: not shared yet"
        );
        let p0 = app.api(&o.peers[0].token);
        let h = ok(
            p0.get(&format!("/api/v1/review-history/{}", o.rev.person_id))
                .await,
            "history",
        )
        .await;
        assert!(items(&h).is_empty(), "{b:?}");
        let c = sign_in(&app, "boss", "zh-CN").await;
        let (s, html) = page(&c, &app, &format!("/reviews/people/{}", o.rev.person_id)).await;
        assert_eq!(s, 200);
        assert!(
            html.contains("历次评估评分") && html.contains("+2"),
            "{b:?}"
        );
        app.stop().await;
    }
}

async fn bytes_of_csv(c: &reqwest::Client, app: &App, cid: i64) -> Vec<u8> {
    download(
        c,
        app.url(&format!("/reviews/cycles/{cid}/report?format=csv")),
    )
    .await
    .2
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_limits_hold_a_manager_to_the_maximum_and_feedback_to_the_minimum() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let (hr, boss, rev) = (
            app.api(&o.admin.token),
            app.api(&o.boss.token),
            app.api(&o.rev.token),
        );
        let mut body = cycle_body(&[o.rev.person_id]);
        body["peers_min"] = json!(2);
        body["peers_max"] = json!(3);
        let cycle = ok(hr.post("/api/v1/review-cycles", &body).await, "cycle").await;
        let cid = cycle["id"].as_i64().unwrap();
        let review = review_of(&hr, cid, o.rev.person_id).await;
        set_phase(&hr, cid, "nomination").await;
        // The page says the limits, in both languages.
        for (lang, word) in [
            ("en", "Each reviewee needs 2 to 3 approved peers"),
            ("zh-CN", "每位被评估人需要 2 至 3 名获批同事"),
        ] {
            let c = sign_in(&app, "boss", lang).await;
            let (s, html) = page(&c, &app, &format!("/reviews/{review}")).await;
            assert_eq!(s, 200);
            assert!(html.contains(word), "{b:?} {lang}");
        }
        // One nominated peer: below the minimum, so feedback needs the override, and the cycle
        // page says so (with the checkbox).
        let d = ok(
            rev.post(
                &format!("/api/v1/reviews/{review}/peers"),
                &json!({"person_ids": [o.peers[0].person_id]}),
            )
            .await,
            "nominate",
        )
        .await;
        let first = d["nominations"][0]["request_id"].as_i64().unwrap();
        ok(
            boss.post(
                &format!("/api/v1/review-requests/{first}/decision"),
                &json!({"approve": true}),
            )
            .await,
            "approve",
        )
        .await;
        let c = sign_in(&app, "hradmin", "en").await;
        let (_, html) = page(&c, &app, &format!("/reviews/cycles/{cid}")).await;
        assert!(
            html.contains("1 reviewee(s) have fewer than 2 approved peers"),
            "{b:?}"
        );
        assert!(html.contains("name=\"override_peers_min\""), "{b:?}");
        // Without the box ticked, the page's phase form is refused with the reason.
        let i = html.find("name=\"version\" value=\"").unwrap() + 22;
        let version = html[i..].split('"').next().unwrap().to_string();
        let r = c
            .post(app.url(&format!("/reviews/cycles/{cid}/phase")))
            .form(&[
                ("_csrf", csrf_of(&html).as_str()),
                ("version", version.as_str()),
                ("phase", "feedback"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{b:?}");
        let html = r.text().await.unwrap();
        assert!(html.contains("override: some reviewees"), "{b:?} {html}");
        let p = problem(
            patch_cycle(&hr, cid, &json!({"phase": "feedback"})).await,
            422,
        )
        .await;
        assert!(names_field(&p, "phase"), "{b:?} {p}");
        // The manager approves up to the maximum, not beyond.
        let more: Vec<i64> = o.peers[1..3].iter().map(|p| p.person_id).collect();
        ok(
            rev.post(
                &format!("/api/v1/reviews/{review}/peers"),
                &json!({"person_ids": more}),
            )
            .await,
            "nominate",
        )
        .await;
        let d = ok(
            boss.get(&format!("/api/v1/reviews/{review}")).await,
            "review",
        )
        .await;
        for n in d["nominations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["status"] == "nominated")
        {
            ok(
                boss.post(
                    &format!("/api/v1/review-requests/{}/decision", n["request_id"]),
                    &json!({"approve": true}),
                )
                .await,
                "approve",
            )
            .await;
        }
        // Three approved = the maximum; a reviewee cannot nominate a fourth (peers_max), and
        // even a nomination left from before is not approved beyond it.
        let p = problem(
            rev.post(
                &format!("/api/v1/reviews/{review}/peers"),
                &json!({"person_ids": [o.peers[4].person_id]}),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "person_ids"), "{b:?} {p}");
        let mut tx = app.db().write().await.unwrap();
        let extra = performance::reviews::store::insert_request(
            &mut tx,
            review,
            o.peers[3].person_id,
            performance::reviews::model::Direction::Peer,
            performance::reviews::model::RequestStatus::Nominated,
        )
        .await
        .unwrap()
        .unwrap();
        tx.commit().await.unwrap();
        let p = problem(
            boss.post(
                &format!("/api/v1/review-requests/{extra}/decision"),
                &json!({"approve": true}),
            )
            .await,
            422,
        )
        .await;
        assert!(names_field(&p, "approve"), "{b:?} {p}");
        assert_eq!(
            boss.post(
                &format!("/api/v1/review-requests/{extra}/decision"),
                &json!({"approve": false})
            )
            .await
            .status(),
            200,
            "rejecting is always possible"
        );
        // With enough peers the phase moves without any override; the page stops warning.
        ok(
            patch_cycle(&hr, cid, &json!({"phase": "feedback"})).await,
            "feedback",
        )
        .await;
        let (_, html) = page(&c, &app, &format!("/reviews/cycles/{cid}")).await;
        assert!(!html.contains("approved peers. Feedback"), "{b:?}");
        // The override is audited with how many reviewees it concerned.
        let mut other = cycle_body(&[o.few.person_id]);
        other["name"] = json!("override");
        let c2 = ok(hr.post("/api/v1/review-cycles", &other).await, "c2").await;
        let c2 = c2["id"].as_i64().unwrap();
        ok(
            patch_cycle(
                &hr,
                c2,
                &json!({"phase": "feedback", "override_peers_min": true}),
            )
            .await,
            "override",
        )
        .await;
        let mut tx = app.db().read().await.unwrap();
        let r = tx
            .fetch_all(
                "SELECT after_json FROM audit_events WHERE action = 'review_cycle.update' AND entity_id = $1",
                &[c2.into()],
            )
            .await
            .unwrap();
        let after = r[0].opt_string("after_json").unwrap().unwrap();
        assert!(after.contains("\"reviewees_below\":1"), "{b:?} {after}");
        drop(tx);
        app.stop().await;
    }
}
