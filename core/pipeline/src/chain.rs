//! The static "onion": [`Chain`], [`Layer`], [`Next`] and their type-erased forms.
//!
//! A pipeline is a value of a nested type such as `Layer<A, Layer<B, Terminal<E>>>`. Running it
//! calls `A`, whose `next` points at `Layer<B, ..>`, and so on down to the endpoint. Every call is
//! statically dispatched and every future lives inside its caller's future, so a component added as
//! a type costs no allocation per call.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::component::{Component, Endpoint};
use super::dyn_run::{BoxFuture, DynRun};

/// A runnable rest-of-pipeline: everything a component reaches through [`Next`].
///
/// weft implements it for [`Layer`], [`Terminal`], [`Arc`], references and
/// `dyn DynChain`; you implement [`Component`] or [`Endpoint`] instead.
///
/// ```
/// use weft::pipeline::{Chain, Pipeline};
///
/// async fn run_any<T: Chain<u32, u32>>(chain: &T) -> u32 {
///     let mut ctx = 20;
///     chain.run(&mut ctx).await
/// }
/// let pipeline = Pipeline::new(weft::pipeline::endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n + 1 })
/// }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(run_any(pipeline.chain()).await, 21);
/// # });
/// ```
pub trait Chain<C, O>: Send + Sync {
    /// Whether [`run`](Self::run) already returns a boxed future (a closure's), so that erasing
    /// it needs no storage of its own.
    #[doc(hidden)]
    const BOXED: bool = false;

    /// Runs this chain on `ctx`.
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a;

    /// Runs this chain on `ctx` behind one box; chains that already produce a box (closure
    /// components) override it so that it is not boxed twice.
    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        Box::pin(self.run(ctx))
    }
}

/// The object-safe form of [`Chain`], reached by closure components through [`DynNext`].
///
/// Every [`Chain`] implements it.
///
/// ```
/// use weft::pipeline::{DynChain, Pipeline, endpoint_fn};
///
/// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n * 2 })
/// }));
/// let erased: &dyn DynChain<u32, u32> = pipeline.chain();
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(erased.run_dyn(&mut 4).await, 8);
/// # });
/// ```
pub trait DynChain<C, O>: Send + Sync {
    /// Runs this chain on `ctx` behind one box.
    fn run_dyn<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O>;

    /// Starts this chain on `ctx`: what [`DynRun`] does on its first poll.
    ///
    /// A closure's boxed future is returned, for the caller to poll; a typed chain's future is
    /// stored in `run` (inline if it fits) and `None` returned.
    #[doc(hidden)]
    fn start<'a>(
        &'a self,
        ctx: &'a mut C,
        run: Pin<&mut DynRun<'a, C, O>>,
    ) -> Option<BoxFuture<'a, O>>;
}

impl<C, O, T: Chain<C, O>> DynChain<C, O> for T {
    fn run_dyn<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        self.run_boxed(ctx)
    }

    fn start<'a>(
        &'a self,
        ctx: &'a mut C,
        run: Pin<&mut DynRun<'a, C, O>>,
    ) -> Option<BoxFuture<'a, O>> {
        if T::BOXED {
            Some(self.run_boxed(ctx))
        } else {
            run.store_inline(self.run(ctx));
            None
        }
    }
}

impl<C: Send, O: Send> Chain<C, O> for dyn DynChain<C, O> + '_ {
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a {
        DynRun::new(self, ctx)
    }

    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        self.run_dyn(ctx)
    }
}

impl<C, O, T: Chain<C, O> + ?Sized> Chain<C, O> for &T {
    const BOXED: bool = T::BOXED;

    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a {
        (**self).run(ctx)
    }

    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        (**self).run_boxed(ctx)
    }
}

impl<C, O, T: Chain<C, O> + ?Sized> Chain<C, O> for Arc<T> {
    const BOXED: bool = T::BOXED;

    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a {
        (**self).run(ctx)
    }

    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        (**self).run_boxed(ctx)
    }
}

/// The rest of the pipeline, as seen by a component.
///
/// Call [`Next::run`] to go on; drop it to stop the pipeline. `Next` is `Copy`: a component may
/// run the rest of the pipeline again (e.g. to retry), each run after the previous one ended.
///
/// ```
/// use weft::pipeline::{Chain, Component, Next, Pipeline, endpoint_fn};
///
/// struct Double;
/// impl Component<u32, u32> for Double {
///     async fn call<N: Chain<u32, u32>>(&self, ctx: &mut u32, next: Next<'_, N>) -> u32 {
///         next.run(ctx).await * 2
///     }
/// }
/// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n + 1 })
/// }))
/// .with(Double);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(pipeline.run(&mut 1).await, 4);
/// # });
/// ```
pub struct Next<'a, N: ?Sized> {
    rest: &'a N,
}

