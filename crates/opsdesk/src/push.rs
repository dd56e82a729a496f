//! `opsdesk kpi push`: sends a file of data points to a running server's points API
//! (`POST /api/v1/kpis/{id}/points`) with a personal API token.
//!
//! The API identifies a point by KPI + period + source, so pushing the same file again changes
//! nothing (`unchanged`) and a corrected value replaces the old one: a cron job or a retry after
//! a failure can simply re-run the command.
//!
//! HTTP(S) goes through `ureq` (blocking, rustls): the command is a one-shot sequential client,
//! so an async client and runtime would add nothing.
use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `opsdesk kpi push`.
#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// CSV or XLSX file with a header: `period` (or `date`, 日期, 周期: `YYYY-MM-DD` or a period
    /// label such as `2026-03`, `2026-Q1`, `2026-W09`), `value` (实际值) and, for ratio KPIs,
    /// `denominator` (分母). A `kpi` column, if present, selects the rows of `--kpi`.
    pub file: PathBuf,
    /// The server, e.g. http://127.0.0.1:8080 (a path prefix is kept).
    #[arg(long)]
    pub url: String,
    /// A personal API token (`opsdesk token create USER`).
    #[arg(long, env = "OPSDESK_TOKEN", hide_env_values = true)]
    pub token: String,
    /// The KPI's code.
    #[arg(long)]
    pub kpi: String,
    /// The source the points are recorded under (KPI + period + source identifies a point).
    #[arg(long, default_value = "cli")]
    pub source: String,
}

/// Points per request (the API's limit per push).
const BATCH: usize = 5_000;
/// No exchange may hang the command forever.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

const COLUMNS: &[sheets::Column] = &[
    sheets::Column {
        key: "kpi",
        required: false,
        names: &["指标编码", "指标代码", "指标", "kpi code", "code"],
    },
    sheets::Column {
        key: "period",
        required: true,
        names: &["周期", "日期", "期间", "月份", "date", "month"],
    },
    sheets::Column {
        key: "value",
        required: true,
        names: &["实际值", "值", "数值", "actual", "amount"],
    },
    sheets::Column {
        key: "denominator",
        required: false,
        names: &["分母"],
    },
];

pub fn run(args: PushArgs) -> anyhow::Result<()> {
    let server = Server::parse(&args.url, &args.token)?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let points = read_points(&bytes, &args.kpi)
        .with_context(|| format!("reading {}", args.file.display()))?;
    if points.is_empty() {
        bail!("{}: no data points for {}", args.file.display(), args.kpi);
    }
    let id = server.kpi_id(&args.kpi)?;
    let mut total = [0u64; 4];
    for batch in points.chunks(BATCH) {
        let body = json!({"source": args.source, "points": batch});
        let r = server.call(&format!("/api/v1/kpis/{id}/points"), &[], Some(&body))?;
        for (sum, key) in total
            .iter_mut()
            .zip(["inserted", "updated", "unchanged", "deleted"])
        {
            *sum += r[key].as_u64().unwrap_or(0);
        }
    }
    println!(
        "{} points for {} (source {}): {} inserted, {} updated, {} unchanged, {} deleted",
        points.len(),
        args.kpi,
        args.source,
        total[0],
        total[1],
        total[2],
        total[3]
    );
    Ok(())
}

/// The points of `kpi` in a sheet, as the API takes them; blank values are skipped (a push of
/// `null` would delete the point, which a blank cell should not do by accident).
fn read_points(bytes: &[u8], kpi: &str) -> anyhow::Result<Vec<Value>> {
    let table = sheets::read(bytes, &sheets::Limits::default()).map_err(|e| anyhow!("{e}"))?;
    let mapping = sheets::Mapping::auto(COLUMNS, &table.header);
    let missing = mapping.missing(COLUMNS);
    if !missing.is_empty() {
        bail!(
            "the header has no {} column (found: {})",
            missing.join(", "),
            table.header.join(", ")
        );
    }
    let number = |row: usize, field: &str, s: &str| -> anyhow::Result<f64> {
        let clean: String = s.chars().filter(|c| *c != ',' && *c != '_').collect();
        clean
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| anyhow!("row {row}: {field} {s:?} is not a number"))
    };
    let mut out = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let r = mapping.record(row);
        if r.get("kpi").is_some_and(|k| !k.eq_ignore_ascii_case(kpi)) {
            continue;
        }
        let Some(value) = r.get("value") else {
            continue;
        };
        let period = r
            .get("period")
            .ok_or_else(|| anyhow!("row {}: the period is blank", r.number()))?;
        let mut point = json!({"period": period, "value": number(r.number(), "value", value)?});
        if let Some(d) = r.get("denominator") {
            point["denominator"] = json!(number(r.number(), "denominator", d)?);
        }
        out.push(point);
    }
    Ok(out)
}

