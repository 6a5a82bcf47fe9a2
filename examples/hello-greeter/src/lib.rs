//! The component crate of the `hello` example. Nothing in `hello` calls into this crate's
//! code: `weft::platform!(hello_greeter)` links it, and its component registers itself.

use std::sync::Arc;

use weft::prelude::*;

/// Says hello.
pub trait Greet: Send + Sync {
    /// A greeting for `who`.
    fn greet(&self, who: &str) -> String;
}

/// Where the greeting's words come from.
pub trait Phrasebook: Send + Sync {
    /// The word that opens a greeting.
    fn hello(&self) -> &str;
}

/// The English phrasebook.
#[component(name = "phrasebook", provides = dyn Phrasebook)]
#[derive(Default)]
pub struct English;

impl Phrasebook for English {
    fn hello(&self) -> &str {
        "hello"
    }
}

/// Greets with the words of the phrasebook.
#[component(name = "greeter", provides = dyn Greet, requires = [dyn Phrasebook])]
pub struct Greeter {
    phrasebook: Arc<dyn Phrasebook>,
}

impl Greet for Greeter {
    fn greet(&self, who: &str) -> String {
        format!("{}, {who}!", self.phrasebook.hello())
    }
}
