//! A number is not a name.

use weft::component;

#[component(name = 3)]
pub struct Channels;

fn main() {}
