//! An `Option<Arc<T>>` field with no `optional(...)` entry would stay `None`: the message says
//! how to declare the optional dependency.

use std::sync::Arc;
use weft::component;

pub trait Metrics: Send + Sync {}

#[component(name = "web")]
pub struct Web {
    metrics: Option<Arc<dyn Metrics>>,
}

fn main() {}
