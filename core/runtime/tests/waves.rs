//! Boot runs in two waves: every component's `init` (parallel along the DAG), and only once all
//! of them succeeded, every `start` (parallel along the DAG).

mod support;

use std::sync::Arc;
use std::time::Duration;

use support::{Behaviour, Scenario};
use weft::Phase;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_independent_init_holds_back_every_start() {
    // c0 ← c1, and c2 alone with a slow init. Without the barrier, c0 and c1 would start while
    // c2 is still initializing.
    let scenario = Scenario::with(vec![vec![], vec![0], vec![]], |i| Behaviour {
        sleep: (i == 2).then_some((Phase::Init, Duration::from_millis(50))),
        ..Behaviour::default()
    });
    let platform = scenario.builder().boot().await.unwrap();
    let events = scenario.log.events();
    let last_init_done = events
        .iter()
        .rposition(|e| e.phase == Phase::Init && e.done)
        .expect("every component initialized");
    let first_start = events.iter().position(|e| e.phase == Phase::Start).expect("started");
    assert!(last_init_done < first_start, "a start began before every init finished: {events:?}");
    assert_eq!(events[last_init_done].component, scenario.names[2]);
    assert_eq!(scenario.log.finished(Phase::Start).len(), 3);
    // The report shows the barrier: the start wave began once the slow init was over.
    let report = platform.report();
    assert!(report.init_wave >= Duration::from_millis(50), "{report}");
    assert!(report.init_wave <= report.total);
    assert_eq!(report.critical_path[0].component, scenario.names[2]);
    assert_eq!(
        report.init_critical_path() + report.start_critical_path(),
        report.critical_path_duration()
    );
    platform.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn independent_starts_run_concurrently() {
    // Both `start` hooks wait until the other one is running too: a sequential wave times out.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let scenario = Scenario::with(vec![vec![], vec![], vec![0, 1]], |i| Behaviour {
        barrier: (i < 2).then(|| (Phase::Start, barrier.clone())),
        ..Behaviour::default()
    });
    let platform = scenario.builder().boot().await.unwrap();
    assert!(platform.stop().await.unwrap().is_clean());
}
