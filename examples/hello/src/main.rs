//! The `hello` example (written below).

fn main() {}
