//! Requiring the service one provides is a compile error, not a boot-time cycle.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "sqlite", provides = dyn Database, requires = [dyn Database])]
pub struct Sqlite {
    db: Arc<dyn Database>,
}

impl Database for Sqlite {}

fn main() {}
