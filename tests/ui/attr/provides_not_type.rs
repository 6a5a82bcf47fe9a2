//! `provides` must be a type.

use weft::component;

#[component(name = "channels", provides = 3)]
pub struct Channels;

fn main() {}
