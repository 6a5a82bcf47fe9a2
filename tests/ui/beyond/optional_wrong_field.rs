//! `optional(T)` is injected into a field `Option<Arc<T>>`, not `Arc<T>`.

use std::sync::Arc;
use weft::component;

pub trait Metrics: Send + Sync {}

#[component(name = "web", requires = [optional(dyn Metrics)])]
pub struct Web {
    metrics: Arc<dyn Metrics>,
}

fn main() {}
