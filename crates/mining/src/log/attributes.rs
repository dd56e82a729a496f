//! Extra event and case attributes, stored as columns of small tagged values.

use super::interner::Interner;

/// One attribute value. Text is interned in the owning [`AttributeTable`], so a value is 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttrValue {
    Missing,
    Text(u32),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Epoch milliseconds, UTC.
    Date(i64),
}

/// A named column with one value per row (an event or a case).
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeColumn {
    pub name: String,
    pub values: Vec<AttrValue>,
}

/// Columns of attributes over a fixed set of rows, sharing one text dictionary.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttributeTable {
    pub columns: Vec<AttributeColumn>,
    pub text: Interner,
    rows: usize,
}

impl AttributeTable {
    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn column(&self, name: &str) -> Option<&AttributeColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Renders a value as text (dates as RFC 3339 UTC); `None` when missing.
    pub fn display(&self, value: AttrValue) -> Option<String> {
        Some(match value {
            AttrValue::Missing => return None,
            AttrValue::Text(id) => self.text.get(id).to_owned(),
            AttrValue::Int(v) => v.to_string(),
            AttrValue::Float(v) => v.to_string(),
            AttrValue::Bool(v) => v.to_string(),
            AttrValue::Date(ms) => crate::time::format_rfc3339(ms),
        })
    }

    /// Starts a new row where every column is missing until set.
    pub fn push_row(&mut self) {
        self.rows += 1;
    }

    /// Makes sure row `row` exists (rows are appended as needed).
    pub fn ensure_rows(&mut self, rows: usize) {
        self.rows = self.rows.max(rows);
    }

    fn column_index(&mut self, name: &str) -> usize {
        if let Some(i) = self.columns.iter().position(|c| c.name == name) {
            return i;
        }
        self.columns.push(AttributeColumn {
            name: name.to_owned(),
            values: Vec::new(),
        });
        self.columns.len() - 1
    }

    /// Sets `name` on `row`, which must be `< rows()`.
    pub fn set(&mut self, row: usize, name: &str, value: AttrValue) {
        let c = self.column_index(name);
        let values = &mut self.columns[c].values;
        if values.len() <= row {
            values.resize(row + 1, AttrValue::Missing);
        }
        values[row] = value;
    }

    /// Sets a text value on `row`, interning it.
    pub fn set_text(&mut self, row: usize, name: &str, value: &str) {
        let id = self.text.intern(value);
        self.set(row, name, AttrValue::Text(id));
    }

    /// The value of column `c` on `row`.
    pub fn value(&self, c: usize, row: usize) -> AttrValue {
        self.columns[c]
            .values
            .get(row)
            .copied()
            .unwrap_or(AttrValue::Missing)
    }

    /// Pads every column to `rows()` values so rows can be gathered by index.
    pub fn finish(&mut self) {
        for c in &mut self.columns {
            c.values.resize(self.rows, AttrValue::Missing);
        }
    }

    /// A table holding rows `order[0], order[1], …` of this one (the dictionary is shared by copy).
    pub fn gather(&self, order: &[u32]) -> AttributeTable {
        let columns = self
            .columns
            .iter()
            .map(|c| AttributeColumn {
                name: c.name.clone(),
                values: order
                    .iter()
                    .map(|&r| {
                        c.values
                            .get(r as usize)
                            .copied()
                            .unwrap_or(AttrValue::Missing)
                    })
                    .collect(),
            })
            .collect();
        AttributeTable {
            columns,
            text: self.text.clone(),
            rows: order.len(),
        }
    }
}
