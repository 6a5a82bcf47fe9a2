//! A decorator receives the service it wraps without listing it in `requires`.

use std::sync::Arc;
use weft::component;

pub trait Store: Send + Sync {}

#[component(name = "cache", provides = wraps(dyn Store), requires = [dyn Store])]
pub struct Cache {
    inner: Arc<dyn Store>,
}

impl Store for Cache {}

fn main() {}
