//! Optional dependencies: `requires = [optional(T)]` fills a field `Option<Arc<T>>` when a
//! component provides `T` (and orders it first), and leaves it `None` otherwise.

#![allow(missing_docs, reason = "test fixtures")]
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use weft::prelude::*;

pub trait Metrics: Send + Sync {
    fn count(&self) -> usize;
    fn initialized(&self) -> bool;
}

#[component(name = "metrics", provides = dyn Metrics, local)]
#[derive(Default)]
pub struct Counter {
    initialized: AtomicBool,
}

impl Metrics for Counter {
    fn count(&self) -> usize {
        7
    }

    fn initialized(&self) -> bool {
        self.initialized.load(Ordering::SeqCst)
    }
}

impl Lifecycle for Counter {
    async fn init(&mut self) -> anyhow::Result<()> {
        // Later than `web` would be, were the order left to chance.
        tokio::task::yield_now().await;
        self.initialized.store(true, Ordering::SeqCst);
        Ok(())
    }
}

pub trait Report: Send + Sync {
    fn metrics(&self) -> Option<usize>;
    /// Whether `metrics` was initialized when `web`'s `init` ran.
    fn metrics_initialized_first(&self) -> Option<bool>;
}

#[component(name = "web", provides = dyn Report, requires = [optional(dyn Metrics)], local)]
pub struct Web {
    metrics: Option<Arc<dyn Metrics>>,
    seen: Option<bool>,
}

impl Report for Web {
    fn metrics(&self) -> Option<usize> {
        self.metrics.as_ref().map(|metrics| metrics.count())
    }

    fn metrics_initialized_first(&self) -> Option<bool> {
        self.seen
    }
}

impl Lifecycle for Web {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.seen = self.metrics.as_ref().map(|metrics| metrics.initialized());
        Ok(())
    }
}

#[tokio::test]
async fn optional_dependency_present_is_injected_and_initialized_first() {
    let platform = weft::Builder::empty().with::<Web>().with::<Counter>().boot().await.unwrap();
    let report = platform.get::<dyn Report>().unwrap();
    assert_eq!(report.metrics(), Some(7));
    assert_eq!(report.metrics_initialized_first(), Some(true));
    let graph = platform.graph();
    assert_eq!(graph.dependencies("web").unwrap(), ["metrics"]);
    assert!(graph.to_dot().contains("label=\"dyn Metrics (optional)\", style=dashed"));
    assert!(graph.to_mermaid().contains("-.->|\"dyn Metrics (optional)\"|"));
    assert!(graph.to_json().contains("\"role\": \"optional\""));
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn optional_dependency_absent_is_none() {
    let platform = weft::Builder::empty().with::<Web>().boot().await.unwrap();
    assert_eq!(platform.get::<dyn Report>().unwrap().metrics(), None);
    assert!(platform.graph().dependencies("web").unwrap().is_empty());
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn without_makes_an_optional_dependency_absent() {
    let builder = weft::Builder::empty().with::<Web>().with::<Counter>().without(["metrics"]);
    let platform = builder.boot().await.unwrap();
    assert_eq!(platform.get::<dyn Report>().unwrap().metrics(), None);
    assert_eq!(platform.graph().names().collect::<Vec<_>>(), ["web"]);
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn only_brings_the_provider_of_an_optional_dependency() {
    let builder = weft::Builder::empty().with::<Web>().with::<Counter>().only(["web"]);
    let platform = builder.boot().await.unwrap();
    assert_eq!(platform.get::<dyn Report>().unwrap().metrics(), Some(7));
    platform.stop().await.unwrap();
}
