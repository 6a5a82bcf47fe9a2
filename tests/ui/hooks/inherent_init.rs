//! `init` written as an inherent method, without `impl Lifecycle`, would never run.
use weft::component;

#[component(name = "server")]
#[derive(Default)]
pub struct Server {
    port: u16,
}

impl Server {
    pub async fn init(&mut self) -> anyhow::Result<()> {
        self.port = 8080;
        Ok(())
    }
}

fn main() {}
