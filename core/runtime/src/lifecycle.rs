//! The component lifecycle: the optional hooks and the states a component goes through.

use std::fmt;
use std::future::Future;
use std::time::Duration;

/// Lifecycle hooks of a platform component. Every hook is optional.
///
/// A component declared with [`#[component]`](crate::component) that does not implement this
/// trait gets no-op hooks. Implement it to run code at each phase:
///
/// - [`init`](Lifecycle::init) runs before the component is shared. The services it requires are
///   already injected and initialized.
/// - [`start`](Lifecycle::start) runs once **every component of the platform** is initialized
///   (boot runs in two waves: all the `init` hooks, then all the `start` hooks) and every
///   dependency has started. Nothing starts serving before the whole platform initialized.
/// - [`stop`](Lifecycle::stop) runs once every dependent has stopped, and once this component's
///   tracked tasks have ended (see [`Supervisor`](crate::Supervisor)).
///
/// Background work (a listener, a consumer, a periodic job) is spawned through the component's
/// [`Supervisor`](crate::Supervisor), from any hook: the platform tracks it, stops it in order,
/// and shuts down if it fails.
///
/// Implementations may write the hooks as `async fn`; the runtime runs them on a multi-threaded
/// tokio runtime, so their futures must be `Send`.
///
/// # Example
///
/// ```
/// use weft::prelude::*;
///
/// #[component(name = "clock")]
/// struct Clock { started_at: Option<std::time::Instant> }
///
/// impl Lifecycle for Clock {
///     async fn init(&mut self) -> anyhow::Result<()> {
///         self.started_at = Some(std::time::Instant::now());
///         Ok(())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `weft::Lifecycle`",
    label = "implement `weft::Lifecycle` for `{Self}` to give it hooks"
)]
pub trait Lifecycle: Send + Sync + 'static {
    /// Prepares the component. Runs before anything else can reach it, after all of the services
    /// it requires have been initialized.
    fn init(&mut self) -> impl Future<Output = anyhow::Result<()>> + Send {
        async { Ok(()) }
    }

    /// Starts the component. Runs after every component of the platform is initialized and
    /// every dependency has started. If it fails, boot rolls back, and this component's `stop`
    /// still runs (its `init` succeeded); it stays [`State::Failed`].
    fn start(&self) -> impl Future<Output = anyhow::Result<()>> + Send {
        async { Ok(()) }
    }

    /// Stops the component. Runs after every dependent has stopped and this component's tracked
    /// tasks have ended.
    fn stop(&self) -> impl Future<Output = anyhow::Result<()>> + Send {
        async { Ok(()) }
    }

    /// The time limit for each of this component's hooks, overriding the platform's default.
    ///
    /// `None` (the default) uses the platform's limit.
    fn timeout(&self) -> Option<Duration> {
        None
    }
}

/// The state of one component in a platform.
///
/// A component moves `Ready → Initialized → Started → Stopped`; a hook failure, or a tracked
/// task failure, moves it to `Failed`, which is final: a failed component that is then stopped
/// stays `Failed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// In the platform, no hook has run yet. The component is not constructed until just before
    /// its `init`, once its dependencies are initialized.
    Ready,
    /// `init` finished.
    Initialized,
    /// `start` finished.
    Started,
    /// `stop` finished (or was attempted after a successful `init`).
    Stopped,
    /// A hook or a tracked task failed, panicked or timed out.
    Failed,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Ready => "ready",
            State::Initialized => "initialized",
            State::Started => "started",
            State::Stopped => "stopped",
            State::Failed => "failed",
        })
    }
}

/// The lifecycle phase a hook belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    /// Building the component and injecting its services.
    Construct,
    /// [`Lifecycle::init`].
    Init,
    /// [`Lifecycle::start`].
    Start,
    /// [`Lifecycle::stop`].
    Stop,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Construct => "construct",
            Phase::Init => "init",
            Phase::Start => "start",
            Phase::Stop => "stop",
        })
    }
}
