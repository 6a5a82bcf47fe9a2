//! [`Transport`]: the innermost end of every resource-service pipeline.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};

use super::context::{Auth, HttpResult, RequestContext, TemplateSpec};
use super::error::Error;
use super::response::Response;
use weft_pipeline::Chain;

/// Sends the request over HTTP: expands the URI, applies headers and credentials, enforces the
/// timeout and retries as the template says. It is the end of every resource-service pipeline.
///
/// ```
/// use weft::http::{ResourceService, Transport};
///
/// let service: ResourceService<Transport> = ResourceService::new("127.0.0.1");
/// # let _ = service;
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Transport;

impl Chain<RequestContext, HttpResult> for Transport {
    fn run<'a>(
        &'a self,
        ctx: &'a mut RequestContext,
    ) -> impl Future<Output = HttpResult> + Send + 'a {
        send(ctx)
    }
}

enum Outcome {
    Done(Result<Response, reqwest::Error>),
    TimedOut,
}

async fn send(ctx: &mut RequestContext) -> HttpResult {
    let spec = Arc::clone(&ctx.spec);
    let url = url(&spec, ctx)?;
    let headers = headers(&spec, ctx)?;
    loop {
        ctx.attempts += 1;
        let mut builder =
            spec.service.client.request(ctx.method.clone(), url.clone()).headers(headers.clone());
        if let Some(body) = &ctx.body {
            builder = builder.body(body.clone());
        }
        builder = match &spec.auth {
            Some(Auth::Bearer(token)) => builder.bearer_auth(token),
            Some(Auth::Basic(user, password)) => builder.basic_auth(user, password.as_ref()),
            None => builder,
        };
        let attempt = async move {
            let response = builder.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok(Response::from_parts(status, headers, body))
        };
        let outcome = match spec.timeout {
            Some(timeout) => match tokio::time::timeout(timeout, attempt).await {
                Ok(done) => Outcome::Done(done),
                Err(_) => Outcome::TimedOut,
            },
            None => Outcome::Done(attempt.await),
        };
        let retry = spec.retry.as_ref().filter(|retry| ctx.attempts <= retry.max_retries());
        let again = match (&outcome, retry) {
            (_, None) => None,
            (Outcome::Done(Ok(response)), Some(r)) => {
                r.retries_status(response.status()).then_some(r)
            }
            (Outcome::Done(Err(_)), Some(r)) => r.retries_transport().then_some(r),
            (Outcome::TimedOut, Some(r)) => r.retries_timeout().then_some(r),
        };
        let Some(retry) = again else {
            return finish(&spec, ctx.attempts, outcome);
        };
        let asked = match &outcome {
            Outcome::Done(Ok(response)) => retry_after(response),
            _ => None,
        };
        let delay = retry.sleep_before(ctx.attempts, asked);
        tracing::debug!(attempt = ctx.attempts, ?delay, "retrying request");
        tokio::time::sleep(delay).await;
    }
}

/// A `Retry-After` given in seconds (the HTTP-date form is not read).
fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn finish(spec: &TemplateSpec, attempts: u32, outcome: Outcome) -> HttpResult {
    match outcome {
        Outcome::Done(Ok(response)) => Ok(response),
        Outcome::Done(Err(source)) => Err(Error::Transport {
            service: spec.service.name.clone(),
            template: spec.name.clone(),
            attempts,
            source,
        }),
        Outcome::TimedOut => Err(Error::Timeout {
            service: spec.service.name.clone(),
            template: spec.name.clone(),
            attempts,
            // `TimedOut` only happens with a timeout.
            timeout: spec.timeout.unwrap_or_default(),
        }),
    }
}

fn url(spec: &TemplateSpec, ctx: &RequestContext) -> Result<reqwest::Url, Error> {
    let path = match &spec.uri {
        Some(template) => template.expand(&ctx.parameters),
        None => super::uri::UriTemplate::query_only(&ctx.parameters),
    }
    .map_err(|source| Error::MissingParameter {
        service: spec.service.name.clone(),
        template: spec.name.clone(),
        source,
    })?;
    let separator = if path.is_empty() || path.starts_with(['/', '?', '#']) { "" } else { "/" };
    let url = format!("{}{separator}{path}", spec.service.base_url);
    reqwest::Url::parse(&url).map_err(|_| Error::InvalidUrl {
        service: spec.service.name.clone(),
        template: spec.name.clone(),
        url,
    })
}

fn headers(spec: &TemplateSpec, ctx: &RequestContext) -> Result<HeaderMap, Error> {
    let mut headers = spec.headers.clone();
    for (name, compute) in &spec.computed_headers {
        if let Some(value) = compute(ctx) {
            let value = HeaderValue::from_str(&value).map_err(|_| Error::InvalidHeader {
                service: spec.service.name.clone(),
                template: spec.name.clone(),
                name: name.to_string(),
            })?;
            headers.insert(name.clone(), value);
        }
    }
    for name in ctx.headers.keys() {
        headers.remove(name);
    }
    for (name, value) in &ctx.headers {
        headers.append(name.clone(), value.clone());
    }
    Ok(headers)
}
