//! People and the organisation: pinyin keys for sorting and search, and the org chart
//! (departments with their heads, and reporting lines), drawn as server-side SVG.
pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
