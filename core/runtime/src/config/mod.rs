//! Configuration: typed sections, loaded from layered sources and checked before any hook runs.
//!
//! A section is a struct that derives [`serde::Deserialize`] and names its key with
//! [`Section`]. A component requires it as `config(T)` and stores it in a field `Arc<T>`:
//!
//! ```
//! use std::sync::Arc;
//! use weft::prelude::*;
//!
//! #[derive(serde::Deserialize)]
//! #[serde(default)] // the first layer: every field has a default
//! pub struct ApiSettings {
//!     pub port: u16,
//! }
//!
//! impl Default for ApiSettings {
//!     fn default() -> Self {
//!         ApiSettings { port: 8080 }
//!     }
//! }
//!
//! impl weft::config::Section for ApiSettings {
//!     const KEY: &'static str = "api";
//! }
//!
//! #[component(name = "api", requires = [config(ApiSettings)])]
//! pub struct Api {
//!     settings: Arc<ApiSettings>,
//! }
//! # fn main() {}
//! ```
//!
//! [`Sources`] layers what the builder reads, each layer over the one before: the section's own
//! defaults (`#[serde(default)]`), then TOML files, then environment variables.
//! [`Builder::config`](crate::Builder::config) sets them. At [`boot`](crate::Builder::boot),
//! and at [`check_config`](crate::Builder::check_config) (which `--check` runs), every section
//! the selected components require is loaded before any component is constructed, and every
//! error is reported at once in a [`ConfigError`], each naming its key and where its value came
//! from.
//!
//! Loading is done by [`figment`], which keeps track of where each value came from.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use serde::de::DeserializeOwned;

use crate::component::Service;

/// A typed configuration section: the table at key [`KEY`](Section::KEY) of the configuration.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Database {
///     url: String,
/// }
///
/// impl weft::config::Section for Database {
///     const KEY: &'static str = "database";
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a configuration section",
    label = "`config(...)` takes a type that implements `weft::config::Section`",
    note = "derive `serde::Deserialize` and write `impl weft::config::Section for {Self} {{ const \
            KEY: &'static str = \"my-section\"; }}`"
)]
pub trait Section: DeserializeOwned + Send + Sync + 'static {
    /// The section's key: `[api]` in TOML, `PREFIX_API__...` in the environment. The empty key
    /// `""` is the whole configuration: top-level TOML keys, `PREFIX_FIELD` variables.
    const KEY: &'static str;

    /// Checks what deserializing cannot: each value that is wrong, as `(field, why)`. It runs
    /// when the section is loaded, before any hook, and its findings are reported with every
    /// other configuration problem. By default, nothing is wrong.
    ///
    /// ```
    /// use weft::config::{Section, Sources};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Limits {
    ///     max_body_bytes: usize,
    /// }
    ///
    /// impl Section for Limits {
    ///     const KEY: &'static str = "limits";
    ///     fn validate(&self) -> Vec<(&'static str, String)> {
    ///         match self.max_body_bytes {
    ///             0 => vec![("max_body_bytes", "must be positive".to_owned())],
    ///             _ => Vec::new(),
    ///         }
    ///     }
    /// }
    ///
    /// let error = Sources::new().toml("[limits]\nmax_body_bytes = 0").section::<Limits>();
    /// assert_eq!(error.err().map(|e| e.to_string()).as_deref(), Some("`limits.max_body_bytes` (from TOML source string): must be positive"));
    /// ```
    fn validate(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Where configuration comes from, in layers: each layer overrides the ones added before it.
///
/// ```
/// use weft::config::Sources;
///
/// // Defaults (the sections' own), then `channels.toml` if it exists, then every environment
/// // variable starting with `CHANNELS_`: `CHANNELS_API__PORT=9000` sets `api.port`.
/// let sources = Sources::new().file("channels.toml").env("CHANNELS_");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Sources {
    figment: Figment,
}

impl Sources {
    /// No source: every section takes its defaults.
    pub fn new() -> Self {
        Sources::default()
    }

    /// Adds the TOML file at `path`; a file that does not exist is skipped.
    pub fn file(self, path: impl AsRef<Path>) -> Self {
        Sources { figment: self.figment.merge(Toml::file(path.as_ref())) }
    }

    /// Adds TOML text, e.g. defaults written inline or a test's configuration.
    ///
    /// ```
    /// use weft::config::Sources;
    ///
    /// let sources = Sources::new().toml("[api]\nport = 9000");
    /// ```
    pub fn toml(self, text: &str) -> Self {
        Sources { figment: self.figment.merge(Toml::string(text)) }
    }

    /// Adds the environment variables that start with `prefix`: the rest of the name,
    /// lowercased, is the key, with `__` between a section and its field. So with prefix
    /// `APP_`, `APP_API__PORT` sets `port` in section `api`.
    pub fn env(self, prefix: &str) -> Self {
        Sources { figment: self.figment.merge(Env::prefixed(prefix).split("__")) }
    }

