//! The "skills and levels" import: one row per person and skill (person by employee number or
//! email, skill by its catalogue name, level 1–5, evidence, certification expiry), checked by
//! the same `PersonSkillInput::validate` as the form and written through
//! `service::import_levels` (policy and audit per row) in the kit's one transaction.
use crate::import::normalize_date;
use crate::skills::model::PersonSkillInput;
use crate::skills::service;
use db::Tx;
use imports::{ImportColumn, ImportFailure, Importer};
use kernel::validate::Checks;
use kernel::{Actor, AppError, Ctx, FieldError, Locale, Role};
use sheets::{Column, Record};

pub struct SkillLevelsImport;

/// One valid row of the file.
#[derive(Debug, Clone)]
pub struct LevelRow {
    pub employee_no: Option<String>,
    pub email: Option<String>,
    pub skill: String,
    pub input: PersonSkillInput,
}

const COLUMNS: &[ImportColumn] = &[
    ImportColumn {
        column: Column {
            key: "employee_no",
            required: false,
            names: &[
                "工号",
                "员工编号",
                "员工号",
                "employee no",
                "employee number",
                "employee id",
                "Employee no.",
            ],
        },
        label_key: "person.employee_no",
    },
    ImportColumn {
        column: Column {
            key: "email",
            required: false,
            names: &["邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail"],
        },
        label_key: "person.email",
    },
    ImportColumn {
        column: Column {
            key: "skill",
            required: true,
            names: &[
                "技能",
                "技能名称",
                "技能编码",
                "技能代码",
                "skill",
                "skill name",
                "skill code",
            ],
        },
        label_key: "skills.skill",
    },
    ImportColumn {
        column: Column {
            key: "level",
            required: true,
            names: &[
                "等级",
                "级别",
                "水平",
                "熟练度",
                "技能等级",
                "level",
                "skill level",
            ],
        },
        label_key: "skills.level",
    },
    ImportColumn {
        column: Column {
            key: "evidence",
            required: false,
            names: &["依据", "证明", "证据", "说明", "evidence", "proof"],
        },
        label_key: "skills.evidence",
    },
    ImportColumn {
        column: Column {
            key: "cert_expires",
            required: false,
            names: &[
                "证书到期",
                "证书到期日",
                "证书有效期至",
                "认证到期日",
                "certificate expires",
                "认证到期",
                "certification expiry",
                "certificate expiry",
                "cert expires",
            ],
        },
        label_key: "skills.cert_expires",
    },
];

/// `3`, `3级`, `L3`, `Lv3`, `Level 3` → 3; `None` when it is not a whole number.
pub fn parse_level(s: &str) -> Option<i64> {
    let t = s.trim().to_lowercase();
    let t = t
        .trim_end_matches('级')
        .trim_start_matches("level")
        .trim_start_matches("lv")
        .trim_start_matches('l')
        .trim();
    t.parse().ok()
}

impl Importer for SkillLevelsImport {
    type Record = LevelRow;

    fn kind(&self) -> &'static str {
        "skill-levels"
    }

    fn title_key(&self) -> &'static str {
        "skills.import_title"
    }

    fn list_href(&self) -> &'static str {
        "/skills/matrix"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        COLUMNS
    }

    /// The example rates a skill of the demo company's catalogue (its names carry both
    /// languages) for the people of the people template, so both import back there as
    /// downloaded.
    fn template_rows(&self, locale: Locale) -> Vec<Vec<String>> {
        let skill = "项目管理 Project management";
        let evidence = match locale {
            Locale::ZhCn => "2025 年内部考核通过",
            Locale::En => "Passed the 2025 internal assessment",
        };
        vec![
            ["E1001", "", skill, "3", evidence, "2027-06-30"],
            ["", "lisi@example.com", skill, "2", "", ""],
        ]
        .into_iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
    }

    /// Who may rate skills at all (admins; managers in their departments — each row is
    /// checked again by the service).
    fn may_import(&self, actor: &Actor) -> bool {
        matches!(actor.role, Role::Admin | Role::Manager)
    }

    fn parse(&self, r: &Record<'_>) -> Result<LevelRow, Vec<FieldError>> {
        let text = |k: &str| r.get(k).map(str::to_string);
        let mut c = Checks::new();
        let (employee_no, email) = (text("employee_no"), text("email"));
        if employee_no.is_none() && email.is_none() {
            c.push(
                "employee_no",
                "required",
                "give an employee number or an email",
            );
        }
        let skill = text("skill").unwrap_or_default();
        if skill.trim().is_empty() {
            c.push("skill", "required", "is required");
        }
        let level = match r.get("level") {
            None => {
                c.push("level", "required", "is required");
                1
            }
            Some(l) => parse_level(l).unwrap_or_else(|| {
                c.push("level", "out_of_range", "must be a level from 1 to 5");
                1
            }),
        };
        let input = PersonSkillInput {
            level,
            evidence: text("evidence"),
            cert_expires: r.get("cert_expires").map(normalize_date),
        }
        .validate(&mut c);
        match c.finish() {
            Ok(()) => Ok(LevelRow {
                employee_no,
                email,
                skill: skill.trim().to_string(),
                input,
            }),
            Err(AppError::Validation(errs)) => Err(errs),
            Err(e) => Err(vec![FieldError::new("row", "invalid", e.to_string())]),
        }
    }

    async fn write(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        records: Vec<(usize, LevelRow)>,
    ) -> Result<usize, ImportFailure> {
        service::import_levels(tx, ctx, records).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_as_people_write_them() {
        assert_eq!(parse_level("3"), Some(3));
        assert_eq!(parse_level("4级"), Some(4));
        assert_eq!(parse_level("L2"), Some(2));
        assert_eq!(parse_level("Lv 5"), Some(5));
        assert_eq!(parse_level("Level 1"), Some(1));
        assert_eq!(parse_level("expert"), None);
    }
}
