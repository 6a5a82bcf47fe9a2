//! Several web replicas on one PostgreSQL and one NATS server.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use crate::base::client;
use crate::cluster::{Events, Node, Servers, all_messages, create_channel, post};

/// The ids of the `message_posted` events read from `events` until `count` have arrived (or
/// nothing comes for `quiet`), in the order received.
async fn message_ids(events: &mut Events, count: usize, quiet: Duration) -> Vec<i64> {
    let mut ids = Vec::new();
    while ids.len() < count {
        let Some((_, data)) = events.next(quiet).await else { break };
        if data["type"] == "message_posted" {
            ids.push(data["message"]["id"].as_i64().unwrap_or_default());
        }
    }
    ids
}

#[tokio::test]
async fn an_event_posted_on_one_replica_reaches_the_sse_clients_of_every_replica_once_in_order()
-> anyhow::Result<()> {
    let servers = Servers::start()?;
    let replicas =
        vec![servers.replica().await?, servers.replica().await?, servers.replica().await?];
    let channel = create_channel(&replicas[0], "general").await?;
    let mut streams = Vec::new();
    for replica in &replicas {
        streams.push(Events::open(replica, &format!("/channels/{channel}/events")).await?);
    }
    // Posted round-robin through the three replicas, from two clients at once.
    let client = client();
    let mut posted = Vec::new();
    for round in 0..10 {
        let (text_a, text_b) = (format!("a{round}"), format!("b{round}"));
        let (a, b) = tokio::join!(
            post(&client, &replicas[round % 3], channel, &text_a),
            post(&client, &replicas[(round + 1) % 3], channel, &text_b),
        );
        posted.push(a?["id"].as_i64().unwrap_or_default());
        posted.push(b?["id"].as_i64().unwrap_or_default());
    }
    posted.sort_unstable();
    for (i, stream) in streams.iter_mut().enumerate() {
        let received = message_ids(stream, posted.len(), Duration::from_secs(10)).await;
        assert_eq!(received, posted, "replica {i}: every message once, in id order");
        // Nothing more: no duplicate arrives late.
        assert!(
            stream
                .next(Duration::from_millis(700))
                .await
                .is_none_or(|(_, data)| { data["type"] != "message_posted" })
        );
    }
    for replica in replicas {
        replica.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_replica_killed_under_load_loses_no_acknowledged_message_and_its_clients_move_on()
-> anyhow::Result<()> {
    let servers = Servers::start()?;
    // The first replica is the relay leader (it took the lock first): killing it also tests
    // the failover of the relay.
    let mut replicas: Vec<Option<Node>> = Vec::new();
    for _ in 0..3 {
        replicas.push(Some(servers.replica().await?));
    }
    let first = replicas[0].as_ref().ok_or_else(|| anyhow::anyhow!("no replica"))?;
    let channel = create_channel(first, "load").await?;
    let mut watched = Events::open(first, &format!("/channels/{channel}/events")).await?;
    let addrs: Vec<String> = replicas.iter().flatten().map(|node| node.url("")).collect::<Vec<_>>();

    // Four clients post for a bounded time, each through every replica in turn; a failed post
    // (the killed replica) is not acknowledged and is not expected to be stored.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut posters = Vec::new();
    for poster in 0..4 {
        let addrs = addrs.clone();
        posters.push(tokio::spawn(async move {
            let client = client();
            let mut acknowledged = Vec::new();
            let mut i = 0usize;
            while tokio::time::Instant::now() < deadline && i < 2_000 {
                let url = format!("{}/channels/{channel}/messages", addrs[(poster + i) % 3]);
                i += 1;
                let sent = client
                    .post(url)
                    .json(&serde_json::json!({ "author": "ann", "text": format!("{poster}-{i}") }))
                    .send()
                    .await;
                if let Ok(response) = sent
                    && response.status() == 201
                    && let Ok(body) = response.json::<Value>().await
                {
                    acknowledged.push(body["id"].as_i64().unwrap_or_default());
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    if let Some(victim) = replicas[0].take() {
        victim.kill().await?;
    }
    let mut acknowledged = BTreeSet::new();
    for poster in posters {
        acknowledged.extend(poster.await?);
    }
    assert!(acknowledged.len() > 20, "the load ran: {} acknowledged", acknowledged.len());

    // Every acknowledged message is readable from each survivor.
    for survivor in replicas.iter().flatten() {
        let stored: BTreeSet<i64> = all_messages(survivor, channel)
            .await?
            .iter()
            .filter_map(|message| message["id"].as_i64())
            .collect();
        let missing: Vec<_> = acknowledged.difference(&stored).collect();
        assert!(missing.is_empty(), "acknowledged but not stored: {missing:?}");
    }

    // The SSE client of the killed replica sees its stream end...
    let mut last_seen = 0;
    while let Some((id, _)) = watched.next(Duration::from_secs(5)).await {
        last_seen = id.unwrap_or(last_seen);
    }
    // ...reconnects to another replica, catches up over REST from the last id it saw, and
    // then receives new events live (published by the relay that took over).
    let survivor = replicas[1].as_ref().ok_or_else(|| anyhow::anyhow!("no replica"))?;
    let mut resumed = Events::open(survivor, &format!("/channels/{channel}/events")).await?;
    let caught_up: BTreeSet<i64> = all_messages(survivor, channel)
        .await?
        .iter()
        .filter_map(|message| message["id"].as_i64())
        .filter(|id| *id > last_seen)
        .collect();
    let seen: BTreeSet<i64> = acknowledged.iter().copied().filter(|id| *id <= last_seen).collect();
    assert!(
        acknowledged.iter().all(|id| seen.contains(id) || caught_up.contains(id)),
        "between the stream and the catch-up, every acknowledged message was seen"
    );
    let third = replicas[2].as_ref().ok_or_else(|| anyhow::anyhow!("no replica"))?;
    let fresh = post(&client(), third, channel, "after the failover").await?;
    let fresh = fresh["id"].as_i64().unwrap_or_default();
    // Events the old leader had not published yet may come first, republished by the new one.
    let mut live = Vec::new();
    while live.last() != Some(&fresh) {
        let ids = message_ids(&mut resumed, 1, Duration::from_secs(10)).await;
        anyhow::ensure!(!ids.is_empty(), "no live event after the failover; got {live:?}");
        live.extend(ids);
    }
    assert!(live.windows(2).all(|pair| pair[0] < pair[1]), "in order, once: {live:?}");

    for node in replicas.into_iter().flatten() {
        node.stop().await?;
    }
    Ok(())
}
