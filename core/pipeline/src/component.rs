//! What users implement: [`Component`] (middleware) and [`Endpoint`] (the innermost handler),
//! and their closure forms.

use std::future::Future;
use std::sync::Arc;

use super::chain::{Chain, DynNext, Next};
use super::dyn_run::BoxFuture;

/// A pipeline component: a before phase, a call to `next`, an after phase.
///
/// Implement it with an `async fn`. Code before `next.run(ctx).await` is the before phase; code
/// after it is the after phase and sees the result of everything inside. Returning without
/// calling `next` ends the pipeline there, and what you return stands.
///
/// Components are statically dispatched: adding one costs no allocation per call.
///
/// A component generic over the result type writes `impl<C: Send, O: Send + 'static>
/// Component<C, O>`: its future holds `O`, and must live as long as the borrows it is given.
///
/// ```
/// use weft::pipeline::{Chain, Component, Next, Pipeline, endpoint_fn};
///
/// struct Trace;
/// impl Component<Vec<&'static str>, ()> for Trace {
///     async fn call<N: Chain<Vec<&'static str>, ()>>(
///         &self,
///         ctx: &mut Vec<&'static str>,
///         next: Next<'_, N>,
///     ) {
///         ctx.push("before");
///         next.run(ctx).await;
///         ctx.push("after");
///     }
/// }
///
/// let pipeline = Pipeline::new(endpoint_fn(|log: &mut Vec<&'static str>| {
///     log.push("endpoint");
///     Box::pin(async {})
/// }))
/// .with(Trace);
/// let mut log = Vec::new();
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// pipeline.run(&mut log).await;
/// # });
/// assert_eq!(log, ["before", "endpoint", "after"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a pipeline component for context `{C}` and result `{O}`",
    label = "implement `weft::pipeline::Component<{C}, {O}>` for this type, or add a closure with `with_fn`"
)]
pub trait Component<C, O>: Send + Sync {
    /// Whether [`call`](Self::call) already returns a boxed future (closures do).
    #[doc(hidden)]
    const BOXED: bool = false;

    /// Runs this component: the before phase, `next.run(ctx).await`, the after phase.
    fn call<'a, N: Chain<C, O>>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, N>,
    ) -> impl Future<Output = O> + Send + 'a;

    /// Runs this component behind one box. Closure components, whose future is already boxed,
    /// override it so that they are not boxed twice.
    fn call_boxed<'a, N: Chain<C, O>>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, N>,
    ) -> BoxFuture<'a, O> {
        Box::pin(self.call(ctx, next))
    }
}

impl<C, O, X: Component<C, O> + ?Sized> Component<C, O> for Arc<X> {
    const BOXED: bool = X::BOXED;

    fn call<'a, N: Chain<C, O>>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, N>,
    ) -> impl Future<Output = O> + Send + 'a {
        (**self).call(ctx, next)
    }

    fn call_boxed<'a, N: Chain<C, O>>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, N>,
    ) -> BoxFuture<'a, O> {
        (**self).call_boxed(ctx, next)
    }
}

/// A component that only passes through: `next.run(ctx).await`.
///
/// ```
/// use weft::pipeline::{Pipeline, endpoint_fn, pass_through};
///
/// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n })
/// }))
/// .with(pass_through());
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(pipeline.run(&mut 5).await, 5);
/// # });
/// ```
pub fn pass_through() -> PassThrough {
    PassThrough
}

/// See [`pass_through`].
#[derive(Clone, Copy, Debug, Default)]
pub struct PassThrough;

impl<C: Send, O> Component<C, O> for PassThrough {
    fn call<'a, N: Chain<C, O>>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, N>,
    ) -> impl Future<Output = O> + Send + 'a {
        next.run(ctx)
    }
}

/// A component written as a closure that returns a boxed future.
///
/// Built by [`component_fn`], for a closure written apart from any pipeline and added with
/// [`Pipeline::with`](super::Pipeline::with) (or by weft's HTTP tiers, whose rest is not known
/// yet). The boxed future is the one allocation the closure costs per call; `next` is
/// type-erased ([`DynNext`]). A closure written at
/// [`Pipeline::with_fn`](super::Pipeline::with_fn) becomes a [`FnLayer`](super::FnLayer)
/// instead, whose `next` is not erased.
#[derive(Clone)]
pub struct FnComponent<F> {
    f: F,
}

