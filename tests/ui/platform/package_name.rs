//! A package name with `-` where Rust code needs the crate name with `_`.
weft::platform!(hello-greeter);

fn main() {}
