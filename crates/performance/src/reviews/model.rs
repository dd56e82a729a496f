//! Review rules with no I/O: phases, directions, the question template and its validation, and
//! the anonymous aggregates (mean and distribution per question, only at or above the threshold).
use super::scoring::{Weights, default_guideline, validate_guideline};
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A cycle's phases, in order. Each has a due date; an admin moves the cycle on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    #[serde(rename = "self")]
    SelfReview,
    Nomination,
    Feedback,
    Calibration,
    Signoff,
    Shared,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::SelfReview,
        Phase::Nomination,
        Phase::Feedback,
        Phase::Calibration,
        Phase::Signoff,
        Phase::Shared,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::SelfReview => "self",
            Phase::Nomination => "nomination",
            Phase::Feedback => "feedback",
            Phase::Calibration => "calibration",
            Phase::Signoff => "signoff",
            Phase::Shared => "shared",
        }
    }
    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Who writes about the reviewee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[serde(rename = "self")]
    SelfReview,
    Manager,
    Peer,
    Upward,
}

impl Direction {
    pub const ALL: [Direction; 4] = [
        Direction::SelfReview,
        Direction::Manager,
        Direction::Peer,
        Direction::Upward,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SelfReview => "self",
            Direction::Manager => "manager",
            Direction::Peer => "peer",
            Direction::Upward => "upward",
        }
    }
    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.as_str() == s)
    }
    /// Peer and upward answers are stored and shown without their author.
    pub fn is_anonymous(self) -> bool {
        matches!(self, Direction::Peer | Direction::Upward)
    }
    /// The phase in which this direction's reviewers write.
    pub fn writable_in(self, p: Phase) -> bool {
        match self {
            Direction::SelfReview => matches!(p, Phase::SelfReview | Phase::Feedback),
            _ => p == Phase::Feedback,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// A point on the cycle's scale, each point with an anchor label.
    Rating,
    Text,
    /// A rating of a named competency on the same scale.
    Competency,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Rating => "rating",
            QuestionKind::Text => "text",
            QuestionKind::Competency => "competency",
        }
    }
    pub fn parse(s: &str) -> Option<QuestionKind> {
        [
            QuestionKind::Rating,
            QuestionKind::Text,
            QuestionKind::Competency,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    pub fn is_rated(self) -> bool {
        self != QuestionKind::Text
    }
}

/// A request's status. `nominated`/`rejected` exist only for peers (the reviewee nominates, the
/// manager approves into `pending`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    Nominated,
    Rejected,
    Pending,
    Submitted,
    Declined,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Nominated => "nominated",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Pending => "pending",
            RequestStatus::Submitted => "submitted",
            RequestStatus::Declined => "declined",
        }
    }
    pub fn parse(s: &str) -> Option<RequestStatus> {
        [
            RequestStatus::Nominated,
            RequestStatus::Rejected,
            RequestStatus::Pending,
            RequestStatus::Submitted,
            RequestStatus::Declined,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

pub const MAX_QUESTIONS: usize = 100;
pub const MAX_TEXT: usize = 4000;
pub const DEFAULT_THRESHOLD: i64 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    pub direction: Direction,
    #[serde(default)]
    pub section: String,
    pub kind: QuestionKind,
    pub prompt: String,
    /// For competency questions: the competency's name.
    #[serde(default)]
    pub competency: Option<String>,
    /// One label per point of the scale (rating and competency questions); empty for text.
    #[serde(default)]
    pub anchors: Vec<String>,
    #[serde(default = "yes")]
    pub required: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Question {
    pub id: i64,
    pub direction: Direction,
    pub section: String,
    pub position: i64,
    pub kind: QuestionKind,
    pub prompt: String,
    pub competency: Option<String>,
    pub anchors: Vec<String>,
    pub required: bool,
}

/// Who takes part: the union of a department (with its sub-departments), a position, people
/// hired before a date (all three combine with AND when given together) and an explicit list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantSelector {
    pub department_id: Option<i64>,
    pub position: Option<String>,
    /// `YYYY-MM-DD`: people hired before this day.
    pub hired_before: Option<String>,
    #[serde(default)]
    pub person_ids: Vec<i64>,
}

impl ParticipantSelector {
    pub fn has_filter(&self) -> bool {
        self.department_id.is_some() || self.position.is_some() || self.hired_before.is_some()
    }
}

/// The due dates of the phases, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseDates {
    pub self_due: String,
    pub nomination_due: String,
    pub feedback_due: String,
    pub calibration_due: String,
    pub signoff_due: String,
    pub shared_on: String,
}

