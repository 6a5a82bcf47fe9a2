//! A second field storing the same service through an alias: the compiler counts both.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

pub type DbRef = Arc<dyn Database>;

#[component(name = "channels", requires = [dyn Database])]
pub struct Channels {
    db: Arc<dyn Database>,
    again: DbRef,
}

fn main() {}
