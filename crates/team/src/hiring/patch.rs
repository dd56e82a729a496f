//! Changes to hiring records (no I/O): one patch type per record, where an absent field stays
//! and `null` clears an optional one, applied onto the record's create input so a change is
//! validated by exactly the rules of a create.
use super::model::{
    CandidateInput, HeadcountInput, Interview, OfferInput, Opening, OpeningInput, ScorecardInput,
};
use crate::model::double_option;
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Opening statuses a patch may set.
pub const OPENING_STATUSES: [&str; 2] = ["open", "closed"];

/// A change to a job opening. Salaries need the right to see them (admins, the department's
/// managers and head).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningPatch {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub hiring_manager_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub salary_min_minor: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub salary_max_minor: Option<Option<i64>>,
    #[serde(default)]
    pub currency: Option<String>,
    /// `open` or `closed`.
    #[serde(default)]
    pub status: Option<String>,
}

impl OpeningPatch {
    pub fn touches_salary(&self) -> bool {
        self.salary_min_minor.is_some() || self.salary_max_minor.is_some()
    }

    /// The opening as a create input with the patch applied (team and headcount stay).
    pub fn apply(&self, o: &Opening) -> OpeningInput {
        OpeningInput {
            title: self.title.clone().unwrap_or_else(|| o.title.clone()),
            department_id: o.department_id,
            headcount_request_id: o.headcount_request_id,
            hiring_manager_id: self.hiring_manager_id.unwrap_or(o.hiring_manager_id),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| o.description.clone()),
            salary_min_minor: self.salary_min_minor.unwrap_or(o.salary_min_minor),
            salary_max_minor: self.salary_max_minor.unwrap_or(o.salary_max_minor),
            currency: Some(self.currency.clone().unwrap_or_else(|| o.currency.clone())),
            team: Vec::new(),
        }
    }

    /// The status after the patch, or a field error.
    pub fn status(&self, c: &mut Checks, current: &str) -> String {
        match self.status.as_deref() {
            None => current.to_string(),
            Some(s) if OPENING_STATUSES.contains(&s) => s.to_string(),
            Some(_) => {
                c.push("status", "invalid_choice", "must be open or closed");
                current.to_string()
            }
        }
    }
}

/// A change to a headcount request while it is pending (its department stays).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeadcountPatch {
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub headcount: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub budget_minor: Option<Option<i64>>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub justification: Option<String>,
}

impl HeadcountPatch {
    pub fn apply(&self, h: &super::model::HeadcountRequest) -> HeadcountInput {
        HeadcountInput {
            department_id: h.department_id,
            position: self.position.clone().unwrap_or_else(|| h.position.clone()),
            headcount: self.headcount.unwrap_or(h.headcount),
            budget_minor: self.budget_minor.unwrap_or(h.budget_minor),
            currency: Some(self.currency.clone().unwrap_or_else(|| h.currency.clone())),
            justification: self
                .justification
                .clone()
                .unwrap_or_else(|| h.justification.clone()),
        }
    }
}

/// A change to a candidate's details (the stage moves through "move" and "hire"; the CV is
/// replaced through its upload).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CandidatePatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// referral, job_board, website, agency, campus or other.
    #[serde(default)]
    pub source: Option<String>,
    /// Notes on the candidate's stages.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
}

impl CandidatePatch {
    pub fn apply(&self, c: &super::model::Candidate) -> CandidateInput {
        CandidateInput {
            opening_id: c.opening_id,
            name: self.name.clone().unwrap_or_else(|| c.name.clone()),
            email: self.email.clone().unwrap_or_else(|| c.email.clone()),
            phone: self.phone.clone().unwrap_or_else(|| c.phone.clone()),
            source: self.source.clone().unwrap_or_else(|| c.source.clone()),
            notes: self.notes.clone().unwrap_or_else(|| c.notes.clone()),
        }
    }
}

