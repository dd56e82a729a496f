//! Small validation helpers that collect every field problem at once.
use crate::error::{AppError, FieldError};

#[derive(Debug, Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, code: &'static str, detail: impl Into<String>) {
        self.0.push(FieldError::new(field, code, detail));
    }

    /// Trims; refuses empty when required; refuses longer than `max` characters.
    pub fn text(&mut self, field: &str, value: &str, required: bool, max: usize) -> String {
        let v = value.trim();
        if required && v.is_empty() {
            self.push(field, "required", "is required");
        }
        if v.chars().count() > max {
            self.push(
                field,
                "too_long",
                format!("must be at most {max} characters"),
            );
        }
        if v.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            self.push(field, "invalid_chars", "contains control characters");
        }
        v.to_string()
    }

    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(|s| self.text(field, s, false, max))?;
        if v.is_empty() { None } else { Some(v) }
    }

    pub fn opt_date(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = value.map(str::trim).filter(|s| !s.is_empty())?;
        if crate::dates::parse_date(v).is_none() {
            self.push(field, "invalid_date", "must be a date in YYYY-MM-DD format");
            return None;
        }
        Some(v.to_string())
    }

    pub fn email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let v = self.opt_text(field, value, 254)?;
        let ok = v.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
        }) && !v.contains(char::is_whitespace);
        if !ok {
            self.push(field, "invalid_email", "must be an email address");
        }
        Some(v)
    }

    pub fn range_f64(&mut self, field: &str, v: Option<f64>, min: f64, max: f64) -> Option<f64> {
        let x = v?;
        if !x.is_finite() || x < min || x > max {
            self.push(
                field,
                "out_of_range",
                format!("must be between {min} and {max}"),
            );
        }
        Some(x)
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_problem() {
        let mut c = Checks::new();
        assert_eq!(c.text("title", "  a  ", true, 10), "a");
        c.text("name", "", true, 10);
        c.text("desc", &"x".repeat(11), false, 10);
        c.opt_date("due", Some("2026-13-01"));
        c.email("email", Some("nope"));
        match c.finish() {
            Err(AppError::Validation(errs)) => {
                let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["name", "desc", "due", "email"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
