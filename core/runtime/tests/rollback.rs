//! Random graphs booted with real hooks. A successful boot and stop follow every edge, each hook
//! once. A failing one is all-or-nothing: whatever fails where, exactly the components that
//! finished `init` are stopped, dependents first, none twice.

mod support;

use std::collections::HashSet;

use proptest::prelude::*;
use support::{Behaviour, Fault, Scenario, dag};
use weft::{BootError, Phase};

fn fault() -> impl Strategy<Value = (Phase, Fault)> {
    let phase = prop_oneof![Just(Phase::Init), Just(Phase::Start)];
    let fault = prop_oneof![Just(Fault::Error), Just(Fault::Panic), Just(Fault::Hang)];
    (phase, fault)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn rollback_stops_exactly_the_initialized_components_dependents_first(
        len in 1usize..24,
        picks in prop::collection::vec((0usize..24, 0usize..24), 0..60),
        at in 0usize..24,
        (phase, fault) in fault(),
    ) {
        let at = at % len;
        let scenario = Scenario::with(dag(len, &picks), |i| Behaviour {
            fault: (i == at).then_some((phase, fault)),
            ..Behaviour::default()
        });
        let builder = scenario.builder().default_timeout(std::time::Duration::from_millis(100));
        let Err(BootError::Hook(failure)) = runtime().block_on(builder.boot()) else {
            return Err(TestCaseError::fail("boot must fail"));
        };
        let names = &scenario.names;
        prop_assert_eq!(failure.failures[0].component, names[at]);
        prop_assert_eq!(failure.failures[0].phase, phase);

        let log = &scenario.log;
        let initialized: HashSet<&str> = log.finished(Phase::Init).into_iter().collect();
        let stop_began = log.began(Phase::Stop);
        let stopped: HashSet<&str> = stop_began.iter().copied().collect();
        prop_assert_eq!(stop_began.len(), stopped.len(), "a component stopped twice");
        prop_assert_eq!(&stopped, &initialized);
        let reported: HashSet<&str> = failure.rollback.stopped.iter().copied().collect();
        prop_assert_eq!(&reported, &initialized);
        prop_assert!(failure.rollback.failed.is_empty() && failure.rollback.not_stopped.is_empty());

        // Dependents first: a component's stop begins after each of its dependents' stop ended.
        let events = log.events();
        let position = |name: &str, done: bool| {
            events.iter().position(|e| e.component == name && e.phase == Phase::Stop && e.done == done)
        };
        for (i, deps) in scenario.deps.iter().enumerate() {
            for &d in deps {
                if let (Some(dependent_done), Some(dependency_began)) = (position(names[i], true), position(names[d], false)) {
                    prop_assert!(dependent_done < dependency_began, "{} stopped before its dependent {}", names[d], names[i]);
                }
            }
        }
        // No start before init, and no hook after the failing component failed except stops.
        for name in log.began(Phase::Start) {
            prop_assert!(initialized.contains(name));
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
