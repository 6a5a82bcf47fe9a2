//! Workspace-level integration tests of weft. The tests live in `tests/tests/`, the trybuild UI
//! suite in `tests/ui/`; this library is empty on purpose, so that no test binary links a
//! component crate it does not name.
