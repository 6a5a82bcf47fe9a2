//! A component with every hook written as `async fn`, awaiting other futures, plus a time limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use weft::prelude::*;

pub trait Counter: Send + Sync {
    fn count(&self) -> usize;
}

#[component(name = "counter", provides = dyn Counter)]
#[derive(Default)]
pub struct AtomicCounter {
    value: AtomicUsize,
}

impl Counter for AtomicCounter {
    fn count(&self) -> usize {
        self.value.load(Ordering::SeqCst)
    }
}

#[component(name = "worker", requires = [dyn Counter])]
pub struct Worker {
    counter: Arc<dyn Counter>,
    seen: usize,
}

impl Lifecycle for Worker {
    async fn init(&mut self) -> anyhow::Result<()> {
        tokio::task::yield_now().await;
        self.seen = self.counter.count();
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        anyhow::ensure!(self.seen == self.counter.count(), "the counter moved");
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        Ok(())
    }

    fn timeout(&self) -> Option<Duration> {
        Some(Duration::from_secs(5))
    }
}

fn main() {}
