//! HOOK for "enrol from skill gaps". The skills matrix and its gap report are built in
//! parallel (issue 5, items 2–3); when that branch is merged, wire
//! [`people_with_gaps_for_course`] to its gap-report service: given a course and a department,
//! return the people whose skill levels fall short of what the course teaches. Everything
//! downstream — `service::enrol_from_skill_gaps`, the `skill_gap` enrolment source, audit and
//! policy — is already in place and tested with an explicit list of people.
use db::Tx;
use kernel::{AppError, AppResult};

/// People of `department_id` (with sub-departments) with a skill gap the course closes.
pub async fn people_with_gaps_for_course(
    _tx: &mut Tx,
    _course_id: i64,
    _department_id: i64,
) -> AppResult<Vec<i64>> {
    Err(AppError::Conflict(
        "skill_gap: the skills gap report is not available in this build yet".into(),
    ))
}
