//! The items most applications need: `use weft::prelude::*;`.

pub use crate::{BootError, Builder, Lifecycle, Platform, State, Supervisor};
