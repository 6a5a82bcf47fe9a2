//! The built-in components the tier methods add, as Twine's `withMethod`, `withUriTemplate` and
//! `withParameters` add theirs.
//!
//! Each is a typed [`Component`]: it costs no allocation per call. They run in Twine's order: the
//! one added last runs first, so a component added before a built-in (it runs after it) sees its
//! effect in its before phase, and one added after it (it runs first) sees it in its after phase.
//! When a setter is called twice, the last call wins: the earlier one's component finds the value
//! already set and leaves it.
//!
//! | tier | method | component | what it does |
//! |---|---|---|---|
//! | request | `with_parameter(s)` | [`SetParameters`] | adds parameters (a later call wins per name) |
//! | template | `with_method` | [`SetMethod`] | sets [`RequestContext::method`] |
//! | template | `with_uri_template` | [`SetUriTemplate`] | sets [`RequestContext::uri_template`] |
//! | template | `with_header`, `with_computed_header` | [`SetHeader`], [`ComputeHeader`] | sets a header unless one of that name is set already |
//! | template | `with_bearer_auth`, `with_basic_auth` | [`SetCredentials`] | sets [`RequestContext::credentials`] |
//! | template | `with_timeout` | [`Timeout`] | bounds the time of what it wraps |
//! | template | `with_retry` | [`Retry`] | runs what it wraps again, as its [`RetryStrategy`] says |
//! | template | `with_max_response_bytes` | [`SetMaxResponseBytes`] | limits the response body |
//! | template | `on_unused_parameters` | [`SetUnusedParameters`] | what to do with extra parameters |
//! | template | (first, innermost) | [`Prepare`] | builds the final request of each attempt |
//! | request | `execute` (outermost) | [`Instrument`] | the `weft.http.request` span |
//!
//! Below [`Prepare`] sit the service's components, the final-request stage, and the transport.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use http::header::{AUTHORIZATION, HeaderName, HeaderValue, RETRY_AFTER};
use http::{Method, Uri};
use tracing::Instrument as _;
use tracing::field::Empty;
use weft_pipeline::{Chain, Component, Next};

use super::context::{Credentials, FinalRequest, HttpResult, RequestContext};
use super::error::{Error, ErrorKind};
use super::response::Response;
use super::retry::RetryStrategy;
use super::uri::{ParamValue, UnusedParameters, UriTemplate};

// Which single-valued setters have run (see `RequestContext::assign`).
const METHOD: u8 = 1;
const URI_TEMPLATE: u8 = 1 << 1;
const CREDENTIALS: u8 = 1 << 2;
const RETRY: u8 = 1 << 3;
const MAX_RESPONSE_BYTES: u8 = 1 << 4;
const UNUSED_PARAMETERS: u8 = 1 << 5;

/// Sets the method; added by [`RequestTemplate::with_method`](crate::RequestTemplate::with_method).
#[derive(Clone, Debug)]
pub struct SetMethod(pub(crate) Method);

impl Component<RequestContext, HttpResult> for SetMethod {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        if ctx.assign(METHOD) {
            ctx.method = self.0.clone();
        }
        next.run(ctx).await
    }
}

/// Sets the URI template; added by
/// [`RequestTemplate::with_uri_template`](crate::RequestTemplate::with_uri_template).
#[derive(Clone, Debug)]
pub struct SetUriTemplate(pub(crate) UriTemplate);

impl Component<RequestContext, HttpResult> for SetUriTemplate {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        if ctx.assign(URI_TEMPLATE) {
            ctx.uri_template = Some(self.0.clone());
        }
        next.run(ctx).await
    }
}

/// Sets a header unless one of that name is set already (by the request, or a later call);
/// added by [`RequestTemplate::with_header`](crate::RequestTemplate::with_header).
#[derive(Clone, Debug)]
pub struct SetHeader {
    pub(crate) name: HeaderName,
    pub(crate) value: HeaderValue,
}

impl Component<RequestContext, HttpResult> for SetHeader {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        if !ctx.headers.contains_key(&self.name) {
            ctx.headers.insert(self.name.clone(), self.value.clone());
        }
        next.run(ctx).await
    }
}

/// A header value computed from the context.
pub(crate) type Compute = Arc<dyn Fn(&RequestContext) -> Option<String> + Send + Sync>;

/// Computes a header from the context when it runs, unless one of that name is set already;
/// added by [`RequestTemplate::with_computed_header`](crate::RequestTemplate::with_computed_header).
#[derive(Clone)]
pub struct ComputeHeader {
    pub(crate) name: HeaderName,
    pub(crate) compute: Compute,
}

