//! `key =` without a value.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = , provides = dyn Database)]
pub struct Channels;

fn main() {}
