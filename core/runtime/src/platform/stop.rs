//! Stopping components in exact reverse dependency order, concurrently where the graph allows.

use std::collections::HashMap;
use std::time::Duration;

use tokio::task::{Id, JoinError, JoinSet};
use tokio::time::Instant;

use super::hook::{AbortOnDrop, HookError, TaskError, check, from_join_error, guard};
use super::report::StopReport;
use super::supervisor::Supervisor;
use crate::component::Live;
use crate::graph::Graph;
use crate::lifecycle::{Phase, State};
use crate::states::StateCell;

/// What stopping needs to know about a platform, booted or half-booted.
pub(crate) struct Stopping<'a> {
    pub(crate) graph: &'a Graph,
    pub(crate) lives: &'a [Option<Live>],
    pub(crate) limits: &'a [Duration],
    pub(crate) supervisors: &'a [Option<Supervisor>],
    pub(crate) states: &'a StateCell,
}

impl Stopping<'_> {
    /// Stops every component in `include`: each one once every included dependent has stopped,
    /// whether or not that dependent's `stop` succeeded. Stopping a component first stops its
    /// tracked tasks (within its time limit), then runs its `stop` hook if it has a live
    /// instance. Past `deadline`, whatever is still running is cancelled (tasks aborted) and
    /// reported as not stopped.
    pub(crate) async fn stop(&self, include: &[bool], deadline: Option<Instant>) -> StopReport {
        let mut run = Stop::new(self, include);
        run.launch_ready();
        while let Some(joined) = run.next(deadline).await {
            run.on_joined(joined);
            run.launch_ready();
        }
        run.finish()
    }
}

/// How one component stopped: its tasks that failed, and its `stop` hook's result (`None`
/// without a live instance, whose hook never runs).
type Outcome = (u32, Vec<TaskError>, Option<Result<(), HookError>>);

/// The state of one stop: who waits for how many dependents, what runs, what was reported.
struct Stop<'s, 'a> {
    stopping: &'s Stopping<'a>,
    include: &'s [bool],
    /// For each component, its included dependents that have not finished stopping.
    waiting: Vec<u32>,
    /// Components whose dependents have all stopped, not launched yet.
    ready: Vec<u32>,
    finished: Vec<bool>,
    tasks: JoinSet<Outcome>,
    /// Each running `stop` hook: its component and when it began.
    running: HashMap<Id, (u32, std::time::Instant)>,
    report: StopReport,
}

impl<'s, 'a> Stop<'s, 'a> {
    fn new(stopping: &'s Stopping<'a>, include: &'s [bool]) -> Self {
        let graph = stopping.graph;
        let waiting: Vec<u32> = (0..graph.len() as u32)
            .map(|node| {
                let row = graph.dependents.row(node);
                row.iter().filter(|&&d| include[d as usize]).count() as u32
            })
            .collect();
        let ready = (0..graph.len() as u32)
            .filter(|&node| include[node as usize] && waiting[node as usize] == 0)
            .collect();
        Stop {
            stopping,
            include,
            waiting,
            ready,
            finished: vec![false; graph.len()],
            tasks: JoinSet::new(),
            running: HashMap::new(),
            report: StopReport::default(),
        }
    }

    /// Launches the stop of every ready component: its tracked tasks, then its `stop` hook.
    fn launch_ready(&mut self) {
        while let Some(node) = self.ready.pop() {
            let Stopping { graph, lives, limits, supervisors, .. } = self.stopping;
            let name = graph.name(node);
            let hook = lives[node as usize].as_ref().map(|live| (live.stop)());
            let supervisor = supervisors[node as usize].clone();
            if hook.is_none() && supervisor.is_none() {
                self.on_stopped(node, Vec::new(), None);
                continue;
            }
            let limit = limits[node as usize];
            let handle = self.tasks.spawn(async move {
                let Some(supervisor) = supervisor else {
                    return (node, Vec::new(), None);
                };
                let tasks = supervisor.shut_down(limit).await;
                let Some(hook) = hook else { return (node, tasks, None) };
                // The hook runs in a task of its own, so that its panic does not lose the
                // task failures above.
                let began = std::time::Instant::now();
                let hook = tokio::spawn(supervisor.scope(guard(name, Phase::Stop, limit, hook)));
                let _abort_with_this_task = AbortOnDrop(hook.abort_handle());
                let result = match hook.await {
                    Ok((elapsed, result)) => {
                        result.and_then(|r| check(name, Phase::Stop, elapsed, r))
                    }
                    Err(error) => Err(from_join_error(name, Phase::Stop, began.elapsed(), error)),
                };
                (node, tasks, Some(result))
            });
            self.running.insert(handle.id(), (node, std::time::Instant::now()));
        }
    }

    /// The next hook to finish, or `None` when none is left or the deadline passed (then every
    /// hook still running is cancelled).
    async fn next(
        &mut self,
        deadline: Option<Instant>,
    ) -> Option<Result<(Id, Outcome), JoinError>> {
        let Some(deadline) = deadline else { return self.tasks.join_next_with_id().await };
        match tokio::time::timeout_at(deadline, self.tasks.join_next_with_id()).await {
            Ok(joined) => joined,
            Err(_) => {
                self.tasks.shutdown().await;
                None
            }
        }
    }

    fn on_joined(&mut self, joined: Result<(Id, Outcome), JoinError>) {
        match joined {
            Ok((id, (node, tasks, result))) => {
                self.running.remove(&id);
                self.on_stopped(node, tasks, result);
            }
            Err(error) => {
                let Some((node, began)) = self.running.remove(&error.id()) else { return };
                let name = self.stopping.graph.name(node);
                let error = from_join_error(name, Phase::Stop, began.elapsed(), error);
                self.on_stopped(node, Vec::new(), Some(Err(error)));
            }
        }
    }

    /// Records how `node` stopped and readies each included dependency it was the last
    /// dependent of. A failed `stop` or task counts as stopped for the order.
    fn on_stopped(
        &mut self,
        node: u32,
        tasks: Vec<TaskError>,
        result: Option<Result<(), HookError>>,
    ) {
        self.finished[node as usize] = true;
        if !tasks.is_empty() {
            self.stopping.states.set(node, State::Failed);
            self.report.tasks.extend(tasks);
        }
        match result {
            None => {}
            Some(Ok(())) => {
                self.stopping.states.set(node, State::Stopped);
                self.report.stopped.push(self.stopping.graph.name(node));
            }
            Some(Err(error)) => {
                self.stopping.states.set(node, State::Failed);
                self.report.failed.push(error);
            }
        }
        for &dependency in self.stopping.graph.deps.row(node) {
            if self.include[dependency as usize] {
                self.waiting[dependency as usize] -= 1;
                if self.waiting[dependency as usize] == 0 {
                    self.ready.push(dependency);
                }
            }
        }
    }

    /// The report; the tasks of every component left unstopped are aborted.
    fn finish(mut self) -> StopReport {
        let Stopping { graph, lives, supervisors, .. } = self.stopping;
        let unfinished = (0..graph.len() as u32)
            .filter(|&node| self.include[node as usize] && !self.finished[node as usize]);
        for node in unfinished {
            if let Some(supervisor) = &supervisors[node as usize] {
                supervisor.abort();
            }
            if lives[node as usize].is_some() {
                self.report.not_stopped.push(graph.name(node));
            }
        }
        self.report
    }
}
