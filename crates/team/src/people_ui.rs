//! Small page helpers shared by the hiring, training, recognition and 1:1 pages.
use crate::pages::FormErrors;
use kernel::{AppError, Locale};
use ui::PageError;

/// Integer minor units as `1,234.50`.
pub fn money(minor: i64) -> String {
    let (sign, v) = if minor < 0 {
        ("-", -minor)
    } else {
        ("", minor)
    };
    let units = (v / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in units.chars().enumerate() {
        if i > 0 && (units.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", v % 100)
}

/// A money amount typed in a form (`12000`, `12,000.5`) as minor units; `Err` names the field.
pub fn parse_money(field: &str, s: &str) -> Result<Option<i64>, AppError> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || {
        AppError::field(
            field,
            "invalid_number",
            "must be an amount like 12000 or 12000.50",
        )
    };
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if frac.len() > 2
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || whole.is_empty()
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    w.checked_mul(100)
        .and_then(|x| x.checked_add(f))
        .map(Some)
        .ok_or_else(bad)
}

/// An id typed or chosen in a form: empty → `None`; anything else must be a positive number.
pub fn form_id(field: &str, s: &str) -> Result<Option<i64>, AppError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .map(Some)
        .ok_or_else(|| AppError::field(field, "invalid_choice", "choose a value from the list"))
}

/// Turns a service error into messages for the form, or the error page for errors that are not
/// about the input.
pub fn form_errors(locale: Locale, e: AppError) -> Result<FormErrors, PageError> {
    if let AppError::Validation(fields) = &e {
        let mut out = FormErrors::default();
        for f in fields {
            let key = format!("tp.error_{}", f.code);
            let msg = match ui::t(locale, &key) {
                s if s != key => s,
                _ => crate::pages::error_text(locale, f.code),
            };
            out.push(&f.field, msg);
        }
        out.general = Some(ui::t(locale, "problem.validation").to_string());
        return Ok(out);
    }
    FormErrors::from_error(locale, e, &[]).map_err(|e| PageError(e, locale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_round_trips() {
        assert_eq!(money(123_456_789), "1,234,567.89");
        assert_eq!(money(5), "0.05");
        assert_eq!(parse_money("x", "12,000.5").unwrap(), Some(1_200_050));
        assert_eq!(parse_money("x", " ").unwrap(), None);
        assert!(parse_money("x", "1.234").is_err() && parse_money("x", "-5").is_err());
    }
}
