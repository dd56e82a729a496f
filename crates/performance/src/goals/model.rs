//! Goals and OKRs: types and rules (no I/O) — cycles, the SMART check, progress arithmetic,
//! health (the red rule), weeks for check-ins and end-of-cycle scores.
use kernel::dates::{format_date, parse_date};
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use team::model::double_option;
use time::{Date, Month};
use utoipa::ToSchema;

pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 4000;
pub const MAX_METRIC: usize = 200;
pub const MAX_UNIT: usize = 20;
pub const MAX_NOTE: usize = 2000;
/// Measures beyond this magnitude are typing mistakes, not goals.
pub const MAX_VALUE: f64 = 1e15;
pub const MAX_WEIGHT: f64 = 100.0;

macro_rules! str_enum {
    ($(#[$em:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "lowercase")]
        $(#[$em])*
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
            pub fn parse(s: &str) -> Option<Self> { Self::ALL.iter().copied().find(|x| x.as_str() == s) }
        }
    };
}

str_enum!(#[derive(Default)] Level { Company = "company", Department = "department", #[default] Person = "person" });
str_enum!(#[derive(Default)] GoalKind { #[default] Objective = "objective", Smart = "smart" });
str_enum!(CycleKind { Monthly = "monthly", Bimonthly = "bimonthly", Quarterly = "quarterly", Yearly = "yearly" });
str_enum!(GoalState { Active = "active", Scored = "scored" });
str_enum!(Health { Green = "green", Amber = "amber", Red = "red" });

impl Level {
    /// Depth in the tree: company 0, department 1, person 2.
    pub fn depth(self) -> u8 {
        self as u8
    }
}

// ---------------------------------------------------------------- cycles

/// A goal cycle: `2026` (yearly), `2026-Q4` (quarterly), `2026-B6` (bimonthly: Nov–Dec),
/// `2026-11` (monthly), with its first and last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub kind: CycleKind,
    pub label: String,
    pub start: Date,
    pub end: Date,
}

fn month(n: u8) -> Option<Month> {
    Month::try_from(n).ok()
}

fn last_day(year: i32, m: u8) -> Option<Date> {
    let (y, next) = if m == 12 {
        (year + 1, 1)
    } else {
        (year, m + 1)
    };
    Date::from_calendar_date(y, month(next)?, 1)
        .ok()?
        .previous_day()
}

impl Cycle {
    fn span(kind: CycleKind, label: String, year: i32, first: u8, months: u8) -> Option<Cycle> {
        Some(Cycle {
            kind,
            label,
            start: Date::from_calendar_date(year, month(first)?, 1).ok()?,
            end: last_day(year, first + months - 1)?,
        })
    }

    /// Parses a cycle label; `None` for anything else.
    pub fn parse(label: &str) -> Option<Cycle> {
        let label = label.trim();
        let (y, rest) = match label.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (label, None),
        };
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        if !(2000..=2200).contains(&year) {
            return None;
        }
        let num = |s: &str, max: u8| -> Option<u8> {
            let n: u8 = s
                .parse()
                .ok()
                .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))?;
            (1..=max).contains(&n).then_some(n)
        };
        let l = label.to_string();
        match rest {
            None => Self::span(CycleKind::Yearly, l, year, 1, 12),
            Some(r) if r.starts_with('Q') => {
                let q = num(&r[1..], 4)?;
                Self::span(CycleKind::Quarterly, l, year, (q - 1) * 3 + 1, 3)
            }
            Some(r) if r.starts_with('B') => {
                let b = num(&r[1..], 6)?;
                Self::span(CycleKind::Bimonthly, l, year, (b - 1) * 2 + 1, 2)
            }
            Some(r) if r.len() == 2 => {
                let m = num(r, 12)?;
                Self::span(CycleKind::Monthly, l, year, m, 1)
            }
            _ => None,
        }
    }

    /// The cycle of `kind` containing `d`.
    pub fn containing(kind: CycleKind, d: Date) -> Cycle {
        let (y, m) = (d.year(), d.month() as u8);
        let label = match kind {
            CycleKind::Yearly => format!("{y}"),
            CycleKind::Quarterly => format!("{y}-Q{}", (m - 1) / 3 + 1),
            CycleKind::Bimonthly => format!("{y}-B{}", (m - 1) / 2 + 1),
            CycleKind::Monthly => format!("{y}-{m:02}"),
        };
        Cycle::parse(&label).expect("a label made from a date parses")
    }

    pub fn contains(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }
}

