//! Configuration: a component requires a typed section with `config(T)`; sections load from
//! layered sources (defaults, TOML, environment), every section is checked before any hook runs,
//! and every error is reported at once, naming the key and where the value came from.

#![allow(missing_docs, reason = "test fixtures")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use weft::config::Sources;
use weft::prelude::*;

#[derive(serde::Deserialize)]
#[serde(default)]
pub struct ApiSettings {
    pub port: u16,
    pub host: String,
    pub workers: u8,
}

impl Default for ApiSettings {
    fn default() -> Self {
        ApiSettings { port: 8080, host: "127.0.0.1".into(), workers: 2 }
    }
}

impl weft::config::Section for ApiSettings {
    const KEY: &'static str = "api";
}

#[derive(serde::Deserialize)]
pub struct DbSettings {
    pub url: String,
}

impl weft::config::Section for DbSettings {
    const KEY: &'static str = "db";
}

/// Set by `watcher`, which only the error test boots (tests of one binary run in parallel).
static WATCHER_RAN: AtomicBool = AtomicBool::new(false);

/// A component with no configuration: its `init` would run first if configuration were not
/// checked before any hook.
#[component(name = "watcher", local)]
#[derive(Default)]
pub struct Watcher;

impl Lifecycle for Watcher {
    async fn init(&mut self) -> anyhow::Result<()> {
        WATCHER_RAN.store(true, Ordering::SeqCst);
        Ok(())
    }
}

#[component(name = "api", requires = [config(ApiSettings)], local)]
pub struct Api {
    settings: Arc<ApiSettings>,
}

impl Lifecycle for Api {
    async fn init(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(self.settings.port != 0, "port 0");
        Ok(())
    }
}

#[component(name = "db", requires = [config(DbSettings)], local)]
pub struct Db {
    settings: Arc<DbSettings>,
}

impl Lifecycle for Db {
    async fn init(&mut self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.settings.url.is_empty(), "empty url");
        Ok(())
    }
}

#[tokio::test]
async fn layers_override_in_order_defaults_file_environment() {
    let dir = std::env::temp_dir().join(format!("weft-config-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("app.toml");
    std::fs::write(&file, "[api]\nport = 9000\nhost = \"0.0.0.0\"\n").unwrap();
    // The environment wins over the file for `host`; `workers` keeps its default.
    temp_env("WEFT_LAYERS_API__HOST", "10.0.0.1");
    let sources = Sources::new().file(&file).env("WEFT_LAYERS_");
    let platform = weft::Builder::empty().with::<Api>().config(sources).boot().await.unwrap();
    let settings = platform.get::<ApiSettings>().unwrap();
    assert_eq!((settings.port, settings.host.as_str(), settings.workers), (9000, "10.0.0.1", 2));
    platform.stop().await.unwrap();
}

/// Sets an environment variable that only one test of this binary reads.
#[allow(unsafe_code, reason = "set_var is unsafe in edition 2024; no other thread reads this name")]
fn temp_env(key: &str, value: &str) {
    // SAFETY: the variable is read only by this test, after this call, on this thread.
    unsafe { std::env::set_var(key, value) };
}

#[tokio::test]
async fn every_error_is_reported_before_any_hook_runs() {
    temp_env("WEFT_ERRORS_API__PORT", "eighty");
    let sources = Sources::new().toml("[api]\nworkers = 300\n").env("WEFT_ERRORS_");
    let builder =
        weft::Builder::empty().with::<Watcher>().with::<Api>().with::<Db>().config(sources);
    let error = builder.boot().await.unwrap_err();
    assert!(!WATCHER_RAN.load(Ordering::SeqCst), "a hook ran before the configuration was checked");
    let weft::BootError::Config(error) = error else {
        panic!("not a configuration error: {error}")
    };
    let keys: Vec<&str> = error.problems.iter().map(|p| p.key.as_str()).collect();
    // `api.port` is read before `api.workers`; figment reports one error per section.
    assert_eq!(keys, ["api.port", "db.url"], "{error}");
    let text = error.to_string();
    assert!(text.contains("environment variable `WEFT_ERRORS_API__PORT`"), "{text}");
    assert!(text.contains("missing field `url`"), "{text}");
}

#[test]
fn check_flag_validates_the_configuration() {
    let builder =
        weft::Builder::empty().with::<Db>().config(Sources::new().toml("[db]\nurl = 3\n"));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = weft::introspect::Flags::parse(["--check"]).run_with(&builder, &mut out, &mut err);
    assert_eq!(code, Some(std::process::ExitCode::FAILURE));
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("`db.url`"), "{err}");
}
