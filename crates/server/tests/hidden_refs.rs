//! References may not probe for hidden objects: for every operation that takes the id of a
//! scoped object in its body or query (`opening_id`, a goal's `parent_id`, a measure's or a
//! scorecard item's `kpi_id`, auto-assign's `task_id`…), the answer for an object that exists
//! but that the caller may not see must be byte-for-byte the answer for an id that does not
//! exist — same status, same problem body — and must name the field. Otherwise a 403, or a 422
//! worded differently, tells the caller the object is there.
//!
//! Ids of people, departments, skills, courses, sessions and company values are readable by
//! every signed-in user (the directory and the catalogues), so they cannot leak and are not
//! listed here. A new reference to a scoped object adds a case to `cases()`.
use crate::common::*;
use crate::matrix::fixtures::{Scope, Who, World};
use reqwest::Method;
use serde_json::{Value, json};

/// An id no fixture reaches.
const MISSING: i64 = 9_876_543_210;

struct Case {
    /// "METHOD /api/v1/path" (a `?query` may follow the path and use `{ref}`).
    op: &'static str,
    /// Who calls (a matrix role).
    role: &'static str,
    /// The matrix fixture kind of the hidden object, made in the caller's OTHER department,
    /// held by a colleague there.
    hidden: &'static str,
    /// The field the problem must name.
    field: &'static str,
    /// The request body for a referenced id (None: no body).
    body: Option<fn(i64, &Who) -> Value>,
}

fn cases() -> Vec<Case> {
    vec![
        // Answering a feedback request someone else was asked (one the caller cannot read).
        Case {
            op: "POST /api/v1/feedback",
            role: "member",
            hidden: "feedback_request",
            field: "request_id",
            body: Some(
                |r, _| json!({"request_id": r, "visibility": "shared", "body": "hidden ref"}),
            ),
        },
        Case {
            op: "POST /api/v1/candidates",
            role: "manager_b",
            hidden: "opening",
            field: "opening_id",
            body: Some(|r, _| json!({"opening_id": r, "name": "hidden ref", "source": "referral"})),
        },
        Case {
            op: "POST /api/v1/candidates",
            role: "member",
            hidden: "opening",
            field: "opening_id",
            body: Some(|r, _| json!({"opening_id": r, "name": "hidden ref", "source": "referral"})),
        },
        Case {
            op: "GET /api/v1/candidates?opening_id={ref}",
            role: "manager_b",
            hidden: "opening",
            field: "",
            body: None,
        },
        Case {
            op: "POST /api/v1/goals",
            role: "member",
            hidden: "goal",
            field: "parent_id",
            body: Some(|r, _| {
                json!({"level": "person", "kind": "objective", "title": "hidden ref",
                       "parent_id": r, "cycle": "2026-Q1"})
            }),
        },
        Case {
            op: "POST /api/v1/goals",
            role: "member",
            hidden: "kpi",
            field: "measure.kpi_id",
            body: Some(|r, _| {
                json!({"level": "person", "kind": "smart", "title": "hidden ref",
                       "cycle": "2026-Q1", "measure": {"metric": "m", "unit": "%",
                       "start_value": 0, "target_value": 10, "kpi_id": r}})
            }),
        },
        Case {
            op: "POST /api/v1/scorecards",
            role: "manager_b",
            hidden: "kpi",
            field: "items[0].kpi_id",
            body: Some(|r, c| {
                json!({"name": "hidden ref", "scope": "department", "department_id": c.dept,
                       "items": [{"kpi_id": r}]})
            }),
        },
        Case {
            op: "POST /api/v1/assign/accept",
            role: "manager_b",
            hidden: "task",
            field: "items[0].task_id",
            body: Some(
                |r, c| json!({"items": [{"task_id": r, "version": 1, "person_id": c.person_id}]}),
            ),
        },
    ]
}

/// Status and problem body, without what differs per request (request ids, instance).
async fn answer(w: &World<'_>, case: &Case, reference: i64) -> (u16, Value) {
    let c = w.caller(case.role).clone();
    let (method, path) = case.op.split_once(' ').unwrap();
    let path = path.replace("{ref}", &reference.to_string());
    let mut req = reqwest::Client::new()
        .request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            w.app.url(&path),
        )
        .bearer_auth(&c.token);
    if let Some(body) = case.body {
        req = req.json(&body(reference, &c));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let mut body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if let Some(o) = body.as_object_mut() {
        o.remove("instance");
        o.remove("request_id");
    }
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hidden_reference_answers_like_a_missing_one() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let world = World::build(&app, 0).await;
        let mut failures = Vec::new();
        for case in cases() {
            let c = world.caller(case.role).clone();
            let (hidden, _) = world.make_object(case.hidden, &c, Scope::Other).await;
            let what = format!("{} as {} ({} {hidden})", case.op, case.role, case.hidden);
            let seen = answer(&world, &case, hidden).await;
            let missing = answer(&world, &case, MISSING).await;
            if seen != missing {
                failures.push(format!(
                    "{what}: hidden {} {}\n    missing {} {}",
                    seen.0, seen.1, missing.0, missing.1
                ));
                continue;
            }
            // Never a 403 (that confirms the object) and never a success.
            if !matches!(seen.0, 404 | 422) {
                failures.push(format!("{what}: {} {}", seen.0, seen.1));
            } else if !case.field.is_empty() && !names_field(&seen.1, case.field) {
                failures.push(format!("{what}: does not name {}: {}", case.field, seen.1));
            }
        }
        assert!(
            failures.is_empty(),
            "{b:?}: references that tell a hidden object from a missing one:\n{}",
            failures.join("\n")
        );
        app.stop().await;
    }
}
