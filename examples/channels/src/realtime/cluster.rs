//! The realtime bus over NATS, for several replicas: one relay per cluster publishes the
//! outbox to one NATS subject, and every replica subscribes to it and forwards what it receives
//! into its local broadcast channel, which its SSE streams and webhooks read as usual.
//!
//! - **One publisher.** The relay publishes only while the database says this process is the
//!   relay leader ([`Database::relay_leader`]; on PostgreSQL, the holder of a session advisory
//!   lock). A new leader resumes from the position the cluster recorded
//!   ([`Database::relay_position`]), recorded only after the broker confirmed (flushed) what
//!   was published: a failover or a broker outage republishes, never skips.
//! - **Once, in order, no gap.** Ids increase in commit order and each leader publishes in id
//!   order; the forwarder drops every id it has already forwarded, so republished events are not
//!   seen twice by local subscribers. An event that did not reach this replica (it was
//!   disconnected from the broker when it was published) is read from the outbox when a later
//!   one arrives, or when the connection comes back.
//! - **Core NATS, no JetStream.** The outbox in the database is the durable log; the broker only
//!   fans out. An SSE client that was cut off resumes over REST from the last id it saw.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use channels_api::{Database, StoredEvent};
use futures_util::StreamExt as _;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::POLL_INTERVAL;

/// The subject every event is published on.
pub const SUBJECT: &str = "channels.events";

/// The most events the relay publishes between two flushes.
const BATCH: u32 = 256;

/// How long the relay waits for the broker to confirm a batch before trying again.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

/// How long the relay waits after a failure before trying again.
const RETRY_AFTER: Duration = Duration::from_millis(200);

/// A connection to the broker, with the forwarder subscribed.
pub(crate) struct Broker {
    client: async_nats::Client,
    /// The newest id this replica forwarded to its local subscribers.
    forwarded: Arc<AtomicI64>,
    forwarder: JoinHandle<()>,
}

impl Broker {
    /// Connects to the NATS server at `url` and forwards the subject into `local`, starting
    /// after the event `after`.
    pub(crate) async fn connect(
        url: &str,
        db: Arc<dyn Database>,
        after: i64,
        local: broadcast::Sender<StoredEvent>,
    ) -> anyhow::Result<Broker> {
        let (reconnected, mut reconnections) = tokio::sync::mpsc::unbounded_channel();
        let client = async_nats::ConnectOptions::new()
            .name("channels")
            .connection_timeout(Duration::from_secs(2))
            .event_callback(move |event| {
                let reconnected = reconnected.clone();
                async move {
                    tracing::info!(%event, "NATS connection");
                    if matches!(event, async_nats::Event::Connected) {
                        let _ = reconnected.send(());
                    }
                }
            })
            .connect(url)
            .await
            .with_context(|| format!("cannot connect to NATS at `{url}`"))?;
        let mut subscriber =
            client.subscribe(SUBJECT).await.context("cannot subscribe to the NATS subject")?;
        // The subscription is registered once the server has seen it.
        client.flush().await.context("cannot reach NATS")?;
        let forwarded = Arc::new(AtomicI64::new(after));
        let mut forwarder = Forwarder { db, local, last: forwarded.clone() };
        let forwarder = tokio::spawn(async move {
            loop {
                tokio::select! {
                    message = subscriber.next() => {
                        let Some(message) = message else { return };
                        match serde_json::from_slice::<StoredEvent>(&message.payload) {
                            Ok(event) => forwarder.forward(event).await,
                            Err(error) => {
                                tracing::warn!(%error, "an undecodable event on the NATS subject");
                            }
                        }
                    }
                    Some(()) = reconnections.recv() => forwarder.catch_up().await,
                }
            }
        });
        Ok(Broker { client, forwarded, forwarder })
    }

