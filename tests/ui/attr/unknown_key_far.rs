//! An unknown key lists the keys.

use weft::component;

#[component(name = "channels", timeout = 5)]
pub struct Channels;

fn main() {}
