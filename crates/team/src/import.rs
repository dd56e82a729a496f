//! The people import: columns with their Chinese and English header names, the template, the
//! per-row rules (the same `PersonValues::validate` a form uses) and the write through the
//! directory's service rules — department by name or code within the importer's scope, manager
//! by employee number (in the database or earlier/later in the same file), employee numbers
//! unique — with one audit event per person, all in the kit's one transaction.
use crate::model::PersonValues;
use crate::service;
use db::Tx;
use imports::{ImportColumn, ImportFailure, Importer, RowError};
use kernel::validate::Checks;
use kernel::{Actor, AppError, Ctx, FieldError, Locale, Role};
use sheets::{Column, Record};
use std::collections::HashMap;

pub struct PeopleImport;

/// One valid row of the file.
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub values: PersonValues,
    /// A department's name or code, as written in the file.
    pub department: Option<String>,
    /// The manager's employee number.
    pub manager_no: Option<String>,
}

const COLUMNS: &[ImportColumn] = &[
    ImportColumn {
        column: Column {
            key: "employee_no",
            required: true,
            names: &[
                "工号",
                "员工编号",
                "员工号",
                "职工号",
                "编号",
                "employee no",
                "employee number",
                "employee id",
                "emp no",
                "staff no",
                "Employee no.",
            ],
        },
        label_key: "person.employee_no",
    },
    ImportColumn {
        column: Column {
            key: "name",
            required: true,
            names: &[
                "姓名",
                "名字",
                "英文名",
                "name",
                "full name",
                "english name",
            ],
        },
        label_key: "person.name",
    },
    ImportColumn {
        column: Column {
            key: "name_zh",
            required: false,
            names: &["中文名", "中文姓名", "chinese name", "name (zh)", "name zh"],
        },
        label_key: "person.name_zh",
    },
    ImportColumn {
        column: Column {
            key: "department",
            required: false,
            names: &[
                "部门",
                "部门名称",
                "部门编码",
                "部门代码",
                "所属部门",
                "department",
                "dept",
                "department code",
                "department name",
            ],
        },
        label_key: "imports.people_department",
    },
    ImportColumn {
        column: Column {
            key: "position",
            required: false,
            names: &["职位", "岗位", "职务", "position", "job title", "title"],
        },
        label_key: "person.position",
    },
    ImportColumn {
        column: Column {
            key: "manager",
            required: false,
            names: &[
                "上级工号",
                "直属上级工号",
                "经理工号",
                "上级",
                "直属上级",
                "manager",
                "manager no",
                "manager employee no",
                "reports to",
            ],
        },
        label_key: "imports.people_manager",
    },
    ImportColumn {
        column: Column {
            key: "email",
            required: false,
            names: &[
                "邮箱",
                "电子邮件",
                "电子邮箱",
                "邮件",
                "email",
                "e-mail",
                "mail",
            ],
        },
        label_key: "person.email",
    },
    ImportColumn {
        column: Column {
            key: "phone",
            required: false,
            names: &[
                "电话",
                "手机",
                "手机号",
                "手机号码",
                "联系电话",
                "phone",
                "mobile",
                "tel",
                "telephone",
            ],
        },
        label_key: "person.phone",
    },
    ImportColumn {
        column: Column {
            key: "hire_date",
            required: false,
            names: &[
                "入职日期",
                "入职时间",
                "hire date",
                "start date",
                "date joined",
                "joined",
            ],
        },
        label_key: "person.hire_date",
    },
];

