//! A `where` clause is refused.

use weft::component;

#[component(name = "channels")]
pub struct Channels
where
    u8: Copy,
{
    value: u8,
}

fn main() {}
