//! A tuple struct without the `Arc` field.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", requires = [dyn Database])]
pub struct Channels(usize);

fn main() {}
