//! Booting and stopping with real hooks: order, concurrency, failures, rollback, composition.

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{Behaviour, Fault, Scenario, before};
use weft::__private::{Erased, Hooks, InjectError, Injector, Service, erase};
use weft::{BootError, Builder, HookCause, Phase, Registration, ServiceKey, State};

// c0 ← c1 ← c3, c0 ← c2 ← c3 (a diamond), c4 ← c5 beside it.
fn diamond() -> Vec<Vec<usize>> {
    vec![vec![], vec![0], vec![0], vec![1, 2], vec![], vec![4]]
}

fn hook_failure(error: BootError) -> Box<weft::BootFailure> {
    match error {
        BootError::Hook(failure) => failure,
        other => panic!("expected a hook failure, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hooks_follow_the_dependency_order_and_run_once() {
    let scenario = Scenario::new(diamond());
    let platform = scenario.builder().boot().await.unwrap();
    assert!(platform.states().all(State::Started));
    let report = platform.stop().await.unwrap();
    assert_eq!(report.stopped.len(), 6);
    assert!(platform.states().all(State::Stopped));

    let events = scenario.log.events();
    let position = |component: &str, phase: Phase, done: bool| {
        let found = events
            .iter()
            .position(|e| e.component == component && e.phase == phase && e.done == done);
        found.unwrap_or_else(|| panic!("{component} {phase} {done} missing"))
    };
    for (i, deps) in scenario.deps.iter().enumerate() {
        let me = scenario.names[i];
        for phase in [Phase::Construct, Phase::Init, Phase::Start, Phase::Stop] {
            let calls =
                events.iter().filter(|e| e.component == me && e.phase == phase && e.done).count();
            assert_eq!(calls, 1, "{me} {phase} ran {calls} times");
        }
        for &d in deps {
            let dep = scenario.names[d];
            assert!(position(dep, Phase::Init, true) < position(me, Phase::Construct, true));
            assert!(position(dep, Phase::Start, true) < position(me, Phase::Start, false));
            assert!(position(me, Phase::Stop, true) < position(dep, Phase::Stop, false));
        }
    }
}

fn meeting(phases: [Phase; 2]) -> Scenario {
    // Both hooks wait until the other one is running too: a sequential runtime times out.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    Scenario::with(vec![vec![], vec![], vec![0, 1]], |i| Behaviour {
        barrier: phases.get(i).map(|&phase| (phase, barrier.clone())),
        ..Behaviour::default()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_inits_run_concurrently() {
    let scenario = meeting([Phase::Init, Phase::Init]);
    let platform = scenario.builder().boot().await.unwrap();
    assert!(platform.stop().await.unwrap().is_clean());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_stops_run_concurrently() {
    let scenario = meeting([Phase::Stop, Phase::Stop]);
    let platform = scenario.builder().boot().await.unwrap();
    assert!(platform.stop().await.unwrap().is_clean());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_stop_returns_the_same_outcome_without_running_hooks() {
    let scenario = Scenario::with(diamond(), |i| Behaviour {
        fault: (i == 1).then_some((Phase::Stop, Fault::Error)),
        ..Behaviour::default()
    });
    let platform = scenario.builder().boot().await.unwrap();
    let first = platform.stop().await.unwrap_err();
    let second = platform.stop().await.unwrap_err();
    assert_eq!(first.to_string(), second.to_string());
    assert_eq!(scenario.log.began(Phase::Stop).len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_keeps_going_past_errors_and_reports_them_all() {
    // A chain c0 ← c1 ← c2 ← c3: c2's stop fails, c1's panics; c0 still stops, last.
    let deps = vec![vec![], vec![0], vec![1], vec![2]];
    let scenario = Scenario::with(deps, |i| Behaviour {
        fault: match i {
            2 => Some((Phase::Stop, Fault::Error)),
            1 => Some((Phase::Stop, Fault::Panic)),
            _ => None,
        },
        ..Behaviour::default()
    });
    let platform = scenario.builder().boot().await.unwrap();
    let error = platform.stop().await.unwrap_err();
    let names = &scenario.names;
    assert_eq!(error.report.stopped, [names[3], names[0]]);
    let failed: Vec<_> = error.report.failed.iter().map(|f| f.component).collect();
    assert_eq!(failed, [names[2], names[1]]);
    assert_eq!(scenario.log.began(Phase::Stop), [names[3], names[2], names[1], names[0]]);
    let text = error.to_string();
    assert!(text.contains("cannot stop: disk on fire"), "{text}");
    assert!(text.contains("panicked in stop"), "{text}");
    assert_eq!(platform.state(names[2]), Some(State::Failed));
    assert_eq!(platform.state(names[0]), Some(State::Stopped));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_init_error_rolls_back_the_initialized_components_dependents_first() {
    // c0 ← c1 ← c2 ← c3; c2's init fails, so c3 never constructs.
    let scenario = Scenario::with(vec![vec![], vec![0], vec![1], vec![2]], |i| Behaviour {
        fault: (i == 2).then_some((Phase::Init, Fault::Error)),
        ..Behaviour::default()
    });
    let failure = hook_failure(scenario.builder().boot().await.unwrap_err());
    let names = &scenario.names;
    assert_eq!(failure.failures[0].component, names[2]);
    assert_eq!(failure.failures[0].phase, Phase::Init);
    assert_eq!(failure.rollback.stopped, [names[1], names[0]]);
    let states: Vec<State> = failure.states.iter().map(|(_, state)| state).collect();
    assert_eq!(states, [State::Stopped, State::Stopped, State::Failed, State::Ready]);
    // Nothing starts before every component is initialized; c3 is never built.
    assert!(scenario.log.began(Phase::Start).is_empty());
    assert!(!scenario.log.finished(Phase::Construct).contains(&names[3]));
    let text = failure.to_string();
    assert!(text.contains(&format!("component `{}` failed in `init` after", names[2])), "{text}");
    // The whole cause chain, outermost first.
    assert!(text.contains(&format!("{} cannot init: disk on fire", names[2])), "{text}");
    assert!(
        text.contains(&format!("rollback: stopped 2 components (`{}`, `{}`)", names[1], names[0])),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_in_start_fails_boot_and_stops_every_initialized_component() {
    let scenario = Scenario::with(vec![vec![], vec![0]], |i| Behaviour {
        fault: (i == 1).then_some((Phase::Start, Fault::Panic)),
        ..Behaviour::default()
    });
    let failure = hook_failure(scenario.builder().boot().await.unwrap_err());
    assert_eq!(failure.failures[0].phase, Phase::Start);
    assert!(
        matches!(&failure.failures[0].cause, HookCause::Panic(message) if message.contains("panicked in start"))
    );
    // c1 finished init, so it is stopped too, before c0.
    assert_eq!(failure.rollback.stopped, [scenario.names[1], scenario.names[0]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hook_timeout_fails_boot_and_cancels_what_is_still_running() {
    // c0 hangs in init past its limit; c1, independent, hangs forever and must be cancelled.
    let scenario = Scenario::with(vec![vec![], vec![]], |_| Behaviour {
        fault: Some((Phase::Init, Fault::Hang)),
        ..Behaviour::default()
    });
    let names = &scenario.names;
    let builder = scenario.builder().timeout_for(names[0], Duration::from_millis(50));
    let started = std::time::Instant::now();
    let failure = hook_failure(builder.boot().await.unwrap_err());
    assert!(started.elapsed() < Duration::from_secs(10), "the hanging init was not cancelled");
    assert_eq!(failure.failures[0].component, names[0]);
    assert!(
        matches!(failure.failures[0].cause, HookCause::Timeout(limit) if limit == Duration::from_millis(50))
    );
    assert!(failure.failures[0].elapsed >= Duration::from_millis(50));
    assert!(failure.rollback.stopped.is_empty());
    assert!(failure.to_string().contains("within its time limit of 50ms"), "{failure}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_builder_limit_wins_over_the_components_own() {
    let scenario = Scenario::with(vec![vec![]], |_| Behaviour {
        fault: Some((Phase::Init, Fault::Hang)),
        timeout: Some(Duration::from_millis(30)),
        ..Behaviour::default()
    });
    let failure = hook_failure(scenario.builder().boot().await.unwrap_err());
    assert!(
        matches!(failure.failures[0].cause, HookCause::Timeout(limit) if limit == Duration::from_millis(30))
    );

    let builder = scenario.builder().timeout_for(scenario.names[0], Duration::from_millis(60));
    let failure = hook_failure(builder.boot().await.unwrap_err());
    assert!(
        matches!(failure.failures[0].cause, HookCause::Timeout(limit) if limit == Duration::from_millis(60))
    );

    let builder = Scenario::with(vec![vec![]], |_| Behaviour {
        fault: Some((Phase::Init, Fault::Hang)),
        ..Behaviour::default()
    })
    .builder()
    .default_timeout(Duration::from_millis(20));
    let failure = hook_failure(builder.boot().await.unwrap_err());
    assert!(
        matches!(failure.failures[0].cause, HookCause::Timeout(limit) if limit == Duration::from_millis(20))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_runs_under_a_budget_of_its_own() {
    // c1's init fails; c0's stop hangs: the rollback gives up on it after its budget.
    let scenario = Scenario::with(vec![vec![], vec![0]], |i| Behaviour {
        fault: Some(if i == 0 { (Phase::Stop, Fault::Hang) } else { (Phase::Init, Fault::Error) }),
        ..Behaviour::default()
    });
    let builder = scenario.builder().rollback_timeout(Duration::from_millis(80));
    let failure = hook_failure(builder.boot().await.unwrap_err());
    assert_eq!(failure.rollback.not_stopped, [scenario.names[0]]);
    assert!(failure.to_string().contains("not stopped, time budget exhausted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_limits_are_accepted() {
    let scenario = Scenario::with(vec![vec![], vec![0]], |i| Behaviour {
        fault: (i == 1).then_some((Phase::Init, Fault::Error)),
        ..Behaviour::default()
    });
    let builder = scenario.builder().default_timeout(Duration::MAX).rollback_timeout(Duration::MAX);
    let failure = hook_failure(builder.boot().await.unwrap_err());
    assert_eq!(failure.rollback.stopped, [scenario.names[0]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_boots_the_selection_and_its_requirements() {
    let scenario = Scenario::new(diamond());
    let names = &scenario.names;
    let platform = scenario.builder().only([names[1]]).boot().await.unwrap();
    assert_eq!(scenario.log.finished(Phase::Construct).len(), 2);
    assert_eq!(platform.state(names[0]), Some(State::Started));
    assert_eq!(platform.state(names[1]), Some(State::Started));
    assert_eq!(platform.state(names[3]), None);
    platform.stop().await.unwrap();
}

trait Greeter: Send + Sync {
    fn greet(&self) -> String;
}

struct English;
impl Greeter for English {
    fn greet(&self) -> String {
        "hello".into()
    }
}

struct Fake;
impl Greeter for Fake {
    fn greet(&self) -> String {
        "fake".into()
    }
}

struct Welcome {
    greeter: Arc<dyn Greeter>,
}

static SHADOWED_BUILT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

const GREETER: ServiceKey = ServiceKey::of::<dyn Greeter>("dyn Greeter");

static ENGLISH: Registration = Registration {
    name: "english",
    type_name: "English",
    module_path: module_path!(),
    file: file!(),
    line: line!(),
    provides: Some(GREETER),
    requires: &[],
    build: |_| Ok(erase(English, Hooks::none(), Some(|c| Service::new::<dyn Greeter>(c)))),
};

// Only the replace test uses this provider, so its counter is the test's alone.
static SHADOWED: Registration = Registration {
    name: "shadowed",
    type_name: "English",
    module_path: module_path!(),
    file: file!(),
    line: line!(),
    provides: Some(GREETER),
    requires: &[],
    build: |_| {
        SHADOWED_BUILT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(erase(English, Hooks::none(), Some(|c| Service::new::<dyn Greeter>(c))))
    },
};

fn build_welcome(injector: &Injector<'_>) -> Result<Erased, InjectError> {
    let greeter = injector.get::<dyn Greeter>("dyn Greeter")?;
    Ok(erase(Welcome { greeter }, Hooks::none(), Some(Service::new::<Welcome>)))
}

static WELCOME: Registration = Registration {
    name: "welcome",
    type_name: "Welcome",
    module_path: module_path!(),
    file: file!(),
    line: line!(),
    provides: Some(ServiceKey::of::<Welcome>("Welcome")),
    requires: &[GREETER],
    build: build_welcome,
};

#[tokio::test]
async fn services_are_injected_and_reachable() {
    let platform = Builder::empty().register(&ENGLISH).register(&WELCOME).boot().await.unwrap();
    let welcome = platform.get::<Welcome>().unwrap();
    assert_eq!(welcome.greeter.greet(), "hello");
    assert_eq!(platform.get::<dyn Greeter>().unwrap().greet(), "hello");
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn replace_swaps_a_provider_without_constructing_it() {
    let platform = Builder::empty()
        .register(&SHADOWED)
        .register(&WELCOME)
        .replace::<dyn Greeter>(Arc::new(Fake))
        .boot()
        .await
        .unwrap();
    assert_eq!(platform.get::<Welcome>().unwrap().greeter.greet(), "fake");
    assert_eq!(platform.get::<dyn Greeter>().unwrap().greet(), "fake");
    assert_eq!(platform.state("shadowed"), None);
    assert_eq!(SHADOWED_BUILT.load(std::sync::atomic::Ordering::SeqCst), 0);
    let graph = platform.graph();
    assert!(graph.to_dot().contains("replaced: dyn"), "{}", graph.to_dot());
    platform.stop().await.unwrap();
}

static SNEAKY: Registration = Registration {
    name: "sneaky",
    type_name: "Welcome",
    module_path: module_path!(),
    file: file!(),
    line: line!(),
    provides: None,
    // Declares nothing, yet asks for a greeter.
    requires: &[],
    build: build_welcome,
};

#[tokio::test]
async fn a_component_reaches_only_the_services_it_declared() {
    let failure = hook_failure(
        Builder::empty().register(&ENGLISH).register(&SNEAKY).boot().await.unwrap_err(),
    );
    assert_eq!(failure.failures[0].phase, Phase::Construct);
    assert!(matches!(
        failure.failures[0].cause,
        HookCause::Inject(InjectError::Unavailable { service: "dyn Greeter", .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn states_can_be_watched_and_the_report_has_the_critical_path() {
    // c0 (40 ms) ← c1 (40 ms); c2 (5 ms) alone.
    let sleeps = [40, 40, 5];
    let scenario = Scenario::with(vec![vec![], vec![0], vec![]], |i| Behaviour {
        sleep: Some((Phase::Init, Duration::from_millis(sleeps[i]))),
        ..Behaviour::default()
    });
    let names = &scenario.names;
    let platform = scenario.builder().boot().await.unwrap();
    let report = platform.report();
    let path: Vec<_> = report.critical_path.iter().map(|s| (s.component, s.phase)).collect();
    assert_eq!(path[..2], [(names[0], Phase::Init), (names[1], Phase::Init)]);
    assert!(report.critical_path_duration() >= Duration::from_millis(80));
    assert!(report.total >= report.critical_path_duration());
    assert!(report.get(names[1]).unwrap().init >= Duration::from_millis(40));
    assert!(report.to_string().contains("critical path"));

    let mut watch = platform.watch();
    assert!(watch.borrow_and_update().all(State::Started));
    platform.stop().await.unwrap();
    assert!(watch.has_changed().unwrap());
    assert!(watch.borrow_and_update().all(State::Stopped));
}

#[tokio::test]
async fn dropping_a_platform_without_stop_runs_no_hook_and_does_not_hang() {
    let scenario = Scenario::new(diamond());
    let platform = scenario.builder().boot().await.unwrap();
    drop(platform);
    assert!(scenario.log.began(Phase::Stop).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_boot_future_cancels_the_hooks() {
    let scenario = Scenario::with(vec![vec![]], |_| Behaviour {
        fault: Some((Phase::Init, Fault::Hang)),
        ..Behaviour::default()
    });
    let boot = scenario.builder().boot();
    assert!(tokio::time::timeout(Duration::from_millis(50), boot).await.is_err());
    // The hanging `init` is cancelled, which drops the component it was running on.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while scenario.log.dropped() == 0 {
        assert!(std::time::Instant::now() < deadline, "the hook still runs");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_platform_and_its_boot_can_move_across_tasks() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    // `tokio::spawn` needs the boot future to be `Send`.
    let platform = tokio::spawn(Builder::empty().boot()).await.unwrap().unwrap();
    send_sync(&platform);
    let platform = Arc::new(platform);
    let stopping = platform.clone();
    tokio::spawn(async move { stopping.stop().await }).await.unwrap().unwrap();
    assert!(platform.states().is_empty());
}

#[test]
fn boot_outside_a_tokio_runtime_is_an_error() {
    // Boot checks for a runtime before anything else: its first poll is ready.
    let boot = std::pin::pin!(Builder::empty().boot());
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    let std::task::Poll::Ready(result) = boot.poll(&mut context) else {
        panic!("boot outside a runtime must fail at once");
    };
    assert!(matches!(result, Err(BootError::NoRuntime)));
}

#[tokio::test]
async fn a_graph_problem_starts_nothing() {
    let scenario = Scenario::new(vec![vec![1], vec![0], vec![]]);
    let error = scenario.builder().boot().await.unwrap_err();
    assert!(matches!(error, BootError::Graph(_)));
    assert!(scenario.log.events().is_empty());
}

#[test]
fn before_helper_compares_positions() {
    assert!(before(&["a", "b"], "a", "b"));
    assert!(!before(&["a", "b"], "b", "a"));
}
