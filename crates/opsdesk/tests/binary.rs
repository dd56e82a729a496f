//! The real binary, on SQLite and on PostgreSQL: graceful shutdown (SIGTERM while a request is
//! in flight → that request completes, new connections are refused, and the process exits
//! within the grace period even when a client never finishes its request) and log secrecy.
//! The executable comes from the one helper the reliability harness uses too
//! (`server/tests/reliability/opsdesk_bin.rs`).
#[path = "../../server/tests/reliability/opsdesk_bin.rs"]
mod opsdesk_bin;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GRACE_S: u64 = 3;

/// One installation: a data directory, and on PostgreSQL a fresh database (dropped at the end).
struct Site {
    dir: std::path::PathBuf,
    pg: Option<(String, String)>,
}

impl Site {
    fn new(label: &str, backend: db::Backend) -> Site {
        let dir = std::env::temp_dir().join(format!("opsdesk-{label}-{}", db::random_hex(6)));
        std::fs::create_dir_all(&dir).unwrap();
        let pg = (backend == db::Backend::Postgres).then(|| {
            let name = format!("opsdesk_bin_{}", db::random_hex(6));
            let url = runtime().block_on(db::testing::create_pg_database(&name));
            (name, url)
        });
        Site { dir, pg }
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        if let Some((name, _)) = self.pg.take() {
            runtime().block_on(db::testing::drop_pg_database(&name));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn opsdesk(site: &Site) -> Command {
    let mut c = Command::new(opsdesk_bin::opsdesk_bin(false));
    c.arg("--data-dir").arg(&site.dir);
    if let Some((_, url)) = &site.pg {
        c.arg("--database-url").arg(url);
    }
    c.env_remove("OPSDESK_DATABASE_URL")
        .env_remove("OPSDESK_DATA_DIR")
        .env_remove("OPSDESK_CONFIG");
    c
}

fn cli(site: &Site, args: &[&str], stdin: &str) -> String {
    let mut child = opsdesk(site)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "opsdesk {args:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// Sends the head of a task create and the first half of its body; the rest comes later.
fn start_slow_post(addr: &str, token: &str) -> (TcpStream, Vec<u8>) {
    let body = br#"{"title": "finished during shutdown"}"#.to_vec();
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /api/v1/tasks HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    s.write_all(first).unwrap();
    s.flush().unwrap();
    (s, rest.to_vec())
}

#[test]
fn sigterm_finishes_in_flight_requests_refuses_new_ones_and_exits_within_the_grace() {
    for backend in [db::Backend::Sqlite, db::Backend::Postgres] {
        sigterm_case(&Site::new("sig", backend));
    }
}

fn sigterm_case(site: &Site) {
    cli(
        site,
        &[
            "user",
            "create",
            "lead",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    let token = cli(site, &["token", "create", "lead"], "")
        .trim()
        .to_string();

    let mut server = opsdesk(site)
        .args(["serve", "--bind", "127.0.0.1:0", "--shutdown-grace"])
        .arg(GRACE_S.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(a) = line.strip_prefix("opsdesk is ready on http://") {
            break a.trim().to_string();
        }
    };

    let (mut in_flight, rest) = start_slow_post(&addr, &token);
    // A client that never finishes: it must not hold the exit beyond the grace period.
    let (_hung, _) = start_slow_post(&addr, &token);
    std::thread::sleep(Duration::from_millis(300));

    let term_at = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(500));

    // New connections are refused once shutdown began.
    assert!(
        TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(1)).is_err(),
        "a new connection after SIGTERM is refused"
    );

    // The in-flight request completes.
    in_flight.write_all(&rest).unwrap();
    let mut answer = String::new();
    in_flight.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "the in-flight create completes: {answer}"
    );

    // The process exits by itself, successfully, within the grace period (plus a little slack
    // for closing the database).
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(
            term_at.elapsed() < Duration::from_secs(GRACE_S + 2),
            "still running {:?} after SIGTERM",
            term_at.elapsed()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "clean exit: {status}");

    // And what it acknowledged is there after a restart.
    let mut check = opsdesk(site)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(check.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(a) = line.strip_prefix("opsdesk is ready on http://") {
            break a.trim().to_string();
        }
    };
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(
        s,
        "GET /api/v1/tasks HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut list = String::new();
    s.read_to_string(&mut list).unwrap();
    let _ = check.kill();
    let _ = check.wait();
    assert_eq!(
        list.matches("finished during shutdown").count(),
        1,
        "the acknowledged task was stored once: {list}"
    );
}

/// One HTTP/1.1 exchange on a fresh connection; returns the whole answer (head and body).
fn http(addr: &str, head: &str, body: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{head}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn cookie_value(answer: &str, name: &str) -> Option<String> {
    answer.lines().find_map(|l| {
        let v = l
            .strip_prefix("set-cookie: ")
            .or_else(|| l.strip_prefix("Set-Cookie: "))?;
        let v = v.strip_prefix(&format!("{name}="))?;
        Some(v.split(';').next().unwrap().to_string())
    })
}

fn form_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html.find(&marker).expect("the field") + marker.len();
    html[i..].split('"').next().unwrap().to_string()
}

/// Debug-level JSON logs of a real process that saw sign-ins (good and bad), API tokens (good
/// and forged) and sessions: none of those secrets appear in them.
#[test]
fn logs_never_contain_passwords_tokens_or_session_ids() {
    for backend in [db::Backend::Sqlite, db::Backend::Postgres] {
        log_secrecy_case(&Site::new("logs", backend));
    }
}

fn log_secrecy_case(site: &Site) {
    let password = "correct horse battery staple";
    let wrong = "Wr0ng-secret-guess!";
    cli(
        site,
        &[
            "user",
            "create",
            "lead",
            "--role",
            "admin",
            "--password-stdin",
        ],
        &format!("{password}\n"),
    );
    let token = cli(site, &["token", "create", "lead"], "")
        .trim()
        .to_string();
    let log_path = site.dir.join("stderr.log");
    let mut server = opsdesk(site)
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--log-level",
            "debug",
            "--log-format",
            "json",
        ])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(a) = line.strip_prefix("opsdesk is ready on http://") {
            break a.trim().to_string();
        }
    };

    let login_page = http(&addr, "GET /login HTTP/1.1", "");
    let anon = cookie_value(&login_page, "opsdesk_csrf").expect("the sign-in form's cookie");
    let csrf = form_field(&login_page, "_csrf");
    let form = |pw: &str| {
        format!(
            "username=lead&password={}&_csrf={csrf}",
            pw.replace(' ', "+").replace('!', "%21")
        )
    };
    let head = format!(
        "POST /login HTTP/1.1\r\nCookie: opsdesk_csrf={anon}\r\nContent-Type: application/x-www-form-urlencoded"
    );
    let failed = http(&addr, &head, &form(wrong));
    assert!(failed.starts_with("HTTP/1.1 401"), "{failed}");
    let ok = http(&addr, &head, &form(password));
    assert!(ok.starts_with("HTTP/1.1 303"), "{ok}");
    let session = cookie_value(&ok, "opsdesk_session").expect("a session");
    let page = http(
        &addr,
        &format!("GET /tasks HTTP/1.1\r\nCookie: opsdesk_session={session}"),
        "",
    );
    assert!(page.starts_with("HTTP/1.1 200"));
    let session_csrf = form_field(&page, "_csrf");
    let api = http(
        &addr,
        &format!("GET /api/v1/tasks HTTP/1.1\r\nAuthorization: Bearer {token}"),
        "",
    );
    assert!(api.starts_with("HTTP/1.1 200"));
    let forged = "opsdesk_pat_0123456789abcdef0123456789abcdef";
    let bad = http(
        &addr,
        &format!("GET /api/v1/tasks HTTP/1.1\r\nAuthorization: Bearer {forged}"),
        "",
    );
    assert!(bad.starts_with("HTTP/1.1 401"));

    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    server.wait().unwrap();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logs.contains("INSERT INTO sessions") && logs.contains("INSERT INTO login_attempts"),
        "the process logged the sign-in's statements (else this test proves nothing): {logs}"
    );
    for (what, secret) in [
        ("password", password),
        ("password (form-encoded)", &password.replace(' ', "+")),
        ("wrong password", wrong),
        ("API token", token.as_str()),
        ("forged token", forged),
        ("session id", session.as_str()),
        ("CSRF token", session_csrf.as_str()),
        ("sign-in form token", csrf.as_str()),
    ] {
        assert!(!logs.contains(secret), "the {what} is in the logs");
    }
}

