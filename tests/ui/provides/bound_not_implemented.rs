//! Only the bound the struct lacks is reported, at that bound.

use std::marker::PhantomData;

use weft::component;

pub trait Database: Send + Sync {}

#[component(name = "channels", provides = dyn Database + std::panic::UnwindSafe)]
pub struct Channels {
    // `&mut` is not unwind-safe, so neither is `Channels`.
    marker: PhantomData<&'static mut u8>,
}

impl Database for Channels {}

fn main() {}
