//! The name must be quoted.

use weft::component;

#[component(name = channels)]
pub struct Channels;

fn main() {}
