//! Analyses over an [`EventLog`](crate::log::EventLog), returned as plain serde-serialisable data.

mod bottlenecks;
mod cases;
mod dfg;
mod stats;
mod summary;
mod variants;

pub use bottlenecks::{
    ActivityWait, Bottlenecks, EdgeWait, Handover, ResourceLoad, ReworkLoop, bottlenecks,
};
pub use cases::{CaseInfo, Cases, cases};
pub use dfg::{ActivityCount, Dfg, DfgEdge, dfg};
pub use stats::{Stats, stats};
pub use summary::{Distribution, quantile_sorted};
pub use variants::{VariantInfo, Variants, variants};
