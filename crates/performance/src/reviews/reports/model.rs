//! The reports' arithmetic (no I/O): completion rates, rating distributions and each group's
//! proposed mean against the cycle's, to spot lenient or harsh raters (calibration then
//! corrects them, which is why the tendency is read from the managers' own proposals).
use serde::Serialize;
use utoipa::ToSchema;

/// How far (in scale points) a manager's mean may sit from the cycle's before it is flagged.
pub const TENDENCY_MARGIN: f64 = 0.5;
/// Fewer ratings than this say nothing about a rater's tendency.
pub const TENDENCY_MIN_RATED: i64 = 2;

/// Ratings of one group (a department, a manager, or the whole cycle).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RatingGroup {
    /// The department's or manager's id (`null`: none recorded, or the cycle itself).
    pub id: Option<i64>,
    pub name: Option<String>,
    pub reviews: i64,
    /// Reviews with a final rating (calibrated, else proposed).
    pub rated: i64,
    pub mean: Option<f64>,
    /// Count per point of the scale (index 0 = rating 1), final ratings.
    pub distribution: Vec<i64>,
    pub proposed_mean: Option<f64>,
    pub proposed_distribution: Vec<i64>,
    /// `proposed_mean` minus the cycle's proposed mean.
    pub delta: Option<f64>,
    /// `lenient` or `harsh` when the proposed mean sits at least half a point from the cycle's
    /// (with at least two proposals); otherwise `null`.
    pub tendency: Option<String>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn mean(xs: &[i64]) -> Option<f64> {
    (!xs.is_empty()).then(|| round2(xs.iter().sum::<i64>() as f64 / xs.len() as f64))
}

fn distribution(xs: &[i64], scale_max: i64) -> Vec<i64> {
    let mut d = vec![0; scale_max.max(0) as usize];
    for x in xs {
        if let Some(slot) = d.get_mut((*x - 1) as usize) {
            *slot += 1;
        }
    }
    d
}

/// A group from its reviews' (final, proposed) ratings; `cycle_proposed_mean` sets delta and
/// tendency.
pub fn group(
    id: Option<i64>,
    name: Option<String>,
    ratings: &[(Option<i64>, Option<i64>)],
    scale_max: i64,
    cycle_proposed_mean: Option<f64>,
) -> RatingGroup {
    let finals: Vec<i64> = ratings.iter().filter_map(|r| r.0).collect();
    let proposed: Vec<i64> = ratings.iter().filter_map(|r| r.1).collect();
    let m = mean(&finals);
    let pm = mean(&proposed);
    let delta = pm.zip(cycle_proposed_mean).map(|(a, b)| round2(a - b));
    let tendency = delta
        .filter(|_| proposed.len() as i64 >= TENDENCY_MIN_RATED)
        .and_then(|d| {
            if d >= TENDENCY_MARGIN {
                Some("lenient".to_string())
            } else if d <= -TENDENCY_MARGIN {
                Some("harsh".to_string())
            } else {
                None
            }
        });
    RatingGroup {
        id,
        name,
        reviews: ratings.len() as i64,
        rated: finals.len() as i64,
        mean: m,
        distribution: distribution(&finals, scale_max),
        proposed_mean: pm,
        proposed_distribution: distribution(&proposed, scale_max),
        delta,
        tendency,
    }
}

/// Submitted share of decided requests, 0–1 (`null` when there are none).
pub fn rate(submitted: i64, requests: i64) -> Option<f64> {
    (requests > 0).then(|| round2(submitted as f64 / requests as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_and_harsh_raters_against_the_cycle_mean() {
        // (final, proposed): the final is calibrated where it differs.
        let all = [
            (Some(3), Some(3)),
            (Some(4), Some(5)),
            (Some(4), Some(5)),
            (Some(2), Some(2)),
            (Some(3), Some(3)),
        ];
        let cycle = group(None, None, &all, 5, None);
        assert_eq!(cycle.mean, Some(3.2));
        assert_eq!(cycle.distribution, vec![0, 1, 2, 2, 0]);
        assert_eq!(cycle.proposed_mean, Some(3.6));
        assert_eq!(cycle.proposed_distribution, vec![0, 1, 2, 0, 2]);
        // The lenient manager's proposals sit 1.4 above the cycle's, whatever calibration did.
        let lenient = group(Some(1), None, &all[1..3], 5, cycle.proposed_mean);
        assert_eq!(lenient.delta, Some(1.4));
        assert_eq!(lenient.tendency.as_deref(), Some("lenient"));
        assert_eq!(lenient.mean, Some(4.0));
        let harsh = group(Some(2), None, &[all[3], all[4]], 5, cycle.proposed_mean);
        assert_eq!(harsh.delta, Some(-1.1));
        assert_eq!(harsh.tendency.as_deref(), Some("harsh"));
        let one = group(
            Some(3),
            None,
            &[(Some(5), Some(5)), (None, None)],
            5,
            cycle.proposed_mean,
        );
        assert_eq!(one.tendency, None, "a single proposal says nothing");
        assert_eq!((one.reviews, one.rated), (2, 1));
        let near = group(
            Some(4),
            None,
            &[all[0], (Some(4), Some(4))],
            5,
            cycle.proposed_mean,
        );
        assert_eq!(near.tendency, None, "0.1 above is no tendency");
    }

    #[test]
    fn rates() {
        assert_eq!(rate(1, 3), Some(0.33));
        assert_eq!(rate(0, 0), None);
    }
}
