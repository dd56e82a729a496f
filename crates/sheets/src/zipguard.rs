//! Inspects an XLSX (ZIP) archive before any parser sees it: entry count, declared sizes and
//! their total, compression ratio, then the ACTUAL bytes each entry inflates to (a lying header
//! is caught because reading stops one byte past the declared size), and no `<!DOCTYPE` or
//! `<!ENTITY` in any part (OOXML never has one, so refusing it removes XXE and entity bombs
//! whatever the XML parser would do with them). Memory stays bounded: entries are streamed
//! through a 64 KiB buffer.
use crate::{Limits, SheetError};
use std::io::{Cursor, Read};

const RATIO_FLOOR: u64 = 1024 * 1024;

pub(crate) fn check(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let bad =
        |e: zip::result::ZipError| SheetError::Malformed(format!("not a valid XLSX file ({e})"));
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    if zip.len() > limits.max_entries {
        return Err(SheetError::ZipBomb(format!(
            "it has {} parts (at most {})",
            zip.len(),
            limits.max_entries
        )));
    }
    let mut declared_total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(bad)?;
        let (size, packed) = (f.size(), f.compressed_size().max(1));
        declared_total = declared_total.saturating_add(size);
        if size > RATIO_FLOOR && size / packed > limits.max_ratio {
            return Err(SheetError::ZipBomb(format!(
                "{} compresses {}:1 (at most {}:1)",
                f.name(),
                size / packed,
                limits.max_ratio
            )));
        }
    }
    if declared_total > limits.max_uncompressed {
        return Err(unpacks_too_much(limits));
    }
    let mut actual_total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(bad)?;
        let name = f.name().to_string();
        let declared = f.size();
        let mut seen: u64 = 0;
        let mut tail: Vec<u8> = Vec::new();
        let xml = name.ends_with(".xml") || name.ends_with(".rels") || name.ends_with(".vml");
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(SheetError::Malformed(format!("{name}: {e}"))),
            };
            seen += n as u64;
            actual_total += n as u64;
            if seen > declared || actual_total > limits.max_uncompressed {
                return Err(unpacks_too_much(limits));
            }
            if xml {
                // Search the chunk with the previous chunk's last bytes in front, so a marker
                // split across two reads is still found.
                tail.extend_from_slice(&buf[..n]);
                if has_dtd(&tail) {
                    return Err(SheetError::Doctype { entry: name });
                }
                let keep = tail.len().saturating_sub(16);
                tail.drain(..keep);
            }
        }
    }
    Ok(())
}

fn unpacks_too_much(limits: &Limits) -> SheetError {
    SheetError::ZipBomb(format!(
        "it unpacks to more than {} MiB",
        limits.max_uncompressed / (1024 * 1024)
    ))
}

fn has_dtd(hay: &[u8]) -> bool {
    hay.windows(9).any(|w| w.eq_ignore_ascii_case(b"<!doctype"))
        || hay.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!entity"))
}
