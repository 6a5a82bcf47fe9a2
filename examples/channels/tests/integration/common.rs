//! Booting the platform for a test, and a few HTTP helpers.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use channels::HttpEndpoint;
use channels_api::{Config, Settings};
use serde_json::Value;
use weft::Platform;

/// Settings for a test: data in `dir`, an ephemeral port, short time limits.
pub(crate) fn settings(dir: &Path) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        webhook_timeout_ms: 1_000,
        shutdown_grace_ms: 5_000,
        ..Settings::default()
    }
}

/// A running platform.
pub(crate) struct App {
    addr: SocketAddr,
    platform: Platform,
}

impl App {
    /// Boots every component.
    pub(crate) async fn boot(settings: Settings) -> anyhow::Result<App> {
        App::start(channels::platform::builder(), settings).await
    }

    /// Boots `web` and what it requires: every component but `webhooks`.
    pub(crate) async fn boot_without_webhooks(settings: Settings) -> anyhow::Result<App> {
        App::start(channels::platform::builder().only(["web"]), settings).await
    }

    async fn start(builder: weft::Builder, settings: Settings) -> anyhow::Result<App> {
        let platform = builder.replace::<dyn Config>(Arc::new(settings)).boot().await?;
        let addr = platform
            .get::<dyn HttpEndpoint>()
            .and_then(|web| web.local_addr())
            .ok_or_else(|| anyhow::anyhow!("the web component has no address"))?;
        Ok(App { addr, platform })
    }

    /// The running platform.
    pub(crate) fn platform(&self) -> &Platform {
        &self.platform
    }

    /// The URL of `path` on this platform.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the platform gracefully.
    pub(crate) async fn stop(self) -> anyhow::Result<()> {
        self.platform.stop().await?;
        Ok(())
    }
}

/// A client that never goes through a proxy.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a plain HTTP client builds")
}

/// The status and the JSON body of a response.
pub(crate) async fn json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    let value = serde_json::from_str(&body)
        .unwrap_or_else(|error| panic!("status {status}: body is not JSON ({error}): {body:?}"));
    (status, value)
}

/// Creates a channel and returns its id.
pub(crate) async fn create_channel(app: &App, name: &str) -> i64 {
    let response = client()
        .post(app.url("/channels"))
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .expect("the server answers");
    let (status, body) = json(response).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().expect("a channel has an id")
}

/// Posts a message and returns the stored message.
pub(crate) async fn post_message(app: &App, channel: i64, text: &str) -> Value {
    let response = client()
        .post(app.url(&format!("/channels/{channel}/messages")))
        .json(&serde_json::json!({ "author": "ann", "text": text }))
        .send()
        .await
        .expect("the server answers");
    let (status, body) = json(response).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// Every message of a channel, following the cursors.
pub(crate) async fn all_messages(app: &App, channel: i64) -> Vec<Value> {
    let client = client();
    let mut cursor = None;
    let mut all = Vec::new();
    loop {
        let mut url = app.url(&format!("/channels/{channel}/messages?limit=200"));
        if let Some(cursor) = cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let (status, body) = json(client.get(url).send().await.expect("the server answers")).await;
        assert_eq!(status, 200, "{body}");
        all.extend(body["items"].as_array().cloned().unwrap_or_default());
        match body["next_cursor"].as_i64() {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub(crate) struct SseEvent {
    /// The `id:` field, if any.
    pub(crate) id: Option<i64>,
    /// The `event:` field (`message` if absent).
    pub(crate) name: String,
    /// The `data:` field, parsed as JSON (`Null` if it is not JSON).
    pub(crate) data: Value,
}

/// Reads server-sent events from a response body.
pub(crate) struct SseReader {
    stream: std::pin::Pin<
        Box<dyn futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>,
    >,
    buffer: String,
}

impl SseReader {
    /// Opens `url` as an event stream (status 200 expected).
    pub(crate) async fn open(url: &str) -> SseReader {
        SseReader::open_with(client().get(url)).await
    }

    /// Sends `request` and reads its answer as an event stream (status 200 expected).
    pub(crate) async fn open_with(request: reqwest::RequestBuilder) -> SseReader {
        let response = request.send().await.expect("the server answers");
        assert_eq!(response.status().as_u16(), 200);
        SseReader { stream: Box::pin(response.bytes_stream()), buffer: String::new() }
    }

    /// The next event that is not a comment, or `None` when the stream ends (or fails).
    pub(crate) async fn next(&mut self) -> Option<SseEvent> {
        use futures_util::StreamExt as _;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                let (mut id, mut name, mut data) = (None, String::from("message"), String::new());
                let mut fields = false;
                for line in frame.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        id = value.trim().parse().ok();
                        fields = true;
                    } else if let Some(value) = line.strip_prefix("event:") {
                        name = value.trim().to_owned();
                        fields = true;
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                        fields = true;
                    }
                }
                if fields {
                    let data = serde_json::from_str(&data).unwrap_or(Value::Null);
                    return Some(SseEvent { id, name, data });
                }
            }
            match self.stream.next().await {
                Some(Ok(chunk)) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }

    /// The next event, within `limit`; panics if none arrives in time.
    pub(crate) async fn next_within(&mut self, limit: Duration) -> Option<SseEvent> {
        tokio::time::timeout(limit, self.next()).await.expect("an event arrives in time")
    }
}
