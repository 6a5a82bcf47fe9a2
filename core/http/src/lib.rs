//! HTTP resource services, built on the [pipeline](weft_pipeline) in Twine's three tiers.
//!
//! 1. A [`ResourceService`] says where a service lives (HTTP or HTTPS, host, port), holds the
//!    components of the final-request stage, and the transport ([`Transport`], replaceable).
//! 2. A [`RequestTemplate`] from [`ResourceService::request_template`] adds a method, an
//!    RFC 6570 URI template, headers, credentials, a timeout, a [`RetryStrategy`], response
//!    [`Handler`]s by status, and components of its own.
//! 3. A [`Request`] from [`RequestTemplate::create_request`] adds parameters, a body and
//!    components, and [executes](Request::execute).
//!
//! # Built-ins are components
//!
//! As in Twine, the tier methods add components: `with_method` adds a
//! [`SetMethod`](components::SetMethod), `with_retry` a [`Retry`](components::Retry),
//! `with_parameters` a [`SetParameters`](components::SetParameters)… (the full list is in
//! [`components`]). Everything runs in Twine's order: request tier first, then template, then
//! service; within a tier, the component added last runs first. A request goes through:
//!
//! | stage | what runs | sees |
//! |---|---|---|
//! | request | [`Instrument`](components::Instrument) (outermost), the request's components, `with_parameter(s)` | parameters, headers, body |
//! | template | its built-ins and components, in the order they were added; `with_retry` runs again what was added before it | [`RequestContext`] fields |
//! | [`Prepare`](components::Prepare) | counts the attempt, expands the URI template, adds credentials | builds [`RequestContext::final_request`] |
//! | service (final request) | the service's components, once per attempt | the final request: method, full URL, headers, body; may change it (signing) |
//! | transport | [`Transport`] (reqwest), an in-memory fake, or a tower service ([`TowerTransport`]) | sends the final request |
//!
//! Components are [`Component<RequestContext, HttpResult>`](weft_pipeline::Component)s or
//! closures. Every error is an [`Error`] naming the service and the template, with an
//! [`ErrorKind`]. Every request runs in a `tracing` span `weft.http.request` with the service,
//! template, method, status, duration and attempt count, unless the template or service says
//! `without_instrumentation()`.
//!
//! **tower.** A tower `Layer` runs as a final-request component ([`TowerLayer`]), a tower
//! `Service` as the transport ([`TowerTransport`]), and a whole pipeline is a tower `Service`
//! ([`Pipeline::into_service`](weft_pipeline::Pipeline::into_service)).
//!
//! **Limits.** A response body is read up to [`RequestTemplate::with_max_response_bytes`]
//! (16 MiB by default; [`ErrorKind::BodyTooLarge`] past it). Retries honour `Retry-After`
//! (seconds or HTTP-date) and apply only to idempotent methods unless the strategy says
//! [`for_any_method`](RetryStrategy::for_any_method). URI expansion never panics, whatever
//! the values; the RFC 6570 conformance suite runs in the tests.
//!
//! **Public types from other crates.** The `http` crate's `Method`, `HeaderMap`, `StatusCode`
//! and `Request` (the final request) are re-exported here; reqwest appears only in
//! [`Transport::new`] and [`ResourceService::with_client`], which take a `reqwest::Client`.
//!
//! # Twine compatibility
//!
//! Each row is tested in `core/http/tests/http_twine_compat.rs`.
//!
//! | Twine behaviour | weft | why |
//! |---|---|---|
//! | `{ID}` matches the parameter `id` (tokens are case-insensitive) | names are case-sensitive (RFC 6570); a missing `{ID}` with an `id` parameter is an [`ErrorKind::Parameters`] error saying "the parameter `id` differs only in case" | the RFC says so, and a silent match could pick the wrong one of two parameters |
//! | `{user-id}` is a token | an [`ErrorKind::InvalidUriTemplate`] error when the template is built, suggesting `{user_id}` | `-` is not allowed in RFC 6570 names (the conformance suite checks it) |
//! | unused parameters are ignored | an [`ErrorKind::Parameters`] error by default (a misspelt name fails loudly); [`UnusedParameters::Ignore`] offers Twine's behaviour, [`UnusedParameters::Query`] appends them to the query string | a typo otherwise changes the request silently |
//! | a missing parameter leaves the token or `undefined` in the path | an [`ErrorKind::Parameters`] error for a path variable; a `{?..}`/`{&..}` variable is left out | a request to a wrong URL is worse than no request |
//! | a setter called twice adds a second component; the first call's value stands (it runs last) | both components run; the last call wins (the earlier one finds the value set), and a request's header beats the template's | Rust builders keep the last value; anything else would surprise |
//! | raw values are pasted into the path | values are percent-encoded (`a/b` → `a%2Fb`); `{+var}` keeps reserved characters when the template's author asks for it | a value must not change the shape of the URL |
//! | the expanded path is `http.RequestPath` in the context | [`RequestContext::request_path`], set by [`Prepare`](components::Prepare) | |
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
