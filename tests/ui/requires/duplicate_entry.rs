//! The second `dyn Database` is at fault, whatever its spacing.

use std::sync::Arc;

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", requires = [dyn Database, dyn Cache, dyn  Database])]
pub struct Channels {
    db: Arc<dyn Database>,
    cache: Arc<dyn Cache>,
}

fn main() {}
