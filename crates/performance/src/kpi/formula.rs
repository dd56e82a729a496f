//! KPI formulas over other KPIs: numbers, KPI codes, `+ - * /`, unary minus and parentheses.
//!
//! A hand-written recursive-descent parser (no `eval`, no general expression language), so a
//! formula can only ever combine KPI values arithmetically. Evaluation never produces NaN or
//! infinity: a missing input or a division by zero is a [`NoValue`] with its reason.
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Longest formula accepted (characters).
pub const MAX_FORMULA: usize = 500;
/// Deepest nesting accepted (guards the recursive parser's stack).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(f64),
    Kpi(String),
    Neg(Box<Expr>),
    Bin(Op, Box<Expr>, Box<Expr>),
}

/// Why a formula does not parse, with the character position (0-based) where it went wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub position: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.position + 1)
    }
}

/// Why a formula has no value for a period.
#[derive(Debug, Clone, PartialEq)]
pub enum NoValue {
    /// An input KPI has no value for the period.
    Missing(String),
    /// The divisor evaluated to zero; the text is the divisor as written.
    DivisionByZero(String),
}

impl fmt::Display for NoValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoValue::Missing(code) => write!(f, "{code} has no value for this period"),
            NoValue::DivisionByZero(d) => write!(f, "division by zero ({d} is 0)"),
        }
    }
}

/// Whether `s` is a valid KPI code: a letter, then letters, digits or `_`, at most 40.
pub fn is_code(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 40
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
    depth: usize,
}

/// Parses a formula.
///
/// ```
/// use performance::kpi::formula::{parse, Expr};
/// assert!(parse("revenue / orders").is_ok());
/// assert!(parse("(a + b) * 2 - -c").is_ok());
/// assert!(parse("a +").is_err());
/// ```
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    if src.chars().count() > MAX_FORMULA {
        return Err(ParseError {
            position: MAX_FORMULA,
            message: format!("a formula is at most {MAX_FORMULA} characters"),
        });
    }
    if let Some((i, c)) = src
        .char_indices()
        .find(|(_, c)| !c.is_ascii() || (c.is_ascii_control() && !c.is_ascii_whitespace()))
    {
        return Err(ParseError {
            position: i,
            message: format!("unexpected character {c:?}"),
        });
    }
    let mut p = Parser {
        src: src.as_bytes(),
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    if p.pos == p.src.len() {
        return Err(p.err("the formula is empty"));
    }
    let e = p.expr()?;
    p.skip_ws();
    if p.pos < p.src.len() {
        return Err(p.err(&format!(
            "unexpected {:?}; expected an operator (+ - * /) or the end",
            p.src[p.pos] as char
        )));
    }
    Ok(e)
}

