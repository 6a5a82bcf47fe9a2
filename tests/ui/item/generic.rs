//! Generic structs are refused at the `<T>`.

use weft::component;

#[component(name = "channels")]
pub struct Channels<T> {
    value: T,
}

fn main() {}
