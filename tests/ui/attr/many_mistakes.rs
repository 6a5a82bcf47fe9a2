//! Every mistake is reported in one build.

use std::sync::Arc;

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(nme = "channels", provides = 3, requires = dyn Database, provides = dyn Cache)]
pub struct Channels<T> {
    db: Arc<dyn Database>,
    value: T,
}

fn main() {}
