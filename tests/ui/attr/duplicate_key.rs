//! The second `name` is at fault.

use weft::component;

#[component(name = "channels", name = "chans")]
pub struct Channels;

fn main() {}
