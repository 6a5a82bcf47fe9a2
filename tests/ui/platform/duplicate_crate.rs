//! A crate listed twice is at fault the second time.

weft::platform!(hello_greeter, hello_greeter);

fn main() {}
