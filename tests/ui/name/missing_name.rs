//! `name` is required.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(provides = dyn Database)]
pub struct Channels;

impl Database for Channels {}

fn main() {}