/// `2024/3/1`, `2024.03.01`, `2024年3月1日` → `2024-03-01` (what spreadsheets in China hold);
/// anything else is left for the date check to refuse.
pub fn normalize_date(s: &str) -> String {
    let t = s.trim().trim_end_matches('日');
    let parts: Vec<&str> = t
        .split(['/', '.', '-', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    if let [y, m, d] = parts.as_slice()
        && y.len() == 4
        && [y, m, d]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && m.len() <= 2
        && d.len() <= 2
    {
        return format!("{y}-{m:0>2}-{d:0>2}");
    }
    s.trim().to_string()
}

impl Importer for PeopleImport {
    type Record = PersonRow;

    fn kind(&self) -> &'static str {
        "people"
    }

    fn title_key(&self) -> &'static str {
        "person.title"
    }

    fn list_href(&self) -> &'static str {
        "/people"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        COLUMNS
    }

    /// The example names the department by its code, which reads the same in both languages
    /// and exists in the demo company, so the template imports back as downloaded there.
    fn template_rows(&self, locale: Locale) -> Vec<Vec<String>> {
        let dept = "OPS";
        let pos = match locale {
            Locale::ZhCn => "运营专员",
            Locale::En => "Operations specialist",
        };
        vec![
            [
                "E1001",
                "Zhang San",
                "张三",
                dept,
                pos,
                "",
                "zhangsan@example.com",
                "13800000000",
                "2024-03-01",
            ],
            [
                "E1002",
                "Li Si",
                "李四",
                dept,
                pos,
                "E1001",
                "lisi@example.com",
                "",
                "2025-01-15",
            ],
        ]
        .into_iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
    }

    /// Admins anywhere; managers within their departments (each row is checked again).
    fn may_import(&self, actor: &Actor) -> bool {
        matches!(actor.role, Role::Admin | Role::Manager)
    }

    fn parse(&self, r: &Record<'_>) -> Result<PersonRow, Vec<FieldError>> {
        let text = |k: &str| r.get(k).map(str::to_string);
        let mut c = Checks::new();
        let values = PersonValues {
            employee_no: text("employee_no").unwrap_or_default(),
            name: text("name").unwrap_or_default(),
            name_zh: text("name_zh"),
            department_id: None,
            position: text("position"),
            manager_id: None,
            email: text("email"),
            phone: text("phone"),
            hire_date: r.get("hire_date").map(normalize_date),
            active: true,
            user_id: None,
            // Not in the import's columns (yet): the same defaults as a new person on the form.
            employment_type: None,
            location: None,
            languages: Vec::new(),
            weekly_hours: crate::model::DEFAULT_WEEKLY_HOURS,
        }
        .validate(&mut c);
        let department = text("department");
        let manager_no = text("manager");
        if manager_no.as_deref() == Some(values.employee_no.as_str()) {
            c.push("manager", "self", "a person cannot be their own manager");
        }
        match c.finish() {
            Ok(()) => Ok(PersonRow {
                values,
                department,
                manager_no,
            }),
            Err(AppError::Validation(errs)) => Err(errs),
            Err(e) => Err(vec![FieldError::new("row", "invalid", e.to_string())]),
        }
    }

    async fn write(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        records: Vec<(usize, PersonRow)>,
    ) -> Result<usize, ImportFailure> {
        service::import_people(tx, ctx, records).await
    }
}

/// `是`/`否`, `yes`/`no`, `y`/`n`, `true`/`false`, `1`/`0`, `√`/`×` (as spreadsheets in China
/// mark a box); `None` for anything else.
pub fn parse_flag(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "是" | "有" | "已完成" | "完成" | "出席" | "yes" | "y" | "true" | "1" | "√" | "✓" => {
            Some(true)
        }
        "否" | "无" | "未完成" | "缺席" | "no" | "n" | "false" | "0" | "×" | "✗" => {
            Some(false)
        }
        _ => None,
    }
}

/// Finds a person by employee number or email (an import names people either way).
pub(crate) struct PeopleIndex {
    by_no: HashMap<String, crate::store::PersonRef>,
    by_email: HashMap<String, crate::store::PersonRef>,
}

impl PeopleIndex {
    /// Loads the people the rows name (`(employee_no, email)` per row).
    pub(crate) async fn load<'a>(
        tx: &mut Tx,
        keys: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>,
    ) -> Result<Self, db::DbError> {
        let (mut nos, mut emails) = (Vec::new(), Vec::new());
        for (no, email) in keys {
            nos.extend(no.map(str::to_string));
            emails.extend(email.map(str::to_lowercase));
        }
        nos.sort();
        nos.dedup();
        emails.sort();
        emails.dedup();
        let mut by_no = HashMap::new();
        let mut by_email = HashMap::new();
        for p in crate::store::people_by_no_or_email(tx, &nos, &emails).await? {
            if let Some(e) = &p.email {
                by_email.insert(e.to_lowercase(), p.clone());
            }
            by_no.insert(p.employee_no.clone(), p);
        }
        Ok(Self { by_no, by_email })
    }

    /// The person, or the field and reason for a row error. The employee number wins when both
    /// are given.
    pub(crate) fn find(
        &self,
        no: Option<&str>,
        email: Option<&str>,
    ) -> Result<&crate::store::PersonRef, (&'static str, String)> {
        match (no, email) {
            (Some(n), _) => self.by_no.get(n).ok_or((
                "employee_no",
                format!("no person has the employee number {n}"),
            )),
            (None, Some(e)) => self
                .by_email
                .get(&e.to_lowercase())
                .ok_or(("email", format!("no person has the email {e}"))),
            (None, None) => Err(("employee_no", "give an employee number or an email".into())),
        }
    }
}

