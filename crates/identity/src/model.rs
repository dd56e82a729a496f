//! Identity types and rules: accounts, preferences, sessions, API tokens, throttling limits.
//! No I/O here; the password hashing itself lives in `password.rs`.
use kernel::validate::Checks;
use kernel::{FieldError, Locale, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 64;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 256;
pub const TOKEN_NAME_MAX: usize = 100;
/// Every personal access token starts with this, so secret scanners can recognise it.
pub const TOKEN_PREFIX: &str = "opsdesk_pat_";
/// How much of a token is kept for display (`opsdesk_pat_` + 6 hex digits).
pub const TOKEN_DISPLAY_LEN: usize = TOKEN_PREFIX.len() + 6;
/// `last_seen_at` / `last_used_at` are refreshed at most this often (avoids a write per request).
pub const TOUCH_EVERY_MS: i64 = 60_000;

/// A colour theme preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Light,
    Dark,
    System,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Theme> {
        match s {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            "system" => Some(Theme::System),
            _ => None,
        }
    }
}

/// An account as everyone outside this crate sees it. There is no password hash here, so it
/// can never be serialised, logged or audited by accident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    #[schema(value_type = String, example = "member")]
    pub role: Role,
    pub disabled: bool,
    #[schema(value_type = Option<String>, example = "zh-CN")]
    pub locale: Option<Locale>,
    pub theme: Option<Theme>,
    pub version: i64,
    /// Epoch milliseconds (UTC).
    pub created_at: i64,
    pub updated_at: i64,
}

/// The person record linked to an account (`people.user_id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PersonLink {
    pub id: i64,
    pub name: String,
}

/// `POST /users` (admin).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    #[schema(value_type = String, example = "member")]
    pub role: Role,
    pub password: String,
}

/// Filters for the user list (admin).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserFilter {
    #[schema(value_type = Option<String>)]
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// Substring of the username.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    #[schema(value_type = String, example = "manager")]
    pub role: Role,
    pub expected_version: i64,
}

/// An admin sets a new password for someone (ends all their sessions).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub password: String,
}

/// A user changes their own password (ends their other sessions).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Own preferences; an absent field is left as it is.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    #[schema(value_type = Option<String>, example = "zh-CN")]
    pub locale: Option<Locale>,
    pub theme: Option<Theme>,
}

/// What a successful sign-in hands to the web layer: the cookie value (shown once, only its
/// digest is stored), the CSRF token for forms, and the account.
#[derive(Debug, Clone)]
pub struct LoginOk {
    pub session_token: String,
    pub csrf: String,
    pub user: User,
}

/// The authenticated caller, resolved from a session cookie or an API token.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionUser {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// The session's CSRF token; `None` for API tokens (no cookie, so no CSRF to check).
    pub csrf: Option<String>,
    pub locale: Option<Locale>,
    pub theme: Option<Theme>,
}

/// Session lifetimes. A session ends after `idle_ms` without a request or `absolute_ms` after
/// sign-in, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_ms: 30 * 60_000,
            absolute_ms: 12 * 3_600_000,
        }
    }
}

/// One sliding-window limit on failed sign-ins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: i64,
    pub window_ms: i64,
}

/// Login throttling. Failures count; successes only establish trusted addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// One account from one address.
    pub account_address: Limit,
    /// One address across all accounts.
    pub address: Limit,
    /// One account from all addresses.
    pub account: Limit,
    /// An address that signed in to the account successfully within this period is exempt from
    /// the `account` limit, so an attacker elsewhere cannot lock the owner out.
    pub trusted_ms: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            account_address: Limit {
                max_failures: 10,
                window_ms: 15 * 60_000,
            },
            address: Limit {
                max_failures: 50,
                window_ms: 3_600_000,
            },
            account: Limit {
                max_failures: 100,
                window_ms: 3_600_000,
            },
            trusted_ms: 30 * 86_400_000,
        }
    }
}

impl ThrottlePolicy {
    /// How long attempts must be kept: the longest window and the trust period.
    pub fn retention_ms(&self) -> i64 {
        self.trusted_ms
            .max(self.account_address.window_ms)
            .max(self.address.window_ms)
            .max(self.account.window_ms)
    }
}

/// A personal access token as listed; the secret is never here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    /// The first characters of the secret, to recognise it (`opsdesk_pat_1a2b3c`).
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
}

/// The answer to creating a token: the secret is shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

/// Usernames are compared trimmed and lower-cased, at creation and at sign-in alike.
pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_ascii_lowercase()
}

/// 3–64 characters of `[a-z0-9._-]` (after `normalize_username`).
pub fn check_username(c: &mut Checks, username: &str) {
    let n = username.chars().count();
    if n == 0 {
        c.push("username", "required", "is required");
    } else if !(USERNAME_MIN..=USERNAME_MAX).contains(&n) {
        c.push(
            "username",
            "invalid_length",
            format!("must be {USERNAME_MIN} to {USERNAME_MAX} characters"),
        );
    }
    if !username
        .chars()
        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '.' | '_' | '-'))
    {
        c.push(
            "username",
            "invalid_chars",
            "may contain only lower-case letters a–z, digits, '.', '_' and '-'",
        );
    }
}

