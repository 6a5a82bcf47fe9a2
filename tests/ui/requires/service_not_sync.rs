//! A required service must be shareable across threads: its trait needs `Send + Sync`.

use std::sync::Arc;

use weft::component;

pub trait Database {}

#[component(name = "channels", requires = [dyn Database])]
pub struct Channels {
    db: Arc<dyn Database>,
}

fn main() {}