impl Parser<'_> {
    fn err(&self, message: &str) -> ParseError {
        ParseError {
            position: self.pos,
            message: message.to_string(),
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.src.get(self.pos).copied()
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.term()?;
        while let Some(c @ (b'+' | b'-')) = self.peek() {
            self.pos += 1;
            let right = self.term()?;
            let op = if c == b'+' { Op::Add } else { Op::Sub };
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.factor()?;
        while let Some(c @ (b'*' | b'/')) = self.peek() {
            self.pos += 1;
            let right = self.factor()?;
            let op = if c == b'*' { Op::Mul } else { Op::Div };
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("the formula is nested too deeply"));
        }
        let r = self.atom();
        self.depth -= 1;
        r
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        match self.peek() {
            None => Err(self.err("the formula ends where a number, KPI code or ( was expected")),
            Some(b'-') => {
                self.pos += 1;
                Ok(Expr::Neg(Box::new(self.factor()?)))
            }
            Some(b'(') => {
                self.pos += 1;
                let e = self.expr()?;
                if self.peek() != Some(b')') {
                    return Err(self.err("missing closing parenthesis"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() || c == b'.' => {
                let start = self.pos;
                while self.pos < self.src.len()
                    && (self.src[self.pos].is_ascii_digit() || self.src[self.pos] == b'.')
                {
                    self.pos += 1;
                }
                let text = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("");
                match text.parse::<f64>() {
                    Ok(n) if n.is_finite() => Ok(Expr::Num(n)),
                    _ => Err(ParseError {
                        position: start,
                        message: format!("{text:?} is not a number"),
                    }),
                }
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.pos < self.src.len()
                    && (self.src[self.pos].is_ascii_alphanumeric() || self.src[self.pos] == b'_')
                {
                    self.pos += 1;
                }
                let code = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("");
                if !is_code(code) {
                    return Err(ParseError {
                        position: start,
                        message: format!("{code:?} is not a KPI code"),
                    });
                }
                Ok(Expr::Kpi(code.to_string()))
            }
            Some(c) => Err(self.err(&format!(
                "unexpected {:?}; expected a number, KPI code or (",
                c as char
            ))),
        }
    }
}

impl Expr {
    /// The KPI codes the formula reads, sorted, without duplicates.
    pub fn refs(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut BTreeSet<String>) {
        match self {
            Expr::Num(_) => {}
            Expr::Kpi(c) => {
                out.insert(c.clone());
            }
            Expr::Neg(e) => e.collect(out),
            Expr::Bin(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    /// Evaluates with `value(code)` giving each input's value (`None` = no value).
    pub fn eval(&self, value: &dyn Fn(&str) -> Option<f64>) -> Result<f64, NoValue> {
        match self {
            Expr::Num(n) => Ok(*n),
            Expr::Kpi(c) => value(c).ok_or_else(|| NoValue::Missing(c.clone())),
            Expr::Neg(e) => Ok(-e.eval(value)?),
            Expr::Bin(op, a, b) => {
                let (x, y) = (a.eval(value)?, b.eval(value)?);
                let r = match op {
                    Op::Add => x + y,
                    Op::Sub => x - y,
                    Op::Mul => x * y,
                    Op::Div if y == 0.0 => return Err(NoValue::DivisionByZero(b.to_string())),
                    Op::Div => x / y,
                };
                // Overflow to infinity is as meaningless as a division by zero.
                if r.is_finite() {
                    Ok(r)
                } else {
                    Err(NoValue::DivisionByZero(b.to_string()))
                }
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(n) => write!(f, "{n}"),
            Expr::Kpi(c) => f.write_str(c),
            Expr::Neg(e) if matches!(**e, Expr::Bin(..)) => write!(f, "-({e})"),
            Expr::Neg(e) => write!(f, "-{e}"),
            Expr::Bin(op, a, b) => {
                let o = match op {
                    Op::Add => "+",
                    Op::Sub => "-",
                    Op::Mul => "*",
                    Op::Div => "/",
                };
                let wrap = |e: &Expr| matches!(e, Expr::Bin(..));
                let side = |e: &Expr| {
                    if wrap(e) {
                        format!("({e})")
                    } else {
                        e.to_string()
                    }
                };
                write!(f, "{} {o} {}", side(a), side(b))
            }
        }
    }
}

/// The first cycle `code` would close, given every KPI's formula inputs (`graph`, with `code`'s
/// new inputs already in it): the path `code → … → code`, or `None`.
pub fn find_cycle(code: &str, graph: &HashMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn walk(
        at: &str,
        goal: &str,
        graph: &HashMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            path.push(next.clone());
            if next == goal {
                return true;
            }
            if seen.insert(next.clone()) && walk(next, goal, graph, path, seen) {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = vec![code.to_string()];
    let mut seen = BTreeSet::new();
    walk(code, code, graph, &mut path, &mut seen).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str, vals: &[(&str, f64)]) -> Result<f64, NoValue> {
        let m: HashMap<String, f64> = vals.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        parse(src).unwrap().eval(&|c| m.get(c).copied())
    }

    #[test]
    fn precedence_parentheses_and_unary_minus() {
        assert_eq!(eval("1 + 2 * 3", &[]), Ok(7.0));
        assert_eq!(eval("(1 + 2) * 3", &[]), Ok(9.0));
        assert_eq!(eval("10 - 4 - 3", &[]), Ok(3.0));
        assert_eq!(eval("24 / 4 / 2", &[]), Ok(3.0));
        assert_eq!(eval("-(2 + 3) * -2", &[]), Ok(10.0));
        assert_eq!(
            eval("revenue / orders", &[("revenue", 1000.0), ("orders", 8.0)]),
            Ok(125.0)
        );
        assert_eq!(eval(" 0.5*x ", &[("x", 3.0)]), Ok(1.5));
    }

    #[test]
    fn division_by_zero_and_missing_inputs_have_reasons() {
        let e = eval(
            "revenue / (orders - returns)",
            &[("revenue", 5.0), ("orders", 3.0), ("returns", 3.0)],
        );
        assert_eq!(e, Err(NoValue::DivisionByZero("orders - returns".into())));
        assert_eq!(
            e.unwrap_err().to_string(),
            "division by zero (orders - returns is 0)"
        );
        assert_eq!(
            eval("a / b", &[("a", 1.0)]),
            Err(NoValue::Missing("b".into()))
        );
    }

    #[test]
    fn bad_formulas_say_where() {
        for (src, pos) in [
            ("", 0),
            ("a +", 3),
            ("(a + b", 6),
            ("a b", 2),
            ("a $ b", 2),
            ("1..2", 0),
            ("a + )", 4),
            ("_x", 0),
        ] {
            let e = parse(src).unwrap_err();
            assert_eq!(e.position, pos, "{src}: {e}");
        }
        assert!(parse("收入 / 2").is_err());
        assert!(parse(&"(".repeat(100)).is_err());
        assert!(parse(&"a+".repeat(300)).is_err());
    }

    #[test]
    fn refs_and_cycles() {
        let e = parse("(a + b) / a * 2").unwrap();
        assert_eq!(e.refs().into_iter().collect::<Vec<_>>(), ["a", "b"]);
        let g = |edges: &[(&str, &[&str])]| -> HashMap<String, BTreeSet<String>> {
            edges
                .iter()
                .map(|(k, vs)| (k.to_string(), vs.iter().map(|v| v.to_string()).collect()))
                .collect()
        };
        let graph = g(&[("x", &["y"]), ("y", &["z"]), ("z", &["x"])]);
        assert_eq!(find_cycle("x", &graph).unwrap(), ["x", "y", "z", "x"]);
        let graph = g(&[("x", &["y", "z"]), ("y", &["z"]), ("z", &[])]);
        assert_eq!(find_cycle("x", &graph), None);
        assert_eq!(find_cycle("s", &g(&[("s", &["s"])])).unwrap(), ["s", "s"]);
    }

    #[test]
    fn display_round_trips() {
        for src in [
            "-(a + b) * c",
            "a / (b - c)",
            "(a + b) * c",
            "-a + 2",
            "a - (b - c)",
        ] {
            let e = parse(src).unwrap();
            assert_eq!(parse(&e.to_string()).unwrap(), e, "{src}");
        }
    }
}