/// An opsdesk server reached over HTTP or HTTPS with a bearer token.
struct Server {
    /// Scheme, host, port and any path prefix before `/api/v1`, without a trailing slash.
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl Server {
    fn parse(url: &str, token: &str) -> anyhow::Result<Server> {
        let rest = match url.split_once("://") {
            Some(("http" | "https", rest)) => rest,
            _ => bail!("--url {url}: expected http(s)://HOST[:PORT][/PREFIX]"),
        };
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() || host.contains('@') {
            bail!("--url {url}: expected http(s)://HOST[:PORT][/PREFIX]");
        }
        if token.trim().is_empty() || token.contains(['\r', '\n']) {
            bail!("--token: not a token");
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(IO_TIMEOUT))
            // Error answers carry a problem+json body worth showing; read it like any other.
            .http_status_as_error(false)
            .build()
            .into();
        Ok(Server {
            base: url.trim_end_matches('/').to_string(),
            token: token.trim().to_string(),
            agent,
        })
    }

    /// The id of the KPI with this code, among those the token's user may see.
    fn kpi_id(&self, code: &str) -> anyhow::Result<i64> {
        let mut cursor: Option<String> = None;
        loop {
            let mut query = vec![("q", code), ("limit", "200")];
            if let Some(c) = &cursor {
                query.push(("cursor", c));
            }
            let page = self.call("/api/v1/kpis", &query, None)?;
            let items = page["items"].as_array().cloned().unwrap_or_default();
            if let Some(k) = items.iter().find(|k| k["code"] == code) {
                return k["id"]
                    .as_i64()
                    .ok_or_else(|| anyhow!("a KPI without an id"));
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => bail!("no KPI with the code {code} (or this token may not see it)"),
            }
        }
    }

    /// One request (a POST of `body`, else a GET with `query`, which ureq encodes); a 2xx answer's JSON body, or the problem's
    /// detail as the error.
    fn call(
        &self,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        let method = if body.is_some() { "POST" } else { "GET" };
        let sent = match body {
            Some(b) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .content_type("application/json")
                .send(b.to_string()),
            None => self
                .agent
                .get(&url)
                .query_pairs(query.iter().copied())
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .call(),
        };
        let mut resp = sent.with_context(|| format!("{method} {url}"))?;
        let status = resp.status().as_u16();
        let answer = resp
            .body_mut()
            .read_to_vec()
            .with_context(|| format!("{method} {url}: reading the answer"))?;
        let json: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
        if !(200..300).contains(&status) {
            let detail = json["detail"]
                .as_str()
                .or(json["title"].as_str())
                .map_or_else(
                    || String::from_utf8_lossy(&answer).into_owned(),
                    str::to_string,
                );
            bail!("{method} {path}: HTTP {status}: {detail}");
        }
        Ok(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_their_prefix_and_tokens_are_checked() {
        let s = Server::parse("http://127.0.0.1:8080/", "t").unwrap();
        assert_eq!(s.base, "http://127.0.0.1:8080");
        let s = Server::parse("https://ops.example/opsdesk", " t ").unwrap();
        assert_eq!(
            (s.base.as_str(), s.token.as_str()),
            ("https://ops.example/opsdesk", "t")
        );
        assert!(Server::parse("ftp://ops.example", "t").is_err());
        assert!(Server::parse("ops.example", "t").is_err());
        assert!(Server::parse("http://user@ops.example", "t").is_err());
        assert!(Server::parse("http://ops.example", "a\r\nX: y").is_err());
    }

    #[test]
    fn points_from_a_sheet_with_chinese_or_english_headers() {
        let csv = "kpi,日期,实际值,分母\norders,2026-01,\"1,200\",\nrefunds,2026-01,3,\norders,2026-02,,\norders,2026-03,7,10\n";
        let p = read_points(csv.as_bytes(), "orders").unwrap();
        assert_eq!(
            p,
            vec![
                json!({"period": "2026-01", "value": 1200.0}),
                json!({"period": "2026-03", "value": 7.0, "denominator": 10.0}),
            ]
        );
        let e = read_points(b"period,value\n2026-01,abc\n", "x").unwrap_err();
        assert!(format!("{e:#}").contains("row 2: value \"abc\""), "{e:#}");
        assert!(read_points(b"when,value\n2026-01,1\n", "x").is_err());
    }
}
