//! A small builder for dynamic SQL that keeps `$N` placeholders and their values in step.
use crate::row::Val;

#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Val>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    /// Appends trusted SQL text (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Adds a value and returns its placeholder.
    pub fn arg(&mut self, v: impl Into<Val>) -> String {
        self.args.push(v.into());
        format!("${}", self.args.len())
    }

    /// Appends ` AND <expr>` where `expr` uses the placeholder for `v` as `{}`.
    pub fn and_eq(&mut self, expr: &str, v: impl Into<Val>) -> &mut Self {
        let p = self.arg(v);
        self.text.push_str(" AND ");
        self.text.push_str(&expr.replace("{}", &p));
        self
    }

    /// `(…)` list of placeholders for an `IN`; `(NULL)` when empty so it matches nothing.
    pub fn in_list(&mut self, vals: &[i64]) -> String {
        if vals.is_empty() {
            return "(NULL)".into();
        }
        let ps: Vec<String> = vals.iter().map(|v| self.arg(*v)).collect();
        format!("({})", ps.join(","))
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern and wraps it in `%`.
pub fn like_pattern(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    s.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_values() {
        let mut q = Sql::new("SELECT * FROM t WHERE 1=1");
        q.and_eq("a = {}", 5i64);
        let list = q.in_list(&[1, 2]);
        q.push(&format!(" AND b IN {list}"));
        assert_eq!(
            q.text,
            "SELECT * FROM t WHERE 1=1 AND a = $1 AND b IN ($2,$3)"
        );
        assert_eq!(q.args.len(), 3);
        assert_eq!(Sql::default().in_list(&[]), "(NULL)");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
