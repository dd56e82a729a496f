//! KPI types and rules (no I/O): the definition, targets, thresholds and the status of a period.
use crate::kpi::formula;
use analytics::{Agg, Granularity};
use kernel::policy::{KpiFacts, KpiScope};
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use team::model::double_option;
use utoipa::ToSchema;

pub const MAX_NAME: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;
pub const MAX_SOURCE: usize = 64;

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($v),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|x| x.as_str() == s)
            }
        }
    };
}

str_enum!(
    /// What the number counts.
    Unit { Count = "count", Percent = "percent", Currency = "currency", Hours = "hours", Days = "days", Ratio = "ratio", Score = "score" }
);
str_enum!(
    /// Which way is good: more, less, or staying inside a band.
    Direction { Higher = "higher", Lower = "lower", Band = "band" }
);
str_enum!(
    /// How the data points of a period become its value. `ratio` is Σ value / Σ denominator.
    Aggregation { Sum = "sum", Mean = "mean", Last = "last", Min = "min", Max = "max", Ratio = "ratio" }
);
str_enum!(
    /// How often the KPI is measured: the period its targets and status are set for.
    Frequency { Daily = "daily", Weekly = "weekly", Monthly = "monthly", Quarterly = "quarterly" }
);
str_enum!(
    /// Whether thresholds are in the KPI's unit or in percent of the target.
    ThresholdMode { Percent = "percent", Absolute = "absolute" }
);
str_enum!(
    /// KPIs computed from opsdesk's own data by the refresh job.
    Computed { TasksCompleted = "tasks_completed", OnTimeRate = "on_time_rate", OverdueTasks = "overdue_tasks" }
);
str_enum!(
    /// A period's status.
    Rag { Green = "green", Amber = "amber", Red = "red" }
);

pub fn scope_str(s: KpiScope) -> &'static str {
    match s {
        KpiScope::Company => "company",
        KpiScope::Department => "department",
        KpiScope::Person => "person",
    }
}

pub fn parse_scope(s: &str) -> Option<KpiScope> {
    match s {
        "company" => Some(KpiScope::Company),
        "department" => Some(KpiScope::Department),
        "person" => Some(KpiScope::Person),
        _ => None,
    }
}

impl Frequency {
    pub fn granularity(self) -> Granularity {
        match self {
            Frequency::Daily => Granularity::Day,
            Frequency::Weekly => Granularity::Week,
            Frequency::Monthly => Granularity::Month,
            Frequency::Quarterly => Granularity::Quarter,
        }
    }
}

impl Aggregation {
    /// The engine's aggregation (`ratio` is handled by `analytics::ratio_of_sums`).
    pub fn agg(self) -> Option<Agg> {
        match self {
            Aggregation::Sum => Some(Agg::Sum),
            Aggregation::Mean => Some(Agg::Mean),
            Aggregation::Last => Some(Agg::Last),
            Aggregation::Min => Some(Agg::Min),
            Aggregation::Max => Some(Agg::Max),
            Aggregation::Ratio => None,
        }
    }
}

impl Computed {
    /// The aggregation the computed points need: counts add up, the on-time rate is a ratio of
    /// sums, the overdue count is a snapshot (the latest one of the period).
    pub fn aggregation(self) -> Aggregation {
        match self {
            Computed::TasksCompleted => Aggregation::Sum,
            Computed::OnTimeRate => Aggregation::Ratio,
            Computed::OverdueTasks => Aggregation::Last,
        }
    }
}

/// A KPI definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Kpi {
    pub id: i64,
    /// Unique; letters, digits and `_`, starting with a letter. Formulas refer to KPIs by code.
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub description: Option<String>,
    pub unit: Unit,
    pub direction: Direction,
    pub aggregation: Aggregation,
    pub frequency: Frequency,
    #[schema(value_type = String, example = "department")]
    #[serde(with = "scope_serde")]
    pub scope: KpiScope,
    /// The department of a department KPI, or of a person KPI's person.
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    /// The person of a person KPI.
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub owner_person_id: Option<i64>,
    pub owner_name: Option<String>,
    pub owner_name_zh: Option<String>,
    /// A formula over other KPIs' codes; the KPI then has no data points of its own.
    pub formula: Option<String>,
    /// Computed from opsdesk's own data by the refresh job.
    pub computed: Option<Computed>,
    pub threshold_mode: ThresholdMode,
    /// Shortfall beyond which a period is amber (unit or % of target, see `threshold_mode`).
    pub amber_from: f64,
    /// Shortfall beyond which a period is red.
    pub red_from: f64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

