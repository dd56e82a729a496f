//! The one access policy. Every service asks it before reading or writing, and every list is
//! filtered by the same `Visibility` a direct read uses, so a list never shows what a GET refuses.
//!
//! Roles: admin (everything), manager (acts within their department and its sub-departments),
//! member (acts on their own records and what is assigned to them), viewer (reads, never writes).
//! The directory (departments, people) is readable by every signed-in user; tasks are scoped.
use serde::{Deserialize, Serialize};

mod review_feedback;
mod reviews;
mod team_people;
pub use review_feedback::{FeedbackFacts, FeedbackVisibility};
pub use reviews::ReviewFacts;
pub use team_people::HiringFacts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Member,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Manager, Role::Member, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "member" => Some(Role::Member),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

/// Who is acting, resolved once per request by the authentication layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// The person record linked to the account, if any.
    pub person_id: Option<i64>,
    /// The person's own department.
    pub department_id: Option<i64>,
    /// Departments the actor acts within: a manager's department subtree, otherwise the own
    /// department only. Empty when the account has no person or department.
    pub scope: Vec<i64>,
}

/// What a list or a direct read may return for scoped records (tasks).
#[derive(Debug, Clone, PartialEq)]
pub enum Visibility {
    All,
    Scoped {
        departments: Vec<i64>,
        person_id: Option<i64>,
        user_id: i64,
    },
}

/// The facts about a task the policy needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskFacts {
    pub department_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub created_by: Option<i64>,
}

/// Whose a KPI is: the company's, a department's or one person's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KpiScope {
    Company,
    Department,
    Person,
}

/// The facts about a KPI the policy needs. `department_id` is the department a department KPI
/// belongs to, or the department of a person KPI's person.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KpiFacts {
    pub scope: KpiScope,
    pub department_id: Option<i64>,
    pub person_id: Option<i64>,
    pub owner_person_id: Option<i64>,
}

/// What a KPI list or read may return: everything, or company KPIs, department KPIs of the
/// departments in `departments`, person KPIs of people in them when `their_people` (managers),
/// and the KPIs that are the person's own or that they own.
#[derive(Debug, Clone, PartialEq)]
pub enum KpiVisibility {
    All,
    Scoped {
        departments: Vec<i64>,
        their_people: bool,
        person_id: Option<i64>,
    },
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn in_scope(&self, department_id: Option<i64>) -> bool {
        department_id.is_some_and(|d| self.scope.contains(&d))
    }

    pub fn task_visibility(&self) -> Visibility {
        if self.is_admin() {
            Visibility::All
        } else {
            Visibility::Scoped {
                departments: self.scope.clone(),
                person_id: self.person_id,
                user_id: self.user_id,
            }
        }
    }

    pub fn can_see_task(&self, t: &TaskFacts) -> bool {
        match self.task_visibility() {
            Visibility::All => true,
            Visibility::Scoped {
                departments,
                person_id,
                user_id,
            } => {
                t.department_id.is_some_and(|d| departments.contains(&d))
                    || (person_id.is_some() && t.assignee_id == person_id)
                    || t.created_by == Some(user_id)
            }
        }
    }

