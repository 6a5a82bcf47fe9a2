//! One service listed twice under two spellings.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "channels", requires = [dyn Database, dyn crate::Database])]
pub struct Channels {
    db: Arc<dyn Database>,
}

fn main() {}
