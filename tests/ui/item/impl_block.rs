//! The attribute goes on the struct, not its `impl`.

use weft::component;

pub struct Channels;

#[component(name = "channels")]
impl Channels {}

fn main() {}
