//! Configuration, layered: defaults → TOML file (`--config`) → environment (`OPSDESK_*`) → flags.
//! Flags and environment are read by clap in the binary; here they arrive as `Option`s and fill
//! in over the file's values.
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub log_format: Option<String>,
    pub log_level: Option<String>,
    pub secure_cookies: Option<bool>,
    pub trusted_proxies: Option<Vec<IpAddr>>,
    pub session_idle_minutes: Option<i64>,
    pub session_absolute_hours: Option<i64>,
    pub max_body_bytes: Option<usize>,
    pub max_upload_bytes: Option<usize>,
    pub shutdown_grace_seconds: Option<u64>,
    pub sqlite_synchronous: Option<String>,
    pub pg_pool_size: Option<u32>,
}

/// Everything `opsdesk serve` needs, resolved.
#[derive(Clone)]
pub struct ServeConfig {
    pub bind: SocketAddr,
    pub db: db::DbConfig,
    pub log_json: bool,
    pub log_level: String,
    pub web: ui::WebConfig,
    pub shutdown_grace: std::time::Duration,
    /// Load the demo company (and demo accounts) into an empty database at start.
    pub demo: bool,
    /// Tests: a clock that starts here and only moves when told (`POST /test/clock`, test builds only).
    pub test_clock_start_ms: Option<i64>,
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("bind", &self.bind)
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".parse().expect("valid default address"),
            db: db::DbConfig::default(),
            log_json: false,
            log_level: "info".into(),
            web: ui::WebConfig::default(),
            shutdown_grace: std::time::Duration::from_secs(10),
            demo: false,
            test_clock_start_ms: None,
        }
    }
}

impl FileConfig {
    pub fn load(path: &std::path::Path) -> anyhow::Result<FileConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))
    }

    /// Applies the file's values over the defaults in `c`.
    pub fn apply(&self, c: &mut ServeConfig) -> anyhow::Result<()> {
        if let Some(v) = self.bind {
            c.bind = v;
        }
        if let Some(v) = &self.data_dir {
            c.db.data_dir = v.clone();
        }
        if let Some(v) = &self.database_url {
            c.db.url = Some(v.clone());
        }
        if let Some(v) = &self.log_format {
            c.log_json = parse_log_format(v)?;
        }
        if let Some(v) = &self.log_level {
            c.log_level = v.clone();
        }
        if let Some(v) = self.secure_cookies {
            c.web.secure_cookies = v;
        }
        if let Some(v) = &self.trusted_proxies {
            c.web.trusted_proxies = v.clone();
        }
        if let Some(v) = self.session_idle_minutes {
            c.web.session_idle_ms = v * 60_000;
        }
        if let Some(v) = self.session_absolute_hours {
            c.web.session_absolute_ms = v * 3_600_000;
        }
        if let Some(v) = self.max_upload_bytes {
            c.web.max_upload_bytes = v;
        }
        if let Some(v) = self.max_body_bytes {
            c.web.max_body_bytes = v;
        }
        if let Some(v) = self.shutdown_grace_seconds {
            c.shutdown_grace = std::time::Duration::from_secs(v);
        }
        if let Some(v) = &self.sqlite_synchronous {
            c.db.sqlite_synchronous_full = parse_synchronous(v)?;
        }
        if let Some(v) = self.pg_pool_size {
            c.db.pg_pool_size = v;
        }
        Ok(())
    }
}

pub fn parse_log_format(v: &str) -> anyhow::Result<bool> {
    match v {
        "json" => Ok(true),
        "text" => Ok(false),
        other => anyhow::bail!("log format must be `text` or `json`, not `{other}`"),
    }
}

pub fn parse_synchronous(v: &str) -> anyhow::Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "full" => Ok(true),
        "normal" => Ok(false),
        other => anyhow::bail!("sqlite synchronous must be `full` or `normal`, not `{other}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_layers_over_defaults_and_refuses_unknown_keys() {
        let f: FileConfig = toml::from_str(
            "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\nsession_idle_minutes = 5",
        )
        .unwrap();
        let mut c = ServeConfig::default();
        f.apply(&mut c).unwrap();
        assert_eq!(c.bind.port(), 9000);
        assert!(c.log_json);
        assert_eq!(c.web.session_idle_ms, 300_000);
        assert!(toml::from_str::<FileConfig>("bogus = 1").is_err());
        assert!(parse_synchronous("off").is_err());
    }
}
