//! Shutdown on signals: the first SIGTERM stops the platform gracefully, a second exits at once
//! with status 130. Each test drives a child process (this test binary, re-run) so that the
//! signals never reach the test harness.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{Behaviour, Fault, Scenario};
use weft::Phase;

const CHILD: &str = "WEFT_SIGNALS_CHILD";

/// In the child: boot, say "ready", run until shutdown, print the outcome.
#[test]
fn child() {
    let Ok(mode) = std::env::var(CHILD) else { return };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let hang = mode == "hang";
        let scenario = Scenario::with(vec![vec![], vec![0]], |_| Behaviour {
            fault: hang.then_some((Phase::Stop, Fault::Hang)),
            ..Behaviour::default()
        });
        let platform = scenario.builder().boot().await.unwrap();
        // The handlers are installed by the call, before "ready" is announced.
        let shutdown = platform.run_until_shutdown();
        println!("ready");
        // The parent signals while the application is still busy elsewhere: the signal must
        // wait for `shutdown`, not kill the process.
        // (Only with one signal: signals delivered before anyone waits coalesce into one.)
        if !hang {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let report = shutdown.await.unwrap();
        println!("stopped {}", report.stopped.len());
    });
}

fn signal(pid: u32) {
    let status = Command::new("kill").args(["-TERM", &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

/// Runs the child in `mode`, sends `signals` SIGTERMs, and returns its exit code and output.
fn run_child(mode: &str, signals: usize) -> (Option<i32>, Vec<String>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(CHILD, mode)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let ready = line.ends_with("ready");
        seen.push(line);
        if ready {
            break;
        }
    }
    // No pause: `run_until_shutdown` installed the handlers before the child said "ready", so
    // a signal sent at once must already stop the platform gracefully.
    for _ in 0..signals {
        signal(child.id());
        std::thread::sleep(Duration::from_millis(300));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the child did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    seen.extend(lines.map_while(Result::ok));
    (status.code(), seen)
}

#[test]
fn the_first_sigterm_stops_the_platform_gracefully() {
    let (code, output) = run_child("graceful", 1);
    assert_eq!(code, Some(0), "{output:?}");
    assert!(output.iter().any(|line| line.contains("stopped 2")), "{output:?}");
}

#[test]
fn a_second_sigterm_exits_at_once_with_status_130() {
    // The stop hooks hang: only the second signal ends the process.
    let (code, output) = run_child("hang", 2);
    assert_eq!(code, Some(130), "{output:?}");
    assert!(!output.iter().any(|line| line.contains("stopped")), "{output:?}");
}
