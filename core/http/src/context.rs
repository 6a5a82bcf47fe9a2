//! [`RequestContext`]: what the components of a request share.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::header::HeaderMap;
use http::{Method, Request};

use super::error::{Error, ErrorKind};
use super::response::Response;
use super::uri::{Parameters, UnusedParameters, UriTemplate};
use weft_pipeline::Extensions;

/// What a resource-service pipeline yields: the response, or why there is none.
pub type HttpResult = Result<Response, Error>;

/// The final request of one attempt: method, full URL, headers and body, as the transport will
/// send it. The template's preparing stage builds it for every attempt; the service's components
/// (the final-request stage) may change it, e.g. to sign it.
pub type FinalRequest = Request<Bytes>;

/// The default limit on a response body: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Credentials sent as the `Authorization` header.
///
/// ```
/// use weft::http::Credentials;
///
/// let bearer = Credentials::Bearer("secret".into());
/// let basic = Credentials::Basic { user: "me".into(), password: None };
/// # let _ = (bearer, basic);
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// The user name.
        user: String,
        /// The password, if any.
        password: Option<String>,
    },
}

impl fmt::Debug for Credentials {
    // Never print secrets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Bearer(_) => f.write_str("Bearer(..)"),
            Credentials::Basic { user, .. } => write!(f, "Basic {{ user: {user:?}, .. }}"),
        }
    }
}

/// The context of one request, shared by every component of its pipeline.
///
/// The built-in components of the tiers fill it in on the way in (`with_method` sets
/// [`method`](Self::method), `with_parameters` the [`parameters`](Self::parameters), …); the
/// template's preparing stage then builds the [`final_request`](Self::final_request) of each
/// attempt, which the service's components may change before the transport sends it. Put values
/// of your own in [`extensions`](Self::extensions).
///
/// ```
/// use weft::http::{RequestContext, ResourceService};
///
/// let service = ResourceService::new("127.0.0.1");
/// let template = service.request_template("get-todo");
/// let request = template.create_request();
/// let ctx: &RequestContext = request.context();
/// assert_eq!(ctx.service(), "127.0.0.1");
/// assert_eq!(ctx.template(), "get-todo");
/// assert_eq!(ctx.method, weft::http::Method::GET);
/// ```
#[non_exhaustive]
pub struct RequestContext {
    /// The HTTP method (`GET` until `with_method` or a component changes it).
    pub method: Method,
    /// The URI template, once `with_uri_template` has run; `None` is the service's root.
    pub uri_template: Option<UriTemplate>,
    /// The URI template's variables.
    pub parameters: Parameters,
    /// What to do with parameters the URI template does not use.
    pub unused_parameters: UnusedParameters,
    /// Headers of this request.
    pub headers: HeaderMap,
    /// Credentials, sent as `Authorization` unless a header says otherwise.
    pub credentials: Option<Credentials>,
    /// The request body, replayed as is on each attempt.
    pub body: Option<Bytes>,
    /// The largest response body accepted, in bytes.
    pub max_response_bytes: usize,
    /// The expanded path and query of the URI template (Twine's `http.RequestPath`), set by
    /// the preparing stage.
    pub request_path: Option<String>,
    /// The final request of the current attempt: set by the preparing stage, seen and changed
    /// by the service's components, sent by the transport.
    pub final_request: Option<FinalRequest>,
    /// How many attempts have started (0 until the preparing stage runs).
    pub attempts: u32,
    /// The user's own values, keyed by type.
    pub extensions: Extensions,
    pub(crate) names: Arc<Names>,
    /// Which single-valued built-ins have already run (the last call of a setter wins).
    pub(crate) assigned: u8,
}

/// The names and address a context carries from its template.
#[derive(Debug)]
pub(crate) struct Names {
    pub(crate) service: Arc<str>,
    pub(crate) template: Arc<str>,
    pub(crate) base_url: Arc<str>,
}

impl RequestContext {
    pub(crate) fn new(names: Arc<Names>) -> Self {
        RequestContext {
            method: Method::GET,
            uri_template: None,
            parameters: Parameters::new(),
            unused_parameters: UnusedParameters::Reject,
            headers: HeaderMap::new(),
            credentials: None,
            body: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            request_path: None,
            final_request: None,
            attempts: 0,
            extensions: Extensions::new(),
            names,
            assigned: 0,
        }
    }

    /// A context for `template` of `service` at `base_url` (`scheme://host:port`), for running
    /// components and transports in tests without a template.
    ///
    /// ```
    /// let ctx = weft::http::RequestContext::for_test("todos", "get-todo", "http://127.0.0.1:1");
    /// assert_eq!(ctx.template(), "get-todo");
    /// ```
    pub fn for_test(service: &str, template: &str, base_url: &str) -> Self {
        RequestContext::new(Arc::new(Names {
            service: Arc::from(service),
            template: Arc::from(template),
            base_url: Arc::from(base_url),
        }))
    }

    /// The name of the resource service.
    ///
    /// See [`RequestContext`] for an example.
    pub fn service(&self) -> &str {
        &self.names.service
    }

    /// The name of the request template.
    ///
    /// See [`RequestContext`] for an example.
    pub fn template(&self) -> &str {
        &self.names.template
    }

    /// The service's `scheme://host:port`.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1").with_port(8080);
    /// let template = service.request_template("t");
    /// assert_eq!(template.create_request().context().base_url(), "http://127.0.0.1:8080");
    /// ```
    pub fn base_url(&self) -> &str {
        &self.names.base_url
    }

    /// An error of `kind` naming this request's service and template.
    ///
    /// ```
    /// use weft::http::{ErrorKind, RequestContext};
    ///
    /// let ctx = RequestContext::for_test("todos", "get-todo", "http://127.0.0.1:1");
    /// let err = ctx.error(ErrorKind::Component).with_source("quota exceeded");
    /// assert_eq!(err.service(), "todos");
    /// ```
    pub fn error(&self, kind: ErrorKind) -> Error {
        Error::new(self.names.service.clone(), self.names.template.clone(), kind)
    }

    /// Marks the built-in `bit` as run; `false` if a later call of the same setter already did.
    pub(crate) fn assign(&mut self, bit: u8) -> bool {
        let first = self.assigned & bit == 0;
        self.assigned |= bit;
        first
    }
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("service", &self.service())
            .field("template", &self.template())
            .field("method", &self.method)
            .field("uri_template", &self.uri_template)
            .field("parameters", &self.parameters)
            .field("headers", &self.headers)
            .field("credentials", &self.credentials)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("request_path", &self.request_path)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}
