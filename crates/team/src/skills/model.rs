//! Skill types and rules (no I/O).
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::double_option;

pub const MAX_SKILL_NAME: usize = 80;
pub const MAX_CATEGORY: usize = 60;
pub const MAX_EVIDENCE: usize = 500;
pub const LEVELS: std::ops::RangeInclusive<i64> = 1..=5;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Skill {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub description: Option<String>,
    /// People who have the skill at any level.
    pub people_count: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillInput {
    pub name: String,
    pub category: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

impl SkillInput {
    pub fn from_skill(s: &Skill) -> Self {
        Self {
            name: s.name.clone(),
            category: s.category.clone(),
            description: s.description.clone(),
        }
    }

    pub fn apply(mut self, p: &SkillPatch) -> Self {
        if let Some(v) = &p.name {
            self.name = v.clone();
        }
        if let Some(v) = &p.category {
            self.category = v.clone();
        }
        if let Some(v) = &p.description {
            self.description = v.clone();
        }
        self
    }

    pub fn validate(self, c: &mut Checks) -> Self {
        Self {
            name: c.text("name", &self.name, true, MAX_SKILL_NAME),
            category: c.text("category", &self.category, true, MAX_CATEGORY),
            description: c.opt_text("description", self.description.as_deref(), 2000),
        }
    }
}

/// A person's level in one skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PersonSkill {
    pub person_id: i64,
    pub skill_id: i64,
    pub skill_name: String,
    pub category: String,
    /// 1 (basic) – 5 (expert).
    pub level: i64,
    /// What shows the level: a project, a course, a certificate number.
    pub evidence: Option<String>,
    /// `YYYY-MM-DD` the certification behind the level expires.
    pub cert_expires: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonSkillInput {
    pub level: i64,
    #[serde(default)]
    pub evidence: Option<String>,
    #[serde(default)]
    pub cert_expires: Option<String>,
}

impl PersonSkillInput {
    pub fn validate(self, c: &mut Checks) -> Self {
        if !LEVELS.contains(&self.level) {
            c.push("level", "out_of_range", "must be a level from 1 to 5");
        }
        Self {
            level: self.level,
            evidence: c.opt_text("evidence", self.evidence.as_deref(), MAX_EVIDENCE),
            cert_expires: c.opt_date("cert_expires", self.cert_expires.as_deref()),
        }
    }
}

/// A skill a position requires, at a minimum level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PositionSkill {
    pub position: String,
    pub skill_id: i64,
    pub skill_name: String,
    pub level: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PositionSkillInput {
    pub position: String,
    pub skill_id: i64,
    pub level: i64,
}

impl PositionSkillInput {
    pub fn validate(self, c: &mut Checks) -> Self {
        if !LEVELS.contains(&self.level) {
            c.push("level", "out_of_range", "must be a level from 1 to 5");
        }
        Self {
            position: c.text("position", &self.position, true, crate::model::MAX_POSITION),
            ..self
        }
    }
}

/// A column of the matrix.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SkillHead {
    pub id: i64,
    pub name: String,
    pub category: String,
}

/// One cell: a person's level in a skill against what their position requires.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MatrixCell {
    pub level: Option<i64>,
    pub required: Option<i64>,
    /// The certification behind the level has expired.
    pub expired: bool,
    /// Required and not met (missing, below the level, or an expired certification).
    pub gap: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MatrixRow {
    pub person_id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub position: Option<String>,
    pub department_name: Option<String>,
    /// One per column, in the order of `skills`.
    pub cells: Vec<MatrixCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Matrix {
    pub skills: Vec<SkillHead>,
    pub rows: Vec<MatrixRow>,
    pub next_cursor: Option<String>,
}

/// Whether a level meets a requirement on `today`.
pub fn meets(level: Option<i64>, required: i64, cert_expires: Option<&str>, today: &str) -> bool {
    let expired = cert_expires.is_some_and(|e| e < today);
    !expired && level.is_some_and(|l| l >= required)
}

pub fn cell(
    level: Option<i64>,
    required: Option<i64>,
    cert_expires: Option<&str>,
    today: &str,
) -> MatrixCell {
    let expired = level.is_some() && cert_expires.is_some_and(|e| e < today);
    MatrixCell {
        level,
        required,
        expired,
        gap: required.is_some_and(|r| !meets(level, r, cert_expires, today)),
    }
}

/// Someone below a required level.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GapPerson {
    pub person_id: i64,
    pub name: String,
    pub position: Option<String>,
    /// Current level (0 when missing).
    pub has: i64,
    pub needs: i64,
    pub expired: bool,
    /// The need comes from a development plan item (a review's outcome) rather than, or above,
    /// the position's requirement.
    pub development: bool,
}

/// One skill's gaps in the department: a training need.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SkillGapLine {
    pub skill_id: i64,
    pub skill_name: String,
    pub category: String,
    /// People whose position (or development plan) requires the skill.
    pub required_by: i64,
    /// Of those, people who meet the level.
    pub meeting: i64,
    /// People below the level (missing, lower, or expired certification).
    pub below: i64,
    /// Sum over those people of (needed − current) levels.
    pub shortfall_levels: i64,
    pub people: Vec<GapPerson>,
}

/// The gap report: per required skill, who falls short; sorted by the most people below.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GapReport {
    pub department_id: Option<i64>,
    /// People counted (active, visible, in the department and its sub-departments).
    pub people: i64,
    pub lines: Vec<SkillGapLine>,
}

