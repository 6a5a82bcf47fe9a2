//! Stopping components in exact reverse dependency order, concurrently where the graph allows.

use std::collections::HashMap;
use std::time::Duration;

use tokio::task::{Id, JoinSet};
use tokio::time::Instant;

use super::hook::{check, guard};
use super::states::StateCell;
use crate::component::Live;
use crate::error::{HookCause, HookError, StopReport};
use crate::graph::Graph;
use crate::lifecycle::{Phase, State};

/// What stopping needs to know about a platform, booted or half-booted.
pub(crate) struct Stopping<'a> {
    pub(crate) graph: &'a Graph,
    pub(crate) lives: &'a [Option<Live>],
    pub(crate) limits: &'a [Duration],
    pub(crate) states: &'a StateCell,
}

type Outcome = (u32, Result<(), HookError>);

impl Stopping<'_> {
    /// Stops every component in `include`: each one once every included dependent has stopped,
    /// whether or not that dependent's `stop` succeeded. Past `deadline`, whatever is still
    /// running is cancelled and reported as not stopped.
    pub(crate) async fn stop(&self, include: &[bool], deadline: Option<Instant>) -> StopReport {
        let graph = self.graph;
        let mut waiting: Vec<u32> = (0..graph.len() as u32)
            .map(|node| {
                let row = graph.dependents.row(node);
                row.iter().filter(|&&d| include[d as usize]).count() as u32
            })
            .collect();
        let mut finished = vec![false; graph.len()];
        let mut report = StopReport::default();
        let mut tasks: JoinSet<Outcome> = JoinSet::new();
        let mut running: HashMap<Id, u32> = HashMap::new();
        let mut ready: Vec<u32> = (0..graph.len() as u32)
            .filter(|&node| include[node as usize] && waiting[node as usize] == 0)
            .collect();

        loop {
            // Components without a live instance have nothing to run: they finish at once.
            while let Some(node) = ready.pop() {
                match &self.lives[node as usize] {
                    Some(live) => {
                        let name = graph.name(node);
                        let hook = (live.stop)();
                        let limit = self.limits[node as usize];
                        let handle = tasks.spawn(async move {
                            let (elapsed, result) = guard(name, Phase::Stop, limit, hook).await;
                            (node, result.and_then(|r| check(name, Phase::Stop, elapsed, r)))
                        });
                        running.insert(handle.id(), node);
                    }
                    None => self.finish(
                        node,
                        Ok(()),
                        include,
                        &mut waiting,
                        &mut ready,
                        &mut finished,
                        &mut report,
                    ),
                }
            }
            let joined = match deadline {
                Some(deadline) => {
                    match tokio::time::timeout_at(deadline, tasks.join_next_with_id()).await {
                        Ok(joined) => joined,
                        Err(_) => {
                            tasks.abort_all();
                            while tasks.join_next().await.is_some() {}
                            break;
                        }
                    }
                }
                None => tasks.join_next_with_id().await,
            };
            let (node, result) = match joined {
                None => break,
                Some(Ok((id, outcome))) => {
                    running.remove(&id);
                    outcome
                }
                Some(Err(error)) => {
                    let Some(node) = running.remove(&error.id()) else { continue };
                    let cause = match error.try_into_panic() {
                        Ok(payload) => {
                            HookCause::Panic(super::hook::panic_message(payload.as_ref()))
                        }
                        Err(_) => HookCause::Cancelled,
                    };
                    let component = graph.name(node);
                    (
                        node,
                        Err(HookError {
                            component,
                            phase: Phase::Stop,
                            elapsed: Duration::ZERO,
                            cause,
                        }),
                    )
                }
            };
            self.finish(
                node,
                result,
                include,
                &mut waiting,
                &mut ready,
                &mut finished,
                &mut report,
            );
        }

        report.not_stopped = (0..graph.len() as u32)
            .filter(|&node| include[node as usize] && !finished[node as usize])
            .map(|node| graph.name(node))
            .collect();
        report
    }

    #[allow(clippy::too_many_arguments, reason = "the loop's state, split out to be called twice")]
    fn finish(
        &self,
        node: u32,
        result: Result<(), HookError>,
        include: &[bool],
        waiting: &mut [u32],
        ready: &mut Vec<u32>,
        finished: &mut [bool],
        report: &mut StopReport,
    ) {
        finished[node as usize] = true;
        match result {
            Ok(()) => {
                self.states.set(node, State::Stopped);
                report.stopped.push(self.graph.name(node));
            }
            Err(error) => {
                self.states.set(node, State::Failed);
                report.failed.push(error);
            }
        }
        for &dependency in self.graph.deps.row(node) {
            if include[dependency as usize] {
                waiting[dependency as usize] -= 1;
                if waiting[dependency as usize] == 0 {
                    ready.push(dependency);
                }
            }
        }
    }
}
