//! "Suggest assignee": one explainable score in [0, 1] for a (task, candidate) pair.
//!
//! The score is a weighted mean of three parts, each in [0, 1]:
//!
//! - **skill fit**: the mean over the task's required skills of `min(level / required, 1)`;
//!   a missing skill counts 0, and a task with no required skill gives 1;
//! - **capacity**: `min(free hours in the task's window / task hours, 1)` (1 for a zero-hour task);
//! - **load**: `1 − current load ratio` (assigned hours / capacity, clamped to [0, 1]), so an
//!   idle person scores 1 and a fully booked one 0.
//!
//! The same score can feed [`crate::capacitated`] as the fit of each (task, person) pair.

use serde::Serialize;

/// A skill a task requires, and the level it needs (e.g. 1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkillNeed<'a> {
    /// Skill identifier, compared exactly.
    pub skill: &'a str,
    /// Level needed; 0 means "any level".
    pub level: u8,
}

/// What a candidate brings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate<'a> {
    /// (skill, level) pairs the person has.
    pub skills: &'a [(&'a str, u8)],
    /// Free hours in the task's window.
    pub free_hours: f64,
    /// Current load as a ratio of capacity (0 idle, 1 fully booked; larger is clamped).
    pub load_ratio: f64,
}

/// Relative importance of the parts; they are normalised to sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    /// Weight of the skill fit.
    pub skill: f64,
    /// Weight of the free capacity.
    pub capacity: f64,
    /// Weight of the (inverse) current load.
    pub load: f64,
}

impl Default for Weights {
    /// Skills matter most; capacity next; load breaks ties between similar people.
    fn default() -> Self {
        Self {
            skill: 0.6,
            capacity: 0.25,
            load: 0.15,
        }
    }
}

/// A skill the candidate lacks or has below the required level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillGap {
    /// The skill.
    pub skill: String,
    /// The candidate's level (0 when missing).
    pub has: u8,
    /// The level required.
    pub needs: u8,
}

/// A score and its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestScore {
    /// Weighted mean of the parts, in [0, 1].
    pub score: f64,
    /// Skill part, in [0, 1].
    pub skill_fit: f64,
    /// Capacity part, in [0, 1].
    pub capacity: f64,
    /// Load part, in [0, 1].
    pub load: f64,
    /// The normalised weights used.
    pub weights: Weights,
    /// Required skills the candidate is missing or below level on.
    pub gaps: Vec<SkillGap>,
}

/// Scores one candidate for a task that needs `skills` and takes `task_hours`.
///
/// Negative or non-finite weights count as 0; if all are 0 the defaults are used.
///
/// ```
/// use optimize::suggest::{Candidate, SkillNeed, Weights, suggest_score};
/// let needs = [SkillNeed { skill: "welding", level: 4 }, SkillNeed { skill: "crane", level: 2 }];
/// let alice = Candidate { skills: &[("welding", 2), ("crane", 3)], free_hours: 4.0, load_ratio: 0.5 };
/// let s = suggest_score(&needs, 8.0, &alice, Weights::default());
/// assert_eq!(s.skill_fit, 0.75); // (2/4 + 1) / 2
/// assert_eq!(s.capacity, 0.5);   // 4 free hours for an 8-hour task
/// assert_eq!(s.load, 0.5);
/// assert!((s.score - (0.6 * 0.75 + 0.25 * 0.5 + 0.15 * 0.5)).abs() < 1e-12);
/// assert_eq!(s.gaps[0].skill, "welding");
/// ```
pub fn suggest_score(
    skills: &[SkillNeed],
    task_hours: f64,
    candidate: &Candidate,
    weights: Weights,
) -> SuggestScore {
    let mut gaps = Vec::new();
    let mut fit_sum = 0.0;
    for need in skills {
        let has = candidate
            .skills
            .iter()
            .filter(|(s, _)| *s == need.skill)
            .map(|&(_, level)| level)
            .max()
            .unwrap_or(0);
        let part = if need.level == 0 {
            1.0
        } else {
            (f64::from(has) / f64::from(need.level)).min(1.0)
        };
        if has < need.level {
            gaps.push(SkillGap {
                skill: need.skill.to_string(),
                has,
                needs: need.level,
            });
        }
        fit_sum += part;
    }
    let skill_fit = if skills.is_empty() {
        1.0
    } else {
        fit_sum / skills.len() as f64
    };
    let capacity = if task_hours > 0.0 {
        unit(candidate.free_hours / task_hours)
    } else {
        1.0
    };
    let load = 1.0 - unit(candidate.load_ratio);
    let weights = normalised(weights);
    let score = unit(weights.skill * skill_fit + weights.capacity * capacity + weights.load * load);
    SuggestScore {
        score,
        skill_fit,
        capacity,
        load,
        weights,
        gaps,
    }
}