pub mod scope_serde {
    use kernel::policy::KpiScope;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &KpiScope, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(super::scope_str(*s))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<KpiScope, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_scope(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown scope {s:?} (company, department, person)"))
        })
    }
}

impl Kpi {
    pub fn facts(&self) -> KpiFacts {
        KpiFacts {
            scope: self.scope,
            department_id: self.department_id,
            person_id: self.person_id,
            owner_person_id: self.owner_person_id,
        }
    }

    pub fn granularity(&self) -> Granularity {
        self.frequency.granularity()
    }

    pub fn thresholds(&self) -> Thresholds {
        Thresholds {
            direction: self.direction,
            mode: self.threshold_mode,
            amber_from: self.amber_from,
            red_from: self.red_from,
        }
    }

    /// The name to show in this language.
    pub fn label(&self, zh: bool) -> &str {
        match (&self.name_zh, zh) {
            (Some(z), true) if !z.trim().is_empty() => z,
            _ => &self.name,
        }
    }
}

fn default_mode() -> ThresholdMode {
    ThresholdMode::Percent
}
fn default_red() -> f64 {
    10.0
}

/// A new KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiInput {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub unit: Unit,
    pub direction: Direction,
    pub aggregation: Aggregation,
    pub frequency: Frequency,
    /// `company`, `department` or `person`.
    pub scope: String,
    /// Required for a department KPI.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// Required for a person KPI.
    #[serde(default)]
    pub person_id: Option<i64>,
    #[serde(default)]
    pub owner_person_id: Option<i64>,
    #[serde(default)]
    pub formula: Option<String>,
    #[serde(default)]
    pub computed: Option<Computed>,
    /// Default `percent`.
    #[serde(default = "default_mode")]
    pub threshold_mode: ThresholdMode,
    /// Default 0: any shortfall is amber.
    #[serde(default)]
    pub amber_from: f64,
    /// Default 10 (% of target).
    #[serde(default = "default_red")]
    pub red_from: f64,
}

/// A partial update: only present fields change; `null` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiPatch {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name_zh: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub unit: Option<Unit>,
    #[serde(default)]
    pub direction: Option<Direction>,
    #[serde(default)]
    pub aggregation: Option<Aggregation>,
    #[serde(default)]
    pub frequency: Option<Frequency>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub person_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub owner_person_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub formula: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Computed>)]
    pub computed: Option<Option<Computed>>,
    #[serde(default)]
    pub threshold_mode: Option<ThresholdMode>,
    #[serde(default)]
    pub amber_from: Option<f64>,
    #[serde(default)]
    pub red_from: Option<f64>,
}

/// The validated values a KPI row is written with. `scope` stays text until validated so a bad
/// value is a field error, not a rejected body.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiValues {
    pub code: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub description: Option<String>,
    pub unit: Unit,
    pub direction: Direction,
    pub aggregation: Aggregation,
    pub frequency: Frequency,
    pub scope: KpiScope,
    pub scope_text: String,
    pub department_id: Option<i64>,
    pub person_id: Option<i64>,
    pub owner_person_id: Option<i64>,
    pub formula: Option<String>,
    pub computed: Option<Computed>,
    pub threshold_mode: ThresholdMode,
    pub amber_from: f64,
    pub red_from: f64,
}

