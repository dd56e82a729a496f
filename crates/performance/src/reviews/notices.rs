//! Review notifications in the recipient's language: the title and body come from the
//! catalogue (`<key>_title`, `<key>_body` in `ui/i18n/<lang>/reviews_feedback.toml`) for the
//! language stored on the recipient's account, with `{name}` placeholders filled in. A
//! notification is stored as text when it is sent, so it must be rendered for its reader then.
use db::Tx;
use kernel::{AppResult, Locale};

/// Where a notification points and what it is about.
pub struct Target<'a> {
    pub link: &'a str,
    pub entity: &'a str,
    pub entity_id: i64,
}

fn fill(locale: Locale, key: &str, vars: &[(&str, &str)]) -> String {
    let mut s = ui::t(locale, key).to_string();
    for (n, v) in vars {
        s = s.replace(&format!("{{{n}}}"), v);
    }
    s
}

/// The language stored on the recipient's account (English when none).
pub async fn locale_of(tx: &mut Tx, user_id: i64) -> AppResult<Locale> {
    Ok(notify::store::user_locale(tx, user_id)
        .await?
        .as_deref()
        .and_then(Locale::parse)
        .unwrap_or_default())
}

/// Sends the `key` notification to `user_id` inside the caller's transaction.
pub async fn send(
    tx: &mut Tx,
    user_id: i64,
    kind: &str,
    key: &str,
    vars: &[(&str, &str)],
    target: &Target<'_>,
    now_ms: i64,
) -> AppResult<()> {
    let locale = locale_of(tx, user_id).await?;
    send_in(tx, locale, user_id, kind, key, vars, target, now_ms).await
}

/// `send` when the caller already knows the recipient's language (to translate its own
/// placeholders, e.g. a direction's label).
#[allow(clippy::too_many_arguments)]
pub async fn send_in(
    tx: &mut Tx,
    locale: Locale,
    user_id: i64,
    kind: &str,
    key: &str,
    vars: &[(&str, &str)],
    target: &Target<'_>,
    now_ms: i64,
) -> AppResult<()> {
    notify::service::notify(
        tx,
        user_id,
        kind,
        &fill(locale, &format!("rfb.{key}_title"), vars),
        &fill(locale, &format!("rfb.{key}_body"), vars),
        Some(target.link),
        Some(target.entity),
        Some(target.entity_id),
        now_ms,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_exist_in_both_languages_and_fill_their_placeholders() {
        for key in [
            "feedback_requested",
            "feedback_given",
            "remind_self",
            "shared",
        ] {
            for l in Locale::ALL {
                let t = fill(l, &format!("rfb.{key}_title"), &[("cycle", "H1")]);
                assert!(!t.starts_with("rfb."), "{key} {l:?}");
            }
        }
        let zh = fill(
            Locale::ZhCn,
            "rfb.remind_self_body",
            &[("cycle", "H1"), ("due", "2026-06-05"), ("days", "3")],
        );
        assert!(zh.contains("2026-06-05") && !zh.contains('{'), "{zh}");
    }
}
