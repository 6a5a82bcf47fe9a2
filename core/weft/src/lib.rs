//! weft builds Rust applications out of **components**.
//!
//! A component is a struct with a name. It may *provide* one service (a `dyn Trait` or a
//! concrete type) and *require* others. weft collects every component linked into the binary,
//! checks the whole graph, injects each component's requirements, and runs the lifecycle hooks
//! along the graph, in parallel: ready → initialized → started → stopped.
//!
//! # 1. Declare components
//!
//! `#[component]` registers a struct. Each required service goes into one field of type
//! `Arc<T>` (matched by type, however it is spelled); the other fields are built with
//! `Default`, or the whole struct with its own `Default` when it requires nothing. Hooks are
//! optional: implement [`Lifecycle`] (no `#[async_trait]` needed) to run code at `init`, `start`
//! and `stop`. A declaration that weft could not honour as written is a compile error: see
//! [`component`](macro@component).
//!
//! ```
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicBool, Ordering};
//! use weft::prelude::*;
//!
//! #[weft::async_trait]
//! pub trait Database: Send + Sync {
//!     async fn ping(&self) -> anyhow::Result<()>;
//! }
//!
//! #[component(name = "database", provides = dyn Database)]
//! #[derive(Default)]
//! pub struct Sqlite { open: AtomicBool }
//!
//! #[weft::async_trait]
//! impl Database for Sqlite {
//!     async fn ping(&self) -> anyhow::Result<()> {
//!         anyhow::ensure!(self.open.load(Ordering::SeqCst), "the database is closed");
//!         Ok(())
//!     }
//! }
//!
//! impl Lifecycle for Sqlite {
//!     async fn init(&mut self) -> anyhow::Result<()> {
//!         self.open.store(true, Ordering::SeqCst);
//!         Ok(())
//!     }
//!     async fn stop(&self) -> anyhow::Result<()> {
//!         self.open.store(false, Ordering::SeqCst);
//!         Ok(())
//!     }
//! }
//!
//! pub trait Channels: Send + Sync {
//!     fn list(&self) -> Vec<String>;
//! }
//!
//! #[component(name = "channels", provides = dyn Channels, requires = [dyn Database])]
//! pub struct ChannelService { db: Arc<dyn Database> }
//!
//! impl Channels for ChannelService {
//!     fn list(&self) -> Vec<String> { vec!["general".into()] }
//! }
//!
//! impl Lifecycle for ChannelService {
//!     // `database` is initialized before this runs.
//!     async fn init(&mut self) -> anyhow::Result<()> { self.db.ping().await }
//! }
//!
//! // `mod platform` with `builder()` and `boot()`; it links every dependency of this crate, so
//! // that the components of a crate that nothing here names are registered too.
//! weft::platform!();
//!
//! #[tokio::main]
//! async fn main() -> anyhow::Result<()> {
//!     let platform = platform::boot().await?;
//!     assert_eq!(platform.state("channels"), Some(State::Started));
//!     let channels = platform.get::<dyn Channels>().expect("`channels` provides it");
//!     assert_eq!(channels.list(), ["general"]);
//!     // A server would call `platform.run_until_shutdown().await?` here.
//!     platform.stop().await?;
//!     Ok(())
//! }
//! ```
//!
//! # 2. Compose a platform
//!
//! [`platform::builder()`](Builder) (or [`Builder::new`]) starts from every component in the
//! binary, then narrows or adjusts the set:
//!
//! - [`Builder::only`] boots the named components and everything they transitively require;
//!   [`Builder::only_from_env`] reads the names from a variable, e.g.
//!   `WEFT_COMPONENTS=channels,users`, the way Twake's service list composes its platform.
//! - [`Builder::replace`] serves a service from a value instead of its provider, for tests.
//! - [`Builder::default_timeout`], [`Builder::timeout_for`] and [`Builder::rollback_timeout`]
//!   set the time limits.
//!
//! # 3. What boot promises
//!
//! - **The whole graph is checked first.** A missing provider (naming the service, the
//!   component that requires it and its `file:line`), a duplicate name, a duplicate provider and
//!   every cycle (with its path `a → b → c → a`) are reported at once in a [`GraphError`]; a
//!   graph with any problem starts nothing. [`Builder::resolve`] runs this check alone.
//! - **Two waves, each parallel along the graph.** Every component is constructed and
//!   initialized as soon as its dependencies are initialized; only when every `init` has
//!   succeeded does any `start` begin, as soon as the component's dependencies have started.
//!   Independent components run concurrently; each hook runs at most once.
//! - **Supervised work and health.** Inside its hooks a component reaches its [`Supervisor`]
//!   (`Supervisor::current()`): tasks it spawns there are tracked, cancelled and awaited when it
//!   stops, and a task that fails after boot stops the platform in order.
//!   [`Platform::health`] gives readiness and liveness.
//! - **All or nothing.** An error, a panic or a timeout in any hook fails boot: the hooks still
//!   running are cancelled, and exactly the components that finished `init` are stopped,
//!   dependents first, under a time budget of their own. [`BootError::Hook`] names the
//!   component, the phase, the elapsed time and the cause chain, and reports the rollback.
//!
//! ```
//! use weft::{Builder, BootError, Problem};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! match Builder::empty().only(["chanels"]).boot().await {
//!     Err(BootError::Graph(error)) => {
//!         assert!(matches!(&error.problems[0], Problem::UnknownComponent { .. }));
//!         println!("{error}");
//!     }
//!     _ => unreachable!("`chanels` names no component"),
//! }
//! # }
//! ```
//!
//! # 4. Observe a running platform
//!
//! A [`Platform`] gives each component's [`State`] ([`Platform::state`], [`Platform::states`],
//! and [`Platform::watch`] for changes), the [`BootReport`] with hook durations and the critical
//! path, and the [`Graph`] as DOT or Mermaid text. Everything also goes to `tracing` spans named
//! `weft.boot` and `weft.hook` (with `component` and `phase` fields).
//!
//! # 5. Stop
//!
//! [`Platform::stop`] stops every component after all of its dependents, keeps going past
//! errors and reports them all; calling it again returns the same outcome.
//! [`Platform::run_until_shutdown`] stops on the first SIGINT or SIGTERM, and exits at once on
//! the second.
//!
//! # Without the macro
//!
//! `#[component]` submits a [`Registration`] to `inventory`. Tests can build platforms from
//! registrations of their own with [`Builder::empty`] and [`Builder::register`]; see
//! [`Builder::register`] for one written by hand.

#![forbid(unsafe_code)]

pub use weft_macros::{async_trait, component, platform};

/// What `#[weft::async_trait]` forwards to. Not public API.
#[doc(hidden)]
pub use async_trait::async_trait as __async_trait;
pub use weft_runtime::*;

/// The items most applications need: `use weft::prelude::*;`.
pub mod prelude {
    pub use weft_macros::{component, platform};
    pub use weft_runtime::prelude::*;
}

#[cfg(feature = "pipeline")]
#[doc(inline)]
pub use weft_pipeline as pipeline;

#[cfg(feature = "http")]
#[doc(inline)]
pub use weft_http as http;

/// The README's Rust examples, compiled as doctests so that they stay true.
#[cfg(all(doctest, feature = "http"))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
