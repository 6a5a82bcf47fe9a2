//! A mistake in the attribute leaves the struct in place: code that uses it reports nothing more.

use weft::component;

#[component(name = "Channels")]
#[derive(Debug, Default)]
pub struct Channels {
    pub open: usize,
}

impl Channels {
    pub fn open(&self) -> usize {
        self.open
    }
}

fn main() {
    let channels = Channels::default();
    println!("{channels:?} {}", channels.open());
}
