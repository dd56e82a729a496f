//! The application's one integration-test binary: the real server on an ephemeral port, driven
//! over HTTP, on SQLite and on PostgreSQL (a uniquely named database, dropped afterwards).
mod common;

mod api;
mod browser;
mod goals;
mod web;