    pub fn can_create_task_in(&self, department_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.in_scope(department_id),
            Role::Member => department_id.is_some() && department_id == self.department_id,
            Role::Viewer => false,
        }
    }

    pub fn can_edit_task(&self, t: &TaskFacts) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => {
                self.in_scope(t.department_id) || self.is_assignee(t) || self.is_creator(t)
            }
            Role::Member => self.is_assignee(t) || self.is_creator(t),
            Role::Viewer => false,
        }
    }

    /// Moving a task to another department is a manager's decision.
    pub fn can_move_task_to(&self, department_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.in_scope(department_id),
            _ => false,
        }
    }

    pub fn can_delete_task(&self, t: &TaskFacts) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.in_scope(t.department_id) || self.is_creator(t),
            Role::Member => self.is_creator(t),
            Role::Viewer => false,
        }
    }

    /// Creating or editing a department: admins anywhere; managers below or at their own.
    pub fn can_manage_department(&self, department_id: Option<i64>) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => self.in_scope(department_id),
            _ => false,
        }
    }

    pub fn can_delete_department(&self) -> bool {
        self.is_admin()
    }

    /// Editing a person's organisational fields (department, position, manager, number…).
    pub fn can_manage_person(&self, department_id: Option<i64>) -> bool {
        self.can_manage_department(department_id)
    }

    /// Editing one's own contact details (email, phone).
    pub fn can_edit_own_contact(&self, person_id: i64) -> bool {
        self.role != Role::Viewer && self.person_id == Some(person_id)
    }

    pub fn can_delete_person(&self) -> bool {
        self.is_admin()
    }

    pub fn can_manage_users(&self) -> bool {
        self.is_admin()
    }

    /// Whose skill levels, leave and workload the actor may see: admins everyone; everyone else
    /// the people of their scope (a manager's subtree, otherwise the own department) and
    /// themselves. Lists, the matrix, the heat map and the gap report all filter by this.
    pub fn people_visibility(&self) -> Visibility {
        self.task_visibility()
    }

    /// A person's skills, leave and workload: the same rule as [`Actor::people_visibility`].
    pub fn can_see_person_capability(&self, department_id: Option<i64>, person_id: i64) -> bool {
        match self.people_visibility() {
            Visibility::All => true,
            Visibility::Scoped {
                departments,
                person_id: own,
                ..
            } => department_id.is_some_and(|d| departments.contains(&d)) || own == Some(person_id),
        }
    }

    /// The skill catalogue and the skills a position requires: admins and managers.
    pub fn can_manage_skill_catalogue(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Manager)
    }

    /// Rating a person's skill levels: admins, and managers for people in their departments.
    pub fn can_rate_skills(&self, department_id: Option<i64>) -> bool {
        self.can_manage_person(department_id)
    }

    /// Recording leave: admins, managers in their departments, and members for themselves.
    pub fn can_manage_leave(&self, department_id: Option<i64>, person_id: i64) -> bool {
        self.can_manage_person(department_id)
            || (self.role == Role::Member && self.person_id == Some(person_id))
    }

    /// The company working calendar (holidays and 调休 make-up workdays) is set by admins.
    pub fn can_manage_calendar(&self) -> bool {
        self.is_admin()
    }

    /// Planning and accepting an auto-assignment of a department's tasks.
    pub fn can_plan_assignments(&self, department_id: Option<i64>) -> bool {
        self.can_manage_department(department_id)
    }

    /// Company KPIs are everyone's; department KPIs are seen within the actor's scope (a
    /// member's own department, a manager's subtree); person KPIs by that person, their
    /// department's managers, and the KPI's owner.
    pub fn kpi_visibility(&self) -> KpiVisibility {
        if self.is_admin() {
            KpiVisibility::All
        } else {
            KpiVisibility::Scoped {
                departments: self.scope.clone(),
                their_people: self.role == Role::Manager,
                person_id: self.person_id,
            }
        }
    }

    pub fn can_see_kpi(&self, k: &KpiFacts) -> bool {
        match self.kpi_visibility() {
            KpiVisibility::All => true,
            KpiVisibility::Scoped {
                departments,
                their_people,
                person_id,
            } => {
                let mine = person_id.is_some()
                    && (k.person_id == person_id || k.owner_person_id == person_id);
                match k.scope {
                    KpiScope::Company => true,
                    KpiScope::Department => {
                        mine || k.department_id.is_some_and(|d| departments.contains(&d))
                    }
                    // A member's scope is their own department: they see their own person KPIs,
                    // not their colleagues'; managers see their people's.
                    KpiScope::Person => {
                        mine || (their_people
                            && k.department_id.is_some_and(|d| departments.contains(&d)))
                    }
                }
            }
        }
    }

    /// Defining a KPI, its formula, targets and thresholds: admins anywhere; managers for their
    /// department subtree (department and person KPIs); company KPIs are the admins'.
    pub fn can_manage_kpi(&self, k: &KpiFacts) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => k.scope != KpiScope::Company && self.in_scope(k.department_id),
            _ => false,
        }
    }

    /// Entering actuals and opening actions: whoever manages the KPI, and its owner.
    pub fn can_record_kpi(&self, k: &KpiFacts) -> bool {
        self.can_manage_kpi(k)
            || (self.role != Role::Viewer
                && self.person_id.is_some()
                && k.owner_person_id == self.person_id)
    }

    fn is_assignee(&self, t: &TaskFacts) -> bool {
        self.person_id.is_some() && t.assignee_id == self.person_id
    }

    fn is_creator(&self, t: &TaskFacts) -> bool {
        t.created_by == Some(self.user_id)
    }
}

