//! The typed errors of the runtime: graph problems, hook failures, boot and stop outcomes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::component::InjectError;
use crate::lifecycle::Phase;
use crate::platform::States;
use crate::report::Human;

/// Where a component is declared: `file!()` and `line!()` of its `#[component]` attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The source file.
    pub file: &'static str,
    /// The line in `file`.
    pub line: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A component's declaration, as a graph problem cites it.
///
/// ```
/// use weft::{Builder, Problem, Registration};
/// use weft::__private::{Hooks, erase};
///
/// #[derive(Default)]
/// struct Clock;
/// static A: Registration = Registration {
///     name: "clock", type_name: "Clock", module_path: "app", file: "src/a.rs", line: 3,
///     provides: None, requires: &[], build: |_| Ok(erase(Clock, Hooks::none(), None)),
/// };
/// static B: Registration = Registration { file: "src/b.rs", ..A };
///
/// let error = Builder::empty().register(&A).register(&B).resolve().unwrap_err();
/// let Problem::DuplicateName { declarations, .. } = &error.problems[0] else { panic!() };
/// assert_eq!(declarations[1].type_name, "Clock");
/// assert_eq!(declarations[1].location.to_string(), "src/b.rs:3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Declaration {
    /// The component's name.
    pub name: &'static str,
    /// The struct's name as written.
    pub type_name: &'static str,
    /// Where the `#[component]` attribute is.
    pub location: Location,
}

/// One problem found while checking the component graph.
///
/// Every problem of a graph is reported at once, in a [`GraphError`]. Each message names the
/// components and services as the user wrote them, where they are declared, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A name given to a builder setting (`only`, `timeout_for`) names no component.
    #[error("unknown component `{name}` in `{setting}`; {}", unknown_hint(.suggestion, .known))]
    UnknownComponent {
        /// The name as given.
        name: String,
        /// What named it: a builder setting (`only`, `timeout_for`) or the environment variable
        /// read by [`only_from_env`](crate::Builder::only_from_env), e.g. `WEFT_COMPONENTS`.
        setting: String,
        /// The closest existing component name, when one is close.
        suggestion: Option<&'static str>,
        /// Every component name, sorted.
        known: Vec<&'static str>,
    },
    /// Two or more components share a name.
    #[error(
        "duplicate component name `{name}`: declared by {}; give each component a unique `name`",
        list(.declarations, |d| format!("`{}` at {}", d.type_name, d.location))
    )]
    DuplicateName {
        /// The shared name.
        name: &'static str,
        /// Every declaration with that name.
        declarations: Vec<Declaration>,
    },
    /// Two or more components provide the same service.
    #[error(
        "duplicate provider: `{service}` is provided by {}; a service has one provider: remove \
         `provides = {service}` from all but one of them",
        list(.providers, |d| format!("`{}` ({})", d.name, d.location))
    )]
    DuplicateProvider {
        /// The service type, as written.
        service: &'static str,
        /// Every component that provides it.
        providers: Vec<Declaration>,
    },
    /// A component requires a service that no component provides.
    #[error(
        "missing provider: `{required_by}` ({location}) requires `{service}`, which no component \
         provides; declare a component with `provides = {service}`, or name the crate that \
         declares one in `weft::platform!(...)` so that it is linked"
    )]
    MissingProvider {
        /// The service type, as written in `requires`.
        service: &'static str,
        /// The component that requires it.
        required_by: &'static str,
        /// Where that component is declared.
        location: Location,
    },
    /// Components that require each other in a circle. `path` starts and ends with the same
    /// component; each component requires the next one.
    #[error(
        "dependency cycle `{}`: {}; remove one of these `requires`, or move what they share \
         into a component of its own",
        .path.join(" → "),
        cycle_steps(.path, .services)
    )]
    Cycle {
        /// `a → b → c → a` as `["a", "b", "c", "a"]`.
        path: Vec<&'static str>,
        /// The service each step requires: `services[i]` is what `path[i]` requires from
        /// `path[i + 1]`.
        services: Vec<&'static str>,
    },
}

