//! [`Request`]: the third tier — parameters, a body, request-level components, and execution.

use std::fmt;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use serde::Serialize;

use super::components::{Instrument, SetParameters};
use super::context::{HttpResult, RequestContext};
use super::error::{Error, ErrorKind};
use super::response::Handlers;
use super::uri::ParamValue;
use weft_pipeline::{BoxFuture, Chain, Component, DynNext, FnComponent, Layer, component_fn};

/// One request, made by [`RequestTemplate::create_request`](super::RequestTemplate::create_request).
///
/// Builder methods never fail on the spot: a bad parameter, header or body is reported by
/// [`execute`](Self::execute), so a chain of calls stays a chain. Parameters are components
/// ([`SetParameters`](crate::components::SetParameters)), as Twine's `withParameters`; headers
/// and the body go straight into the [context](Self::context).
///
/// ```no_run
/// use weft::http::{ResourceService, json, none};
///
/// #[derive(serde::Deserialize)]
/// struct Todo {
///     title: String,
/// }
///
/// # async fn run() -> Result<(), weft::http::Error> {
/// let service = ResourceService::new("127.0.0.1").with_port(8080);
/// let get_todo = service
///     .request_template("get-todo")
///     .with_uri_template("/todos/{id}")?
///     .returning::<Option<Todo>>()
///     .handle_when(200, json::<Todo>())
///     .handle_when(404, none());
/// let todo = get_todo.create_request().with_parameters(serde_json::json!({ "id": 1 })).execute().await?;
/// println!("{:?}", todo.map(|t| t.title));
/// # Ok(()) }
/// ```
pub struct Request<'t, R, Q> {
    ctx: RequestContext,
    handlers: &'t Handlers<R>,
    instrument: bool,
    chain: Q,
    error: Option<Error>,
}

impl<'t, R, Q> Request<'t, R, Q> {
    pub(crate) fn new(
        ctx: RequestContext,
        handlers: &'t Handlers<R>,
        instrument: bool,
        chain: Q,
    ) -> Self {
        Request { ctx, handlers, instrument, chain, error: None }
    }

    fn fail(&mut self, error: Error) {
        self.error.get_or_insert(error);
    }

    fn layer<X>(self, component: X) -> Request<'t, R, Layer<X, Q>> {
        Request {
            ctx: self.ctx,
            handlers: self.handlers,
            instrument: self.instrument,
            chain: Layer::new(component, self.chain),
            error: self.error,
        }
    }

    /// The request's context, as its components will first see it (parameters are set by their
    /// components, when the request executes).
    ///
    /// See [`RequestContext`] for an example.
    pub fn context(&self) -> &RequestContext {
        &self.ctx
    }

    /// The request's context, to change before it executes.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t");
    /// let mut request = template.create_request();
    /// request.context_mut().extensions.insert(42u32);
    /// ```
    pub fn context_mut(&mut self) -> &mut RequestContext {
        &mut self.ctx
    }

    /// Sets one parameter; adds a [`SetParameters`](crate::components::SetParameters)
    /// component. A later call wins for the same name.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("get-todo").with_uri_template("/todos/{id}")?;
    /// let request = template.create_request().with_parameter("id", 1);
    /// # let _ = request;
    /// # Ok::<_, weft::http::Error>(())
    /// ```
    pub fn with_parameter(
        self,
        name: impl Into<String>,
        value: impl Into<ParamValue>,
    ) -> Request<'t, R, Layer<SetParameters, Q>> {
        self.layer(SetParameters(Ok(vec![(name.into(), value.into())])))
    }

    /// Sets parameters from any value that serializes to a map (a struct, a `HashMap`,
    /// `serde_json::json!({ .. })`), as Twine's `withParameters({ id: 1 })`. Strings, numbers
    /// and booleans become values, arrays lists, maps key-value pairs; `null` is left out.
    ///
    /// Adds a [`SetParameters`](crate::components::SetParameters) component; a value that is
    /// not a map fails the request with [`ErrorKind::Parameters`] when it executes.
    ///
    /// See [`Request`] for an example.
    pub fn with_parameters(
        self,
        parameters: impl Serialize,
    ) -> Request<'t, R, Layer<SetParameters, Q>> {
        self.layer(SetParameters(to_parameters(parameters)))
    }

    /// Sets a header of this request; the template's header of that name is then left out.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t");
    /// let request = template.create_request().with_header("x-request-id", "42");
    /// assert_eq!(request.context().headers["x-request-id"], "42");
    /// ```
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(name), Ok(value)) => {
                self.ctx.headers.append(name, value);
            }
            _ => {
                let error = self.ctx.error(ErrorKind::InvalidHeader { name: name.to_owned() });
                self.fail(error);
            }
        }
        self
    }

    /// Sends `body` as is.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t");
    /// let request = template.create_request().with_body("raw bytes");
    /// assert_eq!(request.context().body.as_deref(), Some(&b"raw bytes"[..]));
    /// ```
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.ctx.body = Some(body.into());
        self
    }

    /// Sends `body` as JSON, with `content-type: application/json`.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t");
    /// let request = template.create_request().with_json_body(&serde_json::json!({ "done": true }));
    /// assert_eq!(request.context().body.as_deref(), Some(&br#"{"done":true}"#[..]));
    /// ```
    pub fn with_json_body<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => {
                self.ctx.body = Some(Bytes::from(bytes));
                self.ctx.headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            Err(source) => {
                let error = self.ctx.error(ErrorKind::Serialize).with_source(source);
                self.fail(error);
            }
        }
        self
    }

    /// Stores a value of your own in the context's extensions.
    ///
    /// ```
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t");
    /// let request = template.create_request().with_extension(7u8);
    /// assert_eq!(request.context().extensions.get::<u8>(), Some(&7));
    /// ```
    pub fn with_extension<X: Send + Sync + 'static>(mut self, value: X) -> Self {
        self.ctx.extensions.insert(value);
        self
    }
}

