//! A component that requires services is built field by field, so its own `Default` would never
//! run: refused rather than ignored.
use std::sync::Arc;
use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "server", requires = [dyn Database])]
pub struct Server {
    db: Arc<dyn Database>,
    port: u16,
}

struct Nothing;
impl Database for Nothing {}

impl Default for Server {
    fn default() -> Self {
        Server { db: Arc::new(Nothing), port: 8080 }
    }
}

fn main() {}
