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
//!   one allocation per call. It reaches the rest of the chain through a type-erased
//!   [`DynNext`]: a closure's box passes through as is, an endpoint's future up to 32 bytes is
//!   stored inline ([`DynRun`]), and only a larger typed remainder is boxed (one more
//!   allocation, at that boundary).
//! - **tower.** With the feature `tower` (on with weft's `http` feature), a pipeline is a tower
//!   `Service` ([`Pipeline::into_service`]); weft's HTTP crate runs tower layers as components.
//!
//! ```
//! use weft::pipeline::{Chain, Component, DynNext, Extensions, Next, Pipeline, endpoint_fn};
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
//! .with_fn(|ctx: &mut Ctx, next: DynNext<'_, Ctx, Result<u16, String>>| {
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
#[cfg(feature = "tower")]
mod service;

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

pub use chain::{BoxFuture, Chain, DynChain, DynNext, Layer, Next, Terminal};
pub use component::{
    Component, Endpoint, FnComponent, FnEndpoint, PassThrough, component_fn, endpoint_fn,
    pass_through,
};
pub use dyn_run::DynRun;
pub use extensions::Extensions;
#[cfg(feature = "tower")]
pub use service::PipelineService;

/// A pipeline over context `C` with result `O`: an endpoint wrapped in components.
///
/// `T` is the nested type of the chain, e.g. `Layer<Log, Layer<Auth, Terminal<E>>>`; you rarely
/// write it. See the [module docs](self) for a tour.
///
/// ```
/// use weft::pipeline::{Pipeline, endpoint_fn, pass_through};
///
/// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n + 1 })
/// }))
/// .with(pass_through());
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(pipeline.run(&mut 41).await, 42);
/// # });
/// ```
pub struct Pipeline<C, O, T> {
    chain: T,
    // `fn(&mut C) -> O` keeps the pipeline `Send + Sync` whatever `C` and `O` are.
    _types: PhantomData<fn(&mut C) -> O>,
}

impl<C, O, E: Endpoint<C, O>> Pipeline<C, O, Terminal<E>> {
    /// A pipeline with `endpoint` as its innermost handler and no component yet.
    ///
    /// See [`Pipeline`] for an example.
    pub fn new(endpoint: E) -> Self {
        Pipeline { chain: Terminal::new(endpoint), _types: PhantomData }
    }
}

impl<C, O, T: Chain<C, O>> Pipeline<C, O, T> {
    /// Adds a component; it runs before every component added so far.
    ///
    /// See [`Component`] for an example.
    pub fn with<X: Component<C, O>>(self, component: X) -> Pipeline<C, O, Layer<X, T>> {
        Pipeline { chain: Layer::new(component, self.chain), _types: PhantomData }
    }

    /// Adds a closure component `|ctx, next| Box::pin(async move { .. })`; it runs before every
    /// component added so far.
    ///
    /// ```
    /// use weft::pipeline::{DynNext, Pipeline, endpoint_fn};
    ///
    /// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
    ///     let n = *n;
    ///     Box::pin(async move { n })
    /// }))
    /// .with_fn(|n: &mut u32, next: DynNext<'_, u32, u32>| {
    ///     Box::pin(async move {
    ///         *n *= 10; // before
    ///         next.run(n).await + 1 // after
    ///     })
    /// });
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(pipeline.run(&mut 4).await, 41);
    /// # });
    /// ```
    pub fn with_fn<F>(self, f: F) -> Pipeline<C, O, Layer<FnComponent<F>, T>>
    where
        F: for<'a> Fn(&'a mut C, DynNext<'a, C, O>) -> BoxFuture<'a, O> + Send + Sync,
        O: 'static,
    {
        self.with(component_fn(f))
    }

    /// Runs the pipeline on `ctx`.
    ///
    /// See [`Pipeline`] for an example.
    pub fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a {
        self.chain.run(ctx)
    }

    /// Erases the chain's type, so the pipeline can be named, e.g. stored in a struct field.
    /// Costs one allocation per call.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft::pipeline::{DynChain, Pipeline, endpoint_fn, pass_through};
    ///
    /// let pipeline: Pipeline<u32, u32, Arc<dyn DynChain<u32, u32>>> = Pipeline::new(endpoint_fn(
    ///     |n: &mut u32| {
    ///         let n = *n;
    ///         Box::pin(async move { n })
    ///     },
    /// ))
    /// .with(pass_through())
    /// .boxed();
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(pipeline.run(&mut 3).await, 3);
    /// # });
    /// ```
    pub fn boxed(self) -> Pipeline<C, O, Arc<dyn DynChain<C, O>>>
    where
        T: 'static,
        C: Send,
        O: Send,
    {
        Pipeline { chain: Arc::new(self.chain), _types: PhantomData }
    }

    /// The nested chain of components.
    ///
    /// ```
    /// use weft::pipeline::{Pipeline, Terminal, endpoint_fn};
    ///
    /// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
    ///     let n = *n;
    ///     Box::pin(async move { n })
    /// }));
    /// let _: &Terminal<_> = pipeline.chain();
    /// ```
    pub fn chain(&self) -> &T {
        &self.chain
    }
}

impl<C, O, T: Clone> Clone for Pipeline<C, O, T> {
    fn clone(&self) -> Self {
        Pipeline { chain: self.chain.clone(), _types: PhantomData }
    }
}

impl<C, O, T> fmt::Debug for Pipeline<C, O, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pipeline").field("chain", &std::any::type_name::<T>()).finish()
    }
}
