//! Directory types and their validation rules (no I/O).
use kernel::validate::Checks;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// For patch fields: absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

pub const MAX_NAME: usize = 100;
pub const MAX_CODE: usize = 32;
pub const MAX_DESCRIPTION: usize = 2000;
pub const MAX_POSITION: usize = 100;
pub const MAX_EMPLOYEE_NO: usize = 32;
pub const MAX_PHONE: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub head_person_id: Option<i64>,
    pub head_name: Option<String>,
    pub description: Option<String>,
    /// People whose department this is (not counting sub-departments).
    pub people_count: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A department in display order with its depth in the tree (roots are 0).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DepartmentNode {
    #[serde(flatten)]
    pub department: Department,
    pub depth: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentInput {
    pub name: String,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub head_person_id: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A partial update: only present fields change; `null` clears an optional field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub head_person_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

/// The validated values a department row is written with.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentValues {
    pub name: String,
    pub code: Option<String>,
    pub parent_id: Option<i64>,
    pub head_person_id: Option<i64>,
    pub description: Option<String>,
}

impl DepartmentValues {
    pub fn from_input(i: &DepartmentInput) -> Self {
        Self {
            name: i.name.clone(),
            code: i.code.clone(),
            parent_id: i.parent_id,
            head_person_id: i.head_person_id,
            description: i.description.clone(),
        }
    }

    pub fn from_department(d: &Department) -> Self {
        Self {
            name: d.name.clone(),
            code: d.code.clone(),
            parent_id: d.parent_id,
            head_person_id: d.head_person_id,
            description: d.description.clone(),
        }
    }

    pub fn apply(mut self, p: &DepartmentPatch) -> Self {
        if let Some(v) = &p.name {
            self.name = v.clone();
        }
        if let Some(v) = &p.code {
            self.code = v.clone();
        }
        if let Some(v) = p.parent_id {
            self.parent_id = v;
        }
        if let Some(v) = p.head_person_id {
            self.head_person_id = v;
        }
        if let Some(v) = &p.description {
            self.description = v.clone();
        }
        self
    }

    /// Trims and checks the text fields; existence of referenced rows is the service's job.
    pub fn validate(self, c: &mut Checks) -> Self {
        let name = c.text("name", &self.name, true, MAX_NAME);
        let code = c.opt_text("code", self.code.as_deref(), MAX_CODE);
        if let Some(code) = &code
            && !code
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            c.push(
                "code",
                "invalid_format",
                "may contain only letters, digits, '-' and '_'",
            );
        }
        let description = c.opt_text("description", self.description.as_deref(), MAX_DESCRIPTION);
        Self {
            name,
            code,
            description,
            ..self
        }
    }
}

/// Orders departments depth-first (siblings by name, then id) with their depth.
pub fn build_tree(all: Vec<Department>) -> Vec<DepartmentNode> {
    let ids: std::collections::HashSet<i64> = all.iter().map(|d| d.id).collect();
    let mut children: HashMap<Option<i64>, Vec<Department>> = HashMap::new();
    for d in all {
        // A parent that does not exist would orphan the subtree; show it as a root instead.
        let key = d.parent_id.filter(|p| ids.contains(p));
        children.entry(key).or_default().push(d);
    }
    for v in children.values_mut() {
        v.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::new();
    let mut stack: Vec<(Department, i64)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|d| (d, 0))
        .collect();
    while let Some((d, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&Some(d.id)) {
            stack.extend(kids.into_iter().rev().map(|k| (k, depth + 1)));
        }
        out.push(DepartmentNode {
            department: d,
            depth,
        });
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub id: i64,
    pub user_id: Option<i64>,
    pub employee_no: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub position: Option<String>,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `YYYY-MM-DD`.
    pub hire_date: Option<String>,
    pub active: bool,
    /// `full_time`, `part_time`, `contractor` or `intern`.
    pub employment_type: Option<String>,
    /// Office or city.
    pub location: Option<String>,
    /// Languages the person works in, e.g. `["中文", "English"]`.
    pub languages: Vec<String>,
    /// Contracted working hours per week (capacity), 0–80.
    pub weekly_hours: f64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub employee_no: String,
    pub name: String,
    #[serde(default)]
    pub name_zh: Option<String>,
    #[serde(default)]
    pub department_id: Option<i64>,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub manager_id: Option<i64>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub hire_date: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
    /// Links the person to a user account (admins only).
    #[serde(default)]
    pub user_id: Option<i64>,
    #[serde(default)]
    pub employment_type: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub languages: Vec<String>,
    /// Defaults to 40.
    #[serde(default = "forty")]
    pub weekly_hours: f64,
}

fn forty() -> f64 {
    DEFAULT_WEEKLY_HOURS
}

pub const DEFAULT_WEEKLY_HOURS: f64 = 40.0;
pub const MAX_LOCATION: usize = 100;
pub const MAX_LANGUAGES: usize = 10;
/// Employment types a person can have.
pub const EMPLOYMENT_TYPES: [&str; 4] = ["full_time", "part_time", "contractor", "intern"];

fn yes() -> bool {
    true
}

impl PersonInput {
    pub fn new(employee_no: &str, name: &str) -> Self {
        Self {
            employee_no: employee_no.into(),
            name: name.into(),
            name_zh: None,
            department_id: None,
            position: None,
            manager_id: None,
            email: None,
            phone: None,
            hire_date: None,
            active: true,
            user_id: None,
            employment_type: None,
            location: None,
            languages: Vec::new(),
            weekly_hours: DEFAULT_WEEKLY_HOURS,
        }
    }
}

/// A partial update of a person. Which fields are present decides what the caller needs to be
/// allowed to do (mass-assignment protection): members may send only `email` and `phone`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    #[serde(default)]
    pub employee_no: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub name_zh: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub department_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub position: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub manager_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub hire_date: Option<Option<String>>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub user_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub employment_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    #[serde(default)]
    pub weekly_hours: Option<f64>,
}

