//! An `Arc<dyn ..>` field that `requires` does not list.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels")]
pub struct Channels {
    db: ::std::sync::Arc<dyn Database>,
}

fn main() {}
