//! The browser as the attacker's tool, in headless Chromium:
//! - CSRF: a page on a second local port (same site, other origin — the cookies ARE sent)
//!   auto-submits a form to every route of every module and no-cors fetches every state-changing
//!   API operation; all are refused, audited, and nothing changes.
//! - Stored XSS: a corpus (script tags, event handlers, javascript: URLs, SVG, template syntax,
//!   htmx attributes, bidi controls) in every text field, then every page opened: no payload runs
//!   and none becomes an element; CSP, nosniff, Referrer-Policy and no-store on every page.
use crate::browser::{browser_sign_in, headless};
use crate::common::*;
use kernel::Role;
use serde_json::{Value, json};
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Every route path registered by any page router (`.route("…"`) in any crate, so a module
/// added later is attacked too.
fn page_routes() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                if !["target", "tests", "node_modules", "assets", "templates"]
                    .contains(&name.as_str())
                {
                    stack.push(p);
                }
            } else if name.ends_with(".rs") && p.to_string_lossy().contains("/src/") {
                let src = std::fs::read_to_string(&p).unwrap();
                let mut rest = src.as_str();
                while let Some(i) = rest.find(".route(") {
                    rest = &rest[i + 7..];
                    let t = rest.trim_start();
                    if let Some(lit) = t.strip_prefix('"') {
                        let path = &lit[..lit.find('"').unwrap()];
                        if path.starts_with('/') && !path.starts_with("/api/") {
                            out.push(path.to_string());
                        }
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Serves one HTML page to anyone on a second port; returns its URL.
async fn serve_attacker_page(html: String) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let html = html.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf).await;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/")
}

/// Everything a user could change, as the admin's API sees it.
async fn snapshot(api: &Api) -> Value {
    let mut all = serde_json::Map::new();
    for p in [
        "/api/v1/me",
        "/api/v1/tasks?limit=200",
        "/api/v1/departments?limit=200",
        "/api/v1/people?limit=200",
        "/api/v1/users?limit=200",
        "/api/v1/tokens",
        "/api/v1/notifications?limit=200",
    ] {
        all.insert(p.into(), api.get(p).await.json().await.unwrap());
    }
    Value::Object(all)
}

fn attacker_html(app_base: &str, routes: &[String], api_ops: &[(String, String)]) -> String {
    let mut h = String::from("<!doctype html><html><head><title>win a prize</title></head><body>");
    for (i, r) in routes.iter().enumerate() {
        let action = format!(
            "{app_base}{}",
            r.replace("{id}", "1").replace("{hash}/{name}", "x/y")
        );
        h.push_str(&format!(
            "<iframe name=\"f{i}\"></iframe><form method=\"post\" action=\"{action}\" target=\"f{i}\">\
             <input name=\"_csrf\" value=\"guess\"><input name=\"title\" value=\"pwned\">\
             <input name=\"name\" value=\"pwned\"><input name=\"theme\" value=\"dark\">\
             <input name=\"locale\" value=\"zh-CN\"><input name=\"role\" value=\"admin\">\
             <input name=\"username\" value=\"attacker\"><input name=\"password\" value=\"attacker-password-1\">\
             <input name=\"status\" value=\"done\"><input name=\"version\" value=\"1\"></form>"
        ));
    }
    let ops: Vec<String> = api_ops
        .iter()
        .map(|(m, p)| format!("[\"{m}\",\"{app_base}{}\"]", p.replace("{id}", "1")))
        .collect();
    h.push_str(&format!(
        "<script>\
         for (const f of document.forms) f.submit();\
         const ops = [{}];\
         Promise.allSettled(ops.map(([m, u]) => fetch(u, {{method: m, mode: 'no-cors', credentials: 'include',\
           headers: {{'content-type': 'text/plain'}}, body: '{{\"title\":\"pwned\",\"role\":\"admin\"}}'}})))\
           .then(() => setTimeout(() => {{ document.title = 'done'; }}, 1500));\
         </script></body></html>",
        ops.join(",")
    ));
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_from_another_origin_is_refused_on_every_route() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("lead", Role::Admin).await);
        let d: Value = admin
            .post("/api/v1/departments", &json!({"name": "A"}))
            .await
            .json()
            .await
            .unwrap();
        admin
            .post(
                "/api/v1/tasks",
                &json!({"title": "keep me", "department_id": d["id"]}),
            )
            .await;
        admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": "E1", "name": "p", "department_id": d["id"]}),
            )
            .await;
        let before = snapshot(&admin).await;

        let routes = page_routes();
        assert!(routes.len() >= 20, "the page routes were found: {routes:?}");
        let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut api_ops = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for m in ["post", "put", "patch", "delete"] {
                if item.get(m).is_some() {
                    api_ops.push((m.to_uppercase(), path.clone()));
                }
            }
        }
        let evil = serve_attacker_page(attacker_html(&app.base, &routes, &api_ops)).await;

        let (_driver, c) = headless().await;
        browser_sign_in(&c, &app, "lead").await;
        c.goto(&evil).await.unwrap();
        for _ in 0..100 {
            if c.title().await.unwrap() == "done" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(
            c.title().await.unwrap(),
            "done",
            "{b:?}: the attack page ran"
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;

        let after = snapshot(&admin).await;
        assert_eq!(
            before, after,
            "{b:?}: a cross-origin page changed something"
        );
        // Still signed in: even /logout refused the forged post.
        c.goto(&app.url("/tasks")).await.unwrap();
        c.find(fantoccini::Locator::Css("nav.side"))
            .await
            .expect("still signed in");
        let mut tx = app.db().read().await.unwrap();
        let n = tx
            .fetch_one(
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'access.denied' \
                 AND after_json LIKE '%cross-site%'",
                &[],
            )
            .await
            .unwrap()
            .i64("n")
            .unwrap();
        drop(tx);
        // /test/clock exists only under --test-clock and is outside the middleware (JSON only).
        let posts = routes.iter().filter(|r| *r != "/test/clock").count() as i64;
        assert!(
            n >= posts,
            "{b:?}: every forged form post was refused as cross-site and audited ({n} < {posts})"
        );
        c.close().await.unwrap();
        app.stop().await;
    }
}

