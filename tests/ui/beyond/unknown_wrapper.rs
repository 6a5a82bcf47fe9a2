//! A misspelled wrapper in `requires` or `provides` is named, with the ones that exist.

use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "channels", provides = one(dyn Database), requires = [opt(dyn Database)])]
#[derive(Default)]
pub struct Channels;

fn main() {}
