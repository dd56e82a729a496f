//! Process trees: the block-structured models the inductive miner produces.

use std::fmt;

/// A process-tree operator, written as PM4Py writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// `->`: children in order.
    Sequence,
    /// `X`: exactly one child.
    Xor,
    /// `+`: all children, interleaved.
    Parallel,
    /// `*`: the first child, then any number of (second child, first child).
    Loop,
}

impl Operator {
    /// The symbol PM4Py prints for this operator.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Sequence => "->",
            Operator::Xor => "X",
            Operator::Parallel => "+",
            Operator::Loop => "*",
        }
    }

    fn from_symbol(s: &str) -> Option<Self> {
        Some(match s {
            "->" => Operator::Sequence,
            "X" => Operator::Xor,
            "+" => Operator::Parallel,
            "*" => Operator::Loop,
            _ => return None,
        })
    }
}

/// A node of a process tree. Leaves carry an activity name or are silent (`tau`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessTree {
    /// A visible activity.
    Activity(String),
    /// The silent step τ.
    Tau,
    /// An operator over its children (in order).
    Node(Operator, Vec<ProcessTree>),
}

impl ProcessTree {
    /// Number of visible leaves.
    pub fn activity_count(&self) -> usize {
        match self {
            ProcessTree::Activity(_) => 1,
            ProcessTree::Tau => 0,
            ProcessTree::Node(_, ch) => ch.iter().map(|c| c.activity_count()).sum(),
        }
    }

    /// Simplifies the tree the way PM4Py's `fold` does: nested ×, ∧ and → of the same
    /// operator are flattened, redundant τ leaves are dropped and one-child operators vanish.
    pub fn fold(self) -> ProcessTree {
        match self {
            ProcessTree::Node(op, children) => {
                let mut flat = Vec::with_capacity(children.len());
                for child in children.into_iter().map(ProcessTree::fold) {
                    match child {
                        ProcessTree::Node(cop, grand) if cop == op && op != Operator::Loop => {
                            flat.extend(grand)
                        }
                        other => flat.push(other),
                    }
                }
                let taus = flat.iter().filter(|c| **c == ProcessTree::Tau).count();
                match op {
                    Operator::Sequence | Operator::Parallel if taus > 0 => {
                        flat.retain(|c| *c != ProcessTree::Tau);
                        if flat.is_empty() {
                            return ProcessTree::Tau;
                        }
                    }
                    Operator::Xor if taus > 1 => {
                        let mut kept_one = false;
                        flat.retain(|c| {
                            if *c != ProcessTree::Tau {
                                return true;
                            }
                            !std::mem::replace(&mut kept_one, true)
                        });
                    }
                    Operator::Loop if taus == flat.len() => return ProcessTree::Tau,
                    _ => {}
                }
                if flat.len() == 1 {
                    return flat.pop().expect("one child");
                }
                ProcessTree::Node(op, flat)
            }
            leaf => leaf,
        }
    }

    /// The tree with the children of every × and ∧ sorted by their own canonical text,
    /// so two trees equal up to that order print the same.
    pub fn canonical(&self) -> ProcessTree {
        match self {
            ProcessTree::Node(op, ch) => {
                let mut ch: Vec<ProcessTree> = ch.iter().map(|c| c.canonical()).collect();
                if matches!(op, Operator::Xor | Operator::Parallel) {
                    ch.sort_by_cached_key(|c| c.to_string());
                }
                ProcessTree::Node(*op, ch)
            }
            leaf => leaf.clone(),
        }
    }

    /// Parses PM4Py's text form, e.g. `->( 'a', X( 'b', tau ) )`.
    pub fn parse(text: &str) -> Result<ProcessTree, String> {
        let mut p = TreeParser {
            s: text.as_bytes(),
            i: 0,
        };
        let tree = p.tree()?;
        p.skip_ws();
        if p.i != p.s.len() {
            return Err(format!("trailing text at byte {}", p.i));
        }
        Ok(tree)
    }
}

/// Prints in PM4Py's notation: `->( 'a', X( 'b', tau ) )`.
impl fmt::Display for ProcessTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProcessTree::Activity(a) => write!(f, "'{a}'"),
            ProcessTree::Tau => f.write_str("tau"),
            ProcessTree::Node(op, ch) => {
                write!(f, "{}( ", op.symbol())?;
                for (i, c) in ch.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str(" )")
            }
        }
    }
}

struct TreeParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl TreeParser<'_> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn tree(&mut self) -> Result<ProcessTree, String> {
        self.skip_ws();
        let rest = &self.s[self.i..];
        if rest.starts_with(b"'") {
            // Labels may contain quotes; a label ends at a quote followed by `,`, `)` or the end.
            let start = self.i + 1;
            let mut j = start;
            loop {
                if j >= self.s.len() {
                    return Err("unterminated label".into());
                }
                if self.s[j] == b'\'' {
                    let mut k = j + 1;
                    while k < self.s.len() && self.s[k] == b' ' {
                        k += 1;
                    }
                    if k >= self.s.len() || self.s[k] == b',' || self.s[k] == b')' {
                        break;
                    }
                }
                j += 1;
            }
            let label = String::from_utf8_lossy(&self.s[start..j]).into_owned();
            self.i = j + 1;
            return Ok(ProcessTree::Activity(label));
        }
        if rest.starts_with(b"tau") {
            self.i += 3;
            return Ok(ProcessTree::Tau);
        }
        let open = rest
            .iter()
            .position(|&b| b == b'(')
            .ok_or("expected operator")?;
        let sym = std::str::from_utf8(&rest[..open]).map_err(|e| e.to_string())?;
        let op =
            Operator::from_symbol(sym.trim()).ok_or_else(|| format!("unknown operator {sym:?}"))?;
        self.i += open + 1;
        let mut children = Vec::new();
        loop {
            self.skip_ws();
            if self.s.get(self.i) == Some(&b')') {
                self.i += 1;
                break;
            }
            children.push(self.tree()?);
            self.skip_ws();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b')') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(format!("expected , or ) at byte {}", self.i)),
            }
        }
        Ok(ProcessTree::Node(op, children))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_print_round_trip() {
        let text = "->( 'a', X( 'b', tau ), *( 'c', 'd' ), +( 'e', 'f' ) )";
        let t = ProcessTree::parse(text).unwrap();
        assert_eq!(t.to_string(), text);
    }

    #[test]
    fn fold_flattens_and_drops_redundant_taus() {
        let t = ProcessTree::parse("->( 'a', ->( tau, 'b' ), X( tau, X( tau, 'c' ) ) )").unwrap();
        assert_eq!(t.fold().to_string(), "->( 'a', 'b', X( tau, 'c' ) )");
    }

    #[test]
    fn canonical_ignores_order_under_xor_and_parallel_only() {
        let a = ProcessTree::parse("X( 'b', 'a' )").unwrap().canonical();
        let b = ProcessTree::parse("X( 'a', 'b' )").unwrap().canonical();
        assert_eq!(a, b);
        let s1 = ProcessTree::parse("->( 'b', 'a' )").unwrap().canonical();
        let s2 = ProcessTree::parse("->( 'a', 'b' )").unwrap().canonical();
        assert_ne!(s1, s2);
    }
}
