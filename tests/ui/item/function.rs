//! Functions are not components.

use weft::component;

#[component(name = "channels")]
pub fn channels() {}

fn main() {}
