//! Streaming importers: CSV, XES (plain or gzip) and OCEL 2.0 (JSON or XML, flattened).

mod csv;
mod ocel;
mod xes;

use crate::log::EventLog;
use crate::time::TimeParser;
use anyhow::{Context, bail};
use std::io::Read;
use std::path::Path;

pub use self::csv::{CsvColumns, read_csv};
pub use ocel::{read_ocel_json, read_ocel_xml};
pub use xes::read_xes;

/// File formats the importers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Xes,
    OcelJson,
    OcelXml,
}

/// What to do with a row or event that cannot be read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OnError {
    /// Stop with the file, line and reason.
    #[default]
    Stop,
    /// Skip it and report how many were skipped, and which (the first few).
    Skip,
}

/// Which XES lifecycle transitions to keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lifecycle {
    /// Every event, whatever its `lifecycle:transition` (PM4Py's default).
    #[default]
    All,
    /// Only events whose transition is `complete` (or that have none).
    Complete,
}

/// Everything that controls how a log file is read.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `None`: from the file name, then from the content.
    pub format: Option<Format>,
    pub columns: CsvColumns,
    pub time: TimeParser,
    /// `None`: UTF-8 (BOM optional), else GB18030 when the start of the file is not UTF-8.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// `None`: detected from the header line.
    pub delimiter: Option<u8>,
    pub on_error: OnError,
    /// OCEL: the object type whose objects become cases.
    pub object_type: Option<String>,
    /// Keep attributes other than case, activity, time and resource (needed by `filter`).
    pub keep_attributes: bool,
    pub lifecycle: Lifecycle,
}

/// Rows skipped under `--on-error skip`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SkipReport {
    pub skipped: usize,
    /// `file:line: reason` of the first [`SkipReport::KEEP`] skipped rows.
    pub first: Vec<String>,
}

impl SkipReport {
    pub const KEEP: usize = 10;
}

/// A loaded log and what was skipped on the way.
#[derive(Debug)]
pub struct Loaded {
    pub log: EventLog,
    pub skipped: SkipReport,
}

/// Applies the `--on-error` policy and keeps the report.
pub(crate) struct Problems<'a> {
    path: &'a Path,
    policy: OnError,
    report: SkipReport,
}

impl<'a> Problems<'a> {
    pub(crate) fn new(path: &'a Path, policy: OnError) -> Self {
        Self {
            path,
            policy,
            report: SkipReport::default(),
        }
    }

    /// Records a bad row at `line`: an error under `Stop`, a note under `Skip`.
    pub(crate) fn bad(&mut self, line: u64, reason: impl std::fmt::Display) -> anyhow::Result<()> {
        let msg = format!("{}:{line}: {reason}", self.path.display());
        match self.policy {
            OnError::Stop => bail!("{msg}"),
            OnError::Skip => {
                self.report.skipped += 1;
                if self.report.first.len() < SkipReport::KEEP {
                    self.report.first.push(msg);
                }
                Ok(())
            }
        }
    }

    /// Whether the next problem will be shown (so computing its line number is worth it).
    pub(crate) fn wants_detail(&self) -> bool {
        self.policy == OnError::Stop || self.report.first.len() < SkipReport::KEEP
    }

    pub(crate) fn finish(self) -> SkipReport {
        self.report
    }
}

/// Reads a log file in any supported format.
pub fn load(path: &Path, options: &LoadOptions) -> anyhow::Result<Loaded> {
    let format = match options.format {
        Some(f) => f,
        None => detect_format(path)?,
    };
    match format {
        Format::Csv => read_csv(path, options),
        Format::Xes => read_xes(path, options),
        Format::OcelJson => read_ocel_json(path, options),
        Format::OcelXml => read_ocel_xml(path, options),
    }
}

/// Picks the format from the file name, or from the first bytes when the name says nothing.
pub fn detect_format(path: &Path) -> anyhow::Result<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    for (suffix, format) in [
        (".csv", Format::Csv),
        (".tsv", Format::Csv),
        (".txt", Format::Csv),
        (".xes", Format::Xes),
        (".jsonocel", Format::OcelJson),
        (".xmlocel", Format::OcelXml),
        (".json", Format::OcelJson),
    ] {
        if name.ends_with(suffix) {
            return Ok(format);
        }
    }
    let mut head = vec![0u8; 4096];
    let n = open_maybe_gz(path)?.read(&mut head)?;
    let head = String::from_utf8_lossy(&head[..n]);
    Ok(if head.trim_start().starts_with('{') {
        Format::OcelJson
    } else if head.contains("<log") && head.contains("<object-types") {
        Format::OcelXml
    } else if head.contains("<log") || head.contains("<trace") {
        Format::Xes
    } else {
        Format::Csv
    })
}

/// Opens a file, transparently decompressing gzip (detected by its magic bytes).
pub(crate) fn open_maybe_gz(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    let mut f =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic)?;
    let f = std::io::Cursor::new(magic[..n].to_vec()).chain(f);
    Ok(if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(
            std::io::BufReader::with_capacity(1 << 16, f),
        ))
    } else {
        Box::new(f)
    })
}

/// The 1-based line of byte `offset` in the (decompressed) file; used only to report errors.
pub(crate) fn line_of_offset(path: &Path, offset: u64) -> u64 {
    let Ok(r) = open_maybe_gz(path) else { return 0 };
    let mut line = 1;
    let mut r = std::io::BufReader::new(r.take(offset));
    let mut buf = [0u8; 1 << 16];
    while let Ok(n) = r.read(&mut buf) {
        if n == 0 {
            break;
        }
        line += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
    }
    line
}
