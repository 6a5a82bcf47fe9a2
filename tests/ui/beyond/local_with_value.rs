//! `local` is a flag: it takes no value.

use weft::component;

#[component(name = "fake", local = true)]
#[derive(Default)]
pub struct Fake;

fn main() {}
