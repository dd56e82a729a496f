//! Human-facing output: the SVG process map and the one-file HTML report.

mod format;
mod map;
mod report;

pub use format::{Lang, human_count, human_duration};
pub use map::{MapLabels, MapOptions, process_map_svg};
pub use report::{ReportOptions, report_html};

/// Escapes text for XML/HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}
