//! The rollback property at scale: random graphs booted with real hooks and tracked tasks, with
//! random failure points (an error, a panic or a timeout in `init`, `start` or `stop`, or in a
//! tracked task). Whatever fails where: no component is left initialized or started, none is
//! stopped twice, none stops before a dependent (nor before a dependent's tasks ended), and every
//! failure reported is one that was injected.
//!
//! CI runs 256 cases. For the documented long run (see `RELIABILITY.md`):
//!
//! ```text
//! PROPTEST_CASES=10000 cargo test --release -p weft-runtime --test rollback
//! ```

mod support;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use proptest::prelude::*;
use support::{Behaviour, Fault, Scenario, Task, dag};
use weft::{BootError, HookCause, Phase, ShutdownError, State, StopError, StopReport};

/// The number of cases: `PROPTEST_CASES`, or 256.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|cases| cases.parse().ok()).unwrap_or(256)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// What goes wrong in one component.
#[derive(Clone, Copy, Debug)]
enum Injected {
    Hook(Phase, Fault),
    Task(Phase, Task),
}

fn injected() -> impl Strategy<Value = Injected> {
    let phase = prop_oneof![Just(Phase::Init), Just(Phase::Start), Just(Phase::Stop)];
    let fault = prop_oneof![Just(Fault::Error), Just(Fault::Panic), Just(Fault::Hang)];
    let spawned_in = prop_oneof![Just(Phase::Init), Just(Phase::Start)];
    let task = prop_oneof![Just(Task::Error), Just(Task::Panic), Just(Task::Stubborn)];
    prop_oneof![
        3 => (phase, fault).prop_map(|(phase, fault)| Injected::Hook(phase, fault)),
        1 => (spawned_in, task).prop_map(|(phase, task)| Injected::Task(phase, task)),
    ]
}

