//! Supervised background work: a component's tracked tasks, its stop signal, the platform's
//! shutdown signal, and asking the platform to shut down.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::task::futures::TaskLocalFuture;
use tokio::task::{AbortHandle, Id, JoinError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::health::Health;
use super::hook::{HookCause, TaskError, panic_message};
use crate::lifecycle::State;
use crate::states::StateCell;

tokio::task_local! {
    /// The supervisor of the component whose hook or tracked task is running.
    static CURRENT: Supervisor;
}

/// What every component's supervisor shares with the platform.
pub(crate) struct Shared {
    pub(crate) states: StateCell,
    /// Fires when the platform begins to stop: a stop, or a rollback after a failed boot.
    pub(crate) stopping: CancellationToken,
    /// Fires when a tracked task failed while its component was running.
    pub(crate) task_failed: CancellationToken,
    /// Fires when a component asked the platform to shut down.
    pub(crate) requested: CancellationToken,
    /// The tracked tasks that failed while their component was running.
    pub(crate) failed_tasks: Mutex<Vec<TaskError>>,
}

impl Shared {
    pub(crate) fn new(states: StateCell) -> Self {
        Shared {
            states,
            stopping: CancellationToken::new(),
            task_failed: CancellationToken::new(),
            requested: CancellationToken::new(),
            failed_tasks: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn failed_tasks(&self) -> Vec<TaskError> {
        lock(&self.failed_tasks).clone()
    }

    pub(crate) fn health(&self) -> Health {
        let failed = lock(&self.failed_tasks);
        Health::new(self.states.snapshot(), self.stopping.is_cancelled(), &failed)
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these locks; a poisoned one still holds consistent data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A component's handle on its supervised background work.
///
/// Inside any of a component's hooks (`init`, `start`, `stop`), and inside the tasks it spawns
/// through it, [`Supervisor::current`] returns the component's supervisor, the way
/// `tokio::runtime::Handle::current()` returns the runtime. It is a cheap `Clone` handle: keep it
/// in a field from `init` to spawn work later, e.g. from a request handler.
///
/// - [`spawn`](Supervisor::spawn) runs a **tracked task**. When the component's turn to stop
///   comes (after every component that depends on it has stopped), its
///   [`stop_token`](Supervisor::stop_token) fires, and the platform awaits its tracked tasks
///   within the component's time limit, then runs its `stop` hook: the services it requires are
///   still running meanwhile. A task still running at the limit is aborted and reported in
///   [`StopReport::tasks`](crate::StopReport::tasks).
/// - A tracked task that returns an error or panics while its component runs moves the
///   component to [`State::Failed`], turns [`Health::live`] false, and shuts the platform down
///   in order: [`Platform::run_until_shutdown`](crate::Platform::run_until_shutdown) returns
///   [`ShutdownError::TaskFailed`](crate::ShutdownError::TaskFailed) naming the component and
///   the task. During boot, it fails the boot instead.
/// - [`shutdown_token`](Supervisor::shutdown_token) fires as soon as the platform begins to
///   stop, before any component stops: the moment to refuse new work (new connections, new
///   streams). [`request_shutdown`](Supervisor::request_shutdown) asks for that stop.
///
/// A component that serves a socket needs no `Mutex<Option<JoinHandle>>` and no shutdown
/// channel of its own:
///
/// ```rust,standalone_crate
/// use weft::prelude::*;
/// use weft::Supervisor;
///
/// #[component(name = "echo")]
/// #[derive(Default)]
/// struct Echo;
///
/// impl Lifecycle for Echo {
///     async fn start(&self) -> anyhow::Result<()> {
///         let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
///         let supervisor = Supervisor::current()?;
///         let stop = supervisor.stop_token();
///         supervisor.spawn("accept", async move {
///             loop {
///                 tokio::select! {
///                     () = stop.cancelled() => return Ok(()),
///                     accepted = listener.accept() => drop(accepted?),
///                 }
///             }
///         })?;
///         Ok(())
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> anyhow::Result<()> {
/// let platform = weft::Builder::new().only(["echo"]).boot().await?;
/// assert!(platform.health().ready);
/// platform.stop().await?; // cancels `accept` and awaits it before `Echo`'s `stop`
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Supervisor(Arc<Inner>);

struct Inner {
    component: &'static str,
    node: u32,
    shared: Arc<Shared>,
    stop: CancellationToken,
    tracker: TaskTracker,
    tasks: Mutex<Tasks>,
}

#[derive(Default)]
struct Tasks {
    /// Cleared when the component begins to stop: no task is spawned after that.
    closed: bool,
    /// Each task spawned and not ended yet, by id.
    running: HashMap<Id, (String, AbortHandle)>,
    /// Tasks that failed once the component had begun to stop.
    failed_while_stopping: Vec<TaskError>,
}

impl fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supervisor").field("component", &self.0.component).finish_non_exhaustive()
    }
}

impl Supervisor {
    pub(crate) fn new(component: &'static str, node: u32, shared: Arc<Shared>) -> Self {
        Supervisor(Arc::new(Inner {
            component,
            node,
            shared,
            stop: CancellationToken::new(),
            tracker: TaskTracker::new(),
            tasks: Mutex::new(Tasks::default()),
        }))
    }

    /// The supervisor of the component whose hook, or tracked task, is running.
    ///
    /// ```
    /// let error = weft::Supervisor::current().unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "`Supervisor::current()` was called outside a component's hook or tracked task; \
    ///      call it in a hook and keep the `Supervisor` in a field to use it later (a task \
    ///      spawned with `tokio::spawn` does not carry it: spawn with `Supervisor::spawn`)"
    /// );
    /// ```
    pub fn current() -> Result<Supervisor, SupervisorError> {
        CURRENT.try_with(Supervisor::clone).map_err(|_| SupervisorError::Outside)
    }

    /// Runs `future` in the scope of this supervisor: there, [`Supervisor::current`] returns it.
    pub(crate) fn scope<F: Future>(&self, future: F) -> TaskLocalFuture<Supervisor, F> {
        CURRENT.scope(self.clone(), future)
    }

    /// Runs `f` in the scope of this supervisor.
    pub(crate) fn sync_scope<R>(&self, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(self.clone(), f)
    }

    /// The name of the component this supervisor belongs to.
    ///
    /// ```rust,standalone_crate
    /// # use weft::prelude::*;
    /// # #[component(name = "named")] #[derive(Default)] struct Named;
    /// impl Lifecycle for Named {
    ///     async fn init(&mut self) -> anyhow::Result<()> {
    ///         assert_eq!(weft::Supervisor::current()?.component(), "named");
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub fn component(&self) -> &'static str {
        self.0.component
    }

    /// Spawns `task` on the tokio runtime as a tracked task of this component, named `name` in
    /// reports. See [`Supervisor`] for what tracking means.
    ///
    /// Fails once the component has begun to stop, and outside a tokio runtime.
    ///
    /// ```rust,standalone_crate
    /// # use weft::prelude::*;
    /// # #[component(name = "ticker")] #[derive(Default)] struct Ticker;
    /// impl Lifecycle for Ticker {
    ///     async fn start(&self) -> anyhow::Result<()> {
    ///         let supervisor = weft::Supervisor::current()?;
    ///         let stop = supervisor.stop_token();
    ///         supervisor.spawn("tick", async move {
    ///             let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
    ///             while stop.run_until_cancelled(every.tick()).await.is_some() {
    ///                 println!("tick");
    ///             }
    ///             Ok(())
    ///         })?;
    ///         Ok(())
    ///     }
    /// }
    /// ```
    pub fn spawn<F>(&self, name: impl Into<String>, task: F) -> Result<(), SupervisorError>
    where
        F: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        let name = name.into();
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| SupervisorError::NoRuntime)?;
        let mut tasks = lock(&self.0.tasks);
        if tasks.closed {
            return Err(SupervisorError::Stopped { component: self.0.component, task: name });
        }
        let inner = runtime.spawn(self.scope(task));
        let id = inner.id();
        tasks.running.insert(id, (name.clone(), inner.abort_handle()));
        drop(tasks);
        let supervisor = self.clone();
        let began = Instant::now();
        let watch = async move {
            let outcome = inner.await;
            supervisor.on_task_ended(id, name, began.elapsed(), outcome);
        };
        self.0.tracker.spawn_on(watch, &runtime);
        Ok(())
    }

    /// This component's stop signal: it fires when the component's turn to stop comes (after
    /// every component that depends on it has stopped, before its `stop` hook), or when boot
    /// fails. Tracked tasks watch it to end; the platform then awaits them.
    pub fn stop_token(&self) -> CancellationToken {
        self.0.stop.clone()
    }

    /// The platform's shutdown signal: it fires as soon as the platform begins to stop (or to
    /// roll back a failed boot), before any component stops. From then on,
    /// [`Health::ready`] is false.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.0.shared.stopping.clone()
    }

    /// Asks the platform to shut down in order:
    /// [`Platform::run_until_shutdown`](crate::Platform::run_until_shutdown) (and
    /// [`run_until`](crate::Platform::run_until)) then stop it and return `Ok`. Asked during
    /// boot, the platform stops as soon as it runs.
    pub fn request_shutdown(&self) {
        tracing::info!(component = self.0.component, "component asked the platform to shut down");
        self.0.shared.requested.cancel();
    }

    /// The platform's health, as [`Platform::health`](crate::Platform::health) reports it:
    /// what a `/health` endpoint answers.
    pub fn health(&self) -> Health {
        self.0.shared.health()
    }

    fn on_task_ended(
        &self,
        id: Id,
        task: String,
        elapsed: Duration,
        outcome: Result<anyhow::Result<()>, JoinError>,
    ) {
        lock(&self.0.tasks).running.remove(&id);
        let cause = match outcome {
            Ok(Ok(())) => return,
            Ok(Err(error)) => HookCause::Error(Arc::new(error)),
            Err(error) => match error.try_into_panic() {
                Ok(payload) => HookCause::Panic(panic_message(payload.as_ref())),
                // Aborted at its time limit (already reported), or the runtime shut down.
                Err(_) => return,
            },
        };
        let Inner { component, node, shared, stop, .. } = &*self.0;
        let error = TaskError { component, task, elapsed, cause };
        tracing::error!(component, task = %error.task, %error, "tracked task failed");
        // The failure is recorded before the state changes: whoever watches the states and
        // sees `Failed` then reads a health that names the failed task.
        let mut tasks = lock(&self.0.tasks);
        if stop.is_cancelled() {
            tasks.failed_while_stopping.push(error);
            drop(tasks);
            shared.states.set(*node, State::Failed);
        } else {
            drop(tasks);
            lock(&shared.failed_tasks).push(error);
            shared.states.set(*node, State::Failed);
            shared.task_failed.cancel();
        }
    }

    /// Stops this component's tasks: refuses new ones, fires the stop signal, and awaits them
    /// within `limit`. Returns the tasks that failed meanwhile, and those aborted at the limit.
    pub(crate) async fn shut_down(&self, limit: Duration) -> Vec<TaskError> {
        lock(&self.0.tasks).closed = true;
        self.0.stop.cancel();
        self.0.tracker.close();
        let began = Instant::now();
        let in_time = tokio::time::timeout(limit, self.0.tracker.wait()).await.is_ok();
        let mut tasks = lock(&self.0.tasks);
        let mut errors = std::mem::take(&mut tasks.failed_while_stopping);
        if !in_time {
            for (task, handle) in tasks.running.values() {
                if !handle.is_finished() {
                    handle.abort();
                    errors.push(TaskError {
                        component: self.0.component,
                        task: task.clone(),
                        elapsed: began.elapsed(),
                        cause: HookCause::Timeout(limit),
                    });
                }
            }
        }
        errors
    }

    /// Aborts every task still running, without waiting: when a rollback runs out of time.
    pub(crate) fn abort(&self) {
        let mut tasks = lock(&self.0.tasks);
        tasks.closed = true;
        self.0.stop.cancel();
        for (_, handle) in tasks.running.values() {
            handle.abort();
        }
    }
}

/// Why a [`Supervisor`] could not be had, or could not spawn.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SupervisorError {
    /// [`Supervisor::current`] was called outside a component's hook or tracked task.
    #[error(
        "`Supervisor::current()` was called outside a component's hook or tracked task; call it \
         in a hook and keep the `Supervisor` in a field to use it later (a task spawned with \
         `tokio::spawn` does not carry it: spawn with `Supervisor::spawn`)"
    )]
    Outside,
    /// The component has begun to stop: it takes no new task.
    #[error("component `{component}` is stopping; task `{task}` was not spawned")]
    Stopped {
        /// The component.
        component: &'static str,
        /// The task that was not spawned.
        task: String,
    },
    /// [`Supervisor::spawn`] was called outside a tokio runtime.
    #[error("tracked tasks run on a tokio runtime; call `spawn` from within one")]
    NoRuntime,
}