fn unknown_hint(suggestion: &Option<&'static str>, known: &[&'static str]) -> String {
    const SHOWN: usize = 12;
    if let Some(suggestion) = suggestion {
        return format!("did you mean `{suggestion}`?");
    }
    if known.is_empty() {
        return "the platform has no component at all: is `weft::platform!()` in the binary?"
            .to_owned();
    }
    let mut hint = format!("the components are {}", quoted(&known[..known.len().min(SHOWN)]));
    if known.len() > SHOWN {
        hint.push_str(&format!(" and {} more", known.len() - SHOWN));
    }
    hint
}

fn cycle_steps(path: &[&'static str], services: &[&'static str]) -> String {
    let steps = path.windows(2).zip(services);
    steps
        .map(|(pair, service)| format!("`{}` requires `{service}` from `{}`", pair[0], pair[1]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `a`, `a and b`, `a, b and c`.
fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let shown: Vec<String> = items.iter().map(show).collect();
    match shown.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn quoted(items: &[&str]) -> String {
    items.iter().map(|item| format!("`{item}`")).collect::<Vec<_>>().join(", ")
}

/// Every problem of a component graph. A platform with any problem starts nothing.
///
/// ```
/// use weft::{Builder, Problem};
///
/// let error = Builder::empty().only(["ghost"]).resolve().unwrap_err();
/// assert!(matches!(&error.problems[0], Problem::UnknownComponent { name, .. } if name == "ghost"));
/// assert_eq!(
///     error.to_string(),
///     "the component graph has 1 problem:\n  - unknown component `ghost` in `only`; the platform \
///      has no component at all: is `weft::platform!()` in the binary?"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct GraphError {
    /// The problems, grouped by kind and sorted by name.
    pub problems: Vec<Problem>,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(f, "the component graph has {count} problem{}:", if count == 1 { "" } else { "s" })?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

/// Why a hook (or the construction of a component) failed.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HookCause {
    /// The hook returned an error; displayed with its whole cause chain.
    #[error("{0:#}")]
    Error(Arc<anyhow::Error>),
    /// The hook panicked; the panic message.
    #[error("panicked: {0}")]
    Panic(String),
    /// The hook did not finish within its time limit.
    #[error("timed out after {}", Human(*.0))]
    Timeout(Duration),
    /// The component could not be constructed.
    #[error(transparent)]
    Inject(InjectError),
    /// The hook's task was cancelled from outside, e.g. because the tokio runtime shut down.
    #[error("cancelled before it finished")]
    Cancelled,
}

/// A failed hook: which component, which phase, how long it ran, and why it failed.
///
/// ```
/// use std::time::Duration;
/// use weft::{HookCause, HookError, Phase};
///
/// let error = HookError {
///     component: "database",
///     phase: Phase::Init,
///     elapsed: Duration::from_millis(12),
///     cause: HookCause::Panic("boom".into()),
/// };
/// assert_eq!(error.to_string(), "component `database` panicked in `init` after 12ms: boom");
///
/// let error = HookError { cause: HookCause::Timeout(Duration::from_secs(5)), ..error };
/// assert_eq!(
///     error.to_string(),
///     "component `database` did not finish `init` within its time limit of 5s; if it needs \
///      longer, raise the limit with `Builder::timeout_for(\"database\", ...)` or \
///      `Lifecycle::timeout`"
/// );
/// ```
#[derive(Clone, Debug, thiserror::Error)]
pub struct HookError {
    /// The component's name.
    pub component: &'static str,
    /// The phase of the failed hook.
    pub phase: Phase,
    /// How long the hook ran.
    pub elapsed: Duration,
    /// Why it failed.
    pub cause: HookCause,
}

impl fmt::Display for HookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let HookError { component, phase, elapsed, cause } = self;
        let elapsed = Human(*elapsed);
        match cause {
            HookCause::Error(error) => {
                write!(f, "component `{component}` failed in `{phase}` after {elapsed}: {error:#}")
            }
            HookCause::Panic(message) => {
                write!(
                    f,
                    "component `{component}` panicked in `{phase}` after {elapsed}: {message}"
                )
            }
            HookCause::Timeout(limit) => write!(
                f,
                "component `{component}` did not finish `{phase}` within its time limit of {}; \
                 if it needs longer, raise the limit with \
                 `Builder::timeout_for(\"{component}\", ...)` or `Lifecycle::timeout`",
                Human(*limit)
            ),
            HookCause::Inject(error) => {
                write!(f, "component `{component}` could not be constructed: {error}")
            }
            HookCause::Cancelled => {
                write!(f, "component `{component}`'s `{phase}` was cancelled after {elapsed}")
            }
        }
    }
}

