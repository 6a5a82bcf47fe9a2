//! A listed crate must be a dependency; the error points at its name.

weft::platform!(no_such_components);

fn main() {}
