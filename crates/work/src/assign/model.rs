//! Assignment types and the pure parts: windows, fit scores and the preview (no I/O).
use optimize::suggest::{Candidate, SkillNeed, SuggestScore, Weights, suggest_score};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Date, Duration};
use utoipa::ToSchema;

/// Hours assumed for a task without an estimate (shown as assumed in the preview): with 0 it
/// would use no capacity and every such task would go to the one best person.
pub const DEFAULT_ESTIMATE_HOURS: f64 = 4.0;
/// The window of a task without a (future) due date: two weeks from today.
pub const DEFAULT_WINDOW_DAYS: i64 = 13;
/// The longest window looked at; work due later is planned within this horizon.
pub const MAX_WINDOW_DAYS: i64 = 90;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TaskSkill {
    pub skill_id: i64,
    pub skill_name: String,
    /// Minimum level, 1–5.
    pub level: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskSkillInput {
    pub skill_id: i64,
    pub level: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskSkillsInput {
    /// The complete list (replaces what the task had).
    pub skills: Vec<TaskSkillInput>,
}

/// The days a task is planned in: today until its due date (or two weeks when it has none or
/// it is overdue), at most 90 days.
pub fn task_window(today: Date, due: Option<Date>) -> (Date, Date) {
    let end = match due {
        Some(d) if d >= today => d.min(today + Duration::days(MAX_WINDOW_DAYS)),
        _ => today + Duration::days(DEFAULT_WINDOW_DAYS),
    };
    (today, end)
}

/// A skill a candidate lacks or has below the level.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Gap {
    pub skill_id: i64,
    pub skill_name: String,
    pub has: i64,
    pub needs: i64,
}

/// Why a candidate scores what they score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ScoreParts {
    /// Weighted score in [0, 1]: `skill_weight × skill_fit + capacity_weight × capacity +
    /// load_weight × load`.
    pub score: f64,
    /// Mean over required skills of min(level / required, 1); 1 when nothing is required.
    pub skill_fit: f64,
    /// min(free hours in the window / task hours, 1).
    pub capacity: f64,
    /// 1 − (assigned hours / capacity in the window).
    pub load: f64,
    pub skill_weight: f64,
    pub capacity_weight: f64,
    pub load_weight: f64,
    pub gaps: Vec<Gap>,
}

impl ScoreParts {
    pub fn from_score(s: SuggestScore, names: &HashMap<i64, String>) -> Self {
        ScoreParts {
            score: s.score,
            skill_fit: s.skill_fit,
            capacity: s.capacity,
            load: s.load,
            skill_weight: s.weights.skill,
            capacity_weight: s.weights.capacity,
            load_weight: s.weights.load,
            gaps: s
                .gaps
                .into_iter()
                .map(|g| {
                    let id: i64 = g.skill.parse().unwrap_or(0);
                    Gap {
                        skill_id: id,
                        skill_name: names.get(&id).cloned().unwrap_or_default(),
                        has: i64::from(g.has),
                        needs: i64::from(g.needs),
                    }
                })
                .collect(),
        }
    }
}

/// Scores one (task, person) pair with the engine's explained score.
pub fn score(
    required: &[TaskSkill],
    task_hours: f64,
    levels: &HashMap<i64, i64>,
    free_hours: f64,
    load_ratio: f64,
) -> SuggestScore {
    let keys: Vec<String> = required.iter().map(|s| s.skill_id.to_string()).collect();
    let needs: Vec<SkillNeed> = required
        .iter()
        .zip(&keys)
        .map(|(s, k)| SkillNeed {
            skill: k,
            level: s.level.clamp(0, 5) as u8,
        })
        .collect();
    let has: Vec<(String, u8)> = required
        .iter()
        .filter_map(|s| {
            levels
                .get(&s.skill_id)
                .map(|l| (s.skill_id.to_string(), (*l).clamp(0, 5) as u8))
        })
        .collect();
    let has_ref: Vec<(&str, u8)> = has.iter().map(|(k, l)| (k.as_str(), *l)).collect();
    suggest_score(
        &needs,
        task_hours,
        &Candidate {
            skills: &has_ref,
            free_hours,
            load_ratio,
        },
        Weights::default(),
    )
}

