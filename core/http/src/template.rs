//! [`RequestTemplate`]: the second tier — method, URI template, headers, credentials, timeout,
//! retries, response handlers, and template-level components.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};

use super::context::{Auth, HttpResult, RequestContext, TemplateSpec};
use super::error::Error;
use super::request::Request;
use super::response::{Handler, Response};
use super::retry::RetryStrategy;
use super::transport::Transport;
use super::uri::UriTemplate;
use weft_pipeline::{
    BoxFuture, Chain, Component, DynChain, DynNext, FnComponent, Layer, component_fn,
};

/// A type-erased resource-service chain; see [`RequestTemplate::boxed`].
pub type BoxedChain = Arc<dyn DynChain<RequestContext, HttpResult>>;

/// Which statuses a handler takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusMatch {
    Exact(u16),
    Success,
}

impl StatusMatch {
    fn matches(self, status: u16) -> bool {
        match self {
            StatusMatch::Exact(s) => s == status,
            StatusMatch::Success => (200..300).contains(&status),
        }
    }
}

/// The handlers of a template, most recently added first.
pub(crate) struct Handlers<R> {
    handlers: Vec<(StatusMatch, Box<dyn Handler<R>>)>,
}

impl<R> Handlers<R> {
    pub(crate) fn find(&self, status: u16) -> Option<&dyn Handler<R>> {
        // A later `handle_when` wins over an earlier one, and an exact status over `Success`.
        let exact = self.handlers.iter().rev().find(|(m, _)| *m == StatusMatch::Exact(status));
        let any = || self.handlers.iter().rev().find(|(m, _)| m.matches(status));
        exact.or_else(any).map(|(_, handler)| handler.as_ref())
    }
}

/// A request template: what every request made from it shares.
///
/// `R` is what a request yields (set by [`returning`](Self::returning) and the handlers), and `T`
/// the nested chain of its components down to the [`Transport`].
///
/// ```
/// use std::time::Duration;
/// use weft::http::{Method, ResourceService, RetryStrategy, json, none};
///
/// #[derive(serde::Deserialize)]
/// struct Todo {
///     title: String,
/// }
///
/// let service = ResourceService::new("127.0.0.1").with_port(8080).named("todos");
/// let get_todo = service
///     .request_template("get-todo")
///     .with_method(Method::GET)
///     .with_uri_template("/todos/{id}")?
///     .with_header("accept", "application/json")?
///     .with_bearer_auth("secret")
///     .with_timeout(Duration::from_secs(2))
///     .with_retry(RetryStrategy::new(2))
///     .returning::<Option<Todo>>()
///     .handle_when(200, json::<Todo>())
///     .handle_when(404, none());
/// # let _ = get_todo;
/// # Ok::<_, weft::http::Error>(())
/// ```
pub struct RequestTemplate<R = Response, T = Transport> {
    spec: Arc<TemplateSpec>,
    handlers: Handlers<R>,
    chain: T,
}

impl<R, T> RequestTemplate<R, T> {
    pub(crate) fn new(spec: TemplateSpec, chain: T) -> Self {
        RequestTemplate { spec: Arc::new(spec), handlers: Handlers { handlers: Vec::new() }, chain }
    }

    fn spec(&mut self) -> &mut TemplateSpec {
        Arc::make_mut(&mut self.spec)
    }

    fn invalid_header(&self, name: &str) -> Error {
        Error::InvalidHeader {
            service: self.spec.service.name.clone(),
            template: self.spec.name.clone(),
            name: name.to_owned(),
        }
    }

    /// The template's name.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// assert_eq!(service.request_template("get-todo").name(), "get-todo");
    /// ```
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The HTTP method (default `GET`).
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_method(mut self, method: Method) -> Self {
        self.spec().method = method;
        self
    }

