//! Crates are named by identifier, not by string.

weft::platform!("hello_greeter");

fn main() {}
