//! Mass assignment and field visibility: fields a caller may not set (role, department, owner,
//! account links, ids, versions, creators) are refused with the field named and nothing changes;
//! fields nobody may see (password hashes, token secrets and digests, session or CSRF values)
//! never appear in any API answer of any module.
use crate::common::*;
use kernel::Role;
use serde_json::{Value, json};

async fn etag(api: &Api, path: &str) -> String {
    let r = api.get(path).await;
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.headers()["etag"].to_str().unwrap().to_string()
}

async fn uid(api: &Api) -> i64 {
    body(api, "/api/v1/me").await["user"]["id"]
        .as_i64()
        .unwrap()
}

async fn body(api: &Api, path: &str) -> Value {
    api.get(path).await.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fields_a_role_may_not_set_are_refused_and_nothing_changes() {
    for b in BACKENDS {
        let app = spawn(b).await;
        let admin = app.api(&app.user_with_token("boss", Role::Admin).await);
        let member = app.api(&app.user_with_token("mia", Role::Member).await);
        let manager = app.api(&app.user_with_token("max", Role::Manager).await);
        let loner = app.api(&app.user_with_token("lone", Role::Viewer).await);
        let dept = |name: &str| json!({"name": name});
        let a: Value = admin
            .post("/api/v1/departments", &dept("A"))
            .await
            .json()
            .await
            .unwrap();
        let bd: Value = admin
            .post("/api/v1/departments", &dept("B"))
            .await
            .json()
            .await
            .unwrap();
        let (a, bd) = (a["id"].as_i64().unwrap(), bd["id"].as_i64().unwrap());
        let (mia, max, lone) = (uid(&member).await, uid(&manager).await, uid(&loner).await);
        let person = |user: i64, no: &str, d: i64| {
            let admin = &admin;
            let no = no.to_string();
            async move {
                let p: Value = admin
                    .post(
                        "/api/v1/people",
                        &json!({"employee_no": no, "name": no, "department_id": d, "user_id": user}),
                    )
                    .await
                    .json()
                    .await
                    .unwrap();
                p["id"].as_i64().unwrap()
            }
        };
        let mia_p = person(mia, "E1", a).await;
        person(max, "E2", a).await;

        // Unknown or server-owned fields on create: 422 naming the field, nothing created.
        for extra in ["id", "created_by", "version", "created_at", "owner"] {
            let mut t = json!({"title": format!("mass {extra}"), "department_id": a});
            t[extra] = json!(1);
            let p = problem(member.post("/api/v1/tasks", &t).await, 422).await;
            assert!(names_field(&p, extra), "{b:?}: {extra} named: {p}");
        }
        let list = body(&admin, "/api/v1/tasks").await;
        assert_eq!(
            list["items"].as_array().unwrap().len(),
            0,
            "{b:?}: nothing created"
        );

        // A member creating in another department, or editing their own person's
        // organisational fields: refused, and the record is as it was.
        problem(
            member
                .post(
                    "/api/v1/tasks",
                    &json!({"title": "elsewhere", "department_id": bd}),
                )
                .await,
            403,
        )
        .await;
        let path = format!("/api/v1/people/{mia_p}");
        let before = body(&admin, &path).await;
        for (field, value) in [
            ("department_id", json!(bd)),
            ("user_id", json!(lone)),
            ("manager_id", json!(mia_p)),
            ("employee_no", json!("E999")),
            ("position", json!("CEO")),
            ("active", json!(false)),
        ] {
            let e = etag(&member, &path).await;
            let p = problem(
                member
                    .patch(&path, &json!({ field: value }), Some(&e))
                    .await,
                403,
            )
            .await;
            assert!(
                p["detail"].as_str().unwrap_or("").contains(field),
                "{b:?}: the refusal names {field}: {p}"
            );
        }
        assert_eq!(
            body(&admin, &path).await,
            before,
            "{b:?}: the person is unchanged"
        );

        // A manager may not link accounts (that would move someone's scope), neither on create
        // nor on edit.
        problem(
            manager
                .post(
                    "/api/v1/people",
                    &json!({"employee_no": "E3", "name": "x", "department_id": a, "user_id": lone}),
                )
                .await,
            403,
        )
        .await;
        let e = etag(&manager, &path).await;
        problem(
            manager
                .patch(&path, &json!({"user_id": lone}), Some(&e))
                .await,
            403,
        )
        .await;
        assert_eq!(body(&admin, &path).await, before, "{b:?}: still unchanged");

        // Own account: role and disabled are not preferences.
        for (field, value) in [
            ("role", json!("admin")),
            ("disabled", json!(false)),
            ("username", json!("root")),
        ] {
            let p = problem(
                member
                    .req(reqwest::Method::PATCH, "/api/v1/me/preferences")
                    .json(&json!({ field: value }))
                    .send()
                    .await
                    .unwrap(),
                422,
            )
            .await;
            assert!(names_field(&p, field), "{b:?}: {p}");
        }
        let me = body(&member, "/api/v1/me").await;
        assert_eq!(me["user"]["role"], "member", "{b:?}: still a member");
        // And an account's role is for admins only, even one's own.
        let upath = format!("/api/v1/users/{mia}");
        let e = etag(&member, &upath).await;
        problem(
            member
                .patch(&upath, &json!({"role": "admin"}), Some(&e))
                .await,
            403,
        )
        .await;
        assert_eq!(body(&member, "/api/v1/me").await["user"]["role"], "member");

        // Tokens belong to their creator: no user_id on create.
        let p = problem(
            member
                .post("/api/v1/tokens", &json!({"name": "t", "user_id": max}))
                .await,
            422,
        )
        .await;
        assert!(names_field(&p, "user_id"), "{b:?}: {p}");
        app.stop().await;
    }
}

/// Walks every JSON answer for keys that must never leave the server.
fn secret_keys(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let lk = k.to_lowercase();
                if [
                    "password", "hash", "phc", "digest", "session", "csrf", "salt",
                ]
                .iter()
                .any(|s| lk.contains(s))
                {
                    out.push(format!("{at}.{k}"));
                }
                secret_keys(x, &format!("{at}.{k}"), out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| secret_keys(x, at, out)),
        _ => {}
    }
}

