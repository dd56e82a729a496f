//! 1:1 types and rules (no I/O).
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MAX_NOTES: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Followup {
    pub id: i64,
    pub text: String,
    pub owner_id: Option<i64>,
    pub due_on: Option<String>,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OneOnOne {
    pub id: i64,
    pub manager_id: i64,
    pub manager_name: String,
    pub report_id: i64,
    pub report_name: String,
    /// `YYYY-MM-DD`.
    pub meeting_on: String,
    pub talking_points: Option<String>,
    pub notes: Option<String>,
    pub followups: Vec<Followup>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl OneOnOne {
    /// What the audit log may keep: who met when, never what was said.
    pub fn audit_view(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "manager_id": self.manager_id,
            "report_id": self.report_id,
            "meeting_on": self.meeting_on,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOnOneInput {
    /// The other participant: the caller's direct report or the caller's manager.
    pub with_person_id: i64,
    pub meeting_on: String,
    #[serde(default)]
    pub talking_points: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OneOnOnePatch {
    #[serde(default)]
    pub meeting_on: Option<String>,
    #[serde(default)]
    pub talking_points: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowupInput {
    pub text: String,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub due_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowupPatch {
    pub done: bool,
}

/// Validated (meeting_on, talking_points, notes).
pub fn check_texts(
    c: &mut Checks,
    meeting_on: &str,
    talking_points: Option<&str>,
    notes: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    let d = c.opt_date("meeting_on", Some(meeting_on));
    if meeting_on.trim().is_empty() {
        c.push("meeting_on", "required", "is required");
    }
    (
        d.unwrap_or_default(),
        c.opt_text("talking_points", talking_points, MAX_NOTES),
        c.opt_text("notes", notes, MAX_NOTES),
    )
}
