//! `all_of(T)` is injected into a field `Vec<Arc<T>>`.

use std::sync::Arc;
use weft::component;

pub trait Plugin: Send + Sync {}

#[component(name = "host", requires = [all_of(dyn Plugin)])]
pub struct Host {
    plugin: Arc<dyn Plugin>,
}

fn main() {}
