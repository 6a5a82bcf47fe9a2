//! [`Response`] and the handlers that turn it into a template's result.

use std::fmt;
use std::marker::PhantomData;

use bytes::Bytes;
use http::StatusCode;
use http::header::HeaderMap;
use serde::de::DeserializeOwned;

use super::error::BoxError;

/// A response, read in full: status, headers and body.
///
/// ```
/// use weft::http::Response;
///
/// let response = Response::new(200, Default::default(), r#"{"id":1}"#);
/// assert_eq!(response.status(), 200);
/// let value: serde_json::Value = response.json()?;
/// assert_eq!(value["id"], 1);
/// # Ok::<_, serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct Response {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Response {
    /// A response with `status` (an invalid code becomes 500), `headers` and `body`.
    ///
    /// See [`Response`] for an example.
    pub fn new(status: u16, headers: HeaderMap, body: impl Into<Bytes>) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Response { status, headers, body: body.into() }
    }

    /// A response from its parts, e.g. in a transport of your own.
    ///
    /// ```
    /// use weft::http::{Response, StatusCode};
    ///
    /// let response = Response::from_parts(StatusCode::CREATED, Default::default(), "".into());
    /// assert_eq!(response.status(), 201);
    /// ```
    pub fn from_parts(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Response { status, headers, body }
    }

    /// The status as an [`http::StatusCode`].
    ///
    /// ```
    /// let response = weft::http::Response::new(404, Default::default(), "");
    /// assert_eq!(response.status_code(), weft::http::StatusCode::NOT_FOUND);
    /// ```
    pub fn status_code(&self) -> StatusCode {
        self.status
    }

    /// This response as an `http::Response`.
    pub(crate) fn into_http(self) -> http::Response<Bytes> {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }

    /// An `http::Response` as a response; `None` if its body is longer than `limit` bytes.
    pub(crate) fn from_http(response: http::Response<Bytes>, limit: usize) -> Option<Self> {
        let (parts, body) = response.into_parts();
        (body.len() <= limit).then(|| Response::from_parts(parts.status, parts.headers, body))
    }

    /// The status code.
    ///
    /// See [`Response`] for an example.
    pub fn status(&self) -> u16 {
        self.status.as_u16()
    }

    /// The headers.
    ///
    /// ```
    /// let response = weft::http::Response::new(204, Default::default(), "");
    /// assert!(response.headers().is_empty());
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    ///
    /// ```
    /// let response = weft::http::Response::new(200, Default::default(), "ok");
    /// assert_eq!(&response.body()[..], b"ok");
    /// ```
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as UTF-8 text (invalid sequences replaced).
    ///
    /// ```
    /// let response = weft::http::Response::new(200, Default::default(), "ok");
    /// assert_eq!(response.text(), "ok");
    /// ```
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body, deserialized from JSON.
    ///
    /// See [`Response`] for an example.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Turns a response with a given status into the template's result `R`.
///
/// Register handlers with
/// [`RequestTemplate::handle_when`](super::RequestTemplate::handle_when). Closures
/// `Fn(Response) -> Result<R, BoxError>` are handlers too.
///
/// ```
/// use weft::http::{BoxError, Handler, Response};
///
/// let length = |response: Response| -> Result<usize, BoxError> { Ok(response.body().len()) };
/// assert_eq!(length.handle(Response::new(200, Default::default(), "abc"))?, 3);
/// # Ok::<_, BoxError>(())
/// ```
pub trait Handler<R>: Send + Sync + 'static {
    /// Handles `response`.
    fn handle(&self, response: Response) -> Result<R, BoxError>;
}

impl<R, F> Handler<R> for F
where
    F: Fn(Response) -> Result<R, BoxError> + Send + Sync + 'static,
{
    fn handle(&self, response: Response) -> Result<R, BoxError> {
        self(response)
    }
}

/// Deserializes the body as JSON `T`, into any `R: From<T>` (`T` itself, `Option<T>`…).
///
/// ```
/// use weft::http::{Handler, Response, json};
///
/// let handler = json::<Vec<u32>>();
/// let some: Option<Vec<u32>> = handler.handle(Response::new(200, Default::default(), "[1,2]"))?;
/// assert_eq!(some, Some(vec![1, 2]));
/// # Ok::<_, weft::http::BoxError>(())
/// ```
pub fn json<T: DeserializeOwned>() -> Json<T> {
    Json(PhantomData)
}

/// See [`json`].
pub struct Json<T>(PhantomData<fn() -> T>);

impl<T> fmt::Debug for Json<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Json<{}>", std::any::type_name::<T>())
    }
}

impl<T: DeserializeOwned + 'static, R: From<T>> Handler<R> for Json<T> {
    fn handle(&self, response: Response) -> Result<R, BoxError> {
        Ok(R::from(response.json::<T>()?))
    }
}

/// Yields `None`, whatever the body: e.g. for 404 on a lookup.
///
/// ```
/// use weft::http::{Handler, Response, none};
///
/// let nothing: Option<u32> = none().handle(Response::new(404, Default::default(), ""))?;
/// assert_eq!(nothing, None);
/// # Ok::<_, weft::http::BoxError>(())
/// ```
pub fn none() -> NoneHandler {
    NoneHandler
}

/// See [`none`].
#[derive(Clone, Copy, Debug)]
pub struct NoneHandler;

impl<T> Handler<Option<T>> for NoneHandler {
    fn handle(&self, _response: Response) -> Result<Option<T>, BoxError> {
        Ok(None)
    }
}

/// Yields the response itself, into any `R: From<Response>`.
///
/// ```
/// use weft::http::{Handler, Response, response};
///
/// let r: Response = response().handle(Response::new(201, Default::default(), ""))?;
/// assert_eq!(r.status(), 201);
/// # Ok::<_, weft::http::BoxError>(())
/// ```
pub fn response() -> RawResponse {
    RawResponse
}

/// See [`response`].
#[derive(Clone, Copy, Debug)]
pub struct RawResponse;

impl<R: From<Response>> Handler<R> for RawResponse {
    fn handle(&self, response: Response) -> Result<R, BoxError> {
        Ok(R::from(response))
    }
}

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

/// The handlers of a template, in the order they were added.
pub(crate) struct Handlers<R> {
    handlers: Vec<(StatusMatch, Box<dyn Handler<R>>)>,
}

impl<R> Handlers<R> {
    pub(crate) fn new() -> Self {
        Handlers { handlers: Vec::new() }
    }

    pub(crate) fn push(&mut self, status: StatusMatch, handler: Box<dyn Handler<R>>) {
        self.handlers.push((status, handler));
    }

    pub(crate) fn find(&self, status: u16) -> Option<&dyn Handler<R>> {
        // A later `handle_when` wins over an earlier one, and an exact status over `Success`.
        let exact = self.handlers.iter().rev().find(|(m, _)| *m == StatusMatch::Exact(status));
        let any = || self.handlers.iter().rev().find(|(m, _)| m.matches(status));
        exact.or_else(any).map(|(_, handler)| handler.as_ref())
    }
}
