//! A bare attribute still needs a name.

use weft::component;

#[component]
pub struct Channels;

fn main() {}
