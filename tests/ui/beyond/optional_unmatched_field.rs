//! With `optional(...)` entries, an `Option<Arc<T>>` field that none of them fills would stay
//! `None`: the compiler finds it, even under an alias.

use std::sync::Arc;
use weft::component;

pub trait Metrics: Send + Sync {}
pub trait Tracing: Send + Sync {}

pub type MaybeTracing = Option<Arc<dyn Tracing>>;

#[component(name = "web", requires = [optional(dyn Metrics)])]
pub struct Web {
    metrics: Option<Arc<dyn Metrics>>,
    tracing: MaybeTracing,
}

fn main() {}
