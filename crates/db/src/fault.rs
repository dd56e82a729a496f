//! Deliberate faults for the reliability harness; compiled only with the `fault-injection`
//! feature, which no product build enables.
//!
//! `ack_before_commit` makes `Tx::commit` return at once and commit later in the background: the
//! server then acknowledges a write that a crash can still lose. The crash harness must catch
//! this (its negative control); if it did not, its positive result would mean nothing.
use std::sync::atomic::{AtomicU64, Ordering};

static ACK_BEFORE_COMMIT_MS: AtomicU64 = AtomicU64::new(0);

/// Acknowledge commits `delay_ms` before they happen (0 turns the fault off).
pub fn set_ack_before_commit(delay_ms: u64) {
    ACK_BEFORE_COMMIT_MS.store(delay_ms, Ordering::SeqCst);
}

pub(crate) fn ack_before_commit() -> Option<std::time::Duration> {
    match ACK_BEFORE_COMMIT_MS.load(Ordering::SeqCst) {
        0 => None,
        ms => Some(std::time::Duration::from_millis(ms)),
    }
}
