//! The generated code stays quiet under strict lints, in a crate that forbids `unsafe` code.

#![forbid(unsafe_code)]
#![deny(warnings, missing_docs, unreachable_pub, unused, nonstandard_style, rust_2018_idioms)]

use std::sync::Arc;

use weft::prelude::*;

/// A service.
pub trait Store: Send + Sync {}

/// Provides the service, without hooks.
#[component(name = "store", provides = dyn Store)]
pub struct MemoryStore;

impl Store for MemoryStore {}

/// Requires the service, with hooks.
#[component(name = "reader", requires = [dyn Store], provides = Self)]
pub struct Reader(Arc<dyn Store>);

impl Lifecycle for Reader {
    async fn start(&self) -> anyhow::Result<()> {
        let _store: &dyn Store = &*self.0;
        Ok(())
    }
}

mod private {
    use weft::component;

    #[component(name = "private")]
    pub(crate) struct Private;
}

weft::platform!();

fn main() {
    let _ = private::Private;
    let _ = platform::builder;
}