impl<F> std::fmt::Debug for FnComponent<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnComponent")
    }
}

/// Makes a component of a closure `|ctx, next| Box::pin(async move { .. })`.
///
/// ```
/// use weft::pipeline::{Pipeline, component_fn, endpoint_fn};
///
/// let add_one = component_fn(|n: &mut u32, next: weft::pipeline::DynNext<'_, u32, u32>| {
///     Box::pin(async move { next.run(n).await + 1 })
/// });
/// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n })
/// }))
/// .with(add_one);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(pipeline.run(&mut 1).await, 2);
/// # });
/// ```
pub fn component_fn<C, O, F>(f: F) -> FnComponent<F>
where
    F: for<'a> Fn(&'a mut C, DynNext<'a, C, O>) -> BoxFuture<'a, O> + Send + Sync,
{
    FnComponent { f }
}

impl<C, O: 'static, F> Component<C, O> for FnComponent<F>
where
    F: for<'a> Fn(&'a mut C, DynNext<'a, C, O>) -> BoxFuture<'a, O> + Send + Sync,
{
    const BOXED: bool = true;

    fn call<'a, N: Chain<C, O>>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, N>,
    ) -> impl Future<Output = O> + Send + 'a {
        (self.f)(ctx, next.into_dyn())
    }

    fn call_boxed<'a, N: Chain<C, O>>(
        &'a self,
        ctx: &'a mut C,
        next: Next<'a, N>,
    ) -> BoxFuture<'a, O> {
        (self.f)(ctx, next.into_dyn())
    }
}

/// The innermost handler of a pipeline: it does the work the components wrap.
///
/// ```
/// use weft::pipeline::{Endpoint, Pipeline};
///
/// struct Echo;
/// impl Endpoint<String, usize> for Echo {
///     async fn call(&self, ctx: &mut String) -> usize {
///         ctx.len()
///     }
/// }
/// let pipeline = Pipeline::new(Echo);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(pipeline.run(&mut "four".to_string()).await, 4);
/// # });
/// ```
pub trait Endpoint<C, O>: Send + Sync {
    /// Whether [`call`](Self::call) already returns a boxed future (closures do).
    #[doc(hidden)]
    const BOXED: bool = false;

    /// Handles `ctx`.
    fn call<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a;

    /// Handles `ctx` behind one box; closure endpoints override it so they are not boxed twice.
    fn call_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        Box::pin(self.call(ctx))
    }
}

/// An endpoint written as a closure `|ctx| Box::pin(async move { .. })`; see [`endpoint_fn`].
#[derive(Clone)]
pub struct FnEndpoint<F> {
    f: F,
}

impl<F> std::fmt::Debug for FnEndpoint<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnEndpoint")
    }
}

/// Makes an endpoint of a closure that returns a boxed future (one allocation per call).
///
/// ```
/// use weft::pipeline::{Pipeline, endpoint_fn};
///
/// let pipeline = Pipeline::new(endpoint_fn(|name: &mut String| {
///     let greeting = format!("hello {name}");
///     Box::pin(async move { greeting })
/// }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(pipeline.run(&mut "weft".to_string()).await, "hello weft");
/// # });
/// ```
pub fn endpoint_fn<C, O, F>(f: F) -> FnEndpoint<F>
where
    F: for<'a> Fn(&'a mut C) -> BoxFuture<'a, O> + Send + Sync,
{
    FnEndpoint { f }
}

impl<C, O: 'static, F> Endpoint<C, O> for FnEndpoint<F>
where
    F: for<'a> Fn(&'a mut C) -> BoxFuture<'a, O> + Send + Sync,
{
    const BOXED: bool = true;

    fn call<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a {
        (self.f)(ctx)
    }

    fn call_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        (self.f)(ctx)
    }
}
