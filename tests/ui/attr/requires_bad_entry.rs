//! A `requires` entry that is not a type.

use std::sync::Arc;

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", requires = [dyn Database, 3])]
pub struct Channels {
    db: Arc<dyn Database>,
}

fn main() {}