/// The facts about a goal (objective or SMART goal) the policy needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GoalFacts {
    /// A company-level goal: everybody reads it, only admins write it.
    pub company: bool,
    /// The department of a department goal, or the owner's department for a personal one.
    pub department_id: Option<i64>,
    /// The person who owns the goal.
    pub owner_id: Option<i64>,
}

/// Which goals a caller may see: company goals, their own, their scope's (a member's department,
/// a manager's subtree) and, for managers, their reports' wherever those sit.
#[derive(Debug, Clone, PartialEq)]
pub enum GoalVisibility {
    All,
    Scoped {
        departments: Vec<i64>,
        person_id: Option<i64>,
        /// People reporting to the caller, directly or indirectly (managers only).
        reports: Vec<i64>,
    },
}

impl Actor {
    /// `reports`: the people in the caller's reporting line below them (directly or not).
    pub fn goal_visibility(&self, reports: &[i64]) -> GoalVisibility {
        if self.is_admin() {
            GoalVisibility::All
        } else {
            GoalVisibility::Scoped {
                departments: self.scope.clone(),
                person_id: self.person_id,
                reports: if self.role == Role::Manager {
                    reports.to_vec()
                } else {
                    Vec::new()
                },
            }
        }
    }

    pub fn can_see_goal(&self, g: &GoalFacts, reports: &[i64]) -> bool {
        match self.goal_visibility(reports) {
            GoalVisibility::All => true,
            GoalVisibility::Scoped {
                departments,
                person_id,
                reports,
            } => {
                g.company
                    || g.department_id.is_some_and(|d| departments.contains(&d))
                    || (person_id.is_some() && g.owner_id == person_id)
                    || g.owner_id.is_some_and(|o| reports.contains(&o))
            }
        }
    }