    /// The RFC 6570 URI template (level 4), relative to the service; an invalid template is an
    /// error here. Values are percent-encoded; parameters the template does not use go to the
    /// query string (see [`UriTemplate`]). Variables of `{?..}` and `{&..}` expressions are
    /// optional; a missing value for any other variable is an [`Error::MissingParameter`] when
    /// the request executes.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_uri_template(mut self, template: &str) -> Result<Self, Error> {
        let uri = UriTemplate::new(template).map_err(|source| Error::InvalidUriTemplate {
            service: self.spec.service.name.clone(),
            template: self.spec.name.clone(),
            source,
        })?;
        self.spec().uri = Some(uri);
        Ok(self)
    }

    /// A header sent with every request; an invalid name or value is an error here.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, Error> {
        let header =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| self.invalid_header(name))?;
        let value = HeaderValue::from_str(value).map_err(|_| self.invalid_header(name))?;
        self.spec().headers.append(header, value);
        Ok(self)
    }

    /// A header computed for each request from its context (after the components' before
    /// phases); `None` leaves it out. An invalid name is an error here, an invalid value when
    /// the request executes.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service
    ///     .request_template("t")
    ///     .with_computed_header("x-attempt-of", |ctx| Some(ctx.template().to_owned()))?;
    /// # let _ = template;
    /// # Ok::<_, weft::http::Error>(())
    /// ```
    pub fn with_computed_header<F>(mut self, name: &str, compute: F) -> Result<Self, Error>
    where
        F: Fn(&RequestContext) -> Option<String> + Send + Sync + 'static,
    {
        let header =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| self.invalid_header(name))?;
        self.spec().computed_headers.push((header, Arc::new(compute)));
        Ok(self)
    }

    /// Sends `Authorization: Bearer <token>`.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_bearer_auth(mut self, token: impl Into<String>) -> Self {
        self.spec().auth = Some(Auth::Bearer(token.into()));
        self
    }

    /// Sends `Authorization: Basic ..`.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").with_basic_auth("user", Some("password"));
    /// # let _ = template;
    /// ```
    pub fn with_basic_auth(mut self, user: impl Into<String>, password: Option<&str>) -> Self {
        self.spec().auth = Some(Auth::Basic(user.into(), password.map(str::to_owned)));
        self
    }

    /// The time limit of each attempt.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.spec().timeout = Some(timeout);
        self
    }

    /// Retries as `retry` says.
    ///
    /// See [`RequestTemplate`] and [`RetryStrategy`] for examples.
    pub fn with_retry(mut self, retry: RetryStrategy) -> Self {
        self.spec().retry = Some(retry);
        self
    }

    /// Turns off this template's `tracing` span.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").without_instrumentation();
    /// # let _ = template;
    /// ```
    pub fn without_instrumentation(mut self) -> Self {
        self.spec().instrument = false;
        self
    }

    /// Makes requests yield `R2`, and forgets the handlers registered so far (which yielded `R`).
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn returning<R2>(self) -> RequestTemplate<R2, T> {
        RequestTemplate {
            spec: self.spec,
            handlers: Handlers { handlers: Vec::new() },
            chain: self.chain,
        }
    }

    /// Handles responses with `status` with `handler`. A status with no handler is an
    /// [`Error::UnexpectedStatus`].
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn handle_when(mut self, status: u16, handler: impl Handler<R>) -> Self {
        self.handlers.handlers.push((StatusMatch::Exact(status), Box::new(handler)));
        self
    }

    /// Handles every 2xx response that has no handler of its own with `handler`.
    ///
    /// ```
    /// use weft::http::{ResourceService, json};
    ///
    /// let service = ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").returning::<Vec<u32>>().handle_success(json::<Vec<u32>>());
    /// # let _ = template;
    /// ```
    pub fn handle_success(mut self, handler: impl Handler<R>) -> Self {
        self.handlers.handlers.push((StatusMatch::Success, Box::new(handler)));
        self
    }
}

impl<R, T: Chain<RequestContext, HttpResult>> RequestTemplate<R, T> {
    /// Adds a template-level component: it runs for every request of this template, outside the
    /// service's components and inside the request's.
    ///
    /// ```
    /// use weft::http::ResourceService;
    /// use weft::pipeline::pass_through;
    ///
    /// let service = ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").with_component(pass_through());
    /// # let _ = template;
    /// ```
    pub fn with_component<X>(self, component: X) -> RequestTemplate<R, Layer<X, T>>
    where
        X: Component<RequestContext, HttpResult>,
    {
        RequestTemplate {
            spec: self.spec,
            handlers: self.handlers,
            chain: Layer::new(component, self.chain),
        }
    }

    /// Adds a template-level closure component `|ctx, next| Box::pin(async move { .. })`.
    ///
    /// ```
    /// use weft::http::{HttpResult, RequestContext, ResourceService};
    /// use weft::pipeline::DynNext;
    ///
    /// let service = ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").with_fn(
    ///     |ctx: &mut RequestContext, next: DynNext<'_, RequestContext, HttpResult>| {
    ///         Box::pin(async move { next.run(ctx).await })
    ///     },
    /// );
    /// # let _ = template;
    /// ```
    pub fn with_fn<F>(self, f: F) -> RequestTemplate<R, Layer<FnComponent<F>, T>>
    where
        F: for<'a> Fn(
                &'a mut RequestContext,
                DynNext<'a, RequestContext, HttpResult>,
            ) -> BoxFuture<'a, HttpResult>
            + Send
            + Sync,
    {
        self.with_component(component_fn(f))
    }

    /// Erases the chain's type, so the template can be named (e.g. stored in a struct field) as
    /// `RequestTemplate<R, BoxedChain>`. Costs one allocation per request.
    ///
    /// ```
    /// use weft::http::{BoxedChain, RequestTemplate, ResourceService, Response};
    /// use weft::pipeline::pass_through;
    ///
    /// struct Client {
    ///     get_todo: RequestTemplate<Response, BoxedChain>,
    /// }
    /// let service = ResourceService::new("127.0.0.1");
    /// let client = Client {
    ///     get_todo: service.request_template("get-todo").with_component(pass_through()).boxed(),
    /// };
    /// # let _ = client.get_todo;
    /// ```
    pub fn boxed(self) -> RequestTemplate<R, BoxedChain>
    where
        T: 'static,
    {
        RequestTemplate { spec: self.spec, handlers: self.handlers, chain: Arc::new(self.chain) }
    }

    /// A request from this template, to give parameters, a body and components of its own.
    ///
    /// See [`Request`] for an example.
    pub fn create_request(&self) -> Request<'_, R, &T> {
        Request::new(Arc::clone(&self.spec), &self.handlers, &self.chain)
    }
}

impl<R, T> fmt::Debug for RequestTemplate<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestTemplate")
            .field("service", &self.spec.service.name)
            .field("name", &self.spec.name)
            .field("method", &self.spec.method)
            .field("uri", &self.spec.uri)
            .field("timeout", &self.spec.timeout)
            .field("retry", &self.spec.retry)
            .finish_non_exhaustive()
    }
}
