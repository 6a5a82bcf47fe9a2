//! [`Transport`]: the innermost end of a resource-service pipeline, sending the final request.

use bytes::BytesMut;

use super::context::{HttpResult, RequestContext};
use super::error::ErrorKind;
use super::response::Response;
use weft_pipeline::Endpoint;

/// Sends the [final request](RequestContext::final_request) with a `reqwest::Client` and reads
/// the response, at most [`max_response_bytes`](RequestContext::max_response_bytes) of it.
///
/// It is the default endpoint of a [`ResourceService`](crate::ResourceService); any
/// [`Endpoint<RequestContext, HttpResult>`] can replace it with
/// [`with_transport`](crate::ResourceService::with_transport): an in-memory fake in tests,
/// another client, or a tower service ([`TowerTransport`](crate::TowerTransport)).
///
/// ```
/// use weft::http::{ResourceService, Transport};
///
/// let client = reqwest::Client::builder().build()?;
/// let service = ResourceService::new("127.0.0.1").with_transport(Transport::new(client));
/// # let _ = service;
/// # Ok::<_, reqwest::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Transport {
    client: reqwest::Client,
}

impl Transport {
    /// A transport sending with `client` (to share a connection pool, or configure TLS or
    /// proxies).
    ///
    /// See [`Transport`] for an example.
    pub fn new(client: reqwest::Client) -> Self {
        Transport { client }
    }
}

impl Endpoint<RequestContext, HttpResult> for Transport {
    async fn call(&self, ctx: &mut RequestContext) -> HttpResult {
        let Some(request) = ctx.final_request.take() else {
            return Err(ctx
                .error(ErrorKind::Component)
                .with_source("the transport ran without a final request (no `Prepare` above it)"));
        };
        let url = request.uri().to_string();
        let request = reqwest::Request::try_from(request)
            .map_err(|source| ctx.error(ErrorKind::InvalidUrl { url }).with_source(source))?;
        let transport = |ctx: &RequestContext, source: reqwest::Error| {
            ctx.error(ErrorKind::Transport { attempts: ctx.attempts }).with_source(source)
        };
        let mut response = match self.client.execute(request).await {
            Ok(response) => response,
            Err(source) => return Err(transport(ctx, source)),
        };
        let limit = ctx.max_response_bytes;
        let too_large = |ctx: &RequestContext| ctx.error(ErrorKind::BodyTooLarge { limit });
        if response.content_length().is_some_and(|length| length > limit as u64) {
            return Err(too_large(ctx));
        }
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let mut body = BytesMut::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() > limit => return Err(too_large(ctx)),
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(source) => return Err(transport(ctx, source)),
            }
        }
        Ok(Response::from_parts(status, headers, body.freeze()))
    }
}
