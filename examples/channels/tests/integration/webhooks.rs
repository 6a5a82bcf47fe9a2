//! Webhooks delivered to a loopback receiver, retried when it fails first.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};

use crate::common::{App, client, create_channel, json, post_message, settings};

/// What the receiver saw: attempts per message id, and the bodies it accepted.
#[derive(Default)]
struct Seen {
    attempts: HashMap<i64, u32>,
    accepted: Vec<Value>,
}

type Shared = Arc<Mutex<Seen>>;

/// Fails the first attempt of every message with a 503, accepts the second.
async fn flaky(
    State(seen): State<Shared>,
    headers: HeaderMap,
    body: axum::Json<Value>,
) -> StatusCode {
    let id = headers
        .get("x-channels-message-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let mut seen = seen.lock().expect("the lock is not poisoned");
    let attempts = seen.attempts.entry(id).or_default();
    *attempts += 1;
    if *attempts == 1 {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    seen.accepted.push(body.0);
    StatusCode::NO_CONTENT
}

async fn receiver() -> anyhow::Result<(SocketAddr, Shared)> {
    let seen = Shared::default();
    let app = Router::new().route("/hook", post(flaky)).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((addr, seen))
}

#[tokio::test]
async fn messages_are_delivered_and_retried() -> anyhow::Result<()> {
    let (hook, seen) = receiver().await?;
    // A port where nothing listens: its failures are logged and block nothing.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await?.local_addr()?;
    let dir = tempfile::tempdir()?;
    let mut settings = settings(dir.path());
    settings.webhook_urls = vec![format!("http://{hook}/hook"), format!("http://{dead}/down")];
    settings.webhook_retries = 2;
    let app = App::boot(settings).await?;
    let channel = create_channel(&app, "hooked").await;

    let started = Instant::now();
    let first = post_message(&app, channel, "first").await;
    let second = post_message(&app, channel, "second").await;
    assert!(started.elapsed() < Duration::from_secs(2), "delivery does not delay requests");

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if seen.lock().expect("the lock is not poisoned").accepted.len() >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "webhooks were not delivered in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (mut accepted, attempts) = {
        let seen = seen.lock().expect("the lock is not poisoned");
        (seen.accepted.clone(), seen.attempts.clone())
    };
    accepted.sort_by_key(|body| body["message"]["id"].as_i64());
    assert_eq!(
        accepted,
        [
            json!({ "type": "message_posted", "message": first }),
            json!({ "type": "message_posted", "message": second }),
        ]
    );
    for message in [&first, &second] {
        let id = message["id"].as_i64().expect("an id");
        assert_eq!(attempts.get(&id), Some(&2), "one failure, then one retry");
    }
    // By now the deliveries to the dead URL have spent their retries (50 ms, then 100 ms of
    // backoff): a failed delivery is logged, not a failure of `webhooks`.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (status, body) = json(client().get(app.url("/health")).send().await?).await;
    assert_eq!(status, 200, "{body}");
    assert!(app.platform().health().live);
    app.stop().await
}

#[tokio::test]
async fn a_hanging_receiver_blocks_neither_requests_nor_the_stop() -> anyhow::Result<()> {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = listener.local_addr()?;
    let app = Router::new().route(
        "/hook",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir()?;
    let mut settings = settings(dir.path());
    settings.webhook_urls = vec![format!("http://{hook}/hook")];
    settings.webhook_timeout_ms = 60_000;
    settings.shutdown_grace_ms = 300;
    let app = App::boot(settings).await?;
    let channel = create_channel(&app, "stuck").await;
    let started = Instant::now();
    for i in 0..5 {
        post_message(&app, channel, &format!("into the void {i}")).await;
    }
    assert!(started.elapsed() < Duration::from_secs(2), "posting does not wait for webhooks");

    let stopping = Instant::now();
    app.stop().await?;
    assert!(stopping.elapsed() < Duration::from_secs(3), "the stop cancels hung deliveries");
    Ok(())
}