/// What stopping a set of components did.
///
/// ```
/// let report = weft::StopReport::default();
/// assert!(report.is_clean());
/// assert_eq!(report.to_string(), "stopped 0 components");
/// ```
#[derive(Clone, Debug, Default)]
pub struct StopReport {
    /// The components whose `stop` succeeded, in the order they finished.
    pub stopped: Vec<&'static str>,
    /// The components whose `stop` failed, panicked or timed out. They count as stopped for the
    /// order: their dependencies still stop.
    pub failed: Vec<HookError>,
    /// The components that were not stopped because the time budget ran out.
    pub not_stopped: Vec<&'static str>,
}

impl StopReport {
    /// Whether every component stopped without error.
    pub fn is_clean(&self) -> bool {
        self.failed.is_empty() && self.not_stopped.is_empty()
    }
}

impl fmt::Display for StopReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.stopped.len();
        write!(f, "stopped {count} component{}", if count == 1 { "" } else { "s" })?;
        if !self.stopped.is_empty() {
            write!(f, " ({})", quoted(&self.stopped))?;
        }
        for failure in &self.failed {
            write!(f, "; {failure}")?;
        }
        if !self.not_stopped.is_empty() {
            write!(f, "; not stopped, time budget exhausted: {}", quoted(&self.not_stopped))?;
        }
        Ok(())
    }
}

/// Stopping a platform met errors. Every component was still given its turn; `report` lists
/// them all.
#[derive(Clone, Debug, thiserror::Error)]
#[error("stopping the platform failed: {report}")]
pub struct StopError {
    /// What stopping did.
    pub report: StopReport,
}

/// A hook failed during boot, and the platform was rolled back.
///
/// ```
/// use std::time::Duration;
/// use weft::{BootFailure, HookCause, HookError, Phase, StopReport};
///
/// let failure = BootFailure {
///     failure: HookError {
///         component: "web",
///         phase: Phase::Start,
///         elapsed: Duration::from_millis(3),
///         cause: HookCause::Panic("port taken".into()),
///     },
///     elapsed: Duration::from_millis(41),
///     rollback: StopReport { stopped: vec!["web", "database"], ..StopReport::default() },
///     states: Default::default(),
/// };
/// assert_eq!(
///     failure.to_string(),
///     "boot failed after 41ms: component `web` panicked in `start` after 3ms: port taken\n  \
///      rollback: stopped 2 components (`web`, `database`)"
/// );
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[error("boot failed after {}: {failure}\n  rollback: {}", Human(*.elapsed), rollback_summary(.rollback))]
pub struct BootFailure {
    /// The first hook that failed.
    pub failure: HookError,
    /// How long boot ran before the failure.
    pub elapsed: Duration,
    /// What the rollback did: it stops exactly the components that finished `init`.
    pub rollback: StopReport,
    /// Every component's state after the rollback: the one that failed is `Failed`, those
    /// stopped are `Stopped`, those never initialized are still `Ready`.
    pub states: States,
}

fn rollback_summary(rollback: &StopReport) -> String {
    if rollback.stopped.is_empty() && rollback.is_clean() {
        "nothing to stop, no component had finished `init`".to_owned()
    } else {
        rollback.to_string()
    }
}

/// Why a platform did not boot.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BootError {
    /// The component graph has problems; no hook ran.
    #[error(transparent)]
    Graph(#[from] GraphError),
    /// A hook failed, panicked or timed out; the platform was rolled back.
    #[error(transparent)]
    Hook(Box<BootFailure>),
    /// `boot` was called outside a tokio runtime.
    #[error("weft boots on a tokio runtime; call `boot()` from within one")]
    NoRuntime,
    /// The tokio runtime shut down while the platform was booting.
    #[error("the tokio runtime shut down during boot")]
    Interrupted,
}

/// Why [`Platform::run_until_shutdown`](crate::Platform::run_until_shutdown) failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShutdownError {
    /// The signal handlers could not be installed.
    #[error("cannot listen for shutdown signals")]
    Signals(#[source] std::io::Error),
    /// Stopping the platform met errors.
    #[error(transparent)]
    Stop(#[from] StopError),
}
