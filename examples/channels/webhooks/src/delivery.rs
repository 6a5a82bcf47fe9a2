//! Delivery of one message to one URL through a weft pipeline request template: a POST with a
//! JSON body, a time limit per attempt, and retries with exponential backoff on transport
//! faults, timeouts, 5xx, 408 and 429 (the template's [`RetryStrategy`]).

use std::time::Duration;

use anyhow::Context as _;
use channels_api::{Message, Settings};
use serde::Serialize;
use weft::http::{Method, Protocol, RequestTemplate, ResourceService, RetryStrategy};

/// The first wait before a retry; it doubles at each retry, with jitter.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// The longest wait between two attempts, in milliseconds.
pub(crate) const MAX_BACKOFF_MS: u64 = 2_000;

/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_millis(MAX_BACKOFF_MS);

/// Delivers messages to the configured URLs, one request template per URL.
pub struct Delivery {
    targets: Vec<Target>,
}

struct Target {
    url: String,
    template: RequestTemplate,
}

/// The JSON body POSTed for each message.
#[derive(Serialize)]
struct Payload<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: &'a Message,
}

/// How a delivery ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered 2xx, at the first attempt or after retries.
    Delivered,
    /// Every attempt failed, or the receiver refused the message (a 4xx other than 408/429).
    Failed,
}

impl Delivery {
    /// Checks the URLs of `settings` (absolute `http` or `https` URLs) and builds a resource
    /// service and a `message-posted` request template for each.
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        // One client, so that every target shares the connection pool.
        let client =
            reqwest::Client::builder().build().context("cannot build the webhook HTTP client")?;
        let targets = settings
            .webhook_urls
            .iter()
            .map(|raw| {
                let template = template(raw, client.clone(), settings)
                    .with_context(|| format!("invalid webhook URL `{raw}`"))?;
                Ok(Target { url: raw.clone(), template })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Delivery { targets })
    }

    /// How many URLs messages go to.
    pub fn target_count(&self) -> usize {
        self.targets.len()
    }

    /// POSTs `message` to target `target`, retrying as configured. Never fails: the outcome is
    /// logged and returned.
    pub async fn deliver(&self, target: usize, message: &Message) -> Outcome {
        let Some(Target { url, template }) = self.targets.get(target) else {
            return Outcome::Failed;
        };
        let result = template
            .create_request()
            .with_header("x-channels-message-id", &message.id.to_string())
            .with_json_body(&Payload { kind: "message_posted", message })
            .execute()
            .await;
        match result {
            Ok(response) => {
                tracing::debug!(%url, message = message.id, status = response.status(), "webhook delivered");
                Outcome::Delivered
            }
            Err(error) => {
                tracing::error!(%url, message = message.id, %error, "webhook not delivered");
                Outcome::Failed
            }
        }
    }
}

/// The `message-posted` template of the resource service at `raw`'s host.
fn template(
    raw: &str,
    client: reqwest::Client,
    settings: &Settings,
) -> anyhow::Result<RequestTemplate> {
    let url = reqwest::Url::parse(raw)?;
    let protocol = match url.scheme() {
        "http" => Protocol::Http,
        "https" => Protocol::Https,
        other => anyhow::bail!("the scheme is `{other}`; expected `http` or `https`"),
    };
    let host = url.host_str().context("the URL has no host")?;
    let port = url.port_or_known_default().context("the URL has no port")?;
    anyhow::ensure!(
        url.username().is_empty() && url.password().is_none(),
        "credentials in the URL are not supported"
    );
    // The URL's path and query, already percent-encoded, are the template's literal text.
    let mut path = url.path().to_owned();
    if let Some(query) = url.query() {
        path.push('?');
        path.push_str(query);
    }
    let service = ResourceService::new(host)
        .named(format!("webhook {host}:{port}"))
        .with_protocol(protocol)
        .with_port(port)
        .with_client(client);
    // A POST: retried because receivers deduplicate by `x-channels-message-id`.
    let retry = RetryStrategy::new(settings.webhook_retries)
        .with_delay(FIRST_BACKOFF)
        .with_backoff(2.0)
        .with_max_delay(MAX_BACKOFF)
        .for_any_method();
    Ok(service
        .request_template("message-posted")
        .with_method(Method::POST)
        .with_uri_template(&path)?
        .with_timeout(Duration::from_millis(settings.webhook_timeout_ms))
        .with_retry(retry)
        .boxed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked() {
        let settings =
            |url: &str| Settings { webhook_urls: vec![url.to_owned()], ..Settings::default() };
        assert!(Delivery::new(&settings("http://127.0.0.1:9000/hook?x=1")).is_ok());
        assert!(Delivery::new(&settings("https://example.test/a%20b")).is_ok());
        assert!(Delivery::new(&settings("ftp://example.test/")).is_err());
        assert!(Delivery::new(&settings("not a url")).is_err());
        assert!(Delivery::new(&settings("http://user:pw@example.test/")).is_err());
    }
}
