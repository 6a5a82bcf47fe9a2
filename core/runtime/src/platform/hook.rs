//! Running one hook: inside a `tracing` span, under a time limit; and the error a failed hook
//! becomes, whether it returned an error, panicked, timed out or was cancelled.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinError;
use tracing::Instrument;

use crate::component::InjectError;
use crate::human::Human;
use crate::lifecycle::Phase;

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

/// A tracked task that failed: it returned an error, panicked, or did not end within its
/// component's time limit once cancelled.
///
/// ```
/// use std::time::Duration;
/// use weft::{HookCause, TaskError};
///
/// let error = TaskError {
///     component: "webhooks",
///     task: "delivery".into(),
///     elapsed: Duration::from_secs(3),
///     cause: HookCause::Panic("queue closed".into()),
/// };
/// assert_eq!(error.to_string(), "task `delivery` of component `webhooks` panicked after 3s: queue closed");
/// ```
#[derive(Clone, Debug, thiserror::Error)]
pub struct TaskError {
    /// The component that spawned the task.
    pub component: &'static str,
    /// The task's name, as given to [`Supervisor::spawn`](crate::Supervisor::spawn).
    pub task: String,
    /// How long the task ran; for a timeout, how long it was waited for once cancelled.
    pub elapsed: Duration,
    /// Why it failed.
    pub cause: HookCause,
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let TaskError { component, task, elapsed, cause } = self;
        let what = format!("task `{task}` of component `{component}`");
        match cause {
            HookCause::Panic(message) => {
                write!(f, "{what} panicked after {}: {message}", Human(*elapsed))
            }
            HookCause::Timeout(limit) => write!(
                f,
                "{what} did not end within its component's time limit of {} once cancelled, \
                 and was aborted; make it end when `Supervisor::stop_token()` fires",
                Human(*limit)
            ),
            cause => write!(f, "{what} failed after {}: {cause}", Human(*elapsed)),
        }
    }
}

/// Runs `hook` for `component` under its time limit, turning a timeout into a [`HookError`].
/// An error the hook itself returns is left in `Ok` for the caller, which knows the hook's output
/// type. A panic unwinds the task the hook runs in; [`from_join_error`] turns it into a [`HookError`].
pub(crate) async fn guard<F: Future>(
    component: &'static str,
    phase: Phase,
    limit: Duration,
    hook: F,
) -> (Duration, Result<F::Output, HookError>) {
    let span = tracing::info_span!("weft.hook", component, phase = %phase);
    let began = Instant::now();
    let outcome = tokio::time::timeout(limit, hook).instrument(span.clone()).await;
    let elapsed = began.elapsed();
    match outcome {
        Ok(output) => (elapsed, Ok(output)),
        Err(_) => (elapsed, Err(failed(component, phase, elapsed, HookCause::Timeout(limit)))),
    }
}

/// Turns a hook's `anyhow::Result` into a [`HookError`].
pub(crate) fn check(
    component: &'static str,
    phase: Phase,
    elapsed: Duration,
    result: anyhow::Result<()>,
) -> Result<(), HookError> {
    result.map_err(|error| failed(component, phase, elapsed, HookCause::Error(error.into())))
}

/// The [`HookError`] of a hook whose task did not return: it panicked, or it was cancelled.
pub(crate) fn from_join_error(
    component: &'static str,
    phase: Phase,
    elapsed: Duration,
    error: JoinError,
) -> HookError {
    let cause = match error.try_into_panic() {
        Ok(payload) => HookCause::Panic(panic_message(payload.as_ref())),
        Err(_) => HookCause::Cancelled,
    };
    failed(component, phase, elapsed, cause)
}

/// A [`HookError`], logged where it is made.
pub(crate) fn failed(
    component: &'static str,
    phase: Phase,
    elapsed: Duration,
    cause: HookCause,
) -> HookError {
    let error = HookError { component, phase, elapsed, cause };
    tracing::warn!(component, phase = %phase, ?elapsed, %error, "hook failed");
    error
}

/// Aborts a task when dropped: a task that runs on behalf of another one ends with it.
pub(crate) struct AbortOnDrop(pub(crate) tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The message of a panic payload (`&str` or `String`, as `panic!` makes them).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic payload that is not a string".to_owned()
    }
}
