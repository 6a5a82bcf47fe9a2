//! Delivery of one message to one URL: a POST with a JSON body, a time limit per attempt, and
//! retries with exponential backoff on network errors, 5xx and 429.

use std::time::Duration;

use anyhow::Context as _;
use channels_api::{Message, Settings};
use serde::Serialize;

/// The first wait before a retry; it doubles at each attempt.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// Delivers messages to the configured URLs.
#[derive(Debug)]
pub struct Delivery {
    client: reqwest::Client,
    targets: Vec<reqwest::Url>,
    retries: u32,
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
    /// The receiver answered 2xx after this many attempts.
    Delivered {
        /// 1 when the first attempt succeeded.
        attempts: u32,
    },
    /// Every attempt failed, or the receiver refused the message (a 4xx other than 429).
    Failed {
        /// How many attempts were made.
        attempts: u32,
    },
}

impl Delivery {
    /// Checks the URLs of `settings` (absolute `http` or `https` URLs) and builds the client.
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let targets = settings
            .webhook_urls
            .iter()
            .map(|raw| {
                let url = reqwest::Url::parse(raw)
                    .with_context(|| format!("invalid webhook URL `{raw}`"))?;
                anyhow::ensure!(
                    matches!(url.scheme(), "http" | "https"),
                    "webhook URL `{raw}` must use http or https"
                );
                Ok(url)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(settings.webhook_timeout_ms))
            .build()
            .context("cannot build the webhook HTTP client")?;
        Ok(Delivery { client, targets, retries: settings.webhook_retries })
    }

    /// How many URLs messages go to.
    pub fn target_count(&self) -> usize {
        self.targets.len()
    }

    /// POSTs `message` to target `target`, retrying as configured. Never fails: the outcome is
    /// logged and returned.
    pub async fn deliver(&self, target: usize, message: &Message) -> Outcome {
        let Some(url) = self.targets.get(target) else {
            return Outcome::Failed { attempts: 0 };
        };
        let payload = Payload { kind: "message_posted", message };
        let mut backoff = FIRST_BACKOFF;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let result = self
                .client
                .post(url.clone())
                .header("x-channels-message-id", message.id)
                .json(&payload)
                .send()
                .await;
            let retryable = match result {
                Ok(response) if response.status().is_success() => {
                    tracing::debug!(%url, message = message.id, attempts, "webhook delivered");
                    return Outcome::Delivered { attempts };
                }
                Ok(response) => {
                    let status = response.status();
                    tracing::warn!(%url, message = message.id, attempts, %status, "webhook refused");
                    status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS
                }
                Err(error) => {
                    tracing::warn!(%url, message = message.id, attempts, %error, "webhook failed");
                    true
                }
            };
            if !retryable || attempts > self.retries {
                tracing::error!(%url, message = message.id, attempts, "webhook not delivered");
                return Outcome::Failed { attempts };
            }
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
    }
}
