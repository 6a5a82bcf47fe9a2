//! Booting in two waves. The init wave constructs and initializes each component as soon as its
//! dependencies are initialized; once every component is initialized, the start wave starts
//! each one as soon as its dependencies have started. On the first failure (of a hook, or of a
//! tracked task), the hooks still running are cancelled, every failure already observed is
//! kept, and the platform is rolled back.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio::task::{Id, JoinSet};
use tokio::time::Instant;
use tracing::Instrument;

use super::Platform;
use super::error::{BootError, BootFailure};
use super::hook::{
    AbortOnDrop, HookCause, HookError, check, from_join_error, guard, panic_message,
};
use super::report::{BootReport, ComponentTimings, critical_path};
use super::stop::Stopping;
use super::supervisor::{Shared, Supervisor, lock};
use crate::component::{Injector, Live, Service, ServiceKey};
use crate::graph::Graph;
use crate::inject::{inputs, published};
use crate::lifecycle::{Phase, State};
use crate::states::StateCell;

/// The time limits a platform runs with.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    /// For every hook without a more specific limit.
    pub(crate) default: Duration,
    /// Per component, set on the builder; wins over the component's own `Lifecycle::timeout`.
    pub(crate) by_name: HashMap<String, Duration>,
    /// For the whole rollback after a failed boot.
    pub(crate) rollback: Duration,
}

enum Done {
    Init {
        node: u32,
        construct: Duration,
        init: Duration,
        outcome: Result<(Live, Duration), HookError>,
    },
    Start {
        node: u32,
        elapsed: Duration,
        outcome: Result<(), HookError>,
    },
}

struct Boot {
    graph: Arc<Graph>,
    replacements: HashMap<ServiceKey, Service>,
    limits: Limits,
    shared: Arc<Shared>,
    began: Instant,
    services: Vec<Vec<Service>>,
    lives: Vec<Option<Live>>,
    /// Each component's supervisor, from the moment its construction is launched.
    supervisors: Supervisors,
    hook_limits: Vec<Duration>,
    timings: Vec<ComponentTimings>,
    init_waiting: Vec<u32>,
    start_waiting: Vec<u32>,
    initialized: Vec<bool>,
    /// How many components are initialized: the start wave begins when all are.
    initialized_count: usize,
    /// When the last `init` finished, from the beginning of boot.
    init_wave: Duration,
    tasks: JoinSet<Done>,
    /// Each running hook's task: its component, its phase, and when it began.
    running: HashMap<Id, (u32, Phase, std::time::Instant)>,
    /// Every hook failure observed, in order.
    failures: Vec<HookError>,
    /// When boot first failed, from its beginning.
    failed_at: Option<Duration>,
}

/// Boots `graph`: every hook at most once, each as early as the graph and the barrier between
/// the two waves allow.
pub(crate) async fn boot(
    graph: Graph,
    replacements: HashMap<ServiceKey, Service>,
    limits: Limits,
) -> Result<Platform, BootError> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(BootError::NoRuntime);
    }
    let len = graph.len();
    let names: Arc<[&'static str]> = graph.names().collect();
    let waiting: Vec<u32> = (0..len as u32).map(|node| graph.deps.row(node).len() as u32).collect();
    let hook_limits = graph
        .names()
        .map(|name| limits.by_name.get(name).copied().unwrap_or(limits.default))
        .collect();
    let timings =
        graph.names().map(|name| ComponentTimings { name, ..Default::default() }).collect();
    let mut boot = Boot {
        graph: Arc::new(graph),
        replacements,
        limits,
        shared: Arc::new(Shared::new(StateCell::new(names))),
        began: Instant::now(),
        services: vec![Vec::new(); len],
        lives: (0..len).map(|_| None).collect(),
        supervisors: Supervisors(vec![None; len]),
        hook_limits,
        timings,
        init_waiting: waiting.clone(),
        start_waiting: waiting,
        initialized: vec![false; len],
        initialized_count: 0,
        init_wave: Duration::ZERO,
        tasks: JoinSet::new(),
        running: HashMap::new(),
        failures: Vec::new(),
        failed_at: None,
    };
    let span = tracing::info_span!("weft.boot", components = len);
    let coordinate = async move {
        tracing::info!(components = len, "booting");
        for node in 0..len as u32 {
            if boot.init_waiting[node as usize] == 0 {
                boot.spawn_init(node);
            }
        }
        boot.run().await;
        boot.finish().await
    };
    // The coordinator runs as a task of its own: woken on a worker thread by the hook that just
    // finished, it spawns the next hooks on that worker's queue instead of crossing threads.
    let task = tokio::spawn(coordinate.instrument(span));
    // Dropping the `boot` future (e.g. in a `select!`) cancels the boot and its hooks.
    let _cancel_with_caller = AbortOnDrop(task.abort_handle());
    match task.await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(BootError::Interrupted),
    }
}

