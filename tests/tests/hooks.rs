//! `#[component]` picks the component's own hooks when it implements `weft::Lifecycle`, and no-op
//! hooks when it does not (the `HookProbe` autoref trick), with no annotation from the user.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use weft::prelude::*;

static CALLS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
static INITIALIZED_VALUE: AtomicUsize = AtomicUsize::new(0);

fn record(call: &'static str) {
    CALLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(call);
}

/// Implements `Lifecycle`: every hook must run.
#[component(name = "hooked")]
#[derive(Default)]
pub struct Hooked {
    value: usize,
}

impl Lifecycle for Hooked {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.value = 7;
        record("init");
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        INITIALIZED_VALUE.store(self.value, Ordering::SeqCst);
        record("start");
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        record("stop");
        Ok(())
    }
}

/// Does not implement `Lifecycle`: it still goes through every state, doing nothing.
#[component(name = "plain")]
pub struct Plain;

/// Overrides only the time limit, and its one hook takes longer than that.
#[component(name = "slow")]
pub struct Slow;

impl Lifecycle for Slow {
    async fn init(&mut self) -> anyhow::Result<()> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(())
    }

    fn timeout(&self) -> Option<Duration> {
        Some(Duration::from_millis(10))
    }
}

#[tokio::test]
async fn lifecycle_hooks_run_and_plain_components_get_none() {
    let platform = weft::Builder::new().only(["hooked", "plain"]).boot().await.expect("boots");
    assert_eq!(platform.state("hooked"), Some(State::Started));
    assert_eq!(platform.state("plain"), Some(State::Started));
    // `start` saw what `init` wrote: the component's own hooks ran, on the same value.
    assert_eq!(INITIALIZED_VALUE.load(Ordering::SeqCst), 7);
    platform.stop().await.expect("stops");
    assert_eq!(platform.state("plain"), Some(State::Stopped));
    let calls = CALLS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
    assert_eq!(calls, ["init", "start", "stop"]);
}

#[tokio::test]
async fn the_lifecycle_time_limit_is_the_components_own() {
    let error = weft::Builder::new()
        .only(["slow"])
        .default_timeout(Duration::from_secs(60))
        .boot()
        .await
        .expect_err("`slow` exceeds its own 10 ms limit long before the default");
    assert!(error.to_string().contains("slow"), "{error}");
}
