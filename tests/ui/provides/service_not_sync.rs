//! A provided service must be shareable across threads: its trait needs `Send + Sync`.

use weft::component;

pub trait Database {}

#[component(name = "sqlite", provides = dyn Database)]
pub struct Sqlite;

impl Database for Sqlite {}

fn main() {}
