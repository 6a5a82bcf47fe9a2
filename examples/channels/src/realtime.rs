//! The `realtime` component: the outbox relay and the in-process event bus.
//!
//! Every write stores its [`ChannelEvent`](channels_api::ChannelEvent) in the database's outbox
//! in its own transaction (see [`Database`]). The relay, a background task of this component,
//! tails the outbox by id and publishes each event on a `tokio::sync::broadcast` channel, in id
//! order, once. It is woken by the database's commit watch ([`Database::committed`]); the events
//! this process just committed it takes from the writer's in-memory handoff
//! ([`Database::handed_after`]) as long as they follow the last one published id for id, and it
//! reads the outbox ([`Database::events_after`]) otherwise: after a gap (events of another
//! process, or more than the handoff keeps), every [`POLL_INTERVAL`] (for writes that another
//! process made), and when stopping. So an event is published whether or not the client that caused it is still
//! connected, and every subscriber (the SSE streams of the web layer, the webhooks component)
//! receives events in commit order.
//!
//! The relay starts at the newest event stored when the component starts: events committed
//! before (by an earlier run) are not republished. It runs as a task tracked by the component's
//! [`Supervisor`](weft::Supervisor): when the component stops, the relay publishes what is
//! committed, then ends, and the platform awaits it.
//!
//! With a `nats_url`, the bus spans several processes instead: see [`cluster`]. One relay per
//! cluster publishes to NATS, and every process forwards what NATS delivers into its local
//! broadcast channel, so subscribers read it exactly as they read the in-process bus.

pub mod cluster;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use channels_api::handoff::Handed;
use channels_api::{Config, Database, EventBus, StoredEvent};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use weft::Supervisor;
use weft::prelude::*;

/// How many events a slow subscriber may fall behind before it loses the oldest.
pub const CAPACITY: usize = 1024;

/// How often the relay looks at the outbox when no commit of this process woke it.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The most events the relay reads at once.
const BATCH: u32 = 256;

/// How long the relay waits after a failed read of the outbox before trying again.
const RETRY_AFTER: Duration = Duration::from_millis(100);

/// The `realtime` component.
#[component(name = "realtime", provides = dyn EventBus, requires = [dyn Config, dyn Database])]
pub struct Realtime {
    config: Arc<dyn Config>,
    db: Arc<dyn Database>,
    bus: Bus,
    /// The NATS connection, with a `nats_url`.
    broker: Mutex<Option<cluster::Broker>>,
}

/// The broadcast sender; receivers are made from it on demand.
#[derive(Clone)]
struct Bus(broadcast::Sender<StoredEvent>);

impl Default for Bus {
    fn default() -> Self {
        Bus(broadcast::Sender::new(CAPACITY))
    }
}

