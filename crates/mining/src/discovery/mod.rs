//! Process discovery: the Inductive Miner (IM, IMf) and the Heuristics Miner.
//!
//! Both work on a [`TraceLog`](crate::trace_log::TraceLog) (variants with counts), so their
//! cost depends on the number of distinct traces, not on the number of events.
//!
//! ```
//! use mining::conformance::{align_log, token_replay};
//! use mining::discovery::{discover_process_tree, process_tree_to_petri_net, InductiveVariant};
//! use mining::trace_log::{TraceLog, Variant};
//!
//! let log = TraceLog {
//!     activities: vec!["a".into(), "b".into(), "c".into()],
//!     variants: vec![Variant { trace: vec![0, 1, 2], count: 3 }, Variant { trace: vec![0, 2, 1], count: 1 }],
//!     cases: vec![("1".into(), 0), ("2".into(), 0), ("3".into(), 0), ("4".into(), 1)],
//! };
//! let tree = discover_process_tree(&log, InductiveVariant::Im);
//! assert_eq!(tree.to_string(), "->( 'a', +( 'b', 'c' ) )");
//! let net = process_tree_to_petri_net(&tree);
//! assert_eq!(token_replay(&net, &log).log_fitness, 1.0);
//! assert_eq!(align_log(&net, &log).fitting_cases, 4);
//! ```
//!
//! # Agreement with PM4Py
//!
//! The inductive miner reproduces PM4Py 2.7's cut detection, log splitting, fall-throughs
//! and IMf filtering step by step, and its trees equal PM4Py's up to the order of children
//! under × and ∧ on the running example, receipt and generated logs (see
//! `tests/oracle_models.rs`). The remaining differences are deliberate:
//!
//! - PM4Py orders × and ∧ children by an MD5 sum of their labels; we keep discovery order.
//!   Both are the same tree; compare with [`ProcessTree::canonical`].
//! - Where PM4Py depends on Python's per-run string hashing (which element of a sequence
//!   group it inspects, ties between equally long silent paths) we use the smallest
//!   activity name or arc order. PM4Py can differ from itself between runs there.
//! - A strict sequence cut that collapses to a single group is treated as no cut (PM4Py
//!   would recurse on the same log forever).
//! - The tree-to-net conversion follows PM4Py's block construction but skips its final
//!   structural reductions, so nets have a few more silent transitions and places; the
//!   language is the same. Token replay is therefore compared with PM4Py on *our* nets
//!   (PM4Py reads our PNML) and on PM4Py's own nets (we read its PNML).
//! - The heuristics net (dependency values, arcs, loops of length two, AND-bindings) equals
//!   PM4Py's; its Petri net likewise skips PM4Py's final reductions.

pub mod heuristics;
pub mod inductive;
mod inductive_cuts;
mod inductive_log;
pub mod process_tree;
pub mod tree_to_net;

pub use heuristics::{
    HeuristicsConfig, HeuristicsNet, discover_heuristics_net, heuristics_to_petri_net,
};
pub use inductive::{InductiveVariant, discover_process_tree};
pub use process_tree::{Operator, ProcessTree};
pub use tree_to_net::process_tree_to_petri_net;