impl KpiValues {
    pub fn from_input(i: &KpiInput) -> Self {
        KpiValues {
            code: i.code.clone(),
            name: i.name.clone(),
            name_zh: i.name_zh.clone(),
            description: i.description.clone(),
            unit: i.unit,
            direction: i.direction,
            aggregation: i.aggregation,
            frequency: i.frequency,
            scope: parse_scope(i.scope.trim()).unwrap_or(KpiScope::Company),
            scope_text: i.scope.clone(),
            department_id: i.department_id,
            person_id: i.person_id,
            owner_person_id: i.owner_person_id,
            formula: i.formula.clone(),
            computed: i.computed,
            threshold_mode: i.threshold_mode,
            amber_from: i.amber_from,
            red_from: i.red_from,
        }
    }

    pub fn from_kpi(k: &Kpi) -> Self {
        KpiValues {
            code: k.code.clone(),
            name: k.name.clone(),
            name_zh: k.name_zh.clone(),
            description: k.description.clone(),
            unit: k.unit,
            direction: k.direction,
            aggregation: k.aggregation,
            frequency: k.frequency,
            scope: k.scope,
            scope_text: scope_str(k.scope).into(),
            department_id: k.department_id,
            person_id: k.person_id,
            owner_person_id: k.owner_person_id,
            formula: k.formula.clone(),
            computed: k.computed,
            threshold_mode: k.threshold_mode,
            amber_from: k.amber_from,
            red_from: k.red_from,
        }
    }

    pub fn apply(mut self, p: &KpiPatch) -> Self {
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = &p.$f { self.$f = v.clone(); })* };
        }
        set!(
            code,
            name,
            name_zh,
            description,
            unit,
            direction,
            aggregation,
            frequency,
            department_id,
            person_id,
            owner_person_id,
            formula,
            computed,
            threshold_mode,
            amber_from,
            red_from
        );
        if let Some(s) = &p.scope {
            self.scope_text = s.clone();
            self.scope = parse_scope(s.trim()).unwrap_or(self.scope);
        }
        self
    }

    /// Field rules that need no database; the service checks references and cycles.
    /// Returns the parsed formula, if any.
    pub fn validate(&mut self, c: &mut Checks) -> Option<formula::Expr> {
        self.code = c.text("code", &self.code, true, 40);
        if !self.code.is_empty() && !formula::is_code(&self.code) {
            c.push(
                "code",
                "invalid_code",
                "must start with a letter and contain only letters, digits and _",
            );
        }
        self.name = c.text("name", &self.name, true, MAX_NAME);
        self.name_zh = c.opt_text("name_zh", self.name_zh.as_deref(), MAX_NAME);
        self.description = c.opt_text("description", self.description.as_deref(), MAX_DESCRIPTION);
        match parse_scope(self.scope_text.trim()) {
            None => c.push("scope", "invalid", "must be company, department or person"),
            Some(s) => self.scope = s,
        }
        match self.scope {
            KpiScope::Company => {
                self.department_id = None;
                self.person_id = None;
            }
            KpiScope::Department => {
                self.person_id = None;
                if self.department_id.is_none() {
                    c.push(
                        "department_id",
                        "required",
                        "a department KPI needs its department",
                    );
                }
            }
            KpiScope::Person => {
                if self.person_id.is_none() {
                    c.push("person_id", "required", "a person KPI needs its person");
                }
            }
        }
        for (field, v) in [("amber_from", self.amber_from), ("red_from", self.red_from)] {
            if !v.is_finite() || v < 0.0 {
                c.push(field, "out_of_range", "must be a number of 0 or more");
            }
        }
        if self.red_from < self.amber_from {
            c.push(
                "red_from",
                "out_of_range",
                "must be at least the amber threshold",
            );
        }
        self.formula = c.opt_text("formula", self.formula.as_deref(), formula::MAX_FORMULA);
        if self.formula.is_some() && self.computed.is_some() {
            c.push(
                "formula",
                "conflict",
                "a KPI is either computed from opsdesk's data or a formula, not both",
            );
        }
        if let Some(comp) = self.computed
            && self.aggregation != comp.aggregation()
        {
            c.push(
                "aggregation",
                "invalid",
                format!(
                    "{} is computed with aggregation {}",
                    comp.as_str(),
                    comp.aggregation().as_str()
                ),
            );
        }
        let expr = match self.formula.as_deref().map(formula::parse) {
            Some(Ok(e)) => Some(e),
            Some(Err(e)) => {
                c.push("formula", "invalid_formula", e.to_string());
                None
            }
            None => None,
        };
        if let Some(e) = &expr
            && e.refs().contains(&self.code)
        {
            c.push(
                "formula",
                "cycle",
                format!("the formula refers to the KPI itself ({})", self.code),
            );
        }
        expr
    }
}

