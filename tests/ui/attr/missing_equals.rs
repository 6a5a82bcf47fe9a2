//! `key value` without `=`.

use weft::component;

#[component(name "channels")]
pub struct Channels;

fn main() {}
