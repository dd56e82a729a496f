//! The review score: a weighted mean of up to five components, each first normalised to the
//! cycle's rating scale `1..=scale_max`, with no I/O.
//!
//! Components and how each is normalised (`s` = the scale's top point):
//!
//! - `goals`: the mean over the reviewee's goals in the cycle's period of the goal's end-of-cycle
//!   score, or its progress while unscored (0–1) → `1 + x·(s−1)`;
//! - `kpi`: the mean of the reviewee's scorecard results for the period (percent of target,
//!   capped at 100 here: beating the target is the top of the scale) → `1 + x/100·(s−1)`;
//! - `manager`: the manager's rating, already on the scale;
//! - `peer`, `upward`: the mean of the rated questions' means of the anonymous aggregate —
//!   only when that direction reached the threshold k (below k the component is absent).
//!
//! Re-weighting: a component that is absent (no goals, no scorecard, no rating yet, fewer than k
//! answers) or weighted 0 does not count; the present ones keep their weights relative to each
//! other, i.e. `score = Σ wᵢ·vᵢ / Σ wᵢ` over the counted components. With none counted there is
//! no score. Since the score is a convex combination of values on the scale, it stays on it.
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The five weights, in percent; each 0–100 and together 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub goals: i64,
    pub kpi: i64,
    pub manager: i64,
    pub peer: i64,
    pub upward: i64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            goals: 30,
            kpi: 20,
            manager: 30,
            peer: 10,
            upward: 10,
        }
    }
}

impl Weights {
    pub fn list(&self) -> [(Component, i64); 5] {
        [
            (Component::Goals, self.goals),
            (Component::Kpi, self.kpi),
            (Component::Manager, self.manager),
            (Component::Peer, self.peer),
            (Component::Upward, self.upward),
        ]
    }

    pub fn validate(&self, c: &mut Checks) {
        for (k, w) in self.list() {
            if !(0..=100).contains(&w) {
                c.push(
                    &format!("weights.{}", k.as_str()),
                    "out_of_range",
                    "must be between 0 and 100",
                );
            }
        }
        if self.list().iter().map(|(_, w)| w).sum::<i64>() != 100 {
            c.push("weights", "sum", "the weights must add up to 100");
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Component {
    Goals,
    Kpi,
    Manager,
    Peer,
    Upward,
}

impl Component {
    pub fn as_str(self) -> &'static str {
        match self {
            Component::Goals => "goals",
            Component::Kpi => "kpi",
            Component::Manager => "manager",
            Component::Peer => "peer",
            Component::Upward => "upward",
        }
    }
}

/// The default guideline distribution for a scale: 10/20/40/20/10 on five points; otherwise
/// a bell-like split (more in the middle) that adds up to 100.
pub fn default_guideline(scale_max: i64) -> Vec<i64> {
    if scale_max == 5 {
        return vec![10, 20, 40, 20, 10];
    }
    let n = scale_max.max(1);
    let mid = (n - 1) as f64 / 2.0;
    let raw: Vec<f64> = (0..n).map(|i| 1.0 + mid - (i as f64 - mid).abs()).collect();
    let total: f64 = raw.iter().sum();
    let mut out: Vec<i64> = raw
        .iter()
        .map(|r| (r / total * 100.0).floor() as i64)
        .collect();
    let rest = 100 - out.iter().sum::<i64>();
    out[(n / 2) as usize] += rest;
    out
}

/// A guideline: one percent per scale point, each 0–100, summing to 100.
pub fn validate_guideline(c: &mut Checks, g: &[i64], scale_max: i64) {
    if g.len() as i64 != scale_max {
        c.push(
            "guideline",
            "length",
            format!("needs one percent per point of the 1–{scale_max} scale"),
        );
    } else if g.iter().any(|p| !(0..=100).contains(p)) || g.iter().sum::<i64>() != 100 {
        c.push("guideline", "sum", "each percent 0–100, together 100");
    }
}

/// Maps `x` from `[lo, hi]` (clamped) onto `[1, scale_max]`.
pub fn to_scale(x: f64, lo: f64, hi: f64, scale_max: i64) -> f64 {
    let t = ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
    1.0 + t * (scale_max - 1) as f64
}

/// The weighted mean over the counted parts `(weight, value)`: a part counts when its value is
/// present and its weight positive. `None` when nothing counts.
pub fn weighted_score(parts: &[(i64, Option<f64>)]) -> Option<f64> {
    let counted = parts
        .iter()
        .filter_map(|(w, v)| v.filter(|_| *w > 0).map(|v| (*w as f64, v)));
    let (mut num, mut den) = (0.0, 0.0);
    for (w, v) in counted {
        num += w * v;
        den += w;
    }
    (den > 0.0).then(|| num / den)
}

/// The raw inputs, before normalisation (`None` = absent).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Inputs {
    /// 0–1.
    pub goals: Option<f64>,
    /// Percent of target.
    pub kpi: Option<f64>,
    pub manager: Option<f64>,
    pub peer: Option<f64>,
    pub upward: Option<f64>,
}

/// One component of the breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ComponentLine {
    pub component: Component,
    /// The cycle's weight, percent.
    pub weight: i64,
    /// The input as read (goals 0–1, kpi percent, ratings on the scale); `null` when absent.
    pub raw: Option<f64>,
    /// The input on the rating scale.
    pub value: Option<f64>,
    /// Whether it counted (present and weighted).
    pub counted: bool,
    /// Its share of the score after re-weighting, percent (0 when not counted).
    pub effective_weight: f64,
}

