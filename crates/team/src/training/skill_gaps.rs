//! "Enrol from skill gaps", wired to the skills gap report (`skills::training_needs_in`): the
//! people of a department (with sub-departments, as far as the caller sees them) whose level in
//! the skill the course teaches is below what their position requires — missing, lower, or with
//! an expired certification. A course without a skill closes no gap.
use super::model::SkillGapCandidate;
use db::Tx;
use kernel::{AppResult, Ctx};

/// The course's skill (id, name) and the people of `department_id` with a gap in it, by name.
pub async fn people_with_gaps_for_course(
    tx: &mut Tx,
    ctx: &Ctx,
    course_id: i64,
    department_id: i64,
) -> AppResult<(Option<(i64, String)>, Vec<SkillGapCandidate>)> {
    let Some(course) = super::store::get_course(tx, course_id).await? else {
        return Ok((None, Vec::new()));
    };
    let (Some(skill), Some(name)) = (course.skill_id, course.skill_name) else {
        return Ok((None, Vec::new()));
    };
    let report = crate::skills::service::training_needs_in(tx, ctx, Some(department_id)).await?;
    let people = report
        .lines
        .into_iter()
        .filter(|l| l.skill_id == skill)
        .flat_map(|l| l.people)
        .map(|p| SkillGapCandidate {
            person_id: p.person_id,
            name: p.name,
            position: p.position,
            has: p.has,
            needs: p.needs,
            expired: p.expired,
            enrolled: false,
            cancelled: false,
        })
        .collect();
    Ok((Some((skill, name)), people))
}
