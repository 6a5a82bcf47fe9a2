//! An empty name.

use weft::component;

#[component(name = "")]
pub struct Channels;

fn main() {}
