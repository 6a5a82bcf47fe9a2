//! [`ResourceService`]: the first tier, a remote service and its service-level components.

use std::fmt;
use std::sync::Arc;

use super::components::Prepare;
use super::context::{HttpResult, Names, RequestContext};
use super::response::{Response, response};
use super::template::RequestTemplate;
use super::transport::Transport;
use weft_pipeline::{
    BoxFuture, Chain, Component, DynNext, Endpoint, FnComponent, Layer, Terminal, component_fn,
};

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

/// A remote resource service: where it lives, the components every one of its requests runs
/// through, and the transport that sends them.
///
/// The service's components are the **final-request stage**: they run below the template's
/// components (retry and timeout included), once per attempt, and see the
/// [final request](RequestContext::final_request) (method, full URL, headers, body) that the
/// transport will send; they may change it, e.g. to sign it. The transport, a [`Transport`] by
/// default, can be replaced by any endpoint ([`with_transport`](Self::with_transport)).
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
pub struct ResourceService<S = Terminal<Transport>> {
    host: String,
    protocol: Protocol,
    port: Option<u16>,
    name: Arc<str>,
    instrument: bool,
    chain: S,
}

impl ResourceService<Terminal<Transport>> {
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
            instrument: true,
            chain: Terminal::new(Transport::default()),
        }
    }

    /// Sends requests with `client` (to share a connection pool, or configure TLS or proxies).
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1").with_client(reqwest::Client::new());
    /// # let _ = service;
    /// ```
    pub fn with_client(self, client: reqwest::Client) -> Self {
        self.with_transport(Transport::new(client))
    }

    /// Sends requests with `transport` instead of a [`Transport`]: an in-memory fake in tests,
    /// another HTTP client, or a tower service ([`TowerTransport`](crate::TowerTransport)).
    /// Call it before adding service components. Each template gets a clone of it.
    ///
    /// A fake that answers from memory tests a template with no server:
    ///
    /// ```
    /// use weft::http::{HttpResult, RequestContext, ResourceService, Response, json};
    /// use weft::pipeline::Endpoint;
    ///
    /// /// Answers every request with its own URL, as JSON.
    /// #[derive(Clone)]
    /// struct Echo;
    /// impl Endpoint<RequestContext, HttpResult> for Echo {
    ///     async fn call(&self, ctx: &mut RequestContext) -> HttpResult {
    ///         let request = ctx.final_request.take().expect("the template prepared it");
    ///         let body = serde_json::to_vec(&request.uri().to_string()).expect("a string");
    ///         Ok(Response::new(200, Default::default(), body))
    ///     }
    /// }
    ///
    /// let service = ResourceService::new("todos.test").with_transport(Echo);
    /// let get_todo = service
    ///     .request_template("get-todo")
    ///     .with_uri_template("/todos/{id}")?
    ///     .returning::<String>()
    ///     .handle_when(200, json::<String>());
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let url = get_todo.create_request().with_parameter("id", "a b").execute().await?;
    /// assert_eq!(url, "http://todos.test:80/todos/a%20b");
    /// # Ok::<_, weft::http::Error>(()) }).unwrap();
    /// # Ok::<_, weft::http::Error>(())
    /// ```
    pub fn with_transport<E>(self, transport: E) -> ResourceService<Terminal<E>>
    where
        E: Endpoint<RequestContext, HttpResult> + Clone,
    {
        ResourceService {
            host: self.host,
            protocol: self.protocol,
            port: self.port,
            name: self.name,
            instrument: self.instrument,
            chain: Terminal::new(transport),
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
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host) // an IPv6 address
        } else {
            self.host.clone()
        };
        let port = self.port.unwrap_or(self.protocol.default_port());
        format!("{}://{host}:{port}", self.protocol.scheme())
    }
}

impl<S: Chain<RequestContext, HttpResult> + Clone> ResourceService<S> {
    /// Adds a service-level component: it runs for every attempt of every request of every
    /// template created afterwards, below the template's components, and sees the
    /// [final request](RequestContext::final_request).
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
    /// every 2xx response returned as a [`Response`]. Its first component is [`Prepare`], which
    /// builds the final request of each attempt above the service's components.
    ///
    /// See [`RequestTemplate`] for what it configures.
    pub fn request_template(
        &self,
        name: impl Into<String>,
    ) -> RequestTemplate<Response, Layer<Prepare, S>> {
        let names = Arc::new(Names {
            service: self.name.clone(),
            template: Arc::from(name.into()),
            base_url: Arc::from(self.base_url()),
        });
        RequestTemplate::new(names, self.instrument, Layer::new(Prepare, self.chain.clone()))
            .handle_success(response())
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
