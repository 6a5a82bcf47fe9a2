//! An `Option<Arc<T>>` field with no `optional(...)` entry would stay `None`: refused.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "channels")]
pub struct Channels {
    db: Option<Arc<dyn Database>>,
}

fn main() {}