/// A target for one period. For a band KPI, `target` is the lower and `target_high` the upper
/// edge of the band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Period label at the KPI's frequency: `YYYY-MM-DD`, `YYYY-Www`, `YYYY-MM` or `YYYY-Qn`.
    pub period: String,
    pub target: f64,
    #[serde(default)]
    pub target_high: Option<f64>,
}

/// Threshold rules of a KPI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub direction: Direction,
    pub mode: ThresholdMode,
    pub amber_from: f64,
    pub red_from: f64,
}

impl Thresholds {
    /// How far `value` falls short of the target, ≥ 0, in the threshold's terms (unit or % of
    /// target). Higher-is-better: below target; lower-is-better: above; band: outside it.
    pub fn shortfall(&self, value: f64, target: f64, target_high: Option<f64>) -> f64 {
        let (gap, base) = match self.direction {
            Direction::Higher => (target - value, target),
            Direction::Lower => (value - target, target),
            Direction::Band => {
                let high = target_high.unwrap_or(target);
                if value < target {
                    (target - value, target)
                } else {
                    (value - high, high)
                }
            }
        };
        let gap = gap.max(0.0);
        match self.mode {
            ThresholdMode::Absolute => gap,
            ThresholdMode::Percent if gap == 0.0 => 0.0,
            // A zero target leaves percentages undefined: any miss of it is infinitely far.
            ThresholdMode::Percent if base == 0.0 => f64::INFINITY,
            ThresholdMode::Percent => gap / base.abs() * 100.0,
        }
    }

    /// Green when the shortfall is at most `amber_from`, red beyond `red_from`, amber between.
    pub fn status(&self, value: f64, target: f64, target_high: Option<f64>) -> Rag {
        let s = self.shortfall(value, target, target_high);
        if s > self.red_from {
            Rag::Red
        } else if s > self.amber_from {
            Rag::Amber
        } else {
            Rag::Green
        }
    }

    /// The values where amber and red begin for a target (for the chart's threshold lines):
    /// `(amber_line, red_line)` on the side that is bad; for a band, the lower side.
    pub fn lines(&self, target: f64) -> (f64, f64) {
        let off = |t: f64| match self.mode {
            ThresholdMode::Absolute => t,
            ThresholdMode::Percent => target.abs() * t / 100.0,
        };
        match self.direction {
            Direction::Higher | Direction::Band => {
                (target - off(self.amber_from), target - off(self.red_from))
            }
            Direction::Lower => (target + off(self.amber_from), target + off(self.red_from)),
        }
    }
}

