//! A component that provides several services (`provides = [dyn A, dyn B]`) is built once and
//! shared behind each.

#![allow(missing_docs, reason = "test fixtures")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use weft::prelude::*;

pub trait Reader: Send + Sync {
    fn read(&self) -> usize;
}

pub trait Writer: Send + Sync {
    fn write(&self);
}

static BUILT: AtomicUsize = AtomicUsize::new(0);

#[component(name = "store", provides = [dyn Reader, dyn Writer], local)]
pub struct Store {
    value: AtomicUsize,
}

impl Default for Store {
    fn default() -> Self {
        BUILT.fetch_add(1, Ordering::SeqCst);
        Store { value: AtomicUsize::new(0) }
    }
}

impl Reader for Store {
    fn read(&self) -> usize {
        self.value.load(Ordering::SeqCst)
    }
}

impl Writer for Store {
    fn write(&self) {
        self.value.fetch_add(1, Ordering::SeqCst);
    }
}

#[component(name = "app", requires = [dyn Reader, dyn Writer], local)]
pub struct App {
    reader: Arc<dyn Reader>,
    writer: Arc<dyn Writer>,
}

impl Lifecycle for App {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.writer.write();
        anyhow::ensure!(self.reader.read() == 1, "the reader does not see the writer's write");
        Ok(())
    }
}

#[tokio::test]
async fn one_instance_behind_both_services() {
    let platform = weft::Builder::empty().with::<Store>().with::<App>().boot().await.unwrap();
    assert_eq!(BUILT.load(Ordering::SeqCst), 1);
    platform.get::<dyn Writer>().unwrap().write();
    assert_eq!(platform.get::<dyn Reader>().unwrap().read(), 2);
    assert_eq!(platform.graph().dependencies("app").unwrap(), ["store"]);
    let json = platform.graph().to_json();
    assert!(json.contains("\"service\": \"dyn Writer\""), "{json}");
    platform.stop().await.unwrap();
}
