//! The import/export kit end to end, on both databases: the people import from GBK CSV and
//! XLSX (API and pages), all-or-nothing with a report naming row and column, dry runs that
//! write nothing, the policy (members may not import; exports hold only what the caller may
//! see), formula neutralisation in exported files, and hostile files refused.
use crate::common::*;
use kernel::Role;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

async fn upload(api: &Api, kind: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    api.req(reqwest::Method::POST, &format!("/api/v1/imports/{kind}"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn run(api: &Api, kind: &str, id: i64, dry_run: bool) -> reqwest::Response {
    api.post(
        &format!("/api/v1/imports/{kind}/{id}/run"),
        &json!({ "dry_run": dry_run }),
    )
    .await
}

async fn people_count(app: &App) -> i64 {
    let mut tx = app.db().read().await.unwrap();
    tx.count("SELECT COUNT(*) AS n FROM people", &[])
        .await
        .unwrap()
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

async fn department(api: &Api, name: &str, code: &str, parent: Option<i64>) -> i64 {
    let r = api
        .post(
            "/api/v1/departments",
            &json!({ "name": name, "code": code, "parent_id": parent }),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

fn gbk(text: &str) -> Vec<u8> {
    let (b, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    b.into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_import_from_gbk_csv_and_xlsx_with_dry_run_and_audit() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("lead", Role::Admin).await);
        let ops = department(&admin, "运营部", "OPS", None).await;
        department(&admin, "客服部", "CS", Some(ops)).await;

        // Chinese headers, semicolons, GBK; the manager (E2) comes after their report (E1);
        // a date in the 2024/3/1 form; an extra column that is not mapped.
        let csv = "工号;姓名;中文名;部门;职位;上级工号;邮箱;手机;入职日期;备注\r\n\
                   E1;Zhang San;张三;客服部;专员;E2;zs@example.com;13800000000;2024/3/1;新人\r\n\
                   E2;Li Si;李四;OPS;主管;;ls@example.com;;2020-01-15;\r\n";
        let r = upload(&admin, "people", "人员.csv", gbk(csv)).await;
        assert_eq!(r.status(), 201, "{b:?}");
        let v: Value = r.json().await.unwrap();
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["encoding"], "gb18030");
        assert_eq!(v["rows"], 2);
        assert_eq!(
            v["mapping"],
            json!([
                "employee_no",
                "name",
                "name_zh",
                "department",
                "position",
                "manager",
                "email",
                "phone",
                "hire_date",
                null
            ])
        );
        assert_eq!(v["unmapped"], json!(["备注"]));
        assert_eq!(v["check"]["issues"], json!([]));

        let before = people_count(&app).await;
        let r = run(&admin, "people", id, true).await;
        assert_eq!(r.status(), 200);
        let rep: Value = r.json().await.unwrap();
        assert_eq!(
            (rep["written"].as_i64(), rep["committed"].as_bool()),
            (Some(2), Some(false))
        );
        assert_eq!(
            people_count(&app).await,
            before,
            "{b:?}: a dry run writes nothing"
        );
        assert_eq!(audit_count(&app, "person.create").await, 0);

        let r = run(&admin, "people", id, false).await;
        assert_eq!(r.status(), 200, "{b:?}");
        let rep: Value = r.json().await.unwrap();
        assert_eq!(rep["committed"], true);
        assert_eq!(people_count(&app).await, before + 2);
        assert_eq!(audit_count(&app, "person.create").await, 2);
        assert_eq!(audit_count(&app, "import.commit").await, 1);
        let list: Value = admin.get("/api/v1/people?q=E1").await.json().await.unwrap();
        let e1 = &list["items"][0];
        assert_eq!(e1["name_zh"], "张三");
        assert_eq!(e1["department_name"], "客服部");
        assert_eq!(e1["manager_name"], "Li Si");
        assert_eq!(e1["hire_date"], "2024-03-01");
        // The same file cannot be committed twice.
        assert_eq!(run(&admin, "people", id, false).await.status(), 409);

        // XLSX with English headers in another order, made by the export writer.
        let xlsx = sheets::write_xlsx(
            "people",
            &["Employee No", "Department", "Name", "Hire date", "Manager"],
            [["E3", "CS", "Wang Wu", "2025-02-01", "E2"]],
        )
        .unwrap();
        let r = upload(&admin, "people", "people.xlsx", xlsx).await;
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert_eq!(run(&admin, "people", id, false).await.status(), 200);
        assert_eq!(people_count(&app).await, before + 3, "{b:?}");

        // Templates in both formats, headers in the caller's language; they read back.
        let t = admin
            .req(
                reqwest::Method::GET,
                "/api/v1/imports/people/template?format=xlsx",
            )
            .header("accept-language", "zh-CN")
            .send()
            .await
            .unwrap();
        assert_eq!(t.status(), 200);
        let bytes = t.bytes().await.unwrap();
        let table = sheets::read(&bytes, &sheets::Limits::default()).unwrap();
        assert_eq!(table.header[0], "工号 *");
        let t = admin
            .get("/api/v1/imports/people/template?format=csv")
            .await;
        assert!(
            t.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(t.bytes().await.unwrap().starts_with(&[0xEF, 0xBB, 0xBF]));
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_row_writes_nothing_and_the_report_names_it() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("lead", Role::Admin).await);
        department(&admin, "Operations", "OPS", None).await;
        let csv = "employee no,name,department,hire date,manager\n\
                   E1,Ann,OPS,2024-01-01,\n\
                   E2,Bob,Nowhere,2024-01-02,\n\
                   E3,Cid,OPS,2024-01-03,E404\n\
                   E1,Dup,OPS,2024-01-04,\n";
        let r = upload(&admin, "people", "p.csv", csv.as_bytes().to_vec()).await;
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let before = people_count(&app).await;

        // The dry run lists every problem with row and column.
        let rep: Value = run(&admin, "people", id, true).await.json().await.unwrap();
        let issues: Vec<(i64, String, String)> = rep["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["row"].as_i64().unwrap(),
                    i["column"].as_str().unwrap_or("").to_string(),
                    i["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            issues,
            vec![
                (3, "department".into(), "not_found".into()),
                (4, "manager".into(), "not_found".into()),
                (5, "employee no".into(), "duplicate".into()),
            ],
            "{b:?}"
        );

        // The commit refuses with a problem naming each row and field; nothing is written.
        let p = problem(run(&admin, "people", id, false).await, 422).await;
        assert!(names_field(&p, "rows[3].department"), "{p}");
        assert!(names_field(&p, "rows[4].manager"));
        assert!(names_field(&p, "rows[5].employee_no"));
        assert!(
            p["detail"]
                .as_str()
                .unwrap()
                .contains("row 3, column department")
        );
        assert_eq!(people_count(&app).await, before, "{b:?}: all or nothing");
        assert_eq!(audit_count(&app, "person.create").await, 0);

        // Fix the mapping instead: ignoring the manager column and… still a bad department.
        let r = admin.get(&format!("/api/v1/imports/people/{id}")).await;
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let mapping = json!({ "mapping": ["employee_no", "name", null, "hire_date", null] });
        let r = admin
            .req(
                reqwest::Method::PUT,
                &format!("/api/v1/imports/people/{id}/mapping"),
            )
            .header("if-match", &etag)
            .json(&mapping)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // A stale ETag is refused; no If-Match is 428.
        let r = admin
            .req(
                reqwest::Method::PUT,
                &format!("/api/v1/imports/people/{id}/mapping"),
            )
            .header("if-match", &etag)
            .json(&mapping)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 412);
        let p = problem(
            admin
                .req(
                    reqwest::Method::PUT,
                    &format!("/api/v1/imports/people/{id}/mapping"),
                )
                .json(&json!({ "mapping": ["salary", null, null, null, null] }))
                .header("if-match", "\"x-99\"")
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert!(names_field(&p, "mapping[0]"), "{p}");
        let rep: Value = run(&admin, "people", id, true).await.json().await.unwrap();
        assert_eq!(
            rep["issues"].as_array().unwrap().len(),
            1,
            "only the duplicate is left"
        );
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_may_not_import_and_imports_are_private() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("lead", Role::Admin).await);
        let member = app.api(&app.user_with_token("mona", Role::Member).await);
        let other_admin = app.api(&app.user_with_token("lead2", Role::Admin).await);
        let csv = b"employee_no,name\nE1,Ann\n".to_vec();
        problem(upload(&member, "people", "p.csv", csv.clone()).await, 403).await;
        problem(member.get("/api/v1/imports/people/template").await, 403).await;
        problem(upload(&admin, "salaries", "p.csv", csv.clone()).await, 404).await;
        let r = upload(&admin, "people", "p.csv", csv).await;
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        // Another user (even an admin) does not see someone else's upload.
        problem(
            other_admin
                .get(&format!("/api/v1/imports/people/{id}"))
                .await,
            404,
        )
        .await;
        problem(run(&other_admin, "people", id, false).await, 404).await;
        problem(run(&member, "people", id, false).await, 403).await;
        assert_eq!(people_count(&app).await, 0, "{b:?}");
        // After a day the upload is gone: not readable, and purged by housekeeping.
        let clock = app.srv.as_ref().unwrap().manual_clock.clone().unwrap();
        assert_eq!(
            admin
                .get(&format!("/api/v1/imports/people/{id}"))
                .await
                .status(),
            200
        );
        clock.advance_ms(imports::service::KEEP_MS + 1);
        problem(
            admin.get(&format!("/api/v1/imports/people/{id}")).await,
            404,
        )
        .await;
        let now = app.srv.as_ref().unwrap().state.now_ms();
        assert_eq!(imports::service::purge(app.db(), now).await.unwrap(), 1);
        app.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_and_wrong_files_are_refused_clearly() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("lead", Role::Admin).await);
        let p = problem(
            upload(&admin, "people", "p.xlsx", b"employee_no\nE1\n".to_vec()).await,
            422,
        )
        .await;
        assert!(names_field(&p, "file"), "{p}");
        let p = problem(
            upload(
                &admin,
                "people",
                "old.xls",
                vec![0xD0, 0xCF, 0x11, 0xE0, 1, 2],
            )
            .await,
            422,
        )
        .await;
        assert_eq!(p["errors"][0]["code"], "legacy_xls");
        let p = problem(
            upload(&admin, "people", "p.csv", b"\xff\xfe\xfd\xff\xff".to_vec()).await,
            422,
        )
        .await;
        assert!(
            p["errors"][0]["code"] == "encoding" || p["errors"][0]["code"] == "empty",
            "{p}"
        );
        // An XLSX whose shared strings declare an external entity (XXE).
        let ok = sheets::write_xlsx("s", &["employee_no", "name"], [["E1", "Ann"]]).unwrap();
        let evil = plant(&ok, "xl/sharedStrings.xml", br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e;</t></si></sst>"#);
        let p = problem(upload(&admin, "people", "evil.xlsx", evil).await, 422).await;
        assert_eq!(p["errors"][0]["code"], "doctype");
        // A zip bomb: 40 MiB of zeros in a 40 KiB workbook.
        let bomb = {
            use std::io::Write;
            let mut src = zip::ZipArchive::new(std::io::Cursor::new(&ok[..])).unwrap();
            let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for i in 0..src.len() {
                let mut f = src.by_index(i).unwrap();
                let n = f.name().to_string();
                let mut data = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut data).unwrap();
                out.start_file(n.as_str(), opts).unwrap();
                out.write_all(&data).unwrap();
            }
            out.start_file("xl/media/zeros.bin", opts).unwrap();
            let mb = vec![0u8; 1 << 20];
            for _ in 0..40 {
                out.write_all(&mb).unwrap();
            }
            out.finish().unwrap().into_inner()
        };
        let p = problem(upload(&admin, "people", "bomb.xlsx", bomb).await, 422).await;
        assert_eq!(p["errors"][0]["code"], "zip_bomb", "{p}");
        // A retried upload with the same Idempotency-Key is stored once.
        let send = || {
            admin
                .req(reqwest::Method::POST, "/api/v1/imports/people")
                .header("idempotency-key", "upload-1")
                .multipart(Form::new().part(
                    "file",
                    Part::bytes(b"employee_no,name\nE1,Ann\n".to_vec()).file_name("p.csv"),
                ))
        };
        let first: Value = send().send().await.unwrap().json().await.unwrap();
        let again: Value = send().send().await.unwrap().json().await.unwrap();
        assert_eq!(first["id"], again["id"], "{b:?}");
        // Over the upload limit: 413 before anything is stored.
        let big = vec![b'a'; 11 * 1024 * 1024];
        let r = upload(&admin, "people", "big.csv", big).await;
        assert_eq!(r.status(), 413);
        let mut tx = app.db().read().await.unwrap();
        let n = tx
            .count("SELECT COUNT(*) AS n FROM imports", &[])
            .await
            .unwrap();
        assert_eq!(
            n, 1,
            "{b:?}: nothing refused was kept (only the idempotent upload)"
        );
        drop(tx);
        app.stop().await;
    }
}

fn plant(bytes: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    use std::io::{Cursor, Read, Write};
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let n = f.name().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.start_file(n.as_str(), opts).unwrap();
        out.write_all(if n == name { content } else { &data })
            .unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_hold_what_the_caller_may_see_neutralised() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("lead", Role::Admin).await);
        let member = app.api(&app.user_with_token("mona", Role::Member).await);
        let a = department(&admin, "Alpha", "A", None).await;
        let z = department(&admin, "Zulu", "Z", None).await;
        // The member is a person in Alpha.
        let me: Value = member.get("/api/v1/me").await.json().await.unwrap();
        let r = admin
            .post(
                "/api/v1/people",
                &json!({ "employee_no": "M1", "name": "=HYPERLINK(\"http://evil\")", "department_id": a, "user_id": me["user"]["id"] }),
            )
            .await;
        assert_eq!(r.status(), 201, "{b:?}");
        for (title, dept) in [
            ("alpha one", a),
            ("alpha two", a),
            ("zulu secret", z),
            ("@zulu", z),
        ] {
            let r = admin
                .post(
                    "/api/v1/tasks",
                    &json!({ "title": title, "department_id": dept }),
                )
                .await;
            assert_eq!(r.status(), 201);
        }
        // 250 more in Alpha, so the export must follow more than one page.
        for i in 0..250 {
            let r = admin
                .post(
                    "/api/v1/tasks",
                    &json!({ "title": format!("bulk {i}"), "department_id": a }),
                )
                .await;
            assert_eq!(r.status(), 201);
        }
        let json: Value = member
            .get("/api/v1/tasks?limit=5")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(json["items"].as_array().unwrap().len(), 5, "{b:?} {json}");
        let csv = member.get("/api/v1/tasks?format=csv").await;
        assert_eq!(csv.status(), 200);
        assert!(
            csv.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("tasks-")
        );
        let bytes = csv.bytes().await.unwrap();
        let t = sheets::read(&bytes, &sheets::Limits::default()).unwrap();
        let titles: Vec<&str> = t.rows.iter().map(|r| r.cells[1].as_str()).collect();
        assert_eq!(
            titles.len(),
            252,
            "{b:?}: all pages of what the member sees"
        );
        assert!(titles.contains(&"alpha one") && !titles.iter().any(|t| t.contains("zulu")));
        // The same filters as the list apply.
        let x = member.get("/api/v1/tasks?format=xlsx&q=alpha").await;
        assert_eq!(
            x.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let t = sheets::read(&x.bytes().await.unwrap(), &sheets::Limits::default()).unwrap();
        assert_eq!(t.rows.len(), 2);
        // The admin's export has the formula-looking title neutralised in the raw file.
        let raw = admin
            .get("/api/v1/tasks?format=csv&q=zulu")
            .await
            .text()
            .await
            .unwrap();
        assert!(raw.contains("\r\n"));
        assert!(raw.contains(",'@zulu,"), "{raw}");
        let raw = admin
            .get("/api/v1/people?format=csv")
            .await
            .text()
            .await
            .unwrap();
        assert!(raw.contains("'=HYPERLINK(\"\"http://evil\"\")"), "{raw}");
        // Bad format values are named.
        let p = problem(admin.get("/api/v1/people?format=pdf").await, 422).await;
        assert!(names_field(&p, "format"), "{p}");
        // Departments too.
        let d = admin
            .get("/api/v1/departments?format=csv")
            .await
            .bytes()
            .await
            .unwrap();
        let t = sheets::read(&d, &sheets::Limits::default()).unwrap();
        assert_eq!(t.rows.len(), 2);
        app.stop().await;
    }
}

fn form_token(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("a CSRF field") + 20;
    html[i..].split('"').next().unwrap().to_string()
}

async fn sign_in(app: &App, username: &str) -> reqwest::Client {
    let c = reqwest::Client::builder()
        .cookie_store(true)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_pages_work_without_javascript_and_check_csrf() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("lead", Role::Admin).await);
        department(&admin, "运营部", "OPS", None).await;
        let c = sign_in(&app, "lead").await;
        let start = c
            .get(app.url("/imports/people"))
            .header("accept-language", "zh-CN")
            .send()
            .await
            .unwrap();
        assert_eq!(start.status(), 200);
        let html = start.text().await.unwrap();
        assert!(
            html.contains("enctype=\"multipart/form-data\"")
                && html.contains("/imports/people/template?format=xlsx")
        );
        let token = form_token(&html);
        let file = || {
            Part::bytes(gbk("工号,姓名,部门\nE1,张三,运营部\nE2,李四,不存在\n"))
                .file_name("人员.csv")
        };

        // Without the token (or from another site) the upload is refused and nothing is kept.
        let r = c
            .post(app.url("/imports/people"))
            .multipart(Form::new().part("file", file()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{b:?}");
        let r = c
            .post(app.url("/imports/people"))
            .header("origin", "http://evil.example")
            .multipart(
                Form::new()
                    .text("_csrf", token.clone())
                    .part("file", file()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let mut tx = app.db().read().await.unwrap();
        assert_eq!(
            tx.count("SELECT COUNT(*) AS n FROM imports", &[])
                .await
                .unwrap(),
            0
        );
        drop(tx);

        // With it: stored, and the browser is sent to the review page.
        let r = c
            .post(app.url("/imports/people"))
            .multipart(
                Form::new()
                    .text("_csrf", token.clone())
                    .part("file", file()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{b:?}");
        let review = r.headers()["location"].to_str().unwrap().to_string();
        let html = c
            .get(app.url(&review))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("name=\"col_0\"") && html.contains("value=\"employee_no\" selected"),
            "{html}"
        );

        // The commit fails on row 3's department: a 422 page naming it; nothing written.
        let run_url = format!("{review}/run");
        let r = c
            .post(app.url(&run_url))
            .form(&[("_csrf", token.as_str()), ("dry_run", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("<td>3</td><td>部门 · Department (name or code)</td>"),
            "{html}"
        );
        assert_eq!(people_count(&app).await, 0);

        // Ignore the department column (mapping form), dry run, then import.
        let version = {
            let i = html.find("name=\"version\" value=\"").unwrap() + 22;
            html[i..].split('"').next().unwrap().to_string()
        };
        let r = c
            .post(app.url(&format!("{review}/mapping")))
            .form(&[
                ("_csrf", token.as_str()),
                ("version", &version),
                ("col_0", "employee_no"),
                ("col_1", "name"),
                ("col_2", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let r = c
            .post(app.url(&run_url))
            .form(&[("_csrf", token.as_str()), ("dry_run", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            people_count(&app).await,
            0,
            "{b:?}: a dry run writes nothing"
        );
        let r = c
            .post(app.url(&run_url))
            .form(&[("_csrf", token.as_str()), ("dry_run", "0")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("id=\"result\""));
        assert_eq!(people_count(&app).await, 2);

        // The list page exports what it shows.
        let r = c
            .get(app.url("/people?q=E1&format=xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let t = sheets::read(&r.bytes().await.unwrap(), &sheets::Limits::default()).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].cells[0], "E1");
        let r = c.get(app.url("/tasks?format=csv")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let r = c
            .get(app.url("/departments?format=csv"))
            .send()
            .await
            .unwrap();
        assert!(r.text().await.unwrap().contains("运营部"));
        app.stop().await;
    }
}
