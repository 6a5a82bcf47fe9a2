//! `impl Trait` is not a service type.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", provides = impl Database)]
pub struct Channels;

impl Database for Channels {}

fn main() {}