impl fmt::Debug for ComputeHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ComputeHeader").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Component<RequestContext, HttpResult> for ComputeHeader {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        let computed =
            if ctx.headers.contains_key(&self.name) { None } else { (self.compute)(ctx) };
        if let Some(value) = computed {
            let Ok(value) = HeaderValue::from_str(&value) else {
                return Err(ctx.error(ErrorKind::InvalidHeader { name: self.name.to_string() }));
            };
            ctx.headers.insert(self.name.clone(), value);
        }
        next.run(ctx).await
    }
}

/// Sets the credentials; added by
/// [`RequestTemplate::with_bearer_auth`](crate::RequestTemplate::with_bearer_auth) and
/// [`with_basic_auth`](crate::RequestTemplate::with_basic_auth).
#[derive(Clone, Debug)]
pub struct SetCredentials(pub(crate) Credentials);

impl Component<RequestContext, HttpResult> for SetCredentials {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        if ctx.assign(CREDENTIALS) {
            ctx.credentials = Some(self.0.clone());
        }
        next.run(ctx).await
    }
}

/// Sets the response body limit; added by
/// [`RequestTemplate::with_max_response_bytes`](crate::RequestTemplate::with_max_response_bytes).
#[derive(Clone, Copy, Debug)]
pub struct SetMaxResponseBytes(pub(crate) usize);

impl Component<RequestContext, HttpResult> for SetMaxResponseBytes {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        if ctx.assign(MAX_RESPONSE_BYTES) {
            ctx.max_response_bytes = self.0;
        }
        next.run(ctx).await
    }
}

/// Says what to do with unused parameters; added by
/// [`RequestTemplate::on_unused_parameters`](crate::RequestTemplate::on_unused_parameters).
#[derive(Clone, Copy, Debug)]
pub struct SetUnusedParameters(pub(crate) UnusedParameters);

impl Component<RequestContext, HttpResult> for SetUnusedParameters {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        if ctx.assign(UNUSED_PARAMETERS) {
            ctx.unused_parameters = self.0;
        }
        next.run(ctx).await
    }
}

/// Adds parameters; added by [`Request::with_parameter`](crate::Request::with_parameter) and
/// [`with_parameters`](crate::Request::with_parameters). A value that could not be read fails
/// the request with [`ErrorKind::Parameters`].
#[derive(Clone, Debug)]
pub struct SetParameters(pub(crate) Result<Vec<(String, ParamValue)>, String>);

impl Component<RequestContext, HttpResult> for SetParameters {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        match &self.0 {
            Ok(values) => {
                for (name, value) in values {
                    // The request's later calls ran first: they win.
                    ctx.parameters.entry(name.clone()).or_insert_with(|| value.clone());
                }
            }
            Err(reason) => {
                return Err(ctx.error(ErrorKind::Parameters).with_source(reason.clone()));
            }
        }
        next.run(ctx).await
    }
}

/// Bounds the time of everything it wraps; added by
/// [`RequestTemplate::with_timeout`](crate::RequestTemplate::with_timeout).
#[derive(Clone, Copy, Debug)]
pub struct Timeout(pub(crate) Duration);

impl Component<RequestContext, HttpResult> for Timeout {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        let outcome = tokio::time::timeout(self.0, next.run(ctx)).await;
        match outcome {
            Ok(result) => result,
            Err(_) => {
                Err(ctx.error(ErrorKind::Timeout { attempts: ctx.attempts, timeout: self.0 }))
            }
        }
    }
}

/// Runs what it wraps again as its [`RetryStrategy`] says; added by
/// [`RequestTemplate::with_retry`](crate::RequestTemplate::with_retry).
#[derive(Clone, Debug)]
pub struct Retry(pub(crate) RetryStrategy);

impl Component<RequestContext, HttpResult> for Retry {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        if !ctx.assign(RETRY) {
            return next.run(ctx).await; // a later `with_retry` is in charge
        }
        let strategy = &self.0;
        let mut retries = 0;
        loop {
            let mut result = next.run(ctx).await;
            if let Err(error) = &mut result {
                error.set_attempts(ctx.attempts);
            }
            let asked = match &result {
                Ok(response) if strategy.retries_status(response.status()) => {
                    retry_after(response, SystemTime::now())
                }
                Err(error) if strategy.retries_error(error) => None,
                _ => return result,
            };
            if retries >= strategy.max_retries() {
                return result;
            }
            if !strategy.allows(&ctx.method) {
                tracing::warn!(
                    service = ctx.service(),
                    template = ctx.template(),
                    method = %ctx.method,
                    "not retrying: the method is not idempotent; \
                     `RetryStrategy::for_any_method()` retries it anyway"
                );
                return result;
            }
            retries += 1;
            let delay = strategy.sleep_before(retries, asked);
            tracing::debug!(attempt = ctx.attempts, ?delay, "retrying request");
            tokio::time::sleep(delay).await;
        }
    }
}

