//! The same through two spellings of one type: the compiler compares them.
use std::sync::Arc;
use weft::component;

pub mod api {
    pub trait Database: Send + Sync {}
}
use api::Database;

#[component(name = "sqlite", provides = dyn crate::api::Database, requires = [dyn Database])]
pub struct Sqlite {
    db: Arc<dyn Database>,
}

impl Database for Sqlite {}

fn main() {}
