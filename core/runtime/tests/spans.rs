//! Hooks run inside `tracing` spans that name the component and the phase.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use support::Scenario;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_hook_runs_in_a_span_with_its_component_and_phase() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // A current-thread runtime runs every hook on this thread, under this subscriber.
    let _default = tracing::subscriber::set_default(subscriber);

    let scenario = Scenario::new(vec![vec![], vec![0]]);
    let platform = scenario.builder().boot().await.unwrap();
    platform.stop().await.unwrap();

    let output = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    for name in &scenario.names {
        for phase in ["construct", "init", "start", "stop"] {
            let span = format!("weft.hook{{component=\"{name}\" phase={phase}}}");
            assert!(output.contains(&span), "no `{span}` in:\n{output}");
        }
    }
    assert!(output.contains("weft.boot{components=2}"), "{output}");
}
