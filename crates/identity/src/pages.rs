//! `/account` (own password, language/theme, API tokens) and `/admin/users` (accounts, admins).
use crate::model::{
    ApiToken, CreatedToken, NewToken, NewUser, PasswordChange, PasswordReset, PersonLink,
    RoleChange, User, UserFilter,
};
use crate::service;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kernel::{AppError, Locale, Role};
use serde::Deserialize;
use ui::{AppState, Chrome, PageError, Req};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(account))
        .route("/account/password", post(account_password))
        .route("/account/tokens", post(account_token_create))
        .route("/account/tokens/{id}/revoke", post(token_revoke))
        .route("/admin/users", get(users).post(user_create))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/role", post(user_role))
        .route("/admin/users/{id}/disable", post(user_disable))
        .route("/admin/users/{id}/enable", post(user_enable))
        .route("/admin/users/{id}/password", post(user_password))
}

const ROLES: [Role; 4] = [Role::Admin, Role::Manager, Role::Member, Role::Viewer];

/// A `<select>` option.
pub struct Opt {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn role_options(locale: Locale, current: Option<Role>) -> Vec<Opt> {
    ROLES
        .iter()
        .map(|r| Opt {
            value: r.as_str(),
            label: ui::t(locale, &format!("role.{}", r.as_str())),
            selected: current == Some(*r),
        })
        .collect()
}

/// The message for a field error: identity's own wording first, then the shared one.
pub fn error_text(locale: Locale, code: &str) -> String {
    let own = format!("identity.error_{code}");
    let s = ui::t(locale, &own);
    if s != own {
        s.to_string()
    } else {
        ui::t(locale, &format!("error.{code}")).to_string()
    }
}

/// Validation errors as (field, message) pairs; other errors are returned as they are.
fn field_errors(locale: Locale, e: AppError) -> Result<Vec<(String, String)>, AppError> {
    match e {
        AppError::Validation(errs) => Ok(errs
            .into_iter()
            .map(|f| (f.field.clone(), error_text(locale, f.code)))
            .collect()),
        other => Err(other),
    }
}

/// A path inside this site (never another host) for "back" links after a post.
pub fn local_path(p: Option<&str>, default: &str) -> String {
    p.filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or(default)
        .to_string()
}

fn err_of<'a>(errors: &'a [(String, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m.as_str())
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

// ---- my account ----

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
struct AccountPage {
    chrome: Chrome,
    user: User,
    person: Option<PersonLink>,
    tokens: Vec<ApiToken>,
    themes: Vec<Opt>,
    locales: Vec<Opt>,
    errors: Vec<(String, String)>,
    notice: Option<&'static str>,
    token_name: String,
    created: Option<CreatedToken>,
}

impl AccountPage {
    fn role_label(&self, r: &Role) -> &'static str {
        self.chrome.t(&format!("role.{}", r.as_str()))
    }

    fn err(&self, field: &str) -> Option<&str> {
        err_of(&self.errors, field)
    }
}

#[derive(Deserialize)]
struct AccountQuery {
    done: Option<String>,
}

async fn account_page(
    st: &AppState,
    req: &Req,
    errors: Vec<(String, String)>,
    notice: Option<&'static str>,
    token_name: String,
    created: Option<CreatedToken>,
) -> Result<AccountPage, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    let (user, person) = service::me(&st.db, &ctx)
        .await
        .map_err(|e| PageError(e, locale))?;
    let tokens = service::list_tokens(&st.db, &ctx, None)
        .await
        .map_err(|e| PageError(e, locale))?;
    let theme = user.theme.map_or("system", |t| t.as_str());
    let themes = ["system", "light", "dark"]
        .into_iter()
        .map(|t| Opt {
            value: t,
            label: ui::t(locale, &format!("prefs.theme_{t}")),
            selected: t == theme,
        })
        .collect();
    let lang = user.locale.unwrap_or(locale);
    let locales = [(Locale::ZhCn, "中文"), (Locale::En, "English")]
        .into_iter()
        .map(|(l, label)| Opt {
            value: l.tag(),
            label,
            selected: l == lang,
        })
        .collect();
    let chrome = notify::pages::chrome(st, req, "/account", "account.title", "/account").await;
    Ok(AccountPage {
        chrome,
        user,
        person,
        tokens,
        themes,
        locales,
        errors,
        notice,
        token_name,
        created,
    })
}

