//! `start` and `stop` as inherent methods: each is reported.
use weft::component;

#[component(name = "server")]
pub struct Server;

impl Server {
    pub async fn start(&self) -> anyhow::Result<()> {
        Ok(())
    }

    pub async fn stop(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

fn main() {}
