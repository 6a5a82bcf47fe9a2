//! Supervised background work: tracked tasks are cancelled and awaited before their component's
//! dependencies stop; a task that fails or panics shuts the platform down with an error naming
//! it; one that ignores cancellation hits the time limit and is reported.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{Behaviour, Scenario, Task};
use weft::{HookCause, Phase, ShutdownError, State, Supervisor, SupervisorError};

fn released(task: Task) -> (Behaviour, Arc<tokio::sync::Semaphore>) {
    let release = Arc::new(tokio::sync::Semaphore::new(0));
    let behaviour = Behaviour {
        task: Some((Phase::Start, task)),
        release: Some(release.clone()),
        ..Behaviour::default()
    };
    (behaviour, release)
}

async fn a_failing_task_shuts_the_platform_down(task: Task) -> (Scenario, ShutdownError) {
    // c0 ← c1; c1's worker fails once released, after boot.
    let (behaviour, release) = released(task);
    let scenario = Scenario::with(vec![vec![], vec![0]], |i| {
        if i == 1 { behaviour.clone() } else { Behaviour::default() }
    });
    let platform = scenario.builder().boot().await.unwrap();
    let mut states = platform.watch();
    assert!(platform.health().live);
    release.add_permits(1);
    let error = tokio::time::timeout(Duration::from_secs(10), platform.run_until_shutdown())
        .await
        .expect("the failed task stops the platform")
        .unwrap_err();
    // The component stays `Failed`, through its own `stop`: watch() shows it.
    assert_eq!(states.borrow_and_update().get(scenario.names[1]), Some(State::Failed));
    assert_eq!(platform.state(scenario.names[0]), Some(State::Stopped));
    assert!(!platform.health().live);
    // The platform stopped in order: both `stop` hooks ran, dependent first.
    assert_eq!(scenario.log.finished(Phase::Stop), [scenario.names[1], scenario.names[0]]);
    (scenario, error)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_returning_an_error_shuts_the_platform_down_naming_it() {
    let (scenario, error) = a_failing_task_shuts_the_platform_down(Task::Error).await;
    let ShutdownError::TaskFailed { tasks, report } = &error else { panic!("{error}") };
    assert_eq!(tasks.len(), 1);
    assert_eq!((tasks[0].component, tasks[0].task.as_str()), (scenario.names[1], "worker"));
    assert!(matches!(tasks[0].cause, HookCause::Error(_)));
    assert_eq!(report.stopped.len(), 2);
    let text = error.to_string();
    let expected = format!("task `worker` of component `{0}` failed after", scenario.names[1]);
    assert!(text.starts_with(&expected), "{text}");
    assert!(text.contains(&format!("{} worker: lost its connection", scenario.names[1])), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_task_shuts_the_platform_down_naming_it() {
    let (scenario, error) = a_failing_task_shuts_the_platform_down(Task::Panic).await;
    let ShutdownError::TaskFailed { tasks, .. } = &error else { panic!("{error}") };
    assert!(
        matches!(&tasks[0].cause, HookCause::Panic(message) if message.contains("worker panicked"))
    );
    let text = error.to_string();
    assert!(
        text.contains(&format!(
            "task `worker` of component `{}` panicked after",
            scenario.names[1]
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_cancels_and_awaits_a_components_tasks_before_its_dependencies_stop() {
    // c0 ← c1 ← c2, each with a quiet worker spawned in `init`.
    let scenario = Scenario::with(vec![vec![], vec![0], vec![1]], |_| Behaviour {
        task: Some((Phase::Init, Task::Quiet)),
        ..Behaviour::default()
    });
    let platform = scenario.builder().boot().await.unwrap();
    // Running: no task has ended.
    assert!(scenario.log.tasks_ended().is_empty());
    let report = platform.stop().await.unwrap();
    assert!(report.is_clean(), "{report}");
    let events = scenario.log.events();
    let stop_began = |name: &str| {
        events
            .iter()
            .position(|e| e.component == name && e.phase == Phase::Stop && !e.done)
            .unwrap()
    };
    let ended = scenario.log.tasks_ended();
    assert_eq!(ended.len(), 3, "every task ended: {ended:?}");
    for (i, deps) in scenario.deps.iter().enumerate() {
        let (_, at) = *ended.iter().find(|(c, _)| *c == scenario.names[i]).unwrap();
        // Its own `stop` comes after its task ended, and so does every dependency's.
        assert!(at <= stop_began(scenario.names[i]));
        for &d in deps {
            assert!(
                at <= stop_began(scenario.names[d]),
                "{} stopped before its dependent's task ended",
                scenario.names[d]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_ignoring_cancellation_hits_the_time_limit_and_is_reported() {
    let scenario = Scenario::with(vec![vec![], vec![0]], |i| Behaviour {
        task: (i == 1).then_some((Phase::Start, Task::Stubborn)),
        ..Behaviour::default()
    });
    let names = &scenario.names;
    let builder = scenario.builder().timeout_for(names[1], Duration::from_millis(50));
    let platform = builder.boot().await.unwrap();
    let began = std::time::Instant::now();
    let error = platform.stop().await.unwrap_err();
    assert!(began.elapsed() >= Duration::from_millis(50));
    assert!(began.elapsed() < Duration::from_secs(10));
    let tasks = &error.report.tasks;
    assert_eq!(tasks.len(), 1);
    assert_eq!((tasks[0].component, tasks[0].task.as_str()), (names[1], "worker"));
    assert!(
        matches!(tasks[0].cause, HookCause::Timeout(limit) if limit == Duration::from_millis(50))
    );
    assert!(
        error.to_string().contains("did not end within its component's time limit of 50ms"),
        "{error}"
    );
    // Its component still stops (and stays failed), and so does its dependency, after it.
    assert_eq!(scenario.log.finished(Phase::Stop), [names[1], names[0]]);
    assert_eq!(platform.state(names[1]), Some(State::Failed));
    assert_eq!(platform.state(names[0]), Some(State::Stopped));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_failing_during_boot_fails_the_boot() {
    // c0's worker fails at once, while c1's `init` is still sleeping.
    let scenario = Scenario::with(vec![vec![], vec![]], |i| Behaviour {
        task: (i == 0).then_some((Phase::Init, Task::Error)),
        sleep: (i == 1).then_some((Phase::Init, Duration::from_secs(5))),
        ..Behaviour::default()
    });
    let Err(weft::BootError::Hook(failure)) = scenario.builder().boot().await else {
        panic!("boot must fail")
    };
    assert!(failure.failures.is_empty(), "{failure}");
    assert_eq!(failure.failed_tasks.len(), 1);
    assert_eq!(failure.failed_tasks[0].component, scenario.names[0]);
    assert_eq!(failure.states.get(scenario.names[0]), Some(State::Failed));
    assert!(scenario.log.began(Phase::Start).is_empty());
    assert!(failure.to_string().contains("task `worker` of component"), "{failure}");
}

mod requested {
    use weft::prelude::*;

    #[component(name = "quitter")]
    #[derive(Default)]
    pub(super) struct Quitter;

    impl Lifecycle for Quitter {
        async fn start(&self) -> anyhow::Result<()> {
            let supervisor = weft::Supervisor::current()?;
            assert_eq!(supervisor.component(), "quitter");
            supervisor.spawn("quit", async move {
                weft::Supervisor::current()?.request_shutdown();
                Ok(())
            })?;
            Ok(())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_can_ask_the_platform_to_shut_down() {
    let platform = weft::Builder::new().only(["quitter"]).boot().await.unwrap();
    let report = tokio::time::timeout(
        Duration::from_secs(10),
        platform.run_until(std::future::pending::<()>()),
    )
    .await
    .expect("the request stops the platform")
    .unwrap();
    assert_eq!(report.stopped, ["quitter"]);
}

mod kept {
    use std::sync::OnceLock;

    use weft::prelude::*;

    pub(super) static KEPT: OnceLock<weft::Supervisor> = OnceLock::new();

    #[component(name = "keeper")]
    #[derive(Default)]
    pub(super) struct Keeper;

    impl Lifecycle for Keeper {
        async fn init(&mut self) -> anyhow::Result<()> {
            let _ = KEPT.set(weft::Supervisor::current()?);
            Ok(())
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_is_had_in_a_hook_kept_in_a_field_and_spawns_nothing_once_stopped() {
    assert_eq!(Supervisor::current().unwrap_err(), SupervisorError::Outside);
    let platform = weft::Builder::new().only(["keeper"]).boot().await.unwrap();
    let supervisor = kept::KEPT.get().expect("init kept its supervisor").clone();
    // Kept past its hooks, it still spawns tracked work while the component runs...
    let (tell, told) = tokio::sync::oneshot::channel();
    supervisor
        .spawn("later", async move {
            tell.send(Supervisor::current()?.component()).ok();
            Ok(())
        })
        .unwrap();
    assert_eq!(told.await.unwrap(), "keeper");
    assert!(!supervisor.stop_token().is_cancelled());
    platform.stop().await.unwrap();
    // ...and none once the component stopped.
    assert!(supervisor.stop_token().is_cancelled() && supervisor.shutdown_token().is_cancelled());
    let refused = supervisor.spawn("too-late", async { Ok(()) }).unwrap_err();
    assert_eq!(refused, SupervisorError::Stopped { component: "keeper", task: "too-late".into() });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_stop_keeps_the_task_failures_reported_before_it() {
    // Found by the rollback property: the stubborn task's report was lost with the panic.
    let scenario = Scenario::with(vec![vec![]], |_| Behaviour {
        task: Some((Phase::Init, Task::Stubborn)),
        fault: Some((Phase::Stop, support::Fault::Panic)),
        ..Behaviour::default()
    });
    let builder = scenario.builder().default_timeout(Duration::from_millis(50));
    let platform = builder.boot().await.unwrap();
    let error = platform.stop().await.unwrap_err();
    assert_eq!(error.report.tasks.len(), 1, "{error}");
    assert!(matches!(error.report.tasks[0].cause, HookCause::Timeout(_)));
    assert_eq!(error.report.failed.len(), 1, "{error}");
    assert!(
        matches!(&error.report.failed[0].cause, HookCause::Panic(message) if message.contains("panicked in stop"))
    );
}
