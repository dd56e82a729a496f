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

/// A result row from either backend, read by column name.
pub enum Row {
    Sqlite(LiteRow),
    Pg(sqlx::postgres::PgRow),
}

/// An SQLite row, owned: its values and the statement's column names (shared by its rows).
pub struct LiteRow {
    pub(crate) names: std::sync::Arc<[String]>,
    pub(crate) vals: Vec<rusqlite::types::Value>,
}

/// Reading SQLite's dynamic values into the types the stores ask for. SQLite stores booleans as
/// integers and may hand back an integer where a REAL column holds a whole number.
trait FromLite: Sized {
    const TYPE: &'static str;
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self>;
}

impl FromLite for i64 {
    const TYPE: &'static str = "INTEGER";
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self> {
        match v {
            rusqlite::types::Value::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

impl FromLite for f64 {
    const TYPE: &'static str = "REAL";
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self> {
        match v {
            rusqlite::types::Value::Real(f) => Some(*f),
            rusqlite::types::Value::Integer(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromLite for String {
    const TYPE: &'static str = "TEXT";
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self> {
        match v {
            rusqlite::types::Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromLite for bool {
    const TYPE: &'static str = "BOOLEAN";
    fn from_lite(v: &rusqlite::types::Value) -> Option<Self> {
        match v {
            rusqlite::types::Value::Integer(i) => Some(*i != 0),
            _ => None,
        }
    }
}

impl LiteRow {
    fn value(&self, col: &str) -> Result<&rusqlite::types::Value, DbError> {
        self.names
            .iter()
            .position(|n| n == col)
            .map(|i| &self.vals[i])
            .ok_or_else(|| DbError::Other(format!("no column {col} in the result")))
    }

    fn get_opt<T: FromLite>(&self, col: &str) -> Result<Option<T>, DbError> {
        let v = self.value(col)?;
        if matches!(v, rusqlite::types::Value::Null) {
            return Ok(None);
        }
        T::from_lite(v).map(Some).ok_or_else(|| {
            DbError::Other(format!(
                "column {col}: expected {}, found {:?}",
                T::TYPE,
                v.data_type()
            ))
        })
    }

    fn get<T: FromLite>(&self, col: &str) -> Result<T, DbError> {
        self.get_opt(col)?
            .ok_or_else(|| DbError::Other(format!("column {col} is NULL")))
    }
}

macro_rules! getter {
    ($name:ident, $opt:ident, $t:ty) => {
        pub fn $name(&self, col: &str) -> Result<$t, DbError> {
            match self {
                Row::Sqlite(r) => r.get::<$t>(col),
                Row::Pg(r) => r.try_get::<$t, _>(col).map_err(Into::into),
            }
        }
        pub fn $opt(&self, col: &str) -> Result<Option<$t>, DbError> {
            match self {
                Row::Sqlite(r) => r.get_opt::<$t>(col),
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
}
