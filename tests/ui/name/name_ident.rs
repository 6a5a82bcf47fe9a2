//! The name must be quoted.

use weft::component;

#[component(name = my_channels)]
pub struct Channels;

fn main() {}
