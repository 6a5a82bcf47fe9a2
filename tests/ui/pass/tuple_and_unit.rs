//! Tuple structs get their services by position; unit structs need no fields at all.

use std::sync::Arc;

use weft::component;

pub trait Clock: Send + Sync {
    fn now(&self) -> u64;
}

#[component(name = "clock", provides = dyn Clock)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        42
    }
}

#[component(name = "ticker", requires = [dyn Clock])]
pub struct Ticker(u32, Arc<dyn Clock>, Vec<u64>);

#[component(name = "idle")]
pub struct Idle;

fn main() {
    let ticker = Ticker(0, Arc::new(SystemClock), Vec::new());
    assert_eq!(ticker.0 + ticker.1.now() as u32 + ticker.2.len() as u32, 42);
    let names: Vec<&str> =
        weft::__private::inventory::iter::<weft::Registration>.into_iter().map(|r| r.name).collect();
    for name in ["clock", "ticker", "idle"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
}

/// A field that exists only in some builds is initialized only in those builds.
#[component(name = "conditional")]
pub struct Conditional {
    #[cfg(any())]
    never: std::rc::Rc<u8>,
    #[cfg(not(any()))]
    always: u8,
}
