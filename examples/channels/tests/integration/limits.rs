//! The server's limits, each met by a hostile client: a body that never comes, a `Content-Length`
//! past the limit, a URI or a head too large, more connections than the cap, JSON that is not an
//! object. Every refusal the app can shape carries the JSON error body.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{App, client, create_channel, settings};

/// An answer read off the wire.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) head: String,
    pub(crate) body: String,
}

impl RawAnswer {
    /// The `error.code` of a JSON error body, checking its shape and content type.
    pub(crate) fn error_code(&self) -> String {
        let body: Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {self:?}"));
        assert!(
            self.head.to_ascii_lowercase().contains("content-type: application/json"),
            "{self:?}"
        );
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{self:?}");
        body["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

/// Reads one answer from `stream` until the server closes it or `limit` passes; `None` if the
/// connection closed (or reset) without an answer.
pub(crate) async fn read_answer(stream: &mut TcpStream, limit: Duration) -> Option<RawAnswer> {
    let mut bytes = Vec::new();
    let mut chunk = [0; 16 * 1024];
    let _ = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            }
            // Stop at the end of a response with a Content-Length, for kept-alive connections.
            let text = String::from_utf8_lossy(&bytes);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head.lines().find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                });
                if length.is_some_and(|length: usize| body.len() >= length) {
                    break;
                }
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some(RawAnswer { status, head: head.to_owned(), body: body.to_owned() })
}

/// Sends `request` on a new connection and reads the answer.
pub(crate) async fn exchange(addr: &str, request: &[u8], limit: Duration) -> Option<RawAnswer> {
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(request).await.ok()?;
    read_answer(&mut stream, limit).await
}

fn addr(app: &App) -> String {
    app.url("").trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn a_body_that_never_comes_gets_408() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut settings = settings(dir.path());
    settings.body_timeout_ms = 300;
    let app = App::boot_without_webhooks(settings).await?;
    let channel = create_channel(&app, "slow").await;
    let request = format!(
        "POST /channels/{channel}/messages HTTP/1.1\r\nhost: x\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"author\":"
    );
    let started = Instant::now();
    let answer =
        exchange(&addr(&app), request.as_bytes(), Duration::from_secs(5)).await.expect("an answer");
    assert_eq!((answer.status, answer.error_code().as_str()), (408, "request_timeout"));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    app.stop().await
}

#[tokio::test]
async fn a_content_length_past_the_limit_is_refused_before_the_body() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let app = App::boot_without_webhooks(settings(dir.path())).await?;
    let channel = create_channel(&app, "big").await;
    // The body is never sent: the answer must not wait for it.
    let request = format!(
        "POST /channels/{channel}/messages HTTP/1.1\r\nhost: x\r\n\
         content-type: application/json\r\ncontent-length: 10000000\r\n\r\n"
    );
    let answer = exchange(&addr(&app), request.as_bytes(), Duration::from_secs(2))
        .await
        .expect("an answer within 2 s");
    assert_eq!((answer.status, answer.error_code().as_str()), (413, "payload_too_large"));
    // Also on a route that takes no body, and past u64.
    let answer = exchange(
        &addr(&app),
        b"POST /channels HTTP/1.1\r\nhost: x\r\ncontent-length: 65537\r\n\r\n",
        Duration::from_secs(2),
    )
    .await
    .expect("an answer within 2 s");
    assert_eq!((answer.status, answer.error_code().as_str()), (413, "payload_too_large"));
    app.stop().await
}

#[tokio::test]
async fn long_uris_and_large_heads_get_json() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let app = App::boot_without_webhooks(settings(dir.path())).await?;
    let limit = Duration::from_secs(2);
    let long = format!("GET /channels?cursor={} HTTP/1.1\r\nhost: x\r\n\r\n", "1".repeat(9_000));
    let answer = exchange(&addr(&app), long.as_bytes(), limit).await.expect("an answer");
    assert_eq!((answer.status, answer.error_code().as_str()), (414, "uri_too_long"));

    let many: String = (0..120).map(|i| format!("x-h{i}: v\r\n")).collect();
    let request = format!("GET /health HTTP/1.1\r\nhost: x\r\n{many}\r\n");
    let answer = exchange(&addr(&app), request.as_bytes(), limit).await.expect("an answer");
    assert_eq!((answer.status, answer.error_code().as_str()), (431, "headers_too_large"));

    let request =
        format!("GET /health HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n", "v".repeat(40_000));
    let answer = exchange(&addr(&app), request.as_bytes(), limit).await.expect("an answer");
    assert_eq!((answer.status, answer.error_code().as_str()), (431, "headers_too_large"));

    // Past hyper's own limits, hyper answers alone, with an empty body (as the README says).
    let hyper_many: String = (0..300).map(|i| format!("x-h{i}: v\r\n")).collect();
    let request = format!("GET /health HTTP/1.1\r\nhost: x\r\n{hyper_many}\r\n");
    let answer = exchange(&addr(&app), request.as_bytes(), limit).await.expect("an answer");
    assert_eq!((answer.status, answer.body.as_str()), (431, ""));
    let answer = exchange(&addr(&app), b"GET /he alth HTTP/1.1\r\n\r\n", limit).await;
    assert_eq!(answer.map(|a| (a.status, a.body)), Some((400, String::new())));

    let (status, _) = crate::common::json(client().get(app.url("/health")).send().await?).await;
    assert_eq!(status, 200);
    app.stop().await
}

#[tokio::test]
async fn connections_past_the_cap_get_a_json_503() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut settings = settings(dir.path());
    settings.max_connections = 4;
    let app = App::boot_without_webhooks(settings).await?;
    let addr = addr(&app);
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(&addr).await?;
        stream.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n").await?;
        held.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let request = b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    let answer = exchange(&addr, request, Duration::from_secs(2)).await.expect("an answer");
    assert_eq!((answer.status, answer.error_code().as_str()), (503, "too_many_connections"));
    assert!(started.elapsed() < Duration::from_secs(1), "answered at once, not queued");

    // A slot frees when a connection closes.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let answer = exchange(&addr, request, Duration::from_secs(2)).await.expect("an answer");
        if answer.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "a freed slot is reused: {answer:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.stop().await
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_after_the_head_timeout() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut settings = settings(dir.path());
    settings.header_timeout_ms = 300;
    let app = App::boot_without_webhooks(settings).await?;
    let addr = addr(&app);
    let mut half = TcpStream::connect(&addr).await?;
    half.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n").await?;
    let mut idle = TcpStream::connect(&addr).await?;
    let started = Instant::now();
    for stream in [&mut half, &mut idle] {
        let mut rest = Vec::new();
        let read =
            tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut rest)).await?;
        assert!(read.is_err() || rest.is_empty() || rest.starts_with(b"HTTP/1.1 408"));
    }
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    app.stop().await
}
