//! weft builds Rust applications out of components.
//!
//! (The crate-level tutorial is written as the runtime lands.)

pub use async_trait::async_trait;
pub use weft_macros::{component, platform};

mod builder;
mod component;
mod error;
mod graph;
mod lifecycle;
mod platform;
mod registry;
mod report;

pub use builder::{Builder, DEFAULT_ROLLBACK_TIMEOUT, DEFAULT_TIMEOUT};
pub use component::{InjectError, ServiceKey};
pub use error::{
    BootError, BootFailure, GraphError, HookCause, HookError, Location, Problem, ShutdownError,
    StopError, StopReport,
};
pub use graph::Graph;
pub use lifecycle::{Lifecycle, Phase, State};
pub use platform::{Platform, States};
pub use registry::Registration;
pub use report::{BootReport, ComponentTimings, CriticalStep};

pub mod prelude;

#[cfg(feature = "http")]
pub mod http;
pub mod pipeline;

#[doc(hidden)]
pub mod __private;
