//! `provides = []` provides nothing: it is refused rather than ignored.

use weft::component;

#[component(name = "nothing", provides = [])]
#[derive(Default)]
pub struct Nothing;

fn main() {}
