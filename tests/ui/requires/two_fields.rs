//! One service, two fields.

use std::sync::Arc;

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", requires = [dyn Database])]
pub struct Channels {
    primary: Arc<dyn Database>,
    replica: std::sync::Arc<dyn Database>,
}

fn main() {}
