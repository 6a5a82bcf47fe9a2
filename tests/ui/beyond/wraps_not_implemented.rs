//! A decorator serves the service it wraps, so it must implement it.

use std::sync::Arc;
use weft::component;

pub trait Store: Send + Sync {}

#[component(name = "cache", provides = wraps(dyn Store))]
pub struct Cache {
    inner: Arc<dyn Store>,
}

fn main() {}
