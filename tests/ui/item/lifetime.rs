//! Borrowing structs are refused at the `<'a>`.

use weft::component;

#[component(name = "channels")]
pub struct Channels<'a> {
    value: &'a str,
}

fn main() {}
