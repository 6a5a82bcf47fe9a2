//! A second `#[component]` is at fault, and does not expand again.

use weft::component;

#[component(name = "channels")]
#[weft::component(name = "channels-again")]
pub struct Channels;

fn main() {}