/// The delay a `Retry-After` header asks for: delay-seconds, or an HTTP-date (RFC 9110 §10.2.3)
/// measured from `now`.
pub(crate) fn retry_after(response: &Response, now: SystemTime) -> Option<Duration> {
    let value = response.headers().get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Builds the final request of each attempt from the context: expands the URI template, adds the
/// credentials, and counts the attempt. The template adds it first, so it runs below every other
/// template component, retry and timeout included; the service's components (the final-request
/// stage) and the transport run below it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Prepare;

impl Component<RequestContext, HttpResult> for Prepare {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        ctx.attempts += 1;
        let request = prepare(ctx)?;
        ctx.final_request = Some(request);
        next.run(ctx).await
    }
}

fn prepare(ctx: &mut RequestContext) -> Result<FinalRequest, Error> {
    let path = match &ctx.uri_template {
        Some(template) => template.expand_with(&ctx.parameters, ctx.unused_parameters),
        None => UriTemplate::root().expand_with(&ctx.parameters, ctx.unused_parameters),
    }
    .map_err(|source| ctx.error(ErrorKind::Parameters).with_source(source))?;
    let separator = if path.is_empty() || path.starts_with(['/', '?', '#']) { "" } else { "/" };
    let url = format!("{}{separator}{path}", ctx.base_url());
    let uri = Uri::try_from(url.as_str()).map_err(|source| {
        ctx.error(ErrorKind::InvalidUrl { url: url.clone() }).with_source(source)
    })?;
    let mut headers = ctx.headers.clone();
    if let Some(credentials) =
        ctx.credentials.as_ref().filter(|_| !headers.contains_key(AUTHORIZATION))
    {
        let value = authorization(credentials).ok_or_else(|| {
            ctx.error(ErrorKind::InvalidHeader { name: AUTHORIZATION.to_string() })
        })?;
        headers.insert(AUTHORIZATION, value);
    }
    ctx.request_path = Some(path);
    let mut request = FinalRequest::new(ctx.body.clone().unwrap_or_default());
    *request.method_mut() = ctx.method.clone();
    *request.uri_mut() = uri;
    *request.headers_mut() = headers;
    Ok(request)
}

fn authorization(credentials: &Credentials) -> Option<HeaderValue> {
    let text = match credentials {
        Credentials::Bearer(token) => format!("Bearer {token}"),
        Credentials::Basic { user, password } => {
            let pair = format!("{user}:{}", password.as_deref().unwrap_or(""));
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair))
        }
    };
    let mut value = HeaderValue::from_str(&text).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// The `weft.http.request` span around a whole request (every attempt), with its service,
/// template, method, status, duration, attempts and error; a request tier's
/// [`execute`](crate::Request::execute) adds it outermost unless the template says
/// `without_instrumentation()`.
#[derive(Clone, Copy, Debug)]
pub struct Instrument {
    pub(crate) enabled: bool,
}

impl Component<RequestContext, HttpResult> for Instrument {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        if !self.enabled {
            return next.run(ctx).await;
        }
        let span = tracing::info_span!(
            "weft.http.request",
            service = %ctx.service(),
            template = %ctx.template(),
            method = Empty,
            status = Empty,
            duration_ms = Empty,
            attempts = Empty,
            error = Empty,
        );
        let start = Instant::now();
        let result = next.run(ctx).instrument(span.clone()).await;
        let duration_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("method", tracing::field::display(&ctx.method));
        span.record("duration_ms", duration_ms);
        span.record("attempts", ctx.attempts);
        match &result {
            Ok(response) => span.record("status", response.status()),
            Err(error) => span.record("error", tracing::field::display(error)),
        };
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_retry_after(value: &str) -> Response {
        let mut headers = http::HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(value).expect("valid"));
        Response::new(503, headers, "")
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date");
        assert_eq!(retry_after(&with_retry_after("3"), now), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after(&with_retry_after("Sun, 06 Nov 1994 08:49:42 GMT"), now),
            Some(Duration::from_secs(5))
        );
        // A date in the past asks for no delay; garbage asks for nothing.
        assert_eq!(
            retry_after(&with_retry_after("Sun, 06 Nov 1994 08:49:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&with_retry_after("soon"), now), None);
    }
}
