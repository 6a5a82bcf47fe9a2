//! [`RequestTemplate`]: the second tier — method, URI template, headers, credentials, timeout,
//! retries, response handlers, and template-level components.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::Method;
use http::header::{HeaderName, HeaderValue};

use super::components::{
    ComputeHeader, Prepare, Retry, SetCredentials, SetHeader, SetMaxResponseBytes, SetMethod,
    SetUnusedParameters, SetUriTemplate, Timeout,
};
use super::context::{Credentials, HttpResult, Names, RequestContext};
use super::error::{Error, ErrorKind};
use super::request::Request;
use super::response::{Handler, Handlers, Response, StatusMatch};
use super::retry::RetryStrategy;
use super::transport::Transport;
use super::uri::{UnusedParameters, UriTemplate};
use weft_pipeline::{
    BoxFuture, Chain, Component, DynChain, DynNext, FnComponent, Layer, Terminal, component_fn,
};

/// A type-erased resource-service chain; see [`RequestTemplate::boxed`].
pub type BoxedChain = Arc<dyn DynChain<RequestContext, HttpResult>>;

/// The chain of a template fresh from [`ResourceService::request_template`](crate::ResourceService::request_template)
/// on a service without components.
pub type NewTemplateChain = Layer<Prepare, Terminal<Transport>>;

/// A request template: what every request made from it shares.
///
/// `R` is what a request yields (set by [`returning`](Self::returning) and the handlers), and `T`
/// the nested chain of its components down to the transport. Each setter adds a built-in
/// component (see [`components`](crate::components)) at the position of the call, as Twine's
/// template methods do, so the template's type grows with each one; name it with
/// [`boxed`](Self::boxed) (`RequestTemplate<R>` is a boxed template).
///
/// Components run in Twine's order, the one added last first. So `with_timeout` before
/// `with_retry` limits each attempt, after it the whole request; a component added before
/// `with_retry` runs for each attempt, one added after it once per request.
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
///     .with_timeout(Duration::from_secs(2)) // each attempt
///     .with_retry(RetryStrategy::new(2))
///     .returning::<Option<Todo>>()
///     .handle_when(200, json::<Todo>())
///     .handle_when(404, none());
/// # let _ = get_todo;
/// # Ok::<_, weft::http::Error>(())
/// ```
pub struct RequestTemplate<R = Response, T = BoxedChain> {
    names: Arc<Names>,
    instrument: bool,
    handlers: Handlers<R>,
    chain: T,
}

impl<R, T> RequestTemplate<R, T> {
    pub(crate) fn new(names: Arc<Names>, instrument: bool, chain: T) -> Self {
        RequestTemplate { names, instrument, handlers: Handlers::new(), chain }
    }

    fn error(&self, kind: ErrorKind) -> Error {
        Error::new(self.names.service.clone(), self.names.template.clone(), kind)
    }

    fn invalid_header(&self, name: &str) -> Error {
        self.error(ErrorKind::InvalidHeader { name: name.to_owned() })
    }

    /// Adds the built-in `component` (the chain's type changes).
    fn layer<X>(self, component: X) -> RequestTemplate<R, Layer<X, T>> {
        RequestTemplate {
            names: self.names,
            instrument: self.instrument,
            handlers: self.handlers,
            chain: Layer::new(component, self.chain),
        }
    }

    /// The template's name.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// assert_eq!(service.request_template("get-todo").name(), "get-todo");
    /// ```
    pub fn name(&self) -> &str {
        &self.names.template
    }

