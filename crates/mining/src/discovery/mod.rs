//! Process discovery: the inductive miner (IM, IMf) and the heuristics miner.

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