/// The score with its breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Breakdown {
    pub scale_max: i64,
    /// On the scale, 2 decimals; `null` when no component counted.
    pub score: Option<f64>,
    pub components: Vec<ComponentLine>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub fn breakdown(w: &Weights, i: &Inputs, scale_max: i64) -> Breakdown {
    let s = scale_max;
    let norm = |c: Component| -> (Option<f64>, Option<f64>) {
        match c {
            Component::Goals => (i.goals, i.goals.map(|x| to_scale(x, 0.0, 1.0, s))),
            Component::Kpi => (i.kpi, i.kpi.map(|x| to_scale(x, 0.0, 100.0, s))),
            Component::Manager => (i.manager, i.manager.map(|x| to_scale(x, 1.0, s as f64, s))),
            Component::Peer => (i.peer, i.peer.map(|x| to_scale(x, 1.0, s as f64, s))),
            Component::Upward => (i.upward, i.upward.map(|x| to_scale(x, 1.0, s as f64, s))),
        }
    };
    let lines: Vec<(Component, i64, Option<f64>, Option<f64>)> = w
        .list()
        .into_iter()
        .map(|(c, wt)| {
            let (raw, v) = norm(c);
            (c, wt, raw, v)
        })
        .collect();
    let parts: Vec<(i64, Option<f64>)> = lines.iter().map(|l| (l.1, l.3)).collect();
    let score = weighted_score(&parts);
    let den: i64 = lines
        .iter()
        .filter(|l| l.3.is_some() && l.1 > 0)
        .map(|l| l.1)
        .sum();
    Breakdown {
        scale_max,
        score: score.map(round2),
        components: lines
            .into_iter()
            .map(|(c, wt, raw, v)| {
                let counted = v.is_some() && wt > 0;
                ComponentLine {
                    component: c,
                    weight: wt,
                    raw: raw.map(round2),
                    value: v.map(round2),
                    counted,
                    effective_weight: if counted && den > 0 {
                        round2(wt as f64 * 100.0 / den as f64)
                    } else {
                        0.0
                    },
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value(s: i64) -> impl Strategy<Value = Option<f64>> {
        prop::option::of(1.0..=s as f64)
    }

    fn parts(s: i64) -> impl Strategy<Value = Vec<(i64, Option<f64>)>> {
        prop::collection::vec((0i64..=100, value(s)), 1..6)
    }

    proptest! {
        #[test]
        fn the_score_stays_on_the_scale(s in 2i64..=10, p in parts(10)) {
            let p: Vec<_> = p.into_iter().map(|(w, v)| (w, v.map(|x| x.min(s as f64)))).collect();
            if let Some(x) = weighted_score(&p) {
                prop_assert!(x >= 1.0 - 1e-9 && x <= s as f64 + 1e-9);
            }
        }

        #[test]
        fn one_present_component_is_the_score(w in 1i64..=100, v in 1.0f64..=5.0, others in prop::collection::vec(0i64..=100, 0..4)) {
            let mut p = vec![(w, Some(v))];
            p.extend(others.into_iter().map(|w| (w, None)));
            prop_assert!((weighted_score(&p).unwrap() - v).abs() < 1e-9);
        }

        #[test]
        fn raising_a_component_never_lowers_the_score(p in parts(5), i in 0usize..5, up in 0.0f64..=4.0) {
            let i = i % p.len();
            let Some(v) = p[i].1 else { return Ok(()); };
            let mut q = p.clone();
            q[i].1 = Some((v + up).min(5.0));
            if let (Some(a), Some(b)) = (weighted_score(&p), weighted_score(&q)) {
                prop_assert!(b >= a - 1e-9);
            }
        }

        #[test]
        fn scaling_all_weights_changes_nothing(p in parts(5), k in 1i64..=20) {
            let q: Vec<_> = p.iter().map(|(w, v)| (w * k, *v)).collect();
            match (weighted_score(&p), weighted_score(&q)) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9),
                (a, b) => prop_assert_eq!(a.is_some(), b.is_some()),
            }
        }

        #[test]
        fn an_absent_component_reweights_the_present_ones(p in parts(5)) {
            // Absent is the same as weight 0, and the same as the present ones' weights
            // rescaled to add up to 100.
            let zeroed: Vec<_> = p.iter().map(|(w, v)| if v.is_some() { (*w, *v) } else { (0, Some(3.0)) }).collect();
            let present: i64 = p.iter().filter(|(_, v)| v.is_some()).map(|(w, _)| w).sum();
            let a = weighted_score(&p);
            prop_assert_eq!(a, weighted_score(&zeroed));
            if present > 0 {
                let manual: f64 = p.iter().filter_map(|(w, v)| v.map(|v| *w as f64 / present as f64 * v)).sum();
                prop_assert!((a.unwrap() - manual).abs() < 1e-9);
            }
        }

        #[test]
        fn default_guidelines_add_up(s in 2i64..=10) {
            let g = default_guideline(s);
            prop_assert_eq!(g.len() as i64, s);
            prop_assert_eq!(g.iter().sum::<i64>(), 100);
        }
    }

    #[test]
    fn the_breakdown_shows_what_counted() {
        let b = breakdown(
            &Weights::default(),
            &Inputs {
                goals: Some(1.0),
                kpi: None,
                manager: Some(3.0),
                peer: None,
                upward: None,
            },
            5,
        );
        // goals 5 × 30, manager 3 × 30 → 4.
        assert_eq!(b.score, Some(4.0));
        let counted: Vec<&str> = b
            .components
            .iter()
            .filter(|c| c.counted)
            .map(|c| c.component.as_str())
            .collect();
        assert_eq!(counted, ["goals", "manager"]);
        assert_eq!(b.components[0].effective_weight, 50.0);
        assert_eq!(to_scale(120.0, 0.0, 100.0, 5), 5.0);
    }
}
