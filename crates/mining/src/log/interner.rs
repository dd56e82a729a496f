//! String interning: every distinct name gets a dense `u32` id.

use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Maps strings to dense ids `0..len()` in first-seen order, storing each string once.
///
/// Strings live in one arena (`bytes` + end offsets) rather than one allocation each, which keeps
/// 10⁵–10⁶ distinct case ids cheap. The hasher is foldhash: ids such as `C0000001` differ only in
/// a few bytes, and a hasher without a finaliser puts them all in the same buckets.
#[derive(Clone, Default)]
pub struct Interner {
    bytes: String,
    ends: Vec<usize>,
    table: HashTable<u32>,
    hasher: foldhash::fast::FixedState,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Interner {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Interner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The string with id `id`. Panics if `id` is out of range.
    pub fn get(&self, id: u32) -> &str {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        &self.bytes[start..self.ends[id]]
    }

    /// The id of `s`, if it was interned.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(s.as_bytes());
        self.table
            .find(hash, |&id| self.get(id).as_bytes() == s.as_bytes())
            .copied()
    }

    /// The id of `s`, interning it if new.
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_bytes(s.as_bytes())
            .expect("a str is valid UTF-8")
    }

    /// The id of the UTF-8 text `b`, interning it if new. Bytes are validated only when they
    /// are new, so importers can look up repeated names without decoding them each time.
    pub fn intern_bytes(&mut self, b: &[u8]) -> Result<u32, std::str::Utf8Error> {
        let hash = self.hasher.hash_one(b);
        let Self {
            bytes,
            ends,
            table,
            hasher,
        } = self;
        let name_of = |id: u32| -> &[u8] {
            let id = id as usize;
            let start = if id == 0 { 0 } else { ends[id - 1] };
            &bytes.as_bytes()[start..ends[id]]
        };
        if let Some(&id) = table.find(hash, |&id| name_of(id) == b) {
            return Ok(id);
        }
        let s = std::str::from_utf8(b)?;
        let id = u32::try_from(ends.len()).expect("more than 4 billion distinct names");
        bytes.push_str(s);
        ends.push(bytes.len());
        let (bytes, ends) = (&*bytes, &*ends);
        table.insert_unique(hash, id, |&other| {
            let o = other as usize;
            let start = if o == 0 { 0 } else { ends[o - 1] };
            hasher.hash_one(&bytes.as_bytes()[start..ends[o]])
        });
        Ok(id)
    }

    /// All strings in id order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len() as u32).map(move |id| self.get(id))
    }

    /// Owned copies of all strings in id order.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut i = Interner::new();
        assert_eq!(i.intern("b"), 0);
        assert_eq!(i.intern("a"), 1);
        assert_eq!(i.intern("b"), 0);
        assert_eq!(i.intern(""), 2);
        assert_eq!(i.len(), 3);
        assert_eq!(i.get(1), "a");
        assert_eq!(i.get(2), "");
        assert_eq!(i.lookup("a"), Some(1));
        assert_eq!(i.lookup("zz"), None);
        assert_eq!(i.intern_bytes(b"a"), Ok(1));
        assert!(i.intern_bytes(b"\xff").is_err());
        assert_eq!(i.len(), 3);
    }

    #[test]
    fn many_similar_ids_round_trip() {
        let mut i = Interner::new();
        for n in 0..50_000 {
            assert_eq!(i.intern(&format!("C{n:07}")), n);
        }
        for n in (0..50_000).step_by(997) {
            assert_eq!(i.lookup(&format!("C{n:07}")), Some(n));
        }
    }
}
