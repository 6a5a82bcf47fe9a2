//! `provides = dyn Database + Send + Sync` is refused: consumers of `dyn Database` would not find it.
use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "sqlite", provides = dyn Database + Send + Sync)]
pub struct Sqlite;

impl Database for Sqlite {}

fn main() {}
