//! The typed errors of the runtime: graph problems, hook failures, boot and stop outcomes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::component::InjectError;
use crate::lifecycle::Phase;
use crate::platform::States;

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

/// One problem found while checking the component graph.
///
/// Every problem of a graph is reported at once, in a [`GraphError`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// A name given to a builder setting (`only`, `timeout_for`) names no component.
    #[error(
        "unknown component `{name}` in `{setting}`{}",
        .suggestion.map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
    )]
    UnknownComponent {
        /// The name as given.
        name: String,
        /// The builder setting that named it, e.g. `only`.
        setting: &'static str,
        /// The closest existing component name, when one is close.
        suggestion: Option<&'static str>,
    },
    /// Two or more components share a name.
    #[error("duplicate component name `{name}`, declared at {}", join(.declarations, ", "))]
    DuplicateName {
        /// The shared name.
        name: &'static str,
        /// Every declaration with that name.
        declarations: Vec<Location>,
    },
    /// Two or more components provide the same service.
    #[error("duplicate provider: `{service}` is provided by {}", quoted(.providers))]
    DuplicateProvider {
        /// The service type, as written.
        service: &'static str,
        /// Every component that provides it, by name.
        providers: Vec<&'static str>,
    },
    /// A component requires a service that no component provides.
    #[error(
        "missing provider: component `{required_by}` ({location}) requires `{service}`, which no component provides"
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
    #[error("cycle: {}", join(.path, " → "))]
    Cycle {
        /// `a → b → c → a` as `["a", "b", "c", "a"]`.
        path: Vec<&'static str>,
    },
}

fn join<T: fmt::Display>(items: &[T], separator: &str) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(separator)
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
/// assert!(error.to_string().contains("unknown component `ghost`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct GraphError {
    /// The problems, grouped by kind and sorted by name.
    pub problems: Vec<Problem>,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        write!(f, "the component graph has {count} problem{}", if count == 1 { "" } else { "s" })?;
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
    #[error("timed out after {0:?}")]
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
/// assert_eq!(error.to_string(), "component `database` failed in init after 12ms: panicked: boom");
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[error("component `{component}` failed in {phase} after {elapsed:?}: {cause}")]
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
#[derive(Clone, Debug, thiserror::Error)]
#[error("boot failed after {elapsed:?}: {failure}; rollback: {rollback}")]
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
