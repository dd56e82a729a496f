//! Exports of list views: the rows a list shows — same filters, same access policy, every page
//! (bounded) — as CSV (UTF-8 with BOM) or XLSX, cells neutralised against formula injection.
//!
//! A module's list handler (page or API) adds `format` to its query; when it is `csv` or `xlsx`
//! it gathers every page with [`all_pages`] from the SAME service call the list uses and answers
//! with [`respond`] instead of rendering.
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kernel::page::Page;
use kernel::{AppError, AppResult};
use serde::Deserialize;
use std::future::Future;
use utoipa::ToSchema;

/// The most rows one export returns; more must be narrowed by the list's filters.
pub const MAX_EXPORT_ROWS: usize = 50_000;

/// `?format=` of a list: JSON (API) or HTML (pages) by default, or a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Json,
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// The file format, when this is an export.
    pub fn file(self) -> Option<sheets::Format> {
        match self {
            ExportFormat::Json => None,
            ExportFormat::Csv => Some(sheets::Format::Csv),
            ExportFormat::Xlsx => Some(sheets::Format::Xlsx),
        }
    }

    /// Lenient form for pages: `csv`/`xlsx` export, anything else shows the page.
    pub fn from_page_param(s: &str) -> Option<sheets::Format> {
        sheets::Format::parse(s)
    }
}

/// Follows the list's cursor from the first page to the last; refuses more than
/// [`MAX_EXPORT_ROWS`] rows with a message that says what to do.
pub async fn all_pages<T, F, Fut>(mut fetch: F) -> AppResult<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = AppResult<Page<T>>>,
{
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = fetch(cursor).await?;
        out.extend(page.items);
        if out.len() > MAX_EXPORT_ROWS {
            return Err(AppError::field(
                "format",
                "too_many_rows",
                format!("an export holds at most {MAX_EXPORT_ROWS} rows; narrow the filters"),
            ));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// A table to export: a sheet title, the header in the user's language and the rows as text.
pub struct Sheet {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The file as a download named `<stem>-<YYYY-MM-DD>.<ext>`.
pub fn respond(
    format: sheets::Format,
    stem: &str,
    date: &str,
    sheet: &Sheet,
) -> AppResult<Response> {
    let (bytes, ctype) = match format {
        sheets::Format::Csv => (
            sheets::write_csv(&sheet.header, &sheet.rows),
            sheets::CSV_CONTENT_TYPE,
        ),
        sheets::Format::Xlsx => (
            sheets::write_xlsx(&sheet.title, &sheet.header, &sheet.rows)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            sheets::XLSX_CONTENT_TYPE,
        ),
    };
    Ok(file_response(
        bytes,
        ctype,
        &format!("{stem}-{date}.{}", format.as_str()),
    ))
}

/// A download: content type, `attachment` with an ASCII file name.
pub fn file_response(bytes: Vec<u8>, ctype: &'static str, filename: &str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    let safe: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Today's date in Asia/Shanghai, for file names.
pub fn today(now_ms: i64) -> String {
    kernel::dates::format_date(kernel::dates::date_of(now_ms, 8))
}

/// Optional text as a cell.
pub fn cell(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_pages_follows_cursors_and_is_bounded() {
        let rt = |n: usize| {
            let pages: Vec<Page<usize>> = (0..n)
                .map(|i| Page {
                    items: vec![i; 10_000],
                    next_cursor: (i + 1 < n).then(|| (i + 1).to_string()),
                })
                .collect();
            move |c: Option<String>| {
                let i: usize = c.map_or(0, |c| c.parse().unwrap());
                std::future::ready(Ok(pages[i].clone()))
            }
        };
        let got = futures_lite(all_pages(rt(3)));
        assert_eq!(got.unwrap().len(), 30_000);
        let err = futures_lite(all_pages(rt(6))).unwrap_err();
        assert_eq!(err.status(), 422);
    }

    /// Polls a future that never waits (the test's pages are ready at once).
    fn futures_lite<F: Future>(f: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }
}