    /// As [`env`](Sources::env), leaving out the variables `prefix` + each of `names`, e.g. the
    /// one that names the configuration file.
    ///
    /// ```
    /// use weft::config::Sources;
    ///
    /// // `APP_CONFIG` names the file; it is not a setting.
    /// let file = std::env::var_os("APP_CONFIG").unwrap_or_else(|| "app.toml".into());
    /// let sources = Sources::new().file(file).env_without("APP_", &["CONFIG"]);
    /// ```
    pub fn env_without(self, prefix: &str, names: &[&str]) -> Self {
        let ignored: Vec<String> = names.iter().map(|name| name.to_ascii_lowercase()).collect();
        let ignored: Vec<&str> = ignored.iter().map(String::as_str).collect();
        Sources { figment: self.figment.merge(Env::prefixed(prefix).ignore(&ignored).split("__")) }
    }

    /// Loads section `T`, or says what is wrong with it.
    ///
    /// ```
    /// use weft::config::{Section, Sources};
    ///
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Api {
    ///     port: u16,
    /// }
    /// impl Section for Api {
    ///     const KEY: &'static str = "api";
    /// }
    ///
    /// let api: Api = Sources::new().toml("[api]\nport = 9000").section()?;
    /// assert_eq!(api.port, 9000);
    ///
    /// let error = Sources::new().toml("[api]\nport = -1").section::<Api>().unwrap_err();
    /// assert_eq!(error.key, "api.port");
    /// # Ok::<(), weft::config::ConfigProblem>(())
    /// ```
    pub fn section<T: Section>(&self) -> Result<T, ConfigProblem> {
        self.load::<T>().map_err(|mut problems| problems.remove(0))
    }

    /// Section `T`, or every problem with it (at least one).
    fn load<T: Section>(&self) -> Result<T, Vec<ConfigProblem>> {
        let extracted = match T::KEY {
            "" => self.figment.extract::<T>(),
            key => self.figment.focus(key).extract::<T>(),
        };
        let section = extracted.map_err(|error| vec![problem(T::KEY, error)])?;
        let invalid = section.validate();
        if invalid.is_empty() {
            return Ok(section);
        }
        Err(invalid
            .into_iter()
            .map(|(field, message)| {
                let key = join(&[T::KEY, field]);
                let origin = self.figment.find_metadata(&key).map(|m| origin(m, &key));
                ConfigProblem { section: T::KEY, key, origin, message }
            })
            .collect())
    }
}

/// What is wrong with one value of the configuration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{key}`{}: {message}", .origin.as_ref().map(|s| format!(" (from {s})")).unwrap_or_default())]
pub struct ConfigProblem {
    /// The section.
    pub section: &'static str,
    /// The key at fault, from the section down: `api.port`.
    pub key: String,
    /// Where the value came from (a file, an environment variable), when it came from one.
    pub origin: Option<String>,
    /// What is wrong, e.g. `invalid type: found string "x", expected u16`.
    pub message: String,
}

/// Every problem of the configuration; a platform with any of them starts nothing.
///
/// ```
/// use weft::config::{ConfigError, ConfigProblem};
///
/// let error = ConfigError {
///     problems: vec![ConfigProblem {
///         section: "api",
///         key: "api.port".into(),
///         origin: Some("environment variable `APP_API__PORT`".into()),
///         message: "invalid digit found in string".into(),
///     }],
/// };
/// assert_eq!(
///     error.to_string(),
///     "the configuration has 1 problem:\n  - `api.port` (from environment variable \
///      `APP_API__PORT`): invalid digit found in string"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The problems, by section in component name order.
    pub problems: Vec<ConfigProblem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(f, "the configuration has {count} problem{}:", if count == 1 { "" } else { "s" })?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// Loads section `T` as a service: what `ServiceKey::config` stores for a `config(T)` entry.
pub(crate) fn load_section<T: Section>(sources: &Sources) -> Result<Service, Vec<ConfigProblem>> {
    sources.load::<T>().map(|section| Service::new(Arc::new(section)))
}

/// `a.b.c`, skipping empty parts (the root section's key).
fn join(parts: &[&str]) -> String {
    parts.iter().filter(|part| !part.is_empty()).copied().collect::<Vec<_>>().join(".")
}

/// The [`ConfigProblem`] for figment's error about section `section`.
fn problem(section: &'static str, error: figment::Error) -> ConfigProblem {
    let mut keys: Vec<&str> = vec![section];
    keys.extend(error.path.iter().map(String::as_str));
    // A missing field is reported at its table; name the field itself.
    if let figment::error::Kind::MissingField(field) = &error.kind {
        keys.push(field);
    }
    let key = join(&keys);
    let origin = error.metadata.as_ref().map(|metadata| origin(metadata, &key));
    ConfigProblem { section, key, origin, message: error.kind.to_string() }
}

/// Where the value at `key` came from, in words: a file, an environment variable, or figment's
/// name for the source.
fn origin(metadata: &figment::Metadata, key: &str) -> String {
    match (&metadata.source, env_prefix(&metadata.name)) {
        (Some(figment::Source::File(path)), _) => format!("file `{}`", path.display()),
        (_, Some(prefix)) => {
            format!("environment variable `{prefix}{}`", key.replace('.', "__").to_uppercase())
        }
        _ => metadata.name.to_string(),
    }
}

/// `APP_` in figment's name for the variables of [`Sources::env`]: "`APP_` environment
/// variable(s)".
fn env_prefix(name: &str) -> Option<&str> {
    let rest = name.strip_prefix('`')?;
    let (prefix, tail) = rest.split_once('`')?;
    tail.contains("environment").then_some(prefix)
}
