//! A KPI's value per period (no I/O): data points rolled up by the engine with the KPI's
//! aggregation, or a formula evaluated period by period over its inputs' values. Every period
//! without a value carries the reason, so the page can say "no value: division by zero".
use crate::kpi::formula::Expr;
use crate::kpi::model::{Aggregation, Kpi, Target, Thresholds, achievement};
use crate::kpi::model::{Direction, Rag};
use crate::kpi::store::StoredPoint;
use analytics::calendar::parse_ymd;
use analytics::{Granularity, Period, PeriodSeries, ratio_of_sums};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// The reason a period of a measured KPI has no value.
pub const NO_DATA: &str = "no data for this period";

/// Values on consecutive periods (`values[i]` is period `start + i`), with a reason for each
/// period that has none.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiSeries {
    pub granularity: Granularity,
    pub start: i32,
    pub values: Vec<Result<f64, String>>,
}

impl KpiSeries {
    pub fn empty(granularity: Granularity) -> Self {
        KpiSeries {
            granularity,
            start: 0,
            values: Vec::new(),
        }
    }

    /// Rolls points up with the KPI's aggregation. Points whose day does not parse are skipped
    /// (the store only holds valid dates).
    pub fn from_points(
        aggregation: Aggregation,
        granularity: Granularity,
        points: &[StoredPoint],
    ) -> Self {
        let mut days = Vec::with_capacity(points.len());
        let mut values = Vec::with_capacity(points.len());
        let mut dens = Vec::with_capacity(points.len());
        for p in points {
            if let Some(d) = parse_ymd(p.day.as_bytes()) {
                days.push(d);
                values.push(p.value);
                dens.push(p.denominator.unwrap_or(f64::NAN));
            }
        }
        if days.is_empty() {
            return Self::empty(granularity);
        }
        match aggregation.agg() {
            Some(agg) => {
                let s = PeriodSeries::from_points(&days, &values, granularity, agg);
                KpiSeries {
                    granularity,
                    start: s.start,
                    values: s
                        .values
                        .into_iter()
                        .map(|v| v.ok_or_else(|| NO_DATA.to_string()))
                        .collect(),
                }
            }
            None => {
                let kpi = vec![0u32; days.len()];
                let r = ratio_of_sums(&kpi, &days, &values, &dens, granularity);
                let (Some(&first), Some(&last)) = (r.period.first(), r.period.last()) else {
                    return Self::empty(granularity);
                };
                let mut out = vec![Err(NO_DATA.to_string()); (last - first) as usize + 1];
                for (i, p) in r.period.iter().enumerate() {
                    out[(p - first) as usize] =
                        r.ratio[i].ok_or_else(|| "no value: the denominator sums to 0".to_string());
                }
                KpiSeries {
                    granularity,
                    start: first,
                    values: out,
                }
            }
        }
    }

    /// Evaluates `expr` on every period any input covers.
    pub fn from_formula(
        expr: &Expr,
        granularity: Granularity,
        inputs: &HashMap<String, KpiSeries>,
    ) -> Self {
        let covered: Vec<&KpiSeries> = inputs.values().filter(|s| !s.values.is_empty()).collect();
        let (Some(first), Some(end)) = (
            covered.iter().map(|s| s.start).min(),
            covered
                .iter()
                .map(|s| s.start + s.values.len() as i32)
                .max(),
        ) else {
            return Self::empty(granularity);
        };
        let values = (first..end)
            .map(|idx| {
                let lookup =
                    |code: &str| -> Option<f64> { inputs.get(code).and_then(|s| s.at(idx).ok()) };
                expr.eval(&lookup).map_err(|e| format!("no value: {e}"))
            })
            .collect();
        KpiSeries {
            granularity,
            start: first,
            values,
        }
    }

    /// The value of the period with this index, or why there is none.
    pub fn at(&self, index: i32) -> Result<f64, String> {
        usize::try_from(index - self.start)
            .ok()
            .and_then(|i| self.values.get(i))
            .cloned()
            .unwrap_or_else(|| Err(NO_DATA.to_string()))
    }

    pub fn period(&self, i: usize) -> Period {
        Period {
            granularity: self.granularity,
            index: self.start + i as i32,
        }
    }

    /// The engine's view: values only.
    pub fn to_period_series(&self) -> PeriodSeries {
        PeriodSeries {
            granularity: self.granularity,
            start: self.start,
            values: self
                .values
                .iter()
                .map(|v| v.as_ref().ok().copied())
                .collect(),
        }
    }

