//! Static assets embedded in the binary: htmx and ECharts from the npm registry (pinned by
//! `assets/package-lock.json`, installed at build time) and our own CSS and script.
//! URLs carry a content hash so they can be cached forever.
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "htmx.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!(concat!(
            env!("OUT_DIR"),
            "/npm/node_modules/htmx.org/dist/htmx.min.js"
        )),
    },
    Asset {
        name: "echarts.min.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!(concat!(
            env!("OUT_DIR"),
            "/npm/node_modules/echarts/dist/echarts.min.js"
        )),
    },
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../assets/app.css"),
    },
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/app.js"),
    },
];

fn hashes() -> &'static Vec<(&'static str, String)> {
    static H: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    H.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| (a.name, db::digest_bytes(a.body)[..12].to_string()))
            .collect()
    })
}

/// The cache-busting URL of an asset, e.g. `/assets/3fa2c1d0e9ab/app.css`.
pub fn url(name: &str) -> String {
    let h = hashes()
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, h)| h.as_str())
        .unwrap_or("0");
    format!("/assets/{h}/{name}")
}

pub async fn serve(Path((_hash, name)): Path<(String, String)>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(a) => {
            let mut r = a.body.into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.mime));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn libraries_are_embedded() {
        let htmx = super::ASSETS
            .iter()
            .find(|a| a.name == "htmx.min.js")
            .unwrap();
        assert!(
            htmx.body.len() > 10_000 && std::str::from_utf8(htmx.body).unwrap().contains("htmx")
        );
        let ec = super::ASSETS
            .iter()
            .find(|a| a.name == "echarts.min.js")
            .unwrap();
        assert!(ec.body.len() > 500_000);
        assert!(
            super::url("app.css").starts_with("/assets/")
                && super::url("app.css").ends_with("/app.css")
        );
    }
}
