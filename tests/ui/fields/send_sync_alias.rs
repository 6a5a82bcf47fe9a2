//! The same, hidden behind an alias: the compiler finds that no field stores `dyn Database`.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

pub type DbRef = Arc<dyn Database + Send + Sync>;

#[component(name = "channels", requires = [dyn Database])]
pub struct Channels {
    db: DbRef,
}

fn main() {}