/// Each component's supervisor. Dropped with an unfinished boot (its caller gave up on it), it
/// aborts their tracked tasks, as the hooks are aborted.
struct Supervisors(Vec<Option<Supervisor>>);

impl Drop for Supervisors {
    fn drop(&mut self) {
        for supervisor in self.0.iter().flatten() {
            supervisor.abort();
        }
    }
}

impl Boot {
    fn spawn_init(&mut self, node: u32) {
        let registration = self.graph.registrations[node as usize];
        let name = registration.name;
        // A component reaches only the services it declared.
        let services = inputs(&self.graph, node, &self.services, &self.replacements);
        let by_name = self.limits.by_name.get(name).copied();
        let default = self.limits.default;
        let supervisor = Supervisor::new(name, node, self.shared.clone());
        self.supervisors.0[node as usize] = Some(supervisor.clone());
        let handle = self.tasks.spawn(async move {
            let began = std::time::Instant::now();
            let span =
                tracing::info_span!("weft.hook", component = name, phase = %Phase::Construct);
            let built = span.in_scope(|| {
                // The component is built by plain code that may panic: catch it here, so that
                // the construction is reported as such rather than as its `init`.
                std::panic::catch_unwind(AssertUnwindSafe(|| {
                    supervisor.sync_scope(|| {
                        let erased = (registration.build)(&Injector::new(name, &services))?;
                        let own = erased.timeout();
                        Ok((erased, own))
                    })
                }))
            });
            let construct = began.elapsed();
            let failed = |cause| Done::Init {
                node,
                construct,
                init: Duration::ZERO,
                outcome: Err(HookError {
                    component: name,
                    phase: Phase::Construct,
                    elapsed: construct,
                    cause,
                }),
            };
            let (erased, own) = match built {
                Ok(Ok(built)) => built,
                Ok(Err(error)) => return failed(HookCause::Inject(error)),
                Err(payload) => return failed(HookCause::Panic(panic_message(payload.as_ref()))),
            };
            let limit = by_name.or(own).unwrap_or(default);
            let (init, result) =
                supervisor.scope(guard(name, Phase::Init, limit, erased.init())).await;
            let outcome = result.and_then(|(erased, result)| {
                check(name, Phase::Init, init, result).map(|()| (erased.share(), limit))
            });
            Done::Init { node, construct, init, outcome }
        });
        self.running.insert(handle.id(), (node, Phase::Init, std::time::Instant::now()));
    }

    fn spawn_start(&mut self, node: u32) {
        let Some(live) = &self.lives[node as usize] else { return };
        let name = self.graph.name(node);
        let limit = self.hook_limits[node as usize];
        let hook = (live.start)();
        let Some(supervisor) = self.supervisors.0[node as usize].clone() else { return };
        let handle = self.tasks.spawn(async move {
            let (elapsed, result) = supervisor.scope(guard(name, Phase::Start, limit, hook)).await;
            let outcome = result.and_then(|result| check(name, Phase::Start, elapsed, result));
            Done::Start { node, elapsed, outcome }
        });
        self.running.insert(handle.id(), (node, Phase::Start, std::time::Instant::now()));
    }

    /// Joins hooks as they finish and launches the next ones, until none is left. A tracked
    /// task failing meanwhile fails the boot.
    async fn run(&mut self) {
        let task_failed = self.shared.task_failed.clone();
        loop {
            let joined = tokio::select! {
                joined = self.tasks.join_next_with_id() => match joined {
                    Some(joined) => joined,
                    None => break,
                },
                () = task_failed.cancelled(), if self.failed_at.is_none() => {
                    self.on_failure();
                    continue;
                }
            };
            let done = match joined {
                Ok((id, done)) => {
                    self.running.remove(&id);
                    done
                }
                Err(error) => {
                    let Some((node, phase, began)) = self.running.remove(&error.id()) else {
                        continue;
                    };
                    // Cancelled by `on_failure`, which already recorded why.
                    if error.is_cancelled() {
                        continue;
                    }
                    let component = self.graph.name(node);
                    self.fail(node, from_join_error(component, phase, began.elapsed(), error));
                    continue;
                }
            };
            match done {
                Done::Init { node, construct, init, outcome } => {
                    let timings = &mut self.timings[node as usize];
                    timings.construct = construct;
                    timings.init = init;
                    match outcome {
                        Ok((live, limit)) => self.on_initialized(node, live, limit),
                        Err(error) => self.fail(node, error),
                    }
                }
                Done::Start { node, elapsed, outcome } => {
                    self.timings[node as usize].start = elapsed;
                    match outcome {
                        Ok(()) => self.on_started(node),
                        Err(error) => self.fail(node, error),
                    }
                }
            }
        }
    }