/// Every hook's time limit, which is also each component's limit for its tasks once cancelled.
const LIMIT: Duration = Duration::from_millis(50);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn whatever_fails_where_the_platform_ends_stopped_in_reverse_order(
        len in 1usize..24,
        picks in prop::collection::vec((0usize..24, 0usize..24), 0..60),
        faults in prop::collection::vec((0usize..24, injected()), 0..4),
        workers in prop::collection::vec(any::<bool>(), 24),
    ) {
        let mut behaviours: Vec<Behaviour> = (0..len)
            .map(|i| Behaviour {
                task: workers[i].then_some((Phase::Init, Task::Quiet)),
                ..Behaviour::default()
            })
            .collect();
        for &(at, injected) in &faults {
            let behaviour = &mut behaviours[at % len];
            match injected {
                Injected::Hook(phase, fault) => behaviour.fault = Some((phase, fault)),
                Injected::Task(phase, task) => behaviour.task = Some((phase, task)),
            }
        }
        let scenario = Scenario::with(dag(len, &picks), |i| behaviours[i].clone());
        let names = &scenario.names;
        let fault_of: HashMap<&str, (Phase, Fault)> =
            (0..len).filter_map(|i| Some((names[i], behaviours[i].fault?))).collect();
        let failing_task: HashSet<&str> = (0..len)
            .filter(|&i| matches!(behaviours[i].task, Some((_, Task::Error | Task::Panic))))
            .map(|i| names[i])
            .collect();
        let boot_must_fail = fault_of.values().any(|(phase, _)| *phase != Phase::Stop);

        let runtime = runtime();
        let builder = scenario.builder().default_timeout(LIMIT);
        let (states, report) = match runtime.block_on(builder.boot()) {
            Err(BootError::Hook(failure)) => {
                prop_assert!(!failure.failures.is_empty() || !failure.failed_tasks.is_empty());
                for error in &failure.failures {
                    // Every hook failure reported is one that was injected, with its cause.
                    let injected = fault_of.get(error.component).copied();
                    prop_assert_eq!(injected.map(|(phase, _)| phase), Some(error.phase), "{}", error);
                    let cause_matches = match (injected.map(|(_, fault)| fault), &error.cause) {
                        (Some(Fault::Error), HookCause::Error(_)) => true,
                        (Some(Fault::Panic), HookCause::Panic(_)) => true,
                        (Some(Fault::Hang), HookCause::Timeout(limit)) => *limit == LIMIT,
                        _ => false,
                    };
                    prop_assert!(cause_matches, "{}", error);
                    prop_assert_eq!(failure.states.get(error.component), Some(State::Failed));
                }
                for task in &failure.failed_tasks {
                    prop_assert!(failing_task.contains(task.component), "{}", task);
                    prop_assert_eq!(failure.states.get(task.component), Some(State::Failed));
                }
                prop_assert!(failure.rollback.not_stopped.is_empty(), "{}", failure.rollback);
                (failure.states.clone(), failure.rollback.clone())
            }
            Err(other) => return Err(TestCaseError::fail(format!("unexpected {other}"))),
            Ok(platform) => {
                prop_assert!(!boot_must_fail, "boot succeeded despite a failing init or start");
                // Started, or already failed by one of its tasks.
                for (name, state) in platform.states().iter() {
                    let failed_by_task = state == State::Failed && failing_task.contains(name);
                    prop_assert!(state == State::Started || failed_by_task, "{} is {}", name, state);
                }
                // A failing task ends the run by itself; otherwise the run ends at once.
                let run = async {
                    if failing_task.is_empty() {
                        platform.run_until(async {}).await
                    } else {
                        platform.run_until(std::future::pending::<()>()).await
                    }
                };
                let ran = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(20), run).await });
                let report: StopReport = match ran {
                    Err(_) => return Err(TestCaseError::fail("the failing task never stopped the platform")),
                    Ok(Ok(report)) => report,
                    Ok(Err(ShutdownError::Stop(StopError { report }))) => report,
                    Ok(Err(ShutdownError::TaskFailed { tasks, report })) => {
                        for task in &tasks {
                            prop_assert!(failing_task.contains(task.component), "{}", task);
                        }
                        report
                    }
                    Ok(Err(other)) => return Err(TestCaseError::fail(format!("unexpected {other}"))),
                };
                prop_assert!(report.not_stopped.is_empty());
                for error in &report.failed {
                    prop_assert_eq!(fault_of.get(error.component).map(|(phase, _)| *phase), Some(Phase::Stop));
                }
                (platform.states(), report)
            }
        };

        let log = &scenario.log;
        let events = log.events();
        // No component is left initialized or started.
        for (name, state) in states.iter() {
            prop_assert!(matches!(state, State::Ready | State::Stopped | State::Failed), "{} is {}", name, state);
        }
        // Exactly the components that finished `init` were stopped, each once.
        let initialized: HashSet<&str> = log.finished(Phase::Init).into_iter().collect();
        let stop_began = log.began(Phase::Stop);
        let stopped: HashSet<&str> = stop_began.iter().copied().collect();
        prop_assert_eq!(stop_began.len(), stopped.len(), "a component stopped twice");
        prop_assert_eq!(&stopped, &initialized);
        let reported: HashSet<&str> =
            report.stopped.iter().copied().chain(report.failed.iter().map(|f| f.component)).collect();
        prop_assert_eq!(&reported, &initialized);
        // The barrier: no `start` began before every component finished `init`.
        if let Some(first_start) = events.iter().position(|e| e.phase == Phase::Start) {
            prop_assert_eq!(initialized.len(), len);
            let last_init = events.iter().rposition(|e| e.phase == Phase::Init && e.done);
            prop_assert!(last_init < Some(first_start));
        }
        // Dependents first, and a dependent's tasks end before its dependencies stop.
        let position = |name: &str, done: bool| {
            events.iter().position(|e| e.component == name && e.phase == Phase::Stop && e.done == done)
        };
        let ended = log.tasks_ended();
        for (i, deps) in scenario.deps.iter().enumerate() {
            for &d in deps {
                let Some(dependency_began) = position(names[d], false) else { continue };
                if let Some(dependent_done) = position(names[i], true) {
                    prop_assert!(dependent_done < dependency_began, "{} stopped before its dependent {}", names[d], names[i]);
                }
                for &(_, at) in ended.iter().filter(|(c, _)| *c == names[i]) {
                    prop_assert!(at <= dependency_began, "{} stopped before {}'s task ended", names[d], names[i]);
                }
            }
        }
        // A quiet worker of a stopped component was cancelled and awaited: it ended, or (on a
        // starved machine) it was reported at its limit. A stubborn one is always reported.
        let timed_out: HashSet<&str> = report
            .tasks
            .iter()
            .filter(|task| matches!(task.cause, HookCause::Timeout(limit) if limit == LIMIT))
            .map(|task| task.component)
            .collect();
        for i in 0..len {
            let awaited = ended.iter().any(|(c, _)| *c == names[i]) || timed_out.contains(names[i]);
            match behaviours[i].task {
                Some((Phase::Init, Task::Quiet)) if stopped.contains(names[i]) => {
                    prop_assert!(awaited, "{}'s worker was neither awaited nor reported", names[i]);
                }
                Some((Phase::Init, Task::Stubborn)) if stopped.contains(names[i]) => {
                    prop_assert!(timed_out.contains(names[i]), "{}'s stubborn worker was not reported", names[i]);
                }
                _ => {}
            }
        }
        for task in &report.tasks {
            prop_assert!(behaviours[scenario.index(task.component)].task.is_some(), "{}", task);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn a_successful_boot_and_stop_follow_every_edge_once(
        len in 1usize..32,
        picks in prop::collection::vec((0usize..32, 0usize..32), 0..80),
    ) {
        let scenario = Scenario::new(dag(len, &picks));
        let runtime = runtime();
        let platform = runtime.block_on(scenario.builder().boot()).unwrap();
        let report = runtime.block_on(platform.stop()).unwrap();
        prop_assert_eq!(report.stopped.len(), len);

        let events = scenario.log.events();
        let position = |name: &str, phase: Phase, done: bool| {
            events.iter().position(|e| e.component == name && e.phase == phase && e.done == done)
        };
        for name in &scenario.names {
            for phase in [Phase::Init, Phase::Start, Phase::Stop] {
                let calls = events.iter().filter(|e| e.component == *name && e.phase == phase).count();
                prop_assert_eq!(calls, 2, "{} {} began and ended once", name, phase);
            }
        }
        let names = &scenario.names;
        for (i, deps) in scenario.deps.iter().enumerate() {
            for &d in deps {
                prop_assert!(position(names[d], Phase::Init, true) < position(names[i], Phase::Init, false));
                prop_assert!(position(names[d], Phase::Start, true) < position(names[i], Phase::Start, false));
                prop_assert!(position(names[i], Phase::Stop, true) < position(names[d], Phase::Stop, false));
            }
        }
    }
}
