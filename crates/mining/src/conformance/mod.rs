//! Conformance checking: token-based replay and optimal alignments.

pub mod alignments;
pub mod token_replay;

pub use alignments::{AlignmentResult, TraceAlignment, align_log};
pub use token_replay::{TokenReplayResult, TraceReplay, token_replay};
