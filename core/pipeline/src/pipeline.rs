//! [`Pipeline`]: an endpoint wrapped in components, ready to run.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use super::chain::{Chain, DynChain, Layer, Next, Terminal};
use super::component::{Component, Endpoint};
use super::dyn_run::BoxFuture;
use super::fn_layer::FnLayer;

/// A pipeline over context `C` with result `O`: an endpoint wrapped in components.
///
/// `T` is the nested type of the chain, e.g. `Layer<Log, Layer<Auth, Terminal<E>>>`; you rarely
/// write it. See the [crate docs](crate) for a tour.
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
    /// `next` is the rest of this pipeline with its own type ([`FnLayer`]): leave its type out and
    /// the compiler fills it in. The closure's boxed future is its one allocation per call. To
    /// write a closure once and add it to several pipelines, make it a
    /// [`component_fn`](super::component_fn) (its `next` is a [`DynNext`](super::DynNext)) and add
    /// it with [`with`](Pipeline::with).
    ///
    /// ```
    /// use weft::pipeline::{Pipeline, endpoint_fn};
    ///
    /// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
    ///     let n = *n;
    ///     Box::pin(async move { n })
    /// }))
    /// .with_fn(|n: &mut u32, next| {
    ///     Box::pin(async move {
    ///         *n *= 10; // before
    ///         next.run(n).await + 1 // after
    ///     })
    /// });
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert_eq!(pipeline.run(&mut 4).await, 41);
    /// # });
    /// ```
    pub fn with_fn<F>(self, f: F) -> Pipeline<C, O, FnLayer<F, T>>
    where
        F: for<'a> Fn(&'a mut C, Next<'a, T>) -> BoxFuture<'a, O> + Send + Sync,
        O: 'static,
    {
        Pipeline { chain: FnLayer::new(f, self.chain), _types: PhantomData }
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
