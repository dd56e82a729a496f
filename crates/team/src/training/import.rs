//! The "training records" import: one row per person and session (employee number, course by
//! title, session date, attended, completed, score, certificate expiry) → the enrolment with its
//! attendance, completion and score, and the certificate. Written through
//! `service::import_records` (policy and audit per record) in the kit's one transaction.
use crate::import::{normalize_date, parse_flag};
use crate::training::service;
use db::Tx;
use imports::{ImportColumn, ImportFailure, Importer};
use kernel::validate::Checks;
use kernel::{Actor, AppError, Ctx, FieldError, Locale, Role};
use sheets::{Column, Record};

pub struct TrainingRecordsImport;

/// One valid row of the file.
#[derive(Debug, Clone)]
pub struct RecordRow {
    pub employee_no: String,
    pub course: String,
    /// `YYYY-MM-DD`.
    pub session_date: String,
    pub attended: Option<bool>,
    pub completed: bool,
    pub score: Option<f64>,
    pub cert_expires: Option<String>,
}

impl RecordRow {
    /// The enrolment status the row records.
    pub fn status(&self) -> &'static str {
        match (self.completed, self.attended) {
            (true, _) => "completed",
            (false, Some(true)) => "attended",
            (false, Some(false)) => "no_show",
            (false, None) => "enrolled",
        }
    }
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
            key: "course",
            required: true,
            names: &[
                "课程",
                "课程名称",
                "课程编码",
                "课程代码",
                "培训课程",
                "course",
                "course title",
                "course name",
                "course code",
            ],
        },
        label_key: "tp.course",
    },
    ImportColumn {
        column: Column {
            key: "session_date",
            required: true,
            names: &[
                "培训日期",
                "开课日期",
                "日期",
                "session date",
                "date",
                "training date",
            ],
        },
        label_key: "tp.import_session_date",
    },
    ImportColumn {
        column: Column {
            key: "attended",
            required: false,
            names: &[
                "出勤",
                "出勤（是/否）",
                "Attended (yes/no)",
                "是否出勤",
                "参加",
                "attended",
                "attendance",
            ],
        },
        label_key: "tp.import_attended",
    },
    ImportColumn {
        column: Column {
            key: "completed",
            required: false,
            names: &[
                "完成",
                "完成（是/否）",
                "Completed (yes/no)",
                "是否完成",
                "结业",
                "completed",
                "completion",
            ],
        },
        label_key: "tp.import_completed",
    },
    ImportColumn {
        column: Column {
            key: "score",
            required: false,
            names: &["成绩", "分数", "得分", "考核成绩", "score", "result"],
        },
        label_key: "tp.score",
    },
    ImportColumn {
        column: Column {
            key: "cert_expires",
            required: false,
            names: &[
                "证书到期日",
                "证书有效期至",
                "certificate expiry",
                "certification expiry",
                "cert expires",
            ],
        },
        label_key: "tp.import_cert_expires",
    },
];

impl Importer for TrainingRecordsImport {
    type Record = RecordRow;

    fn kind(&self) -> &'static str {
        "training-records"
    }

    fn title_key(&self) -> &'static str {
        "tp.import_records_title"
    }

    fn list_href(&self) -> &'static str {
        "/training"
    }

    fn columns(&self) -> &'static [ImportColumn] {
        COLUMNS
    }

    /// The example records a course of the demo company's catalogue for the people of the
    /// people template, so the templates import back there as downloaded.
    fn template_rows(&self, locale: Locale) -> Vec<Vec<String>> {
        let course = "消防安全 Fire safety";
        let (yes, no) = match locale {
            Locale::ZhCn => ("是", "否"),
            Locale::En => ("yes", "no"),
        };
        vec![
            ["E1001", course, "2026-03-02", yes, yes, "92", "2028-03-02"],
            ["E1002", course, "2026-03-02", no, no, "", ""],
        ]
        .into_iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
    }

    /// Admins; managers for the people in their departments (each row is checked again).
    fn may_import(&self, actor: &Actor) -> bool {
        matches!(actor.role, Role::Admin | Role::Manager)
    }

    fn parse(&self, r: &Record<'_>) -> Result<RecordRow, Vec<FieldError>> {
        let text = |k: &str| r.get(k).map(|s| s.trim().to_string());
        let mut c = Checks::new();
        let employee_no = c.text(
            "employee_no",
            &text("employee_no").unwrap_or_default(),
            true,
            40,
        );
        let course = c.text("course", &text("course").unwrap_or_default(), true, 200);
        let date = r.get("session_date").map(normalize_date);
        if date.is_none() {
            c.push("session_date", "required", "is required");
        }
        let session_date = c.opt_date("session_date", date.as_deref());
        let mut flag = |k: &str| {
            r.get(k).and_then(|v| {
                let f = parse_flag(v);
                if f.is_none() {
                    c.push(k, "invalid", "must be yes or no (是/否)");
                }
                f
            })
        };
        let attended = flag("attended");
        let completed = flag("completed").unwrap_or(false);
        let score = match r.get("score") {
            None => None,
            Some(s) => match s.trim().parse::<f64>() {
                Ok(v) => c.range_f64("score", Some(v), 0.0, 100.0),
                Err(_) => {
                    c.push("score", "invalid", "must be a number from 0 to 100");
                    None
                }
            },
        };
        let cert_expires = c.opt_date(
            "cert_expires",
            r.get("cert_expires").map(normalize_date).as_deref(),
        );
        if cert_expires.is_some() && !completed {
            c.push(
                "cert_expires",
                "invalid",
                "a certificate needs the course completed",
            );
        }
        if completed && attended == Some(false) {
            c.push("attended", "invalid", "a completed course was attended");
        }
        match c.finish() {
            Ok(()) => Ok(RecordRow {
                employee_no,
                course,
                session_date: session_date.unwrap_or_default(),
                attended,
                completed,
                score,
                cert_expires,
            }),
            Err(AppError::Validation(errs)) => Err(errs),
            Err(e) => Err(vec![FieldError::new("row", "invalid", e.to_string())]),
        }
    }

    async fn write(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        records: Vec<(usize, RecordRow)>,
    ) -> Result<usize, ImportFailure> {
        service::import_records(tx, ctx, records).await
    }
}
