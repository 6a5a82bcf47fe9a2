//! The SSE event streams.

use std::time::Duration;

use futures_util::{Stream, StreamExt};
use serde_json::{Value, json};

use crate::common::{App, client, create_channel, json, post_message, settings};

/// Reads SSE frames until one named `event` arrives; returns its JSON data.
async fn next_event<S, B, E>(stream: &mut S, buffer: &mut String, event: &str) -> Value
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
    E: std::fmt::Debug,
{
    let read = async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let frame: String = buffer.drain(..end + 2).collect();
                let mut name = "message";
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        name = value.trim();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                if name == event {
                    return serde_json::from_str(&data).expect("event data is JSON");
                }
            }
            let chunk = stream.next().await.expect("the stream stays open").expect("a chunk");
            buffer.push_str(&String::from_utf8_lossy(chunk.as_ref()));
        }
    };
    tokio::time::timeout(Duration::from_secs(5), read).await.expect("the event arrives in time")
}

#[tokio::test]
async fn events_are_streamed() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let app = App::boot(settings(dir.path())).await?;
    let general = create_channel(&app, "general").await;
    let other = create_channel(&app, "other").await;

    let all = client().get(app.url("/events")).send().await?;
    assert_eq!(all.status().as_u16(), 200);
    assert_eq!(all.headers()["content-type"], "text/event-stream");
    let one = client().get(app.url(&format!("/channels/{general}/events"))).send().await?;
    assert_eq!(one.status().as_u16(), 200);
    let (mut all, mut one) = (all.bytes_stream(), one.bytes_stream());
    let (mut all_buffer, mut one_buffer) = (String::new(), String::new());

    // The subscription is made when the response starts, so these are seen.
    post_message(&app, other, "not for the filtered stream").await;
    let posted = post_message(&app, general, "hello, stream").await;
    let renamed = client()
        .patch(app.url(&format!("/channels/{general}")))
        .json(&json!({ "name": "renamed" }))
        .send()
        .await?;
    assert_eq!(renamed.status().as_u16(), 200);

    let event = next_event(&mut one, &mut one_buffer, "message_posted").await;
    assert_eq!(event, json!({ "type": "message_posted", "message": posted }));
    let event = next_event(&mut one, &mut one_buffer, "channel_renamed").await;
    assert_eq!(event["channel"]["name"], json!("renamed"));

    let event = next_event(&mut all, &mut all_buffer, "message_posted").await;
    assert_eq!(event["message"]["channel_id"], json!(other));
    let event = next_event(&mut all, &mut all_buffer, "message_posted").await;
    assert_eq!(event["message"]["channel_id"], json!(general));

    // An unknown channel has no stream.
    let (status, body) = json(client().get(app.url("/channels/4242/events")).send().await?).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("channel_not_found")));

    // Open streams do not hold the shutdown: they end when the server drains.
    tokio::time::timeout(Duration::from_secs(5), app.stop()).await??;
    let rest = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = one.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(rest.is_ok(), "the stream ended with the server");
    Ok(())
}

#[tokio::test]
async fn a_deleted_channel_s_stream_ends_after_channel_deleted() -> anyhow::Result<()> {
    use crate::common::SseReader;

    let dir = tempfile::tempdir()?;
    let app = App::boot_without_webhooks(settings(dir.path())).await?;
    let doomed = create_channel(&app, "doomed").await;
    let mut one = SseReader::open(&app.url(&format!("/channels/{doomed}/events"))).await;
    let mut all = SseReader::open(&app.url("/events")).await;
    post_message(&app, doomed, "last words").await;
    let response = client().delete(app.url(&format!("/channels/{doomed}"))).send().await?;
    assert_eq!(response.status().as_u16(), 204);

    let limit = Duration::from_secs(5);
    let posted = one.next_within(limit).await.expect("message_posted");
    assert_eq!(posted.name, "message_posted");
    let deleted = one.next_within(limit).await.expect("channel_deleted");
    assert_eq!(
        (deleted.name.as_str(), &deleted.data),
        ("channel_deleted", &json!({ "type": "channel_deleted", "channel_id": doomed }))
    );
    assert!(deleted.id > posted.id, "ids increase");
    // Then the stream ends (`next` reads to the end of the response).
    assert!(one.next_within(limit).await.is_none(), "the stream ended");

    // `/events` goes on.
    create_channel(&app, "other").await;
    for name in ["message_posted", "channel_deleted", "channel_created"] {
        let event = all.next_within(limit).await.expect("the stream goes on");
        assert_eq!(event.name, name);
    }
    app.stop().await
}
