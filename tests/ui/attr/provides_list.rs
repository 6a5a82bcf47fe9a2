//! `provides` names one type, not a list.

use weft::component;

pub trait Database: Send + Sync {}
pub trait Cache: Send + Sync {}

#[component(name = "channels", provides = [dyn Database])]
pub struct Channels;

impl Database for Channels {}

fn main() {}
