//! A typo in a key gets a suggestion.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", provide = dyn Database)]
pub struct Channels;

fn main() {}
