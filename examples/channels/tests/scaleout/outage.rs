//! The database or the broker going away and coming back.

use std::time::Duration;

use crate::base::{client, json};
use crate::cluster::{Events, Servers, all_messages, create_channel, post};

/// Retries `post` until it is acknowledged, for at most `within`.
async fn post_until_accepted(
    node: &crate::cluster::Node,
    channel: i64,
    text: &str,
    within: Duration,
) -> anyhow::Result<i64> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match post(&client(), node, channel, text).await {
            Ok(message) => return Ok(message["id"].as_i64().unwrap_or_default()),
            Err(_) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => return Err(error.context("not accepted after the outage")),
        }
    }
}

#[tokio::test]
async fn while_the_database_is_down_requests_get_503_with_json_and_nothing_acknowledged_is_lost()
-> anyhow::Result<()> {
    let mut servers = Servers::start()?;
    let replica = servers.replica().await?;
    let channel = create_channel(&replica, "general").await?;
    let mut acknowledged = Vec::new();
    for i in 0..5 {
        acknowledged.push(
            post(&client(), &replica, channel, &format!("before {i}")).await?["id"]
                .as_i64()
                .unwrap_or_default(),
        );
    }

    servers.postgres.pause();
    let client = client();
    let response = client
        .post(replica.url(&format!("/channels/{channel}/messages")))
        .json(&serde_json::json!({ "author": "ann", "text": "during" }))
        .send()
        .await?;
    let (status, body) = json(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("unavailable")), "{body}");
    let (status, body) =
        json(client.get(replica.url(&format!("/channels/{channel}/messages"))).send().await?).await;
    assert_eq!((status, body["error"]["code"].as_str()), (503, Some("unavailable")), "{body}");

    servers.postgres.resume()?;
    acknowledged
        .push(post_until_accepted(&replica, channel, "after", Duration::from_secs(15)).await?);
    let stored: Vec<i64> = all_messages(&replica, channel)
        .await?
        .iter()
        .filter_map(|message| message["id"].as_i64())
        .collect();
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged message {id} is stored: {stored:?}");
    }
    replica.stop().await?;
    Ok(())
}

#[tokio::test]
async fn while_the_broker_is_down_writes_are_kept_and_published_when_it_returns()
-> anyhow::Result<()> {
    let mut servers = Servers::start()?;
    let (writer, reader) = (servers.replica().await?, servers.replica().await?);
    let channel = create_channel(&writer, "general").await?;
    let mut events = Events::open(&reader, &format!("/channels/{channel}/events")).await?;

    servers.nats.pause();
    // Writes do not need the broker: they are stored with their events.
    let mut posted = Vec::new();
    for i in 0..5 {
        posted.push(
            post(&client(), &writer, channel, &format!("during {i}")).await?["id"]
                .as_i64()
                .unwrap_or_default(),
        );
    }
    // A new stream would stay silent: 503 with the JSON error instead.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let response = client().get(reader.url("/events")).send().await?;
        if response.status() == 503 {
            let (_, body) = json(response).await;
            assert_eq!(body["error"]["code"], "unavailable");
            break;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "SSE still opens without NATS");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    servers.nats.resume()?;
    // The relay republishes what the broker did not confirm: the open stream gets every event.
    let mut received = Vec::new();
    while received.len() < posted.len() {
        let Some((_, data)) = events.next(Duration::from_secs(20)).await else { break };
        if data["type"] == "message_posted" {
            received.push(data["message"]["id"].as_i64().unwrap_or_default());
        }
    }
    assert_eq!(received, posted);
    writer.stop().await?;
    reader.stop().await?;
    Ok(())
}
