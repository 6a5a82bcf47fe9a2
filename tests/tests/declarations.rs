//! Declarations that used to compile and then do something else now do what they say: a
//! struct's own `Default` is the value its hooks see, a field is injected whatever the spelling
//! of its type, and `Platform::get` finds a service however its type is written.

use std::sync::Arc;
use std::sync::Arc as Shared;
use std::sync::atomic::{AtomicU16, Ordering};

use weft::prelude::*;

static PORT_SEEN_IN_INIT: AtomicU16 = AtomicU16::new(0);

/// Its own `Default` says 8080; weft used to build it field by field (port 0).
#[component(name = "server")]
pub struct Server {
    port: u16,
}

impl Default for Server {
    fn default() -> Self {
        Server { port: 8080 }
    }
}

impl Lifecycle for Server {
    async fn init(&mut self) -> anyhow::Result<()> {
        PORT_SEEN_IN_INIT.store(self.port, Ordering::SeqCst);
        Ok(())
    }
}

/// A service.
pub trait Database: Send + Sync {
    /// Where it is.
    fn url(&self) -> &'static str;
}

/// Provides `dyn Database`.
#[component(name = "database", provides = dyn Database)]
pub struct Sqlite;

impl Database for Sqlite {
    fn url(&self) -> &'static str {
        "sqlite://"
    }
}

type DbRef = Arc<dyn Database>;

/// Stores `dyn Database` through an alias and a renamed `Arc`, asked for with a path.
#[component(name = "consumer", provides = Consumer, requires = [dyn crate::Database])]
pub struct Consumer {
    by_alias: DbRef,
    count: u32,
}

/// The same, with `Arc` renamed.
#[component(name = "renamed", provides = Renamed, requires = [dyn Database + 'static])]
pub struct Renamed {
    db: Shared<dyn Database>,
}

#[tokio::test]
async fn a_structs_own_default_is_the_value_its_hooks_see() {
    let platform = weft::Builder::new().only(["server"]).boot().await.expect("boots");
    assert_eq!(PORT_SEEN_IN_INIT.load(Ordering::SeqCst), 8080);
    platform.stop().await.expect("stops");
}

#[tokio::test]
async fn fields_are_injected_whatever_the_spelling_of_their_type() {
    let platform = weft::Builder::new().only(["consumer", "renamed"]).boot().await.expect("boots");
    let consumer = platform.get::<Consumer>().expect("consumer provides itself");
    assert_eq!((consumer.by_alias.url(), consumer.count), ("sqlite://", 0));
    let renamed = platform.get::<Renamed>().expect("renamed provides itself");
    assert_eq!(renamed.db.url(), "sqlite://");
    // Both hold the one instance the provider shares.
    let provided = platform.get::<dyn crate::Database>().expect("database");
    assert!(std::ptr::addr_eq(Arc::as_ptr(&consumer.by_alias), Arc::as_ptr(&provided)));
    // `Platform::get` with the bounds spelled out finds the same instance.
    let spelled = platform.get::<dyn Database + Send + Sync>().expect("the same service");
    assert!(std::ptr::addr_eq(Arc::as_ptr(&spelled), Arc::as_ptr(&provided)));
    assert!(platform.get::<dyn Database + Sync>().is_some());
    platform.stop().await.expect("stops");
}