impl EventBus for Realtime {
    fn publish(&self, event: StoredEvent) {
        // An error only means that nobody is listening, which is fine.
        let _ = self.bus.0.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<StoredEvent> {
        self.bus.0.subscribe()
    }

    fn connected(&self) -> bool {
        let broker = self.broker.lock().unwrap_or_else(PoisonError::into_inner);
        broker.as_ref().is_none_or(cluster::Broker::connected)
    }
}

impl Lifecycle for Realtime {
    async fn start(&self) -> anyhow::Result<()> {
        let after = self.db.last_event_id().await?;
        let settings = self.config.settings();
        if let (Some(_), None) = (&settings.nats_url, &settings.database_url) {
            // Replicas with a database each would publish conflicting ids to one subject.
            anyhow::bail!(
                "`nats_url` spreads events across processes that share one database: set \
                 `database_url` (postgres://…) too, or drop `nats_url` to run one process on \
                 SQLite with the in-process bus"
            );
        }
        // The relay is a tracked task: it ends on this component's stop signal, and the
        // platform awaits it before `stop` (after every dependent has stopped).
        let supervisor = Supervisor::current()?;
        let stop = supervisor.stop_token();
        if let Some(url) = &settings.nats_url {
            let broker =
                cluster::Broker::connect(url, self.db.clone(), after, self.bus.0.clone()).await?;
            let relay = broker.relay(self.db.clone(), after, stop);
            *self.broker.lock().unwrap_or_else(PoisonError::into_inner) = Some(broker);
            supervisor.spawn("relay", async move {
                relay.await;
                Ok(())
            })?;
        } else {
            let (bus, listened) = (self.bus.clone(), self.bus.clone());
            let relay = relay(
                self.db.clone(),
                after,
                stop,
                move |event| {
                    let _ = bus.0.send(event);
                },
                move || listened.0.receiver_count() > 0,
            );
            supervisor.spawn("relay", async move {
                relay.await;
                Ok(())
            })?;
        }
        tracing::debug!(after, "relay started");
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        // The relay has ended (tracked task). This ends the forwarder: no event reaches this
        // process after its stop.
        drop(self.broker.lock().unwrap_or_else(PoisonError::into_inner).take());
        Ok(())
    }
}

/// The relay: publishes, in id order, every event of `db`'s outbox with an id greater than
/// `after`, then each new one as it is committed, until `shutdown`, after which it publishes
/// what is committed and returns.
///
/// A failed read is logged and retried; `publish` is called exactly once per event, in
/// increasing id order. While `listened` says that nobody listens, the relay skips the events
/// instead of reading them (a subscriber receives the events committed after it subscribed).
pub async fn relay(
    db: Arc<dyn Database>,
    mut after: i64,
    shutdown: CancellationToken,
    publish: impl Fn(StoredEvent),
    listened: impl Fn() -> bool,
) {
    let mut committed = db.committed();
    let mut watching = true;
    let mut polled = false;
    loop {
        let stopping = shutdown.is_cancelled();
        // The head is read before asking whether anyone listens: an event at or below it was
        // committed before any subscriber that the answer does not count.
        let head = *committed.borrow_and_update();
        let caught_up = if listened() {
            publish_after(&*db, &mut after, &publish, polled || stopping).await
        } else {
            after = after.max(head);
            // Another process's writes show only in the outbox.
            if polled && let Ok(head) = db.last_event_id().await {
                after = after.max(head);
            }
            true
        };
        db.relay_published(after);
        if stopping {
            return;
        }
        let wait = if caught_up { POLL_INTERVAL } else { RETRY_AFTER };
        polled = false;
        tokio::select! {
            () = shutdown.cancelled() => {}
            changed = committed.changed(), if watching => {
                // The database is gone; the poll still runs until the stop.
                watching = changed.is_ok();
            }
            () = tokio::time::sleep(wait) => polled = true,
        }
    }
}

/// Publishes every event after `after`, moving it; `false` if a read failed (logged). Takes the
/// events handed over in memory while they follow `after` id for id, unless `read_outbox`; reads
/// the outbox otherwise.
async fn publish_after(
    db: &dyn Database,
    after: &mut i64,
    publish: &impl Fn(StoredEvent),
    read_outbox: bool,
) -> bool {
    if !read_outbox {
        loop {
            match db.handed_after(*after) {
                // Everything this process committed is published.
                Handed::Events(events) if events.is_empty() => return true,
                Handed::Events(events) => {
                    for event in events {
                        *after = event.id;
                        publish(event);
                    }
                }
                Handed::Gap => break,
            }
        }
    }
    loop {
        match db.events_after(*after, BATCH).await {
            Ok(events) => {
                let full = events.len() == BATCH as usize;
                for event in events {
                    *after = event.id;
                    publish(event);
                }
                if !full {
                    return true;
                }
            }
            Err(error) => {
                tracing::warn!(%error, after, "the relay cannot read the outbox; retrying");
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use channels_api::handoff::HANDOFF_CAPACITY;
    use channels_api::{Author, ChannelName, MessageText, NewMessage, Settings, SyncMode};
    use channels_db::Sqlite;

    use super::*;

    /// More events than the handoff keeps were committed before the relay ran: it takes what
    /// it lost from the outbox, then the rest from memory, each once and in order.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_relay_reads_what_the_handoff_dropped_from_the_outbox() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let settings =
            Settings { data_dir: dir.path().into(), sync: SyncMode::Normal, ..Settings::default() };
        let mut db = Sqlite::new(Arc::new(settings));
        db.init().await?;
        let db = Arc::new(db);
        let channel = db.create_channel(ChannelName::parse("lossless")?, 1).await?;
        let posts = HANDOFF_CAPACITY + 100;
        let mut writers = tokio::task::JoinSet::new();
        for writer in 0..16 {
            let db = db.clone();
            writers.spawn(async move {
                for i in (writer..posts).step_by(16) {
                    let new = NewMessage {
                        author: Author::parse("ann")?,
                        text: MessageText::parse(&format!("m{i}"))?,
                    };
                    db.insert_message(channel.id, new, 2).await?;
                }
                anyhow::Ok(())
            });
        }
        while let Some(written) = writers.join_next().await {
            written??;
        }
        let newest = db.last_event_id().await?;
        assert_eq!(newest, i64::try_from(posts)? + 1);

        let published = Arc::new(Mutex::new(Vec::new()));
        let count = || published.lock().unwrap_or_else(PoisonError::into_inner).len();
        let (sink, stop) = (published.clone(), CancellationToken::new());
        let database: Arc<dyn Database> = db.clone();
        let started = tokio::time::Instant::now();
        let relay = tokio::spawn(relay(
            database,
            0,
            stop.clone(),
            move |event| sink.lock().unwrap_or_else(PoisonError::into_inner).push(event.id),
            || true,
        ));
        // The handoff holds only the newest events: the relay finds the gap before them and
        // reads the outbox at once, not at its first poll.
        let before_the_poll = started + POLL_INTERVAL * 4 / 5;
        while count() < posts + 1 && tokio::time::Instant::now() < before_the_poll {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(count(), posts + 1, "the backlog was read from the outbox before the poll");
        // A commit now comes through the handoff, also before any poll.
        db.delete_channel(channel.id, 3).await?;
        let committed = tokio::time::Instant::now();
        while count() < posts + 2 && committed.elapsed() < POLL_INTERVAL / 5 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        assert_eq!(count(), posts + 2, "the new event came through the handoff");
        stop.cancel();
        relay.await?;
        let published = published.lock().unwrap_or_else(PoisonError::into_inner).clone();
        assert_eq!(published, (1..=newest + 1).collect::<Vec<_>>());
        Ok(())
    }
}
