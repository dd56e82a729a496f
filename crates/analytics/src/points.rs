//! Columnar data points of many KPIs.

use crate::calendar::Day;
use foldhash::HashMap;
use serde::{Deserialize, Serialize};

/// Data points of many KPIs, stored column by column: point `i` is
/// `(kpi_names[kpi[i]], day[i], value[i])`. NaN values mean "no value" and are skipped by rollups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Points {
    /// KPI names; a KPI id is an index into this list.
    pub kpi_names: Vec<String>,
    pub kpi: Vec<u32>,
    pub day: Vec<Day>,
    pub value: Vec<f64>,
}

impl Points {
    /// Builds points from `(kpi, day, value)` rows, with KPI ids in name order so that rollup rows
    /// come out ordered by KPI name.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (&'a str, Day, f64)>) -> Self {
        let mut interner = KpiInterner::default();
        let mut points = Points::default();
        for (name, day, value) in rows {
            points.kpi.push(interner.intern(name.as_bytes()));
            points.day.push(day);
            points.value.push(value);
        }
        points.kpi_names = interner.into_names();
        points.sort_kpi_ids_by_name();
        points
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.kpi.len()
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.kpi.is_empty()
    }

    /// Renumbers KPI ids so that they follow the byte order of the names.
    pub fn sort_kpi_ids_by_name(&mut self) {
        let mut order: Vec<u32> = (0..self.kpi_names.len() as u32).collect();
        order
            .sort_unstable_by(|&a, &b| self.kpi_names[a as usize].cmp(&self.kpi_names[b as usize]));
        if order.iter().enumerate().all(|(i, &o)| i as u32 == o) {
            return;
        }
        let mut new_id = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        for id in &mut self.kpi {
            *id = new_id[*id as usize];
        }
        let mut names = std::mem::take(&mut self.kpi_names);
        self.kpi_names = order
            .iter()
            .map(|&old| std::mem::take(&mut names[old as usize]))
            .collect();
    }
}

/// Turns KPI names into dense ids in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct KpiInterner {
    ids: HashMap<Box<[u8]>, u32>,
    names: Vec<Box<[u8]>>,
    // Input is usually grouped by KPI, so the previous id is the likely answer.
    last: Option<u32>,
}

impl KpiInterner {
    pub(crate) fn intern(&mut self, name: &[u8]) -> u32 {
        if let Some(last) = self.last
            && *self.names[last as usize] == *name
        {
            return last;
        }
        let id = match self.ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as u32;
                self.names.push(name.into());
                self.ids.insert(name.into(), id);
                id
            }
        };
        self.last = Some(id);
        id
    }

    pub(crate) fn names(&self) -> &[Box<[u8]>] {
        &self.names
    }

    /// Names in id order; invalid UTF-8 is replaced rather than refused because names are labels.
    pub(crate) fn into_names(self) -> Vec<String> {
        self.names
            .into_iter()
            .map(|n| String::from_utf8_lossy(&n).into_owned())
            .collect()
    }
}
