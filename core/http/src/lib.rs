//! HTTP resource services, built on the [pipeline](weft_pipeline) in Twine's three tiers.
//!
//! 1. A [`ResourceService`] says where a service lives (HTTP or HTTPS, host, port) and holds the
//!    innermost components, around the [`Transport`].
//! 2. A [`RequestTemplate`] from [`ResourceService::request_template`] fixes a method, an
//!    RFC 6570 URI template, headers, credentials, a timeout, a [`RetryStrategy`], response
//!    [`Handler`]s by status, and components of its own.
//! 3. A [`Request`] from [`RequestTemplate::create_request`] adds parameters, a body and
//!    components, and [executes](Request::execute).
//!
//! Components run request tier first, then template, then service; within a tier, the one
//! added last runs first. Each is a [`Component<RequestContext, HttpResult>`](weft_pipeline::Component)
//! or a closure. Every error is an [`Error`] naming the service and the template, and every
//! request runs in a `tracing` span `weft.http.request` with the service, template, method,
//! status, duration and attempt count, unless the template or service says
//! `without_instrumentation()`.
//!
//! # Extending templates
//!
//! Twine users add methods to `RequestTemplate.prototype`. In Rust, write an extension trait:
//! here `.log_request_duration()` adds a timing component to any template.
//!
//! ```
//! use std::time::Instant;
//! use weft::http::{HttpResult, RequestContext, RequestTemplate, ResourceService};
//! use weft::pipeline::{Chain, Component, Layer, Next};
//!
//! /// Logs how long each request of a template takes.
//! pub struct LogRequestDuration;
//!
//! impl Component<RequestContext, HttpResult> for LogRequestDuration {
//!     async fn call<N: Chain<RequestContext, HttpResult>>(
//!         &self,
//!         ctx: &mut RequestContext,
//!         next: Next<'_, N>,
//!     ) -> HttpResult {
//!         let start = Instant::now();
//!         let result = next.run(ctx).await;
//!         tracing::info!(template = ctx.template(), elapsed = ?start.elapsed(), "request done");
//!         result
//!     }
//! }
//!
//! /// Adds `.log_request_duration()` to every request template.
//! pub trait LogRequestDurationExt<R, T> {
//!     /// Logs the duration of every request of this template.
//!     fn log_request_duration(self) -> RequestTemplate<R, Layer<LogRequestDuration, T>>;
//! }
//!
//! impl<R, T: Chain<RequestContext, HttpResult>> LogRequestDurationExt<R, T> for RequestTemplate<R, T> {
//!     fn log_request_duration(self) -> RequestTemplate<R, Layer<LogRequestDuration, T>> {
//!         self.with_component(LogRequestDuration)
//!     }
//! }
//!
//! let service = ResourceService::new("127.0.0.1").with_port(8080);
//! let get_todo = service
//!     .request_template("get-todo")
//!     .with_uri_template("/todos/{id}")?
//!     .log_request_duration();
//! # let _ = get_todo;
//! # Ok::<_, weft::http::Error>(())
//! ```

#![forbid(unsafe_code)]

pub mod components;
mod context;
mod error;
mod request;
mod response;
mod retry;
mod service;
mod template;
mod tower_interop;
mod transport;
mod uri;

pub use context::{
    Credentials, DEFAULT_MAX_RESPONSE_BYTES, FinalRequest, HttpResult, RequestContext,
};
pub use error::{BoxError, Error, ErrorKind};
pub use http::{HeaderMap, Method, StatusCode, header};
pub use request::Request;
pub use response::{Handler, Json, NoneHandler, RawResponse, Response, json, none, response};
pub use retry::RetryStrategy;
pub use service::{Protocol, ResourceService};
pub use template::{BoxedChain, NewTemplateChain, RequestTemplate};
pub use tower_interop::{HttpResponse, NextService, TowerLayer, TowerTransport};
pub use transport::Transport;
pub use uri::{ParamValue, Parameters, UnusedParameters, UriTemplate, UriTemplateError};
