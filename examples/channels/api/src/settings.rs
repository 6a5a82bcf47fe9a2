//! The settings of the channels service: one weft configuration section, at the top level of
//! the configuration (see the `config` component of the `channels` crate for the sources).

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Every setting of the channels service. Missing fields take their [`Default`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the SQLite database lives; created if missing.
    pub data_dir: PathBuf,
    /// The address the HTTP server binds; port `0` picks a free port.
    pub bind: SocketAddr,
    /// Each new message is POSTed as JSON to every one of these URLs. In the environment, a
    /// comma-separated list.
    #[serde(deserialize_with = "urls")]
    pub webhook_urls: Vec<String>,
    /// The time limit of one webhook attempt, in milliseconds.
    pub webhook_timeout_ms: u64,
    /// How many times a failed webhook delivery is retried.
    pub webhook_retries: u32,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// How hard SQLite pushes each commit to disk.
    pub sync: SyncMode,
    /// How long stopping waits for in-flight requests, and for webhook deliveries, in
    /// milliseconds.
    pub shutdown_grace_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("channels-data"),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            webhook_urls: Vec::new(),
            webhook_timeout_ms: 2_000,
            webhook_retries: 3,
            max_body_bytes: 64 * 1024,
            sync: SyncMode::Full,
            shutdown_grace_ms: 10_000,
        }
    }
}

impl weft::config::Section for Settings {
    /// The whole configuration: `bind = ...` in the TOML file, `CHANNELS_BIND` in the
    /// environment.
    const KEY: &'static str = "";

    fn validate(&self) -> Vec<(&'static str, String)> {
        let mut invalid = Vec::new();
        if self.max_body_bytes == 0 {
            invalid.push(("max_body_bytes", "must be positive".to_owned()));
        }
        invalid
    }
}

/// A list of URLs, written as a list (TOML) or as one comma-separated string (environment).
fn urls<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Urls {
        List(Vec<String>),
        Joined(String),
    }
    Ok(match Urls::deserialize(deserializer)? {
        Urls::List(list) => list,
        Urls::Joined(text) => text
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

/// SQLite's `synchronous` setting, with the journal in WAL mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SyncMode {
    /// Each commit is fsynced before it returns: an acknowledged message survives a power loss.
    #[default]
    Full,
    /// Commits are fsynced at checkpoints only: an acknowledged message survives a crash of the
    /// process, not of the operating system. Faster.
    Normal,
}

impl SyncMode {
    /// The value of `PRAGMA synchronous`.
    pub fn pragma(self) -> &'static str {
        match self {
            SyncMode::Full => "FULL",
            SyncMode::Normal => "NORMAL",
        }
    }
}