/// One ranked candidate for a task.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Suggestion {
    pub rank: i64,
    pub person_id: i64,
    pub name: String,
    /// Free hours in the task's window (capacity − assigned, ≥ 0).
    pub free_hours: f64,
    pub capacity_hours: f64,
    pub assigned_hours: f64,
    pub parts: ScoreParts,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Suggestions {
    pub task_id: i64,
    /// Hours used for the task (its estimate, or the assumed default).
    pub task_hours: f64,
    pub estimate_assumed: bool,
    /// `YYYY-MM-DD`.
    pub window_from: String,
    pub window_to: String,
    pub required: Vec<TaskSkill>,
    pub candidates: Vec<Suggestion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    pub department_id: i64,
    /// Include the sub-departments' unassigned tasks and people (default true).
    #[serde(default)]
    pub include_subdepartments: Option<bool>,
}

/// Another person the row could go to instead (for adjusting).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Alternative {
    pub person_id: i64,
    pub name: String,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PreviewRow {
    pub task_id: i64,
    pub title: String,
    /// Send back with the row to accept it (a task changed since is refused with 412).
    pub version: i64,
    pub due_date: Option<String>,
    pub hours: f64,
    pub estimate_assumed: bool,
    pub person_id: i64,
    pub person_name: String,
    /// 1 = the task's best-fitting person; more when capacity sent it elsewhere.
    pub rank: i64,
    pub parts: ScoreParts,
    pub alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PreviewUnassigned {
    pub task_id: i64,
    pub title: String,
    /// `no_allowed_person`, `too_big_for_everyone`, `no_positive_fit` or `capacity_taken`.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PreviewLoad {
    pub person_id: i64,
    pub name: String,
    /// Free hours in the planning window before the plan.
    pub free_hours: f64,
    /// Hours the plan adds (never more than `free_hours`).
    pub planned_hours: f64,
    pub tasks: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Preview {
    pub department_id: i64,
    pub window_from: String,
    pub window_to: String,
    pub rows: Vec<PreviewRow>,
    pub unassigned: Vec<PreviewUnassigned>,
    pub loads: Vec<PreviewLoad>,
    /// Sum of the chosen scores.
    pub total_score: f64,
    /// No plan can score more than this (the solver's bound).
    pub upper_bound: f64,
    /// Proven optimal (else within `upper_bound − total_score`).
    pub optimal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptItem {
    pub task_id: i64,
    pub version: i64,
    pub person_id: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    /// The rows accepted (all, some, or adjusted to another person).
    pub items: Vec<AcceptItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AcceptResult {
    pub assigned: i64,
    pub task_ids: Vec<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::dates::parse_date;

    #[test]
    fn windows_run_to_the_due_date_or_two_weeks() {
        let today = parse_date("2026-11-25").unwrap();
        let (f, t) = task_window(today, parse_date("2026-11-27"));
        assert_eq!((f, t), (today, parse_date("2026-11-27").unwrap()));
        assert_eq!(
            task_window(today, None).1,
            parse_date("2026-12-08").unwrap()
        );
        assert_eq!(
            task_window(today, parse_date("2026-01-01")).1,
            parse_date("2026-12-08").unwrap()
        );
        assert_eq!(
            task_window(today, parse_date("2028-01-01")).1,
            today + Duration::days(90)
        );
    }

    #[test]
    fn score_explains_skill_gaps_by_name() {
        let req = vec![
            TaskSkill {
                skill_id: 7,
                skill_name: "SQL".into(),
                level: 4,
            },
            TaskSkill {
                skill_id: 9,
                skill_name: "Excel".into(),
                level: 2,
            },
        ];
        let levels: HashMap<i64, i64> = [(7, 2), (9, 5)].into_iter().collect();
        let s = score(&req, 8.0, &levels, 4.0, 0.5);
        assert_eq!(s.skill_fit, 0.75);
        let names: HashMap<i64, String> = [(7, "SQL".to_string())].into_iter().collect();
        let p = ScoreParts::from_score(s, &names);
        assert_eq!(
            p.gaps,
            vec![Gap {
                skill_id: 7,
                skill_name: "SQL".into(),
                has: 2,
                needs: 4
            }]
        );
        assert_eq!((p.capacity, p.load), (0.5, 0.5));
    }
}
