//! `self` is not a component crate: the current crate's components are always included.

weft::platform!(self);

fn main() {}
