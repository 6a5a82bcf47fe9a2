//! The `config` component: [`Settings`] from defaults, an optional TOML file and environment
//! variables, in increasing order of precedence.
//!
//! | variable                        | setting              |
//! |---------------------------------|----------------------|
//! | `CHANNELS_CONFIG`               | path of a TOML file with any of the settings below |
//! | `CHANNELS_DATA_DIR`             | `data_dir`           |
//! | `CHANNELS_DATABASE_URL`         | `database_url` (`postgres://…`; empty for SQLite) |
//! | `CHANNELS_NATS_URL`             | `nats_url` (`nats://…`; empty for the in-process bus) |
//! | `CHANNELS_BIND`                 | `bind`               |
//! | `CHANNELS_WEBHOOK_URLS`         | `webhook_urls`, comma-separated |
//! | `CHANNELS_WEBHOOK_TIMEOUT_MS`   | `webhook_timeout_ms` |
//! | `CHANNELS_WEBHOOK_RETRIES`      | `webhook_retries`    |
//! | `CHANNELS_MAX_BODY_BYTES`       | `max_body_bytes`     |
//! | `CHANNELS_SYNC`                 | `sync` (`full` or `normal`) |
//! | `CHANNELS_SHUTDOWN_GRACE_MS`    | `shutdown_grace_ms`  |
//! | `CHANNELS_HEADER_TIMEOUT_MS`    | `header_timeout_ms`  |
//! | `CHANNELS_BODY_TIMEOUT_MS`      | `body_timeout_ms`    |
//! | `CHANNELS_MAX_CONNECTIONS`      | `max_connections`    |

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Context as _;
use channels_api::{Config, Settings, SyncMode};
use weft::prelude::*;

/// The environment variable that names the TOML file.
pub const CONFIG_FILE_VAR: &str = "CHANNELS_CONFIG";

/// The `config` component: loads the settings from the process environment in `init`.
#[component(name = "config", provides = dyn Config)]
#[derive(Default)]
pub struct EnvConfig {
    settings: Settings,
}

impl Config for EnvConfig {
    fn settings(&self) -> &Settings {
        &self.settings
    }
}

impl Lifecycle for EnvConfig {
    async fn init(&mut self) -> anyhow::Result<()> {
        let file = std::env::var_os(CONFIG_FILE_VAR).map(PathBuf::from);
        self.settings = load(file.as_deref(), |name| std::env::var(name).ok())?;
        Ok(())
    }
}

/// Loads the settings: the defaults, overridden by the TOML `file` if given, overridden by the
/// variables that `env` returns.
pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Settings> {
    let mut settings = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file `{}`", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("invalid config file `{}`", path.display()))?
        }
        None => Settings::default(),
    };
    if let Some(value) = env("CHANNELS_DATA_DIR") {
        settings.data_dir = PathBuf::from(value);
    }
    for (name, slot) in [
        ("CHANNELS_DATABASE_URL", &mut settings.database_url),
        ("CHANNELS_NATS_URL", &mut settings.nats_url),
    ] {
        if let Some(value) = env(name) {
            let value = value.trim();
            *slot = (!value.is_empty()).then(|| value.to_owned());
        }
    }
    override_parsed(&env, "CHANNELS_BIND", &mut settings.bind)?;
    if let Some(value) = env("CHANNELS_WEBHOOK_URLS") {
        settings.webhook_urls = value
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(str::to_owned)
            .collect();
    }
    override_parsed(&env, "CHANNELS_WEBHOOK_TIMEOUT_MS", &mut settings.webhook_timeout_ms)?;
    override_parsed(&env, "CHANNELS_WEBHOOK_RETRIES", &mut settings.webhook_retries)?;
    override_parsed(&env, "CHANNELS_MAX_BODY_BYTES", &mut settings.max_body_bytes)?;
    override_parsed(&env, "CHANNELS_SHUTDOWN_GRACE_MS", &mut settings.shutdown_grace_ms)?;
    override_parsed(&env, "CHANNELS_HEADER_TIMEOUT_MS", &mut settings.header_timeout_ms)?;
    override_parsed(&env, "CHANNELS_BODY_TIMEOUT_MS", &mut settings.body_timeout_ms)?;
    override_parsed(&env, "CHANNELS_MAX_CONNECTIONS", &mut settings.max_connections)?;
    if let Some(value) = env("CHANNELS_SYNC") {
        settings.sync = match value.to_ascii_lowercase().as_str() {
            "full" => SyncMode::Full,
            "normal" => SyncMode::Normal,
            _ => anyhow::bail!("`CHANNELS_SYNC` is `{value}`; expected `full` or `normal`"),
        };
    }
    anyhow::ensure!(settings.max_body_bytes > 0, "`max_body_bytes` must be positive");
    anyhow::ensure!(settings.header_timeout_ms > 0, "`header_timeout_ms` must be positive");
    anyhow::ensure!(settings.body_timeout_ms > 0, "`body_timeout_ms` must be positive");
    anyhow::ensure!(settings.max_connections > 0, "`max_connections` must be positive");
    Ok(settings)
}

fn override_parsed<T>(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
    slot: &mut T,
) -> anyhow::Result<()>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    if let Some(value) = env(name) {
        *slot = value.trim().parse().with_context(|| format!("invalid `{name}`: `{value}`"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_file_then_env() -> anyhow::Result<()> {
        let none = load(None, |_| None)?;
        assert_eq!(none, Settings::default());

        let dir = tempfile::tempdir()?;
        let file = dir.path().join("channels.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\nsync = \"normal\"\n")?;
        let settings = load(Some(&file), |name| {
            (name == "CHANNELS_BIND" || name == "CHANNELS_WEBHOOK_URLS").then(|| match name {
                "CHANNELS_BIND" => "127.0.0.1:9100".to_owned(),
                _ => "http://a.test/hook, ,http://b.test/".to_owned(),
            })
        })?;
        assert_eq!(settings.bind.port(), 9100);
        assert_eq!(settings.sync, SyncMode::Normal);
        assert_eq!(settings.webhook_urls, ["http://a.test/hook", "http://b.test/"]);
        Ok(())
    }

    #[test]
    fn bad_values_are_errors() {
        assert!(load(None, |n| (n == "CHANNELS_BIND").then(|| "nope".to_owned())).is_err());
        assert!(load(None, |n| (n == "CHANNELS_SYNC").then(|| "off".to_owned())).is_err());
        assert!(load(Some(Path::new("/nonexistent/channels.toml")), |_| None).is_err());
        for name in
            ["CHANNELS_HEADER_TIMEOUT_MS", "CHANNELS_BODY_TIMEOUT_MS", "CHANNELS_MAX_CONNECTIONS"]
        {
            assert!(load(None, |n| (n == name).then(|| "0".to_owned())).is_err(), "{name}");
            assert!(load(None, |n| (n == name).then(|| "-1".to_owned())).is_err(), "{name}");
        }
        let limits = load(None, |n| match n {
            "CHANNELS_HEADER_TIMEOUT_MS" => Some("1500".to_owned()),
            "CHANNELS_BODY_TIMEOUT_MS" => Some("2500".to_owned()),
            "CHANNELS_MAX_CONNECTIONS" => Some("7".to_owned()),
            _ => None,
        })
        .map(|s| (s.header_timeout_ms, s.body_timeout_ms, s.max_connections));
        assert_eq!(limits.ok(), Some((1500, 2500, 7)));
    }
}