/// Every GET in the OpenAPI document, for every module (new ones included), as an admin on a
/// populated database: no answer carries a secret-bearing field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_api_answer_carries_secret_fields() {
    let app = spawn(db::Backend::Sqlite).await;
    let token = app.user_with_token("boss", Role::Admin).await;
    let admin = app.api(&token);
    let created: Value = admin
        .post("/api/v1/tokens", &json!({"name": "second"}))
        .await
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_string();
    let d: Value = admin
        .post("/api/v1/departments", &json!({"name": "A"}))
        .await
        .json()
        .await
        .unwrap();
    let me = body(&admin, "/api/v1/me").await;
    admin
        .post(
            "/api/v1/people",
            &json!({"employee_no": "E1", "name": "boss", "department_id": d["id"], "user_id": me["user"]["id"]}),
        )
        .await;
    admin.post("/api/v1/tasks", &json!({"title": "t"})).await;
    let doc: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut found = Vec::new();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        // Object paths: the first object the matching list shows, else id 1.
        let concrete = path.replace("{id}", "1");
        let r = admin.get(&concrete).await;
        if !r.status().is_success() {
            continue;
        }
        let text = r.text().await.unwrap();
        assert!(
            !text.contains(&token) && !text.contains(&secret),
            "{path} shows a token secret"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        secret_keys(&v, path, &mut found);
        checked += 1;
    }
    assert!(checked >= 10, "answers were checked ({checked})");
    assert!(
        found.is_empty(),
        "secret-bearing fields in API answers: {found:?}"
    );
    app.stop().await;
}
