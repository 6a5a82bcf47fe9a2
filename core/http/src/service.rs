//! [`ResourceService`]: the first tier, a remote service and its service-level components.

use std::fmt;
use std::sync::Arc;

use reqwest::Method;
use reqwest::header::HeaderMap;

use super::context::{HttpResult, RequestContext, ServiceConfig, TemplateSpec};
use super::response::{Response, response};
use super::template::RequestTemplate;
use super::transport::Transport;
use weft_pipeline::{BoxFuture, Chain, Component, DynNext, FnComponent, Layer, component_fn};

/// HTTP or HTTPS.
///
/// ```
/// use weft::http::{Protocol, ResourceService};
///
/// let service = ResourceService::new("example.invalid").with_protocol(Protocol::Https);
/// assert_eq!(service.base_url(), "https://example.invalid:443");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protocol {
    /// Plain HTTP (default port 80).
    #[default]
    Http,
    /// HTTP over TLS (default port 443).
    Https,
}

impl Protocol {
    fn scheme(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Protocol::Http => 80,
            Protocol::Https => 443,
        }
    }
}

/// A remote resource service: where it lives, and the components every one of its requests
/// runs through (the innermost ones, around the [`Transport`]).
///
/// Add service components before creating templates: a template copies the service's chain
/// when it is created.
///
/// ```
/// use weft::http::ResourceService;
///
/// let service = ResourceService::new("127.0.0.1").with_port(8080).named("todos");
/// assert_eq!(service.name(), "todos");
/// assert_eq!(service.base_url(), "http://127.0.0.1:8080");
/// let get_todo = service.request_template("get-todo").with_uri_template("/todos/{id}")?;
/// # let _ = get_todo;
/// # Ok::<_, weft::http::Error>(())
/// ```
pub struct ResourceService<S = Transport> {
    host: String,
    protocol: Protocol,
    port: Option<u16>,
    name: Arc<str>,
    client: reqwest::Client,
    instrument: bool,
    chain: S,
}

impl ResourceService<Transport> {
    /// A service at `host` (a host name or IP address), over HTTP on its default port; its name
    /// is the host until [`named`](Self::named) says otherwise.
    ///
    /// See [`ResourceService`] for an example.
    pub fn new(host: impl Into<String>) -> Self {
        let host = host.into();
        ResourceService {
            name: Arc::from(host.as_str()),
            host,
            protocol: Protocol::Http,
            port: None,
            client: reqwest::Client::new(),
            instrument: true,
            chain: Transport,
        }
    }
}

impl<S> ResourceService<S> {
    /// Names the service, as errors and spans will show it.
    ///
    /// See [`ResourceService`] for an example.
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Arc::from(name.into());
        self
    }

    /// Uses HTTP or HTTPS.
    ///
    /// See [`Protocol`] for an example.
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Uses `port` instead of the protocol's default.
    ///
    /// See [`ResourceService`] for an example.
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Sends requests with `client` (to share a connection pool, or configure TLS or proxies).
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1").with_client(reqwest::Client::new());
    /// # let _ = service;
    /// ```
    pub fn with_client(mut self, client: reqwest::Client) -> Self {
        self.client = client;
        self
    }

    /// Turns off the `tracing` span of each request, for the templates created afterwards.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1").without_instrumentation();
    /// # let _ = service;
    /// ```
    pub fn without_instrumentation(mut self) -> Self {
        self.instrument = false;
        self
    }

    /// The service's name.
    ///
    /// See [`ResourceService`] for an example.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `scheme://host:port`, without a trailing slash.
    ///
    /// See [`ResourceService`] for an example.
    pub fn base_url(&self) -> String {
        let port = self.port.unwrap_or(self.protocol.default_port());
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host) // an IPv6 address
        } else {
            self.host.clone()
        };
        format!("{}://{host}:{port}", self.protocol.scheme())
    }
}

impl<S: Chain<RequestContext, HttpResult> + Clone> ResourceService<S> {
    /// Adds a service-level component: it runs for every request of every template created
    /// afterwards, inside the template and request components.
    ///
    /// ```
    /// use weft::http::ResourceService;
    /// use weft::pipeline::pass_through;
    ///
    /// let service = ResourceService::new("127.0.0.1").with_component(pass_through());
    /// # let _ = service;
    /// ```
    pub fn with_component<X>(self, component: X) -> ResourceService<Layer<Arc<X>, S>>
    where
        X: Component<RequestContext, HttpResult>,
    {
        ResourceService {
            host: self.host,
            protocol: self.protocol,
            port: self.port,
            name: self.name,
            client: self.client,
            instrument: self.instrument,
            chain: Layer::new(Arc::new(component), self.chain),
        }
    }

    /// Adds a service-level closure component `|ctx, next| Box::pin(async move { .. })`.
    ///
    /// ```
    /// use weft::http::{HttpResult, RequestContext, ResourceService};
    /// use weft::pipeline::DynNext;
    ///
    /// let service = ResourceService::new("127.0.0.1").with_fn(
    ///     |ctx: &mut RequestContext, next: DynNext<'_, RequestContext, HttpResult>| {
    ///         Box::pin(async move {
    ///             ctx.headers.insert("x-client", "weft".parse().expect("a valid header value"));
    ///             next.run(ctx).await
    ///         })
    ///     },
    /// );
    /// # let _ = service;
    /// ```
    pub fn with_fn<F>(self, f: F) -> ResourceService<Layer<Arc<FnComponent<F>>, S>>
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

    /// A new request template named `name`: `GET`, no URI template (the service's root), and
    /// every 2xx response returned as a [`Response`].
    ///
    /// See [`RequestTemplate`] for what it configures.
    pub fn request_template(&self, name: impl Into<String>) -> RequestTemplate<Response, S> {
        let service = Arc::new(ServiceConfig {
            name: self.name.clone(),
            base_url: self.base_url(),
            client: self.client.clone(),
        });
        let spec = TemplateSpec {
            service,
            name: Arc::from(name.into()),
            method: Method::GET,
            uri: None,
            headers: HeaderMap::new(),
            computed_headers: Vec::new(),
            auth: None,
            timeout: None,
            retry: None,
            instrument: self.instrument,
        };
        RequestTemplate::new(spec, self.chain.clone()).handle_success(response())
    }
}

impl<S> fmt::Debug for ResourceService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceService")
            .field("name", &self.name)
            .field("base_url", &self.base_url())
            .field("instrument", &self.instrument)
            .finish_non_exhaustive()
    }
}
