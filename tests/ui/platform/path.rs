//! A path where a crate is expected.
weft::platform!(hello_greeter::Greeter);

fn main() {}
