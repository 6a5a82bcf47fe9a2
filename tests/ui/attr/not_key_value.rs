//! A bare literal instead of `name = ...`.

use weft::component;

#[component("channels")]
pub struct Channels;

fn main() {}
