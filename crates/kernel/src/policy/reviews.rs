//! The policy for performance reviews.
//!
//! - Cycles (name, dates, phase, template) are company metadata: every signed-in user reads them;
//!   only admins (HR) create and change them.
//! - A review (one reviewee in one cycle) is read by the reviewee, by managers whose scope holds
//!   the reviewee's department or who have the reviewee in their reporting line, and by admins.
//!   The manager's rating and private comment reach the reviewee only once results are shared.
//! - A reviewer request is read and written by its reviewer ONLY (admins included: a request's
//!   draft is the reviewer's unfinished answer, so nobody else may read it).
//! - Peer and upward answers are never shown to anyone one by one: only aggregates at or above
//!   the cycle's threshold, and only after the feedback phase (see ARCHITECTURE.md, "Reviews").
//! - Calibration (the cycle's calibration page, adjusted ratings and their reasons, potential,
//!   the trail) is for the reviewee's managers and admins; the reviewee never reads any of it
//!   (404, as for anything they may not know exists). A department manager calibrates the
//!   departments of their scope. Outcomes (final rating, recommendation, development plan) are
//!   set by the same people and reach the reviewee once shared.
//! - Development plan items with a skill count as training needs only for callers who manage
//!   the person (admins: everyone; managers: their scope) — they are review outcomes.
use super::{Actor, Role};

/// The facts about one review (a reviewee in a cycle) the policy needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewFacts {
    pub person_id: i64,
    pub department_id: Option<i64>,
    /// The reviewee's manager (people.manager_id) when the cycle started.
    pub manager_id: Option<i64>,
}

impl Actor {
    /// Creating cycles, changing their phase and template: HR, i.e. admins.
    pub fn can_manage_review_cycles(&self) -> bool {
        self.is_admin()
    }

    fn is_reviewee(&self, f: &ReviewFacts) -> bool {
        self.person_id == Some(f.person_id)
    }

    /// A manager over the reviewee: their direct manager, someone above them in the reporting
    /// line (`reports`), or a manager whose department subtree holds the reviewee.
    pub fn manages_reviewee(&self, f: &ReviewFacts, reports: &[i64]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => {
                (self.person_id.is_some() && self.person_id == f.manager_id)
                    || reports.contains(&f.person_id)
                    || self.in_scope(f.department_id)
            }
            _ => false,
        }
    }

    pub fn can_see_review(&self, f: &ReviewFacts, reports: &[i64]) -> bool {
        self.is_reviewee(f) || self.manages_reviewee(f, reports)
    }

    /// The manager's rating, proposed rating and comment: the reviewee's manager, or an admin.
    pub fn can_rate_review(&self, f: &ReviewFacts, reports: &[i64]) -> bool {
        !self.is_reviewee(f) && self.manages_reviewee(f, reports)
    }

    /// Approving or rejecting the peers a reviewee nominated.
    pub fn can_approve_peers(&self, f: &ReviewFacts, reports: &[i64]) -> bool {
        self.can_rate_review(f, reports)
    }

    /// Nominating peers and acknowledging/commenting on the shared result: the reviewee only.
    pub fn is_review_subject(&self, f: &ReviewFacts) -> bool {
        self.role != Role::Viewer && self.is_reviewee(f)
    }

    /// Adjusting a rating in calibration, setting potential and outcomes, reading the trail:
    /// the reviewee's managers and admins, never the reviewee.
    pub fn can_calibrate_review(&self, f: &ReviewFacts, reports: &[i64]) -> bool {
        self.can_rate_review(f, reports)
    }

    /// A cycle's calibration page for a group: admins any (or all) departments; managers the
    /// departments of their scope (all of their scope when none is named).
    pub fn can_see_calibration(&self, department_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => department_id.is_none() || self.in_scope(department_id),
            _ => false,
        }
    }

    /// Development plan needs of a person in the training-needs report.
    pub fn can_see_development_needs(&self, person_department_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.in_scope(person_department_id),
            _ => false,
        }
    }

    /// The progress dashboard (who has not submitted): managers for their scope, admins all.
    pub fn can_see_review_progress(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, person: i64, scope: Vec<i64>) -> Actor {
        Actor {
            user_id: person,
            username: format!("u{person}"),
            role,
            person_id: Some(person),
            department_id: scope.first().copied(),
            scope,
        }
    }

    #[test]
    fn reviewee_reads_but_does_not_rate_their_own_review() {
        let f = ReviewFacts {
            person_id: 7,
            department_id: Some(1),
            manager_id: Some(3),
        };
        let me = actor(Role::Manager, 7, vec![1]);
        assert!(me.can_see_review(&f, &[]) && !me.can_rate_review(&f, &[]));
        let boss = actor(Role::Manager, 3, vec![9]);
        assert!(boss.can_rate_review(&f, &[]));
        let colleague = actor(Role::Member, 8, vec![1]);
        assert!(!colleague.can_see_review(&f, &[]));
        let other_manager = actor(Role::Manager, 4, vec![2]);
        assert!(!other_manager.can_see_review(&f, &[]));
        assert!(other_manager.can_see_review(&f, &[7]));
    }

    #[test]
    fn the_reviewee_never_calibrates_and_members_see_no_calibration() {
        let f = ReviewFacts {
            person_id: 7,
            department_id: Some(1),
            manager_id: Some(3),
        };
        assert!(!actor(Role::Manager, 7, vec![1]).can_calibrate_review(&f, &[]));
        assert!(actor(Role::Manager, 3, vec![9]).can_calibrate_review(&f, &[]));
        let member = actor(Role::Member, 8, vec![1]);
        assert!(!member.can_see_calibration(None) && !member.can_see_calibration(Some(1)));
        let m = actor(Role::Manager, 4, vec![2]);
        assert!(m.can_see_calibration(Some(2)) && !m.can_see_calibration(Some(1)));
        assert!(!member.can_see_development_needs(Some(1)));
    }
}
