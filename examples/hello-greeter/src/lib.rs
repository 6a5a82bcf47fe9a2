//! The component crate of the `hello` example.
//!
//! The `hello` binary never names this crate in its code: it lists it in
//! `weft::platform!(hello_greeter)`, which links the crate so that its components are registered.
//! Without that, the linker would leave the crate out and the platform would not know `greeter`.

use std::sync::Arc;

use weft::prelude::*;

/// Says hello.
pub trait Greeter: Send + Sync {
    /// A greeting for `name`.
    fn greet(&self, name: &str) -> String;
}

/// The `greeter` component: provides [`Greeter`].
#[component(name = "greeter", provides = dyn Greeter)]
#[derive(Default)]
pub struct EnglishGreeter {
    greeting: String,
}

impl Greeter for EnglishGreeter {
    fn greet(&self, name: &str) -> String {
        format!("{}, {name}!", self.greeting)
    }
}

impl Lifecycle for EnglishGreeter {
    async fn init(&mut self) -> anyhow::Result<()> {
        self.greeting = "Hello".to_owned();
        println!("init  greeter");
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        println!("start greeter");
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        println!("stop  greeter");
        Ok(())
    }
}

/// The `welcome` component: greets the world once the greeter has started.
#[component(name = "welcome", requires = [dyn Greeter])]
pub struct Welcome {
    greeter: Arc<dyn Greeter>,
}

impl Lifecycle for Welcome {
    async fn init(&mut self) -> anyhow::Result<()> {
        println!("init  welcome");
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        println!("start welcome: {}", self.greeter.greet("world"));
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        println!("stop  welcome");
        Ok(())
    }
}
