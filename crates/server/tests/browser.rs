//! A real browser (Debian's headless Chromium through chromedriver): sign in, create a task, move
//! it on the board with the keyboard-friendly form, and see the page in the other language.
use crate::common::*;
use fantoccini::{ClientBuilder, Locator};
use kernel::Role;
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_driver() -> (Driver, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (scripts/test.sh installs Debian's chromium-driver)");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (Driver(child), url)
}

/// Headless Chromium through chromedriver; keep the `Driver` alive while the client is used.
pub async fn headless() -> (Driver, fantoccini::Client) {
    let (driver, url) = start_driver().await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", "--window-size=1280,900", "--lang=en-US"]}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let c = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("a browser session");
    (driver, c)
}

/// Signs in through the real form.
pub async fn browser_sign_in(c: &fantoccini::Client, app: &App, username: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("correct horse battery staple")
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/login'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("nav.side"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sign_in_create_task_move_it_and_switch_language() {
    let app = spawn(db::Backend::Sqlite).await;
    let api = app.api(&app.user_with_token("lead", Role::Admin).await);
    let r = api
        .post(
            "/api/v1/departments",
            &json!({"name": "客服部 Customer Service", "code": "CS"}),
        )
        .await;
    assert_eq!(r.status(), 201);

    let (_driver, c) = headless().await;
    browser_sign_in(&c, &app, "lead").await;

    c.goto(&app.url("/tasks/new")).await.unwrap();
    c.find(Locator::Css("input[name=title]"))
        .await
        .unwrap()
        .send_keys("浏览器任务 Browser task")
        .await
        .unwrap();
    c.find(Locator::Css("form[action='/tasks'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Wait for the new page, not the form's own h1 (which is there before the POST returns).
    c.wait()
        .for_element(Locator::XPath("//main//h1[contains(., 'Browser task')]"))
        .await
        .unwrap();
    let h1 = c
        .find(Locator::Css("main h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("Browser task"), "the new task's page: {h1}");

    // Move it on the board without dragging: the card's own "Move to" form.
    c.goto(&app.url("/tasks/board")).await.unwrap();
    let card = c
        .find(Locator::XPath(
            "//*[contains(@class,'cardlet')][contains(., 'Browser task')]",
        ))
        .await
        .unwrap();
    let select = card
        .find(Locator::Css("select[name=status]"))
        .await
        .unwrap();
    select.select_by_value("doing").await.unwrap();
    card.find(Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Wait for the Doing column *with* the card: the old page has a Doing column too, and
    // reading it while the new board replaces it is a stale element.
    let doing = c
        .wait()
        .for_element(Locator::XPath(
            "//*[contains(@class,'column')][@data-status='doing'][contains(., 'Browser task')]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        doing.contains("Browser task"),
        "the card is in the Doing column: {doing}"
    );

    // Switch the language with the header's button; the board comes back in Chinese.
    c.find(Locator::Css("button[name=locale]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("html[lang='zh-CN']"))
        .await
        .unwrap();
    let body = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        body.contains("进行中") && body.contains("看板"),
        "Chinese board: {body}"
    );

    c.close().await.unwrap();
    app.stop().await;
}

/// The team pages added by issue 5's follow-up at a phone's width (360 CSS px, Chromium's
/// mobile emulation): none scrolls sideways as a whole (wide tables scroll inside their
/// `.table-wrap`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_pages_fit_a_360px_phone() {
    let app = spawn(db::Backend::Sqlite).await;
    let api = app.api(&app.user_with_token("lead", Role::Admin).await);
    let post = async |path: &str, body: serde_json::Value| {
        let r = api.post(path, &body).await;
        assert_eq!(r.status(), 201, "{path}");
        r.json::<serde_json::Value>().await.unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let dept = post(
        "/api/v1/departments",
        json!({"name": "运营部 Operations and logistics"}),
    )
    .await;
    let me = api
        .get("/api/v1/me")
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let person = post(
        "/api/v1/people",
        json!({"employee_no": "E1", "name": "Zhang San", "name_zh": "张三", "department_id": dept,
               "position": "仓库管理员 Warehouse clerk", "user_id": me["user"]["id"]}),
    )
    .await;
    let skill = post(
        "/api/v1/skills",
        json!({"name": "叉车操作 Forklift operation", "category": "仓储 Warehouse"}),
    )
    .await;
    let course = post(
        "/api/v1/courses",
        json!({"title": "叉车安全操作规程 Forklift safety procedures, level 2", "skill_id": skill, "certificate_months": 12}),
    )
    .await;
    let session = post(
        "/api/v1/training-sessions",
        json!({"course_id": course, "starts_on": "2027-03-01", "ends_on": "2027-03-02", "trainer_id": person,
               "location": "上海市浦东新区仓储中心二号楼培训室", "capacity": 20}),
    )
    .await;
    let leave = post(
        "/api/v1/leaves",
        json!({"person_id": person, "start_date": "2027-01-04", "end_date": "2027-01-08", "kind": "annual",
               "note": "春节前探亲假 family visit before the Spring Festival"}),
    )
    .await;

    let (_driver, url) = start_driver().await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--no-first-run", "--lang=en-US"],
               "mobileEmulation": {"deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 2.0}}}),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("a browser session");
    browser_sign_in(&c, &app, "lead").await;
    for path in [
        "/training".to_string(),
        format!("/training/sessions/{session}"),
        format!("/training/sessions/{session}/skill-gaps?department_id={dept}"),
        format!("/training/courses/{course}/edit"),
        "/capacity/leaves".to_string(),
        format!("/capacity/leaves/{leave}/edit"),
        "/skills/matrix".to_string(),
        "/imports/skill-levels".to_string(),
        "/imports/training-records".to_string(),
    ] {
        c.goto(&app.url(&path)).await.unwrap();
        // A page wider than the device makes Chromium widen the layout viewport, so compare
        // with the device's 360 px and name what sticks out.
        let v = c
            .execute(
                "return [document.documentElement.scrollWidth, Array.from(document.querySelectorAll('body *')) \
                 .filter(e => e.getBoundingClientRect().right > 361).slice(-4) \
                 .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))];",
                vec![],
            )
            .await
            .unwrap();
        let scroll = v[0].as_i64().unwrap();
        assert!(
            scroll <= 360,
            "{path}: the page is {scroll} px wide: {}",
            v[1]
        );
    }
    c.close().await.unwrap();
    app.stop().await;
}
