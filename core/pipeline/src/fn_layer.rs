//! [`FnLayer`]: a closure component added with [`Pipeline::with_fn`](super::Pipeline::with_fn),
//! whose `next` has the concrete type of the rest of the pipeline.

use std::fmt;
use std::future::Future;

use super::chain::{Chain, Next};
use super::dyn_run::BoxFuture;

/// A closure component wrapped around the rest of a pipeline, `R`.
///
/// The closure is written where the rest is known (at [`Pipeline::with_fn`]), so its `next` is a
/// [`Next`] of the rest's own type: running it is a static call, and the rest's future lives
/// inside the closure's boxed future. The box is the one allocation per call; nothing else is
/// type-erased. A closure written apart from a pipeline, to be added to several, is a
/// [`component_fn`](super::component_fn) instead: its `next` is a [`DynNext`](super::DynNext).
///
/// [`Pipeline::with_fn`]: super::Pipeline::with_fn
///
/// ```
/// use weft::pipeline::{FnLayer, Pipeline, endpoint_fn};
///
/// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { n })
/// }))
/// .with_fn(|n: &mut u32, next| Box::pin(async move { next.run(n).await + 1 }));
/// let _: &FnLayer<_, _> = pipeline.chain();
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(pipeline.run(&mut 1).await, 2);
/// # });
/// ```
#[derive(Clone)]
pub struct FnLayer<F, R> {
    f: F,
    rest: R,
}

impl<F, R> FnLayer<F, R> {
    /// Wraps the closure `f` around `rest`: `f` runs first.
    pub(crate) fn new(f: F, rest: R) -> Self {
        FnLayer { f, rest }
    }
}

impl<F, R: fmt::Debug> fmt::Debug for FnLayer<F, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnLayer").field("rest", &self.rest).finish_non_exhaustive()
    }
}

impl<C, O: 'static, F, R> Chain<C, O> for FnLayer<F, R>
where
    F: for<'a> Fn(&'a mut C, Next<'a, R>) -> BoxFuture<'a, O> + Send + Sync,
    R: Chain<C, O>,
{
    const BOXED: bool = true;

    #[inline]
    fn run<'a>(&'a self, ctx: &'a mut C) -> impl Future<Output = O> + Send + 'a {
        self.run_boxed(ctx)
    }

    #[inline]
    fn run_boxed<'a>(&'a self, ctx: &'a mut C) -> BoxFuture<'a, O> {
        (self.f)(ctx, Next::new(&self.rest))
    }
}