    /// The HTTP method (default `GET`); adds a [`SetMethod`] component.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_method(self, method: Method) -> RequestTemplate<R, Layer<SetMethod, T>> {
        self.layer(SetMethod(method))
    }

    /// The RFC 6570 URI template (level 4), relative to the service; an invalid template is an
    /// error here. Values are percent-encoded. Variables of `{?..}` and `{&..}` expressions are
    /// optional; a missing value for any other variable, or a parameter that is not a variable
    /// (see [`on_unused_parameters`](Self::on_unused_parameters)), is an
    /// [`ErrorKind::Parameters`] error when the request executes. Adds a [`SetUriTemplate`]
    /// component.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_uri_template(
        self,
        template: &str,
    ) -> Result<RequestTemplate<R, Layer<SetUriTemplate, T>>, Error> {
        match UriTemplate::new(template) {
            Ok(uri) => Ok(self.layer(SetUriTemplate(uri))),
            Err(source) => Err(self.error(ErrorKind::InvalidUriTemplate).with_source(source)),
        }
    }

    /// What to do with parameters the URI template does not use (default: an error); adds a
    /// [`SetUnusedParameters`] component.
    ///
    /// See [`UnusedParameters`] for an example.
    pub fn on_unused_parameters(
        self,
        unused: UnusedParameters,
    ) -> RequestTemplate<R, Layer<SetUnusedParameters, T>> {
        self.layer(SetUnusedParameters(unused))
    }

    /// A header sent with every request unless the request sets one of that name; an invalid
    /// name or value is an error here. Adds a [`SetHeader`] component.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_header(
        self,
        name: &str,
        value: &str,
    ) -> Result<RequestTemplate<R, Layer<SetHeader, T>>, Error> {
        let header =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| self.invalid_header(name))?;
        let value = HeaderValue::from_str(value).map_err(|_| self.invalid_header(name))?;
        Ok(self.layer(SetHeader { name: header, value }))
    }

    /// A header computed for each request from its context when the component runs; `None`
    /// leaves it out. An invalid name is an error here, an invalid value when the request
    /// executes. Adds a [`ComputeHeader`] component.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service
    ///     .request_template("t")
    ///     .with_computed_header("x-template", |ctx| Some(ctx.template().to_owned()))?;
    /// # let _ = template;
    /// # Ok::<_, weft::http::Error>(())
    /// ```
    pub fn with_computed_header<F>(
        self,
        name: &str,
        compute: F,
    ) -> Result<RequestTemplate<R, Layer<ComputeHeader, T>>, Error>
    where
        F: Fn(&RequestContext) -> Option<String> + Send + Sync + 'static,
    {
        let header =
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| self.invalid_header(name))?;
        Ok(self.layer(ComputeHeader { name: header, compute: Arc::new(compute) }))
    }

    /// Sends `Authorization: Bearer <token>`; adds a [`SetCredentials`] component.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_bearer_auth(
        self,
        token: impl Into<String>,
    ) -> RequestTemplate<R, Layer<SetCredentials, T>> {
        self.layer(SetCredentials(Credentials::Bearer(token.into())))
    }

    /// Sends `Authorization: Basic ..`; adds a [`SetCredentials`] component.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").with_basic_auth("user", Some("password"));
    /// # let _ = template;
    /// ```
    pub fn with_basic_auth(
        self,
        user: impl Into<String>,
        password: Option<&str>,
    ) -> RequestTemplate<R, Layer<SetCredentials, T>> {
        let credentials =
            Credentials::Basic { user: user.into(), password: password.map(str::to_owned) };
        self.layer(SetCredentials(credentials))
    }

    /// A time limit on what the component wraps: added before
    /// [`with_retry`](Self::with_retry), each attempt; after it, the whole request. Adds a
    /// [`Timeout`] component.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn with_timeout(self, timeout: Duration) -> RequestTemplate<R, Layer<Timeout, T>> {
        self.layer(Timeout(timeout))
    }

    /// Retries as `retry` says; adds a [`Retry`] component, which runs again everything added
    /// before it (and the service's components and transport).
    ///
    /// See [`RequestTemplate`] and [`RetryStrategy`] for examples.
    pub fn with_retry(self, retry: RetryStrategy) -> RequestTemplate<R, Layer<Retry, T>> {
        self.layer(Retry(retry))
    }

    /// The largest response body accepted (default 16 MiB); a larger one is an
    /// [`ErrorKind::BodyTooLarge`] error. Adds a [`SetMaxResponseBytes`] component.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").with_max_response_bytes(64 * 1024);
    /// # let _ = template;
    /// ```
    pub fn with_max_response_bytes(
        self,
        limit: usize,
    ) -> RequestTemplate<R, Layer<SetMaxResponseBytes, T>> {
        self.layer(SetMaxResponseBytes(limit))
    }

    /// Turns off this template's `tracing` span.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t").without_instrumentation();
    /// # let _ = template;
    /// ```
    pub fn without_instrumentation(mut self) -> Self {
        self.instrument = false;
        self
    }

    /// Makes requests yield `R2`, and forgets the handlers registered so far (which yielded `R`).
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn returning<R2>(self) -> RequestTemplate<R2, T> {
        RequestTemplate {
            names: self.names,
            instrument: self.instrument,
            handlers: Handlers::new(),
            chain: self.chain,
        }
    }

    /// Handles responses with `status` with `handler`. A status with no handler is an
    /// [`ErrorKind::UnexpectedStatus`] error.
    ///
    /// See [`RequestTemplate`] for an example.
    pub fn handle_when(mut self, status: u16, handler: impl Handler<R>) -> Self {
        self.handlers.push(StatusMatch::Exact(status), Box::new(handler));
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
        self.handlers.push(StatusMatch::Success, Box::new(handler));
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
        self.layer(component)
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
    /// `RequestTemplate<R>` (that is, `RequestTemplate<R, BoxedChain>`). Costs one allocation
    /// per request.
    ///
    /// ```
    /// use weft::http::{RequestTemplate, ResourceService, Response};
    /// use weft::pipeline::pass_through;
    ///
    /// struct Client {
    ///     get_todo: RequestTemplate<Response>,
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
        RequestTemplate {
            names: self.names,
            instrument: self.instrument,
            handlers: self.handlers,
            chain: Arc::new(self.chain),
        }
    }

    /// A request from this template, to give parameters, a body and components of its own.
    ///
    /// See [`Request`] for an example.
    pub fn create_request(&self) -> Request<'_, R, &T> {
        Request::new(
            RequestContext::new(Arc::clone(&self.names)),
            &self.handlers,
            self.instrument,
            &self.chain,
        )
    }
}

impl<R, T> fmt::Debug for RequestTemplate<R, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestTemplate")
            .field("service", &self.names.service)
            .field("name", &self.names.template)
            .field("chain", &std::any::type_name::<T>())
            .finish_non_exhaustive()
    }
}
