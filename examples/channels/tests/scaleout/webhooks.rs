//! Webhooks with several web replicas and several workers: each message is delivered once per
//! cluster, and a killed worker's deliveries are made by another.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post as route_post;

use crate::base::client;
use crate::cluster::{Servers, create_channel, post};

/// What the receiver saw, by `x-channels-message-id`.
#[derive(Default)]
struct Seen {
    /// Requests that arrived.
    arrived: BTreeMap<i64, u32>,
    /// Requests answered (after the delay; a request whose sender died is never answered).
    answered: BTreeMap<i64, u32>,
}

type Shared = Arc<Mutex<Seen>>;

/// A receiver that answers 204 after `delay`.
async fn receiver(delay: Duration) -> anyhow::Result<(String, Shared)> {
    let seen = Shared::default();
    let app = Router::new()
        .route(
            "/hook",
            route_post(move |State(seen): State<Shared>, headers: HeaderMap| async move {
                let id: i64 = headers
                    .get("x-channels-message-id")
                    .and_then(|value| value.to_str().ok())
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(-1);
                *seen
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .arrived
                    .entry(id)
                    .or_default() += 1;
                tokio::time::sleep(delay).await;
                *seen
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .answered
                    .entry(id)
                    .or_default() += 1;
                StatusCode::NO_CONTENT
            }),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr: SocketAddr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("http://{addr}/hook"), seen))
}

/// Waits until every id of `ids` was answered, for at most `within`.
async fn wait_answered(seen: &Shared, ids: &BTreeSet<i64>, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        let answered: BTreeSet<i64> =
            seen.lock().unwrap_or_else(PoisonError::into_inner).answered.keys().copied().collect();
        if ids.is_subset(&answered) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn three_replicas_and_two_workers_deliver_each_message_once() -> anyhow::Result<()> {
    let (hook, seen) = receiver(Duration::ZERO).await?;
    let servers = Servers::start()?;
    let replicas =
        vec![servers.replica().await?, servers.replica().await?, servers.replica().await?];
    let workers = vec![servers.worker(&hook).await?, servers.worker(&hook).await?];
    let channel = create_channel(&replicas[0], "hooks").await?;
    let client = client();
    let mut posted = BTreeSet::new();
    for i in 0..30 {
        let message = post(&client, &replicas[i % 3], channel, &format!("m{i}")).await?;
        posted.insert(message["id"].as_i64().unwrap_or_default());
    }
    assert!(
        wait_answered(&seen, &posted, Duration::from_secs(20)).await,
        "every message delivered"
    );
    // Late duplicates would arrive within a claim interval or two.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let arrived = seen.lock().unwrap_or_else(PoisonError::into_inner).arrived.clone();
    let repeated: Vec<_> = arrived.iter().filter(|(_, count)| **count != 1).collect();
    assert!(repeated.is_empty(), "delivered more than once: {repeated:?}");
    assert_eq!(arrived.keys().copied().collect::<BTreeSet<_>>(), posted);
    for node in replicas.into_iter().chain(workers) {
        node.stop().await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_deliveries_of_a_killed_worker_are_made_by_another() -> anyhow::Result<()> {
    // Slow answers: the first worker is killed while its deliveries are in flight.
    let (hook, seen) = receiver(Duration::from_millis(1_500)).await?;
    let servers = Servers::start()?;
    let replica = servers.replica().await?;
    // A time limit above the receiver's delay: only the kill stops the first deliveries.
    let env = [
        ("CHANNELS_WEBHOOK_URLS", hook.as_str()),
        ("CHANNELS_WEBHOOK_RETRIES", "0"),
        ("CHANNELS_WEBHOOK_TIMEOUT_MS", "3000"),
    ];
    let doomed = servers.node("webhooks", &env).await?;
    let channel = create_channel(&replica, "hooks").await?;
    let client = client();
    let mut posted = BTreeSet::new();
    for i in 0..10 {
        posted.insert(
            post(&client, &replica, channel, &format!("m{i}")).await?["id"]
                .as_i64()
                .unwrap_or_default(),
        );
    }
    // Wait until the doomed worker's requests have arrived, then kill it before it is answered.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let arrived = seen.lock().unwrap_or_else(PoisonError::into_inner).arrived.len();
        if arrived == posted.len() {
            break;
        }
        anyhow::ensure!(tokio::time::Instant::now() < deadline, "only {arrived} arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    doomed.kill().await?;
    assert!(seen.lock().unwrap_or_else(PoisonError::into_inner).answered.is_empty());

    let rescuer = servers.node("webhooks", &env).await?;
    assert!(
        wait_answered(&seen, &posted, Duration::from_secs(30)).await,
        "the second worker delivered what the first one held"
    );
    let (arrived, answered) = {
        let seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
        (seen.arrived.clone(), seen.answered.clone())
    };
    // At least once: each message arrived twice (the killed attempt, then the rescue), and was
    // answered once.
    assert!(arrived.values().all(|count| *count == 2), "{arrived:?}");
    assert!(answered.values().all(|count| *count == 1), "{answered:?}");
    rescuer.stop().await?;
    replica.stop().await?;
    Ok(())
}
