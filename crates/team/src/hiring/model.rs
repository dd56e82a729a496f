//! Hiring types and rules (no I/O): headcount requests, openings, candidates and their pipeline,
//! interviews with scorecards, offers, CV checks and the funnel metrics.
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MAX_TEXT: usize = 200;
pub const MAX_LONG: usize = 4000;
/// CVs larger than this are refused (they are kept in the database).
pub const CV_MAX_BYTES: usize = 4 * 1024 * 1024;

/// Pipeline stages in order; `rejected` leaves the pipeline from any stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Applied,
    Screening,
    Interview,
    Offer,
    Hired,
    Rejected,
}

impl Stage {
    /// The stages of the board, left to right.
    pub const BOARD: [Stage; 6] = [
        Stage::Applied,
        Stage::Screening,
        Stage::Interview,
        Stage::Offer,
        Stage::Hired,
        Stage::Rejected,
    ];
    /// The funnel's stages (rejected is an exit, not a step).
    pub const FUNNEL: [Stage; 5] = [
        Stage::Applied,
        Stage::Screening,
        Stage::Interview,
        Stage::Offer,
        Stage::Hired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Applied => "applied",
            Stage::Screening => "screening",
            Stage::Interview => "interview",
            Stage::Offer => "offer",
            Stage::Hired => "hired",
            Stage::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Self::BOARD.into_iter().find(|x| x.as_str() == s)
    }

    /// Position in the funnel; `None` for rejected.
    pub fn rank(self) -> Option<i64> {
        Self::FUNNEL
            .iter()
            .position(|s| *s == self)
            .map(|i| i as i64)
    }
}

/// Why a candidate may not move from `from` to `to` through "move", or `None` when it may.
/// Hiring happens only through "hire" (it creates the person); a hired candidate stays hired.
pub fn move_refusal(from: Stage, to: Stage) -> Option<&'static str> {
    if from == to {
        Some("the candidate is already in that stage")
    } else if from == Stage::Hired {
        Some("a hired candidate cannot be moved")
    } else if to == Stage::Hired {
        Some("use hire to move a candidate to hired (it creates the person)")
    } else {
        None
    }
}

pub const SOURCES: [&str; 6] = [
    "referral",
    "job_board",
    "website",
    "agency",
    "campus",
    "other",
];

pub const RECOMMENDATIONS: [&str; 4] = ["strong_yes", "yes", "no", "strong_no"];

