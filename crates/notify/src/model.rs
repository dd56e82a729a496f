//! Notification types (no I/O).
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One notification in a user's inbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    /// Stable kind, e.g. `task.assigned`; pages translate it.
    pub kind: String,
    pub title: String,
    pub body: String,
    /// An app-relative link, e.g. `/tasks/42`.
    pub link: Option<String>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    /// Epoch ms when it was read; `None` while unread.
    pub read_at: Option<i64>,
    pub created_at: i64,
}

/// A user who has unread notifications older than the digest threshold.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DigestCandidate {
    pub user_id: i64,
    pub username: String,
    pub unread: i64,
    pub oldest_unread_at: i64,
}

/// How long a notification stays unread before the digest job mentions it.
pub const DIGEST_AFTER_HOURS: i64 = 24;

/// The kind of the periodic digest notification.
pub const DIGEST_KIND: &str = "digest";

/// The digest's title in the user's language (`zh-CN` or English).
pub fn digest_title(locale: Option<&str>, unread: i64) -> String {
    match locale {
        Some("zh-CN") => format!("你有 {unread} 条未读通知"),
        _ if unread == 1 => "You have 1 unread notification".to_string(),
        _ => format!("You have {unread} unread notifications"),
    }
}

/// Longest stored title/body; longer texts are cut (notifications are summaries).
pub const MAX_TITLE: usize = 200;
pub const MAX_BODY: usize = 2000;

/// Cuts `s` to at most `max` characters (on a character boundary).
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_titles() {
        assert_eq!(digest_title(None, 3), "You have 3 unread notifications");
        assert_eq!(
            digest_title(Some("en"), 1),
            "You have 1 unread notification"
        );
        assert_eq!(digest_title(Some("zh-CN"), 2), "你有 2 条未读通知");
    }

    #[test]
    fn clip_respects_characters() {
        assert_eq!(clip("任务已分配给你", 3), "任务已");
        assert_eq!(clip("abc", 10), "abc");
    }
}
