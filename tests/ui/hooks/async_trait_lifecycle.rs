//! `Lifecycle` takes plain `async fn`s: `#[weft::async_trait]` on its impl is refused, once.
use weft::prelude::*;

#[component(name = "server")]
pub struct Server;

#[weft::async_trait]
impl Lifecycle for Server {
    async fn init(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

fn main() {}
