//! Why a platform did not boot, or did not stop cleanly.

use std::time::Duration;

use super::hook::HookError;
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
}