/// The ISO week of a date, `YYYY-Www` (weeks start on Monday).
pub fn iso_week(d: Date) -> String {
    let (y, w, _) = d.to_iso_week_date();
    format!("{y}-W{w:02}")
}

/// Monday and Sunday of the ISO week containing `d`.
pub fn week_bounds(d: Date) -> (Date, Date) {
    let back = d.weekday().number_days_from_monday() as i64;
    let monday = d - time::Duration::days(back);
    (monday, monday + time::Duration::days(6))
}

// ---------------------------------------------------------------- arithmetic

/// Progress of a measure from `start` toward `target`, 0–1 (either direction: a target below
/// the start is a "reduce to" goal). Overshooting counts as 1, going backwards as 0.
pub fn progress(start: f64, target: f64, current: f64) -> f64 {
    let span = target - start;
    if span == 0.0 || !span.is_finite() || !current.is_finite() {
        return 0.0;
    }
    ((current - start) / span).clamp(0.0, 1.0)
}

/// Weighted mean of `(weight, value)` pairs; `None` without positive weight.
pub fn weighted(items: impl IntoIterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut w, mut s) = (0.0, 0.0);
    for (wi, vi) in items {
        if wi > 0.0 {
            w += wi;
            s += wi * vi;
        }
    }
    (w > 0.0).then(|| s / w)
}

/// Share of the time from the cycle start to the due date that has passed on `today`, 0–1.
pub fn elapsed(start: Date, due: Date, today: Date) -> f64 {
    let total = (due - start).whole_days() + 1;
    if total <= 0 {
        return 1.0;
    }
    let done = (today - start).whole_days() + 1;
    (done as f64 / total as f64).clamp(0.0, 1.0)
}

/// How far behind the schedule a key result may fall before it is amber, then red.
pub const AMBER_GAP: f64 = 0.15;
pub const RED_GAP: f64 = 0.30;
/// Below this confidence (percent) a key result is at least amber whatever its progress.
pub const LOW_CONFIDENCE: i64 = 40;

/// The red rule: the schedule expects progress to grow linearly from the cycle start to the due
/// date. A key result is red when it lags the expected progress by more than 30 points, amber
/// when by more than 15 points (or when its owner's last confidence is below 40 %), else green.
/// A finished measure (progress 1) is always green.
pub fn health(progress: f64, expected: f64, confidence: Option<i64>) -> Health {
    if progress >= 1.0 {
        return Health::Green;
    }
    let gap = expected - progress;
    if gap > RED_GAP {
        Health::Red
    } else if gap > AMBER_GAP || confidence.is_some_and(|c| c < LOW_CONFIDENCE) {
        Health::Amber
    } else {
        Health::Green
    }
}

/// A score rounded to two decimals, 0–1 (the usual OKR grade).
pub fn round_score(x: f64) -> f64 {
    (x.clamp(0.0, 1.0) * 100.0).round() / 100.0
}

