//! The struct does not implement the trait it provides.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", provides = dyn Database)]
pub struct Channels;

fn main() {}
