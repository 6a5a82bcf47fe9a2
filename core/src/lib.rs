//! weft builds Rust applications out of components.
//!
//! (The crate-level tutorial is written as the runtime lands.)

pub use async_trait::async_trait;
pub use weft_macros::{component, platform};

mod component;
mod lifecycle;
mod registry;

pub use component::{InjectError, ServiceKey};
pub use lifecycle::{Lifecycle, Phase, State};
pub use registry::Registration;

pub mod prelude;

#[cfg(feature = "http")]
pub mod http;
pub mod pipeline;

#[doc(hidden)]
pub mod __private;
