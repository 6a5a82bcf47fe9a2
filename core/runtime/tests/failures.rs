//! A failed boot is reported whole: every hook failure observed, each with its component, phase,
//! elapsed time and cause chain; a component that failed stays `Failed`.

mod support;

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use support::{Behaviour, Fault, Scenario};
use weft::__private::{Erased, Hooks, InjectError, Injector, erase};
use weft::{BootError, BootFailure, Builder, Lifecycle, Phase, Registration, State};

fn hook_failure(error: BootError) -> Box<BootFailure> {
    match error {
        BootError::Hook(failure) => failure,
        other => panic!("expected a hook failure, got {other}"),
    }
}

/// Two components whose `start` hooks fail together: each blocks (off the runtime's workers)
/// until both have arrived, then returns its error in the same poll, so the first failure to be
/// seen cannot cancel the other before it happened.
static ARRIVED: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

struct Failing(&'static str);

impl Lifecycle for Failing {
    async fn start(&self) -> anyhow::Result<()> {
        tokio::task::block_in_place(|| {
            let (count, arrived) = &ARRIVED;
            let mut count = count.lock().unwrap();
            *count += 1;
            arrived.notify_all();
            let timeout = Duration::from_secs(20);
            let (_count, waited) = arrived.wait_timeout_while(count, timeout, |n| *n < 2).unwrap();
            assert!(!waited.timed_out(), "the other `start` never ran");
        });
        Err(anyhow::anyhow!("port taken").context(format!("{} cannot listen", self.0)))
    }
}

fn failing(injector: &Injector<'_>) -> Result<Erased, InjectError> {
    Ok(erase(Failing(injector.component()), Hooks::lifecycle(), None))
}

static LEFT: Registration = Registration {
    name: "left",
    type_name: "Failing",
    module_path: module_path!(),
    file: file!(),
    line: line!(),
    provides: None,
    requires: &[],
    build: failing,
};
static RIGHT: Registration = Registration { name: "right", line: line!(), ..LEFT };

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_components_failing_in_the_same_wave_are_both_reported() {
    let builder = Builder::empty().register(&LEFT).register(&RIGHT);
    let failure = hook_failure(builder.boot().await.unwrap_err());
    let mut failed: Vec<(&str, Phase)> =
        failure.failures.iter().map(|f| (f.component, f.phase)).collect();
    failed.sort();
    assert_eq!(failed, [("left", Phase::Start), ("right", Phase::Start)]);
    let text = failure.to_string();
    assert!(text.contains("component `left` failed in `start` after"), "{text}");
    assert!(text.contains("left cannot listen: port taken"), "{text}");
    assert!(text.contains("right cannot listen: port taken"), "{text}");
    // Both failed; both had finished `init`, so both are stopped, and both stay `Failed`.
    assert_eq!(failure.states.get("left"), Some(State::Failed));
    assert_eq!(failure.states.get("right"), Some(State::Failed));
    let mut stopped = failure.rollback.stopped.clone();
    stopped.sort();
    assert_eq!(stopped, ["left", "right"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_component_whose_start_failed_is_stopped_and_stays_failed() {
    // The rule: `stop` runs for every component that finished `init`, including one whose
    // `start` failed (it may hold what `init` acquired); its state stays `Failed`.
    let scenario = Scenario::with(vec![vec![], vec![0]], |i| Behaviour {
        fault: (i == 1).then_some((Phase::Start, Fault::Error)),
        ..Behaviour::default()
    });
    let names = &scenario.names;
    let builder = scenario.builder();
    let failure = hook_failure(builder.boot().await.unwrap_err());
    assert_eq!(failure.failures.len(), 1);
    assert_eq!(
        (failure.failures[0].component, failure.failures[0].phase),
        (names[1], Phase::Start)
    );
    assert_eq!(scenario.log.finished(Phase::Stop), [names[1], names[0]]);
    assert_eq!(failure.rollback.stopped, [names[1], names[0]]);
    assert_eq!(failure.states.get(names[1]), Some(State::Failed));
    assert_eq!(failure.states.get(names[0]), Some(State::Stopped));
}
