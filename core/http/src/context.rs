//! [`RequestContext`]: what the components of a request share.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName};

use super::error::Error;
use super::response::Response;
use super::retry::RetryStrategy;
use super::uri::{Parameters, UriTemplate};
use weft_pipeline::Extensions;

/// What a resource-service pipeline yields: the response, or why there is none.
pub type HttpResult = Result<Response, Error>;

/// The context of one request, shared by every component of its pipeline.
///
/// Before `next`, a component may change the method, parameters, headers and body; after it,
/// [`attempts`](Self::attempts) tells how many attempts the transport made. Put values of your own
/// in [`extensions`](Self::extensions).
///
/// ```
/// use weft::http::{RequestContext, ResourceService};
///
/// let service = ResourceService::new("127.0.0.1");
/// let template = service.request_template("get-todo");
/// let request = template.create_request().with_parameter("id", 1);
/// let ctx: &RequestContext = request.context();
/// assert_eq!(ctx.service(), "127.0.0.1");
/// assert_eq!(ctx.template(), "get-todo");
/// assert_eq!(ctx.method, weft::http::Method::GET);
/// ```
#[non_exhaustive]
pub struct RequestContext {
    /// The HTTP method (the template's, unless a component changes it).
    pub method: Method,
    /// Parameters: the URI template's variables; the others go to the query string.
    pub parameters: Parameters,
    /// Headers of this request; they override the template's.
    pub headers: HeaderMap,
    /// The request body, replayed as is on each retry.
    pub body: Option<Bytes>,
    /// How many attempts the transport made (0 until it runs).
    pub attempts: u32,
    /// The user's own values, keyed by type.
    pub extensions: Extensions,
    pub(crate) spec: Arc<TemplateSpec>,
}

impl RequestContext {
    pub(crate) fn new(spec: Arc<TemplateSpec>) -> Self {
        RequestContext {
            method: spec.method.clone(),
            parameters: Parameters::new(),
            headers: HeaderMap::new(),
            body: None,
            attempts: 0,
            extensions: Extensions::new(),
            spec,
        }
    }

    /// The name of the resource service.
    ///
    /// See [`RequestContext`] for an example.
    pub fn service(&self) -> &str {
        &self.spec.service.name
    }

    /// The name of the request template.
    ///
    /// See [`RequestContext`] for an example.
    pub fn template(&self) -> &str {
        &self.spec.name
    }

    /// The template's URI template, if it has one.
    ///
    /// ```
    /// # use weft::http::ResourceService;
    /// let service = ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").with_uri_template("/todos/{id}")?;
    /// let request = template.create_request();
    /// assert_eq!(request.context().uri_template().map(|t| t.as_str()), Some("/todos/{id}"));
    /// # Ok::<_, weft::http::Error>(())
    /// ```
    pub fn uri_template(&self) -> Option<&UriTemplate> {
        self.spec.uri.as_ref()
    }

    /// The template's timeout for each attempt, if any.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use weft::http::ResourceService;
    /// let service = ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").with_timeout(Duration::from_secs(1));
    /// assert_eq!(template.create_request().context().timeout(), Some(Duration::from_secs(1)));
    /// ```
    pub fn timeout(&self) -> Option<Duration> {
        self.spec.timeout
    }
}

impl fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("service", &self.service())
            .field("template", &self.template())
            .field("method", &self.method)
            .field("parameters", &self.parameters)
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// A header computed for each request from its context.
pub(crate) type ComputedHeader = Arc<dyn Fn(&RequestContext) -> Option<String> + Send + Sync>;

/// Credentials sent with every request of a template.
#[derive(Clone)]
pub(crate) enum Auth {
    Bearer(String),
    Basic(String, Option<String>),
}

/// Where a service lives and how to reach it; shared by its templates.
#[derive(Clone)]
pub(crate) struct ServiceConfig {
    pub(crate) name: Arc<str>,
    pub(crate) base_url: String,
    pub(crate) client: reqwest::Client,
}

/// Everything a template fixes about its requests.
#[derive(Clone)]
pub(crate) struct TemplateSpec {
    pub(crate) service: Arc<ServiceConfig>,
    pub(crate) name: Arc<str>,
    pub(crate) method: Method,
    pub(crate) uri: Option<UriTemplate>,
    pub(crate) headers: HeaderMap,
    pub(crate) computed_headers: Vec<(HeaderName, ComputedHeader)>,
    pub(crate) auth: Option<Auth>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) retry: Option<RetryStrategy>,
    pub(crate) instrument: bool,
}
