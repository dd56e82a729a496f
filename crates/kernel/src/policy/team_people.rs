//! The policy for the team's people processes: hiring, training, recognition and 1:1s.
//!
//! - Hiring: admins and managers whose scope holds the opening's department run it; the hiring
//!   team (hiring manager, team members, interviewers) reads the opening and its candidates.
//!   Interview scorecards are for admins and the hiring team only (a manager outside the team
//!   does not read them). Salaries and budgets are for admins and the department's managers
//!   (its head, or a manager whose scope holds it) and are left out of every other response.
//! - Headcount requests are approved by the head of the department, or an admin.
//! - Training: the catalogue (courses, programs, sessions) is readable by everyone and managed
//!   by admins and managers; a person's training records are read by the person, managers in
//!   scope and admins.
//! - Recognition: kudos are public inside the company; any non-viewer with a person gives them;
//!   company values are managed by admins.
//! - 1:1s: readable and writable by their two participants ONLY. There is no admin override:
//!   no list, API, export or audit entry shows their notes to anyone else.
use super::{Actor, Role};

/// The facts about a job opening (and its candidates) the policy needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HiringFacts {
    pub department_id: i64,
    /// The head of the opening's department.
    pub head_person_id: Option<i64>,
    /// Whether the actor is on the opening's hiring team.
    pub on_team: bool,
}

impl Actor {
    fn is_head(&self, head_person_id: Option<i64>) -> bool {
        self.person_id.is_some() && self.person_id == head_person_id
    }

    /// Requesting headcount, opening positions, adding and moving candidates.
    pub fn can_run_hiring(&self, department_id: i64) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.in_scope(Some(department_id)),
            _ => false,
        }
    }

    /// Reading an opening and its candidates (not their scorecards).
    pub fn can_see_hiring(&self, f: &HiringFacts) -> bool {
        self.can_run_hiring(f.department_id) || f.on_team || self.is_head(f.head_person_id)
    }

    /// Reading interview scorecards: the hiring team only (and admins).
    pub fn can_see_scorecards(&self, f: &HiringFacts) -> bool {
        self.is_admin() || f.on_team
    }

    /// Salaries (offers, opening ranges) and budgets (headcount requests).
    pub fn can_see_compensation(&self, department_id: i64, head_person_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.in_scope(Some(department_id)) || self.is_head(head_person_id),
            _ => self.is_head(head_person_id),
        }
    }

    /// Approving or rejecting a headcount request: the department's head, or an admin.
    pub fn can_decide_headcount(&self, head_person_id: Option<i64>) -> bool {
        self.is_admin() || (self.role != Role::Viewer && self.is_head(head_person_id))
    }

    /// Managing courses, programs and sessions.
    pub fn can_manage_training(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }

    /// Enrolling a person and recording attendance, completion, scores and certificates.
    pub fn can_manage_training_of(&self, person_department_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.in_scope(person_department_id),
            _ => false,
        }
    }

    /// Reading a person's training records and certificates.
    pub fn can_see_training_of(&self, person_id: i64, person_department_id: Option<i64>) -> bool {
        self.person_id == Some(person_id) || self.can_manage_training_of(person_department_id)
    }

    /// Members enrol themselves; managers and admins enrol the people they manage.
    pub fn can_enrol(&self, person_id: i64, person_department_id: Option<i64>) -> bool {
        self.can_manage_training_of(person_department_id)
            || (self.role == Role::Member && self.person_id == Some(person_id))
    }

    pub fn can_give_kudos(&self) -> bool {
        self.role != Role::Viewer && self.person_id.is_some()
    }

    pub fn can_manage_values(&self) -> bool {
        self.is_admin()
    }

    /// Whether the actor is one of the two participants of a 1:1. This is the only rule for
    /// 1:1s: roles do not matter.
    pub fn is_one_on_one_participant(&self, manager_id: i64, report_id: i64) -> bool {
        self.person_id
            .is_some_and(|p| p == manager_id || p == report_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, person: i64, scope: &[i64]) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            person_id: Some(person),
            department_id: scope.first().copied(),
            scope: scope.to_vec(),
        }
    }

    #[test]
    fn scorecards_are_for_the_hiring_team_not_every_manager() {
        let off_team = HiringFacts {
            department_id: 2,
            head_person_id: Some(50),
            on_team: false,
        };
        let m = actor(Role::Manager, 7, &[2]);
        assert!(m.can_see_hiring(&off_team) && !m.can_see_scorecards(&off_team));
        let member = actor(Role::Member, 8, &[2]);
        assert!(!member.can_see_hiring(&off_team));
        let on = HiringFacts {
            on_team: true,
            ..off_team
        };
        assert!(member.can_see_hiring(&on) && member.can_see_scorecards(&on));
        assert!(!member.can_run_hiring(2));
    }

    #[test]
    fn compensation_is_for_admins_and_the_departments_managers() {
        assert!(actor(Role::Admin, 1, &[]).can_see_compensation(2, None));
        assert!(actor(Role::Manager, 7, &[2, 3]).can_see_compensation(3, None));
        assert!(!actor(Role::Manager, 7, &[4]).can_see_compensation(3, None));
        assert!(actor(Role::Member, 50, &[3]).can_see_compensation(3, Some(50)));
        assert!(!actor(Role::Member, 8, &[3]).can_see_compensation(3, Some(50)));
    }

    #[test]
    fn headcount_is_decided_by_the_head_or_an_admin() {
        assert!(actor(Role::Manager, 50, &[3]).can_decide_headcount(Some(50)));
        assert!(!actor(Role::Manager, 7, &[3]).can_decide_headcount(Some(50)));
        assert!(actor(Role::Admin, 1, &[]).can_decide_headcount(Some(50)));
        assert!(!actor(Role::Viewer, 50, &[3]).can_decide_headcount(Some(50)));
    }

    #[test]
    fn one_on_ones_ignore_roles() {
        assert!(!actor(Role::Admin, 1, &[]).is_one_on_one_participant(5, 6));
        assert!(actor(Role::Member, 6, &[]).is_one_on_one_participant(5, 6));
        assert!(actor(Role::Viewer, 5, &[]).is_one_on_one_participant(5, 6));
    }
}
