//! `spawn` starts opsdesk on 127.0.0.1:0 with a fresh database of the chosen backend.
#![allow(dead_code)]
use db::Backend;
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use std::path::PathBuf;

pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

pub struct App {
    pub srv: Option<server::Server>,
    pub base: String,
    pub backend: Backend,
    pg_name: Option<String>,
    dir: PathBuf,
}

pub async fn spawn(backend: Backend) -> App {
    spawn_with(backend, |_| {}).await
}

/// `spawn` with a configuration change (trusted proxies, timeouts…) applied before start.
pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut server::ServeConfig)) -> App {
    let dir = std::env::temp_dir().join(format!("opsdesk-it-{}", db::random_hex(6)));
    let mut cfg = server::ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        shutdown_grace: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    cfg.db.data_dir = dir.clone();
    let mut pg_name = None;
    if backend == Backend::Postgres {
        let name = format!("opsdesk_it_{}", db::random_hex(6));
        cfg.db.url = Some(db::testing::create_pg_database(&name).await);
        cfg.db.pg_pool_size = 8;
        pg_name = Some(name);
    }
    cfg.test_clock_start_ms = Some(1_780_000_000_000);
    tweak(&mut cfg);
    let srv = server::start(cfg).await.expect("server starts");
    let base = format!("http://{}", srv.addr);
    App {
        srv: Some(srv),
        base,
        backend,
        pg_name,
        dir,
    }
}

impl App {
    pub fn db(&self) -> &db::Db {
        &self.srv.as_ref().unwrap().state.db
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a user with a role and returns an API token for them.
    pub async fn user_with_token(&self, username: &str, role: kernel::Role) -> String {
        let now = 1_780_000_000_000;
        identity::service::create_user_cli(
            self.db(),
            now,
            username,
            role,
            "correct horse battery staple",
        )
        .await
        .expect("user created");
        identity::service::create_token_cli(self.db(), now, username, "test")
            .await
            .expect("token")
    }

    pub fn api(&self, token: &str) -> Api {
        Api {
            base: self.base.clone(),
            token: token.to_string(),
            client: Client::new(),
        }
    }

    /// Moves the server's injectable clock forward through `POST /test/clock`.
    pub async fn advance_clock(&self, ms: i64) {
        let r = Client::new()
            .post(self.url("/test/clock"))
            .json(&json!({ "advance_ms": ms }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the test clock moves");
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.srv.take() {
            s.stop().await;
        }
        if let Some(name) = self.pg_name.take() {
            db::testing::drop_pg_database(&name).await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A JSON API client authenticated with a personal token.
pub struct Api {
    pub base: String,
    pub token: String,
    pub client: Client,
}

impl Api {
    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }
    pub async fn get(&self, path: &str) -> Response {
        self.req(reqwest::Method::GET, path).send().await.unwrap()
    }
    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.req(reqwest::Method::POST, path)
            .json(body)
            .send()
            .await
            .unwrap()
    }
    pub async fn patch(&self, path: &str, body: &Value, if_match: Option<&str>) -> Response {
        let mut r = self.req(reqwest::Method::PATCH, path).json(body);
        if let Some(m) = if_match {
            r = r.header("If-Match", m);
        }
        r.send().await.unwrap()
    }
}

/// Asserts an RFC 9457 problem with the status, and returns its body.
pub async fn problem(r: Response, status: u16) -> Value {
    assert_eq!(r.status(), StatusCode::from_u16(status).unwrap(), "status");
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "problem content type"
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], json!(status));
    assert!(v["type"].as_str().unwrap().starts_with("/problems/"));
    v
}

pub fn names_field(p: &Value, field: &str) -> bool {
    p["errors"]
        .as_array()
        .is_some_and(|a| a.iter().any(|e| e["field"] == field))
}
