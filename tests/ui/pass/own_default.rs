//! A struct's own `Default` is honoured: `port` is 8080 when `init` runs, and a field without a
//! `Default` of its own (`Instant`) is fine, since the struct's `Default` builds it.
use std::time::Instant;

use weft::prelude::*;

#[component(name = "server", provides = Server)]
pub struct Server {
    port: u16,
    created: Instant,
    seen_in_init: u16,
}

impl Default for Server {
    fn default() -> Self {
        Server { port: 8080, created: Instant::now(), seen_in_init: 0 }
    }
}

impl Lifecycle for Server {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.seen_in_init = self.port;
        assert!(self.created.elapsed().as_secs() < 60);
        Ok(())
    }
}

platform!();

#[tokio::main]
async fn main() {
    let platform = platform::boot().await.expect("boots");
    assert_eq!(platform.get::<Server>().expect("server").seen_in_init, 8080);
    platform.stop().await.expect("stops");
}
