//! imports: the import/export kit every module plugs into.
//!
//! A module implements [`Importer`] (its columns with Chinese and English header names, example
//! rows for the template, a pure `parse` of one row into a typed record with per-field errors,
//! and a `write` of all records through its own service inside the transaction the kit hands
//! it) and registers it in the server's [`Registry`]. The kit then provides, for every kind:
//! template download (XLSX, CSV), upload (multipart, size and content checked, kept in the
//! `imports` table so every node sees it), column mapping (automatic, editable), a preview with
//! per-row errors, a dry run and an all-or-nothing commit — as pages and as `/api/v1/imports`.
//!
//! Exports ([`export`]) turn the rows of a list — the same filtered, policy-scoped rows the list
//! shows, all pages, bounded — into CSV or XLSX for `?format=csv|xlsx`.
pub mod api;
pub mod export;
mod kit;
pub mod pages;
pub mod service;
mod store;

pub use kit::{
    DynImporter, ImportColumn, ImportFailure, Importer, Registry, Report, RowError, RowIssue,
};
