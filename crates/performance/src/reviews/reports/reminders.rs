//! Review deadline reminders, run by the server's `review_reminders` job (under the job
//! leases). A reviewer with a pending request — a reviewee who has not nominated enough peers,
//! and a manager with nominations still to approve — is reminded 3 days and 1 day before the
//! deadline of the running phase that concerns them: the self review, peer nomination (and its
//! approval), or (in the feedback phase) their peer, upward, manager or unfinished self review. Each (request or review, phase, offset) is claimed in
//! `review_reminders` in the same transaction as its notification, so a second run — on this
//! node or another — sends nothing again.
use super::store;
use crate::reviews::model::{Cycle, Phase, RequestStatus};
use crate::reviews::notices::{self, Target};
use db::Db;
use kernel::AppResult;

/// Days before a deadline at which people are reminded.
pub const OFFSETS: [i64; 2] = [3, 1];

/// The offset to remind at when `days_left` remain: the tightest one not yet passed, so a run
/// that starts late (e.g. 1 day before) sends the 1-day reminder only, never both at once.
pub fn offset_for(days_left: i64) -> Option<i64> {
    if days_left < 0 {
        return None;
    }
    OFFSETS.iter().copied().filter(|o| days_left <= *o).min()
}

fn days_left(today: time::Date, due: &str) -> Option<i64> {
    kernel::dates::parse_date(due).map(|d| (d - today).whole_days())
}

/// Sends due reminders as of `now_ms`; returns how many notifications were sent.
pub async fn send_review_reminders(db: &Db, now_ms: i64) -> AppResult<usize> {
    // Deadlines are calendar dates in the company's zone (Asia/Shanghai, UTC+8).
    let today = kernel::dates::date_of(now_ms, 8);
    let mut tx = db.write().await?;
    let mut sent = 0;
    for id in store::cycles_to_remind(&mut tx).await? {
        let Some(c) = crate::reviews::store::get_cycle(&mut tx, id).await? else {
            continue;
        };
        // Self reviews are reminded against their own deadline while the self phase runs, and
        // against the feedback deadline with every other open request after that.
        if c.phase == Phase::SelfReview {
            sent += remind_requests(&mut tx, &c, today, "self", &c.phases.self_due, now_ms).await?;
        }
        if c.phase <= Phase::Nomination {
            sent += remind_nominations(&mut tx, &c, today, now_ms).await?;
            sent += remind_approvals(&mut tx, &c, today, now_ms).await?;
        }
        if c.phase == Phase::Feedback {
            sent += remind_requests(
                &mut tx,
                &c,
                today,
                "feedback",
                &c.phases.feedback_due,
                now_ms,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(sent)
}

async fn remind_requests(
    tx: &mut db::Tx,
    c: &Cycle,
    today: time::Date,
    phase: &str,
    due: &str,
    now_ms: i64,
) -> AppResult<usize> {
    let Some(days) = days_left(today, due) else {
        return Ok(0);
    };
    let Some(offset) = offset_for(days) else {
        return Ok(0);
    };
    let mut sent = 0;
    let requests = crate::reviews::store::requests_of_cycle(tx, c.id, None).await?;
    for q in requests.iter().filter(|q| {
        q.status == RequestStatus::Pending
            && (phase != "self" || q.direction == crate::reviews::model::Direction::SelfReview)
    }) {
        let Some(user) = crate::reviews::store::user_of_person(tx, q.reviewer_id).await? else {
            continue;
        };
        if !store::claim_reminder(tx, c.id, &format!("request:{}", q.id), phase, offset).await? {
            continue;
        }
        let locale = notices::locale_of(tx, user).await?;
        let direction = ui::t(
            locale,
            &format!("reviews.direction_{}", q.direction.as_str()),
        );
        let days = days.to_string();
        notices::send_in(
            tx,
            locale,
            user,
            "review.reminder",
            &format!("remind_{phase}"),
            &[
                ("cycle", &c.name),
                ("due", due),
                ("days", &days),
                ("direction", direction),
                ("reviewee", &q.reviewee_name),
            ],
            &Target {
                link: &format!("/reviews/requests/{}", q.id),
                entity: "review_cycle",
                entity_id: c.id,
            },
            now_ms,
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

async fn remind_nominations(
    tx: &mut db::Tx,
    c: &Cycle,
    today: time::Date,
    now_ms: i64,
) -> AppResult<usize> {
    let due = &c.phases.nomination_due;
    let Some(days) = days_left(today, due) else {
        return Ok(0);
    };
    let Some(offset) = offset_for(days) else {
        return Ok(0);
    };
    let mut sent = 0;
    for (review, user) in store::short_of_peers(tx, c.id, c.peers_min).await? {
        if !store::claim_reminder(tx, c.id, &format!("review:{review}"), "nomination", offset)
            .await?
        {
            continue;
        }
        let days = days.to_string();
        notices::send(
            tx,
            user,
            "review.reminder",
            "remind_nomination",
            &[("cycle", &c.name), ("due", due), ("days", &days)],
            &Target {
                link: &format!("/reviews/{review}"),
                entity: "review",
                entity_id: review,
            },
            now_ms,
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

/// Managers whose reports' nominations wait for a decision, once per manager, cycle and offset.
async fn remind_approvals(
    tx: &mut db::Tx,
    c: &Cycle,
    today: time::Date,
    now_ms: i64,
) -> AppResult<usize> {
    let due = &c.phases.nomination_due;
    let Some(days) = days_left(today, due) else {
        return Ok(0);
    };
    let Some(offset) = offset_for(days) else {
        return Ok(0);
    };
    let mut sent = 0;
    for (manager, user, waiting) in store::undecided_nominations(tx, c.id).await? {
        let target = format!("approver:{manager}");
        if !store::claim_reminder(tx, c.id, &target, "approval", offset).await? {
            continue;
        }
        let (days, waiting) = (days.to_string(), waiting.to_string());
        notices::send(
            tx,
            user,
            "review.reminder",
            "remind_approval",
            &[
                ("cycle", &c.name),
                ("due", due),
                ("days", &days),
                ("count", &waiting),
            ],
            &Target {
                link: &format!("/reviews/cycles/{}", c.id),
                entity: "review_cycle",
                entity_id: c.id,
            },
            now_ms,
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tightest_offset_not_yet_passed() {
        assert_eq!(offset_for(5), None);
        assert_eq!(offset_for(3), Some(3));
        assert_eq!(offset_for(2), Some(3));
        assert_eq!(offset_for(1), Some(1));
        assert_eq!(offset_for(0), Some(1));
        assert_eq!(offset_for(-1), None, "no reminder after the deadline");
    }
}
