//! `platform!` through the prelude, with no crate listed: `hello_greeter`, a dependency that this
//! file never names, is linked by itself and its components boot.
use weft::prelude::*;

platform!();

#[tokio::main]
async fn main() {
    let platform = platform::boot().await.expect("boots");
    assert_eq!(platform.state("greeter"), Some(State::Started));
    assert_eq!(platform.state("welcome"), Some(State::Started));
    platform.stop().await.expect("stops");
}
