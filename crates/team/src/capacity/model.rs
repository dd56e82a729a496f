//! Calendar, leave and workload rules (no I/O).
use kernel::dates::{format_date, parse_date};
use kernel::validate::Checks;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Date, Duration, Weekday};
use utoipa::ToSchema;

/// One exception to the Monday–Friday week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The holiday it belongs to, e.g. "春节".
    pub name: String,
    /// `true`: a day off (法定节假日); `false`: a make-up workday (调休补班) on a weekend.
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

/// The import format (the holiday-cn convention): one year per document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    pub year: i32,
    pub days: Vec<CalendarDay>,
}

/// Parses and checks a year's calendar. Errors name the JSON position or the day at fault, so
/// an admin can fix the file: nothing is imported unless all of it is right.
pub fn parse_calendar(json: &str) -> Result<CalendarYear, kernel::AppError> {
    let y: CalendarYear = serde_json::from_str(json).map_err(|e| {
        kernel::AppError::field(
            "file",
            "invalid_json",
            format!(
                "not a holiday calendar (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let mut c = Checks::new();
    if !(2000..=2100).contains(&y.year) {
        c.push(
            "year",
            "out_of_range",
            "must be a year between 2000 and 2100",
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, d) in y.days.iter().enumerate() {
        let field = format!("days[{i}].date");
        match parse_date(&d.date) {
            None => c.push(
                &field,
                "invalid_date",
                format!("{:?} is not a YYYY-MM-DD date", d.date),
            ),
            Some(date) => {
                if date.year() != y.year {
                    c.push(
                        &field,
                        "wrong_year",
                        format!("{} is not in {}", d.date, y.year),
                    );
                }
                if !seen.insert(d.date.clone()) {
                    c.push(&field, "duplicate", format!("{} appears twice", d.date));
                }
                if !d.is_off_day && !is_weekend(date) {
                    c.push(
                        &field,
                        "not_a_weekend",
                        format!(
                            "{} is a make-up workday (isOffDay false) but not a Saturday or Sunday",
                            d.date
                        ),
                    );
                }
            }
        }
        if d.name.trim().is_empty() || d.name.chars().count() > 60 {
            c.push(
                &format!("days[{i}].name"),
                "required",
                "a holiday name of 1–60 characters",
            );
        }
    }
    c.finish()?;
    Ok(y)
}

pub fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The working calendar: Monday–Friday, except the stored holidays and make-up workdays.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    /// date → is_off_day
    pub exceptions: HashMap<String, bool>,
}

impl WorkCalendar {
    pub fn is_working(&self, d: Date) -> bool {
        match self.exceptions.get(&format_date(d)) {
            Some(off) => !off,
            None => !is_weekend(d),
        }
    }
}

/// The Monday of the week `d` is in (weeks start on Monday).
pub fn monday_of(d: Date) -> Date {
    d - Duration::days(i64::from(d.weekday().number_days_from_monday()))
}

/// Working hours of a person from `from` to `to` (inclusive): working days not on leave, at
/// `weekly_hours / 5` each.
pub fn hours_between(
    cal: &WorkCalendar,
    weekly_hours: f64,
    leaves: &[(Date, Date)],
    from: Date,
    to: Date,
) -> f64 {
    let per_day = weekly_hours / 5.0;
    let mut d = from;
    let mut h = 0.0;
    while d <= to {
        if cal.is_working(d) && !leaves.iter().any(|(s, e)| *s <= d && d <= *e) {
            h += per_day;
        }
        d += Duration::days(1);
    }
    h
}

pub const LEAVE_KINDS: [&str; 5] = ["annual", "sick", "personal", "training", "other"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Leave {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    /// `YYYY-MM-DD`, inclusive.
    pub start_date: String,
    /// `YYYY-MM-DD`, inclusive.
    pub end_date: String,
    /// `annual`, `sick`, `personal`, `training` or `other`.
    pub kind: String,
    pub note: Option<String>,
    pub version: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaveInput {
    pub person_id: i64,
    pub start_date: String,
    pub end_date: String,
    pub kind: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// A change to a leave (the person stays); absent fields stay, `note: null` clears the note.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeavePatch {
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub end_date: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::model::double_option")]
    #[schema(value_type = Option<String>)]
    pub note: Option<Option<String>>,
}

impl LeaveInput {
    pub fn from_leave(l: &Leave) -> Self {
        Self {
            person_id: l.person_id,
            start_date: l.start_date.clone(),
            end_date: l.end_date.clone(),
            kind: l.kind.clone(),
            note: l.note.clone(),
        }
    }

    pub fn apply(mut self, p: &LeavePatch) -> Self {
        if let Some(v) = &p.start_date {
            self.start_date = v.clone();
        }
        if let Some(v) = &p.end_date {
            self.end_date = v.clone();
        }
        if let Some(v) = &p.kind {
            self.kind = v.clone();
        }
        if let Some(v) = &p.note {
            self.note = v.clone();
        }
        self
    }

    pub fn validate(self, c: &mut Checks) -> Self {
        let start = c.opt_date("start_date", Some(&self.start_date));
        let end = c.opt_date("end_date", Some(&self.end_date));
        if let (Some(s), Some(e)) = (&start, &end)
            && e < s
        {
            c.push("end_date", "before_start", "must not be before start_date");
        }
        if !LEAVE_KINDS.contains(&self.kind.as_str()) {
            c.push(
                "kind",
                "invalid_choice",
                "must be one of annual, sick, personal, training, other",
            );
        }
        Self {
            note: c.opt_text("note", self.note.as_deref(), 500),
            ..self
        }
    }
}

/// One person-week of the heat map.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WeekCell {
    /// Working hours available that week (calendar and leave applied).
    pub capacity_hours: f64,
    /// Estimated hours of open tasks assigned and due that week (overdue or undated work counts
    /// in the current week).
    pub assigned_hours: f64,
    /// assigned / capacity (0 when both are 0; `null` when only capacity is 0).
    pub load: Option<f64>,
    /// More assigned than available.
    pub over: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct WorkloadRow {
    pub person_id: i64,
    pub name: String,
    pub weekly_hours: f64,
    pub cells: Vec<WeekCell>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Workload {
    /// The Monday of each week shown.
    pub weeks: Vec<String>,
    pub rows: Vec<WorkloadRow>,
    pub next_cursor: Option<String>,
}

/// An open task as the workload sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenWork {
    pub person_id: i64,
    pub due_date: Option<String>,
    pub hours: f64,
}

pub fn week_cell(capacity: f64, assigned: f64) -> WeekCell {
    let load = if capacity > 0.0 {
        Some(assigned / capacity)
    } else if assigned == 0.0 {
        Some(0.0)
    } else {
        None
    };
    WeekCell {
        capacity_hours: capacity,
        assigned_hours: assigned,
        load,
        over: assigned > capacity + 1e-9,
    }
}

/// The week index (0-based from `first_monday`) a task's hours fall in; `None` past the range.
/// Undated and overdue work falls in the week of `today`.
pub fn week_index(
    due: Option<&str>,
    today: Date,
    first_monday: Date,
    weeks: usize,
) -> Option<usize> {
    let d = due
        .and_then(parse_date)
        .filter(|d| *d >= today)
        .unwrap_or(today);
    let offset = (monday_of(d) - first_monday).whole_days();
    (offset >= 0 && (offset / 7) < weeks as i64).then_some((offset / 7) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn the_shipped_2026_calendar_parses_and_has_make_up_days() {
        let y = parse_calendar(crate::capacity::CN_2026).unwrap();
        let mut cal = WorkCalendar::default();
        for day in &y.days {
            cal.exceptions.insert(day.date.clone(), day.is_off_day);
        }
        assert!(!cal.is_working(d("2026-10-01")), "National Day");
        assert!(cal.is_working(d("2026-10-10")), "Saturday make-up workday");
        assert!(cal.is_working(d("2026-02-14")));
        assert!(!cal.is_working(d("2026-02-16")), "Spring Festival Monday");
        assert!(!cal.is_working(d("2026-11-28")), "an ordinary Saturday");
        // Week of 2026-02-09: Mon–Fri work and Saturday 14th is a make-up day = 6 days.
        assert_eq!(
            hours_between(&cal, 40.0, &[], d("2026-02-09"), d("2026-02-15")),
            48.0
        );
        // Spring Festival week 2026-02-16..22: nothing.
        assert_eq!(
            hours_between(&cal, 40.0, &[], d("2026-02-16"), d("2026-02-22")),
            0.0
        );
        // Leave on two days of an ordinary week.
        let leave = [(d("2026-11-24"), d("2026-11-25"))];
        assert_eq!(
            hours_between(&cal, 40.0, &leave, d("2026-11-23"), d("2026-11-29")),
            24.0
        );
    }

    #[test]
    fn bad_calendars_are_refused_with_the_reason() {
        let e = parse_calendar("{\"year\": 2026, \"days\": [").unwrap_err();
        let kernel::AppError::Validation(f) = e else {
            panic!()
        };
        assert_eq!(f[0].code, "invalid_json");
        assert!(f[0].detail.contains("line 1"), "{}", f[0].detail);
        let e = parse_calendar(
            r#"{"year":2026,"days":[{"name":"x","date":"2026-02-30","isOffDay":true},
            {"name":"x","date":"2025-12-31","isOffDay":true},
            {"name":"x","date":"2026-10-08","isOffDay":false}]}"#,
        )
        .unwrap_err();
        let kernel::AppError::Validation(f) = e else {
            panic!()
        };
        let codes: Vec<_> = f.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("days[0].date", "invalid_date"),
                ("days[1].date", "wrong_year"),
                ("days[2].date", "not_a_weekend")
            ]
        );
    }

    #[test]
    fn work_lands_in_its_due_week_and_overdue_work_now() {
        let today = d("2026-11-25"); // a Wednesday
        let first = monday_of(today);
        assert_eq!(format_date(first), "2026-11-23");
        assert_eq!(week_index(Some("2026-12-02"), today, first, 4), Some(1));
        assert_eq!(week_index(Some("2026-11-01"), today, first, 4), Some(0));
        assert_eq!(week_index(None, today, first, 4), Some(0));
        assert_eq!(week_index(Some("2027-03-01"), today, first, 4), None);
        assert!(week_cell(8.0, 9.0).over && !week_cell(8.0, 8.0).over);
        assert_eq!(week_cell(0.0, 2.0).load, None);
    }
}
