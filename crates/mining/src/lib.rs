//! Process-mining engine: event logs, importers, DFG, variants, discovery, conformance.
//! No dependency on the opsdesk application.
//!
//! # Shape
//!
//! - [`log::EventLog`]: a compact columnar log. Case ids, activities and resources are interned
//!   to dense `u32`; times are epoch milliseconds (UTC); the events of a case are contiguous and
//!   ordered by time, with equal times kept in file order, as PM4Py orders them. About 20 bytes
//!   per event; other attributes are kept only when asked for (`filter` needs them).
//! - [`import`]: streaming importers for CSV (column choice or recognised names, timestamp
//!   formats and zones, UTF-8 with or without BOM, GBK/GB18030, delimiter detection), XES
//!   (plain or gzip, parsed in parallel chunks of whole traces) and OCEL 2.0 JSON/XML flattened
//!   on one object type. Bad rows stop the import with file, line and reason, or are skipped
//!   and reported ([`import::OnError`]).
//! - [`analysis`]: statistics, the directly-follows graph with waiting-time statistics,
//!   variants, case durations and rework, bottlenecks — each a plain serde-serialisable struct.
//! - [`filter`] and [`export`]: smaller logs written as CSV or XES, so analyses can be chained.
//! - [`render`]: the SVG process map and the one-file HTML report (English or Simplified Chinese).
//! - [`trace_log::TraceLog`]: the control-flow view handed to discovery and conformance
//!   ([`log::EventLog::to_trace_log`]).
//! - [`cli`]: `opsdesk mine <command> <LOG> [--json]`.
//!
//! # Example
//!
//! ```
//! use mining::analysis::{dfg, variants};
//! use mining::import::{LoadOptions, load};
//!
//! # fn main() -> anyhow::Result<()> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("tickets.csv");
//! std::fs::write(
//!     &path,
//!     "case_id,activity,timestamp,resource\n\
//!      T1,open,2024-03-01 09:00:00,Ann\n\
//!      T2,open,2024-03-01 09:30:00,Bob\n\
//!      T1,resolve,2024-03-01 11:00:00,Ann\n\
//!      T2,resolve,2024-03-01 10:30:00,Ann\n",
//! )?;
//! let log = load(&path, &LoadOptions::default())?.log;
//! assert_eq!((log.num_cases(), log.num_events()), (2, 4));
//!
//! let graph = dfg(&log);
//! let edge = &graph.edges[0];
//! assert_eq!((edge.source.as_str(), edge.target.as_str(), edge.count), ("open", "resolve", 2));
//! assert_eq!(edge.mean_seconds, 5400.0); // 2 h and 1 h
//!
//! let v = variants(&log, None);
//! assert_eq!(v.variants[0].activities, ["open", "resolve"]);
//! assert_eq!(v.variants[0].count, 2);
//!
//! // The same facts as JSON, in the documented `dfg --json` schema.
//! let json = serde_json::to_value(&graph)?;
//! assert_eq!(json["edges"][0]["median_seconds"], 5400.0);
//! # Ok(())
//! # }
//! ```
//!
//! # Agreement with PM4Py
//!
//! PM4Py is the oracle (`scripts/oracle-mining.sh`; golden files in `tests/golden`). Activity,
//! edge, start/end and variant counts are equal, and edge mean and median durations agree within
//! 1e-6 relative, on the running example (CSV and XES), receipt, BPI Challenge 2012, helpdesk,
//! the OCEL 2.0 example flattened on each object type, and generated logs. Conventions that make
//! this so, and the differences that remain:
//!
//! - An edge's duration is the next event's start (its completion when there are no start
//!   timestamps) minus this event's completion, clipped at zero; medians and the 90th percentile
//!   interpolate linearly (pandas/numpy).
//! - Timestamps keep millisecond precision (finer digits are dropped). A mean over durations
//!   with microseconds could then differ from PM4Py's in the 7th digit; none of the logs has any.
//! - A case's duration is its last completion minus its first completion (PM4Py's default).
//! - XES: every lifecycle transition is an event, as in `pm4py.read_xes`
//!   (`--lifecycle complete` keeps only `complete` events).
//! - OCEL: PM4Py's `get_variants` on the frame `ocel_flattening` returns (in global time order,
//!   not grouped by case) glues events of different objects into one trace; after
//!   `format_dataframe` PM4Py agrees with its own DFG and with us. The oracle does that.
//! - CSV with mixed UTC offsets in one column: both sides convert to UTC first.

pub mod analysis;
pub mod cli;
pub mod cli_models;
pub mod conformance;
pub mod discovery;
pub mod export;
pub mod filter;
pub mod import;
pub mod log;
pub mod petri;
pub mod pnml;
pub mod render;
pub mod time;
pub mod trace_log;
