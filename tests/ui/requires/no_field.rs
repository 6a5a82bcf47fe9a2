//! `dyn Cache` has no field to be injected into.

use std::sync::Arc;

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", requires = [dyn Database, dyn Cache])]
pub struct Channels {
    db: Arc<dyn Database>,
    count: usize,
}

fn main() {}
