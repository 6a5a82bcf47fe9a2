//! `provides = [A, B]` provides both services: the struct must implement each one.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", provides = [dyn Database, dyn Cache])]
#[derive(Default)]
pub struct Channels;

impl Database for Channels {}

fn main() {}
