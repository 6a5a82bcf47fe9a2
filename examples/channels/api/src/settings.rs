//! The settings of the channels service: one weft configuration section, at the top level of
//! the configuration (see the `config` component of the `channels` crate for the sources).

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Every setting of the channels service. Missing fields take their [`Default`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where the SQLite database lives; created if missing. Unused with a `database_url`.
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (`postgres://user:password@host:port/database`) to store data in a
    /// shared database instead of SQLite in `data_dir`; several replicas may share it.
    #[serde(deserialize_with = "non_empty")]
    pub database_url: Option<String>,
    /// A NATS URL (`nats://host:port`) to spread events across replicas through a broker
    /// instead of the in-process bus.
    #[serde(deserialize_with = "non_empty")]
    pub nats_url: Option<String>,
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
    /// milliseconds. Only requests received whole get this grace: a connection that has sent
    /// part of a request, or none, is closed as soon as stopping begins.
    pub shutdown_grace_ms: u64,
    /// How long a client has to send a request's head (request line and headers), in
    /// milliseconds, counted from the connection's acceptance, or from the end of the previous
    /// response on a kept-alive connection (so idle connections close too); past it the
    /// connection is closed.
    pub header_timeout_ms: u64,
    /// How long a client has to send a request's body once its head has arrived, in
    /// milliseconds; past it the request is answered `408` and the connection closed.
    pub body_timeout_ms: u64,
    /// The most connections open at once. Past it, a new connection is answered `503` with a
    /// JSON body and closed. The server also lowers it to fit the process's open-file limit, so
    /// that it never runs out of file descriptors.
    pub max_connections: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            data_dir: PathBuf::from("channels-data"),
            database_url: None,
            nats_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            webhook_urls: Vec::new(),
            webhook_timeout_ms: 2_000,
            webhook_retries: 3,
            max_body_bytes: 64 * 1024,
            sync: SyncMode::Full,
            shutdown_grace_ms: 10_000,
            header_timeout_ms: 10_000,
            body_timeout_ms: 30_000,
            max_connections: 4_096,
        }
    }
}

impl weft::config::Section for Settings {
    /// The whole configuration: `bind = ...` in the TOML file, `CHANNELS_BIND` in the
    /// environment.
    const KEY: &'static str = "";

    fn validate(&self) -> Vec<(&'static str, String)> {
        let mut invalid = Vec::new();
        for (key, value) in [
            ("max_body_bytes", self.max_body_bytes as u64),
            ("header_timeout_ms", self.header_timeout_ms),
            ("body_timeout_ms", self.body_timeout_ms),
            ("max_connections", self.max_connections as u64),
        ] {
            if value == 0 {
                invalid.push((key, "must be positive".to_owned()));
            }
        }
        invalid
    }
}

/// An optional string where an empty (or blank) value means "not set", as an empty environment
/// variable does.
fn non_empty<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    Ok(value.map(|text| text.trim().to_owned()).filter(|text| !text.is_empty()))
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
