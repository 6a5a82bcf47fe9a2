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