/// A change to an interview: its schedule (who runs hiring) and/or the scorecard (only its
/// interviewer; it replaces the submitted one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InterviewPatch {
    #[serde(default)]
    pub interviewer_id: Option<i64>,
    /// Epoch milliseconds.
    #[serde(default)]
    pub scheduled_at: Option<i64>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub scorecard: Option<ScorecardInput>,
}

impl InterviewPatch {
    pub fn touches_schedule(&self) -> bool {
        self.interviewer_id.is_some() || self.scheduled_at.is_some() || self.kind.is_some()
    }

    /// (interviewer, time, kind) after the patch, validated.
    pub fn schedule(&self, c: &mut Checks, i: &Interview) -> (Option<i64>, i64, String) {
        let kind = match &self.kind {
            Some(k) => c.text("kind", k, true, 100),
            None => i.kind.clone(),
        };
        let at = self.scheduled_at.unwrap_or(i.scheduled_at);
        if self.scheduled_at.is_some() {
            scheduled_at(c, at);
        }
        (self.interviewer_id.or(i.interviewer_id), at, kind)
    }
}

/// Epoch ms between 2000-01-01 and 2100-01-01: anything else is a unit mistake (seconds?).
pub fn scheduled_at(c: &mut Checks, ms: i64) {
    if !(946_684_800_000..4_102_444_800_000).contains(&ms) {
        c.push(
            "scheduled_at",
            "out_of_range",
            "must be epoch milliseconds between 2000 and 2100",
        );
    }
}

/// A change to an offer: its terms while it is `sent`, and/or its outcome (accepted, declined
/// or withdrawn).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfferPatch {
    #[serde(default)]
    pub salary_minor: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
    /// accepted, declined or withdrawn.
    #[serde(default)]
    pub status: Option<String>,
}

impl OfferPatch {
    pub fn touches_terms(&self) -> bool {
        self.salary_minor.is_some() || self.currency.is_some() || self.start_date.is_some()
    }

    pub fn apply(&self, o: &super::model::Offer, salary_minor: i64) -> OfferInput {
        OfferInput {
            salary_minor: self.salary_minor.unwrap_or(salary_minor),
            currency: Some(self.currency.clone().unwrap_or_else(|| o.currency.clone())),
            start_date: self
                .start_date
                .clone()
                .unwrap_or_else(|| o.start_date.clone()),
        }
    }
}

impl OfferInput {
    /// (currency, start date) or field errors.
    pub fn validate(&self, c: &mut Checks) -> (String, String) {
        if self.salary_minor < 0 {
            c.push("salary_minor", "out_of_range", "must not be negative");
        }
        let currency = super::model::currency(c, self.currency.as_deref());
        let start = c.opt_date("start_date", Some(&self.start_date));
        if self.start_date.trim().is_empty() {
            c.push("start_date", "required", "is required");
        }
        (currency, start.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_stay_and_null_clears() {
        let p: CandidatePatch =
            serde_json::from_value(serde_json::json!({"email": null, "notes": "met at fair"}))
                .unwrap();
        assert_eq!(p.email, Some(None));
        assert_eq!(p.phone, None);
        assert_eq!(p.notes, Some(Some("met at fair".into())));
        let o: OpeningPatch =
            serde_json::from_value(serde_json::json!({"status": "on_hold"})).unwrap();
        let mut c = Checks::new();
        assert_eq!(o.status(&mut c, "open"), "open");
        assert!(c.finish().is_err(), "an unknown status is a field error");
        assert!(!o.touches_salary());
    }

    #[test]
    fn offer_terms_are_validated_like_a_new_offer() {
        let mut c = Checks::new();
        let i = OfferInput {
            salary_minor: -1,
            currency: Some("yuan".into()),
            start_date: "2027-02-30".into(),
        };
        i.validate(&mut c);
        let Err(kernel::AppError::Validation(fs)) = c.finish() else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = fs.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["salary_minor", "currency", "start_date"]);
    }
}
