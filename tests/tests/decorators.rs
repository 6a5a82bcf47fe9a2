//! Decorators: a component declared `provides = wraps(T)` receives the `T` below it and serves
//! a wrapped one; consumers get the outermost. Decorators compose in component name order: the
//! first by name wraps the provider, each next one wraps the one before.

#![allow(missing_docs, reason = "test fixtures")]

use std::sync::Arc;

use weft::prelude::*;

pub trait Greeter: Send + Sync {
    fn greet(&self) -> String;
}

#[component(name = "greeter", provides = dyn Greeter, local)]
#[derive(Default)]
pub struct Plain;

impl Greeter for Plain {
    fn greet(&self) -> String {
        "hello".to_owned()
    }
}

#[component(name = "a-exclaim", provides = wraps(dyn Greeter), local)]
pub struct Exclaim {
    inner: Arc<dyn Greeter>,
}

impl Greeter for Exclaim {
    fn greet(&self) -> String {
        format!("{}!", self.inner.greet())
    }
}

#[component(name = "b-shout", provides = wraps(dyn Greeter), local)]
pub struct Shout {
    inner: Arc<dyn Greeter>,
}

impl Greeter for Shout {
    fn greet(&self) -> String {
        self.inner.greet().to_uppercase() + " (shouted)"
    }
}

pub trait Door: Send + Sync {
    fn open(&self) -> String;
}

#[component(name = "door", provides = dyn Door, requires = [dyn Greeter], local)]
pub struct FrontDoor {
    greeter: Arc<dyn Greeter>,
}

impl Door for FrontDoor {
    fn open(&self) -> String {
        self.greeter.greet()
    }
}

#[tokio::test]
async fn decorators_chain_in_name_order_and_consumers_get_the_outermost() {
    let builder = weft::Builder::empty()
        .with::<Shout>()
        .with::<FrontDoor>()
        .with::<Plain>()
        .with::<Exclaim>();
    let platform = builder.boot().await.unwrap();
    // "a-exclaim" wraps the provider, "b-shout" wraps "a-exclaim".
    assert_eq!(platform.get::<dyn Door>().unwrap().open(), "HELLO! (shouted)");
    assert_eq!(platform.get::<dyn Greeter>().unwrap().greet(), "HELLO! (shouted)");
    let graph = platform.graph();
    assert_eq!(graph.dependencies("door").unwrap(), ["b-shout"]);
    assert_eq!(graph.dependencies("b-shout").unwrap(), ["a-exclaim"]);
    assert_eq!(graph.dependencies("a-exclaim").unwrap(), ["greeter"]);
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn without_removes_one_link() {
    let builder = weft::Builder::empty()
        .with::<Shout>()
        .with::<FrontDoor>()
        .with::<Plain>()
        .with::<Exclaim>()
        .without(["a-exclaim"]);
    let platform = builder.boot().await.unwrap();
    assert_eq!(platform.get::<dyn Door>().unwrap().open(), "HELLO (shouted)");
    platform.stop().await.unwrap();
}

#[tokio::test]
async fn decorators_wrap_a_replacement() {
    struct Fake;
    impl Greeter for Fake {
        fn greet(&self) -> String {
            "fake".to_owned()
        }
    }
    let builder = weft::Builder::empty()
        .with::<FrontDoor>()
        .with::<Exclaim>()
        .replace::<dyn Greeter>(Arc::new(Fake));
    let platform = builder.boot().await.unwrap();
    assert_eq!(platform.get::<dyn Door>().unwrap().open(), "fake!");
    platform.stop().await.unwrap();
}

#[test]
fn a_decorator_without_a_provider_is_a_missing_provider() {
    let error = weft::Builder::empty().with::<Exclaim>().resolve().unwrap_err();
    assert!(
        matches!(
            &error.problems[..],
            [weft::Problem::MissingProvider { required_by: "a-exclaim", .. }]
        ),
        "{error}"
    );
}
