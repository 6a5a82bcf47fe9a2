//! An `Option<Arc<T>>` field would stay `None`: optional dependencies are not supported yet.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "channels")]
pub struct Channels {
    db: Option<Arc<dyn Database>>,
}

fn main() {}
