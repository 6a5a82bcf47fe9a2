//! `crate` takes a path.

use weft::component;

#[component(name = "channels", crate = "weft")]
pub struct Channels;

fn main() {}