/// The JSON body of an answer from [`http`].
fn json_body(answer: &str) -> serde_json::Value {
    let body = answer.split_once("\r\n\r\n").expect("a body").1;
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

/// `opsdesk kpi push` against the real server: the points arrive through the API with the
/// token, and pushing the same file again changes nothing.
#[test]
fn kpi_push_sends_a_file_of_points_and_a_rerun_changes_nothing() {
    for backend in [db::Backend::Sqlite, db::Backend::Postgres] {
        kpi_push_case(&Site::new("push", backend));
    }
}

fn kpi_push_case(site: &Site) {
    cli(
        site,
        &[
            "user",
            "create",
            "lead",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "correct horse battery staple\n",
    );
    let token = cli(site, &["token", "create", "lead"], "")
        .trim()
        .to_string();
    let mut server = opsdesk(site)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(a) = line.strip_prefix("opsdesk is ready on http://") {
            break a.trim().to_string();
        }
    };
    let auth = format!("Authorization: Bearer {token}\r\nContent-Type: application/json");
    let created = http(
        &addr,
        &format!("POST /api/v1/kpis HTTP/1.1\r\n{auth}"),
        r#"{"code": "orders", "name": "Orders", "unit": "count", "direction": "higher",
            "aggregation": "sum", "frequency": "monthly", "scope": "company"}"#,
    );
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let id = json_body(&created)["id"].as_i64().unwrap();
    let file = site.dir.join("orders.csv");
    std::fs::write(
        &file,
        "日期,实际值\n2026-01,\"1,200\"\n2026-02-10,300\n2026-02-20,50\n2026-03,\n",
    )
    .unwrap();
    let url = format!("http://{addr}");
    let push = || {
        let out = opsdesk(site)
            .args(["kpi", "push", "--url", &url, "--kpi", "orders"])
            .arg(&file)
            .env("OPSDESK_TOKEN", &token)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "push: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };
    let periods = || {
        let answer = http(
            &addr,
            &format!("GET /api/v1/kpis/{id}/periods HTTP/1.1\r\n{auth}"),
            "",
        );
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        json_body(&answer)["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["period"].to_string(), p["value"].to_string()))
            .collect::<Vec<_>>()
    };
    let first = push();
    assert!(
        first.contains("3 points for orders (source cli): 3 inserted, 0 updated, 0 unchanged"),
        "{first}"
    );
    let after_first = periods();
    assert!(
        after_first.contains(&("\"2026-01\"".into(), "1200.0".into()))
            && after_first.contains(&("\"2026-02\"".into(), "350.0".into())),
        "{after_first:?}"
    );
    let second = push();
    assert!(
        second.contains("0 inserted, 0 updated, 3 unchanged, 0 deleted"),
        "{second}"
    );
    assert_eq!(periods(), after_first, "a re-run changes nothing");
    // A code the token's user cannot find is an error, not an empty push.
    let out = opsdesk(site)
        .args([
            "kpi", "push", "--url", &url, "--kpi", "nope", "--token", &token,
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no KPI with the code nope"));
    let _ = server.kill();
    let _ = server.wait();
}
