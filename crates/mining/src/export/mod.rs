//! Writers for filtered logs, so analyses can be chained (`filter` → any command).

mod csv;
mod xes;

pub use self::csv::write_csv;
pub use xes::write_xes;

use crate::log::EventLog;
use std::path::Path;

/// Writes `log` as CSV or XES (chosen by the file name; `.xes.gz` is compressed).
pub fn write_log(log: &EventLog, path: &Path) -> anyhow::Result<()> {
    let name = path.to_string_lossy().to_lowercase();
    let file = std::fs::File::create(path)?;
    let out = std::io::BufWriter::with_capacity(1 << 16, file);
    if name.ends_with(".xes.gz") {
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
        write_xes(log, &mut gz)?;
        gz.finish()?;
        Ok(())
    } else if name.ends_with(".xes") {
        write_xes(log, out)
    } else {
        write_csv(log, out)
    }
}
