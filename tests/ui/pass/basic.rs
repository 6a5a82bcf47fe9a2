//! The declaration from the design document: a provider without hooks and a consumer with them.

use std::sync::Arc;

use weft::prelude::*;

pub trait Database: Send + Sync {
    fn ping(&self) -> bool;
}

pub trait ChannelService: Send + Sync {
    fn count(&self) -> usize;
}

#[component(name = "database", provides = dyn Database)]
#[derive(Default)]
pub struct Sqlite;

impl Database for Sqlite {
    fn ping(&self) -> bool {
        true
    }
}

#[component(name = "channels", provides = dyn ChannelService, requires = [dyn Database])]
pub struct Channels {
    db: Arc<dyn Database>,
    cache: Vec<String>,
}

impl ChannelService for Channels {
    fn count(&self) -> usize {
        self.cache.len()
    }
}

impl Lifecycle for Channels {
    async fn init(&mut self) -> anyhow::Result<()> {
        if self.db.ping() {
            self.cache.push("general".to_owned());
        }
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

fn main() {
    let names: Vec<&str> =
        weft::__private::inventory::iter::<weft::Registration>.into_iter().map(|r| r.name).collect();
    assert!(names.contains(&"database") && names.contains(&"channels"), "{names:?}");
}
