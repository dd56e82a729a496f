//! The team's other imports on the import kit, on both databases: "skills and levels" and
//! "training records" — GBK files with Chinese headers, dry runs that write nothing, all or
//! nothing with every bad row named, one audit event per record, templates that read back, and
//! the policy (members may not import; a manager reaches only the people in scope).
use crate::common::*;
use kernel::Role;
use reqwest::multipart::{Form, Part};
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

async fn upload(api: &Api, kind: &str, name: &str, bytes: Vec<u8>) -> Value {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = api
        .req(reqwest::Method::POST, &format!("/api/v1/imports/{kind}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    body(r, 201).await
}

async fn run(api: &Api, kind: &str, id: i64, dry_run: bool) -> reqwest::Response {
    api.post(
        &format!("/api/v1/imports/{kind}/{id}/run"),
        &json!({ "dry_run": dry_run }),
    )
    .await
}

fn gbk(text: &str) -> Vec<u8> {
    let (b, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    b.into_owned()
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

/// (row, field, code) of a report's issues.
fn issues(rep: &Value) -> Vec<(i64, String, String)> {
    rep["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["row"].as_i64().unwrap(),
                i["field"].as_str().unwrap().to_string(),
                i["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

struct Org {
    admin: Api,
    mgr: Api,
    member: Api,
    ann: i64,
    bob: i64,
    sam: i64,
}

/// Ops (Ann, Bob; a manager) and Sales (Sam); a member.
async fn org(app: &App) -> Org {
    let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
    let ops = id(&body(
        admin
            .post(
                "/api/v1/departments",
                &json!({"name": "运营部", "code": "OPS"}),
            )
            .await,
        201,
    )
    .await);
    let sales = id(&body(
        admin
            .post(
                "/api/v1/departments",
                &json!({"name": "Sales", "code": "S"}),
            )
            .await,
        201,
    )
    .await);
    let mgr = app.api(&app.user_with_token("mgr", Role::Manager).await);
    let me = body(mgr.get("/api/v1/me").await, 200).await;
    let person = async |no: &str, name: &str, email: &str, dept: i64, user: Option<i64>| {
        id(&body(
            admin
                .post(
                    "/api/v1/people",
                    &json!({"employee_no": no, "name": name, "email": email,
                            "department_id": dept, "user_id": user}),
                )
                .await,
            201,
        )
        .await)
    };
    person(
        "M1",
        "Mia",
        "mia@example.com",
        ops,
        me["user"]["id"].as_i64(),
    )
    .await;
    let ann = person("E1", "Ann", "ann@example.com", ops, None).await;
    let bob = person("E2", "Bob", "Bob@Example.com", ops, None).await;
    let sam = person("E3", "Sam", "sam@example.com", sales, None).await;
    let member = app.api(&app.user_with_token("mona", Role::Member).await);
    Org {
        admin,
        mgr,
        member,
        ann,
        bob,
        sam,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skill_levels_import_gbk_dry_run_all_or_nothing_and_scope() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        for name in ["叉车操作", "Excel"] {
            body(
                o.admin
                    .post("/api/v1/skills", &json!({"name": name, "category": "仓储"}))
                    .await,
                201,
            )
            .await;
        }

        // Chinese headers, GBK; a person by employee number and one by email (other case);
        // a level written "4级"; a date written 2027/6/30; a skill name in another case.
        let csv = "工号,邮箱,技能,等级,依据,证书到期日\r\n\
                   E1,,叉车操作,4级,2025 年考核通过,2027/6/30\r\n\
                   ,BOB@example.com,excel,2,,\r\n";
        let v = upload(&o.admin, "skill-levels", "技能.csv", gbk(csv)).await;
        assert_eq!(v["encoding"], "gb18030", "{b:?}");
        assert_eq!(
            v["mapping"],
            json!([
                "employee_no",
                "email",
                "skill",
                "level",
                "evidence",
                "cert_expires"
            ])
        );
        assert_eq!(v["check"]["issues"], json!([]), "{b:?}");
        let imp = id(&v);
        let rep = body(run(&o.admin, "skill-levels", imp, true).await, 200).await;
        assert_eq!(
            (rep["written"].as_i64(), rep["committed"].as_bool()),
            (Some(2), Some(false))
        );
        assert_eq!(
            person_skills(&o.admin, o.ann).await,
            json!([]),
            "{b:?}: a dry run writes nothing"
        );
        assert_eq!(audit_count(&app, "person.skill_set").await, 0);

        let rep = body(run(&o.admin, "skill-levels", imp, false).await, 200).await;
        assert_eq!(rep["committed"], true, "{b:?}");
        let ann = person_skills(&o.admin, o.ann).await;
        assert_eq!(ann[0]["skill_name"], "叉车操作");
        assert_eq!(ann[0]["level"], 4);
        assert_eq!(ann[0]["evidence"], "2025 年考核通过");
        assert_eq!(ann[0]["cert_expires"], "2027-06-30");
        let bob = person_skills(&o.admin, o.bob).await;
        assert_eq!(
            (bob[0]["skill_name"].as_str(), bob[0]["level"].as_i64()),
            (Some("Excel"), Some(2))
        );
        assert_eq!(
            audit_count(&app, "person.skill_set").await,
            2,
            "{b:?}: one event per row"
        );

        // Every bad row is named; nothing of the good row is written. The manager of Ops does
        // not see Sam (Sales): reported exactly like an unknown person.
        let csv = "employee no,skill,level\n\
                   E2,叉车操作,3\n\
                   E404,Excel,3\n\
                   E2,Welding,3\n\
                   E2,Excel,7\n\
                   E3,Excel,3\n\
                   E2,叉车操作,1\n";
        let v = upload(
            &o.mgr,
            "skill-levels",
            "levels.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(
            issues(&v["check"]),
            vec![(5, "level".into(), "out_of_range".into())]
        );
        let imp = id(&v);
        let p = problem(run(&o.mgr, "skill-levels", imp, false).await, 422).await;
        assert!(names_field(&p, "rows[5].level"), "{b:?} {p}");
        // Fix the format problem by ignoring nothing: the dry run of a file without it shows
        // the reference problems.
        let csv = csv.replace("E2,Excel,7\n", "");
        let v = upload(&o.mgr, "skill-levels", "levels.csv", csv.into_bytes()).await;
        let rep = body(run(&o.mgr, "skill-levels", id(&v), true).await, 200).await;
        assert_eq!(
            issues(&rep),
            vec![
                (3, "employee_no".into(), "not_found".into()),
                (4, "skill".into(), "not_found".into()),
                (5, "employee_no".into(), "not_found".into()),
                (6, "skill".into(), "duplicate".into()),
            ],
            "{b:?}"
        );
        let p = problem(run(&o.mgr, "skill-levels", id(&v), false).await, 422).await;
        assert!(names_field(&p, "rows[4].skill"), "{p}");
        let bob = person_skills(&o.admin, o.bob).await;
        assert_eq!(bob.as_array().unwrap().len(), 1, "{b:?}: all or nothing");
        assert_eq!(audit_count(&app, "person.skill_set").await, 2);

        // The manager's rows for their own department go through.
        let v = upload(
            &o.mgr,
            "skill-levels",
            "ok.csv",
            b"employee no,skill,level\nE2,Excel,5\n".to_vec(),
        )
        .await;
        body(run(&o.mgr, "skill-levels", id(&v), false).await, 200).await;
        assert_eq!(person_skills(&o.admin, o.bob).await[0]["level"], 5, "{b:?}");
        assert_eq!(person_skills(&o.admin, o.sam).await, json!([]));

        // Members may not import (nor get the template); the template reads back mapped.
        problem(
            o.member.get("/api/v1/imports/skill-levels/template").await,
            403,
        )
        .await;
        let r = o
            .member
            .req(reqwest::Method::POST, "/api/v1/imports/skill-levels")
            .multipart(Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("a.csv")))
            .send()
            .await
            .unwrap();
        problem(r, 403).await;
        for lang in ["zh-CN", "en"] {
            let t = o
                .admin
                .req(
                    reqwest::Method::GET,
                    "/api/v1/imports/skill-levels/template?format=xlsx",
                )
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            let bytes = body_bytes(t).await;
            let v = upload(&o.admin, "skill-levels", "t.xlsx", bytes).await;
            assert!(
                v["mapping"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|m| !m.is_null()),
                "{b:?} {lang}: {v}"
            );
        }
        app.stop().await;
    }
}

async fn person_skills(api: &Api, p: i64) -> Value {
    body(api.get(&format!("/api/v1/people/{p}/skills")).await, 200).await["items"].clone()
}

async fn body_bytes(r: reqwest::Response) -> Vec<u8> {
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn training_records_import_sessions_results_certificates() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let o = org(&app).await;
        let course = body(
            o.admin
                .post(
                    "/api/v1/courses",
                    &json!({"title": "叉车安全", "certificate_months": 12}),
                )
                .await,
            201,
        )
        .await;
        body(
            o.admin
                .post("/api/v1/courses", &json!({"title": "First aid"}))
                .await,
            201,
        )
        .await;
        let s = body(
            o.admin
                .post(
                    "/api/v1/training-sessions",
                    &json!({"course_id": id(&course), "starts_on": "2026-06-01", "ends_on": "2026-06-02"}),
                )
                .await,
            201,
        )
        .await;

        // GBK, Chinese headers. Ann completed the existing session (certificate expiry given);
        // Bob did not attend it; Ann also did First aid on a day without a session (one is
        // created); Bob completed 叉车安全 on 2026-07-01 (no expiry: the course's 12 months).
        let csv = "工号,课程,培训日期,出勤,完成,成绩,证书到期日\r\n\
                   E1,叉车安全,2026/6/1,是,是,92,2027-12-31\r\n\
                   E2,叉车安全,2026-06-01,否,否,,\r\n\
                   E1,first aid,2026-05-10,是,否,60,\r\n\
                   E2,叉车安全,2026-07-01,是,是,88.5,\r\n";
        let v = upload(&o.admin, "training-records", "培训.csv", gbk(csv)).await;
        assert_eq!(
            v["mapping"],
            json!([
                "employee_no",
                "course",
                "session_date",
                "attended",
                "completed",
                "score",
                "cert_expires"
            ])
        );
        assert_eq!(v["check"]["issues"], json!([]), "{b:?}");
        let rep = body(run(&o.admin, "training-records", id(&v), true).await, 200).await;
        assert_eq!(rep["written"], 4);
        let record = |p: i64| {
            let path = format!("/api/v1/people/{p}/training");
            let api = &o.admin;
            async move { body(api.get(&path).await, 200).await }
        };
        assert_eq!(
            record(o.ann).await["enrolments"],
            json!([]),
            "{b:?}: dry run"
        );
        body(run(&o.admin, "training-records", id(&v), false).await, 200).await;

        let ann = record(o.ann).await;
        let e: Vec<(String, String, String, Option<f64>)> = ann["enrolments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["course_title"].as_str().unwrap().into(),
                    e["starts_on"].as_str().unwrap().into(),
                    e["status"].as_str().unwrap().into(),
                    e["score"].as_f64(),
                )
            })
            .collect();
        assert_eq!(
            e,
            vec![
                (
                    "叉车安全".into(),
                    "2026-06-01".into(),
                    "completed".into(),
                    Some(92.0)
                ),
                (
                    "First aid".into(),
                    "2026-05-10".into(),
                    "attended".into(),
                    Some(60.0)
                ),
            ],
            "{b:?}"
        );
        assert_eq!(
            ann["enrolments"][0]["session_id"],
            id(&s),
            "the existing session"
        );
        assert_eq!(
            ann["enrolments"][0]["completed_on"], "2026-06-02",
            "its last day"
        );
        let certs = ann["certificates"].as_array().unwrap();
        assert_eq!(certs.len(), 1, "{b:?}");
        assert_eq!(certs[0]["expires_on"], "2027-12-31");
        let bob = record(o.bob).await;
        let statuses: Vec<&str> = bob["enrolments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, vec!["completed", "no_show"], "{b:?}");
        assert_eq!(
            bob["certificates"][0]["expires_on"], "2027-07-01",
            "{b:?}: 12 months"
        );
        assert_eq!(audit_count(&app, "enrolment.create").await, 4);
        assert_eq!(
            audit_count(&app, "session.create").await,
            3,
            "{b:?}: 1 by hand + 2 imported"
        );
        assert_eq!(audit_count(&app, "certificate.create").await, 2);

        // Importing Ann's completion again updates the enrolment without a second certificate.
        let again =
            "employee no,course,session date,completed,score\nE1,叉车安全,2026-06-01,yes,95\n";
        let v = upload(
            &o.admin,
            "training-records",
            "again.csv",
            again.as_bytes().to_vec(),
        )
        .await;
        body(run(&o.admin, "training-records", id(&v), false).await, 200).await;
        let ann = record(o.ann).await;
        assert_eq!(ann["enrolments"][0]["score"], 95.0);
        assert_eq!(ann["certificates"].as_array().unwrap().len(), 1, "{b:?}");
        assert_eq!(audit_count(&app, "enrolment.update").await, 1);

        // Bad rows: unknown person, unknown course, a score out of range, a certificate
        // without completion, Sam outside the manager's scope, a repeated row. All named.
        let bad = "employee no,course,session date,attended,completed,score,certificate expiry\n\
                   E404,叉车安全,2026-08-01,yes,yes,80,\n\
                   E1,Welding,2026-08-01,yes,yes,80,\n\
                   E1,叉车安全,2026-08-01,yes,yes,120,\n\
                   E2,叉车安全,2026-08-01,yes,no,,2028-01-01\n\
                   E3,叉车安全,2026-08-01,yes,yes,,\n\
                   E2,First aid,2026-08-01,maybe,no,,\n";
        let v = upload(
            &o.mgr,
            "training-records",
            "bad.csv",
            bad.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(
            issues(&v["check"]),
            vec![
                (4, "score".into(), "out_of_range".into()),
                (5, "cert_expires".into(), "invalid".into()),
                (7, "attended".into(), "invalid".into()),
            ],
            "{b:?}"
        );
        let fixed = bad
            .lines()
            .enumerate()
            .filter(|(i, _)| ![3, 4, 6].contains(i))
            .map(|(_, l)| format!("{l}\n"))
            .collect::<String>()
            + "E1,First aid,2026-09-01,yes,no,,\nE1,first aid,2026-09-01,yes,yes,,\n";
        let v = upload(&o.mgr, "training-records", "bad2.csv", fixed.into_bytes()).await;
        let rep = body(run(&o.mgr, "training-records", id(&v), true).await, 200).await;
        assert_eq!(
            issues(&rep),
            vec![
                (2, "employee_no".into(), "not_found".into()),
                (3, "course".into(), "not_found".into()),
                (4, "employee_no".into(), "not_found".into()),
                (6, "session_date".into(), "duplicate".into()),
            ],
            "{b:?}"
        );
        problem(run(&o.mgr, "training-records", id(&v), false).await, 422).await;
        assert_eq!(
            audit_count(&app, "enrolment.create").await,
            4,
            "{b:?}: all or nothing"
        );

        problem(
            o.member
                .get("/api/v1/imports/training-records/template")
                .await,
            403,
        )
        .await;
        for lang in ["zh-CN", "en"] {
            let t = o
                .admin
                .req(
                    reqwest::Method::GET,
                    "/api/v1/imports/training-records/template?format=csv",
                )
                .header("accept-language", lang)
                .send()
                .await
                .unwrap();
            let v = upload(&o.admin, "training-records", "t.csv", body_bytes(t).await).await;
            assert!(
                v["mapping"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|m| !m.is_null()),
                "{b:?} {lang}: {v}"
            );
            assert_eq!(
                v["check"]["issues"],
                json!([]),
                "{lang}: the template's rows are valid"
            );
        }
        app.stop().await;
    }
}
