//! Components are shared across threads.

use weft::component;

#[component(name = "channels")]
pub struct Channels {
    counter: std::rc::Rc<u32>,
}

fn main() {}
