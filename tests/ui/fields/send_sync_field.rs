//! `Arc<dyn Database + Send + Sync>` is another type than `Arc<dyn Database>`: refused, with the
//! fix that works (bounds on the trait), not one that compiles and fails at boot.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "channels", requires = [dyn Database])]
pub struct Channels {
    db: Arc<dyn Database + Send + Sync>,
}

fn main() {}
