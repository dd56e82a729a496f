//! Cursor pagination shared by every list: the API returns `next_cursor`, pages link to it.
use serde::Serialize;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Opaque; pass back as `cursor` for the next page. `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Clamps a requested page size into 1..=MAX_LIMIT.
pub fn clamp_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
}

/// A keyset cursor: the sort key of the last row (as text) and its id, hex-encoded so it is
/// opaque and URL-safe. Decoding never trusts it beyond these two values.
pub fn encode_cursor(sort_key: &str, id: i64) -> String {
    let raw = format!("{id}\u{1f}{sort_key}");
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

pub fn decode_cursor(c: &str) -> Option<(String, i64)> {
    if !c.len().is_multiple_of(2) || c.len() > 2048 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..c.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(c.get(i..i + 2)?, 16).ok())
        .collect();
    let s = String::from_utf8(bytes?).ok()?;
    let (id, key) = s.split_once('\u{1f}')?;
    Some((key.to_string(), id.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_garbage() {
        let c = encode_cursor("2026-01-05", 42);
        assert_eq!(decode_cursor(&c), Some(("2026-01-05".into(), 42)));
        assert_eq!(decode_cursor("zz"), None);
        assert_eq!(decode_cursor("abc"), None);
        assert_eq!(clamp_limit(Some(10_000)), MAX_LIMIT);
        assert_eq!(clamp_limit(Some(0)), 1);
    }
}
