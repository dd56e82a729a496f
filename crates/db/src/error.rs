use kernel::AppError;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unique constraint violated: {0}")]
    Unique(String),
    #[error("foreign key constraint violated")]
    ForeignKey,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                DbError::Unique(d.constraint().unwrap_or_else(|| d.message()).to_string())
            }
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => DbError::ForeignKey,
            sqlx::Error::Database(d)
                if d.code().is_some_and(|c| {
                    c == "5" || c == "6" || c.starts_with("57P") || c.starts_with("08")
                }) =>
            {
                DbError::Unavailable(d.message().to_string())
            }
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Tls(_) => DbError::Unavailable(e.to_string()),
            _ => DbError::Other(e.to_string()),
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unique(c) => AppError::Conflict(format!(
                "a record with the same {} already exists",
                unique_field(&c)
            )),
            DbError::ForeignKey => AppError::Conflict(
                "the record is referenced by or refers to a record that does not exist".into(),
            ),
            DbError::Unavailable(m) => {
                tracing::warn!(error = %m, "database unavailable");
                AppError::Unavailable
            }
            DbError::Other(m) => AppError::Internal(m),
        }
    }
}

/// Turns a constraint name or SQLite message ("UNIQUE constraint failed: people.employee_no")
/// into the field it guards, for the user-facing message.
fn unique_field(c: &str) -> &str {
    let c = c.rsplit(": ").next().unwrap_or(c);
    let c = c.rsplit('.').next().unwrap_or(c);
    c.trim_end_matches("_key").split("_uq_").last().unwrap_or(c)
}
