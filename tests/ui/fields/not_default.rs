//! A field that is neither injected nor `Default`.

use weft::component;

pub struct Pool;

#[component(name = "channels")]
pub struct Channels {
    pool: Pool,
}

fn main() {}