/// Finds a department by code (exact, case-insensitive) or by name; a name two departments
/// share must be given as a code.
pub(crate) struct DepartmentIndex {
    by_code: HashMap<String, i64>,
    by_name: HashMap<String, Vec<i64>>,
}

impl DepartmentIndex {
    pub(crate) fn new(all: &[crate::Department]) -> Self {
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
        for d in all {
            if let Some(c) = &d.code {
                by_code.insert(c.to_lowercase(), d.id);
            }
            by_name
                .entry(d.name.trim().to_lowercase())
                .or_default()
                .push(d.id);
        }
        Self { by_code, by_name }
    }

    pub(crate) fn find(&self, s: &str) -> Result<i64, (&'static str, &'static str)> {
        let k = s.trim().to_lowercase();
        if let Some(id) = self.by_code.get(&k) {
            return Ok(*id);
        }
        match self.by_name.get(&k).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some(_) => Err((
                "ambiguous",
                "several departments have this name; give its code",
            )),
            None => Err(("not_found", "no department has this name or code")),
        }
    }
}

/// Orders rows so that a manager given in the file is created before their reports; rows in a
/// management cycle are returned as errors.
pub(crate) fn manager_order(rows: &[(usize, PersonRow)]) -> (Vec<usize>, Vec<RowError>) {
    let index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, (_, r))| (r.values.employee_no.as_str(), i))
        .collect();
    // 0 = not visited, 1 = on the current path, 2 = placed.
    let mut state = vec![0u8; rows.len()];
    let mut order = Vec::with_capacity(rows.len());
    let mut errs = Vec::new();
    for start in 0..rows.len() {
        let mut path: Vec<usize> = Vec::new();
        let mut at = Some(start);
        while let Some(i) = at {
            match state[i] {
                2 => break,
                1 => {
                    let cycle_from = path.iter().position(|&p: &usize| p == i).unwrap_or(0);
                    for &p in &path[cycle_from..] {
                        let p: usize = p;
                        errs.push(RowError::new(
                            rows[p].0,
                            "manager",
                            "cycle",
                            "the managers given in the file form a cycle",
                        ));
                        state[p] = 2;
                    }
                    path.truncate(cycle_from);
                    break;
                }
                _ => {
                    state[i] = 1;
                    path.push(i);
                    at = rows[i]
                        .1
                        .manager_no
                        .as_deref()
                        .and_then(|m| index.get(m).copied());
                }
            }
        }
        // Managers first: the path runs report → manager, so place it backwards.
        for &p in path.iter().rev() {
            if state[p] != 2 {
                state[p] = 2;
                order.push(p);
            }
        }
    }
    (order, errs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: usize, no: &str, mgr: Option<&str>) -> (usize, PersonRow) {
        let mut v = PersonValues::from_input(&crate::PersonInput::new(no, "x"));
        v.employee_no = no.into();
        (
            n,
            PersonRow {
                values: v,
                department: None,
                manager_no: mgr.map(Into::into),
            },
        )
    }

    #[test]
    fn flags_as_spreadsheets_write_them() {
        for t in ["是", "Yes", " y ", "TRUE", "1", "√"] {
            assert_eq!(parse_flag(t), Some(true), "{t}");
        }
        for f in ["否", "no", "N", "false", "0", "×"] {
            assert_eq!(parse_flag(f), Some(false), "{f}");
        }
        assert_eq!(parse_flag("maybe"), None);
    }

    #[test]
    fn dates_in_chinese_office_forms() {
        assert_eq!(normalize_date("2024/3/1"), "2024-03-01");
        assert_eq!(normalize_date("2024.03.01"), "2024-03-01");
        assert_eq!(normalize_date("2024年3月1日"), "2024-03-01");
        assert_eq!(normalize_date(" 2024-03-01 "), "2024-03-01");
        assert_eq!(normalize_date("3/1/2024"), "3/1/2024");
    }

    #[test]
    fn managers_come_first_and_cycles_are_named() {
        let rows = vec![
            row(2, "A", Some("B")),
            row(3, "B", Some("C")),
            row(4, "C", Some("X")), // X: in the database, not in the file
        ];
        let (order, errs) = manager_order(&rows);
        assert!(errs.is_empty());
        assert_eq!(order, vec![2, 1, 0]);
        let rows = vec![
            row(2, "A", Some("B")),
            row(3, "B", Some("A")),
            row(4, "C", Some("A")),
        ];
        let (order, errs) = manager_order(&rows);
        let mut bad: Vec<usize> = errs.iter().map(|e| e.row).collect();
        bad.sort();
        assert_eq!(bad, vec![2, 3]);
        assert_eq!(order, vec![2]);
    }
}