impl PersonPatch {
    /// The JSON names of the fields this patch sets.
    pub fn present_fields(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        let mut add = |present: bool, name: &'static str| {
            if present {
                f.push(name);
            }
        };
        add(self.employee_no.is_some(), "employee_no");
        add(self.name.is_some(), "name");
        add(self.name_zh.is_some(), "name_zh");
        add(self.department_id.is_some(), "department_id");
        add(self.position.is_some(), "position");
        add(self.manager_id.is_some(), "manager_id");
        add(self.email.is_some(), "email");
        add(self.phone.is_some(), "phone");
        add(self.hire_date.is_some(), "hire_date");
        add(self.active.is_some(), "active");
        add(self.user_id.is_some(), "user_id");
        add(self.employment_type.is_some(), "employment_type");
        add(self.location.is_some(), "location");
        add(self.languages.is_some(), "languages");
        add(self.weekly_hours.is_some(), "weekly_hours");
        f
    }
}

/// Fields a person may change on their own record.
pub const OWN_CONTACT_FIELDS: [&str; 2] = ["email", "phone"];

/// The `Forbidden` reason for setting `field` without the right (static text for the catalogue).
pub fn forbidden_field(field: &str) -> &'static str {
    match field {
        "employee_no" => "change employee_no",
        "name" => "change name",
        "name_zh" => "change name_zh",
        "department_id" => "change department_id",
        "position" => "change position",
        "manager_id" => "change manager_id",
        "email" => "change email",
        "phone" => "change phone",
        "hire_date" => "change hire_date",
        "active" => "change active",
        "user_id" => "change user_id (linking user accounts is for admins)",
        "employment_type" => "change employment_type",
        "location" => "change location",
        "languages" => "change languages",
        "weekly_hours" => "change weekly_hours",
        _ => "change this field",
    }
}

/// The validated values a person row is written with.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonValues {
    pub employee_no: String,
    pub name: String,
    pub name_zh: Option<String>,
    pub department_id: Option<i64>,
    pub position: Option<String>,
    pub manager_id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub hire_date: Option<String>,
    pub active: bool,
    pub user_id: Option<i64>,
    pub employment_type: Option<String>,
    pub location: Option<String>,
    pub languages: Vec<String>,
    pub weekly_hours: f64,
}

impl PersonValues {
    pub fn from_input(i: &PersonInput) -> Self {
        Self {
            employee_no: i.employee_no.clone(),
            name: i.name.clone(),
            name_zh: i.name_zh.clone(),
            department_id: i.department_id,
            position: i.position.clone(),
            manager_id: i.manager_id,
            email: i.email.clone(),
            phone: i.phone.clone(),
            hire_date: i.hire_date.clone(),
            active: i.active,
            user_id: i.user_id,
            employment_type: i.employment_type.clone(),
            location: i.location.clone(),
            languages: i.languages.clone(),
            weekly_hours: i.weekly_hours,
        }
    }

    pub fn from_person(p: &Person) -> Self {
        Self {
            employee_no: p.employee_no.clone(),
            name: p.name.clone(),
            name_zh: p.name_zh.clone(),
            department_id: p.department_id,
            position: p.position.clone(),
            manager_id: p.manager_id,
            email: p.email.clone(),
            phone: p.phone.clone(),
            hire_date: p.hire_date.clone(),
            active: p.active,
            user_id: p.user_id,
            employment_type: p.employment_type.clone(),
            location: p.location.clone(),
            languages: p.languages.clone(),
            weekly_hours: p.weekly_hours,
        }
    }

    pub fn apply(mut self, p: &PersonPatch) -> Self {
        macro_rules! set {
            ($f:ident) => {
                if let Some(v) = &p.$f {
                    self.$f = v.clone();
                }
            };
        }
        set!(employee_no);
        set!(name);
        set!(name_zh);
        set!(department_id);
        set!(position);
        set!(manager_id);
        set!(email);
        set!(phone);
        set!(hire_date);
        set!(active);
        set!(user_id);
        set!(employment_type);
        set!(location);
        if let Some(v) = &p.languages {
            self.languages = v.clone();
        }
        if let Some(v) = p.weekly_hours {
            self.weekly_hours = v;
        }
        self
    }

