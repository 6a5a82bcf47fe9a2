//! `Platform::health()`: readiness (every component started, none failed, not stopping) and
//! liveness (no tracked task failed), with the components that are not healthy.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{Behaviour, Scenario, Task};
use weft::{Health, Phase, State};

mod probe {
    use std::sync::Mutex;

    use weft::prelude::*;

    /// What `health()` said inside each hook, seen from the component.
    pub(super) static SEEN: Mutex<Vec<(&'static str, weft::Health)>> = Mutex::new(Vec::new());

    fn record(phase: &'static str) -> anyhow::Result<()> {
        let health = weft::Supervisor::current()?.health();
        SEEN.lock().unwrap().push((phase, health));
        Ok(())
    }

    #[component(name = "observer")]
    #[derive(Default)]
    pub(super) struct Observer;

    impl Lifecycle for Observer {
        async fn init(&mut self) -> anyhow::Result<()> {
            record("init")
        }
        async fn start(&self) -> anyhow::Result<()> {
            record("start")
        }
        async fn stop(&self) -> anyhow::Result<()> {
            record("stop")
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_goes_from_not_ready_to_ready_to_stopping() {
    let platform = weft::Builder::new().only(["observer"]).boot().await.unwrap();
    let after_boot = platform.health();
    platform.stop().await.unwrap();
    let after_stop = platform.health();
    let seen = probe::SEEN.lock().unwrap().clone();
    let phases: Vec<&str> = seen.iter().map(|(phase, _)| *phase).collect();
    assert_eq!(phases, ["init", "start", "stop"]);
    // During boot: not ready, the component is not started yet; nothing failed.
    for (_, health) in &seen[..2] {
        assert!(!health.ready && health.live && !health.stopping, "{health}");
        assert_eq!(health.unhealthy[0].component, "observer");
    }
    assert_eq!(seen[0].1.unhealthy[0].state, State::Ready);
    assert_eq!(seen[1].1.unhealthy[0].state, State::Initialized);
    assert_eq!(seen[0].1.to_string(), "not ready: `observer` is ready");
    // Booted: ready.
    assert!(after_boot.ready && after_boot.live && after_boot.unhealthy.is_empty());
    assert_eq!(after_boot.to_string(), "ready");
    // From the moment stopping begins, not ready (the component is still started here).
    let stopping = &seen[2].1;
    assert!(stopping.stopping && !stopping.ready && stopping.live, "{stopping}");
    assert_eq!(stopping.to_string(), "not ready: the platform is stopping");
    assert!(!after_stop.ready && after_stop.stopping);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_task_turns_liveness_false_and_names_its_component() {
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let scenario = Scenario::with(vec![vec![], vec![]], |i| Behaviour {
        task: (i == 1).then_some((Phase::Start, Task::Error)),
        release: Some(release.clone()),
        ..Behaviour::default()
    });
    let platform = scenario.builder().boot().await.unwrap();
    assert!(platform.health().is_healthy());
    let mut states = platform.watch();
    release.add_permits(1);
    let failed = scenario.names[1];
    tokio::time::timeout(
        Duration::from_secs(10),
        states.wait_for(|s| s.get(failed) == Some(State::Failed)),
    )
    .await
    .expect("the component fails")
    .unwrap();
    let health: Health = platform.health();
    assert!(!health.live && !health.ready && !health.stopping, "{health}");
    assert_eq!(health.unhealthy.len(), 1);
    assert_eq!(health.unhealthy[0].component, failed);
    assert_eq!(health.unhealthy[0].failed_tasks, ["worker"]);
    assert_eq!(
        health.to_string(),
        format!("not ready, not live: `{failed}` is failed (failed tasks: `worker`)")
    );
    let _ = platform.stop().await;
}
