//! Enums are not components.

use weft::component;

#[component(name = "channels")]
pub enum Channels {
    Open,
    Closed,
}

fn main() {}
