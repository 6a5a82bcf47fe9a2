//! The `config` component: serves the [`Settings`] section, which weft loads (with `figment`)
//! from the defaults, then the TOML file named by `CHANNELS_CONFIG`, then environment
//! variables, each layer over the one before. Every problem is reported before any component
//! starts, naming the setting and where its value came from; `--check` reports them too.
//!
//! | variable                        | setting              |
//! |---------------------------------|----------------------|
//! | `CHANNELS_CONFIG`               | path of a TOML file with any of the settings below |
//! | `CHANNELS_DATA_DIR`             | `data_dir`           |
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
//! | `CHANNELS_DATABASE_URL`         | `database_url` (empty: SQLite) |
//! | `CHANNELS_NATS_URL`             | `nats_url` (empty: the in-process bus) |
//!
//! Every field of [`Settings`] is read from `CHANNELS_` + its name in capitals: a new setting
//! needs no code here.

use std::sync::Arc;

use channels_api::{Config, Settings};
use weft::config::Sources;
use weft::prelude::*;

/// The environment variable that names the TOML file.
pub const CONFIG_FILE_VAR: &str = "CHANNELS_CONFIG";

/// The prefix of the environment variables that set [`Settings`].
pub const ENV_PREFIX: &str = "CHANNELS_";

/// The `config` component: the loaded [`Settings`], as the [`Config`] service the other
/// components require.
#[component(name = "config", provides = dyn Config, requires = [config(Settings)])]
pub struct SettingsConfig {
    settings: Arc<Settings>,
}

impl Config for SettingsConfig {
    fn settings(&self) -> &Settings {
        &self.settings
    }
}

/// Where the settings come from: the TOML file named by `CHANNELS_CONFIG` (if set), then the
/// `CHANNELS_*` variables. Give it to [`weft::Builder::config`].
pub fn sources() -> Sources {
    let sources = match std::env::var_os(CONFIG_FILE_VAR) {
        Some(file) => Sources::new().file(file),
        None => Sources::new(),
    };
    sources.env_without(ENV_PREFIX, &["CONFIG"])
}

#[cfg(test)]
mod tests {
    use channels_api::SyncMode;
    use weft::config::Section as _;

    use super::*;

    #[test]
    fn defaults_then_file_then_env() -> anyhow::Result<()> {
        assert_eq!(Sources::new().section::<Settings>()?, Settings::default());

        let dir = tempfile::tempdir()?;
        let file = dir.path().join("channels.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9000\"\nsync = \"normal\"\n")?;
        // A later layer overrides an earlier one, field by field. (The environment layer is
        // exercised by the binary's tests: setting variables here would need `unsafe`.)
        let settings: Settings = Sources::new()
            .file(&file)
            .toml(
                "bind = \"127.0.0.1:9100\"\nwebhook_urls = \"http://a.test/hook, ,http://b.test/\"",
            )
            .section()?;
        assert_eq!(settings.bind.port(), 9100);
        assert_eq!(settings.sync, SyncMode::Normal);
        assert_eq!(settings.webhook_urls, ["http://a.test/hook", "http://b.test/"]);
        // An empty URL means "not set", as an empty variable does.
        let settings: Settings =
            Sources::new().toml("database_url = \"\"\nnats_url = \"  \"").section()?;
        assert_eq!((settings.database_url, settings.nats_url), (None, None));
        Ok(())
    }

    #[test]
    fn bad_values_name_the_setting() {
        let bad = |toml: &str| Sources::new().toml(toml).section::<Settings>().unwrap_err();
        assert_eq!(bad("bind = \"nope\"").key, "bind");
        assert_eq!(bad("sync = \"off\"").key, "sync");
        for zero in ["max_body_bytes", "header_timeout_ms", "body_timeout_ms", "max_connections"] {
            let error = bad(&format!("{zero} = 0"));
            assert_eq!((error.key.as_str(), error.message.as_str()), (zero, "must be positive"));
        }
        assert_eq!(
            bad("bnid = \"127.0.0.1:1\"").message,
            "unknown field: found `bnid`, expected `one of `data_dir`, `database_url`, `nats_url`, `bind`, `webhook_urls`, `webhook_timeout_ms`, `webhook_retries`, `max_body_bytes`, `sync`, `shutdown_grace_ms`, `header_timeout_ms`, `body_timeout_ms`, `max_connections``"
        );
        assert!(Settings::default().validate().is_empty());
    }
}