    /// Whether the broker is reachable now.
    pub(crate) fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    /// The cluster relay, to run on a task: until `shutdown`, publishes the outbox to the broker while this
    /// process is the relay leader. `start` is where a process with no recorded position (a
    /// single-process database) begins.
    pub(crate) fn relay(
        &self,
        db: Arc<dyn Database>,
        start: i64,
        shutdown: CancellationToken,
    ) -> impl Future<Output = ()> + Send + 'static {
        let client = self.client.clone();
        let forwarded = self.forwarded.clone();
        async move {
            let mut committed = db.committed();
            let mut watching = true;
            // `Some(after)` while leading: the newest id published and confirmed.
            let mut leading: Option<i64> = None;
            loop {
                committed.borrow_and_update();
                let mut wait = POLL_INTERVAL;
                if db.relay_leader() {
                    let after = match leading {
                        Some(after) => Ok(after),
                        None => db.relay_position().await.map(|position| {
                            let after = position.unwrap_or(start);
                            tracing::info!(after, "relay leading");
                            after
                        }),
                    };
                    match after {
                        Ok(after) => match publish(&client, db.as_ref(), after).await {
                            Ok(published) => leading = Some(published),
                            Err(error) => {
                                tracing::warn!(%error, after, "the relay cannot publish; retrying");
                                leading = Some(after);
                                wait = RETRY_AFTER;
                            }
                        },
                        Err(error) => {
                            tracing::warn!(%error, "the relay cannot read its position");
                            wait = RETRY_AFTER;
                        }
                    }
                } else if leading.take().is_some() {
                    tracing::info!(forwarded = forwarded.load(Ordering::SeqCst), "relay following");
                }
                if shutdown.is_cancelled() {
                    return;
                }
                tokio::select! {
                    () = shutdown.cancelled() => {}
                    changed = committed.changed(), if watching => watching = changed.is_ok(),
                    () = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}

/// Forwards the events of the subject into the local broadcast channel, each once, in id
/// order, with no gap: the database's outbox is the log, and the broker only says when to look.
struct Forwarder {
    db: Arc<dyn Database>,
    local: broadcast::Sender<StoredEvent>,
    /// The newest id forwarded.
    last: Arc<AtomicI64>,
}

impl Forwarder {
    fn send(&self, event: StoredEvent) {
        self.last.store(event.id, Ordering::SeqCst);
        // An error only means that nobody is listening here.
        let _ = self.local.send(event);
    }

    /// Forwards `event` unless it was already; events between the last one forwarded and it
    /// that never reached this process (it was disconnected when they were published) are
    /// read from the outbox and forwarded first. Ids are in commit order, so they are all
    /// committed; a rolled-back write leaves a gap that the read simply does not find.
    async fn forward(&mut self, event: StoredEvent) {
        let last = self.last.load(Ordering::SeqCst);
        if event.id <= last {
            return;
        }
        if event.id > last + 1 {
            let missing = u32::try_from(event.id - last - 1).unwrap_or(u32::MAX).min(BATCH);
            match self.db.events_after(last, missing).await {
                Ok(events) => {
                    for missed in events.into_iter().filter(|missed| missed.id < event.id) {
                        self.send(missed);
                    }
                }
                Err(error) => tracing::warn!(%error, last, "cannot read events missed from NATS"),
            }
        }
        self.send(event);
    }

    /// After a reconnection: forwards what was committed while the subscription was down.
    async fn catch_up(&mut self) {
        loop {
            let last = self.last.load(Ordering::SeqCst);
            match self.db.events_after(last, BATCH).await {
                Ok(events) => {
                    let full = events.len() == BATCH as usize;
                    for event in events {
                        self.send(event);
                    }
                    if !full {
                        return;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, last, "cannot catch up after reconnecting to NATS");
                    return;
                }
            }
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.forwarder.abort();
    }
}

/// Publishes every event after `after`, batch by batch, flushing and recording the position
/// after each; returns the newest id published.
async fn publish(
    client: &async_nats::Client,
    db: &dyn Database,
    mut after: i64,
) -> anyhow::Result<i64> {
    loop {
        let events = db.events_after(after, BATCH).await?;
        let Some(last) = events.last().map(|event| event.id) else { return Ok(after) };
        let full = events.len() == BATCH as usize;
        for event in &events {
            let payload = serde_json::to_vec(event)?;
            client.publish(SUBJECT, payload.into()).await?;
        }
        tokio::time::timeout(FLUSH_TIMEOUT, client.flush())
            .await
            .context("the broker did not confirm in time")??;
        after = last;
        if let Err(error) = db.set_relay_position(after).await {
            // A later leader republishes from an older position; subscribers drop the repeats.
            tracing::warn!(%error, after, "cannot record the relay position");
        }
        if !full {
            return Ok(after);
        }
    }
}