    /// Creating, editing, deleting and scoring a goal and its key results. Company goals are
    /// the admins'; managers write their department subtree's and their reports' goals; members
    /// their own personal goals.
    pub fn can_edit_goal(&self, g: &GoalFacts, reports: &[i64]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => {
                !g.company
                    && (self.in_scope(g.department_id)
                        || self.owns_goal(g)
                        || g.owner_id.is_some_and(|o| reports.contains(&o)))
            }
            Role::Member => !g.company && self.owns_goal(g),
            Role::Viewer => false,
        }
    }

    /// A check-in on a key result: whoever may edit the goal, and the key result's own owner.
    pub fn can_check_in(&self, g: &GoalFacts, kr_owner: Option<i64>, reports: &[i64]) -> bool {
        self.role != Role::Viewer
            && (self.can_edit_goal(g, reports)
                || (self.person_id.is_some() && kr_owner == self.person_id))
    }

    /// End-of-cycle scoring is a manager's (or admin's) judgement, never a self-assessment.
    pub fn can_score_goal(&self, g: &GoalFacts, reports: &[i64]) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Manager => {
                !g.company
                    && (self.in_scope(g.department_id)
                        || g.owner_id.is_some_and(|o| reports.contains(&o)))
            }
            _ => false,
        }
    }

    /// Scorecards have goals' audience: company ones for all, a department's for its scope, a
    /// person's for them and their managers.
    pub fn can_see_scorecard(&self, s: &GoalFacts, reports: &[i64]) -> bool {
        self.can_see_goal(s, reports)
    }

    /// Composing a scorecard is a manager's (within their subtree and reports) or admin's job.
    pub fn can_edit_scorecard(&self, s: &GoalFacts, reports: &[i64]) -> bool {
        self.can_score_goal(s, reports)
    }

    fn owns_goal(&self, g: &GoalFacts) -> bool {
        self.person_id.is_some() && g.owner_id == self.person_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, dept: i64, scope: &[i64]) -> Actor {
        Actor {
            user_id: 10,
            username: "u".into(),
            role,
            person_id: Some(100),
            department_id: Some(dept),
            scope: scope.to_vec(),
        }
    }

    #[test]
    fn manager_acts_within_subtree_only() {
        let m = actor(Role::Manager, 1, &[1, 2]);
        let inside = TaskFacts {
            department_id: Some(2),
            assignee_id: None,
            created_by: None,
        };
        let outside = TaskFacts {
            department_id: Some(3),
            assignee_id: None,
            created_by: None,
        };
        assert!(m.can_see_task(&inside) && m.can_edit_task(&inside) && m.can_delete_task(&inside));
        assert!(!m.can_see_task(&outside) && !m.can_edit_task(&outside));
        assert!(m.can_create_task_in(Some(2)) && !m.can_create_task_in(Some(3)));
        assert!(!m.can_move_task_to(Some(3)));
    }

    #[test]
    fn member_edits_own_and_assigned_only() {
        let m = actor(Role::Member, 1, &[1]);
        let dept_task = TaskFacts {
            department_id: Some(1),
            assignee_id: Some(7),
            created_by: Some(3),
        };
        let assigned = TaskFacts {
            department_id: Some(9),
            assignee_id: Some(100),
            created_by: None,
        };
        assert!(m.can_see_task(&dept_task) && !m.can_edit_task(&dept_task));
        assert!(m.can_see_task(&assigned) && m.can_edit_task(&assigned));
        assert!(!m.can_delete_task(&assigned));
        assert!(!m.can_move_task_to(Some(1)));
        assert!(m.can_create_task_in(Some(1)) && !m.can_create_task_in(Some(2)));
    }

    #[test]
    fn capability_is_scoped_like_tasks() {
        let m = actor(Role::Manager, 1, &[1, 2]);
        assert!(
            m.can_see_person_capability(Some(2), 5) && !m.can_see_person_capability(Some(3), 5)
        );
        assert!(m.can_rate_skills(Some(2)) && !m.can_rate_skills(Some(3)));
        let member = actor(Role::Member, 1, &[1]);
        assert!(member.can_see_person_capability(Some(9), 100));
        assert!(member.can_manage_leave(Some(9), 100) && !member.can_manage_leave(Some(1), 101));
        assert!(!member.can_rate_skills(Some(1)) && !member.can_manage_skill_catalogue());
        assert!(!m.can_manage_calendar() && m.can_plan_assignments(Some(1)));
    }

    #[test]
    fn viewer_never_writes() {
        let v = actor(Role::Viewer, 1, &[1]);
        let t = TaskFacts {
            department_id: Some(1),
            assignee_id: Some(100),
            created_by: Some(10),
        };
        assert!(v.can_see_task(&t));
        assert!(!v.can_edit_task(&t) && !v.can_delete_task(&t) && !v.can_create_task_in(Some(1)));
        assert!(!v.can_edit_own_contact(100));
    }

    #[test]
    fn kpis_by_scope() {
        let kpi = |scope, dept: Option<i64>, person: Option<i64>, owner: Option<i64>| KpiFacts {
            scope,
            department_id: dept,
            person_id: person,
            owner_person_id: owner,
        };
        let company = kpi(KpiScope::Company, None, None, Some(5));
        let own_dept = kpi(KpiScope::Department, Some(1), None, None);
        let other_dept = kpi(KpiScope::Department, Some(3), None, None);
        let colleague = kpi(KpiScope::Person, Some(1), Some(7), None);
        let mine = kpi(KpiScope::Person, Some(1), Some(100), None);
        let member = actor(Role::Member, 1, &[1]);
        assert!(member.can_see_kpi(&company) && member.can_see_kpi(&own_dept));
        assert!(member.can_see_kpi(&mine) && !member.can_see_kpi(&colleague));
        assert!(!member.can_see_kpi(&other_dept));
        assert!(!member.can_manage_kpi(&own_dept) && !member.can_record_kpi(&own_dept));
        let owned = kpi(KpiScope::Department, Some(3), None, Some(100));
        assert!(member.can_see_kpi(&owned) && member.can_record_kpi(&owned));
        assert!(!member.can_manage_kpi(&owned));
        let m = actor(Role::Manager, 1, &[1, 2]);
        assert!(m.can_see_kpi(&colleague) && m.can_manage_kpi(&colleague));
        assert!(m.can_manage_kpi(&own_dept) && !m.can_manage_kpi(&other_dept));
        assert!(!m.can_manage_kpi(&company) && m.can_see_kpi(&company));
        let v = actor(Role::Viewer, 1, &[1]);
        let owned_by_viewer = kpi(KpiScope::Department, Some(1), None, Some(100));
        assert!(v.can_see_kpi(&owned_by_viewer) && !v.can_record_kpi(&owned_by_viewer));
    }

    #[test]
    fn admin_sees_everything() {
        let a = actor(Role::Admin, 1, &[]);
        assert_eq!(a.task_visibility(), Visibility::All);
        assert!(a.can_delete_department() && a.can_manage_users());
    }

    #[test]
    fn goals_company_for_all_department_for_scope_reports_for_managers() {
        let company = GoalFacts {
            company: true,
            department_id: None,
            owner_id: Some(1),
        };
        let dept2 = GoalFacts {
            company: false,
            department_id: Some(2),
            owner_id: Some(7),
        };
        let elsewhere_report = GoalFacts {
            company: false,
            department_id: Some(9),
            owner_id: Some(55),
        };
        let own = GoalFacts {
            company: false,
            department_id: Some(1),
            owner_id: Some(100),
        };
        let member = actor(Role::Member, 1, &[1]);
        assert!(member.can_see_goal(&company, &[]) && !member.can_edit_goal(&company, &[]));
        assert!(!member.can_see_goal(&dept2, &[]) && member.can_see_goal(&own, &[]));
        assert!(member.can_edit_goal(&own, &[]) && !member.can_score_goal(&own, &[]));
        // A member's "reports" never widen what they see.
        assert!(!member.can_see_goal(&elsewhere_report, &[55]));
        let manager = actor(Role::Manager, 1, &[1, 2]);
        assert!(manager.can_see_goal(&dept2, &[]) && manager.can_edit_goal(&dept2, &[]));
        assert!(!manager.can_see_goal(&elsewhere_report, &[]));
        assert!(manager.can_see_goal(&elsewhere_report, &[55]));
        assert!(manager.can_edit_goal(&elsewhere_report, &[55]));
        assert!(!manager.can_edit_goal(&company, &[]) && manager.can_score_goal(&dept2, &[]));
        // Managers do not score their own goals outside their scope.
        let viewer = actor(Role::Viewer, 1, &[1]);
        assert!(viewer.can_see_goal(&own, &[]) && !viewer.can_check_in(&own, Some(100), &[]));
        let kr_owner = actor(Role::Member, 2, &[2]);
        assert!(kr_owner.can_check_in(&dept2, Some(100), &[]));
        assert!(!kr_owner.can_edit_goal(&dept2, &[]));
        assert!(actor(Role::Admin, 1, &[]).can_edit_goal(&company, &[]));
        // Scorecards: members read their own, only managers and admins compose them.
        assert!(member.can_see_scorecard(&own, &[]) && !member.can_edit_scorecard(&own, &[]));
        assert!(manager.can_edit_scorecard(&elsewhere_report, &[55]));
        assert!(!manager.can_edit_scorecard(&company, &[]));
    }
}