    /// Index of the last period that has a value.
    pub fn last_with_value(&self) -> Option<usize> {
        self.values.iter().rposition(|v| v.is_ok())
    }

    /// Mean of the values of periods `from..to` (indices), and how many had one.
    pub fn mean_between(&self, from: i32, to: i32) -> (Option<f64>, usize) {
        let vals: Vec<f64> = (from..to).filter_map(|i| self.at(i).ok()).collect();
        let n = vals.len();
        ((n > 0).then(|| vals.iter().sum::<f64>() / n as f64), n)
    }
}

/// One period of a KPI with its target and status.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeriodStatus {
    pub period: String,
    pub value: Option<f64>,
    /// Why `value` is missing (no data, division by zero in the formula, …).
    pub no_value_reason: Option<String>,
    pub target: Option<f64>,
    /// Upper edge of the band for band KPIs.
    pub target_high: Option<f64>,
    /// `None` without a value or without a target.
    pub status: Option<Rag>,
    /// Achievement in percent of target (see `model::achievement`).
    pub achievement: Option<f64>,
}

/// The status of period `p` of a KPI.
pub fn period_status(
    kpi: &Kpi,
    series: &KpiSeries,
    targets: &HashMap<String, Target>,
    p: Period,
) -> PeriodStatus {
    let label = p.label();
    let value = series.at(p.index);
    let t = targets.get(&label);
    let th: Thresholds = kpi.thresholds();
    let (status, ach) = match (&value, t) {
        (Ok(v), Some(t)) => (
            Some(th.status(*v, t.target, t.target_high)),
            achievement(kpi.direction, *v, t.target, t.target_high),
        ),
        _ => (None, None),
    };
    PeriodStatus {
        period: label,
        value: value.as_ref().ok().copied(),
        no_value_reason: value.err(),
        target: t.map(|t| t.target),
        target_high: t.and_then(|t| {
            if kpi.direction == Direction::Band {
                t.target_high
            } else {
                None
            }
        }),
        status,
        achievement: ach,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::formula::parse;

    fn pt(day: &str, v: f64, den: Option<f64>) -> StoredPoint {
        StoredPoint {
            day: day.into(),
            source: "s".into(),
            value: v,
            denominator: den,
        }
    }

    #[test]
    fn points_roll_up_with_the_aggregation() {
        let pts = [
            pt("2026-01-05", 3.0, Some(4.0)),
            pt("2026-01-20", 1.0, Some(4.0)),
            pt("2026-03-02", 2.0, Some(2.0)),
        ];
        let s = KpiSeries::from_points(Aggregation::Sum, Granularity::Month, &pts);
        assert_eq!(s.values, [Ok(4.0), Err(NO_DATA.into()), Ok(2.0)]);
        let r = KpiSeries::from_points(Aggregation::Ratio, Granularity::Month, &pts);
        assert_eq!(r.values[0], Ok(0.5));
        assert_eq!(r.values[2], Ok(1.0));
        let last = KpiSeries::from_points(Aggregation::Last, Granularity::Month, &pts);
        assert_eq!(last.values[0], Ok(1.0));
    }

    #[test]
    fn formulas_combine_periods_and_explain_gaps() {
        let g = Granularity::Month;
        let rev = KpiSeries::from_points(
            Aggregation::Sum,
            g,
            &[pt("2026-01-01", 100.0, None), pt("2026-02-01", 90.0, None)],
        );
        let orders = KpiSeries::from_points(
            Aggregation::Sum,
            g,
            &[
                pt("2026-01-01", 4.0, None),
                pt("2026-02-01", 0.0, None),
                pt("2026-03-01", 5.0, None),
            ],
        );
        let inputs = HashMap::from([("revenue".to_string(), rev), ("orders".to_string(), orders)]);
        let s = KpiSeries::from_formula(&parse("revenue / orders").unwrap(), g, &inputs);
        assert_eq!(s.values[0], Ok(25.0));
        assert_eq!(
            s.values[1],
            Err("no value: division by zero (orders is 0)".into())
        );
        assert_eq!(
            s.values[2],
            Err("no value: revenue has no value for this period".into())
        );
        assert_eq!(s.mean_between(s.start, s.start + 3), (Some(25.0), 1));
    }
}
