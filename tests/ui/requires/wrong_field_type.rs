//! The entry and the field disagree: both are reported.

use std::sync::Arc;

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", requires = [dyn Database])]
pub struct Channels {
    db: Arc<dyn Cache>,
}

fn main() {}