const XSS: &[&str] = &[
    "<script data-xss>window.__xss=1</script>",
    "<img data-xss src=x onerror=\"window.__xss=1\">",
    "<svg data-xss onload=\"window.__xss=1\"><circle r=\"1\"/></svg>",
    "\"><img data-xss src=x onerror=window.__xss=1>",
    "'><a data-xss href=\"javascript:window.__xss=1\">x</a>",
    "javascript:window.__xss=1//data-xss",
    "{{constructor.constructor('window.__xss=1')()}} ${window.__xss=1} data-xss",
    "<div data-xss hx-get=\"/logout\" hx-trigger=\"load\">htmx</div>",
    "\u{202E}gpj.exe\u{202C} <b data-xss>bidi</b>",
    "</textarea><iframe data-xss srcdoc=\"<script>parent.__xss=1</script>\"></iframe>",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_xss_corpus_never_runs_on_any_page() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("lead", Role::Admin).await);
        let other = app.api(&app.user_with_token("other", Role::Admin).await);
        let me: Value = admin.get("/api/v1/me").await.json().await.unwrap();
        let base: Value = admin
            .post("/api/v1/departments", &json!({"name": "Base"}))
            .await
            .json()
            .await
            .unwrap();
        let lead: Value = admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": "L1", "name": "lead", "department_id": base["id"],
                        "user_id": me["user"]["id"]}),
            )
            .await
            .json()
            .await
            .unwrap();
        let mut pages = vec![
            "/".to_string(),
            "/tasks".into(),
            "/tasks/board".into(),
            "/tasks/new".into(),
            "/people".into(),
            "/people/new".into(),
            "/departments".into(),
            "/departments/new".into(),
            "/kpis".into(),
            "/kpis/new".into(),
            "/notifications".into(),
            "/account".into(),
            "/admin/users".into(),
            "/goals?cycle=2026-Q2".into(),
            "/goals/mine".into(),
        ];
        // The team modules' object pages: each must show its payloads as text.
        let mut team_pages = Vec::new();
        let created = |r: reqwest::Response, what: &'static str| async move {
            let s = r.status();
            let v: Value = r.json().await.unwrap();
            assert_eq!(s, 201, "{what} with a payload is stored: {v}");
            v["id"].as_i64().or(v["token"]["id"].as_i64()).unwrap()
        };
        for (i, x) in XSS.iter().enumerate() {
            let d = created(
                admin
                    .post(
                        "/api/v1/departments",
                        &json!({"name": x, "description": x, "parent_id": base["id"]}),
                    )
                    .await,
                "department",
            )
            .await;
            let p = created(
                admin
                    .post(
                        "/api/v1/people",
                        &json!({"employee_no": format!("X{i}"), "name": x, "name_zh": x,
                                "position": x, "department_id": d,
                                "manager_id": lead["id"]}),
                    )
                    .await,
                "person",
            )
            .await;
            // Created by another admin and assigned to the lead: it lands in their
            // notification centre with the payload in its text.
            let t = created(
                other
                    .post(
                        "/api/v1/tasks",
                        &json!({"title": x, "description": x, "department_id": d,
                                "assignee_id": lead["id"]}),
                    )
                    .await,
                "task",
            )
            .await;
            created(
                admin.post("/api/v1/tokens", &json!({"name": x})).await,
                "token",
            )
            .await;
            // A KPI owned by the lead with the payload in its names and description, and an
            // action whose task title carries it too.
            let k = created(
                admin
                    .post(
                        "/api/v1/kpis",
                        &json!({"code": format!("xss{i}"), "name": x, "name_zh": x, "description": x,
                                "unit": "count", "direction": "higher", "aggregation": "sum",
                                "frequency": "monthly", "scope": "department", "department_id": d,
                                "owner_person_id": lead["id"]}),
                    )
                    .await,
                "kpi",
            )
            .await;
            created(
                admin
                    .post(&format!("/api/v1/kpis/{k}/actions"), &json!({"title": x}))
                    .await,
                "kpi action",
            )
            .await;
            pages.push(format!("/kpis/{k}"));
            pages.push(format!("/kpis/{k}/edit"));
            pages.push(format!("/kpis/{k}/targets"));
            pages.push(format!("/kpis?q={}", form_urlencoded(x)));
            // A company goal whose every text field (and its key result's, and a check-in
            // note) carries the payload.
            let gr = admin
                .post(
                    "/api/v1/goals",
                    &json!({"level": "company", "kind": "smart", "title": x, "description": x,
                            "owner_id": p, "cycle": "2026-Q2",
                            "measure": {"title": x, "metric": x, "unit": "%", "start_value": 0, "target_value": 10}}),
                )
                .await;
            assert_eq!(gr.status(), 201, "goal with a payload is stored");
            let g: Value = gr.json().await.unwrap();
            let kr = g["key_results"][0]["id"].as_i64().unwrap();
            created(
                admin
                    .post(
                        &format!("/api/v1/key-results/{kr}/checkins"),
                        &json!({"value": 5, "confidence": 50, "note": x}),
                    )
                    .await,
                "check-in",
            )
            .await;
            pages.push(format!("/goals/{}", g["id"]));
            pages.push(format!("/goals/{}/edit", g["id"]));
            // A review cycle whose name, sections, prompts, competencies and anchors carry the
            // payload, with the payload person as its reviewee.
            let anchors = json!([x, x, x, x, x]);
            let cycle = created(
                admin
                    .post(
                        "/api/v1/review-cycles",
                        &json!({"name": x, "period_start": "2026-01-01", "period_end": "2026-06-30",
                                "phases": {"self_due": "2026-06-05", "nomination_due": "2026-06-10",
                                           "feedback_due": "2026-06-20", "calibration_due": "2026-06-25",
                                           "signoff_due": "2026-06-28", "shared_on": "2026-06-30"},
                                "participants": {"person_ids": [p]},
                                "questions": [
                                    {"direction": "self", "section": x, "kind": "rating", "prompt": x, "anchors": anchors},
                                    {"direction": "peer", "kind": "competency", "competency": x, "prompt": x, "anchors": anchors},
                                    {"direction": "manager", "kind": "text", "prompt": x},
                                    {"direction": "upward", "kind": "text", "prompt": x}]}),
                    )
                    .await,
                "review cycle",
            )
            .await;
            let reviews: Value = admin
                .get(&format!("/api/v1/review-cycles/{cycle}/reviews"))
                .await
                .json()
                .await
                .unwrap();
            let review = reviews["items"][0]["id"]
                .as_i64()
                .expect("the reviewee's review");
            // A calibration reason and a development item carrying the payload (the trail on
            // the calibration page, the outcome on the review page).
            let etag_of = |r: &reqwest::Response| r.headers()["etag"].to_str().unwrap().to_string();
            for (phase, write) in [("calibration", "calibration"), ("signoff", "outcome")] {
                let e = etag_of(&admin.get(&format!("/api/v1/review-cycles/{cycle}")).await);
                let r = admin
                    .patch(
                        &format!("/api/v1/review-cycles/{cycle}"),
                        &json!({"phase": phase, "override_peers_min": true}),
                        Some(&e),
                    )
                    .await;
                assert_eq!(r.status(), 200, "{phase}");
                let e = etag_of(&admin.get(&format!("/api/v1/reviews/{review}")).await);
                let (method, body) = if write == "calibration" {
                    (
                        reqwest::Method::PATCH,
                        json!({"calibrated_rating": 3, "reason": x, "potential": 2}),
                    )
                } else {
                    (
                        reqwest::Method::PUT,
                        json!({"recommendation": "reward", "development_items": [{"text": x}]}),
                    )
                };
                let r = admin
                    .req(method, &format!("/api/v1/reviews/{review}/{write}"))
                    .header("If-Match", e)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{write} with a payload is stored");
            }
            // Shared feedback on the payload person, whose body carries the payload.
            created(
                admin
                    .post(
                        "/api/v1/feedback",
                        &json!({"subject_id": p, "visibility": "shared", "body": x}),
                    )
                    .await,
                "feedback",
            )
            .await;
            let review_pages = vec![
                "/reviews".to_string(),
                format!("/reviews/cycles/{cycle}"),
                format!("/reviews/cycles/{cycle}/calibration"),
                format!("/reviews/{review}"),
                format!("/reviews/cycles/{cycle}/report"),
                format!("/reviews/people/{p}"),
                "/reviews/feedback".to_string(),
            ];
            for page in team_payloads(&admin, x, i, d, p, lead["id"].as_i64().unwrap())
                .await
                .into_iter()
                .chain(review_pages)
            {
                if page.contains(|ch: char| ch.is_ascii_digit()) {
                    team_pages.push(page.clone());
                }
                if !pages.contains(&page) {
                    pages.push(page);
                }
            }
            for p in [
                format!("/tasks/{t}"),
                format!("/tasks/{t}/edit"),
                format!("/people/{p}"),
                format!("/people/{p}/edit"),
                format!("/departments/{d}"),
            ] {
                pages.push(p);
            }
            // Reflected: the payload as a search term.
            let q: String = form_urlencoded(x);
            pages.push(format!("/tasks?q={q}"));
            pages.push(format!("/people?q={q}"));
        }
        let users: Value = admin.get("/api/v1/users").await.json().await.unwrap();
        for u in users["items"].as_array().unwrap() {
            pages.push(format!("/admin/users/{}", u["id"]));
        }
        // Every other page route of every crate (modules added later included), with the first
        // few ids: whatever answers 200 is checked too.
        let listed = pages.len();
        for r in page_routes() {
            if r.starts_with("/assets")
                || r.starts_with("/test")
                || [
                    "/login", "/logout", "/setup", "/healthz", "/readyz", "/metrics",
                ]
                .contains(&r.as_str())
            {
                continue;
            }
            for id in 1..=3 {
                let p = r.replace("{id}", &id.to_string());
                if !pages.contains(&p) {
                    pages.push(p);
                }
                if !r.contains("{id}") {
                    break;
                }
            }
        }

        let (_driver, c) = headless().await;
        browser_sign_in(&c, &app, "lead").await;
        let session = c
            .get_named_cookie("opsdesk_session")
            .await
            .unwrap()
            .value()
            .to_string();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let mut shown = 0;
        let mut opened = 0;
        for (i, page) in pages.iter().enumerate() {
            let r = http
                .get(app.url(page))
                .header("cookie", format!("opsdesk_session={session}"))
                .send()
                .await
                .unwrap();
            if i >= listed && r.status() != 200 {
                continue; // a discovered route that is POST-only or has no object with that id
            }
            assert_eq!(r.status(), 200, "{b:?}: {page}");
            opened += 1;
            let h = r.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{page}: {csp}"
            );
            assert_eq!(h["x-content-type-options"], "nosniff", "{page}");
            assert!(h.contains_key("referrer-policy"), "{page}");
            assert_eq!(h["cache-control"], "no-store", "{page}");

            c.goto(&app.url(page)).await.unwrap();
            let v = c
                .execute(
                    "return [!!(window.__xss), document.querySelectorAll('[data-xss]').length, \
                     document.body.innerText.includes('data-xss'), location.pathname];",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(v[0], json!(false), "{b:?}: a payload ran on {page}");
            assert_eq!(
                v[1],
                json!(0),
                "{b:?}: a payload became an element on {page}"
            );
            assert!(
                !v[3].as_str().unwrap().starts_with("/login"),
                "{b:?}: {page} signed the user out (an injected request ran)"
            );
            if v[2] == json!(true) {
                shown += 1;
            } else {
                assert!(
                    !team_pages.contains(page),
                    "{b:?}: {page} does not show its payload (else this test proves nothing there)"
                );
            }
        }
        assert!(opened > listed, "{b:?}: discovered pages were opened too");
        // The payloads were on the pages, as text (else this test proves nothing).
        assert!(
            shown >= XSS.len() * 4,
            "{b:?}: payload text shown on {shown} pages"
        );
        c.close().await.unwrap();
        app.stop().await;
    }
}

