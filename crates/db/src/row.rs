use crate::error::DbError;
use sqlx::Row as _;

/// A bind value. Stores build argument lists of these; both backends bind them the same way.
/// NULLs carry their type: PostgreSQL refuses an untyped parameter in a typed column.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    I64(Option<i64>),
    F64(Option<f64>),
    Text(Option<String>),
    Bool(Option<bool>),
    /// `BLOB` on SQLite, `BYTEA` on PostgreSQL (uploaded files kept in the database).
    Bytes(Option<Vec<u8>>),
}

macro_rules! val_from {
    ($t:ty, $v:ident, $conv:expr) => {
        impl From<$t> for Val {
            fn from(x: $t) -> Self {
                Val::$v(Some($conv(x)))
            }
        }
        impl From<Option<$t>> for Val {
            fn from(x: Option<$t>) -> Self {
                Val::$v(x.map($conv))
            }
        }
    };
}
val_from!(i64, I64, |x| x);
val_from!(f64, F64, |x| x);
val_from!(bool, Bool, |x| x);
val_from!(String, Text, |x| x);
val_from!(&str, Text, |x: &str| x.to_string());
val_from!(&String, Text, |x: &String| x.clone());
val_from!(Vec<u8>, Bytes, |x| x);

/// A result row from either backend, read by column name.
pub enum Row {
    Sqlite(sqlx::sqlite::SqliteRow),
    Pg(sqlx::postgres::PgRow),
}

macro_rules! getter {
    ($name:ident, $opt:ident, $t:ty) => {
        pub fn $name(&self, col: &str) -> Result<$t, DbError> {
            match self {
                Row::Sqlite(r) => r.try_get::<$t, _>(col).map_err(Into::into),
                Row::Pg(r) => r.try_get::<$t, _>(col).map_err(Into::into),
            }
        }
        pub fn $opt(&self, col: &str) -> Result<Option<$t>, DbError> {
            match self {
                Row::Sqlite(r) => r.try_get::<Option<$t>, _>(col).map_err(Into::into),
                Row::Pg(r) => r.try_get::<Option<$t>, _>(col).map_err(Into::into),
            }
        }
    };
}

impl Row {
    getter!(i64, opt_i64, i64);
    getter!(f64, opt_f64, f64);
    getter!(string, opt_string, String);
    getter!(bool, opt_bool, bool);
    getter!(bytes, opt_bytes, Vec<u8>);
}
