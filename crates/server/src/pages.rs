//! Pages owned by the server itself: sign-in, sign-out, first-run setup, preferences, the home
//! overview and the not-found page; module pages are merged in here.
use crate::context::{LOCALE_COOKIE, THEME_COOKIE, cookie_header};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kernel::{AppError, Locale};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req, Theme};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/setup", get(setup_form).post(setup))
        .route("/prefs", post(prefs))
        .merge(identity::pages::router())
        .merge(notify::pages::router())
        .merge(team::pages::router())
        .merge(team::hiring::pages::router())
        .merge(team::training::pages::router())
        .merge(team::recognition::pages::router())
        .merge(team::one_on_one::pages::router())
        .merge(work::pages::router())
        .merge(performance::kpi::pages::router())
        .merge(imports::pages::router(crate::openapi::import_registry()))
        .merge(team::capability_pages())
        .merge(work::assign::pages::router())
        .merge(performance::goals::pages::router())
        .merge(performance::scorecards::pages::router())
        .merge(performance::reviews::pages::router())
        .merge(performance::reviews::calibration_pages::router())
        .merge(performance::reviews::feedback::pages::router())
        .merge(performance::reviews::reports::pages::router())
}

pub async fn not_found(req: Req) -> Response {
    PageError(AppError::NotFound, req.locale()).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    welcome: String,
    my_open: i64,
    overdue: i64,
    blocked: i64,
}

