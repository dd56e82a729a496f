//! Scorecards: a weighted set of KPIs for a person, a department or the company, scored for a
//! period (types and arithmetic, no I/O).
use crate::goals::model::Level;
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MAX_NAME: usize = 200;
pub const MAX_ITEMS: usize = 50;
pub const MAX_WEIGHT: f64 = 100.0;
/// Achievement counts up to this percentage, so one runaway KPI cannot hide the others.
pub const ACHIEVEMENT_CAP: f64 = 120.0;
/// Periods shown in a scorecard's history.
pub const HISTORY: usize = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ScorecardItem {
    pub kpi_id: i64,
    pub kpi_code: String,
    pub kpi_name: String,
    pub kpi_name_zh: Option<String>,
    pub unit: String,
    /// Relative weight (> 0).
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Scorecard {
    pub id: i64,
    pub name: String,
    /// `company`, `department` or `person`.
    pub scope: Level,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub items: Vec<ScorecardItem>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Scorecard {
    /// The policy's view: the same audience rules as goals.
    pub fn facts(&self) -> kernel::policy::GoalFacts {
        kernel::policy::GoalFacts {
            company: self.scope == Level::Company,
            department_id: self.department_id,
            owner_id: self.person_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub kpi_id: i64,
    /// Defaults to 1.
    #[serde(default)]
    pub weight: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardInput {
    pub name: String,
    pub scope: Level,
    /// Required for a department scorecard.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// Required for a person's scorecard.
    #[serde(default)]
    pub person_id: Option<i64>,
    pub items: Vec<ItemInput>,
}

/// A partial update; `items`, when present, replaces the whole set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub items: Option<Vec<ItemInput>>,
}

/// Validated values a scorecard is written with.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorecardValues {
    pub name: String,
    pub scope: Level,
    pub department_id: Option<i64>,
    pub person_id: Option<i64>,
    pub items: Vec<(i64, f64)>,
}

impl ScorecardValues {
    pub fn from_input(i: &ScorecardInput) -> Self {
        ScorecardValues {
            name: i.name.clone(),
            scope: i.scope,
            department_id: i.department_id,
            person_id: i.person_id,
            items: i
                .items
                .iter()
                .map(|x| (x.kpi_id, x.weight.unwrap_or(1.0)))
                .collect(),
        }
    }

    pub fn from_scorecard(s: &Scorecard) -> Self {
        ScorecardValues {
            name: s.name.clone(),
            scope: s.scope,
            department_id: s.department_id,
            person_id: s.person_id,
            items: s.items.iter().map(|x| (x.kpi_id, x.weight)).collect(),
        }
    }

    pub fn apply(mut self, p: &ScorecardPatch) -> Self {
        if let Some(n) = &p.name {
            self.name = n.clone();
        }
        if let Some(items) = &p.items {
            self.items = items
                .iter()
                .map(|x| (x.kpi_id, x.weight.unwrap_or(1.0)))
                .collect();
        }
        self
    }

    pub fn validate(mut self, c: &mut Checks) -> Self {
        self.name = c.text("name", &self.name, true, MAX_NAME);
        match self.scope {
            Level::Company => {
                self.department_id = None;
                self.person_id = None;
            }
            Level::Department => {
                self.person_id = None;
                if self.department_id.is_none() {
                    c.push(
                        "department_id",
                        "required",
                        "a department scorecard names its department",
                    );
                }
            }
            Level::Person => {
                if self.person_id.is_none() {
                    c.push(
                        "person_id",
                        "required",
                        "a personal scorecard names its person",
                    );
                }
            }
        }
        if self.items.is_empty() {
            c.push("items", "required", "a scorecard weighs at least one KPI");
        }
        if self.items.len() > MAX_ITEMS {
            c.push("items", "too_long", format!("at most {MAX_ITEMS} KPIs"));
        }
        for (i, (kpi, w)) in self.items.iter().enumerate() {
            if !(*w > 0.0 && *w <= MAX_WEIGHT) {
                c.push(
                    &format!("items[{i}].weight"),
                    "out_of_range",
                    format!("must be above 0 and at most {MAX_WEIGHT}"),
                );
            }
            if self.items[..i].iter().any(|(k, _)| k == kpi) {
                c.push(
                    &format!("items[{i}].kpi_id"),
                    "duplicate",
                    "the KPI is already on the scorecard",
                );
            }
        }
        self
    }
}

/// One KPI of a scorecard in one period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ItemResult {
    pub kpi_id: i64,
    pub kpi_code: String,
    pub kpi_name: String,
    pub kpi_name_zh: Option<String>,
    pub unit: String,
    pub weight: f64,
    /// The KPI's own period evaluated (at its frequency).
    pub kpi_period: Option<String>,
    pub value: Option<f64>,
    pub target: Option<f64>,
    /// Achievement in percent of target.
    pub achievement: Option<f64>,
    /// `green`, `amber` or `red`; `None` without value or target.
    pub status: Option<String>,
    /// This KPI's share of the score: weight share × capped achievement (percentage points).
    pub points: Option<f64>,
}

/// A scorecard scored for one period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ScorecardResult {
    /// The scorecard's period: `2026-11`, `2026-Q4`, `2026`…
    pub period: String,
    pub items: Vec<ItemResult>,
    /// Weighted mean of capped achievement over the KPIs with one, in percent; `None` when no
    /// KPI has an achievement for the period.
    pub score: Option<f64>,
    /// Weight share (0–1) of the KPIs that had an achievement: how complete the score is.
    pub coverage: f64,
}

/// Fills each item's points and the total: `score = Σ wᵢ·min(aᵢ, 120) / Σ wᵢ` over the items
/// with an achievement `aᵢ`; items without one are left out and lower `coverage` instead.
pub fn score(period: &str, mut items: Vec<ItemResult>) -> ScorecardResult {
    let total_w: f64 = items.iter().map(|i| i.weight).sum();
    let scored_w: f64 = items
        .iter()
        .filter(|i| i.achievement.is_some())
        .map(|i| i.weight)
        .sum();
    for i in &mut items {
        i.points = match i.achievement {
            Some(a) if scored_w > 0.0 => {
                Some(round2(i.weight / scored_w * a.clamp(0.0, ACHIEVEMENT_CAP)))
            }
            _ => None,
        };
    }
    let score = (scored_w > 0.0).then(|| {
        round2(
            items
                .iter()
                .filter_map(|i| Some(i.weight * i.achievement?.clamp(0.0, ACHIEVEMENT_CAP)))
                .sum::<f64>()
                / scored_w,
        )
    });
    ScorecardResult {
        period: period.to_string(),
        items,
        score,
        coverage: if total_w > 0.0 {
            round2(scored_w / total_w)
        } else {
            0.0
        },
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(w: f64, a: Option<f64>) -> ItemResult {
        ItemResult {
            kpi_id: 1,
            kpi_code: "k".into(),
            kpi_name: "k".into(),
            kpi_name_zh: None,
            unit: "%".into(),
            weight: w,
            kpi_period: None,
            value: None,
            target: None,
            achievement: a,
            status: None,
            points: None,
        }
    }

    #[test]
    fn weighted_capped_score_with_coverage() {
        // 2 × 90 + 1 × 150 (capped at 120) over 3 = 100; the third KPI has no value.
        let r = score(
            "2026-11",
            vec![
                item(2.0, Some(90.0)),
                item(1.0, Some(150.0)),
                item(1.0, None),
            ],
        );
        assert_eq!(r.score, Some(100.0));
        assert_eq!(r.coverage, 0.75);
        assert_eq!(r.items[0].points, Some(60.0));
        assert_eq!(r.items[1].points, Some(40.0));
        assert_eq!(r.items[2].points, None);
        let none = score("2026-11", vec![item(1.0, None)]);
        assert_eq!((none.score, none.coverage), (None, 0.0));
    }

    #[test]
    fn rules_name_the_field() {
        let mut c = Checks::new();
        let v = ScorecardValues {
            name: " ".into(),
            scope: Level::Department,
            department_id: None,
            person_id: Some(3),
            items: vec![(1, 1.0), (1, 0.0)],
        }
        .validate(&mut c);
        assert_eq!(v.person_id, None);
        let kernel::AppError::Validation(e) = c.finish().unwrap_err() else {
            panic!()
        };
        let f: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            f,
            [
                ("name", "required"),
                ("department_id", "required"),
                ("items[1].weight", "out_of_range"),
                ("items[1].kpi_id", "duplicate")
            ]
        );
    }
}
