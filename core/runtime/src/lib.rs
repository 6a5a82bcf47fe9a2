//! The component runtime of [weft](https://docs.rs/weft): the registry, the graph check and the
//! parallel lifecycle. Applications depend on `weft`, which re-exports this crate with the
//! `#[component]` and `platform!` macros; the tutorial is in `weft`'s docs.

#![forbid(unsafe_code)]

mod builder;
mod component;
mod error;
mod graph;
pub mod introspect;
mod lifecycle;
mod platform;
mod registry;
mod report;

pub use builder::{Builder, DEFAULT_ROLLBACK_TIMEOUT, DEFAULT_TIMEOUT};
pub use component::{InjectError, ServiceKey};
pub use error::{
    BootError, BootFailure, Declaration, GraphError, HookCause, HookError, Location, Problem,
    ShutdownError, StopError, StopReport,
};
pub use graph::{Graph, GraphFormat, UnknownFormat};
pub use lifecycle::{Lifecycle, Phase, State};
pub use platform::{Platform, States};
pub use registry::Registration;
pub use report::{BootReport, ComponentTimings, CriticalStep};

pub mod prelude;

#[doc(hidden)]
pub mod __private;
