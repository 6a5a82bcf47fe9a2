//! tower interop: a tower `Layer` as a component of the final-request stage
//! ([`TowerLayer`]), and a tower `Service` as the transport ([`TowerTransport`]). (A whole
//! pipeline is a tower `Service` through [`Pipeline::into_service`](weft_pipeline::Pipeline::into_service).)

use std::future::poll_fn;
use std::sync::Arc;

use bytes::Bytes;
use tower_layer::Layer;
use tower_service::Service;
use weft_pipeline::{BoxFuture, Chain, Component, DynNext, Endpoint, Next};

use super::context::{FinalRequest, HttpResult, RequestContext};
use super::error::{BoxError, Error, ErrorKind};
use super::response::Response;

/// What a tower service of the final-request stage answers: the response, in `http` form.
pub type HttpResponse = http::Response<Bytes>;

/// The rest of the pipeline below a [`TowerLayer`], as the tower `Service` its layer wraps.
///
/// Its `call` puts the request it is given back into the context as the final request and runs
/// the rest of the pipeline. It runs once per use of the component: a layer that calls its inner
/// service twice for one request (a tower retry) gets an error the second time; use
/// [`with_retry`](crate::RequestTemplate::with_retry) for retries.
pub struct NextService<'a> {
    ctx: Option<&'a mut RequestContext>,
    next: DynNext<'a, RequestContext, HttpResult>,
}

impl<'a> Service<FinalRequest> for NextService<'a> {
    type Response = HttpResponse;
    type Error = BoxError;
    type Future = BoxFuture<'a, Result<HttpResponse, BoxError>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: FinalRequest) -> Self::Future {
        let ctx = self.ctx.take();
        let next = self.next;
        Box::pin(async move {
            let Some(ctx) = ctx else {
                return Err(
                    "the rest of the pipeline below a tower layer runs once per attempt".into()
                );
            };
            ctx.final_request = Some(request);
            match next.run(ctx).await {
                Ok(response) => Ok(response.into_http()),
                Err(error) => Err(Box::new(error) as BoxError),
            }
        })
    }
}

/// A tower [`Layer`] as a component of the final-request stage (add it to the
/// [`ResourceService`](crate::ResourceService)): for each attempt, the layer wraps the rest of
/// the pipeline ([`NextService`]) and is called with the [final request](RequestContext::final_request).
///
/// The layer is applied on each call, so a layer whose state must be shared across requests has
/// to share it itself: tower's `GlobalConcurrencyLimitLayer` does, `ConcurrencyLimitLayer` does
/// not. An error from the layer (e.g. tower's `Elapsed`) is an [`ErrorKind::Component`] error
/// caused by it; weft's own errors from below pass through unchanged. One allocation per call.
///
/// ```
/// use std::time::Duration;
/// use weft::http::{ResourceService, TowerLayer};
///
/// let service = ResourceService::new("127.0.0.1")
///     .with_component(TowerLayer::new(tower::timeout::TimeoutLayer::new(Duration::from_secs(1))));
/// # let _ = service;
/// ```
#[derive(Clone, Debug)]
pub struct TowerLayer<L> {
    layer: L,
}

impl<L> TowerLayer<L> {
    /// Wraps `layer`.
    ///
    /// See [`TowerLayer`] for an example.
    pub fn new(layer: L) -> Self {
        TowerLayer { layer }
    }
}

impl<L> Component<RequestContext, HttpResult> for TowerLayer<L>
where
    L: for<'a> Layer<NextService<'a>> + Send + Sync,
    for<'a> <L as Layer<NextService<'a>>>::Service:
        Service<FinalRequest, Response = HttpResponse> + Send,
    for<'a> <<L as Layer<NextService<'a>>>::Service as Service<FinalRequest>>::Error:
        Into<BoxError>,
    for<'a> <<L as Layer<NextService<'a>>>::Service as Service<FinalRequest>>::Future: Send,
{
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        let names = Arc::clone(&ctx.names);
        let Some(request) = ctx.final_request.take() else {
            return Err(ctx.error(ErrorKind::Component).with_source(
                "a tower layer runs in the final-request stage: add it to the resource service",
            ));
        };
        let max_response_bytes = ctx.max_response_bytes;
        let mut service = self.layer.layer(NextService { ctx: Some(ctx), next: next.into_dyn() });
        let ready: Result<(), BoxError> =
            poll_fn(|cx| service.poll_ready(cx).map_err(Into::into)).await;
        let result: Result<HttpResponse, BoxError> = match ready {
            Ok(()) => service.call(request).await.map_err(Into::into),
            Err(error) => Err(error),
        };
        let error = |kind| Error::new(names.service.clone(), names.template.clone(), kind);
        match result {
            Ok(response) => Response::from_http(response, max_response_bytes)
                .ok_or_else(|| error(ErrorKind::BodyTooLarge { limit: max_response_bytes })),
            Err(source) => match source.downcast::<Error>() {
                Ok(weft) => Err(*weft),
                Err(other) => Err(error(ErrorKind::Component).with_source(other)),
            },
        }
    }
}

/// A tower [`Service`] as the transport of a [`ResourceService`](crate::ResourceService)
/// ([`with_transport`](crate::ResourceService::with_transport)): another HTTP client, or a
/// stack of tower middleware around one. It is called with the final request of each attempt;
/// its errors are [`ErrorKind::Transport`] errors (retried as transport faults).
///
/// ```
/// use std::convert::Infallible;
/// use weft::http::{FinalRequest, HttpResponse, ResourceService, TowerTransport};
///
/// // An in-memory service: it answers every request with its path.
/// let echo = tower::service_fn(|request: FinalRequest| async move {
///     Ok::<_, Infallible>(HttpResponse::new(request.uri().path().to_owned().into()))
/// });
/// let service = ResourceService::new("todos.test").with_transport(TowerTransport::new(echo));
/// let get_todo = service.request_template("get-todo").with_uri_template("/todos/{id}")?;
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = get_todo.create_request().with_parameter("id", 7).execute().await?;
/// assert_eq!(response.text(), "/todos/7");
/// # Ok::<_, weft::http::Error>(()) }).unwrap();
/// # Ok::<_, weft::http::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct TowerTransport<S> {
    service: S,
}

impl<S> TowerTransport<S> {
    /// Sends with `service`, cloned for each attempt.
    ///
    /// See [`TowerTransport`] for an example.
    pub fn new(service: S) -> Self {
        TowerTransport { service }
    }
}

impl<S> Endpoint<RequestContext, HttpResult> for TowerTransport<S>
where
    S: Service<FinalRequest, Response = HttpResponse> + Clone + Send + Sync,
    S::Error: Into<BoxError>,
    S::Future: Send,
{
    async fn call(&self, ctx: &mut RequestContext) -> HttpResult {
        let Some(request) = ctx.final_request.take() else {
            return Err(ctx
                .error(ErrorKind::Component)
                .with_source("the transport ran without a final request (no `Prepare` above it)"));
        };
        let mut service = self.service.clone();
        let ready: Result<(), BoxError> =
            poll_fn(|cx| service.poll_ready(cx).map_err(Into::into)).await;
        let result: Result<HttpResponse, BoxError> = match ready {
            Ok(()) => service.call(request).await.map_err(Into::into),
            Err(error) => Err(error),
        };
        let limit = ctx.max_response_bytes;
        match result {
            Ok(response) => Response::from_http(response, limit)
                .ok_or_else(|| ctx.error(ErrorKind::BodyTooLarge { limit })),
            Err(source) => {
                Err(ctx.error(ErrorKind::Transport { attempts: ctx.attempts }).with_source(source))
            }
        }
    }
}
