//! Conformance checking of a log against an accepting Petri net.
//!
//! - [`token_replay`]: PM4Py's token-based replay (silent transitions walked along the
//!   shortest silent paths, missing/remaining tokens counted); log fitness
//!   `½(1 − Σm/Σc) + ½(1 − Σr/Σp)`. Equal to PM4Py's to the last bit on the nets in
//!   `tests/golden` (ours read by PM4Py, and PM4Py's read by us).
//! - [`align_log`]: optimal alignments under the standard cost function (sync 0, log or
//!   visible model move 10 000, silent move 1) with A* on the synchronous product;
//!   log fitness `1 − Σcost / Σ(best-worst cost)` as PM4Py computes it.
//!
//! Both work once per variant and weight the results by the variant's case count.
//!
//! ```
//! use mining::conformance::token_replay;
//! use mining::petri::PetriNet;
//! use mining::trace_log::{TraceLog, Variant};
//!
//! // source -> a -> sink
//! let mut net = PetriNet::new("a");
//! let (i, o) = (net.add_place("source"), net.add_place("sink"));
//! let t = net.add_transition("t_a", Some("a".into()));
//! net.arc_to_transition(i, t, 1);
//! net.arc_to_place(t, o, 1);
//! net.initial_marking[i as usize] = 1;
//! net.final_marking[o as usize] = 1;
//! let log = TraceLog {
//!     activities: vec!["a".into()],
//!     variants: vec![Variant { trace: vec![0], count: 1 }, Variant { trace: vec![0, 0], count: 1 }],
//!     cases: vec![("1".into(), 0), ("2".into(), 1)],
//! };
//! let r = token_replay(&net, &log);
//! assert_eq!(r.fitting_cases, 1);
//! // The second case misses one token and leaves one: ½(1 − 1/3) + ½(1 − 1/3) = 2/3.
//! assert!((r.variants[1].fitness - 2.0 / 3.0).abs() < 1e-12);
//! ```

pub mod alignments;
pub mod token_replay;

pub use alignments::{AlignmentResult, TraceAlignment, align_log};
pub use token_replay::{TokenReplayResult, TraceReplay, token_replay};