/// The password policy (NIST SP 800-63B): length 8–256 counted in characters, no composition
/// rules, no truncation, and no common or guessable passwords (zxcvbn score below 2, with the
/// username and the product's name as known inputs). The password is taken exactly as given.
pub fn check_password(field: &str, password: &str, username: &str) -> Option<FieldError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Some(FieldError::new(
            field,
            "too_short",
            format!("must be at least {PASSWORD_MIN} characters"),
        ));
    }
    if n > PASSWORD_MAX {
        return Some(FieldError::new(
            field,
            "too_long",
            format!("must be at most {PASSWORD_MAX} characters"),
        ));
    }
    let entropy = zxcvbn::zxcvbn(password, &[username, "opsdesk"]);
    if (entropy.score() as u8) < 2 {
        let why = entropy
            .feedback()
            .and_then(|f| f.warning().map(|w| w.to_string()))
            .unwrap_or_else(|| "It is too easy to guess.".to_string());
        let hint = entropy
            .feedback()
            .and_then(|f| f.suggestions().first().map(|s| format!(" {s}")))
            .unwrap_or_default();
        return Some(FieldError::new(
            field,
            "weak_password",
            format!("is too easy to guess: {why}{hint}"),
        ));
    }
    None
}

/// 1–100 characters, no control characters.
pub fn check_token_name(c: &mut Checks, name: &str) -> String {
    c.text("name", name, true, TOKEN_NAME_MAX)
}

/// Cheap shape checks before any lookup: a session token is 64 hex digits.
pub fn looks_like_session_token(t: &str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `opsdesk_pat_` followed by 64 hex digits.
pub fn looks_like_api_token(t: &str) -> bool {
    t.strip_prefix(TOKEN_PREFIX)
        .is_some_and(|rest| rest.len() == 64 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn username_errors(u: &str) -> Vec<&'static str> {
        let mut c = Checks::new();
        check_username(&mut c, &normalize_username(u));
        match c.finish() {
            Ok(()) => vec![],
            Err(kernel::AppError::Validation(e)) => e.iter().map(|e| e.code).collect(),
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn usernames() {
        assert!(username_errors("li.wei_2-x").is_empty());
        assert!(
            username_errors("  Alice ").is_empty(),
            "normalised to lower case"
        );
        assert_eq!(username_errors("ab"), ["invalid_length"]);
        assert_eq!(username_errors(&"a".repeat(65)), ["invalid_length"]);
        assert!(username_errors(&"a".repeat(64)).is_empty());
        assert_eq!(username_errors("李伟abc"), ["invalid_chars"]);
        assert_eq!(username_errors("a b c"), ["invalid_chars"]);
        assert_eq!(username_errors(""), ["required"]);
    }

    #[test]
    fn password_policy() {
        let code = |p: &str, u: &str| check_password("password", p, u).map(|e| e.code);
        assert_eq!(code("short1!", "x"), Some("too_short"));
        assert_eq!(code(&"x9$Lq".repeat(52), "x"), Some("too_long"));
        // Common passwords and the username itself are refused whatever their length.
        assert_eq!(code("password", "alice"), Some("weak_password"));
        assert_eq!(code("12345678", "alice"), Some("weak_password"));
        assert_eq!(code("qwertyuiop", "alice"), Some("weak_password"));
        assert_eq!(code("alice.wang2", "alice.wang2"), Some("weak_password"));
        // No composition rules: a long passphrase of lower-case words is fine.
        assert_eq!(code("correct horse battery staple", "alice"), None);
        assert_eq!(code("黄河远上白云间一片孤城", "alice"), None);
        // Exactly 8 and exactly 256 characters are within the limits.
        assert_eq!(code("Tz9#qLw2", "alice"), None);
        let long: String = "gR7!kq2Z".repeat(32);
        assert_eq!(long.chars().count(), 256);
        assert_eq!(code(&long, "alice"), None);
        let e = check_password("new_password", "password", "alice").unwrap();
        assert_eq!(e.field, "new_password");
        assert!(e.detail.contains("too easy to guess"), "{}", e.detail);
    }

    #[test]
    fn token_shapes() {
        let t = format!("{TOKEN_PREFIX}{}", "ab".repeat(32));
        assert!(looks_like_api_token(&t));
        assert!(!looks_like_api_token(&t[..t.len() - 1]));
        assert!(!looks_like_api_token(&"ab".repeat(32)));
        assert!(looks_like_session_token(&"0f".repeat(32)));
        assert!(!looks_like_session_token(&"0g".repeat(32)));
    }
}
