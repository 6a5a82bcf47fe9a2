//! The component crate of the `hello` example (written below).