/// Achievement in percent: actual / target for higher-is-better, target / actual for
/// lower-is-better, 100 inside a band (and the share of the nearer edge outside it).
pub fn achievement(
    direction: Direction,
    value: f64,
    target: f64,
    high: Option<f64>,
) -> Option<f64> {
    let r = match direction {
        Direction::Higher => value / target,
        Direction::Lower => target / value,
        Direction::Band => {
            let high = high.unwrap_or(target);
            if value < target {
                value / target
            } else if value > high {
                high / value
            } else {
                1.0
            }
        }
    };
    r.is_finite().then_some(r * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn th(direction: Direction, mode: ThresholdMode, amber: f64, red: f64) -> Thresholds {
        Thresholds {
            direction,
            mode,
            amber_from: amber,
            red_from: red,
        }
    }

    #[test]
    fn higher_is_better_in_percent() {
        let t = th(Direction::Higher, ThresholdMode::Percent, 5.0, 10.0);
        assert_eq!(t.status(100.0, 100.0, None), Rag::Green);
        assert_eq!(t.status(120.0, 100.0, None), Rag::Green);
        assert_eq!(t.status(95.0, 100.0, None), Rag::Green); // exactly 5 % short
        assert_eq!(t.status(94.0, 100.0, None), Rag::Amber);
        assert_eq!(t.status(90.0, 100.0, None), Rag::Amber);
        assert_eq!(t.status(89.9, 100.0, None), Rag::Red);
        assert_eq!(t.lines(200.0), (190.0, 180.0));
    }

    #[test]
    fn lower_is_better_in_absolute_units() {
        let t = th(Direction::Lower, ThresholdMode::Absolute, 2.0, 5.0);
        assert_eq!(t.status(10.0, 24.0, None), Rag::Green);
        assert_eq!(t.status(26.0, 24.0, None), Rag::Green);
        assert_eq!(t.status(27.0, 24.0, None), Rag::Amber);
        assert_eq!(t.status(29.5, 24.0, None), Rag::Red);
        assert_eq!(t.lines(24.0), (26.0, 29.0));
    }

    #[test]
    fn band_measures_distance_outside_the_band() {
        let t = th(Direction::Band, ThresholdMode::Percent, 0.0, 10.0);
        assert_eq!(t.status(50.0, 40.0, Some(60.0)), Rag::Green);
        assert_eq!(t.status(62.0, 40.0, Some(60.0)), Rag::Amber); // 3.3 % above the top
        assert_eq!(t.status(70.0, 40.0, Some(60.0)), Rag::Red); // 16.7 % above
        assert_eq!(t.status(38.0, 40.0, Some(60.0)), Rag::Amber);
        assert_eq!(t.status(35.0, 40.0, Some(60.0)), Rag::Red); // 12.5 % below
    }

    #[test]
    fn zero_target_in_percent_mode() {
        let t = th(Direction::Lower, ThresholdMode::Percent, 0.0, 10.0);
        assert_eq!(t.status(0.0, 0.0, None), Rag::Green);
        assert_eq!(t.status(1.0, 0.0, None), Rag::Red);
    }

    #[test]
    fn achievement_by_direction() {
        assert_eq!(
            achievement(Direction::Higher, 90.0, 100.0, None),
            Some(90.0)
        );
        assert_eq!(achievement(Direction::Lower, 50.0, 40.0, None), Some(80.0));
        assert_eq!(
            achievement(Direction::Band, 50.0, 40.0, Some(60.0)),
            Some(100.0)
        );
        assert_eq!(achievement(Direction::Higher, 5.0, 0.0, None), None);
    }

    #[test]
    fn values_validate_scope_formula_and_thresholds() {
        let input = KpiInput {
            code: "aov".into(),
            name: "Average order value".into(),
            name_zh: None,
            description: None,
            unit: Unit::Currency,
            direction: Direction::Higher,
            aggregation: Aggregation::Mean,
            frequency: Frequency::Monthly,
            scope: "department".into(),
            department_id: None,
            person_id: None,
            owner_person_id: None,
            formula: Some("revenue / (aov".into()),
            computed: None,
            threshold_mode: ThresholdMode::Percent,
            amber_from: 10.0,
            red_from: 5.0,
        };
        let mut c = Checks::new();
        KpiValues::from_input(&input).validate(&mut c);
        let kernel::AppError::Validation(errs) = c.finish().unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("department_id", "required"),
                ("red_from", "out_of_range"),
                ("formula", "invalid_formula"),
            ]
        );
        let mut c = Checks::new();
        let mut v = KpiValues::from_input(&KpiInput {
            formula: Some("revenue / aov".into()),
            department_id: Some(1),
            red_from: 20.0,
            ..input
        });
        v.validate(&mut c);
        let kernel::AppError::Validation(errs) = c.finish().unwrap_err() else {
            panic!()
        };
        assert_eq!((errs[0].field.as_str(), errs[0].code), ("formula", "cycle"));
    }
}