impl<'t, R: 'static, Q: Chain<RequestContext, HttpResult>> Request<'t, R, Q> {
    /// Adds a request-level component: the outermost, it runs before the template's.
    ///
    /// ```
    /// use weft::pipeline::pass_through;
    ///
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t");
    /// let request = template.create_request().with_component(pass_through());
    /// # let _ = request;
    /// ```
    pub fn with_component<X>(self, component: X) -> Request<'t, R, Layer<X, Q>>
    where
        X: Component<RequestContext, HttpResult>,
    {
        self.layer(component)
    }

    /// Adds a request-level closure component `|ctx, next| Box::pin(async move { .. })`.
    ///
    /// ```
    /// use weft::http::{HttpResult, RequestContext};
    /// use weft::pipeline::DynNext;
    ///
    /// let service = weft::http::ResourceService::new("127.0.0.1");
    /// let template = service.request_template("t");
    /// let request = template.create_request().with_fn(
    ///     |ctx: &mut RequestContext, next: DynNext<'_, RequestContext, HttpResult>| {
    ///         Box::pin(async move { next.run(ctx).await })
    ///     },
    /// );
    /// # let _ = request;
    /// ```
    pub fn with_fn<F>(self, f: F) -> Request<'t, R, Layer<FnComponent<F>, Q>>
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

    /// Runs the request through its components (request, then template, then service) and the
    /// transport, inside an [`Instrument`](crate::components::Instrument) span, then hands the
    /// response to the handler for its status.
    ///
    /// See [`Request`] for an example.
    pub async fn execute(self) -> Result<R, Error> {
        let Request { mut ctx, handlers, instrument, chain, error } = self;
        if let Some(error) = error {
            return Err(error);
        }
        let chain = Layer::new(Instrument { enabled: instrument }, chain);
        let response = chain.run(&mut ctx).await?;
        let status = response.status();
        match handlers.find(status) {
            Some(handler) => handler
                .handle(response)
                .map_err(|source| ctx.error(ErrorKind::Handler { status }).with_source(source)),
            None => Err(ctx.error(ErrorKind::UnexpectedStatus { status })),
        }
    }
}

impl<R, Q> fmt::Debug for Request<'_, R, Q> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request").field("ctx", &self.ctx).field("error", &self.error).finish()
    }
}

fn to_parameters(parameters: impl Serialize) -> Result<Vec<(String, ParamValue)>, String> {
    use serde_json::Value;
    fn scalar(value: Value) -> Result<Option<String>, String> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s)),
            Value::Bool(b) => Ok(Some(b.to_string())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Array(_) | Value::Object(_) => {
                Err("nested arrays and objects cannot be URI parameters".to_owned())
            }
        }
    }
    let Value::Object(map) = serde_json::to_value(parameters).map_err(|e| e.to_string())? else {
        return Err("parameters must serialize to a map".to_owned());
    };
    let mut values = Vec::with_capacity(map.len());
    for (name, value) in map {
        let value = match value {
            Value::Array(items) => ParamValue::List(
                items
                    .into_iter()
                    .filter_map(|v| scalar(v).transpose())
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(pairs) => {
                let mut assoc = Vec::with_capacity(pairs.len());
                for (key, v) in pairs {
                    if let Some(v) = scalar(v)? {
                        assoc.push((key, v));
                    }
                }
                ParamValue::Assoc(assoc)
            }
            other => match scalar(other)? {
                Some(v) => ParamValue::String(v),
                None => continue,
            },
        };
        values.push((name, value));
    }
    Ok(values)
}