async fn account(
    State(st): State<AppState>,
    req: Req,
    Query(q): Query<AccountQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("password") => Some("auth.password_changed"),
        Some("revoked") => Some("identity.token_revoked"),
        _ => None,
    };
    Ok(
        account_page(&st, &req, Vec::new(), notice, String::new(), None)
            .await?
            .into_response(),
    )
}

#[derive(Deserialize)]
struct PasswordForm {
    current_password: String,
    new_password: String,
}

async fn account_password(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    let session = crate::api::session_cookie(&headers, st.session_cookie_name());
    let input = PasswordChange {
        current_password: f.current_password,
        new_password: f.new_password,
    };
    match service::change_own_password(&st.db, &ctx, session.as_deref(), input).await {
        Ok(()) => Ok(Redirect::to("/account?done=password").into_response()),
        Err(e) => {
            let errors = field_errors(locale, e).map_err(|e| PageError(e, locale))?;
            let page = account_page(&st, &req, errors, None, String::new(), None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize)]
struct TokenForm {
    name: String,
}

/// Creates a token and shows its secret on this answer, once (not a redirect: the secret is
/// stored nowhere to show it again). `no-store` keeps it out of the browser's cache.
async fn account_token_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    match service::create_token(
        &st.db,
        &ctx,
        NewToken {
            name: f.name.clone(),
        },
    )
    .await
    {
        Ok(c) => {
            let page = account_page(&st, &req, Vec::new(), None, String::new(), Some(c)).await?;
            Ok(no_store(page.into_response()))
        }
        Err(e) => {
            let errors = field_errors(locale, e)
                .map_err(|e| PageError(e, locale))?
                .into_iter()
                .map(|(f, m)| (if f == "name" { "token_name".into() } else { f }, m))
                .collect();
            let page = account_page(&st, &req, errors, None, f.name, None).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Deserialize)]
struct BackForm {
    back: Option<String>,
}

async fn token_revoke(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    Form(f): Form<BackForm>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    service::revoke_token(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    Ok(Redirect::to(&local_path(f.back.as_deref(), "/account?done=revoked")).into_response())
}

// ---- admin: users ----

#[derive(Deserialize, Default)]
struct UsersQuery {
    role: Option<String>,
    disabled: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

impl UsersQuery {
    fn filter(&self) -> UserFilter {
        UserFilter {
            role: self.role.as_deref().and_then(Role::parse),
            disabled: match self.disabled.as_deref() {
                Some("true") => Some(true),
                Some("false") => Some(false),
                _ => None,
            },
            q: self.q.clone().filter(|q| !q.trim().is_empty()),
            cursor: self.cursor.clone().filter(|c| !c.is_empty()),
            limit: Some(50),
        }
    }

    /// The query string of these filters (without the cursor), for links.
    fn query(&self) -> String {
        let f = self.filter();
        let mut parts = Vec::new();
        if let Some(r) = f.role {
            parts.push(format!("role={}", r.as_str()));
        }
        if let Some(d) = f.disabled {
            parts.push(format!("disabled={d}"));
        }
        if let Some(q) = f.q {
            parts.push(format!("q={}", url_encode(&q)));
        }
        parts.join("&")
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Deserialize, Default)]
struct NewUserForm {
    username: String,
    role: String,
    password: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Chrome,
    items: Vec<User>,
    next: Option<String>,
    query: String,
    q: String,
    role_filter: Vec<Opt>,
    disabled_filter: String,
    roles: Vec<Opt>,
    username: String,
    errors: Vec<(String, String)>,
}

impl UsersPage {
    fn role_label(&self, r: &Role) -> &'static str {
        self.chrome.t(&format!("role.{}", r.as_str()))
    }

    fn err(&self, field: &str) -> Option<&str> {
        err_of(&self.errors, field)
    }
}

async fn users_page(
    st: &AppState,
    req: &Req,
    q: &UsersQuery,
    form: NewUserForm,
    errors: Vec<(String, String)>,
) -> Result<UsersPage, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    let f = q.filter();
    let p = service::list_users(&st.db, &ctx, &f)
        .await
        .map_err(|e| PageError(e, locale))?;
    let query = q.query();
    let here = if query.is_empty() {
        "/admin/users".to_string()
    } else {
        format!("/admin/users?{query}")
    };
    let chrome = notify::pages::chrome(st, req, "/admin/users", "users.title", &here).await;
    Ok(UsersPage {
        chrome,
        items: p.items,
        next: p.next_cursor,
        query,
        q: f.q.unwrap_or_default(),
        role_filter: role_options(locale, f.role),
        disabled_filter: f.disabled.map(|d| d.to_string()).unwrap_or_default(),
        roles: role_options(
            locale,
            Some(Role::parse(&form.role).unwrap_or(Role::Member)),
        ),
        username: form.username,
        errors,
    })
}

async fn users(
    State(st): State<AppState>,
    req: Req,
    Query(q): Query<UsersQuery>,
) -> Result<Response, PageError> {
    Ok(
        users_page(&st, &req, &q, NewUserForm::default(), Vec::new())
            .await?
            .into_response(),
    )
}

async fn user_create(
    State(st): State<AppState>,
    req: Req,
    Form(f): Form<NewUserForm>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    let Some(role) = Role::parse(&f.role) else {
        let errors = vec![("role".to_string(), error_text(locale, "invalid"))];
        let page = users_page(&st, &req, &UsersQuery::default(), f, errors).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let input = NewUser {
        username: f.username.clone(),
        role,
        password: f.password.clone(),
    };
    match service::create_user(&st.db, &ctx, input).await {
        Ok(u) => Ok(Redirect::to(&format!("/admin/users/{}?done=created", u.id)).into_response()),
        Err(e) => {
            let errors = field_errors(locale, e).map_err(|e| PageError(e, locale))?;
            let page = users_page(&st, &req, &UsersQuery::default(), f, errors).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "user.html")]
struct UserPage {
    chrome: Chrome,
    user: User,
    is_self: bool,
    roles: Vec<Opt>,
    tokens: Vec<ApiToken>,
    errors: Vec<(String, String)>,
    alert: Option<String>,
    notice: Option<&'static str>,
}

impl UserPage {
    fn err(&self, field: &str) -> Option<&str> {
        err_of(&self.errors, field)
    }
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn user_page_of(
    st: &AppState,
    req: &Req,
    id: i64,
    errors: Vec<(String, String)>,
    alert: Option<String>,
    notice: Option<&'static str>,
) -> Result<UserPage, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    if !ctx.actor.can_manage_users() {
        return Err(PageError(AppError::Forbidden("manage users"), locale));
    }
    let user = service::get_user(&st.db, &ctx, id)
        .await
        .map_err(|e| PageError(e, locale))?;
    let tokens = service::list_tokens(&st.db, &ctx, Some(id))
        .await
        .map_err(|e| PageError(e, locale))?;
    let here = format!("/admin/users/{id}");
    let mut chrome = notify::pages::chrome(st, req, "/admin/users", "users.title", &here).await;
    chrome.title = user.username.clone();
    Ok(UserPage {
        chrome,
        is_self: ctx.user_id() == Some(id),
        roles: role_options(locale, Some(user.role)),
        user,
        tokens,
        errors,
        alert,
        notice,
    })
}

async fn user_page(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let notice = match q.done.as_deref() {
        Some("created") => Some("identity.user_created"),
        Some("saved") => Some("identity.saved"),
        Some("password") => Some("identity.password_reset"),
        _ => None,
    };
    Ok(user_page_of(&st, &req, id, Vec::new(), None, notice)
        .await?
        .into_response())
}

/// Re-renders the user page after a failed post: field errors beside their fields, a stale
/// version or the last-admin rule as an alert; other errors as an error page.
async fn user_failed(
    st: &AppState,
    req: &Req,
    id: i64,
    e: AppError,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let (errors, alert) = match e {
        AppError::PreconditionFailed => {
            (Vec::new(), Some(ui::t(locale, "error.stale").to_string()))
        }
        AppError::Conflict(_) => (
            Vec::new(),
            Some(ui::t(locale, "users.last_admin").to_string()),
        ),
        e => (
            field_errors(locale, e).map_err(|e| PageError(e, locale))?,
            None,
        ),
    };
    let status = if alert.is_some() { 409 } else { 422 };
    let page = user_page_of(st, req, id, errors, alert, None).await?;
    let mut r = page.into_response();
    *r.status_mut() = axum::http::StatusCode::from_u16(status).unwrap_or_default();
    Ok(r)
}

#[derive(Deserialize)]
struct RoleForm {
    role: String,
    version: i64,
}

async fn user_role(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    Form(f): Form<RoleForm>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    let Some(role) = Role::parse(&f.role) else {
        return user_failed(
            &st,
            &req,
            id,
            AppError::field("role", "invalid", "is not a role"),
        )
        .await;
    };
    match service::change_role(
        &st.db,
        &ctx,
        id,
        RoleChange {
            role,
            expected_version: f.version,
        },
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?done=saved")).into_response()),
        Err(e) => user_failed(&st, &req, id, e).await,
    }
}

#[derive(Deserialize)]
struct VersionForm {
    version: i64,
}

async fn user_disable(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    match service::disable_user(&st.db, &ctx, id, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?done=saved")).into_response()),
        Err(e) => user_failed(&st, &req, id, e).await,
    }
}

async fn user_enable(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    match service::enable_user(&st.db, &ctx, id, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?done=saved")).into_response()),
        Err(e) => user_failed(&st, &req, id, e).await,
    }
}

#[derive(Deserialize)]
struct ResetForm {
    password: String,
}

async fn user_password(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    Form(f): Form<ResetForm>,
) -> Result<Response, PageError> {
    let locale = req.locale();
    let ctx = req.ctx(st.now_ms()).map_err(|e| PageError(e, locale))?;
    match service::reset_password(
        &st.db,
        &ctx,
        id,
        PasswordReset {
            password: f.password,
        },
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?done=password")).into_response()),
        Err(e) => user_failed(&st, &req, id, e).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_links_stay_on_this_site() {
        assert_eq!(
            local_path(Some("/admin/users/3"), "/account"),
            "/admin/users/3"
        );
        assert_eq!(local_path(Some("//evil.example"), "/account"), "/account");
        assert_eq!(
            local_path(Some("https://evil.example"), "/account"),
            "/account"
        );
        assert_eq!(local_path(Some("/\\evil.example"), "/account"), "/account");
        assert_eq!(local_path(None, "/account"), "/account");
    }

    #[test]
    fn filters_round_trip_through_the_query() {
        let q = UsersQuery {
            role: Some("manager".into()),
            disabled: Some("true".into()),
            q: Some("li wei&x".into()),
            cursor: Some("abc".into()),
        };
        assert_eq!(q.query(), "role=manager&disabled=true&q=li%20wei%26x");
        let f = q.filter();
        assert_eq!(
            (f.role, f.disabled, f.cursor.as_deref()),
            (Some(Role::Manager), Some(true), Some("abc"))
        );
        let blank = UsersQuery {
            role: Some("nope".into()),
            disabled: Some("".into()),
            q: Some("  ".into()),
            cursor: None,
        };
        assert_eq!(blank.query(), "");
    }

    #[test]
    fn error_text_falls_back_to_the_shared_catalogue() {
        assert_eq!(
            error_text(Locale::En, "required"),
            ui::t(Locale::En, "error.required")
        );
        assert_eq!(
            error_text(Locale::En, "wrong_password"),
            ui::t(Locale::En, "identity.error_wrong_password")
        );
        assert_ne!(error_text(Locale::ZhCn, "taken"), "identity.error_taken");
    }

    fn chrome(locale: Locale) -> Chrome {
        let req = Req(ui::RequestInfo {
            request_id: "r".into(),
            source_ip: None,
            locale,
            theme: ui::Theme::System,
            auth: Some(ui::Auth {
                actor: kernel::Actor {
                    user_id: 1,
                    username: "root".into(),
                    role: Role::Admin,
                    person_id: None,
                    department_id: None,
                    scope: vec![],
                },
                csrf: Some("csrf-token-1".into()),
                via_token: false,
            }),
            anon_csrf: None,
        });
        Chrome::new(&req, 0, "/admin/users", "users.title", "/admin/users")
    }

    fn user() -> User {
        User {
            id: 7,
            username: "li.wei".into(),
            role: Role::Manager,
            disabled: false,
            locale: None,
            theme: None,
            version: 3,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn token(revoked: bool) -> ApiToken {
        ApiToken {
            id: 9,
            user_id: 7,
            name: "ci <bot>".into(),
            prefix: "opsdesk_pat_1a2b3c".into(),
            created_at: 0,
            last_used_at: None,
            revoked_at: revoked.then_some(5),
        }
    }

    /// Every form carries the CSRF token; no inline script or style (CSP); user text escaped;
    /// every visible input has a label.
    fn check(html: &str) {
        let forms = html.matches("<form method=\"post\"").count();
        assert_eq!(
            forms,
            html.matches("name=\"_csrf\" value=\"csrf-token-1\"")
                .count(),
            "{html}"
        );
        assert!(
            !html.contains("style=") && !html.contains("<script>"),
            "{html}"
        );
        assert!(!html.contains("ci <bot>"), "escaped");
        for id in html
            .split("<input id=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
        {
            assert!(html.contains(&format!("for=\"{id}\"")), "no label for {id}");
        }
        assert!(!html.contains("identity."), "a missing i18n key: {html}");
    }

    #[test]
    fn pages_render_in_both_languages() {
        for locale in [Locale::En, Locale::ZhCn] {
            let a = AccountPage {
                chrome: chrome(locale),
                user: user(),
                person: Some(PersonLink {
                    id: 4,
                    name: "Li Wei".into(),
                }),
                tokens: vec![token(false), token(true)],
                themes: vec![],
                locales: vec![],
                errors: vec![("new_password".into(), error_text(locale, "weak_password"))],
                notice: Some("identity.token_revoked"),
                token_name: "x".into(),
                created: Some(CreatedToken {
                    token: token(false),
                    secret: "opsdesk_pat_secret".into(),
                }),
            }
            .render()
            .unwrap();
            check(&a);
            assert!(
                a.contains("opsdesk_pat_secret")
                    && a.contains("/people/4")
                    && a.contains("err-new_password")
            );

            let u = UsersPage {
                chrome: chrome(locale),
                items: vec![user()],
                next: Some("abcd".into()),
                query: "role=manager".into(),
                q: String::new(),
                role_filter: role_options(locale, None),
                disabled_filter: String::new(),
                roles: role_options(locale, Some(Role::Member)),
                username: "<typed>".into(),
                errors: vec![("username".into(), error_text(locale, "taken"))],
            }
            .render()
            .unwrap();
            check(&u);
            assert!(
                u.contains("/admin/users?role=manager&amp;cursor=abcd")
                    && u.contains("&#60;typed&#62;"),
                "{u}"
            );

            let d = UserPage {
                chrome: chrome(locale),
                user: user(),
                is_self: false,
                roles: role_options(locale, Some(Role::Manager)),
                tokens: vec![token(false)],
                errors: vec![],
                alert: Some(ui::t(locale, "error.stale").into()),
                notice: None,
            }
            .render()
            .unwrap();
            check(&d);
            assert!(
                d.contains("name=\"version\" value=\"3\"")
                    && d.contains("value=\"manager\" selected")
            );
        }
    }
}