/// The team modules' text fields — skills (name, category, description, a rating's evidence),
/// leave notes, hiring (headcount position and justification, opening title and description,
/// candidate name and notes, interview kind, scorecard criteria and notes), training
/// (course, program, session location, certificate), recognition (company value, kudos
/// message), 1:1s (talking points, notes, follow-ups) — all carrying payload `x`. Returns the
/// pages that show them. `d` is the payload's department, `p` a person in it, `lead` the
/// signed-in admin's person (a 1:1 is readable only by its participants).
async fn team_payloads(admin: &Api, x: &str, i: usize, d: i64, p: i64, lead: i64) -> Vec<String> {
    async fn id(r: reqwest::Response, what: &str) -> i64 {
        let s = r.status();
        let v: Value = r.json().await.unwrap();
        assert!(s.is_success(), "{what} with a payload is stored: {s} {v}");
        v["id"].as_i64().unwrap_or_default()
    }
    let put = |path: String, body: Value| async move {
        admin
            .req(reqwest::Method::PUT, &path)
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let skill = id(
        admin
            .post(
                "/api/v1/skills",
                &json!({"name": x, "category": "xss", "description": x}),
            )
            .await,
        "skill",
    )
    .await;
    id(
        put(
            format!("/api/v1/people/{p}/skills/{skill}"),
            json!({"level": 3, "evidence": x}),
        )
        .await,
        "skill rating",
    )
    .await;
    id(
        admin
            .post(
                "/api/v1/leaves",
                &json!({"person_id": p, "start_date": "2026-07-01", "end_date": "2026-07-03",
                        "kind": "annual", "note": x}),
            )
            .await,
        "leave",
    )
    .await;
    id(
        admin
            .post(
                "/api/v1/headcount-requests",
                &json!({"department_id": d, "position": x, "headcount": 1, "justification": x}),
            )
            .await,
        "headcount request",
    )
    .await;
    let opening = id(
        admin
            .post(
                "/api/v1/openings",
                &json!({"title": x, "description": x, "department_id": d,
                        "hiring_manager_id": lead}),
            )
            .await,
        "opening",
    )
    .await;
    let candidate = id(
        admin
            .post(
                "/api/v1/candidates",
                &json!({"opening_id": opening, "name": x, "source": "referral", "notes": x}),
            )
            .await,
        "candidate",
    )
    .await;
    let interview = id(
        admin
            .post(
                &format!("/api/v1/candidates/{candidate}/interviews"),
                &json!({"interviewer_id": lead, "scheduled_at": 1_798_761_600_000i64, "kind": x}),
            )
            .await,
        "interview",
    )
    .await;
    id(
        put(
            format!("/api/v1/interviews/{interview}/scorecard"),
            json!({"ratings": [{"criterion": x, "rating": 4}], "recommendation": "yes", "notes": x}),
        )
        .await,
        "interview scorecard",
    )
    .await;
    let course = id(
        admin
            .post(
                "/api/v1/courses",
                &json!({"title": x, "description": x, "provider": x}),
            )
            .await,
        "course",
    )
    .await;
    id(
        admin
            .post(
                "/api/v1/training-programs",
                &json!({"title": x, "description": x, "course_ids": [course]}),
            )
            .await,
        "training program",
    )
    .await;
    let session = id(
        admin
            .post(
                "/api/v1/training-sessions",
                &json!({"course_id": course, "starts_on": "2027-04-01", "ends_on": "2027-04-02",
                        "trainer_id": p, "location": x}),
            )
            .await,
        "training session",
    )
    .await;
    id(
        admin
            .post(
                &format!("/api/v1/training-sessions/{session}/enrolments"),
                &json!({"person_id": p}),
            )
            .await,
        "enrolment",
    )
    .await;
    id(
        admin
            .post(
                "/api/v1/certificates",
                &json!({"person_id": p, "course_id": course, "name": x, "issued_on": "2026-01-15"}),
            )
            .await,
        "certificate",
    )
    .await;
    let value = id(
        admin
            .post(
                "/api/v1/company-values",
                &json!({"name": x, "description": x}),
            )
            .await,
        "company value",
    )
    .await;
    id(
        admin
            .post(
                "/api/v1/kudos",
                &json!({"to_person_id": p, "value_id": value, "message": x}),
            )
            .await,
        "kudos",
    )
    .await;
    let one = id(
        admin
            .post(
                "/api/v1/one-on-ones",
                &json!({"with_person_id": p, "meeting_on": format!("2026-12-{:02}", i + 1),
                        "talking_points": x, "notes": x}),
            )
            .await,
        "1:1",
    )
    .await;
    id(
        admin
            .post(
                &format!("/api/v1/one-on-ones/{one}/followups"),
                &json!({"text": x}),
            )
            .await,
        "1:1 follow-up",
    )
    .await;
    vec![
        "/skills".into(),
        "/skills/matrix".into(),
        "/skills/gaps".into(),
        format!("/skills/people/{p}"),
        "/capacity/leaves".into(),
        "/hiring".into(),
        format!("/hiring/openings/{opening}"),
        format!("/hiring/candidates/{candidate}"),
        "/hiring/funnel".into(),
        "/training".into(),
        format!("/training/sessions/{session}"),
        "/kudos".into(),
        "/one-on-ones".into(),
        format!("/one-on-ones/{one}"),
    ]
}

fn form_urlencoded(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
