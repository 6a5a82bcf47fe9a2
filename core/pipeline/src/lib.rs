//! A Twine-style pipeline, generic over its context type.
//!
//! A pipeline is an [`Endpoint`] wrapped in [`Component`]s. Each component runs a *before*
//! phase, awaits `next.run(ctx)`, then runs an *after* phase that sees the result.
//!
//! - **Order.** The component added last runs first, as in Twine.
//! - **Stopping.** A component that does not call `next` ends the pipeline; its result stands.
//! - **Errors.** With a `Result` output, an error travels outward through every after phase,
//!   each of which can observe it or recover from it.
//! - **Context.** The context `C` is any type you choose: give it typed fields for what every
//!   component knows about, and an [`Extensions`] field for values of your own.
//! - **Cost.** Components added as types are statically dispatched and nested in one value
//!   ([`Layer`]); they cost no allocation per call. A closure component returns a boxed future:
//!   one allocation per call. Added with [`Pipeline::with_fn`], its `next` has the rest's own
//!   type ([`FnLayer`]), so running the rest is a static call whose future lives in the closure's
//!   box. A closure written apart, to be added to several pipelines ([`component_fn`]), reaches
//!   the rest through a type-erased [`DynNext`]: a closure's box passes through as is, an
//!   endpoint's future up to 32 bytes is stored inline ([`DynRun`]), and only a larger typed
//!   remainder is boxed (one more allocation, at that boundary).
//! - **tower.** With the feature `tower` (on with weft's `http` feature), a pipeline is a tower
//!   `Service` (`Pipeline::into_service`); weft's HTTP crate runs tower layers as components.
//!
//! ```
//! use weft::pipeline::{Chain, Component, Extensions, Next, Pipeline, endpoint_fn};
//!
//! // A context with well-known fields plus a typed map.
//! #[derive(Default)]
//! struct Ctx {
//!     path: String,
//!     log: Vec<String>,
//!     extensions: Extensions,
//! }
//!
//! struct Tenant(&'static str);
//!
//! // A component as a type: no allocation per call.
//! struct Log(&'static str);
//! impl Component<Ctx, Result<u16, String>> for Log {
//!     async fn call<N: Chain<Ctx, Result<u16, String>>>(
//!         &self,
//!         ctx: &mut Ctx,
//!         next: Next<'_, N>,
//!     ) -> Result<u16, String> {
//!         ctx.log.push(format!("{} before", self.0));
//!         let result = next.run(ctx).await;
//!         ctx.log.push(format!("{} after", self.0));
//!         result
//!     }
//! }
//!
//! let pipeline = Pipeline::new(endpoint_fn(|ctx: &mut Ctx| {
//!     ctx.log.push("endpoint".into());
//!     let found = ctx.path == "/todos/1";
//!     Box::pin(async move { if found { Ok(200) } else { Err("not found".to_string()) } })
//! }))
//! .with(Log("inner"))
//! // A closure component: it recovers from the error in its after phase.
//! .with_fn(|ctx: &mut Ctx, next| {
//!     Box::pin(async move {
//!         ctx.extensions.insert(Tenant("acme"));
//!         next.run(ctx).await.or(Ok(404))
//!     })
//! })
//! .with(Log("outer"));
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let mut ctx = Ctx { path: "/todos/2".into(), ..Ctx::default() };
//! assert_eq!(pipeline.run(&mut ctx).await, Ok(404));
//! assert_eq!(ctx.log, ["outer before", "inner before", "endpoint", "inner after", "outer after"]);
//! assert_eq!(ctx.extensions.get::<Tenant>().map(|t| t.0), Some("acme"));
//! # });
//! ```

#![forbid(unsafe_code)]

mod chain;
mod component;
mod dyn_run;
mod extensions;
mod fn_layer;
mod pipeline;
#[cfg(feature = "tower")]
mod service;

pub use chain::{Chain, DynChain, DynNext, Layer, Next, Terminal};
pub use component::{
    Component, Endpoint, FnComponent, FnEndpoint, PassThrough, component_fn, endpoint_fn,
    pass_through,
};
pub use dyn_run::{BoxFuture, DynRun};
pub use extensions::Extensions;
pub use fn_layer::FnLayer;
pub use pipeline::Pipeline;
#[cfg(feature = "tower")]
pub use service::PipelineService;
