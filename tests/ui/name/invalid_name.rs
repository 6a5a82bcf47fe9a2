//! Uppercase and spaces are not allowed; the message suggests a fix.

use weft::component;

#[component(name = "Channel Service")]
pub struct Channels;

fn main() {}
