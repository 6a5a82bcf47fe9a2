//! [`Error`]: every way a resource-service call fails, naming the service and the template.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A boxed error from a user's handler or component.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a request to a resource service failed: the service, the template, what kind of failure
/// ([`ErrorKind`]) and its cause ([`source`](std::error::Error::source)), in the shape of
/// `std::io::Error` and `reqwest::Error`.
///
/// ```
/// use weft::http::{ErrorKind, ResourceService};
///
/// let service = ResourceService::new("127.0.0.1").named("todos");
/// let err = service.request_template("get-todo").with_uri_template("/todos/{id").unwrap_err();
/// assert_eq!(err.kind(), &ErrorKind::InvalidUriTemplate);
/// assert_eq!(err.service(), "todos");
/// assert_eq!(err.template(), "get-todo");
/// assert!(err.to_string().starts_with("service `todos`, template `get-todo`: invalid URI template"));
/// ```
pub struct Error {
    // Boxed, so that `Result<Response, Error>` stays small on the happy path.
    inner: Box<Inner>,
}

struct Inner {
    service: Arc<str>,
    template: Arc<str>,
    kind: ErrorKind,
    source: Option<BoxError>,
}

/// What kind of failure an [`Error`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The URI template is not valid RFC 6570 (reported when the template is built).
    InvalidUriTemplate,
    /// The parameters do not fit the URI template (missing, unused, not a map…); the source
    /// says which.
    Parameters,
    /// A header name or value is invalid.
    InvalidHeader {
        /// The header's name as given.
        name: String,
    },
    /// The service's address and the expanded URI do not make a valid URL.
    InvalidUrl {
        /// The URL that was attempted.
        url: String,
    },
    /// The request body could not be serialized to JSON.
    Serialize,
    /// The request could not be sent or its response not read (connection refused, reset…).
    Transport {
        /// How many attempts were made.
        attempts: u32,
    },
    /// An attempt (or the whole request, see
    /// [`with_timeout`](crate::RequestTemplate::with_timeout)) took longer than its time limit.
    Timeout {
        /// How many attempts were made.
        attempts: u32,
        /// The time limit.
        timeout: Duration,
    },
    /// The response body is larger than the template's limit
    /// ([`with_max_response_bytes`](crate::RequestTemplate::with_max_response_bytes)).
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// No handler was registered for the response's status.
    UnexpectedStatus {
        /// The status code.
        status: u16,
    },
    /// The handler for the response's status failed (e.g. the JSON did not match).
    Handler {
        /// The status code.
        status: u16,
    },
    /// A component failed (a user's, or a tower layer's).
    Component,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::InvalidUriTemplate => f.write_str("invalid URI template"),
            ErrorKind::Parameters => f.write_str("the parameters do not fit the URI template"),
            ErrorKind::InvalidHeader { name } => write!(f, "invalid header `{name}`"),
            ErrorKind::InvalidUrl { url } => write!(f, "invalid URL `{url}`"),
            ErrorKind::Serialize => f.write_str("could not serialize the JSON body"),
            ErrorKind::Transport { attempts } => {
                write!(f, "transport failure after {attempts} attempt(s)")
            }
            ErrorKind::Timeout { attempts, timeout } => {
                write!(f, "timed out after {timeout:?} ({attempts} attempt(s))")
            }
            ErrorKind::BodyTooLarge { limit } => {
                write!(f, "the response body is larger than the limit of {limit} bytes")
            }
            ErrorKind::UnexpectedStatus { status } => {
                write!(f, "unhandled response status {status}")
            }
            ErrorKind::Handler { status } => {
                write!(f, "could not handle the response with status {status}")
            }
            ErrorKind::Component => f.write_str("component failed"),
        }
    }
}

impl Error {
    /// An error of `kind` for the template `template` of the service `service`.
    ///
    /// Components usually call [`RequestContext::error`](crate::RequestContext::error), which
    /// fills in the names.
    ///
    /// ```
    /// use weft::http::{Error, ErrorKind};
    ///
    /// let err = Error::new("todos", "get-todo", ErrorKind::UnexpectedStatus { status: 500 });
    /// assert_eq!(err.status(), Some(500));
    /// assert_eq!(err.to_string(), "service `todos`, template `get-todo`: unhandled response status 500");
    /// ```
    pub fn new(
        service: impl Into<Arc<str>>,
        template: impl Into<Arc<str>>,
        kind: ErrorKind,
    ) -> Self {
        Error {
            inner: Box::new(Inner {
                service: service.into(),
                template: template.into(),
                kind,
                source: None,
            }),
        }
    }

    /// The same error, caused by `source`.
    ///
    /// ```
    /// use std::error::Error as _;
    /// use weft::http::{Error, ErrorKind};
    ///
    /// let err = Error::new("s", "t", ErrorKind::Component).with_source("quota exceeded");
    /// assert_eq!(err.source().map(|s| s.to_string()).as_deref(), Some("quota exceeded"));
    /// ```
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// The name of the service the request was for.
    ///
    /// See [`Error`] for an example.
    pub fn service(&self) -> &str {
        &self.inner.service
    }

    /// The name of the template the request was built from.
    ///
    /// See [`Error`] for an example.
    pub fn template(&self) -> &str {
        &self.inner.template
    }

    /// What kind of failure this is.
    ///
    /// See [`Error`] for an example.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The response status, for the errors that have one.
    ///
    /// See [`Error::new`] for an example.
    pub fn status(&self) -> Option<u16> {
        match self.inner.kind {
            ErrorKind::UnexpectedStatus { status } | ErrorKind::Handler { status } => Some(status),
            _ => None,
        }
    }

    /// How many attempts were made, for transport failures and timeouts.
    ///
    /// ```
    /// use weft::http::{Error, ErrorKind};
    ///
    /// let err = Error::new("s", "t", ErrorKind::Transport { attempts: 3 });
    /// assert_eq!(err.attempts(), Some(3));
    /// ```
    pub fn attempts(&self) -> Option<u32> {
        match self.inner.kind {
            ErrorKind::Transport { attempts } | ErrorKind::Timeout { attempts, .. } => {
                Some(attempts)
            }
            _ => None,
        }
    }

    /// Sets the attempt count of a transport failure or timeout.
    pub(crate) fn set_attempts(&mut self, count: u32) {
        if let ErrorKind::Transport { attempts } | ErrorKind::Timeout { attempts, .. } =
            &mut self.inner.kind
        {
            *attempts = count;
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("service", &self.inner.service)
            .field("template", &self.inner.template)
            .field("kind", &self.inner.kind)
            .field("source", &self.inner.source)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "service `{}`, template `{}`: {}",
            self.inner.service, self.inner.template, self.inner.kind
        )
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|source| source as &(dyn std::error::Error + 'static))
    }
}