impl PhaseDates {
    fn list(&self) -> [(&'static str, &str); 6] {
        [
            ("self_due", &self.self_due),
            ("nomination_due", &self.nomination_due),
            ("feedback_due", &self.feedback_due),
            ("calibration_due", &self.calibration_due),
            ("signoff_due", &self.signoff_due),
            ("shared_on", &self.shared_on),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleInput {
    pub name: String,
    pub period_start: String,
    pub period_end: String,
    pub phases: PhaseDates,
    /// The anonymity threshold k: peer/upward results need at least k responses (2–50, 3 by
    /// default).
    #[serde(default)]
    pub min_responses: Option<i64>,
    #[serde(default)]
    pub peers_min: Option<i64>,
    #[serde(default)]
    pub peers_max: Option<i64>,
    /// Rating scale 1..=scale_max (2–10, 5 by default).
    #[serde(default)]
    pub scale_max: Option<i64>,
    /// Score weights in percent (see `scoring`); 30/20/30/10/10 by default.
    #[serde(default)]
    pub weights: Option<Weights>,
    /// Guideline distribution: percent of reviewees per rating 1..=scale_max (10/20/40/20/10
    /// by default on five points).
    #[serde(default)]
    pub guideline: Option<Vec<i64>>,
    pub participants: ParticipantSelector,
    pub questions: Vec<QuestionInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CyclePatch {
    pub name: Option<String>,
    pub phase: Option<Phase>,
    pub phases: Option<PhaseDates>,
    pub min_responses: Option<i64>,
    pub peers_min: Option<i64>,
    pub peers_max: Option<i64>,
    pub weights: Option<Weights>,
    pub guideline: Option<Vec<i64>>,
    /// Moving to the feedback phase while some reviewees have fewer approved peers than
    /// `peers_min` is refused (422 on `phase`) unless this is `true`: the admin's conscious
    /// decision to run feedback with fewer peers for them (audited).
    pub override_peers_min: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Cycle {
    pub id: i64,
    pub name: String,
    pub period_start: String,
    pub period_end: String,
    pub phase: Phase,
    pub phases: PhaseDates,
    pub min_responses: i64,
    pub peers_min: i64,
    pub peers_max: i64,
    pub scale_max: i64,
    pub weights: Weights,
    pub guideline: Vec<i64>,
    pub questions: Vec<Question>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Validated cycle values (what the store writes).
#[derive(Debug, Clone, PartialEq)]
pub struct CycleValues {
    pub name: String,
    pub period_start: String,
    pub period_end: String,
    pub phase: Phase,
    pub phases: PhaseDates,
    pub min_responses: i64,
    pub peers_min: i64,
    pub peers_max: i64,
    pub scale_max: i64,
    pub weights: Weights,
    pub guideline: Vec<i64>,
}

fn date(c: &mut Checks, field: &str, v: &str) -> String {
    match c.opt_date(field, Some(v)) {
        Some(d) => d,
        None => {
            if v.trim().is_empty() {
                c.push(field, "required", "a date is required");
            }
            String::new()
        }
    }
}

impl CycleValues {
    pub fn from_input(i: &CycleInput) -> CycleValues {
        CycleValues {
            name: i.name.clone(),
            period_start: i.period_start.clone(),
            period_end: i.period_end.clone(),
            phase: Phase::SelfReview,
            phases: i.phases.clone(),
            min_responses: i.min_responses.unwrap_or(DEFAULT_THRESHOLD),
            peers_min: i.peers_min.unwrap_or(3),
            peers_max: i.peers_max.unwrap_or(8),
            scale_max: i.scale_max.unwrap_or(5),
            weights: i.weights.unwrap_or_default(),
            guideline: i
                .guideline
                .clone()
                .unwrap_or_else(|| default_guideline(i.scale_max.unwrap_or(5))),
        }
    }

    pub fn from_cycle(c: &Cycle) -> CycleValues {
        CycleValues {
            name: c.name.clone(),
            period_start: c.period_start.clone(),
            period_end: c.period_end.clone(),
            phase: c.phase,
            phases: c.phases.clone(),
            min_responses: c.min_responses,
            peers_min: c.peers_min,
            peers_max: c.peers_max,
            scale_max: c.scale_max,
            weights: c.weights,
            guideline: c.guideline.clone(),
        }
    }

    pub fn apply(mut self, p: &CyclePatch) -> CycleValues {
        if let Some(n) = &p.name {
            self.name = n.clone();
        }
        if let Some(ph) = p.phase {
            self.phase = ph;
        }
        if let Some(d) = &p.phases {
            self.phases = d.clone();
        }
        if let Some(k) = p.min_responses {
            self.min_responses = k;
        }
        if let Some(m) = p.peers_min {
            self.peers_min = m;
        }
        if let Some(m) = p.peers_max {
            self.peers_max = m;
        }
        if let Some(w) = p.weights {
            self.weights = w;
        }
        if let Some(g) = &p.guideline {
            self.guideline = g.clone();
        }
        self
    }

    pub fn validate(mut self, c: &mut Checks) -> CycleValues {
        self.name = c.text("name", &self.name, true, 200);
        self.period_start = date(c, "period_start", &self.period_start);
        self.period_end = date(c, "period_end", &self.period_end);
        if !self.period_start.is_empty()
            && !self.period_end.is_empty()
            && self.period_end < self.period_start
        {
            c.push(
                "period_end",
                "before_start",
                "the period ends before it starts",
            );
        }
        let mut prev: Option<String> = None;
        let mut fixed = PhaseDates::default();
        for (field, v) in self.phases.list() {
            let f = format!("phases.{field}");
            let d = date(c, &f, v);
            if let Some(p) = &prev
                && !d.is_empty()
                && d < *p
            {
                c.push(&f, "out_of_order", "phase dates must not go backwards");
            }
            if !d.is_empty() {
                prev = Some(d.clone());
            }
            match field {
                "self_due" => fixed.self_due = d,
                "nomination_due" => fixed.nomination_due = d,
                "feedback_due" => fixed.feedback_due = d,
                "calibration_due" => fixed.calibration_due = d,
                "signoff_due" => fixed.signoff_due = d,
                _ => fixed.shared_on = d,
            }
        }
        self.phases = fixed;
        if !(2..=50).contains(&self.min_responses) {
            c.push("min_responses", "out_of_range", "must be between 2 and 50");
        }
        if !(0..=20).contains(&self.peers_min) {
            c.push("peers_min", "out_of_range", "must be between 0 and 20");
        }
        if !(1..=20).contains(&self.peers_max) || self.peers_max < self.peers_min {
            c.push(
                "peers_max",
                "out_of_range",
                "must be between 1 and 20 and at least peers_min",
            );
        }
        if !(2..=10).contains(&self.scale_max) {
            c.push("scale_max", "out_of_range", "must be between 2 and 10");
        }
        self.weights.validate(c);
        validate_guideline(c, &self.guideline, self.scale_max);
        self
    }
}

/// Validates the template rows: prompts, one anchor per scale point on rated questions, a
/// competency name on competency questions, and at least one question per direction.
pub fn validate_questions(
    c: &mut Checks,
    qs: &[QuestionInput],
    scale_max: i64,
) -> Vec<QuestionInput> {
    if qs.len() > MAX_QUESTIONS {
        c.push(
            "questions",
            "too_many",
            format!("at most {MAX_QUESTIONS} questions"),
        );
    }
    let mut out = Vec::new();
    for (i, q) in qs.iter().enumerate() {
        let f = |x: &str| format!("questions[{i}].{x}");
        let mut q = q.clone();
        q.prompt = c.text(&f("prompt"), &q.prompt, true, 1000);
        q.section = c.text(&f("section"), &q.section, false, 200);
        if q.kind.is_rated() {
            if q.anchors.len() as i64 != scale_max {
                c.push(
                    &f("anchors"),
                    "anchors_mismatch",
                    format!("needs one label per point of the 1–{scale_max} scale"),
                );
            }
            for (j, a) in q.anchors.clone().iter().enumerate() {
                q.anchors[j] = c.text(&format!("questions[{i}].anchors[{j}]"), a, true, 200);
            }
        } else if !q.anchors.is_empty() {
            c.push(
                &f("anchors"),
                "not_allowed",
                "text questions have no anchors",
            );
        }
        if q.kind == QuestionKind::Competency {
            q.competency = Some(c.text(
                &f("competency"),
                q.competency.as_deref().unwrap_or(""),
                true,
                200,
            ));
        } else {
            q.competency = None;
        }
        out.push(q);
    }
    for d in Direction::ALL {
        if !qs.iter().any(|q| q.direction == d) {
            c.push(
                "questions",
                "direction_missing",
                format!("the {} template has no question", d.as_str()),
            );
        }
    }
    out
}

/// One answer in a form: a rating (rated questions) or a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub question_id: i64,
    #[serde(default)]
    pub rating: Option<i64>,
    #[serde(default)]
    pub text: Option<String>,
}

/// Checks answers against the direction's questions. `complete`: every required question must
/// be answered (on submit; drafts may be partial).
pub fn validate_answers(
    c: &mut Checks,
    qs: &[Question],
    answers: &[AnswerInput],
    scale_max: i64,
    complete: bool,
) -> Vec<AnswerInput> {
    let mut out: Vec<AnswerInput> = Vec::new();
    for (i, a) in answers.iter().enumerate() {
        let Some(q) = qs.iter().find(|q| q.id == a.question_id) else {
            c.push(
                &format!("answers[{i}].question_id"),
                "not_found",
                "not a question of this form",
            );
            continue;
        };
        if out.iter().any(|o| o.question_id == q.id) {
            c.push(
                &format!("answers[{i}].question_id"),
                "duplicate",
                "answered twice",
            );
            continue;
        }
        let mut a = a.clone();
        if q.kind.is_rated() {
            if a.text.is_some() {
                c.push(
                    &format!("answers[{i}].text"),
                    "not_allowed",
                    "a rating question",
                );
            }
            if let Some(r) = a.rating
                && !(1..=scale_max).contains(&r)
            {
                c.push(
                    &format!("answers[{i}].rating"),
                    "out_of_range",
                    format!("must be between 1 and {scale_max}"),
                );
            }
            a.text = None;
        } else {
            if a.rating.is_some() {
                c.push(
                    &format!("answers[{i}].rating"),
                    "not_allowed",
                    "a text question",
                );
            }
            a.rating = None;
            a.text = c
                .opt_text(&format!("answers[{i}].text"), a.text.as_deref(), MAX_TEXT)
                .filter(|t| !t.is_empty());
        }
        out.push(a);
    }
    if complete {
        for q in qs.iter().filter(|q| q.required) {
            let answered = out
                .iter()
                .any(|a| a.question_id == q.id && (a.rating.is_some() || a.text.is_some()));
            if !answered {
                c.push(
                    &format!("question_{}", q.id),
                    "required",
                    "this question needs an answer",
                );
            }
        }
    }
    out
}

/// The aggregate of one anonymous direction for one question.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QuestionAggregate {
    pub question_id: i64,
    pub prompt: String,
    pub kind: QuestionKind,
    /// Rated questions: the mean of the ratings given.
    pub mean: Option<f64>,
    /// Rated questions: how many answers gave each point, 1..=scale_max.
    pub distribution: Vec<i64>,
    /// Text questions: the answers, verbatim, unattributed, in random order.
    pub texts: Vec<String>,
}

/// An anonymous direction's result: aggregates when `responses >= threshold`, otherwise nothing
/// but the counts ("too few responses").
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DirectionResult {
    pub direction: Direction,
    pub responses: i64,
    pub threshold: i64,
    pub too_few: bool,
    pub questions: Vec<QuestionAggregate>,
}

/// One stored anonymous answer (no author, no time).
#[derive(Debug, Clone, PartialEq)]
pub struct AnonymousAnswer {
    pub question_id: i64,
    pub rating: Option<i64>,
    pub body: Option<String>,
}

/// Builds the direction's result. Below the threshold the answers are dropped unread; the
/// caller shuffles `answers` (text order must not follow any stored order).
pub fn aggregate(
    direction: Direction,
    questions: &[Question],
    answers: &[AnonymousAnswer],
    responses: i64,
    threshold: i64,
    scale_max: i64,
) -> DirectionResult {
    let too_few = responses < threshold;
    let questions = if too_few {
        Vec::new()
    } else {
        questions
            .iter()
            .filter(|q| q.direction == direction)
            .map(|q| {
                let mine = answers.iter().filter(|a| a.question_id == q.id);
                let mut distribution = vec![0; scale_max.max(0) as usize];
                let mut sum = 0i64;
                let mut n = 0i64;
                let mut texts = Vec::new();
                for a in mine {
                    if let Some(r) = a.rating
                        && r >= 1
                        && r <= scale_max
                    {
                        distribution[(r - 1) as usize] += 1;
                        sum += r;
                        n += 1;
                    }
                    if let Some(t) = &a.body {
                        texts.push(t.clone());
                    }
                }
                QuestionAggregate {
                    question_id: q.id,
                    prompt: q.prompt.clone(),
                    kind: q.kind,
                    mean: (n > 0).then(|| sum as f64 / n as f64),
                    distribution: if q.kind.is_rated() {
                        distribution
                    } else {
                        Vec::new()
                    },
                    texts,
                }
            })
            .collect()
    };
    DirectionResult {
        direction,
        responses,
        threshold,
        too_few,
        questions,
    }
}

/// The standard template: for each direction a rating per competency (1–5 with anchors) and
/// two open questions. Bilingual prompts, so both languages read it.
pub fn standard_template() -> Vec<QuestionInput> {
    let anchors = || -> Vec<String> {
        [
            "1 远低于期望 Far below expectations",
            "2 低于期望 Below expectations",
            "3 符合期望 Meets expectations",
            "4 超出期望 Exceeds expectations",
            "5 卓越 Outstanding",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let mut out = Vec::new();
    for d in Direction::ALL {
        out.push(QuestionInput {
            direction: d,
            section: "总体 Overall".into(),
            kind: QuestionKind::Rating,
            prompt: "总体表现 Overall performance".into(),
            competency: None,
            anchors: anchors(),
            required: true,
        });
        for c in ["协作 Collaboration", "执行 Execution"] {
            out.push(QuestionInput {
                direction: d,
                section: "能力 Competencies".into(),
                kind: QuestionKind::Competency,
                prompt: c.to_string(),
                competency: Some(c.into()),
                anchors: anchors(),
                required: true,
            });
        }
        out.push(QuestionInput {
            direction: d,
            section: "反馈 Feedback".into(),
            kind: QuestionKind::Text,
            prompt: "做得好的方面 What went well".into(),
            competency: None,
            anchors: Vec::new(),
            required: false,
        });
        out.push(QuestionInput {
            direction: d,
            section: "反馈 Feedback".into(),
            kind: QuestionKind::Text,
            prompt: "可以改进的方面 What could improve".into(),
            competency: None,
            anchors: Vec::new(),
            required: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: i64, kind: QuestionKind) -> Question {
        Question {
            id,
            direction: Direction::Peer,
            section: String::new(),
            position: id,
            kind,
            prompt: format!("q{id}"),
            competency: None,
            anchors: Vec::new(),
            required: true,
        }
    }

    #[test]
    fn below_the_threshold_nothing_is_shown() {
        let qs = [q(1, QuestionKind::Rating), q(2, QuestionKind::Text)];
        let a = [
            AnonymousAnswer {
                question_id: 1,
                rating: Some(4),
                body: None,
            },
            AnonymousAnswer {
                question_id: 2,
                rating: None,
                body: Some("secret".into()),
            },
        ];
        let r = aggregate(Direction::Peer, &qs, &a, 2, 3, 5);
        assert!(r.too_few && r.questions.is_empty());
        let r = aggregate(Direction::Peer, &qs, &a, 3, 3, 5);
        assert!(!r.too_few);
        assert_eq!(r.questions[0].mean, Some(4.0));
        assert_eq!(r.questions[0].distribution, vec![0, 0, 0, 1, 0]);
        assert_eq!(r.questions[1].texts, vec!["secret".to_string()]);
    }

    #[test]
    fn a_template_needs_every_direction_and_anchors_per_point() {
        let mut c = Checks::new();
        let qs = vec![QuestionInput {
            direction: Direction::Peer,
            section: String::new(),
            kind: QuestionKind::Rating,
            prompt: "Collaboration".into(),
            competency: None,
            anchors: vec!["low".into(), "high".into()],
            required: true,
        }];
        validate_questions(&mut c, &qs, 5);
        let e = c.finish().unwrap_err();
        let kernel::AppError::Validation(v) = e else {
            panic!()
        };
        assert!(v.iter().any(|f| f.code == "anchors_mismatch"));
        assert!(v.iter().any(|f| f.code == "direction_missing"));
    }
}
