//! `weft::platform!` with a component crate and `crate = path`: `builder()` and `boot()` exist and
//! the listed crate's components are registered.

mod framework {
    pub use weft;
}

weft::platform!(crate = crate::framework::weft, hello_greeter,);

#[tokio::main]
async fn main() {
    let builder: weft::Builder = platform::builder();
    let graph = builder.resolve().expect("the graph is sound");
    drop(graph);
    let platform = platform::boot().await.expect("boots");
    assert_eq!(platform.state("greeter"), Some(weft::State::Started));
    platform.stop().await.expect("stops");
}