/// Builds the report from (person, position requirements, levels). Pure, so the numbers are
/// easy to check. `levels` maps (person, skill) to (level, cert_expires); `development` holds
/// (person, skill, target level) from development plans: a person needs the higher of their
/// position's level and their plan's target.
pub fn gap_report(
    department_id: Option<i64>,
    people: &[(i64, String, Option<String>)],
    requirements: &[(String, i64, i64)],
    development: &[(i64, i64, i64)],
    skills: &[SkillHead],
    levels: &std::collections::HashMap<(i64, i64), (i64, Option<String>)>,
    today: &str,
) -> GapReport {
    let mut lines: Vec<SkillGapLine> = Vec::new();
    for s in skills {
        let mut line = SkillGapLine {
            skill_id: s.id,
            skill_name: s.name.clone(),
            category: s.category.clone(),
            required_by: 0,
            meeting: 0,
            below: 0,
            shortfall_levels: 0,
            people: Vec::new(),
        };
        for (pid, name, position) in people {
            let by_position = position.as_ref().and_then(|pos| {
                requirements
                    .iter()
                    .find(|(p, sk, _)| p == pos && *sk == s.id)
                    .map(|r| r.2)
            });
            let by_plan = development
                .iter()
                .filter(|(p, sk, _)| p == pid && *sk == s.id)
                .map(|d| d.2)
                .max();
            let needs = match (by_position, by_plan) {
                (None, None) => continue,
                (a, b) => a.max(b).unwrap_or(0),
            };
            let from_plan = by_plan.is_some_and(|b| by_position.is_none_or(|a| b > a));
            line.required_by += 1;
            let got = levels.get(&(*pid, s.id));
            let level = got.map(|g| g.0);
            let exp = got.and_then(|g| g.1.as_deref());
            if meets(level, needs, exp, today) {
                line.meeting += 1;
            } else {
                let expired = exp.is_some_and(|e| e < today);
                let has = if expired { 0 } else { level.unwrap_or(0) };
                line.below += 1;
                line.shortfall_levels += needs - has;
                line.people.push(GapPerson {
                    person_id: *pid,
                    name: name.clone(),
                    position: position.clone(),
                    has: level.unwrap_or(0),
                    needs,
                    expired,
                    development: from_plan,
                });
            }
        }
        if line.required_by > 0 {
            lines.push(line);
        }
    }
    lines.sort_by(|a, b| {
        b.below
            .cmp(&a.below)
            .then(b.shortfall_levels.cmp(&a.shortfall_levels))
            .then(a.skill_name.cmp(&b.skill_name))
    });
    GapReport {
        department_id,
        people: people.len() as i64,
        lines,
    }
}

/// One development plan item as its source writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DevelopmentItemInput {
    pub text: String,
    #[serde(default)]
    pub skill_id: Option<i64>,
    /// 1–5; required with a skill.
    #[serde(default)]
    pub target_level: Option<i64>,
}

/// A stored development plan item.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DevelopmentItem {
    pub id: i64,
    pub text: String,
    pub skill_id: Option<i64>,
    pub skill_name: Option<String>,
    pub target_level: Option<i64>,
}

pub const MAX_DEVELOPMENT_ITEMS: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn gap_numbers_count_missing_lower_and_expired() {
        let skills = vec![
            SkillHead {
                id: 1,
                name: "Excel".into(),
                category: "Tools".into(),
            },
            SkillHead {
                id: 2,
                name: "SQL".into(),
                category: "Data".into(),
            },
        ];
        let people = vec![
            (10, "A".to_string(), Some("Analyst".to_string())),
            (11, "B".to_string(), Some("Analyst".to_string())),
            (12, "C".to_string(), Some("Clerk".to_string())),
            (13, "D".to_string(), None),
        ];
        let req = vec![("Analyst".to_string(), 1, 3), ("Analyst".to_string(), 2, 2)];
        let mut levels = HashMap::new();
        levels.insert((10, 1), (4, None));
        levels.insert((10, 2), (2, Some("2026-01-01".to_string()))); // expired
        levels.insert((11, 1), (2, None));
        let r = gap_report(Some(1), &people, &req, &[], &skills, &levels, "2026-06-01");
        assert_eq!(r.people, 4);
        let sql = r.lines.iter().find(|l| l.skill_id == 2).unwrap();
        assert_eq!(
            (
                sql.required_by,
                sql.meeting,
                sql.below,
                sql.shortfall_levels
            ),
            (2, 0, 2, 4)
        );
        assert!(sql.people[0].expired);
        let excel = r.lines.iter().find(|l| l.skill_id == 1).unwrap();
        assert_eq!(
            (
                excel.required_by,
                excel.meeting,
                excel.below,
                excel.shortfall_levels
            ),
            (2, 1, 1, 1)
        );
        assert_eq!(r.lines[0].skill_id, 2, "most people below first");
        // A development item raises A's Excel need above the position's 3, and gives D (no
        // position) an SQL need.
        let r = gap_report(
            Some(1),
            &people,
            &req,
            &[(10, 1, 5), (13, 2, 1)],
            &skills,
            &levels,
            "2026-06-01",
        );
        let excel = r.lines.iter().find(|l| l.skill_id == 1).unwrap();
        assert_eq!((excel.below, excel.shortfall_levels), (2, 2));
        assert!(
            excel
                .people
                .iter()
                .any(|p| p.person_id == 10 && p.development && p.needs == 5)
        );
        let sql = r.lines.iter().find(|l| l.skill_id == 2).unwrap();
        assert_eq!((sql.required_by, sql.below), (3, 3));
    }

    #[test]
    fn levels_outside_one_to_five_are_refused() {
        let mut c = Checks::new();
        PersonSkillInput {
            level: 6,
            evidence: None,
            cert_expires: Some("2026-13-01".into()),
        }
        .validate(&mut c);
        let kernel::AppError::Validation(e) = c.finish().unwrap_err() else {
            panic!()
        };
        let f: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(f, ["level", "cert_expires"]);
    }
}
