//! The component runtime of [weft](https://docs.rs/weft): the registry, the graph check and the
//! parallel lifecycle. Applications depend on `weft`, which re-exports this crate with the
//! `#[component]` and `platform!` macros; the tutorial is in `weft`'s docs.
//!
//! The modules form layers that point one way, each importing only from those listed before it:
//! `human` (text for people), `lifecycle` (hooks, states, phases), `states` (the state table),
//! `component` and `registry` (what the macro generates), `graph` (checking and resolving, with
//! its problems), `platform` (booting, running and stopping, with its errors and reports),
//! `export` (the graph as DOT, Mermaid or JSON, with a platform's live states), `builder`
//! (composing and validating a platform), and `introspect` (command-line flags over both).

#![forbid(unsafe_code)]

mod builder;
mod component;
pub mod config;
mod export;
mod graph;
mod human;
mod inject;
pub mod introspect;
mod lifecycle;
mod platform;
mod registry;
mod states;
pub mod testing;

pub use builder::{Builder, DEFAULT_ROLLBACK_TIMEOUT, DEFAULT_TIMEOUT};
pub use component::{InjectError, Role, ServiceKey};
pub use export::{GraphFormat, UnknownFormat};
pub use graph::{Declaration, Graph, GraphError, Location, Problem};
pub use lifecycle::{Lifecycle, Phase, State};
pub use platform::{
    BootError, BootFailure, BootReport, ComponentTimings, CriticalStep, Health, HookCause,
    HookError, Platform, ShutdownError, StopError, StopReport, Supervisor, SupervisorError,
    TaskError, Unhealthy,
};
pub use registry::{Declared, Registration};
pub use states::States;
/// The cancellation token of [`Supervisor::stop_token`] and [`Supervisor::shutdown_token`],
/// re-exported from `tokio-util`.
pub use tokio_util::sync::CancellationToken;

pub mod prelude;

#[doc(hidden)]
pub mod __private;
