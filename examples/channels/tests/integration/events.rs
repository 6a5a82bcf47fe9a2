//! The outbox and its relay: every stored change is published once, in commit order, whatever
//! the client that made it does; streams are in id order; the REST resume rule holds under
//! concurrent posting.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::common::{App, SseReader, all_messages, client, create_channel, post_message, settings};

/// Reads `reader` until a `message_posted` with text `marker` arrives; returns the message ids
/// of the `message_posted` events seen before it, in order.
async fn messages_until(reader: &mut SseReader, marker: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    loop {
        let event = reader.next_within(Duration::from_secs(10)).await.expect("the stream is open");
        if event.name != "message_posted" {
            continue;
        }
        if event.data["message"]["text"] == json!(marker) {
            return seen;
        }
        seen.push(event.data["message"]["id"].as_i64().expect("a message has an id"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_resets_before_its_answer_still_gets_its_message_published()
-> anyhow::Result<()> {
    const POSTS: u64 = 40;
    let dir = tempfile::tempdir()?;
    let app = App::boot_without_webhooks(settings(dir.path())).await?;
    let channel = create_channel(&app, "reset").await;
    let mut events = SseReader::open(&app.url("/events")).await;
    let addr = app.url("").trim_start_matches("http://").to_owned();

    for i in 0..POSTS {
        let body = json!({ "author": "ann", "text": format!("reset {i}") }).to_string();
        let request = format!(
            "POST /channels/{channel}/messages HTTP/1.1\r\nhost: {addr}\r\n\
             content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(&addr).await?;
        stream.write_all(request.as_bytes()).await?;
        // Reset (not a clean close) at various points of the request's handling.
        tokio::time::sleep(Duration::from_micros(200 * (i % 10))).await;
        stream.set_zero_linger()?;
        drop(stream);
    }
    // Let every write that got through reach the database.
    tokio::time::sleep(Duration::from_millis(300)).await;
    post_message(&app, channel, "marker").await;

    let published: BTreeSet<i64> =
        messages_until(&mut events, "marker").await.into_iter().collect();
    let stored: BTreeSet<i64> = all_messages(&app, channel)
        .await
        .iter()
        .filter(|m| m["text"] != json!("marker"))
        .filter_map(|m| m["id"].as_i64())
        .collect();
    assert!(!stored.is_empty(), "some of the reset requests were stored");
    let unpublished: Vec<_> = stored.difference(&published).collect();
    assert!(
        unpublished.is_empty(),
        "{} of {} stored messages were never published: {unpublished:?}",
        unpublished.len(),
        stored.len()
    );
    eprintln!("{} of {POSTS} reset posts stored, all published", stored.len());
    app.stop().await
}

/// Checks that `ids` increase strictly.
fn assert_increasing(what: &str, ids: &[i64]) {
    for pair in ids.windows(2) {
        assert!(pair[0] < pair[1], "{what}: {} arrived before {}", pair[0], pair[1]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_posters_are_streamed_in_commit_order() -> anyhow::Result<()> {
    const POSTERS: usize = 8;
    const POSTS_EACH: usize = 40;
    const CHANNELS: usize = 3;
    let dir = tempfile::tempdir()?;
    let app = App::boot_without_webhooks(settings(dir.path())).await?;
    let mut channels = Vec::new();
    for n in 0..CHANNELS {
        channels.push(create_channel(&app, &format!("order-{n}")).await);
    }
    let mut all_streams = Vec::new();
    for _ in 0..2 {
        all_streams.push(SseReader::open(&app.url("/events")).await);
    }
    let mut channel_streams = Vec::new();
    for &channel in &channels {
        let url = app.url(&format!("/channels/{channel}/events"));
        channel_streams.push((channel, SseReader::open(&url).await));
    }

    let mut posters = Vec::new();
    for poster in 0..POSTERS {
        let urls: Vec<_> =
            channels.iter().map(|c| app.url(&format!("/channels/{c}/messages"))).collect();
        posters.push(tokio::spawn(async move {
            let c = client();
            for i in 0..POSTS_EACH {
                let body =
                    json!({ "author": format!("p{poster}"), "text": format!("{poster}/{i}") });
                let response = c.post(&urls[(poster + i) % urls.len()]).json(&body).send().await?;
                anyhow::ensure!(response.status().as_u16() == 201, "a post failed");
            }
            anyhow::Ok(())
        }));
    }
    for poster in posters {
        poster.await??;
    }
    for &channel in &channels {
        post_message(&app, channel, "marker").await;
    }
    let expected: usize = POSTERS * POSTS_EACH + CHANNELS;

    // `/events`: every event, event ids and message ids in increasing (commit) order.
    for stream in &mut all_streams {
        let (mut event_ids, mut message_ids) = (Vec::new(), Vec::new());
        while message_ids.len() < expected {
            let event = stream.next_within(Duration::from_secs(10)).await.expect("open");
            event_ids.push(event.id);
            if event.name == "message_posted" {
                message_ids.push(event.data["message"]["id"].as_i64().expect("an id"));
            }
        }
        assert_increasing("/events message ids", &message_ids);
        let event_ids: Vec<i64> =
            event_ids.into_iter().map(|id| id.expect("every event has an id")).collect();
        assert_increasing("/events event ids", &event_ids);
    }
    // One channel's stream: its messages, all of them, in order.
    for (channel, stream) in &mut channel_streams {
        let stored: Vec<i64> =
            all_messages(&app, *channel).await.iter().filter_map(|m| m["id"].as_i64()).collect();
        let mut seen = Vec::new();
        while seen.len() < stored.len() {
            let event = stream.next_within(Duration::from_secs(10)).await.expect("open");
            // The relay publishes after the commit: the channel's own `channel_created` may
            // reach a stream opened right after the channel was created.
            if event.name == "channel_created" {
                continue;
            }
            assert_eq!(event.data["message"]["channel_id"], json!(channel));
            seen.push((event.id, event.data["message"]["id"].as_i64().expect("an id")));
        }
        let message_ids: Vec<i64> = seen.iter().map(|(_, id)| *id).collect();
        assert_increasing(&format!("channel {channel} message ids"), &message_ids);
        assert_eq!(message_ids, stored, "channel {channel}: the stream has what the database has");
        assert!(seen.iter().all(|(id, _)| id.is_some()), "every event has an id");
    }
    app.stop().await
}

/// The resume rule: after losing its stream, a client reopens it, then lists the channel's
/// messages with `cursor` = the last message id it saw (at first: none), and drops from the new
/// stream the ids it already has. Done many times while 8 clients post, it misses no message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_with_the_last_seen_id_as_cursor_misses_nothing() -> anyhow::Result<()> {
    const POSTERS: usize = 8;
    const POSTS_EACH: usize = 50;
    let dir = tempfile::tempdir()?;
    let app = App::boot_without_webhooks(settings(dir.path())).await?;
    let channel = create_channel(&app, "resume").await;
    let stream_url = app.url(&format!("/channels/{channel}/events"));
    let messages_url = app.url(&format!("/channels/{channel}/messages"));

    let mut posters = Vec::new();
    for poster in 0..POSTERS {
        let url = messages_url.clone();
        posters.push(tokio::spawn(async move {
            let c = client();
            for i in 0..POSTS_EACH {
                let body = json!({ "author": "load", "text": format!("{poster}/{i}") });
                let response = c.post(&url).json(&body).send().await?;
                anyhow::ensure!(response.status().as_u16() == 201, "a post failed");
            }
            anyhow::Ok(())
        }));
    }

    // The client: in order, by message id; `last` is the last id it saw.
    let mut have = BTreeMap::<i64, String>::new();
    let mut last = 0;
    let mut stream = SseReader::open(&stream_url).await;
    let mut resumes = 0;
    let c = client();
    loop {
        // The stream is open: read over REST what came before it (the first time: everything).
        let mut cursor = last;
        loop {
            let page: serde_json::Value = c
                .get(format!("{messages_url}?limit=200&cursor={cursor}"))
                .send()
                .await?
                .json()
                .await?;
            for message in page["items"].as_array().into_iter().flatten() {
                let id = message["id"].as_i64().expect("an id");
                assert!(id > cursor, "a page holds ids after its cursor");
                last = last.max(id);
                have.insert(id, message["text"].as_str().unwrap_or("").into());
            }
            match page["next_cursor"].as_i64() {
                Some(next) => cursor = next,
                None => break,
            }
        }
        if posters.iter().all(|p| p.is_finished()) || resumes >= 200 {
            break;
        }
        // Read a few events, then lose the stream, and reopen it.
        for _ in 0..(3 + resumes % 7) {
            let Ok(Some(event)) =
                tokio::time::timeout(Duration::from_millis(500), stream.next()).await
            else {
                break;
            };
            // `channel_created` may arrive after the stream opened: not a message.
            let Some(id) = event.data["message"]["id"].as_i64() else { continue };
            if id > last {
                last = id;
                have.insert(id, event.data["message"]["text"].as_str().unwrap_or("").into());
            }
        }
        drop(stream);
        stream = SseReader::open(&stream_url).await;
        resumes += 1;
    }
    for poster in posters {
        poster.await??;
    }
    post_message(&app, channel, "marker").await;
    loop {
        let event = stream.next_within(Duration::from_secs(10)).await.expect("open");
        // `channel_created` may arrive after the stream opened: not a message.
        let Some(id) = event.data["message"]["id"].as_i64() else { continue };
        if id > last {
            last = id;
            have.insert(id, event.data["message"]["text"].as_str().unwrap_or("").into());
        }
        if event.data["message"]["text"] == json!("marker") {
            break;
        }
    }
    let stored: BTreeMap<i64, String> = all_messages(&app, channel)
        .await
        .iter()
        .map(|m| (m["id"].as_i64().unwrap_or(0), m["text"].as_str().unwrap_or("").into()))
        .collect();
    let missed: Vec<_> = stored.keys().filter(|id| !have.contains_key(id)).collect();
    eprintln!("{resumes} resumes, {} messages", stored.len());
    assert!(resumes > 3, "the client resumed while posting went on");
    assert!(missed.is_empty(), "the client missed {} messages: {missed:?}", missed.len());
    assert_eq!(have, stored);
    app.stop().await
}
