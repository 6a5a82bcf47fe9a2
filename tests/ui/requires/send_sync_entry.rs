//! `requires = [dyn Database + Send + Sync]` names another type than the provider's
//! `dyn Database`: refused with the fix that works.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "channels", requires = [dyn Database + Send + Sync])]
pub struct Channels {
    db: Arc<dyn Database + Send + Sync>,
}

fn main() {}
