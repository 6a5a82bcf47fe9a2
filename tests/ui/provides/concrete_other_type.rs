//! A concrete `provides` must be the component itself.

use weft::component;

#[component(name = "channels", provides = Registry)]
pub struct Channels;

pub struct Registry;

fn main() {}
