//! Task types and rules (no I/O).
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use team::model::double_option;
use utoipa::ToSchema;

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_ESTIMATE_HOURS: f64 = 10_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Todo,
    Doing,
    Blocked,
    Done,
    Cancelled,
}

impl Status {
    /// Board column order.
    pub const ALL: [Status; 5] = [
        Status::Todo,
        Status::Doing,
        Status::Blocked,
        Status::Done,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Todo => "todo",
            Status::Doing => "doing",
            Status::Blocked => "blocked",
            Status::Done => "done",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Done and cancelled tasks are closed: never overdue.
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Done | Status::Cancelled)
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    #[default]
    Medium,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Medium,
        Priority::High,
        Priority::Urgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// 0 (low) … 3 (urgent), the sort rank.
    pub fn rank(self) -> i64 {
        self as i64
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub assignee_name_zh: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub status: Status,
    pub priority: Priority,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub estimate_hours: Option<f64>,
    /// Epoch ms when the task became done; `None` unless done.
    pub completed_at: Option<i64>,
    pub version: i64,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Task {
    /// Open and due before `today` (`YYYY-MM-DD`).
    pub fn is_overdue(&self, today: &str) -> bool {
        self.status.is_open() && self.due_date.as_deref().is_some_and(|d| d < today)
    }

    pub fn facts(&self) -> kernel::policy::TaskFacts {
        kernel::policy::TaskFacts {
            department_id: self.department_id,
            assignee_id: self.assignee_id,
            created_by: self.created_by,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
    /// Defaults to the actor's own department.
    #[serde(default)]
    pub department_id: Option<i64>,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub priority: Priority,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub estimate_hours: Option<f64>,
}

/// A partial update: only present fields change; `null` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub due_date: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<f64>)]
    pub estimate_hours: Option<Option<f64>>,
}

/// The validated values a task row is written with.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskValues {
    pub title: String,
    pub description: Option<String>,
    pub assignee_id: Option<i64>,
    pub department_id: Option<i64>,
    pub status: Status,
    pub priority: Priority,
    pub due_date: Option<String>,
    pub estimate_hours: Option<f64>,
    pub completed_at: Option<i64>,
}

impl TaskValues {
    pub fn from_input(i: &TaskInput, now: i64) -> Self {
        Self {
            title: i.title.clone(),
            description: i.description.clone(),
            assignee_id: i.assignee_id,
            department_id: i.department_id,
            status: i.status,
            priority: i.priority,
            due_date: i.due_date.clone(),
            estimate_hours: i.estimate_hours,
            completed_at: (i.status == Status::Done).then_some(now),
        }
    }

    pub fn from_task(t: &Task) -> Self {
        Self {
            title: t.title.clone(),
            description: t.description.clone(),
            assignee_id: t.assignee_id,
            department_id: t.department_id,
            status: t.status,
            priority: t.priority,
            due_date: t.due_date.clone(),
            estimate_hours: t.estimate_hours,
            completed_at: t.completed_at,
        }
    }

    pub fn apply(mut self, p: &TaskPatch, now: i64) -> Self {
        if let Some(v) = &p.title {
            self.title = v.clone();
        }
        if let Some(v) = &p.description {
            self.description = v.clone();
        }
        if let Some(v) = p.assignee_id {
            self.assignee_id = v;
        }
        if let Some(v) = p.department_id {
            self.department_id = v;
        }
        if let Some(v) = p.priority {
            self.priority = v;
        }
        if let Some(v) = &p.due_date {
            self.due_date = v.clone();
        }
        if let Some(v) = p.estimate_hours {
            self.estimate_hours = v;
        }
        if let Some(s) = p.status {
            self = self.with_status(s, now);
        }
        self
    }

    /// `completed_at` is set when the task becomes done and cleared when it leaves done.
    pub fn with_status(mut self, s: Status, now: i64) -> Self {
        if s == Status::Done && self.status != Status::Done {
            self.completed_at = Some(now);
        } else if s != Status::Done {
            self.completed_at = None;
        }
        self.status = s;
        self
    }

    pub fn validate(self, c: &mut Checks) -> Self {
        let title = c.text("title", &self.title, true, MAX_TITLE);
        let description = c.opt_text("description", self.description.as_deref(), MAX_DESCRIPTION);
        let due_date = c.opt_date("due_date", self.due_date.as_deref());
        let estimate_hours = c.range_f64(
            "estimate_hours",
            self.estimate_hours,
            0.0,
            MAX_ESTIMATE_HOURS,
        );
        Self {
            title,
            description,
            due_date,
            estimate_hours,
            ..self
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskSort {
    #[default]
    Id,
    CreatedAt,
    UpdatedAt,
    DueDate,
    Priority,
    Title,
}

impl TaskSort {
    pub const ALL: [TaskSort; 6] = [
        TaskSort::Id,
        TaskSort::CreatedAt,
        TaskSort::UpdatedAt,
        TaskSort::DueDate,
        TaskSort::Priority,
        TaskSort::Title,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskSort::Id => "id",
            TaskSort::CreatedAt => "created_at",
            TaskSort::UpdatedAt => "updated_at",
            TaskSort::DueDate => "due_date",
            TaskSort::Priority => "priority",
            TaskSort::Title => "title",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the sort key is an integer (else text).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            TaskSort::Id | TaskSort::CreatedAt | TaskSort::UpdatedAt | TaskSort::Priority
        )
    }
}

/// `assignee=me`, `assignee=none` or `assignee=<person id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
pub enum AssigneeFilter {
    Me,
    Unassigned,
    Person(i64),
}

impl AssigneeFilter {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "me" => Some(Self::Me),
            "none" => Some(Self::Unassigned),
            n => n.parse().ok().map(Self::Person),
        }
    }
}

impl Serialize for AssigneeFilter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Me => s.serialize_str("me"),
            Self::Unassigned => s.serialize_str("none"),
            Self::Person(id) => s.serialize_str(&id.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for AssigneeFilter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(i64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(Self::Person(n)),
            Raw::S(s) => Self::parse(&s)
                .ok_or_else(|| serde::de::Error::custom("expected me, none or a person id")),
        }
    }
}

/// Filters, sort and page of the task list (and the board, which ignores sort/cursor/limit).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskFilter {
    #[serde(default)]
    pub department_id: Option<i64>,
    /// With `department_id`: include tasks of its sub-departments.
    #[serde(default)]
    pub include_sub: bool,
    /// Any of these statuses (empty = all).
    #[serde(default)]
    pub status: Vec<Status>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<AssigneeFilter>,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Due on or before this date.
    #[serde(default)]
    pub due_before: Option<String>,
    /// Due on or after this date.
    #[serde(default)]
    pub due_after: Option<String>,
    /// Open (not done/cancelled) and due before today.
    #[serde(default)]
    pub overdue: bool,
    /// Case-insensitive substring of title or description.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub sort: TaskSort,
    #[serde(default)]
    pub desc: bool,
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

impl TaskFilter {
    /// Field errors for malformed filter values (dates).
    pub fn validate(&self, c: &mut Checks) {
        c.opt_date("due_before", self.due_before.as_deref());
        c.opt_date("due_after", self.due_after.as_deref());
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BoardColumn {
    pub status: Status,
    /// All matching tasks in this status (the column may show fewer).
    pub total: i64,
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Board {
    pub columns: Vec<BoardColumn>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_at_follows_done() {
        let i = TaskInput {
            title: "t".into(),
            ..Default::default()
        };
        let v = TaskValues::from_input(&i, 5);
        assert_eq!(v.completed_at, None);
        let done = v.with_status(Status::Done, 10);
        assert_eq!(done.completed_at, Some(10));
        // Staying done keeps the first completion time.
        let still = done.clone().apply(
            &TaskPatch {
                status: Some(Status::Done),
                ..Default::default()
            },
            20,
        );
        assert_eq!(still.completed_at, Some(10));
        let reopened = done.with_status(Status::Doing, 30);
        assert_eq!(reopened.completed_at, None);
    }

    #[test]
    fn task_rules() {
        let mut c = Checks::new();
        let i = TaskInput {
            title: "x".repeat(201),
            description: Some("d".repeat(10_001)),
            due_date: Some("2026-02-30".into()),
            estimate_hours: Some(10_000.5),
            ..Default::default()
        };
        TaskValues::from_input(&i, 0).validate(&mut c);
        let kernel::AppError::Validation(errs) = c.finish().unwrap_err() else {
            panic!()
        };
        let f: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(f, ["title", "description", "due_date", "estimate_hours"]);
        let mut c = Checks::new();
        TaskValues::from_input(
            &TaskInput {
                title: "  ".into(),
                estimate_hours: Some(-1.0),
                ..Default::default()
            },
            0,
        )
        .validate(&mut c);
        assert!(c.finish().is_err());
    }

    #[test]
    fn filters_parse() {
        let f: TaskFilter =
            serde_json::from_str(r#"{"status":["todo","done"],"assignee":"me"}"#).unwrap();
        assert_eq!(f.status, vec![Status::Todo, Status::Done]);
        assert_eq!(f.assignee, Some(AssigneeFilter::Me));
        let f: TaskFilter = serde_json::from_str(r#"{"assignee":"42","sort":"due_date"}"#).unwrap();
        assert_eq!(f.assignee, Some(AssigneeFilter::Person(42)));
        assert!(serde_json::from_str::<TaskFilter>(r#"{"assignee":"bob"}"#).is_err());
        assert!(serde_json::from_str::<TaskPatch>(r#"{"created_by":1}"#).is_err());
        assert!(Priority::Urgent.rank() > Priority::Low.rank());
    }
}