// `Next` is a shared reference to the rest of the pipeline: copying it lets a component run the
// rest more than once (a retry component does).
impl<N: ?Sized> Clone for Next<'_, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<N: ?Sized> Copy for Next<'_, N> {}

/// [`Next`] with the rest of the pipeline type-erased: what closure components receive.
pub type DynNext<'a, C, O> = Next<'a, dyn DynChain<C, O> + 'a>;

impl<'a, N: ?Sized> Next<'a, N> {
    /// Wraps a reference to the rest of a pipeline.
    ///
    /// ```
    /// use weft::pipeline::{Next, Terminal, endpoint_fn};
    ///
    /// let end = Terminal::new(endpoint_fn(|n: &mut u32| {
    ///     let n = *n;
    ///     Box::pin(async move { n })
    /// }));
    /// let next = Next::new(&end);
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(next.run(&mut 7).await, 7);
    /// # });
    /// ```
    pub fn new(rest: &'a N) -> Self {
        Next { rest }
    }

    /// Runs the rest of the pipeline: the end of the before phase. What it returns is the
    /// result the after phase sees.
    ///
    /// See [`Next`] for an example.
    pub fn run<'c, C, O>(self, ctx: &'c mut C) -> impl Future<Output = O> + Send + 'c
    where
        N: Chain<C, O>,
        'a: 'c,
    {
        self.rest.run(ctx)
    }

    /// The same rest of the pipeline, type-erased.
    ///
    /// ```
    /// use weft::pipeline::{DynNext, Next, Terminal, endpoint_fn};
    ///
    /// let end = Terminal::new(endpoint_fn(|n: &mut u32| {
    ///     let n = *n;
    ///     Box::pin(async move { n })
    /// }));
    /// let next: DynNext<'_, u32, u32> = Next::new(&end).into_dyn();
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(next.run(&mut 3).await, 3);
    /// # });
    /// ```
    pub fn into_dyn<C, O>(self) -> DynNext<'a, C, O>
    where
        N: Chain<C, O> + Sized,
    {
        Next { rest: self.rest as &'a (dyn DynChain<C, O> + 'a) }
    }
}

/// One component wrapped around the rest of a pipeline.
///
/// ```
/// use weft::pipeline::{Layer, Pipeline, endpoint_fn, pass_through};
///
/// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n })
/// }))
/// .with(pass_through());
/// let _: &Layer<_, _> = pipeline.chain();
/// ```
#[derive(Clone, Debug)]
pub struct Layer<X, R> {
    component: X,
    rest: R,
}

impl<X, R> Layer<X, R> {
    /// Wraps `component` around `rest`: `component` runs first.
    ///
    /// ```
    /// use weft::pipeline::{Layer, Terminal, endpoint_fn, pass_through};
    ///
    /// let end = Terminal::new(endpoint_fn(|n: &mut u32| {
    ///     let n = *n;
    ///     Box::pin(async move { n })
    /// }));
    /// let _layer = Layer::new(pass_through(), end);
    /// ```
    pub fn new(component: X, rest: R) -> Self {
        Layer { component, rest }
    }
}

impl<C, O, X, R> Chain<C, O> for Layer<X, R>
where
    X: Component<C, O>,
    R: Chain<C, O>,
{
    const BOXED: bool = X::BOXED;

    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a {
        self.component.call(ctx, Next::new(&self.rest))
    }

    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        self.component.call_boxed(ctx, Next::new(&self.rest))
    }
}

/// The innermost end of a pipeline: an [`Endpoint`] as a [`Chain`].
///
/// ```
/// use weft::pipeline::{Chain, Terminal, endpoint_fn};
///
/// let end = Terminal::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n + 1 })
/// }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(end.run(&mut 1).await, 2);
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct Terminal<E> {
    endpoint: E,
}

impl<E> Terminal<E> {
    /// Makes `endpoint` the end of a pipeline.
    ///
    /// See [`Terminal`] for an example.
    pub fn new(endpoint: E) -> Self {
        Terminal { endpoint }
    }
}

impl<C, O, E: Endpoint<C, O>> Chain<C, O> for Terminal<E> {
    const BOXED: bool = E::BOXED;

    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a {
        self.endpoint.call(ctx)
    }

    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        self.endpoint.call_boxed(ctx)
    }
}
