//! A 360° review cycle end to end in a real browser, as six people taking turns at one browser:
//! the HR admin creates the cycle from the page form and moves its phases, the reviewee writes a
//! self review and nominates three peers (a second reviewee nominates two), the manager approves
//! them, each peer answers, the manager reviews and rates; at calibration the manager sees the
//! peers' aggregate for the reviewee with three answers and "too few responses" for the one with
//! two, and HR adjusts a rating with a reason; at sign-off the manager records the outcome; once
//! results are shared the reviewee reads the outcome and the anonymous aggregate (no peer named,
//! no calibration reason) and acknowledges. The API is used only to set up the organisation and
//! to check what the clicks stored.
use crate::browser::{browser_sign_in, headless};
use crate::common::*;
use fantoccini::{Client, Locator};
use kernel::Role;
use serde_json::{Value, json};

const PEERS: [&str; 3] = ["Qingfeng Peer", "Mingyue Peer", "Songtao Peer"];

async fn ok(r: reqwest::Response, what: &str) -> Value {
    let s = r.status();
    let body = r.text().await.unwrap();
    assert!(s.is_success(), "{what}: {s} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// A user account with a linked person record; returns the person's id.
async fn person(
    app: &App,
    admin: &Api,
    username: &str,
    name: &str,
    role: Role,
    dept: i64,
    manager: Option<i64>,
) -> i64 {
    let token = app.user_with_token(username, role).await;
    let me = ok(app.api(&token).get("/api/v1/me").await, "me").await;
    ok(
        admin
            .post(
                "/api/v1/people",
                &json!({"employee_no": format!("E-{username}"), "name": name, "department_id": dept,
                        "user_id": me["user"]["id"], "manager_id": manager}),
            )
            .await,
        "person",
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// Signs out by forgetting the session cookie, then signs in as `username`.
async fn switch_to(c: &Client, app: &App, username: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.delete_all_cookies().await.unwrap();
    browser_sign_in(c, app, username).await;
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Clicks `button` and waits for the page that proves the click landed (`then`, an XPath).
async fn click_then(c: &Client, button: &str, then: &str) {
    c.find(Locator::Css(button))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::XPath(then))
        .await
        .unwrap_or_else(|e| panic!("after clicking {button}, waiting for {then}: {e}"));
}

/// Opens the caller's one pending request from the reviews hub, answers every rating question
/// with `rating` and every text question with `text`, and submits.
async fn answer_my_request(c: &Client, app: &App, reviewee: &str, rating: u8, text: &str) {
    c.goto(&app.url("/reviews")).await.unwrap();
    c.find(Locator::XPath(&format!(
        "//a[starts-with(@href,'/reviews/requests/')][contains(., '{reviewee}')]"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait()
        .for_element(Locator::Css("button[name=action][value=submit]"))
        .await
        .unwrap();
    for radio in c
        .find_all(Locator::Css(&format!(
            "form input[type=radio][value='{rating}']"
        )))
        .await
        .unwrap()
    {
        radio.click().await.unwrap();
    }
    for area in c.find_all(Locator::Css("form textarea")).await.unwrap() {
        area.send_keys(text).await.unwrap();
    }
    // Submitted answers come back read-only: the form's fields are disabled.
    click_then(
        c,
        "button[name=action][value=submit]",
        "//form//input[@type='radio'][@disabled]",
    )
    .await;
}

/// On the review's page, nominates `peers` (the reviewee's form) and waits for the list.
async fn nominate(c: &Client, app: &App, review: i64, peers: &[i64]) {
    c.goto(&app.url(&format!("/reviews/{review}")))
        .await
        .unwrap();
    c.execute(
        "for (const o of document.querySelectorAll('#person_id option')) \
           o.selected = arguments[0].includes(Number(o.value));",
        vec![json!(peers)],
    )
    .await
    .unwrap();
    click_then(
        c,
        &format!("form[action='/reviews/{review}/peers'] button[type=submit]"),
        &format!(
            "//main[count(.//li[contains(., ' Peer')]) = {}]",
            peers.len()
        ),
    )
    .await;
}

async fn move_phase(c: &Client, app: &App, cycle: i64, phase: &str) {
    c.goto(&app.url(&format!("/reviews/cycles/{cycle}")))
        .await
        .unwrap();
    c.find(Locator::Id("phase"))
        .await
        .unwrap()
        .select_by_value(phase)
        .await
        .unwrap();
    // A reviewee with fewer peers than the minimum: HR ticks the override the page offers.
    for b in c
        .find_all(Locator::Css("input[name=override_peers_min]"))
        .await
        .unwrap()
    {
        b.click().await.unwrap();
    }
    click_then(
        c,
        &format!("form[action='/reviews/cycles/{cycle}/phase'] button[type=submit]"),
        &format!("//select[@id='phase']/option[@value='{phase}'][@selected]"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_360_review_cycle_end_to_end() {
    let app = spawn(db::Backend::Sqlite).await;
    let admin_token = app.user_with_token("hradmin", Role::Admin).await;
    let admin = app.api(&admin_token);
    let dept = async |name: &str| {
        ok(
            admin
                .post("/api/v1/departments", &json!({ "name": name }))
                .await,
            "department",
        )
        .await["id"]
            .as_i64()
            .unwrap()
    };
    let hq = dept("HQ").await;
    let ops = dept("Ops").await;
    let boss = person(&app, &admin, "boss", "Boss Li", Role::Manager, hq, None).await;
    let rev = person(
        &app,
        &admin,
        "rev",
        "Reviewee Wang",
        Role::Member,
        ops,
        Some(boss),
    )
    .await;
    let few = person(
        &app,
        &admin,
        "few",
        "Second Zhou",
        Role::Member,
        ops,
        Some(boss),
    )
    .await;
    let mut peers = Vec::new();
    for (i, name) in PEERS.iter().enumerate() {
        peers.push(
            person(
                &app,
                &admin,
                &format!("peer{i}"),
                name,
                Role::Member,
                hq,
                None,
            )
            .await,
        );
    }

    let (_driver, c) = headless().await;

    // HR creates the cycle for the Ops department from the page form.
    browser_sign_in(&c, &app, "hradmin").await;
    c.goto(&app.url("/reviews/cycles/new")).await.unwrap();
    c.find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("2026 H2 360 review")
        .await
        .unwrap();
    for (id, date) in [
        ("period_start", "2026-07-01"),
        ("period_end", "2026-12-31"),
        ("self_due", "2026-12-05"),
        ("nomination_due", "2026-12-08"),
        ("feedback_due", "2026-12-15"),
        ("calibration_due", "2026-12-20"),
        ("signoff_due", "2026-12-24"),
        ("shared_on", "2026-12-31"),
    ] {
        // Date inputs take keystrokes in the browser's locale format; the value is ISO.
        c.execute(
            "document.getElementById(arguments[0]).value = arguments[1];",
            vec![json!(id), json!(date)],
        )
        .await
        .unwrap();
    }
    c.find(Locator::Id("department_id"))
        .await
        .unwrap()
        .select_by_value(&ops.to_string())
        .await
        .unwrap();
    click_then(
        &c,
        "form[action='/reviews/cycles'] button[type=submit]",
        "//main//h1[contains(., '2026 H2 360 review')]",
    )
    .await;
    let url = c.current_url().await.unwrap();
    let cycle: i64 = url
        .path()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("the cycle's page: {url}"));
    let reviews = ok(
        admin
            .get(&format!("/api/v1/review-cycles/{cycle}/reviews"))
            .await,
        "reviews",
    )
    .await;
    let items = reviews["items"].as_array().unwrap_or_else(|| {
        reviews
            .as_array()
            .unwrap_or_else(|| panic!("reviews: {reviews}"))
    });
    assert_eq!(items.len(), 2, "only Ops takes part: {reviews}");
    let review_of = |person: i64| {
        items
            .iter()
            .find(|r| r["person_id"] == person)
            .unwrap_or_else(|| panic!("a review of {person}: {reviews}"))["id"]
            .as_i64()
            .unwrap()
    };
    let (review, few_review) = (review_of(rev), review_of(few));

    // The reviewee writes the self review, then nominates three peers.
    switch_to(&c, &app, "rev").await;
    answer_my_request(
        &c,
        &app,
        "Reviewee Wang",
        4,
        "我推动了工单自动分派 I automated ticket routing",
    )
    .await;
    nominate(&c, &app, review, &peers).await;
    switch_to(&c, &app, "few").await;
    nominate(&c, &app, few_review, &peers[..2]).await;

    // HR opens nominations; the manager approves each peer on the review's page.
    switch_to(&c, &app, "hradmin").await;
    move_phase(&c, &app, cycle, "nomination").await;
    switch_to(&c, &app, "boss").await;
    for (r, n) in [(review, PEERS.len()), (few_review, 2)] {
        c.goto(&app.url(&format!("/reviews/{r}"))).await.unwrap();
        for left in (0..n).rev() {
            let approve = "button[name=approve][value='1']";
            c.find(Locator::Css(approve))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            c.wait()
                .for_element(Locator::XPath(&format!(
                    "//main[count(.//button[@name='approve'][@value='1']) = {left}]"
                )))
                .await
                .unwrap();
        }
    }

    // Feedback: each peer answers, then the manager writes the manager review and rates.
    switch_to(&c, &app, "hradmin").await;
    move_phase(&c, &app, cycle, "feedback").await;
    for (i, rating) in [(0, 5), (1, 4), (2, 3)] {
        switch_to(&c, &app, &format!("peer{i}")).await;
        answer_my_request(
            &c,
            &app,
            "Reviewee Wang",
            rating,
            &format!("同事意见{i} peer remark {i}"),
        )
        .await;
        if i < 2 {
            answer_my_request(&c, &app, "Second Zhou", 2, &format!("few remark {i}")).await;
        }
    }
    switch_to(&c, &app, "boss").await;
    answer_my_request(&c, &app, "Reviewee Wang", 4, "Solid half year").await;
    c.goto(&app.url(&format!("/reviews/{review}")))
        .await
        .unwrap();
    c.find(Locator::Id("manager_rating"))
        .await
        .unwrap()
        .select_by_value("4")
        .await
        .unwrap();
    c.find(Locator::Id("proposed_rating"))
        .await
        .unwrap()
        .select_by_value("4")
        .await
        .unwrap();
    c.find(Locator::Id("manager_comment"))
        .await
        .unwrap()
        .send_keys("继续保持 Keep it up")
        .await
        .unwrap();
    click_then(
        &c,
        &format!("form[action='/reviews/{review}/rate'] button[type=submit]"),
        "//select[@id='manager_rating']/option[@value='4'][@selected]",
    )
    .await;

    // Calibration: the manager sees the peers' aggregate (3 responses = the threshold).
    switch_to(&c, &app, "hradmin").await;
    move_phase(&c, &app, cycle, "calibration").await;
    switch_to(&c, &app, "boss").await;
    c.goto(&app.url(&format!("/reviews/{review}")))
        .await
        .unwrap();
    let seen = body_text(&c).await;
    assert!(
        seen.contains("4.00"),
        "the peers' mean overall rating (5, 4, 3): {seen}"
    );
    for i in 0..3 {
        assert!(seen.contains(&format!("peer remark {i}")), "{seen}");
    }
    // Two answers are below the threshold of three: nothing of them is shown.
    c.goto(&app.url(&format!("/reviews/{few_review}")))
        .await
        .unwrap();
    let seen = body_text(&c).await;
    assert!(
        seen.contains("Too few responses") && seen.contains("n = 2 < k = 3"),
        "{seen}"
    );
    assert!(!seen.contains("few remark"), "{seen}");

    // HR calibrates the reviewee's rating 4 → 5 with a reason; the trail records it.
    switch_to(&c, &app, "hradmin").await;
    c.goto(&app.url(&format!("/reviews/cycles/{cycle}/calibration")))
        .await
        .unwrap();
    c.find(Locator::Id(&format!("rating_{review}")))
        .await
        .unwrap()
        .select_by_value("5")
        .await
        .unwrap();
    c.find(Locator::Id(&format!("reason_{review}")))
        .await
        .unwrap()
        .send_keys("主导工单分派项目 Led the routing project")
        .await
        .unwrap();
    click_then(
        &c,
        &format!("form[action='/reviews/{review}/calibrate'] button[type=submit]"),
        "//td[contains(., 'Led the routing project')]",
    )
    .await;

    // Sign-off: the manager records the outcome with a development item.
    move_phase(&c, &app, cycle, "signoff").await;
    switch_to(&c, &app, "boss").await;
    c.goto(&app.url(&format!("/reviews/{review}")))
        .await
        .unwrap();
    c.find(Locator::Id("recommendation"))
        .await
        .unwrap()
        .select_by_value("raise_band")
        .await
        .unwrap();
    c.find(Locator::Id("item_text_0"))
        .await
        .unwrap()
        .send_keys("带教一名新同事 Mentor a new colleague")
        .await
        .unwrap();
    click_then(
        &c,
        &format!("form[action='/reviews/{review}/outcome'] button[type=submit]"),
        "//li[contains(., 'Mentor a new colleague')]",
    )
    .await;

    // Shared: the reviewee reads the result — no peer named anywhere — and acknowledges.
    switch_to(&c, &app, "hradmin").await;
    move_phase(&c, &app, cycle, "shared").await;
    switch_to(&c, &app, "rev").await;
    c.goto(&app.url(&format!("/reviews/{review}")))
        .await
        .unwrap();
    let seen = body_text(&c).await;
    assert!(seen.contains("Keep it up"), "the manager's comment: {seen}");
    assert!(
        seen.contains("Final rating: 5") && seen.contains("Raise band"),
        "the calibrated outcome: {seen}"
    );
    assert!(seen.contains("Mentor a new colleague"), "{seen}");
    assert!(
        !seen.contains("Led the routing project"),
        "calibration reasons stay with the calibrators: {seen}"
    );
    for i in 0..3 {
        assert!(seen.contains(&format!("peer remark {i}")), "{seen}");
    }
    for name in PEERS {
        assert!(
            !seen.contains(name) && !seen.contains(name.split(' ').next().unwrap()),
            "a peer is named on the shared result: {name}: {seen}"
        );
    }
    c.find(Locator::Id("reviewee_comment"))
        .await
        .unwrap()
        .send_keys("谢谢 Thanks")
        .await
        .unwrap();
    click_then(
        &c,
        &format!("form[action='/reviews/{review}/ack'] button[type=submit]"),
        "//form[contains(@action,'/ack')]//*[@role='status']",
    )
    .await;
    let stored = ok(
        admin.get(&format!("/api/v1/reviews/{review}")).await,
        "review",
    )
    .await;
    assert_eq!(stored["review"]["acknowledged"], true, "{stored}");
    assert_eq!(stored["review"]["manager_rating"], 4, "{stored}");
    let outcome = ok(
        admin
            .get(&format!("/api/v1/reviews/{review}/outcome"))
            .await,
        "outcome",
    )
    .await;
    assert_eq!(outcome["final_rating"], 5, "{outcome}");
    c.close().await.unwrap();
    app.stop().await;
}
