//! Training types and rules (no I/O).
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::double_option;

pub const ENROLMENT_STATUSES: [&str; 5] =
    ["enrolled", "attended", "completed", "no_show", "cancelled"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Course {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub provider: Option<String>,
    pub hours: Option<f64>,
    /// Completing the course earns a certificate valid this many months (none when `null`).
    pub certificate_months: Option<i64>,
    /// The skill the course teaches ("enrol from skill gaps" uses it).
    pub skill_id: Option<i64>,
    pub skill_name: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourseInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub hours: Option<f64>,
    #[serde(default)]
    pub certificate_months: Option<i64>,
    /// The skill the course teaches.
    #[serde(default)]
    pub skill_id: Option<i64>,
}

/// A change to a course; absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoursePatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub provider: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<f64>)]
    pub hours: Option<Option<f64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub certificate_months: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub skill_id: Option<Option<i64>>,
}

impl CourseInput {
    pub fn from_course(c: &Course) -> Self {
        Self {
            title: c.title.clone(),
            description: c.description.clone(),
            provider: c.provider.clone(),
            hours: c.hours,
            certificate_months: c.certificate_months,
            skill_id: c.skill_id,
        }
    }

    pub fn apply(mut self, p: &CoursePatch) -> Self {
        if let Some(v) = &p.title {
            self.title = v.clone();
        }
        if let Some(v) = &p.description {
            self.description = v.clone();
        }
        if let Some(v) = &p.provider {
            self.provider = v.clone();
        }
        if let Some(v) = p.hours {
            self.hours = v;
        }
        if let Some(v) = p.certificate_months {
            self.certificate_months = v;
        }
        if let Some(v) = p.skill_id {
            self.skill_id = v;
        }
        self
    }

    pub fn validate(&self, c: &mut Checks) -> (String, Option<String>, Option<String>) {
        let t = c.text("title", &self.title, true, 200);
        let d = c.opt_text("description", self.description.as_deref(), 4000);
        let p = c.opt_text("provider", self.provider.as_deref(), 200);
        c.range_f64("hours", self.hours, 0.0, 10_000.0);
        if self
            .certificate_months
            .is_some_and(|m| !(1..=120).contains(&m))
        {
            c.push(
                "certificate_months",
                "out_of_range",
                "must be between 1 and 120",
            );
        }
        (t, d, p)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Program {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    /// Courses in program order.
    pub courses: Vec<Course>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub course_ids: Vec<i64>,
}

/// A change to a program; absent fields stay, `null` clears the description, `course_ids`
/// replaces the courses (in program order).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub course_ids: Option<Vec<i64>>,
}

impl ProgramInput {
    pub fn from_program(p: &Program) -> Self {
        Self {
            title: p.title.clone(),
            description: p.description.clone(),
            course_ids: p.courses.iter().map(|c| c.id).collect(),
        }
    }

    pub fn apply(mut self, p: &ProgramPatch) -> Self {
        if let Some(v) = &p.title {
            self.title = v.clone();
        }
        if let Some(v) = &p.description {
            self.description = v.clone();
        }
        if let Some(v) = &p.course_ids {
            self.course_ids = v.clone();
        }
        self
    }

    /// (title, description); the courses must exist (checked by the service).
    pub fn validate(&self, c: &mut Checks) -> (String, Option<String>) {
        let title = c.text("title", &self.title, true, 200);
        let desc = c.opt_text("description", self.description.as_deref(), 4000);
        if self.course_ids.is_empty() {
            c.push(
                "course_ids",
                "required",
                "a program has at least one course",
            );
        }
        let mut seen = std::collections::HashSet::new();
        if !self.course_ids.iter().all(|id| seen.insert(*id)) {
            c.push("course_ids", "duplicate", "a course appears twice");
        }
        (title, desc)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Session {
    pub id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_on: String,
    pub ends_on: String,
    pub trainer_id: Option<i64>,
    pub trainer_name: Option<String>,
    pub location: Option<String>,
    pub capacity: Option<i64>,
    pub enrolled: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    pub course_id: i64,
    pub starts_on: String,
    pub ends_on: String,
    #[serde(default)]
    pub trainer_id: Option<i64>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub capacity: Option<i64>,
}

/// A change to a session (the course stays); absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPatch {
    #[serde(default)]
    pub starts_on: Option<String>,
    #[serde(default)]
    pub ends_on: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub trainer_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub capacity: Option<Option<i64>>,
}

impl SessionInput {
    pub fn from_session(s: &Session) -> Self {
        Self {
            course_id: s.course_id,
            starts_on: s.starts_on.clone(),
            ends_on: s.ends_on.clone(),
            trainer_id: s.trainer_id,
            location: s.location.clone(),
            capacity: s.capacity,
        }
    }

