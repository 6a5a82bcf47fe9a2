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
        // Environment variables only this test sets.
        let prefix = "CHANNELS_LAYERS_TEST_";
        set_env(&format!("{prefix}BIND"), "127.0.0.1:9100");
        set_env(&format!("{prefix}WEBHOOK_URLS"), "http://a.test/hook, ,http://b.test/");
        let settings: Settings = Sources::new().file(&file).env(prefix).section()?;
        assert_eq!(settings.bind.port(), 9100);
        assert_eq!(settings.sync, SyncMode::Normal);
        assert_eq!(settings.webhook_urls, ["http://a.test/hook", "http://b.test/"]);
        Ok(())
    }

    #[test]
    fn bad_values_name_the_setting() {
        let bad = |toml: &str| Sources::new().toml(toml).section::<Settings>().unwrap_err();
        assert_eq!(bad("bind = \"nope\"").key, "bind");
        assert_eq!(bad("sync = \"off\"").key, "sync");
        assert_eq!(bad("max_body_bytes = 0").message, "must be positive");
        assert_eq!(
            bad("bnid = \"127.0.0.1:1\"").message,
            "unknown field: found `bnid`, expected `one of `data_dir`, `bind`, `webhook_urls`, `webhook_timeout_ms`, `webhook_retries`, `max_body_bytes`, `sync`, `shutdown_grace_ms``"
        );
        assert!(Settings::default().validate().is_empty());
    }

    #[allow(unsafe_code, reason = "set_var is unsafe in edition 2024; only this test reads it")]
    fn set_env(key: &str, value: &str) {
        // SAFETY: these names are read by this test only, after this call.
        unsafe { std::env::set_var(key, value) };
    }
}
