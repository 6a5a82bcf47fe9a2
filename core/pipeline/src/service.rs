//! [`PipelineService`]: a pipeline as a tower `Service` (feature `tower`).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::chain::Chain;
use super::dyn_run::BoxFuture;
use super::pipeline::Pipeline;

/// A [`Pipeline`] as a [`tower_service::Service`]: each call runs the pipeline on the request
/// value (its context) and yields the pipeline's `Ok` or `Err`. Made by
/// [`Pipeline::into_service`]; cloning it is cheap (the pipeline is shared). Each call costs one
/// allocation (the boxed future tower needs, which owns the context).
///
/// ```
/// use tower::{ServiceBuilder, ServiceExt};
/// use weft::pipeline::{Pipeline, endpoint_fn};
///
/// let pipeline = Pipeline::new(endpoint_fn(|n: &mut u32| {
///     let n = *n;
///     Box::pin(async move { if n > 0 { Ok(n * 2) } else { Err("zero") } })
/// }));
/// let service = ServiceBuilder::new()
///     .concurrency_limit(4) // a real tower middleware around the pipeline
///     .service(pipeline.into_service());
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// assert_eq!(service.clone().oneshot(21).await, Ok(42));
/// assert_eq!(service.oneshot(0).await, Err("zero"));
/// # });
/// ```
pub struct PipelineService<C, O, T> {
    pipeline: Arc<Pipeline<C, O, T>>,
    _types: PhantomData<fn(C) -> O>,
}

impl<C, O, T> Clone for PipelineService<C, O, T> {
    fn clone(&self) -> Self {
        PipelineService { pipeline: Arc::clone(&self.pipeline), _types: PhantomData }
    }
}

impl<C, O, T> fmt::Debug for PipelineService<C, O, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PipelineService").field("pipeline", &self.pipeline).finish()
    }
}

impl<C, O, T: Chain<C, O>> Pipeline<C, O, T> {
    /// This pipeline as a tower `Service<C>` (feature `tower`).
    ///
    /// See [`PipelineService`] for an example.
    pub fn into_service(self) -> PipelineService<C, O, T> {
        PipelineService { pipeline: Arc::new(self), _types: PhantomData }
    }
}

impl<C, R, E, T> tower_service::Service<C> for PipelineService<C, Result<R, E>, T>
where
    T: Chain<C, Result<R, E>> + 'static,
    C: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
{
    type Response = R;
    type Error = E;
    type Future = BoxFuture<'static, Result<R, E>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut ctx: C) -> Self::Future {
        let pipeline = Arc::clone(&self.pipeline);
        Box::pin(async move { pipeline.run(&mut ctx).await })
    }
}
