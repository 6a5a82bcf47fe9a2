//! A component may provide itself: `provides` names the struct's own type.

use std::sync::Arc;

use weft::component;

#[component(name = "config", provides = Config)]
#[derive(Default)]
pub struct Config {
    pub port: u16,
}

#[component(name = "server", requires = [Config])]
pub struct Server {
    config: Arc<Config>,
}

fn main() {
    let server = Server { config: Arc::new(Config { port: 8080 }) };
    assert_eq!(server.config.port, 8080);
}