    fn on_initialized(&mut self, node: u32, live: Live, limit: Duration) {
        self.timings[node as usize].initialized_at = self.began.elapsed();
        self.initialized[node as usize] = true;
        self.hook_limits[node as usize] = limit;
        self.services[node as usize] = live.services.clone();
        self.lives[node as usize] = Some(live);
        self.shared.states.set(node, State::Initialized);
        self.initialized_count += 1;
        if self.failed_at.is_some() {
            return;
        }
        let graph = self.graph.clone();
        for &dependent in graph.dependents.row(node) {
            self.init_waiting[dependent as usize] -= 1;
            if self.init_waiting[dependent as usize] == 0 {
                self.spawn_init(dependent);
            }
        }
        if self.initialized_count == graph.len() {
            self.start_wave();
        }
    }

    /// The barrier: every component is initialized, so the start wave begins, from the
    /// components without dependencies.
    fn start_wave(&mut self) {
        self.init_wave = self.began.elapsed();
        tracing::debug!(init_wave = ?self.init_wave, "every component initialized; starting");
        for node in 0..self.graph.len() as u32 {
            if self.start_waiting[node as usize] == 0 {
                self.spawn_start(node);
            }
        }
    }

    fn on_started(&mut self, node: u32) {
        self.timings[node as usize].started_at = self.began.elapsed();
        self.shared.states.set(node, State::Started);
        if self.failed_at.is_some() {
            return;
        }
        let graph = self.graph.clone();
        for &dependent in graph.dependents.row(node) {
            self.start_waiting[dependent as usize] -= 1;
            if self.start_waiting[dependent as usize] == 0 {
                self.spawn_start(dependent);
            }
        }
    }

    /// Records a failed hook; the first failure cancels every hook still running. Hooks that
    /// finished meanwhile are still joined, so their failures are recorded too.
    fn fail(&mut self, node: u32, error: HookError) {
        self.shared.states.set(node, State::Failed);
        tracing::error!(%error, "boot failed; rolling back");
        self.failures.push(error);
        self.on_failure();
    }

    fn on_failure(&mut self) {
        if self.failed_at.is_none() {
            self.failed_at = Some(self.began.elapsed());
            self.tasks.abort_all();
        }
    }

    /// The platform, or the rollback and everything that failed.
    async fn finish(self) -> Result<Platform, BootError> {
        let Boot {
            graph,
            replacements,
            limits,
            shared,
            began,
            services,
            lives,
            mut supervisors,
            hook_limits,
            timings,
            init_wave,
            failures,
            mut failed_at,
            ..
        } = self;
        // A task that failed after the last hook finished fails the boot all the same.
        if shared.task_failed.is_cancelled() && failed_at.is_none() {
            failed_at = Some(began.elapsed());
        }
        if let Some(elapsed) = failed_at {
            let failed_tasks = std::mem::take(&mut *lock(&shared.failed_tasks));
            shared.stopping.cancel();
            // Every component whose construction was launched: those that finished `init`
            // (including one whose `start` failed) have their tasks stopped, then their `stop`
            // hook run; the others have only their tasks stopped.
            let include: Vec<bool> = supervisors.0.iter().map(Option::is_some).collect();
            let stopping = Stopping {
                graph: &graph,
                lives: &lives,
                limits: &hook_limits,
                supervisors: &supervisors.0,
                states: &shared.states,
            };
            // A budget too large to represent is no budget at all.
            let deadline = Instant::now().checked_add(limits.rollback);
            let rollback = stopping.stop(&include, deadline).await;
            tracing::info!(%rollback, "rollback finished");
            let states = shared.states.snapshot();
            return Err(BootError::Hook(Box::new(BootFailure {
                failures,
                failed_tasks,
                elapsed,
                rollback,
                states,
            })));
        }

        let by_type = published(&graph, services, replacements);
        let report = BootReport {
            total: began.elapsed(),
            init_wave,
            critical_path: critical_path(&graph, &timings),
            components: timings,
        };
        tracing::info!(total = ?report.total, critical_path = ?report.critical_path_duration(), "booted");
        Ok(Platform {
            graph,
            lives,
            limits: hook_limits,
            // Booted: the platform owns the supervisors now.
            supervisors: std::mem::take(&mut supervisors.0),
            services: by_type,
            shared,
            report,
            stopped: OnceCell::new(),
        })
    }
}
