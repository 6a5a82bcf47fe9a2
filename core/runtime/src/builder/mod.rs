//! Composing a platform: which components, which replacements, which time limits.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

mod validation;

pub use validation::{Validation, Warning};

use crate::component::{Role, Service, ServiceKey};
use crate::config::{ConfigError, Sources};
use crate::graph::{Composition, Graph, GraphError, resolve};
use crate::platform::{BootError, Limits, Platform, boot};
use crate::registry::{Declared, Registration, registrations};

/// The time limit of each hook unless set otherwise: 30 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The time budget of the rollback after a failed boot, unless set otherwise: 30 seconds.
pub const DEFAULT_ROLLBACK_TIMEOUT: Duration = Duration::from_secs(30);

/// Composes a platform, then checks and boots it.
///
/// [`Builder::new`] collects every component declared with [`#[component]`](crate::component)
/// in the binary; [`Builder::empty`] starts from none, for tests that
/// [`register`](Builder::register) their own.
///
/// ```
/// use std::time::Duration;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> anyhow::Result<()> {
/// let platform = weft::Builder::new()
///     .only_from_env("WEFT_COMPONENTS")           // e.g. WEFT_COMPONENTS=channels,users
///     .default_timeout(Duration::from_secs(10))
///     .boot()
///     .await?;
/// platform.stop().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Builder {
    registrations: Vec<&'static Registration>,
    only: Option<Vec<String>>,
    /// Where the `only` list came from, as error messages name it: `only` or a variable.
    only_setting: String,
    without: Vec<String>,
    replacements: HashMap<ServiceKey, Service>,
    config: Sources,
    default_timeout: Duration,
    timeouts: Vec<(String, Duration)>,
    rollback_timeout: Duration,
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl Builder {
    /// A builder with every component registered in the binary.
    ///
    /// ```
    /// let graph = weft::Builder::new().resolve()?;
    /// println!("{} components: {:?}", graph.len(), graph.init_order());
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn new() -> Self {
        let mut builder = Builder::empty();
        builder.registrations = registrations();
        builder
    }

    /// A builder with no component; add them with [`register`](Builder::register).
    ///
    /// ```
    /// assert!(weft::Builder::empty().resolve()?.is_empty());
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn empty() -> Self {
        Builder {
            registrations: Vec::new(),
            only: None,
            only_setting: "only".to_owned(),
            without: Vec::new(),
            replacements: HashMap::new(),
            config: Sources::new(),
            default_timeout: DEFAULT_TIMEOUT,
            timeouts: Vec::new(),
            rollback_timeout: DEFAULT_ROLLBACK_TIMEOUT,
        }
    }

    /// Adds one component. What `#[component]` submits to `inventory` can also be written by hand:
    ///
    /// ```
    /// use weft::__private::{Hooks, erase};
    /// use weft::Registration;
    ///
    /// #[derive(Default)]
    /// struct Clock;
    ///
    /// static CLOCK: Registration = Registration {
    ///     name: "clock",
    ///     type_name: "Clock",
    ///     module_path: module_path!(),
    ///     file: file!(),
    ///     line: line!(),
    ///     provides: None,
    ///     requires: &[],
    ///     build: |_| Ok(erase(Clock, Hooks::none(), None)),
    /// };
    ///
    /// let graph = weft::Builder::empty().register(&CLOCK).resolve()?;
    /// assert_eq!(graph.init_order(), ["clock"]);
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn register(mut self, registration: &'static Registration) -> Self {
        self.registrations.push(registration);
        self
    }

    /// Adds the component `C`, declared with `#[component]`. This is how a component declared
    /// `local` joins a platform: a test declares its fakes `local`, so that they join the
    /// platforms of that test only, not every platform of the test binary.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> anyhow::Result<()> {
    /// use std::sync::Arc;
    /// use weft::prelude::*;
    ///
    /// pub trait Clock: Send + Sync {
    ///     fn now(&self) -> u64;
    /// }
    ///
    /// #[component(name = "fixed-clock", provides = dyn Clock, local)]
    /// #[derive(Default)]
    /// struct FixedClock;
    ///
    /// impl Clock for FixedClock {
    ///     fn now(&self) -> u64 {
    ///         42
    ///     }
    /// }
    ///
    /// let platform = weft::Builder::empty().with::<FixedClock>().boot().await?;
    /// assert_eq!(platform.get::<dyn Clock>().map(|clock| clock.now()), Some(42));
    /// platform.stop().await?;
    /// # Ok(()) }
    /// ```
    pub fn with<C: Declared>(self) -> Self {
        let registration = C::registration();
        // A component that is not `local` may already be here, collected by `Builder::new`.
        let known = self.registrations.iter().any(|r| {
            (r.name, r.file, r.line) == (registration.name, registration.file, registration.line)
        });
        if known { self } else { self.register(registration) }
    }

    /// Leaves out the named components, as if they were not registered: a component that
    /// requires one of their services then fails the check as a missing provider, and an
    /// optional requirement of it gets `None`. A name that matches no component is an error at
    /// [`boot`](Builder::boot), with a suggestion when a name is close; so is a name that
    /// [`only`](Builder::only) selects too ([`Problem::SelectedAndExcluded`](crate::Problem)).
    ///
    /// ```
    /// use weft::Problem;
    ///
    /// let error = weft::Builder::empty().without(["metrics"]).resolve().unwrap_err();
    /// assert!(matches!(&error.problems[..], [Problem::UnknownComponent { setting, .. }] if setting == "without"));
    /// ```
    pub fn without<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.without.extend(names.into_iter().map(Into::into));
        self
    }

    /// Where configuration sections are loaded from (see [`crate::config`]); by default,
    /// nowhere: every section takes its defaults.
    ///
    /// ```
    /// use weft::config::Sources;
    ///
    /// let builder = weft::Builder::new().config(Sources::new().file("app.toml").env("APP_"));
    /// ```
    pub fn config(mut self, sources: Sources) -> Self {
        self.config = sources;
        self
    }

    /// Loads every configuration section the selected components require, without constructing
    /// any component, and reports every problem at once. [`boot`](Builder::boot) does the same
    /// before any hook runs; `--check` calls this.
    ///
    /// ```
    /// use weft::config::Sources;
    ///
    /// // No component requires a section here, so nothing can be wrong.
    /// weft::Builder::empty().config(Sources::new().toml("[api]\nport = 1")).check_config()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_config(&self) -> Result<(), BootError> {
        let graph = self.resolve()?;
        load_config(&graph, &self.config)?;
        Ok(())
    }

    /// Boots only the named components and everything they transitively require, the way
    /// Twake's service list composes its platform. A name that matches no component is an error
    /// at [`boot`](Builder::boot), with a suggestion when a name is close.
    ///
    /// ```
    /// let error = weft::Builder::empty().only(["channels"]).resolve().unwrap_err();
    /// assert_eq!(error.problems.len(), 1);
    /// ```
    pub fn only<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.only = Some(names.into_iter().map(Into::into).collect());
        self.only_setting = "only".to_owned();
        self
    }

    /// [`only`](Builder::only) the components listed, comma-separated, in environment variable
    /// `var`, e.g. `WEFT_COMPONENTS=channels,users`. When `var` is unset or blank, every component
    /// boots. Spaces around names are ignored. An unknown name is reported as coming from `var`.
    ///
    /// ```
    /// // With WEFT_COMPONENTS unset, nothing is filtered.
    /// let builder = weft::Builder::empty().only_from_env("WEFT_EXAMPLE_UNSET");
    /// assert!(builder.resolve().is_ok());
    /// ```
    pub fn only_from_env(self, var: &str) -> Self {
        let Some(value) = std::env::var_os(var) else { return self };
        let value = value.to_string_lossy();
        let names: Vec<String> = value
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(String::from)
            .collect();
        if names.is_empty() {
            return self;
        }
        let mut builder = self.only(names);
        builder.only_setting = var.to_owned();
        builder
    }

    /// Serves service `T` with `value` instead of its provider, for tests. The original provider
    /// is not constructed unless [`only`](Builder::only) names it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> anyhow::Result<()> {
    /// use std::sync::Arc;
    ///
    /// let platform = weft::Builder::empty().replace::<str>(Arc::from("fake")).boot().await?;
    /// assert_eq!(platform.get::<str>().as_deref(), Some("fake"));
    /// # Ok(()) }
    /// ```
    pub fn replace<T: ?Sized + Send + Sync + 'static>(mut self, value: Arc<T>) -> Self {
        let key = ServiceKey::of::<T>(std::any::type_name::<T>());
        self.replacements.insert(key, Service::new(value));
        self
    }

    /// The time limit of every hook that has no more specific one (default 30 s).
    ///
    /// ```
    /// let builder = weft::Builder::new().default_timeout(std::time::Duration::from_secs(5));
    /// ```
    pub fn default_timeout(mut self, limit: Duration) -> Self {
        self.default_timeout = limit;
        self
    }

    /// The time limit of component `name`'s hooks. It wins over the component's own
    /// [`Lifecycle::timeout`](crate::Lifecycle::timeout). An unknown name is an error at boot.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let builder = weft::Builder::empty().timeout_for("database", Duration::from_secs(60));
    /// // No component is called `database` here.
    /// assert!(builder.resolve().is_err());
    /// ```
    pub fn timeout_for(mut self, name: impl Into<String>, limit: Duration) -> Self {
        self.timeouts.push((name.into(), limit));
        self
    }

    /// The time budget of the whole rollback after a failed boot (default 30 s). Components not
    /// stopped within it are reported in [`StopReport::not_stopped`](crate::StopReport).
    ///
    /// ```
    /// let builder = weft::Builder::new().rollback_timeout(std::time::Duration::from_secs(10));
    /// ```
    pub fn rollback_timeout(mut self, budget: Duration) -> Self {
        self.rollback_timeout = budget;
        self
    }

    /// Checks the graph the platform would run, without running any hook, and reports every
    /// problem at once.
    ///
    /// ```
    /// let graph = weft::Builder::new().resolve()?;
    /// println!("{}", graph.to_mermaid());
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn resolve(&self) -> Result<Graph, GraphError> {
        let replaced: HashSet<ServiceKey> = self.replacements.keys().copied().collect();
        resolve(Composition {
            registrations: self.registrations.clone(),
            only: self.only.as_deref(),
            only_setting: &self.only_setting,
            without: &self.without,
            replaced: &replaced,
            named: self.timeouts.iter().map(|(name, _)| ("timeout_for", name.as_str())).collect(),
        })
    }

    /// A dry run: checks everything [`boot`](Builder::boot) would check (missing and duplicate
    /// providers, duplicate names, cycles, unknown names in [`only`](Builder::only) and
    /// [`timeout_for`](Builder::timeout_for)) and reports every problem at once, without
    /// constructing any component or running any hook. It also warns about a
    /// [`replace`](Builder::replace) that serves nobody.
    ///
    /// ```
    /// use weft::Problem;
    ///
    /// let error = weft::Builder::empty().timeout_for("ghost", std::time::Duration::ZERO).validate().unwrap_err();
    /// assert!(matches!(&error.problems[..], [Problem::UnknownComponent { setting, .. }] if setting == "timeout_for"));
    ///
    /// let validation = weft::Builder::empty().replace::<str>("unused".into()).validate()?;
    /// assert_eq!(
    ///     validation.warnings()[0].to_string(),
    ///     "`replace::<str>` serves nobody: no selected component requires `str`; check the type, or remove the replacement"
    /// );
    /// # Ok::<(), weft::GraphError>(())
    /// ```
    pub fn validate(&self) -> Result<Validation, GraphError> {
        let graph = self.resolve()?;
        let mut warnings: Vec<Warning> = self
            .replacements
            .keys()
            .filter(|key| !graph.registrations.iter().any(|r| r.requires.contains(key)))
            .map(|key| Warning::UnusedReplacement { service: key.name() })
            .collect();
        warnings.sort_by_key(|warning| warning.to_string());
        Ok(Validation::new(graph, warnings))
    }

    /// Checks the graph, then boots the platform in two waves: the init wave constructs and
    /// initializes every component, each as soon as its dependencies are initialized; once
    /// every `init` has succeeded, the start wave starts every component, each as soon as its
    /// dependencies have started.
    ///
    /// On an error, panic or timeout of any hook (or a tracked task failing), boot cancels the
    /// hooks still running, stops the components that finished `init` (dependents first, each
    /// after its tracked tasks) and returns [`BootError::Hook`] with every failure observed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let platform = weft::Builder::new().boot().await?;
    /// println!("{}", platform.report());
    /// platform.stop().await?;
    /// # Ok(()) }
    /// ```
    pub async fn boot(mut self) -> Result<Platform, BootError> {
        let graph = self.resolve()?;
        // Configuration sections are served like replacements: values ready before any hook.
        self.replacements.extend(load_config(&graph, &self.config)?);
        let limits = Limits {
            default: self.default_timeout,
            by_name: self.timeouts.into_iter().collect(),
            rollback: self.rollback_timeout,
        };
        boot(graph, self.replacements, limits).await
    }
}

/// Loads every section the components of `graph` require (each once), collecting every problem.
fn load_config(
    graph: &Graph,
    sources: &Sources,
) -> Result<HashMap<ServiceKey, Service>, ConfigError> {
    let mut loaded: HashMap<ServiceKey, Service> = HashMap::new();
    let mut problems = Vec::new();
    let sections = graph.registrations.iter().flat_map(|r| r.requires);
    let mut tried = std::collections::HashSet::new();
    for key in sections.filter(|key| key.role() == Role::Config) {
        let (Some(load), true) = (key.loader(), tried.insert(*key)) else { continue };
        match load(sources) {
            Ok(service) => {
                loaded.insert(*key, service);
            }
            Err(found) => problems.extend(found),
        }
    }
    match problems.is_empty() {
        true => Ok(loaded),
        false => Err(ConfigError { problems }),
    }
}
