//! Booting: construct and `init` each component as soon as its dependencies are initialized,
//! `start` it as soon as its dependencies have started; on the first failure, cancel and roll
//! back.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::{Id, JoinSet};
use tokio::time::Instant;
use tracing::Instrument;

use super::Platform;
use super::error::{BootError, BootFailure};
use super::hook::{HookCause, HookError, check, from_join_error, guard, panic_message};
use super::report::{BootReport, ComponentTimings, critical_path};
use super::stop::Stopping;
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
    states: StateCell,
    began: Instant,
    services: Vec<Vec<Service>>,
    lives: Vec<Option<Live>>,
    hook_limits: Vec<Duration>,
    timings: Vec<ComponentTimings>,
    init_waiting: Vec<u32>,
    start_waiting: Vec<u32>,
    initialized: Vec<bool>,
    tasks: JoinSet<Done>,
    /// Each running hook's task: its component, its phase, and when it began.
    running: HashMap<Id, (u32, Phase, std::time::Instant)>,
    failure: Option<(HookError, Duration)>,
}

/// Boots `graph`: every hook at most once, each as early as the graph allows.
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
        states: StateCell::new(names),
        began: Instant::now(),
        services: vec![Vec::new(); len],
        lives: (0..len).map(|_| None).collect(),
        hook_limits,
        timings,
        init_waiting: waiting.clone(),
        start_waiting: waiting,
        initialized: vec![false; len],
        tasks: JoinSet::new(),
        running: HashMap::new(),
        failure: None,
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
    let _cancel_with_caller = AbortOnDrop(task.abort_handle());
    match task.await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(BootError::Interrupted),
    }
}

/// Dropping the `boot` future (e.g. in a `select!`) cancels the boot and its hooks.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
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
        let handle = self.tasks.spawn(async move {
            let began = std::time::Instant::now();
            let built =
                tracing::info_span!("weft.hook", component = name, phase = %Phase::Construct)
                    .in_scope(|| {
                        std::panic::catch_unwind(AssertUnwindSafe(|| {
                            let erased = (registration.build)(&Injector::new(name, &services))?;
                            let own = erased.timeout();
                            Ok((erased, own))
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
            let (init, result) = guard(name, Phase::Init, limit, erased.init()).await;
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
        let handle = self.tasks.spawn(async move {
            let (elapsed, result) = guard(name, Phase::Start, limit, hook).await;
            let outcome = result.and_then(|result| check(name, Phase::Start, elapsed, result));
            Done::Start { node, elapsed, outcome }
        });
        self.running.insert(handle.id(), (node, Phase::Start, std::time::Instant::now()));
    }

    async fn run(&mut self) {
        while let Some(joined) = self.tasks.join_next_with_id().await {
            let done = match joined {
                Ok((id, done)) => {
                    self.running.remove(&id);
                    done
                }
                Err(error) => {
                    let Some((node, phase, began)) = self.running.remove(&error.id()) else {
                        continue;
                    };
                    // Cancelled by `fail`, which already recorded why.
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
        self.states.set(node, State::Initialized);
        if self.failure.is_some() {
            return;
        }
        let graph = self.graph.clone();
        for &dependent in graph.dependents.row(node) {
            self.init_waiting[dependent as usize] -= 1;
            if self.init_waiting[dependent as usize] == 0 {
                self.spawn_init(dependent);
            }
        }
        if self.start_waiting[node as usize] == 0 {
            self.spawn_start(node);
        }
    }

    fn on_started(&mut self, node: u32) {
        self.timings[node as usize].started_at = self.began.elapsed();
        self.states.set(node, State::Started);
        if self.failure.is_some() {
            return;
        }
        let graph = self.graph.clone();
        for &dependent in graph.dependents.row(node) {
            self.start_waiting[dependent as usize] -= 1;
            if self.start_waiting[dependent as usize] == 0 && self.initialized[dependent as usize] {
                self.spawn_start(dependent);
            }
        }
    }

    /// Records the first failure and cancels every hook still running.
    fn fail(&mut self, node: u32, error: HookError) {
        self.states.set(node, State::Failed);
        if self.failure.is_none() {
            tracing::error!(%error, "boot failed; rolling back");
            self.failure = Some((error, self.began.elapsed()));
            self.tasks.abort_all();
        }
    }

    async fn finish(self) -> Result<Platform, BootError> {
        let Boot {
            graph,
            replacements,
            limits,
            states,
            began,
            services,
            lives,
            hook_limits,
            timings,
            initialized,
            failure,
            ..
        } = self;
        if let Some((failure, elapsed)) = failure {
            // Exactly the components that finished `init`, including one whose `start` failed.
            let include = initialized;
            let stopping =
                Stopping { graph: &graph, lives: &lives, limits: &hook_limits, states: &states };
            // A budget too large to represent is no budget at all.
            let deadline = Instant::now().checked_add(limits.rollback);
            let rollback = stopping.stop(&include, deadline).await;
            tracing::info!(%rollback, "rollback finished");
            let states = states.snapshot();
            return Err(BootError::Hook(Box::new(BootFailure {
                failure,
                elapsed,
                rollback,
                states,
            })));
        }

        let by_type = published(&graph, services, replacements);
        let report = BootReport {
            total: began.elapsed(),
            critical_path: critical_path(&graph, &timings),
            components: timings,
        };
        tracing::info!(total = ?report.total, critical_path = ?report.critical_path_duration(), "booted");
        Ok(Platform::new(graph, lives, hook_limits, by_type, states, report))
    }
}
