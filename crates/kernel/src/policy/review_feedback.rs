//! The policy for continuous feedback (between review cycles) and the review reports.
//!
//! - Anyone who writes (not viewers) with a person record gives feedback on a colleague, never
//!   on themselves, at any time.
//! - `private` feedback is read by its author, the subject's manager chain (everyone above the
//!   subject in the reporting line) and admins; `shared` feedback also by its subject. Nobody
//!   else — a department manager outside the chain included — reads it.
//! - Feedback is requested about oneself, or about someone in one's reporting line (admins:
//!   anyone). A request is read by its requester, its requestee and admins; only the requestee
//!   answers or declines it.
//! - Reports (completion, rating distributions): admins for the company, managers for their
//!   departments' reviews. A person's rating history follows the review policy per review.
use super::{Actor, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackVisibility {
    /// The author, the subject's manager chain and admins.
    Private,
    /// Also the subject.
    Shared,
}

/// The facts about one piece of feedback the policy needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeedbackFacts {
    pub subject_id: i64,
    pub author_id: i64,
    pub visibility: FeedbackVisibility,
}

impl Actor {
    pub fn can_give_feedback(&self, subject_id: i64) -> bool {
        self.role != Role::Viewer && self.person_id.is_some_and(|p| p != subject_id)
    }

    /// `reports`: everyone below the actor in the reporting line (recursive `manager_id`).
    pub fn can_see_feedback(&self, f: &FeedbackFacts, reports: &[i64]) -> bool {
        self.is_admin()
            || self.person_id == Some(f.author_id)
            || reports.contains(&f.subject_id)
            || (f.visibility == FeedbackVisibility::Shared && self.person_id == Some(f.subject_id))
    }

    pub fn can_request_feedback(&self, subject_id: i64, reports: &[i64]) -> bool {
        self.role != Role::Viewer
            && self.person_id.is_some()
            && (self.is_admin()
                || self.person_id == Some(subject_id)
                || reports.contains(&subject_id))
    }

    pub fn can_see_feedback_request(&self, requester_id: i64, requestee_id: i64) -> bool {
        self.is_admin()
            || self.person_id == Some(requester_id)
            || self.person_id == Some(requestee_id)
    }

    pub fn can_answer_feedback_request(&self, requestee_id: i64) -> bool {
        self.role != Role::Viewer && self.person_id == Some(requestee_id)
    }

    /// Review reports: admins (company), managers (their departments' reviews).
    pub fn can_see_review_reports(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, person: i64) -> Actor {
        Actor {
            user_id: person,
            username: format!("u{person}"),
            role,
            person_id: Some(person),
            department_id: Some(1),
            scope: vec![1],
        }
    }

    fn fb(visibility: FeedbackVisibility) -> FeedbackFacts {
        FeedbackFacts {
            subject_id: 7,
            author_id: 8,
            visibility,
        }
    }

    #[test]
    fn private_feedback_reaches_author_manager_chain_and_admins_only() {
        let f = fb(FeedbackVisibility::Private);
        assert!(actor(Role::Member, 8).can_see_feedback(&f, &[]), "author");
        assert!(!actor(Role::Member, 7).can_see_feedback(&f, &[]), "subject");
        // A manager two levels up (7 is in their recursive reports) reads it …
        assert!(actor(Role::Manager, 3).can_see_feedback(&f, &[5, 7]));
        // … a manager of the same department outside the chain does not.
        assert!(!actor(Role::Manager, 4).can_see_feedback(&f, &[5]));
        assert!(!actor(Role::Member, 9).can_see_feedback(&f, &[]));
        assert!(actor(Role::Admin, 1).can_see_feedback(&f, &[]));
    }

    #[test]
    fn shared_feedback_also_reaches_its_subject() {
        let f = fb(FeedbackVisibility::Shared);
        assert!(actor(Role::Member, 7).can_see_feedback(&f, &[]));
        assert!(actor(Role::Viewer, 7).can_see_feedback(&f, &[]));
        assert!(!actor(Role::Member, 9).can_see_feedback(&f, &[]));
    }

    #[test]
    fn giving_and_requesting() {
        assert!(actor(Role::Member, 8).can_give_feedback(7));
        assert!(
            !actor(Role::Member, 7).can_give_feedback(7),
            "not on oneself"
        );
        assert!(!actor(Role::Viewer, 8).can_give_feedback(7));
        assert!(
            actor(Role::Member, 7).can_request_feedback(7, &[]),
            "about oneself"
        );
        assert!(!actor(Role::Member, 8).can_request_feedback(7, &[]));
        assert!(actor(Role::Manager, 3).can_request_feedback(7, &[7]));
        assert!(actor(Role::Admin, 1).can_request_feedback(7, &[]));
        assert!(!actor(Role::Viewer, 7).can_request_feedback(7, &[]));
        let requestee = actor(Role::Member, 9);
        assert!(
            requestee.can_see_feedback_request(3, 9) && requestee.can_answer_feedback_request(9)
        );
        assert!(
            !actor(Role::Member, 7).can_see_feedback_request(3, 9),
            "the subject"
        );
    }
}