    pub fn apply(mut self, p: &SessionPatch) -> Self {
        if let Some(v) = &p.starts_on {
            self.starts_on = v.clone();
        }
        if let Some(v) = &p.ends_on {
            self.ends_on = v.clone();
        }
        if let Some(v) = p.trainer_id {
            self.trainer_id = v;
        }
        if let Some(v) = &p.location {
            self.location = v.clone();
        }
        if let Some(v) = p.capacity {
            self.capacity = v;
        }
        self
    }

    pub fn validate(&self, c: &mut Checks) -> (String, String, Option<String>) {
        let s = c.opt_date("starts_on", Some(&self.starts_on));
        let e = c.opt_date("ends_on", Some(&self.ends_on));
        if self.starts_on.trim().is_empty() {
            c.push("starts_on", "required", "is required");
        }
        if self.ends_on.trim().is_empty() {
            c.push("ends_on", "required", "is required");
        }
        if let (Some(s), Some(e)) = (&s, &e)
            && e < s
        {
            c.push("ends_on", "out_of_range", "must not be before starts_on");
        }
        if self.capacity.is_some_and(|n| !(1..=10_000).contains(&n)) {
            c.push("capacity", "out_of_range", "must be between 1 and 10000");
        }
        let loc = c.opt_text("location", self.location.as_deref(), 200);
        (s.unwrap_or_default(), e.unwrap_or_default(), loc)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Enrolment {
    pub id: i64,
    pub session_id: i64,
    pub course_id: i64,
    pub course_title: String,
    pub starts_on: String,
    pub person_id: i64,
    pub person_name: String,
    /// person, department or skill_gap.
    pub source: String,
    /// enrolled, attended, completed, no_show or cancelled.
    pub status: String,
    pub score: Option<f64>,
    pub completed_on: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolInput {
    /// Enrol one person…
    #[serde(default)]
    pub person_id: Option<i64>,
    /// …or every active person of a department (and its sub-departments).
    #[serde(default)]
    pub department_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentPatch {
    pub status: String,
    #[serde(default)]
    pub score: Option<f64>,
    /// Defaults to today when the status becomes completed.
    #[serde(default)]
    pub completed_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Certificate {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub course_id: Option<i64>,
    pub name: String,
    pub issued_on: String,
    pub expires_on: Option<String>,
    /// When the expiry reminder went out (epoch ms).
    pub reminder_sent_at: Option<i64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    pub person_id: i64,
    #[serde(default)]
    pub course_id: Option<i64>,
    pub name: String,
    pub issued_on: String,
    #[serde(default)]
    pub expires_on: Option<String>,
}

/// A person's training record: enrolments and certificates.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct TrainingRecord {
    pub enrolments: Vec<Enrolment>,
    pub certificates: Vec<Certificate>,
}

/// `date` plus `months` calendar months, clamped to the month's last day (2026-01-31 + 1 =
/// 2026-02-28).
pub fn add_months(date: &str, months: i64) -> Option<String> {
    let d = kernel::dates::parse_date(date)?;
    let total = d.year() as i64 * 12 + (d.month() as i64 - 1) + months;
    let (y, m0) = (total.div_euclid(12) as i32, total.rem_euclid(12) as u8 + 1);
    let month = time::Month::try_from(m0).ok()?;
    let last = time::util::days_in_month(month, y);
    let day = d.day().min(last);
    time::Date::from_calendar_date(y, month, day)
        .ok()
        .map(kernel::dates::format_date)
}

/// `date` plus `days` days.
pub fn add_days(date: &str, days: i64) -> Option<String> {
    let d = kernel::dates::parse_date(date)?;
    d.checked_add(time::Duration::days(days))
        .map(kernel::dates::format_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        assert_eq!(add_months("2026-01-31", 1).as_deref(), Some("2026-02-28"));
        assert_eq!(add_months("2026-11-15", 14).as_deref(), Some("2028-01-15"));
        assert_eq!(add_days("2026-12-31", 1).as_deref(), Some("2027-01-01"));
    }
}

/// Someone whose level in the course's skill is below what their position requires.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SkillGapCandidate {
    pub person_id: i64,
    pub name: String,
    pub position: Option<String>,
    /// Current level (0 when missing).
    pub has: i64,
    /// The level the position requires.
    pub needs: i64,
    /// The certification of the current level has expired.
    pub expired: bool,
    /// Already enrolled in the session (enrolling again skips them).
    pub enrolled: bool,
    /// Enrolled earlier but cancelled: enrolling re-activates that enrolment.
    pub cancelled: bool,
}

/// The preview of "enrol from skill gaps" for a session and a department.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SkillGapPreview {
    pub session_id: i64,
    pub department_id: i64,
    /// The skill the session's course teaches; `null` when the course has none (no one is
    /// enrolled from gaps then).
    pub skill_id: Option<i64>,
    pub skill_name: Option<String>,
    pub people: Vec<SkillGapCandidate>,
}
