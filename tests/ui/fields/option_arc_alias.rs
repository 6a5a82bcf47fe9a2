//! The same trap through a type alias: the compiler sees the `Option<Arc<T>>`.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

pub type MaybeDb = Option<Arc<dyn Database>>;

#[component(name = "channels")]
pub struct Channels {
    db: MaybeDb,
}

fn main() {}
