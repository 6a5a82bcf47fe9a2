//! [`Error`]: every way a resource service call fails, naming the service and the template.

use std::sync::Arc;
use std::time::Duration;

use super::uri::UriTemplateError;

/// A boxed error from a user's handler or component.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a request to a resource service failed. Every variant names the service and the template.
///
/// ```
/// use weft::http::{Error, ResourceService};
///
/// let service = ResourceService::new("127.0.0.1").named("todos");
/// let err = service.request_template("get-todo").with_uri_template("/todos/{id").unwrap_err();
/// assert!(matches!(err, Error::InvalidUriTemplate { .. }));
/// assert_eq!(err.service(), "todos");
/// assert_eq!(err.template(), "get-todo");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URI template is not valid RFC 6570 (reported when the template is built).
    #[error("service `{service}`, template `{template}`: {source}")]
    InvalidUriTemplate {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// What is wrong with the URI template.
        #[source]
        source: UriTemplateError,
    },
    /// A parameter the URI template needs is missing (reported when the request executes).
    #[error("service `{service}`, template `{template}`: {source}")]
    MissingParameter {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// Which parameter.
        #[source]
        source: UriTemplateError,
    },
    /// Parameters could not be read from the value given to `with_parameters`.
    #[error("service `{service}`, template `{template}`: invalid parameters: {reason}")]
    InvalidParameters {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// What is wrong with them.
        reason: String,
    },
    /// A header name or value is invalid.
    #[error("service `{service}`, template `{template}`: invalid header `{name}`")]
    InvalidHeader {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// The header's name as given.
        name: String,
    },
    /// The service's host, port and the expanded URI do not make a valid URL.
    #[error("service `{service}`, template `{template}`: invalid URL `{url}`")]
    InvalidUrl {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// The URL that was attempted.
        url: String,
    },
    /// The request body could not be serialized to JSON.
    #[error("service `{service}`, template `{template}`: could not serialize the JSON body")]
    Serialize {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// The request could not be sent or its response not read (connection refused, reset…).
    #[error(
        "service `{service}`, template `{template}`: transport failure after {attempts} attempt(s)"
    )]
    Transport {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// How many attempts were made.
        attempts: u32,
        /// What the HTTP client said.
        #[source]
        source: reqwest::Error,
    },
    /// The last attempt took longer than the template's timeout.
    #[error(
        "service `{service}`, template `{template}`: timed out after {timeout:?} ({attempts} attempt(s))"
    )]
    Timeout {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// How many attempts were made.
        attempts: u32,
        /// The timeout of each attempt.
        timeout: Duration,
    },
    /// No handler was registered for the response's status.
    #[error("service `{service}`, template `{template}`: unhandled response status {status}")]
    UnexpectedStatus {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// The status code.
        status: u16,
    },
    /// The handler for the response's status failed (e.g. the JSON did not match).
    #[error(
        "service `{service}`, template `{template}`: could not handle the response with status {status}"
    )]
    Handler {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// The status code.
        status: u16,
        /// What the handler said.
        #[source]
        source: BoxError,
    },
    /// A user component failed.
    #[error("service `{service}`, template `{template}`: component failed")]
    Component {
        /// The service's name.
        service: Arc<str>,
        /// The template's name.
        template: Arc<str>,
        /// What the component said.
        #[source]
        source: BoxError,
    },
}

impl Error {
    /// The name of the service the request was for.
    ///
    /// See [`Error`] for an example.
    pub fn service(&self) -> &str {
        self.names().0
    }

    /// The name of the template the request was built from.
    ///
    /// See [`Error`] for an example.
    pub fn template(&self) -> &str {
        self.names().1
    }

    /// The response status, for the errors that have one.
    ///
    /// ```
    /// let err = weft::http::Error::UnexpectedStatus {
    ///     service: "todos".into(),
    ///     template: "get-todo".into(),
    ///     status: 500,
    /// };
    /// assert_eq!(err.status(), Some(500));
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::UnexpectedStatus { status, .. } | Error::Handler { status, .. } => Some(*status),
            _ => None,
        }
    }

    fn names(&self) -> (&str, &str) {
        match self {
            Error::InvalidUriTemplate { service, template, .. }
            | Error::MissingParameter { service, template, .. }
            | Error::InvalidParameters { service, template, .. }
            | Error::InvalidHeader { service, template, .. }
            | Error::InvalidUrl { service, template, .. }
            | Error::Serialize { service, template, .. }
            | Error::Transport { service, template, .. }
            | Error::Timeout { service, template, .. }
            | Error::UnexpectedStatus { service, template, .. }
            | Error::Handler { service, template, .. }
            | Error::Component { service, template, .. } => (service, template),
        }
    }
}
