//! Methods named like hooks are fine on a component that implements `Lifecycle` (its hooks may
//! call them), and `#[weft::async_trait]` still serves service traits.
use weft::prelude::*;

#[weft::async_trait]
pub trait Ping: Send + Sync {
    async fn ping(&self) -> u8;
}

#[component(name = "server", provides = dyn Ping)]
pub struct Server;

impl Server {
    pub async fn start(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

#[weft::async_trait]
impl Ping for Server {
    async fn ping(&self) -> u8 {
        1
    }
}

impl Lifecycle for Server {
    async fn start(&self) -> anyhow::Result<()> {
        Server::start(self).await
    }
}

fn main() {}