    pub fn validate(self, c: &mut Checks) -> Self {
        let employee_no = c.text("employee_no", &self.employee_no, true, MAX_EMPLOYEE_NO);
        if employee_no.contains(char::is_whitespace) {
            c.push("employee_no", "invalid_format", "must not contain spaces");
        }
        let name = c.text("name", &self.name, true, MAX_NAME);
        let name_zh = c.opt_text("name_zh", self.name_zh.as_deref(), MAX_NAME);
        let position = c.opt_text("position", self.position.as_deref(), MAX_POSITION);
        let email = c.email("email", self.email.as_deref());
        let phone = c.opt_text("phone", self.phone.as_deref(), MAX_PHONE);
        if let Some(p) = &phone
            && (!p
                .chars()
                .all(|ch| ch.is_ascii_digit() || " +-()".contains(ch))
                || p.chars().filter(char::is_ascii_digit).count() < 3)
        {
            c.push(
                "phone",
                "invalid_phone",
                "must be a phone number (digits, spaces, + - ( ))",
            );
        }
        let hire_date = c.opt_date("hire_date", self.hire_date.as_deref());
        let employment_type = c.opt_text(
            "employment_type",
            self.employment_type.as_deref(),
            MAX_POSITION,
        );
        if let Some(t) = &employment_type
            && !EMPLOYMENT_TYPES.contains(&t.as_str())
        {
            c.push(
                "employment_type",
                "invalid_choice",
                "must be one of full_time, part_time, contractor, intern",
            );
        }
        let location = c.opt_text("location", self.location.as_deref(), MAX_LOCATION);
        let languages: Vec<String> = self
            .languages
            .iter()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if languages.len() > MAX_LANGUAGES
            || languages
                .iter()
                .any(|l| l.chars().count() > 40 || l.contains(','))
        {
            c.push(
                "languages",
                "invalid_format",
                "at most 10 languages of up to 40 characters each, without commas",
            );
        }
        if !(0.0..=80.0).contains(&self.weekly_hours) || !self.weekly_hours.is_finite() {
            c.push(
                "weekly_hours",
                "out_of_range",
                "must be between 0 and 80 hours",
            );
        }
        Self {
            employment_type,
            location,
            languages,
            employee_no,
            name,
            name_zh,
            position,
            email,
            phone,
            hire_date,
            ..self
        }
    }
}

/// A person as a choice in a form (department head, manager).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PersonOption {
    pub id: i64,
    pub name: String,
    pub name_zh: Option<String>,
    pub employee_no: String,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonSort {
    #[default]
    Name,
    EmployeeNo,
    HireDate,
}

impl PersonSort {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonSort::Name => "name",
            PersonSort::EmployeeNo => "employee_no",
            PersonSort::HireDate => "hire_date",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "name" => Some(Self::Name),
            "employee_no" => Some(Self::EmployeeNo),
            "hire_date" => Some(Self::HireDate),
            _ => None,
        }
    }
}

/// Filters, sort and page of the people list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonFilter {
    #[serde(default)]
    pub department_id: Option<i64>,
    /// With `department_id`: include people of its sub-departments.
    #[serde(default)]
    pub include_sub: bool,
    /// Matches name, name_zh, employee_no or email (case-insensitive substring).
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub sort: PersonSort,
    #[serde(default)]
    pub desc: bool,
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub limit: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dept(id: i64, parent: Option<i64>, name: &str) -> Department {
        Department {
            id,
            name: name.into(),
            code: None,
            parent_id: parent,
            parent_name: None,
            head_person_id: None,
            head_name: None,
            description: None,
            people_count: 0,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn tree_is_depth_first_with_sorted_siblings() {
        let t = build_tree(vec![
            dept(1, None, "B root"),
            dept(2, Some(1), "z child"),
            dept(3, Some(1), "a child"),
            dept(4, Some(3), "grandchild"),
            dept(5, None, "A root"),
        ]);
        let got: Vec<(i64, i64)> = t.iter().map(|n| (n.department.id, n.depth)).collect();
        assert_eq!(got, vec![(5, 0), (1, 0), (3, 1), (4, 2), (2, 1)]);
    }

    #[test]
    fn patch_knows_its_fields_and_null_clears() {
        let p: PersonPatch = serde_json::from_str(r#"{"email":null,"phone":"123"}"#).unwrap();
        assert_eq!(p.present_fields(), vec!["email", "phone"]);
        assert_eq!(p.email, Some(None));
        assert!(serde_json::from_str::<PersonPatch>(r#"{"salary":1}"#).is_err());
    }

    #[test]
    fn person_rules() {
        let mut c = Checks::new();
        let mut i = PersonInput::new(" E 1 ", "");
        i.email = Some("nope".into());
        i.phone = Some("call me".into());
        i.hire_date = Some("2026-02-30".into());
        PersonValues::from_input(&i).validate(&mut c);
        let kernel::AppError::Validation(errs) = c.finish().unwrap_err() else {
            panic!()
        };
        let f: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(f, ["employee_no", "name", "email", "phone", "hire_date"]);
    }
}
