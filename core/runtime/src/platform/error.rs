//! Why a platform did not boot, or did not stop cleanly.

use std::time::Duration;

use super::hook::{HookError, TaskError};
use super::report::StopReport;
use crate::graph::GraphError;
use crate::human::Human;
use crate::states::States;

/// Stopping a platform met errors. Every component was still given its turn; `report` lists
/// them all.
#[derive(Clone, Debug, thiserror::Error)]
#[error("stopping the platform failed: {report}")]
pub struct StopError {
    /// What stopping did.
    pub report: StopReport,
}

/// Boot failed: a hook failed, panicked or timed out (or a tracked task failed), and the
/// platform was rolled back.
///
/// Every failure observed before the hooks still running were cancelled is reported, in the
/// order observed: two components failing in the same wave are both here.
///
/// ```
/// use std::time::Duration;
/// use weft::{BootFailure, HookCause, HookError, Phase, StopReport};
///
/// let failure = BootFailure {
///     failures: vec![HookError {
///         component: "web",
///         phase: Phase::Start,
///         elapsed: Duration::from_millis(3),
///         cause: HookCause::Panic("port taken".into()),
///     }],
///     failed_tasks: vec![],
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
#[error("boot failed after {}: {}\n  rollback: {}", Human(*.elapsed), all_failures(.failures, .failed_tasks), rollback_summary(.rollback))]
pub struct BootFailure {
    /// Every hook that failed, in the order the failures were observed.
    pub failures: Vec<HookError>,
    /// Every tracked task that failed during boot (see [`Supervisor`](crate::Supervisor)).
    pub failed_tasks: Vec<TaskError>,
    /// How long boot ran before the first failure.
    pub elapsed: Duration,
    /// What the rollback did: it stops exactly the components that finished `init` (including
    /// one whose `start` failed), each after its tracked tasks.
    pub rollback: StopReport,
    /// Every component's state after the rollback: those that failed stay `Failed`, those
    /// stopped are `Stopped`, those never initialized are still `Ready`.
    pub states: States,
}

fn all_failures(hooks: &[HookError], tasks: &[TaskError]) -> String {
    let hooks = hooks.iter().map(ToString::to_string);
    let all: Vec<String> = hooks.chain(tasks.iter().map(ToString::to_string)).collect();
    all.join("\n  ")
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
    /// A hook (or a tracked task) failed, panicked or timed out; the platform was rolled back.
    #[error(transparent)]
    Hook(Box<BootFailure>),
    /// `boot` was called outside a tokio runtime.
    #[error("weft boots on a tokio runtime; call `boot()` from within one")]
    NoRuntime,
    /// The tokio runtime shut down while the platform was booting.
    #[error("the tokio runtime shut down during boot")]
    Interrupted,
    /// The configuration has problems; no hook ran.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
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
    /// A tracked task failed or panicked while the platform ran, and the platform was stopped.
    #[error("{}; the platform was stopped: {report}", tasks.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    TaskFailed {
        /// Every tracked task that failed while its component ran.
        tasks: Vec<TaskError>,
        /// What stopping did.
        report: StopReport,
    },
}