/// Clamps to [0, 1], with NaN as 0.
fn unit(x: f64) -> f64 {
    if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }
}

fn normalised(w: Weights) -> Weights {
    let clean = |x: f64| if x.is_finite() && x > 0.0 { x } else { 0.0 };
    let (s, c, l) = (clean(w.skill), clean(w.capacity), clean(w.load));
    let sum = s + c + l;
    if sum == 0.0 {
        return normalised(Weights::default());
    }
    Weights {
        skill: s / sum,
        capacity: c / sum,
        load: l / sum,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate<'a>(skills: &'a [(&'a str, u8)], free: f64, load: f64) -> Candidate<'a> {
        Candidate {
            skills,
            free_hours: free,
            load_ratio: load,
        }
    }

    #[test]
    fn perfect_candidate_scores_one_and_has_no_gaps() {
        let needs = [SkillNeed {
            skill: "sql",
            level: 3,
        }];
        let s = suggest_score(
            &needs,
            2.0,
            &candidate(&[("sql", 5)], 10.0, 0.0),
            Weights::default(),
        );
        assert_eq!((s.skill_fit, s.capacity, s.load), (1.0, 1.0, 1.0));
        assert!((s.score - 1.0).abs() < 1e-12);
        assert!(s.gaps.is_empty());
    }

    #[test]
    fn missing_skill_counts_zero_and_is_reported() {
        let needs = [
            SkillNeed {
                skill: "sql",
                level: 2,
            },
            SkillNeed {
                skill: "rust",
                level: 4,
            },
        ];
        let s = suggest_score(
            &needs,
            2.0,
            &candidate(&[("sql", 2)], 10.0, 0.0),
            Weights::default(),
        );
        assert_eq!(s.skill_fit, 0.5);
        assert_eq!(
            s.gaps,
            vec![SkillGap {
                skill: "rust".into(),
                has: 0,
                needs: 4
            }]
        );
    }

    #[test]
    fn capacity_and_load_are_clamped() {
        let s = suggest_score(&[], 8.0, &candidate(&[], -3.0, 1.7), Weights::default());
        assert_eq!((s.skill_fit, s.capacity, s.load), (1.0, 0.0, 0.0));
        assert!((s.score - 0.6).abs() < 1e-12);
        let zero_hours = suggest_score(&[], 0.0, &candidate(&[], 0.0, 0.2), Weights::default());
        assert_eq!(zero_hours.capacity, 1.0);
    }

    #[test]
    fn more_skill_never_lowers_the_score() {
        let needs = [SkillNeed {
            skill: "sql",
            level: 4,
        }];
        let mut last = -1.0;
        for level in 0..=6u8 {
            let skills = [("sql", level)];
            let s = suggest_score(
                &needs,
                4.0,
                &candidate(&skills, 2.0, 0.5),
                Weights::default(),
            );
            assert!(s.score >= last && (0.0..=1.0).contains(&s.score));
            last = s.score;
        }
    }

    #[test]
    fn weights_are_normalised_and_bad_ones_ignored() {
        let w = Weights {
            skill: 2.0,
            capacity: 1.0,
            load: f64::NAN,
        };
        let s = suggest_score(&[], 4.0, &candidate(&[], 2.0, 0.0), w);
        assert!((s.weights.skill - 2.0 / 3.0).abs() < 1e-12 && s.weights.load == 0.0);
        assert!((s.score - (2.0 / 3.0 + 0.5 / 3.0)).abs() < 1e-12);
        let zero = Weights {
            skill: 0.0,
            capacity: 0.0,
            load: -1.0,
        };
        let d = suggest_score(&[], 4.0, &candidate(&[], 2.0, 0.0), zero);
        assert_eq!(d.weights, Weights::default());
    }
}
