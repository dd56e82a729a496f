//! Which file column holds which field: a module declares its columns with their Chinese and
//! English names; headers are matched ignoring case, spaces, `_`/`-`, a trailing `*` (the
//! template's "required" mark) and full-width forms (`ＥＭＡＩＬ`, `工号　`), and a user can
//! correct the result.
use crate::Row;

/// One field a module imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The stable key (also the API's field name), e.g. `employee_no`.
    pub key: &'static str,
    pub required: bool,
    /// Header names that mean this column, in any language: `["工号", "员工编号", "employee no"]`.
    pub names: &'static [&'static str],
}

/// The form a header is compared in.
pub fn normalize_header(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && !matches!(c, '_' | '-' | '*' | '.' | ':' | '：'))
        .collect()
}

/// For each file column, the key it is mapped to (or none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    pub assigned: Vec<Option<&'static str>>,
}

impl Mapping {
    /// Maps each header to the first column whose key or names match; a key already taken by
    /// an earlier column is not given twice (the later column stays unmapped).
    pub fn auto(spec: &[Column], header: &[String]) -> Mapping {
        let mut assigned: Vec<Option<&'static str>> = Vec::with_capacity(header.len());
        for h in header {
            let n = normalize_header(h);
            let key = (!n.is_empty())
                .then(|| {
                    spec.iter().find(|c| {
                        normalize_header(c.key) == n
                            || c.names.iter().any(|name| normalize_header(name) == n)
                    })
                })
                .flatten()
                .map(|c| c.key)
                .filter(|k| !assigned.contains(&Some(*k)));
            assigned.push(key);
        }
        Mapping { assigned }
    }

    /// A mapping chosen by the user: one entry per file column, a key or empty for "ignore".
    /// Unknown keys are refused with the column they were given for (1-based).
    pub fn explicit(
        spec: &[Column],
        header_len: usize,
        choice: &[Option<String>],
    ) -> Result<Mapping, (usize, String)> {
        let mut assigned = vec![None; header_len];
        for (i, c) in choice.iter().enumerate().take(header_len) {
            let Some(k) = c.as_deref().map(str::trim).filter(|k| !k.is_empty()) else {
                continue;
            };
            let col = spec
                .iter()
                .find(|s| s.key == k)
                .ok_or_else(|| (i + 1, k.to_string()))?;
            assigned[i] = Some(col.key);
        }
        Ok(Mapping { assigned })
    }

    /// Required keys no column is mapped to.
    pub fn missing(&self, spec: &[Column]) -> Vec<&'static str> {
        spec.iter()
            .filter(|c| c.required && !self.assigned.contains(&Some(c.key)))
            .map(|c| c.key)
            .collect()
    }

    /// Keys mapped from more than one column.
    pub fn duplicates(&self) -> Vec<&'static str> {
        let mut seen = Vec::new();
        let mut dup = Vec::new();
        for k in self.assigned.iter().flatten() {
            if seen.contains(k) {
                if !dup.contains(k) {
                    dup.push(*k);
                }
            } else {
                seen.push(*k);
            }
        }
        dup
    }

    /// Headers (with their 0-based index) that carry a name but no mapping.
    pub fn unmapped<'h>(&self, header: &'h [String]) -> Vec<(usize, &'h str)> {
        header
            .iter()
            .enumerate()
            .filter(|(i, h)| {
                !h.trim().is_empty() && self.assigned.get(*i).is_none_or(Option::is_none)
            })
            .map(|(i, h)| (i, h.as_str()))
            .collect()
    }

    pub fn column_of(&self, key: &str) -> Option<usize> {
        self.assigned.iter().position(|k| *k == Some(key))
    }

    pub fn record<'a>(&'a self, row: &'a Row) -> Record<'a> {
        Record { mapping: self, row }
    }
}

/// A data row seen through a mapping.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    mapping: &'a Mapping,
    row: &'a Row,
}

impl<'a> Record<'a> {
    /// The cell of `key`; `None` when unmapped or blank.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        let i = self.mapping.column_of(key)?;
        self.row
            .cells
            .get(i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn number(&self) -> usize {
        self.row.number
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &[Column] = &[
        Column {
            key: "employee_no",
            required: true,
            names: &["工号", "员工编号", "Employee no", "employee number"],
        },
        Column {
            key: "name",
            required: true,
            names: &["姓名", "Name"],
        },
        Column {
            key: "email",
            required: false,
            names: &["邮箱", "电子邮件", "E-mail"],
        },
    ];

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn matches_synonyms_case_space_and_full_width() {
        let header = h(&["员工编号 *", "ＥＭＡＩＬ", "备注", "NAME　"]);
        let m = Mapping::auto(SPEC, &header);
        assert_eq!(
            m.assigned,
            vec![Some("employee_no"), Some("email"), None, Some("name")]
        );
        assert!(m.missing(SPEC).is_empty());
        assert_eq!(m.unmapped(&header), vec![(2, "备注")]);
        let m = Mapping::auto(SPEC, &h(&["Employee_No", "工号", "e-mail"]));
        assert_eq!(m.assigned, vec![Some("employee_no"), None, Some("email")]);
        assert_eq!(m.missing(SPEC), vec!["name"]);
    }

    #[test]
    fn explicit_mapping_is_checked() {
        let m =
            Mapping::explicit(SPEC, 3, &[Some("name".into()), None, Some("name".into())]).unwrap();
        assert_eq!(m.duplicates(), vec!["name"]);
        assert_eq!(
            Mapping::explicit(SPEC, 2, &[None, Some("salary".into())]),
            Err((2, "salary".into()))
        );
        let row = Row {
            number: 7,
            cells: h(&["Ann", "", "x"]),
        };
        let r = m.record(&row);
        assert_eq!(
            (r.get("name"), r.get("email"), r.number()),
            (Some("Ann"), None, 7)
        );
    }
}
