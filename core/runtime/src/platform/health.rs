//! The platform's health: readiness and liveness, with the components that are not healthy.

use std::fmt;

use super::hook::TaskError;
use crate::human::quoted;
use crate::lifecycle::State;
use crate::states::States;

/// Whether a platform can serve, and why not.
///
/// - **Ready**: every component has started, none has failed, and the platform is not stopping
///   (from the moment a stop or a rollback begins, it is not ready).
/// - **Live**: no tracked task has failed (see [`Supervisor`](crate::Supervisor)).
///
/// A `/health` endpoint answers 200 when [`is_healthy`](Health::is_healthy), 503 with the
/// `Display` text otherwise.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> anyhow::Result<()> {
/// let platform = weft::Builder::empty().boot().await?;
/// let health = platform.health();
/// assert!(health.ready && health.live && health.is_healthy());
/// assert_eq!(health.to_string(), "ready");
/// platform.stop().await?;
/// assert_eq!(platform.health().to_string(), "not ready: the platform is stopping");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Health {
    /// Every component started, none failed, and the platform is not stopping.
    pub ready: bool,
    /// No tracked task has failed.
    pub live: bool,
    /// The platform has begun to stop.
    pub stopping: bool,
    /// Every component that is not started or has a failed task, in name order.
    pub unhealthy: Vec<Unhealthy>,
}

/// A component that keeps the platform from being healthy.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unhealthy {
    /// The component's name.
    pub component: &'static str,
    /// Its state: anything but [`State::Started`], or `Started` with a failed task.
    pub state: State,
    /// The names of its tracked tasks that failed.
    pub failed_tasks: Vec<String>,
}

impl Health {
    pub(crate) fn new(states: States, stopping: bool, failed: &[TaskError]) -> Health {
        let unhealthy: Vec<Unhealthy> = states
            .iter()
            .filter_map(|(component, state)| {
                let failed_tasks: Vec<String> = failed
                    .iter()
                    .filter(|task| task.component == component)
                    .map(|task| task.task.clone())
                    .collect();
                (state != State::Started || !failed_tasks.is_empty()).then_some(Unhealthy {
                    component,
                    state,
                    failed_tasks,
                })
            })
            .collect();
        let ready = !stopping && states.all(State::Started);
        Health { ready, live: failed.is_empty(), stopping, unhealthy }
    }

    /// Ready and live.
    pub fn is_healthy(&self) -> bool {
        self.ready && self.live
    }
}

/// `ready`, or what is wrong: `not ready: the platform is stopping; `db` is failed (failed
/// tasks: `relay`)`.
impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_healthy() {
            return f.write_str("ready");
        }
        f.write_str(match (self.ready, self.live) {
            (false, false) => "not ready, not live",
            (false, true) => "not ready",
            _ => "not live",
        })?;
        let mut separator = ": ";
        if self.stopping {
            write!(f, "{separator}the platform is stopping")?;
            separator = "; ";
        }
        for component in &self.unhealthy {
            if self.stopping && component.failed_tasks.is_empty() {
                continue;
            }
            write!(f, "{separator}`{}` is {}", component.component, component.state)?;
            if !component.failed_tasks.is_empty() {
                let tasks: Vec<&str> = component.failed_tasks.iter().map(String::as_str).collect();
                write!(f, " (failed tasks: {})", quoted(&tasks))?;
            }
            separator = "; ";
        }
        Ok(())
    }
}
