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
    // Names of up to 15 bytes (nearly all KPI codes) are packed into one integer: hashing and
    // comparing them needs no memory access beyond the name itself.
    short_ids: HashMap<u128, u32>,
    long_ids: HashMap<Box<[u8]>, u32>,
    names: Vec<Box<[u8]>>,
    // Input is often grouped by KPI, so the previous id is a likely answer.
    last: Option<(u128, u32)>,
}

/// `name` packed with its length in the last byte, so different names never collide.
#[inline]
fn pack_short(name: &[u8]) -> Option<u128> {
    (name.len() < 16).then(|| {
        let mut bytes = [0u8; 16];
        bytes[..name.len()].copy_from_slice(name);
        bytes[15] = name.len() as u8;
        u128::from_le_bytes(bytes)
    })
}

/// Like [`pack_short`] for the first `len` bytes of `text`, with one 16-byte load when `text` is
/// long enough (building the key byte by byte in memory and reading it back stalls the CPU).
#[inline]
pub(crate) fn pack_prefix(text: &[u8], len: usize) -> Option<u128> {
    if len >= 16 {
        return None;
    }
    let Some(head) = text.first_chunk::<16>() else {
        return pack_short(&text[..len]);
    };
    let mask = (1u128 << (8 * len)) - 1;
    Some((u128::from_le_bytes(*head) & mask) | ((len as u128) << 120))
}

impl KpiInterner {
    /// Id of the KPI named `name`, where `packed` is `pack_short(name)`.
    #[inline]
    pub(crate) fn intern_packed(&mut self, packed: u128, name: &[u8]) -> u32 {
        debug_assert_eq!(Some(packed), pack_short(name));
        if let Some((last, id)) = self.last
            && last == packed
        {
            return id;
        }
        let id = match self.short_ids.get(&packed) {
            Some(&id) => id,
            None => {
                let id = self.push(name);
                self.short_ids.insert(packed, id);
                id
            }
        };
        self.last = Some((packed, id));
        id
    }

    pub(crate) fn intern(&mut self, name: &[u8]) -> u32 {
        let Some(packed) = pack_short(name) else {
            return match self.long_ids.get(name) {
                Some(&id) => id,
                None => {
                    let id = self.push(name);
                    self.long_ids.insert(name.into(), id);
                    id
                }
            };
        };
        self.intern_packed(packed, name)
    }

    fn push(&mut self, name: &[u8]) -> u32 {
        self.names.push(name.into());
        (self.names.len() - 1) as u32
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_names_get_stable_distinct_ids() {
        let mut interner = KpiInterner::default();
        let names: [&[u8]; 6] = [
            b"a",
            b"a\0",
            b"",
            b"exactly15bytes!",
            b"sixteen-bytes-ok",
            b"a much longer KPI name",
        ];
        let ids: Vec<u32> = names.iter().map(|n| interner.intern(n)).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5]);
        let again: Vec<u32> = names.iter().rev().map(|n| interner.intern(n)).collect();
        assert_eq!(again, [5, 4, 3, 2, 1, 0]);
        assert_eq!(interner.names()[4].as_ref(), b"sixteen-bytes-ok");
        let line = b"exactly15bytes!,2026-01-01,1";
        assert_eq!(pack_prefix(line, 15), pack_short(b"exactly15bytes!"));
        assert_eq!(pack_prefix(line, 3), pack_short(b"exa"));
        assert_eq!(pack_prefix(b"ab,", 2), pack_short(b"ab"));
        assert_eq!(pack_prefix(line, 16), None);
    }
}