/// Confidence as stored (0–100 %) from either scale.
pub fn confidence_percent(value: f64, scale: ConfidenceScale) -> Option<i64> {
    if !value.is_finite() {
        return None;
    }
    match scale {
        ConfidenceScale::Percent => (0.0..=100.0).contains(&value).then(|| value.round() as i64),
        ConfidenceScale::Ten => (1.0..=10.0)
            .contains(&value)
            .then(|| (value * 10.0).round() as i64),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceScale {
    /// 0–100 %.
    #[default]
    Percent,
    /// 1–10.
    Ten,
}

// ---------------------------------------------------------------- records

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct KeyResult {
    pub id: i64,
    pub goal_id: i64,
    pub title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_name_zh: Option<String>,
    /// What is measured, e.g. "first-contact resolution rate".
    pub metric: String,
    pub unit: String,
    pub start_value: f64,
    pub target_value: f64,
    /// The latest value: from the last check-in, or from the bound KPI.
    pub current_value: f64,
    /// Relative weight within the objective (> 0).
    pub weight: f64,
    /// The KPI this key result follows (progress computed from its actuals), if bound.
    pub kpi_id: Option<i64>,
    /// 0–1, computed from start/target/current.
    pub progress: f64,
    /// Green, amber or red by the documented red rule.
    pub health: Health,
    /// The last check-in's confidence, 0–100 %.
    pub confidence: Option<i64>,
    /// Epoch ms of the last check-in.
    pub last_checkin_at: Option<i64>,
    /// End-of-cycle score 0–1, once scored.
    pub score: Option<f64>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Goal {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub level: Level,
    pub kind: GoalKind,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_name_zh: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub cycle_kind: CycleKind,
    /// `2026-Q4`, `2026-B6`, `2026-11` or `2026`.
    pub cycle: String,
    pub period_start: String,
    pub period_end: String,
    pub due_date: String,
    /// `scored` goals are locked.
    pub state: GoalState,
    /// Weighted progress of its key results, 0–1.
    pub progress: f64,
    /// The worst health among its key results (green without any).
    pub health: Health,
    pub score: Option<f64>,
    pub scored_at: Option<i64>,
    pub key_results: Vec<KeyResult>,
    pub version: i64,
    pub created_by: Option<i64>,
    pub updated_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Goal {
    pub fn facts(&self) -> kernel::policy::GoalFacts {
        kernel::policy::GoalFacts {
            company: self.level == Level::Company,
            department_id: self.department_id,
            owner_id: Some(self.owner_id),
        }
    }

    pub fn locked(&self) -> bool {
        self.state == GoalState::Scored
    }

    /// Fills `progress`/`health` of the key results and the goal for `today`.
    pub fn compute(&mut self, today: Date) {
        let (Some(start), Some(due)) = (parse_date(&self.period_start), parse_date(&self.due_date))
        else {
            return;
        };
        let expected = elapsed(start, due, today);
        for k in &mut self.key_results {
            k.progress = progress(k.start_value, k.target_value, k.current_value);
            k.health = health(k.progress, expected, k.confidence);
        }
        self.progress =
            weighted(self.key_results.iter().map(|k| (k.weight, k.progress))).unwrap_or(0.0);
        self.health = self
            .key_results
            .iter()
            .map(|k| k.health)
            .max()
            .unwrap_or(Health::Green);
    }

    /// The objective's score from its key results' scores (weighted).
    pub fn weighted_score(krs: &[(f64, f64)]) -> Option<f64> {
        weighted(krs.iter().copied()).map(round_score)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CheckIn {
    pub id: i64,
    pub key_result_id: i64,
    /// ISO week, `YYYY-Www`.
    pub week: String,
    pub value: f64,
    /// Progress at the time of the check-in, 0–1.
    pub progress: f64,
    /// 0–100 %.
    pub confidence: i64,
    pub note: Option<String>,
    pub author: Option<String>,
    pub created_at: i64,
}

// ---------------------------------------------------------------- inputs

/// The measurable part of a SMART goal or a key result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureInput {
    /// A short name for the key result (defaults to the goal's title for a SMART goal).
    #[serde(default)]
    pub title: Option<String>,
    /// Defaults to the goal's owner.
    #[serde(default)]
    pub owner_id: Option<i64>,
    pub metric: String,
    pub unit: String,
    pub start_value: f64,
    pub target_value: f64,
    /// Defaults to the start value.
    #[serde(default)]
    pub current_value: Option<f64>,
    /// Defaults to 1.
    #[serde(default)]
    pub weight: Option<f64>,
    /// Bind to a KPI: progress then follows its actuals for the goal's cycle.
    #[serde(default)]
    pub kpi_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    pub level: Level,
    /// `objective` (OKR; add key results) or `smart` (one measure, given in `measure`).
    pub kind: GoalKind,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The person accountable.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// Required for department goals; personal goals take the owner's department.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// Required for department and personal goals: the goal this one contributes to.
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// `2026-Q4`, `2026-B6`, `2026-11` or `2026`.
    pub cycle: String,
    /// `YYYY-MM-DD` within the cycle; defaults to the cycle's last day.
    #[serde(default)]
    pub due_date: Option<String>,
    /// Required for a SMART goal.
    #[serde(default)]
    pub measure: Option<MeasureInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    #[serde(default)]
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyResultPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub metric: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub start_value: Option<f64>,
    #[serde(default)]
    pub target_value: Option<f64>,
    #[serde(default)]
    pub weight: Option<f64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub kpi_id: Option<Option<i64>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    /// The measure's value now (ignored for a KPI-bound key result, which reads the KPI).
    #[serde(default)]
    pub value: Option<f64>,
    /// How sure the owner is to reach the target.
    pub confidence: f64,
    #[serde(default)]
    pub confidence_scale: ConfidenceScale,
    #[serde(default)]
    pub note: Option<String>,
}

/// End-of-cycle scores; key results left out get their progress as score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreInput {
    #[serde(default)]
    pub key_results: Vec<KrScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KrScore {
    pub key_result_id: i64,
    /// 0–1.
    pub score: f64,
}

// ---------------------------------------------------------------- validated values

/// A goal row as written.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalValues {
    pub parent_id: Option<i64>,
    pub level: Level,
    pub kind: GoalKind,
    pub title: String,
    pub description: Option<String>,
    pub owner_id: Option<i64>,
    pub department_id: Option<i64>,
    pub cycle: String,
    pub cycle_kind: CycleKind,
    pub period_start: String,
    pub period_end: String,
    pub due_date: String,
}

/// What the SMART check needs to know about the proposed parent.
#[derive(Debug, Clone, PartialEq)]
pub struct ParentFacts {
    pub level: Level,
    pub period_start: String,
    pub period_end: String,
    pub locked: bool,
}

impl GoalValues {
    pub fn from_goal(g: &Goal) -> Self {
        GoalValues {
            parent_id: g.parent_id,
            level: g.level,
            kind: g.kind,
            title: g.title.clone(),
            description: g.description.clone(),
            owner_id: Some(g.owner_id),
            department_id: g.department_id,
            cycle: g.cycle.clone(),
            cycle_kind: g.cycle_kind,
            period_start: g.period_start.clone(),
            period_end: g.period_end.clone(),
            due_date: g.due_date.clone(),
        }
    }

    pub fn apply(mut self, p: &GoalPatch) -> Self {
        if let Some(t) = &p.title {
            self.title = t.clone();
        }
        if let Some(d) = &p.description {
            self.description = d.clone();
        }
        if let Some(o) = p.owner_id {
            self.owner_id = Some(o);
        }
        if let Some(pid) = p.parent_id {
            self.parent_id = pid;
        }
        if let Some(d) = &p.due_date {
            self.due_date = d.clone();
        }
        self
    }

    /// The SMART check's goal part: Specific (a title), an owner (accountable), Time-bound (a due
    /// date inside the cycle, not already past when created), and the place in the tree (a
    /// parent of a higher level in an overlapping cycle, for department and personal goals).
    /// Measurability is checked on the measure ([`MeasureValues::validate`]).
    pub fn from_input(i: &GoalInput, c: &mut Checks, today: Date) -> Self {
        let title = c.text("title", &i.title, true, MAX_TITLE);
        let description = c.opt_text("description", i.description.as_deref(), MAX_DESCRIPTION);
        let cycle = Cycle::parse(&i.cycle);
        if cycle.is_none() {
            c.push(
                "cycle",
                "invalid_cycle",
                "must be a cycle such as 2026-Q4, 2026-B6, 2026-11 or 2026",
            );
        }
        let due = match i
            .due_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(d) => d.to_string(),
            None => cycle
                .as_ref()
                .map(|c| format_date(c.end))
                .unwrap_or_default(),
        };
        if let Some(d) = parse_date(&due)
            && d < today
        {
            c.push("due_date", "in_past", "the deadline has already passed");
        }
        let (ck, ps, pe) = match &cycle {
            Some(cy) => (cy.kind, format_date(cy.start), format_date(cy.end)),
            None => (CycleKind::Quarterly, String::new(), String::new()),
        };
        GoalValues {
            parent_id: i.parent_id,
            level: i.level,
            kind: i.kind,
            title,
            description,
            owner_id: i.owner_id,
            department_id: i.department_id,
            cycle: cycle
                .map(|c| c.label)
                .unwrap_or_else(|| i.cycle.trim().to_string()),
            cycle_kind: ck,
            period_start: ps,
            period_end: pe,
            due_date: due,
        }
    }

    /// Checks every rule that does not need the database (the parent's facts are passed in).
    pub fn validate(mut self, c: &mut Checks, parent: Option<&ParentFacts>) -> Self {
        self.title = c.text("title", &self.title, true, MAX_TITLE);
        self.description = c.opt_text("description", self.description.as_deref(), MAX_DESCRIPTION);
        if self.owner_id.is_none() {
            c.push(
                "owner_id",
                "owner_required",
                "a goal needs an accountable owner",
            );
        }
        if self.level == Level::Department && self.department_id.is_none() {
            c.push(
                "department_id",
                "required",
                "a department goal names its department",
            );
        }
        match parse_date(&self.due_date) {
            None if self.due_date.is_empty() => {
                c.push("due_date", "deadline_required", "a goal needs a deadline")
            }
            None => c.push(
                "due_date",
                "invalid_date",
                "must be a date in YYYY-MM-DD format",
            ),
            Some(d) => {
                let inside = parse_date(&self.period_start).is_some_and(|s| s <= d)
                    && parse_date(&self.period_end).is_some_and(|e| d <= e);
                if !self.period_start.is_empty() && !inside {
                    c.push(
                        "due_date",
                        "outside_cycle",
                        format!(
                            "the deadline must lie within the cycle {} ({} – {})",
                            self.cycle, self.period_start, self.period_end
                        ),
                    );
                }
            }
        }
        match (self.level, self.parent_id, parent) {
            (Level::Company, Some(_), _) => c.push(
                "parent_id",
                "parent_not_allowed",
                "a company goal is the top of the tree and has no parent",
            ),
            (Level::Company, None, _) => {}
            (_, None, _) => c.push(
                "parent_id",
                "parent_required",
                "department and personal goals contribute to a parent goal",
            ),
            (_, Some(_), None) => c.push("parent_id", "not_found", "no such goal"),
            (level, Some(_), Some(p)) => {
                if p.level > level || (level == Level::Person && p.level == Level::Person) {
                    c.push(
                        "parent_id",
                        "parent_level",
                        "the parent must be a company goal, or a department goal",
                    );
                } else if p.period_end < self.period_start || p.period_start > self.period_end {
                    c.push(
                        "parent_id",
                        "parent_cycle",
                        format!(
                            "the parent's cycle ({} – {}) does not overlap this goal's",
                            p.period_start, p.period_end
                        ),
                    );
                } else if p.locked {
                    c.push(
                        "parent_id",
                        "parent_locked",
                        "the parent goal is already scored",
                    );
                }
            }
        }
        self
    }
}

/// A key result row as written.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureValues {
    pub title: String,
    pub owner_id: Option<i64>,
    pub metric: String,
    pub unit: String,
    pub start_value: f64,
    pub target_value: f64,
    pub current_value: f64,
    pub weight: f64,
    pub kpi_id: Option<i64>,
}

impl MeasureValues {
    pub fn from_input(m: &MeasureInput, default_title: &str, default_owner: Option<i64>) -> Self {
        MeasureValues {
            title: m
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| default_title.to_string()),
            owner_id: m.owner_id.or(default_owner),
            metric: m.metric.clone(),
            unit: m.unit.clone(),
            start_value: m.start_value,
            target_value: m.target_value,
            current_value: m.current_value.unwrap_or(m.start_value),
            weight: m.weight.unwrap_or(1.0),
            kpi_id: m.kpi_id,
        }
    }

    pub fn from_kr(k: &KeyResult) -> Self {
        MeasureValues {
            title: k.title.clone(),
            owner_id: Some(k.owner_id),
            metric: k.metric.clone(),
            unit: k.unit.clone(),
            start_value: k.start_value,
            target_value: k.target_value,
            current_value: k.current_value,
            weight: k.weight,
            kpi_id: k.kpi_id,
        }
    }

    pub fn apply(mut self, p: &KeyResultPatch) -> Self {
        if let Some(v) = &p.title {
            self.title = v.clone();
        }
        if let Some(v) = p.owner_id {
            self.owner_id = Some(v);
        }
        if let Some(v) = &p.metric {
            self.metric = v.clone();
        }
        if let Some(v) = &p.unit {
            self.unit = v.clone();
        }
        if let Some(v) = p.start_value {
            self.start_value = v;
        }
        if let Some(v) = p.target_value {
            self.target_value = v;
        }
        if let Some(v) = p.weight {
            self.weight = v;
        }
        if let Some(v) = p.kpi_id {
            self.kpi_id = v;
        }
        self
    }

    /// The SMART check's measurable part: a named metric with a unit, a target that differs
    /// from the start (else nothing is to be achieved), finite values, a positive weight.
    /// `prefix` names the fields (`measure.` for a SMART goal's, empty for a key result).
    pub fn validate(mut self, c: &mut Checks, prefix: &str) -> Self {
        let f = |n: &str| format!("{prefix}{n}");
        self.title = c.text(&f("title"), &self.title, true, MAX_TITLE);
        self.metric = c.text(&f("metric"), &self.metric, false, MAX_METRIC);
        if self.metric.is_empty() {
            c.push(
                &f("metric"),
                "metric_required",
                "say what is measured (a measurable metric)",
            );
        }
        self.unit = c.text(&f("unit"), &self.unit, false, MAX_UNIT);
        if self.unit.is_empty() {
            c.push(
                &f("unit"),
                "unit_required",
                "give the metric's unit (%, count, hours…)",
            );
        }
        if self.owner_id.is_none() {
            c.push(
                &f("owner_id"),
                "owner_required",
                "a key result needs an owner",
            );
        }
        for (name, v) in [
            ("start_value", self.start_value),
            ("target_value", self.target_value),
            ("current_value", self.current_value),
        ] {
            if !v.is_finite() || v.abs() > MAX_VALUE {
                c.push(&f(name), "out_of_range", "must be a finite number");
            }
        }
        if self.target_value == self.start_value {
            c.push(
                &f("target_value"),
                "target_equals_start",
                "the target must differ from the start value",
            );
        }
        if !(self.weight > 0.0 && self.weight <= MAX_WEIGHT) {
            c.push(
                &f("weight"),
                "out_of_range",
                format!("must be above 0 and at most {MAX_WEIGHT}"),
            );
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::AppError;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    fn fields(c: Checks) -> Vec<(String, &'static str)> {
        match c.finish() {
            Err(AppError::Validation(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn cycles_parse_and_contain() {
        let q = Cycle::parse("2026-Q4").unwrap();
        assert_eq!(
            (format_date(q.start), format_date(q.end)),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        let b = Cycle::parse("2024-B1").unwrap();
        assert_eq!(format_date(b.end), "2024-02-29");
        let m = Cycle::parse("2026-02").unwrap();
        assert_eq!(
            (m.kind, format_date(m.end)),
            (CycleKind::Monthly, "2026-02-28".into())
        );
        assert_eq!(Cycle::parse("2026").unwrap().kind, CycleKind::Yearly);
        for bad in [
            "2026-Q5", "2026-B7", "2026-13", "26-Q1", "2026-q1", "2026-1", "x", "2026-Q",
        ] {
            assert!(Cycle::parse(bad).is_none(), "{bad}");
        }
        for k in CycleKind::ALL {
            let c = Cycle::containing(*k, d("2026-11-27"));
            assert!(c.contains(d("2026-11-27")) && c.kind == *k, "{k:?}");
        }
        assert_eq!(
            Cycle::containing(CycleKind::Bimonthly, d("2026-11-27")).label,
            "2026-B6"
        );
        assert_eq!(iso_week(d("2026-11-27")), "2026-W48");
        assert_eq!(iso_week(d("2027-01-01")), "2026-W53");
        assert_eq!(
            week_bounds(d("2026-11-27")),
            (d("2026-11-23"), d("2026-11-29"))
        );
    }

    #[test]
    fn progress_in_both_directions_and_weighted() {
        assert_eq!(progress(0.0, 200.0, 50.0), 0.25);
        // Reduce complaints from 40 to 10: at 25 we are half way.
        assert_eq!(progress(40.0, 10.0, 25.0), 0.5);
        assert_eq!(progress(40.0, 10.0, 50.0), 0.0);
        assert_eq!(progress(0.0, 10.0, 12.0), 1.0);
        assert_eq!(progress(5.0, 5.0, 5.0), 0.0);
        assert_eq!(weighted([(3.0, 1.0), (1.0, 0.0)]), Some(0.75));
        assert_eq!(weighted([(0.0, 1.0)]), None);
        assert_eq!(Goal::weighted_score(&[(1.0, 0.7), (1.0, 0.4)]), Some(0.55));
    }

    #[test]
    fn red_rule() {
        let (s, due) = (d("2026-10-01"), d("2026-12-31"));
        assert_eq!(elapsed(s, due, d("2026-09-01")), 0.0);
        assert_eq!(elapsed(s, due, d("2027-01-05")), 1.0);
        let half = elapsed(s, due, d("2026-11-15"));
        assert!((half - 0.5).abs() < 0.01, "{half}");
        assert_eq!(health(0.45, half, Some(80)), Health::Green);
        assert_eq!(health(0.30, half, None), Health::Amber);
        assert_eq!(health(0.10, half, None), Health::Red);
        assert_eq!(health(0.45, half, Some(30)), Health::Amber);
        assert_eq!(health(1.0, 1.0, Some(0)), Health::Green);
        assert_eq!(confidence_percent(7.0, ConfidenceScale::Ten), Some(70));
        assert_eq!(confidence_percent(0.0, ConfidenceScale::Ten), None);
        assert_eq!(confidence_percent(101.0, ConfidenceScale::Percent), None);
    }

    #[test]
    fn smart_check_names_every_missing_part() {
        let today = d("2026-11-27");
        let mut c = Checks::new();
        let i = GoalInput {
            level: Level::Person,
            kind: GoalKind::Smart,
            title: " ".into(),
            cycle: "2026-Q4".into(),
            due_date: Some("2027-01-15".into()),
            ..Default::default()
        };
        GoalValues::from_input(&i, &mut c, today).validate(&mut c, None);
        MeasureValues::from_input(&MeasureInput::default(), "", None).validate(&mut c, "measure.");
        let f = fields(c);
        let want = [
            ("title", "required"),
            ("owner_id", "owner_required"),
            ("due_date", "outside_cycle"),
            ("parent_id", "parent_required"),
            ("measure.title", "required"),
            ("measure.metric", "metric_required"),
            ("measure.unit", "unit_required"),
            ("measure.owner_id", "owner_required"),
            ("measure.target_value", "target_equals_start"),
        ];
        for w in want {
            assert!(
                f.iter().any(|(a, b)| a == w.0 && *b == w.1),
                "{w:?} in {f:?}"
            );
        }
        let mut c = Checks::new();
        let i = GoalInput {
            level: Level::Department,
            title: "t".into(),
            owner_id: Some(1),
            cycle: "2026-Q9".into(),
            parent_id: Some(3),
            ..Default::default()
        };
        GoalValues::from_input(&i, &mut c, today).validate(&mut c, None);
        let f = fields(c);
        assert!(f.contains(&("cycle".into(), "invalid_cycle")), "{f:?}");
        assert!(f.contains(&("department_id".into(), "required")), "{f:?}");
        assert!(f.contains(&("parent_id".into(), "not_found")), "{f:?}");
        // A personal goal under another personal goal, and a past deadline.
        let mut c = Checks::new();
        let i = GoalInput {
            level: Level::Person,
            title: "t".into(),
            owner_id: Some(1),
            cycle: "2026-Q4".into(),
            due_date: Some("2026-11-01".into()),
            parent_id: Some(3),
            ..Default::default()
        };
        let p = ParentFacts {
            level: Level::Person,
            period_start: "2026-10-01".into(),
            period_end: "2026-12-31".into(),
            locked: false,
        };
        GoalValues::from_input(&i, &mut c, today).validate(&mut c, Some(&p));
        let f = fields(c);
        assert_eq!(
            f,
            vec![
                ("due_date".into(), "in_past"),
                ("parent_id".into(), "parent_level")
            ]
        );
        let mut ok = Checks::new();
        let i = GoalInput {
            due_date: None,
            ..i
        };
        let v = GoalValues::from_input(&i, &mut ok, today).validate(
            &mut ok,
            Some(&ParentFacts {
                level: Level::Company,
                ..p
            }),
        );
        assert!(ok.is_empty());
        assert_eq!(v.due_date, "2026-12-31");
    }
}
