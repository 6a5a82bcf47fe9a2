//! Optional dependencies: `requires = [optional(T)]` fills a field `Option<Arc<T>>` when a
//! component provides `T` (and orders it first), and leaves it `None` otherwise.

#![allow(missing_docs, reason = "test fixtures")]
use std::sync::{Arc, Mutex};

use weft::prelude::*;

pub trait Metrics: Send + Sync {
    fn count(&self) -> usize;
}

static INITIALIZED: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

#[component(name = "metrics", provides = dyn Metrics, local)]
#[derive(Default)]
pub struct Counter;

impl Metrics for Counter {
    fn count(&self) -> usize {
        7
    }
}

impl Lifecycle for Counter {
    async fn init(&mut self) -> anyhow::Result<()> {
        INITIALIZED.lock().unwrap().push("metrics");
        Ok(())
    }
}

pub trait Report: Send + Sync {
    fn metrics(&self) -> Option<usize>;
}

#[component(name = "web", provides = dyn Report, requires = [optional(dyn Metrics)], local)]
pub struct Web {
    metrics: Option<Arc<dyn Metrics>>,
}

impl Report for Web {
    fn metrics(&self) -> Option<usize> {
        self.metrics.as_ref().map(|metrics| metrics.count())
    }
}

impl Lifecycle for Web {
    async fn init(&mut self) -> anyhow::Result<()> {
        INITIALIZED.lock().unwrap().push("web");
        Ok(())
    }
}

#[tokio::test]
async fn optional_dependency_present_is_injected_and_initialized_first() {
    // "web" sorts after "metrics" by name, so check the order with names that would not give it.
    let platform = weft::Builder::empty().with::<Web>().with::<Counter>().boot().await.unwrap();
    assert_eq!(platform.get::<dyn Report>().unwrap().metrics(), Some(7));
    let order = INITIALIZED.lock().unwrap().clone();
    let (metrics, web) = (
        order.iter().position(|c| *c == "metrics").unwrap(),
        order.iter().position(|c| *c == "web").unwrap(),
    );
    assert!(metrics < web, "{order:?}");
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