async fn home(State(st): State<AppState>, req: Req) -> Result<Response, PageError> {
    let locale = req.locale();
    let Ok(ctx) = req.ctx(st.now_ms()) else {
        return Ok(Redirect::to("/login").into_response());
    };
    let s = work::service::summary(&st.db, &ctx)
        .await
        .map_err(|e| PageError(e, locale))?;
    let chrome = notify::chrome(&st, &req, "/", "home.title", "/").await;
    let name = ctx.actor.username.clone();
    Ok(HomePage {
        welcome: ui::i18n::tf(locale, "home.welcome", &[("name", &name)]),
        chrome,
        my_open: s.my_open,
        overdue: s.overdue,
        blocked: s.blocked,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Chrome,
    error: Option<&'static str>,
    username: String,
}

async fn login_form(State(st): State<AppState>, req: Req) -> Response {
    if req.actor().is_some() {
        return Redirect::to("/").into_response();
    }
    if identity::service::setup_needed(&st.db)
        .await
        .unwrap_or(false)
    {
        // No accounts yet: the console shows the one-time setup link.
        let chrome = Chrome::new(&req, 0, "/login", "auth.setup_title", "/login");
        return LoginPage {
            error: Some(chrome.t("auth.setup_intro")),
            chrome,
            username: String::new(),
        }
        .into_response();
    }
    LoginPage {
        chrome: Chrome::new(&req, 0, "/login", "auth.sign_in", "/login"),
        error: None,
        username: String::new(),
    }
    .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ip = req.0.source_ip.clone().unwrap_or_default();
    match identity::service::login(&st.db, st.now_ms(), &f.username, &f.password, &ip, ua).await {
        Ok(ok) => {
            let mut r = Redirect::to("/").into_response();
            let c = cookie_header(
                st.session_cookie_name(),
                &ok.session_token,
                st.web.secure_cookies,
                None,
            );
            if let Ok(v) = HeaderValue::from_str(&c) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) => {
            let chrome = Chrome::new(&req, 0, "/login", "auth.sign_in", "/login");
            let (status, key) = match e {
                AppError::TooManyRequests { .. } => (429, "auth.throttled"),
                AppError::Unauthorized | AppError::Validation(_) => (401, "auth.bad_credentials"),
                other => return PageError(other, req.locale()).into_response(),
            };
            let page = LoginPage {
                error: Some(chrome.t(key)),
                chrome,
                username: f.username,
            };
            let mut r = page.into_response();
            *r.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
            r
        }
    }
}

async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = crate::context::cookie(&headers, st.session_cookie_name()) {
        let _ = identity::service::logout(&st.db, st.now_ms(), &token).await;
    }
    let mut r = Redirect::to("/login").into_response();
    let c = cookie_header(st.session_cookie_name(), "", st.web.secure_cookies, Some(0));
    if let Ok(v) = HeaderValue::from_str(&c) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    chrome: Chrome,
    token: String,
    username: String,
    errors: Vec<String>,
}

#[derive(Deserialize)]
struct SetupQuery {
    token: Option<String>,
}

async fn setup_form(State(st): State<AppState>, req: Req, Query(q): Query<SetupQuery>) -> Response {
    if !identity::service::setup_needed(&st.db)
        .await
        .unwrap_or(false)
    {
        return PageError(AppError::NotFound, req.locale()).into_response();
    }
    SetupPage {
        chrome: Chrome::new(&req, 0, "/setup", "auth.setup_title", "/setup"),
        token: q.token.unwrap_or_default(),
        username: String::new(),
        errors: Vec::new(),
    }
    .into_response()
}

#[derive(Deserialize)]
struct SetupForm {
    token: String,
    username: String,
    password: String,
}

async fn setup(State(st): State<AppState>, req: Req, Form(f): Form<SetupForm>) -> Response {
    let locale = req.locale();
    match identity::service::complete_setup(&st.db, st.now_ms(), &f.token, &f.username, &f.password)
        .await
    {
        Ok(_) => Redirect::to("/login").into_response(),
        Err(AppError::Validation(errs)) => {
            let errors = errs
                .iter()
                .map(|e| {
                    format!(
                        "{}: {}",
                        e.field,
                        ui::t(locale, &format!("error.{}", e.code))
                    )
                })
                .collect();
            SetupPage {
                chrome: Chrome::new(&req, 0, "/setup", "auth.setup_title", "/setup"),
                token: f.token,
                username: f.username,
                errors,
            }
            .into_response()
        }
        Err(AppError::NotFound | AppError::Forbidden(_) | AppError::Unauthorized) => PageError(
            AppError::BadRequest(ui::t(locale, "auth.setup_invalid").into()),
            locale,
        )
        .into_response(),
        Err(e) => PageError(e, locale).into_response(),
    }
}

#[derive(Deserialize)]
struct PrefsForm {
    locale: Option<String>,
    theme: Option<String>,
    back: Option<String>,
}

/// Language and theme: remembered on the account when signed in, in a cookie otherwise.
async fn prefs(State(st): State<AppState>, req: Req, Form(f): Form<PrefsForm>) -> Response {
    let locale = f.locale.as_deref().and_then(Locale::parse);
    let theme = f.theme.as_deref().and_then(Theme::parse);
    if let Ok(ctx) = req.ctx(st.now_ms()) {
        let t = theme.and_then(|t| identity::model::Theme::parse(t.as_str()));
        if let Err(e) = identity::service::set_preferences(&st.db, &ctx, locale, t).await {
            return PageError(e, req.locale()).into_response();
        }
    }
    // Only local paths: never redirect to another site.
    let back = f
        .back
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let mut r = Redirect::to(&back).into_response();
    let year = Some(365 * 24 * 3600);
    if let Some(l) = locale
        && let Ok(v) = HeaderValue::from_str(&cookie_header(
            LOCALE_COOKIE,
            l.tag(),
            st.web.secure_cookies,
            year,
        ))
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Some(t) = theme
        && let Ok(v) = HeaderValue::from_str(&cookie_header(
            THEME_COOKIE,
            t.as_str(),
            st.web.secure_cookies,
            year,
        ))
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// First start: print a one-time setup link when there are no accounts, or load the demo.
pub async fn prepare_first_run(
    st: &AppState,
    cfg: &crate::ServeConfig,
    addr: std::net::SocketAddr,
) -> anyhow::Result<()> {
    if cfg.demo {
        crate::demo::ensure_demo(st).await?;
        return Ok(());
    }
    if identity::service::setup_needed(&st.db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        let token = identity::service::create_setup_token(&st.db, st.now_ms())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            addr.ip().to_string()
        };
        println!(
            "\nopsdesk has no accounts yet. Create the first administrator here (one-time link):\n  \
             http://{host}:{}/setup?token={token}\n",
            addr.port()
        );
    }
    Ok(())
}

#[derive(Deserialize)]
struct ClockForm {
    advance_ms: i64,
}

/// Test builds of the harness move the clock over HTTP; only mounted with `--test-clock`.
pub fn test_clock_router(clock: kernel::ManualClock) -> Router {
    Router::new().route(
        "/test/clock",
        post(move |axum::Json(f): axum::Json<ClockForm>| {
            let c = clock.clone();
            async move {
                c.advance_ms(f.advance_ms);
                axum::Json(serde_json::json!({ "now_ms": kernel::Clock::now_ms(&c) }))
            }
        }),
    )
}
