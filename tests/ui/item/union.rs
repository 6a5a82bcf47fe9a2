//! Unions are not components.

use weft::component;

#[component(name = "channels")]
pub union Channels {
    a: u32,
    b: f32,
}

fn main() {}
