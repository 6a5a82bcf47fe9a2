//! `crate = path` finds weft through a re-export, for crates that wrap it.

mod framework {
    pub use weft;
    pub use weft::component;
}

pub trait Mailer: Send + Sync {}

#[framework::component(name = "mailer", provides = dyn Mailer, crate = crate::framework::weft)]
pub struct Smtp;

impl Mailer for Smtp {}

#[framework::component(name = "absolute", crate = ::weft)]
pub struct Absolute;

fn main() {}
