//! A component may provide itself: `provides` names the struct's own type, or `Self`.

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

#[component(name = "itself", provides = Self)]
pub struct Itself;

fn main() {
    let itself = weft::__private::inventory::iter::<weft::Registration>
        .into_iter()
        .find(|r| r.name == "itself")
        .and_then(|r| r.provides);
    assert_eq!(itself, Some(weft::ServiceKey::of::<Itself>("")));
    assert_eq!(itself.map(|key| key.name()), Some("Itself"));
    let server = Server { config: Arc::new(Config { port: 8080 }) };
    assert_eq!(server.config.port, 8080);
}
