//! The certificate-expiry reminder: run periodically by the server's job runner (which holds a
//! lease so one node runs it at a time). Each certificate expiring within `days_before` days is
//! reminded exactly once: the reminder is claimed with a conditional update in the same
//! transaction as its notifications, so a second run — on this node or another — finds it
//! claimed and sends nothing.
use super::model::add_days;
use super::store;
use db::Db;
use kernel::{AppResult, Ctx};

/// Days before expiry at which people are reminded.
pub const DEFAULT_DAYS_BEFORE: i64 = 30;

/// Sends due reminders as of `now_ms`; returns how many certificates were reminded.
pub async fn send_certificate_reminders(
    db: &Db,
    now_ms: i64,
    days_before: i64,
) -> AppResult<usize> {
    // Dates are calendar dates in the company's zone (Asia/Shanghai, UTC+8).
    let today = kernel::dates::format_date(kernel::dates::date_of(now_ms, 8));
    let until = add_days(&today, days_before).unwrap_or_else(|| today.clone());
    let ctx = Ctx::system(now_ms);
    let mut tx = db.write().await?;
    let due = store::due_reminders(&mut tx, &today, &until).await?;
    let mut sent = 0;
    for c in due {
        if store::claim_reminder(&mut tx, c.id, now_ms).await? == 0 {
            continue;
        }
        let expires = c.expires_on.clone().unwrap_or_default();
        for user in store::reminder_recipients(&mut tx, c.person_id).await? {
            let locale = notify::store::user_locale(&mut tx, user).await?;
            let zh = locale.as_deref() == Some("zh-CN");
            let title = if zh {
                format!("证书即将到期：{}（{}）", c.name, c.person_name)
            } else {
                format!("Certificate expiring: {} ({})", c.name, c.person_name)
            };
            let body = if zh {
                format!(
                    "{} 的证书“{}”将于 {} 到期，请安排复训。",
                    c.person_name, c.name, expires
                )
            } else {
                format!(
                    "{}'s certificate \"{}\" expires on {}; plan the renewal.",
                    c.person_name, c.name, expires
                )
            };
            notify::service::notify(
                &mut tx,
                user,
                "certificate_expiry",
                &title,
                &body,
                Some(&format!("/people/{}", c.person_id)),
                Some("certificate"),
                Some(c.id),
                now_ms,
            )
            .await?;
        }
        db::audit::log_change(
            &mut tx,
            &ctx,
            "certificate.remind",
            "certificate",
            Some(c.id),
            None,
            Some(serde_json::json!({"expires_on": expires})),
        )
        .await?;
        sent += 1;
    }
    tx.commit().await?;
    Ok(sent)
}