// ---------------------------------------------------------------- headcount

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HeadcountRequest {
    pub id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub position: String,
    pub headcount: i64,
    /// Minor units; `null` for callers who may not see budgets.
    pub budget_minor: Option<i64>,
    pub currency: String,
    pub justification: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadcountInput {
    pub department_id: i64,
    pub position: String,
    pub headcount: i64,
    #[serde(default)]
    pub budget_minor: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    pub justification: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadcountDecision {
    pub approve: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A 3-letter ISO 4217 code, upper-cased; CNY when absent.
pub fn currency(c: &mut Checks, v: Option<&str>) -> String {
    let v = v.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("CNY");
    if v.len() != 3 || !v.chars().all(|ch| ch.is_ascii_alphabetic()) {
        c.push(
            "currency",
            "invalid_currency",
            "must be a 3-letter currency code",
        );
    }
    v.to_ascii_uppercase()
}

fn non_negative(c: &mut Checks, field: &str, v: Option<i64>) {
    if v.is_some_and(|x| x < 0) {
        c.push(field, "out_of_range", "must not be negative");
    }
}

impl HeadcountInput {
    pub fn validate(&self, c: &mut Checks) -> (String, String, String) {
        let position = c.text("position", &self.position, true, MAX_TEXT);
        let justification = c.text("justification", &self.justification, true, MAX_LONG);
        if !(1..=1000).contains(&self.headcount) {
            c.push("headcount", "out_of_range", "must be between 1 and 1000");
        }
        non_negative(c, "budget_minor", self.budget_minor);
        let cur = currency(c, self.currency.as_deref());
        (position, justification, cur)
    }
}

// ---------------------------------------------------------------- openings

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Opening {
    pub id: i64,
    pub title: String,
    pub department_id: i64,
    pub department_name: String,
    pub headcount_request_id: Option<i64>,
    pub hiring_manager_id: Option<i64>,
    pub hiring_manager_name: Option<String>,
    pub description: Option<String>,
    /// Minor units; `null` for callers who may not see salaries.
    pub salary_min_minor: Option<i64>,
    pub salary_max_minor: Option<i64>,
    pub currency: String,
    /// `open` or `closed`.
    pub status: String,
    /// The hiring team besides the hiring manager (person ids).
    pub team: Vec<i64>,
    pub candidates: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningInput {
    pub title: String,
    pub department_id: i64,
    #[serde(default)]
    pub headcount_request_id: Option<i64>,
    #[serde(default)]
    pub hiring_manager_id: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub salary_min_minor: Option<i64>,
    #[serde(default)]
    pub salary_max_minor: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    /// Person ids of the hiring team (interviewers are added when scheduled).
    #[serde(default)]
    pub team: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpeningValues {
    pub title: String,
    pub description: Option<String>,
    pub currency: String,
}

impl OpeningInput {
    pub fn validate(&self, c: &mut Checks) -> OpeningValues {
        let title = c.text("title", &self.title, true, MAX_TEXT);
        let description = c.opt_text("description", self.description.as_deref(), MAX_LONG);
        non_negative(c, "salary_min_minor", self.salary_min_minor);
        non_negative(c, "salary_max_minor", self.salary_max_minor);
        if let (Some(lo), Some(hi)) = (self.salary_min_minor, self.salary_max_minor)
            && lo > hi
        {
            c.push(
                "salary_max_minor",
                "out_of_range",
                "must not be below salary_min_minor",
            );
        }
        let currency = currency(c, self.currency.as_deref());
        OpeningValues {
            title,
            description,
            currency,
        }
    }
}

// ---------------------------------------------------------------- candidates

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    pub id: i64,
    pub opening_id: i64,
    pub opening_title: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: String,
    pub stage: Stage,
    pub applied_at: i64,
    pub stage_changed_at: i64,
    pub hired_at: Option<i64>,
    /// The person created when the candidate was hired.
    pub person_id: Option<i64>,
    pub notes: Option<String>,
    pub cv: Option<CvInfo>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CvInfo {
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidateInput {
    pub opening_id: i64,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// referral, job_board, website, agency, campus or other.
    pub source: String,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CandidateValues {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub source: String,
    pub notes: Option<String>,
}

impl CandidateInput {
    pub fn validate(&self, c: &mut Checks) -> CandidateValues {
        let name = c.text("name", &self.name, true, MAX_TEXT);
        let email = c.email("email", self.email.as_deref());
        let phone = c.opt_text("phone", self.phone.as_deref(), 40);
        let source = self.source.trim().to_string();
        if !SOURCES.contains(&source.as_str()) {
            c.push(
                "source",
                "invalid_choice",
                format!("must be one of {}", SOURCES.join(", ")),
            );
        }
        let notes = c.opt_text("notes", self.notes.as_deref(), MAX_LONG);
        CandidateValues {
            name,
            email,
            phone,
            source,
            notes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    pub stage: Stage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HireInput {
    pub employee_no: String,
    /// Defaults to the accepted offer's start date.
    #[serde(default)]
    pub hire_date: Option<String>,
}

// ---------------------------------------------------------------- interviews and scorecards

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rating {
    pub criterion: String,
    /// 1 (poor) to 5 (excellent).
    pub rating: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Scorecard {
    pub ratings: Vec<Rating>,
    pub recommendation: String,
    pub notes: Option<String>,
    pub submitted_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Interview {
    pub id: i64,
    pub candidate_id: i64,
    pub interviewer_id: Option<i64>,
    pub interviewer_name: Option<String>,
    pub scheduled_at: i64,
    pub kind: String,
    /// `null` until submitted, and for everyone outside the hiring team.
    pub scorecard: Option<Scorecard>,
    /// Whether a scorecard exists but is withheld from this caller.
    pub scorecard_hidden: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewInput {
    pub interviewer_id: i64,
    /// Epoch milliseconds.
    pub scheduled_at: i64,
    /// e.g. phone screen, technical, onsite.
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardInput {
    pub ratings: Vec<Rating>,
    /// strong_yes, yes, no or strong_no.
    pub recommendation: String,
    #[serde(default)]
    pub notes: Option<String>,
}

impl ScorecardInput {
    pub fn validate(&self, c: &mut Checks) -> (Vec<Rating>, Option<String>) {
        if self.ratings.is_empty() {
            c.push("ratings", "required", "rate at least one criterion");
        }
        if self.ratings.len() > 20 {
            c.push("ratings", "too_long", "at most 20 criteria");
        }
        let mut out = Vec::new();
        for (i, r) in self.ratings.iter().enumerate() {
            let criterion = c.text(&format!("ratings[{i}].criterion"), &r.criterion, true, 100);
            if !(1..=5).contains(&r.rating) {
                c.push(
                    &format!("ratings[{i}].rating"),
                    "out_of_range",
                    "must be between 1 and 5",
                );
            }
            out.push(Rating {
                criterion,
                rating: r.rating,
            });
        }
        if !RECOMMENDATIONS.contains(&self.recommendation.as_str()) {
            c.push(
                "recommendation",
                "invalid_choice",
                format!("must be one of {}", RECOMMENDATIONS.join(", ")),
            );
        }
        let notes = c.opt_text("notes", self.notes.as_deref(), MAX_LONG);
        (out, notes)
    }
}

// ---------------------------------------------------------------- offers

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Offer {
    pub id: i64,
    pub candidate_id: i64,
    /// Minor units; `null` for callers who may not see salaries.
    pub salary_minor: Option<i64>,
    pub currency: String,
    pub start_date: String,
    /// `sent`, `accepted`, `declined` or `withdrawn`.
    pub status: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferInput {
    pub salary_minor: i64,
    #[serde(default)]
    pub currency: Option<String>,
    pub start_date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferStatusInput {
    /// accepted, declined or withdrawn.
    pub status: String,
}

pub const OFFER_OUTCOMES: [&str; 3] = ["accepted", "declined", "withdrawn"];

// ---------------------------------------------------------------- CV checks

/// The document kinds accepted as CVs, recognised by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CvKind {
    Pdf,
    Doc,
    Docx,
}

impl CvKind {
    pub fn content_type(self) -> &'static str {
        match self {
            CvKind::Pdf => "application/pdf",
            CvKind::Doc => "application/msword",
            CvKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    fn extension(self) -> &'static str {
        match self {
            CvKind::Pdf => "pdf",
            CvKind::Doc => "doc",
            CvKind::Docx => "docx",
        }
    }
}

const OLE2: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Recognises a PDF, a Word 97–2003 (OLE2) or a Word 2007+ document by its content. A DOCX is
/// a ZIP whose entry names (stored uncompressed in the archive) include `word/`; any other ZIP
/// (XLSX, JAR, …) is refused.
pub fn sniff_cv(bytes: &[u8]) -> Option<CvKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(CvKind::Pdf)
    } else if bytes.starts_with(&OLE2) {
        Some(CvKind::Doc)
    } else if bytes.starts_with(b"PK\x03\x04")
        && bytes.windows(5).any(|w| w == b"word/")
        && bytes.windows(19).any(|w| w == b"[Content_Types].xml")
    {
        Some(CvKind::Docx)
    } else {
        None
    }
}

/// Checks an uploaded CV: size, content and a matching extension. Returns the kind and a safe
/// file name (path parts and odd characters removed) or a field error on `cv`.
pub fn check_cv(filename: &str, bytes: &[u8]) -> Result<(CvKind, String), kernel::AppError> {
    let bad = |code, detail: &str| Err(kernel::AppError::field("cv", code, detail));
    if bytes.is_empty() {
        return bad("required", "the file is empty");
    }
    if bytes.len() > CV_MAX_BYTES {
        return bad("too_large", "the file is larger than 4 MiB");
    }
    let Some(kind) = sniff_cv(bytes) else {
        return bad(
            "invalid_file_type",
            "only PDF, DOC and DOCX files are accepted",
        );
    };
    let base = filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '<' | '>'))
        .take(120)
        .collect::<String>();
    let ext = base
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if ext != kind.extension() {
        return bad(
            "invalid_file_type",
            "the file name's extension does not match its content (PDF, DOC or DOCX)",
        );
    }
    Ok((kind, base))
}

// ---------------------------------------------------------------- funnel

/// One candidate as the funnel sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelFact {
    pub source: String,
    /// The furthest funnel stage reached (0 applied … 4 hired).
    pub furthest_rank: i64,
    pub applied_at: i64,
    pub hired_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StageConversion {
    pub stage: Stage,
    /// Candidates who reached this stage (or a later one).
    pub reached: i64,
    /// reached(next) / reached(this); `null` for hired or when nobody reached this stage.
    pub conversion_to_next: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SourceEffectiveness {
    pub source: String,
    pub candidates: i64,
    /// Reached the interview stage.
    pub interviewed: i64,
    pub hired: i64,
    /// hired / candidates.
    pub hire_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Funnel {
    pub candidates: i64,
    pub stages: Vec<StageConversion>,
    pub hired: i64,
    /// Days from application to hire, over hired candidates.
    pub time_to_hire_mean_days: Option<f64>,
    pub time_to_hire_median_days: Option<f64>,
    pub sources: Vec<SourceEffectiveness>,
}

const DAY_MS: f64 = 86_400_000.0;

pub fn funnel(facts: &[FunnelFact]) -> Funnel {
    let reached = |k: i64| facts.iter().filter(|f| f.furthest_rank >= k).count() as i64;
    let counts: Vec<i64> = (0..Stage::FUNNEL.len() as i64).map(reached).collect();
    let stages = Stage::FUNNEL
        .iter()
        .enumerate()
        .map(|(i, s)| StageConversion {
            stage: *s,
            reached: counts[i],
            conversion_to_next: counts
                .get(i + 1)
                .filter(|_| counts[i] > 0)
                .map(|n| *n as f64 / counts[i] as f64),
        })
        .collect();
    let mut days: Vec<f64> = facts
        .iter()
        .filter_map(|f| f.hired_at.map(|h| (h - f.applied_at) as f64 / DAY_MS))
        .collect();
    days.sort_by(f64::total_cmp);
    let mean = (!days.is_empty()).then(|| days.iter().sum::<f64>() / days.len() as f64);
    let median = (!days.is_empty()).then(|| {
        let n = days.len();
        if n % 2 == 1 {
            days[n / 2]
        } else {
            (days[n / 2 - 1] + days[n / 2]) / 2.0
        }
    });
    let hired_rank = Stage::Hired.rank().unwrap_or(4);
    let interview_rank = Stage::Interview.rank().unwrap_or(2);
    let mut sources: Vec<SourceEffectiveness> = Vec::new();
    for f in facts {
        let i = match sources.iter().position(|s| s.source == f.source) {
            Some(i) => i,
            None => {
                sources.push(SourceEffectiveness {
                    source: f.source.clone(),
                    candidates: 0,
                    interviewed: 0,
                    hired: 0,
                    hire_rate: 0.0,
                });
                sources.len() - 1
            }
        };
        let s = &mut sources[i];
        s.candidates += 1;
        s.interviewed += i64::from(f.furthest_rank >= interview_rank);
        s.hired += i64::from(f.furthest_rank >= hired_rank);
    }
    for s in &mut sources {
        s.hire_rate = s.hired as f64 / s.candidates as f64;
    }
    sources.sort_by(|a, b| {
        b.hire_rate
            .total_cmp(&a.hire_rate)
            .then(b.candidates.cmp(&a.candidates))
            .then(a.source.cmp(&b.source))
    });
    Funnel {
        candidates: facts.len() as i64,
        stages,
        hired: counts[hired_rank as usize],
        time_to_hire_mean_days: mean,
        time_to_hire_median_days: median,
        sources,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(source: &str, rank: i64, applied_day: i64, hired_day: Option<i64>) -> FunnelFact {
        FunnelFact {
            source: source.into(),
            furthest_rank: rank,
            applied_at: applied_day * 86_400_000,
            hired_at: hired_day.map(|d| d * 86_400_000),
        }
    }

    #[test]
    fn funnel_counts_reached_stages_and_conversions() {
        let f = funnel(&[
            fact("referral", 4, 0, Some(10)),
            fact("referral", 2, 0, None),
            fact("job_board", 4, 5, Some(25)),
            fact("job_board", 1, 0, None),
            fact("job_board", 0, 0, None),
        ]);
        let reached: Vec<i64> = f.stages.iter().map(|s| s.reached).collect();
        assert_eq!(reached, [5, 4, 3, 2, 2]);
        assert_eq!(f.stages[0].conversion_to_next, Some(0.8));
        assert_eq!(f.stages[2].conversion_to_next, Some(2.0 / 3.0));
        assert_eq!(f.stages[4].conversion_to_next, None);
        assert_eq!(f.time_to_hire_mean_days, Some(15.0));
        assert_eq!(f.time_to_hire_median_days, Some(15.0));
        assert_eq!(f.sources[0].source, "referral");
        assert_eq!(f.sources[0].hire_rate, 0.5);
        assert_eq!((f.sources[1].candidates, f.sources[1].interviewed), (3, 1));
    }

    #[test]
    fn empty_funnel_has_no_rates() {
        let f = funnel(&[]);
        assert!(f.stages.iter().all(|s| s.conversion_to_next.is_none()));
        assert_eq!(f.time_to_hire_mean_days, None);
    }

    #[test]
    fn cv_is_recognised_by_content_not_name() {
        assert_eq!(sniff_cv(b"%PDF-1.7 ..."), Some(CvKind::Pdf));
        let mut doc = OLE2.to_vec();
        doc.extend_from_slice(&[0; 100]);
        assert_eq!(sniff_cv(&doc), Some(CvKind::Doc));
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(sniff_cv(docx), Some(CvKind::Docx));
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        assert_eq!(sniff_cv(xlsx), None);
        assert!(check_cv("cv.pdf", b"MZ\x90\x00 an exe").is_err());
        assert!(
            check_cv("cv.docx", b"%PDF-1.4").is_err(),
            "extension must match"
        );
        let (k, name) = check_cv("C:\\Users\\x\\我的简历.PDF", b"%PDF-1.4").unwrap();
        assert_eq!((k, name.as_str()), (CvKind::Pdf, "我的简历.PDF"));
        assert!(check_cv("big.pdf", &vec![b'%'; CV_MAX_BYTES + 1]).is_err());
    }

    #[test]
    fn moves_never_hire_or_unhire() {
        assert!(move_refusal(Stage::Applied, Stage::Interview).is_none());
        assert!(move_refusal(Stage::Rejected, Stage::Screening).is_none());
        assert!(move_refusal(Stage::Offer, Stage::Hired).is_some());
        assert!(move_refusal(Stage::Hired, Stage::Rejected).is_some());
    }
}
