//! The items most applications need: `use weft::prelude::*;`.

pub use crate::{Lifecycle, State, component};
