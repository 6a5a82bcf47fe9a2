//! One dedicated PostgreSQL session per process, outside the pool, that does two things:
//!
//! - it `LISTEN`s to the notifications every write transaction sends at commit, and moves the
//!   `committed` watch to the newest event id, so the relay of *this* process wakes up for
//!   writes made by *any* process at once (the relay's poll stays as a fallback);
//! - it tries to take the relay's **session** advisory lock. The process whose session holds
//!   it is the cluster's relay leader: the only one that publishes the outbox to the broker.
//!   The lock goes with the session, so a leader that dies (or loses its connection) hands over
//!   to another process within a retry interval, with no lease to expire.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};
use tokio_util::sync::CancellationToken;

/// The notification channel every write transaction notifies, with the event id as payload.
pub(crate) const CHANNEL: &str = "channels_events";

/// The session advisory lock held by the relay leader.
const LEADER_LOCK: i64 = 0x6368_616e_6e65_6c32; // "channel2"

/// How often a follower tries to become the leader, and how long to wait before reconnecting.
const RETRY: Duration = Duration::from_millis(500);

/// Runs until `shutdown`: keeps a session open, listens, and competes for leadership.
pub(crate) async fn run(
    config: tokio_postgres::Config,
    committed: watch::Sender<i64>,
    leader: Arc<AtomicBool>,
    shutdown: CancellationToken,
) {
    while !shutdown.is_cancelled() {
        if let Err(error) = session(&config, &committed, &leader, &shutdown).await {
            tracing::warn!(%error, "the database listener lost its session; reconnecting");
        }
        if leader.swap(false, Ordering::SeqCst) {
            tracing::info!("no longer the relay leader");
        }
        tokio::select! {
            () = shutdown.cancelled() => {}
            () = tokio::time::sleep(RETRY) => {}
        }
    }
}

/// One session: returns when it breaks or at `shutdown`.
async fn session(
    config: &tokio_postgres::Config,
    committed: &watch::Sender<i64>,
    leader: &AtomicBool,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (notify, mut notified) = mpsc::unbounded_channel();
    // The connection delivers notifications only to whoever polls it.
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(note)) => {
                    if let Ok(id) = note.payload().parse::<i64>() {
                        let _ = notify.send(id);
                    }
                }
                Ok(_) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    });
    let result = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        // Whatever was committed while this session was down.
        let newest: i64 =
            client.query_one("SELECT coalesce(max(id), 0) FROM events", &[]).await?.get(0);
        advance(committed, newest);
        loop {
            if !leader.load(Ordering::SeqCst) {
                let won: bool = client
                    .query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK])
                    .await?
                    .get(0);
                if won {
                    tracing::info!("this process is the relay leader");
                    leader.store(true, Ordering::SeqCst);
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                id = notified.recv() => match id {
                    Some(id) => advance(committed, id),
                    None => anyhow::bail!("the listening session closed"),
                },
                () = tokio::time::sleep(RETRY) => {
                    // Also detects a dead session while nothing is written.
                    client.simple_query("").await?;
                }
            }
        }
    }
    .await;
    driver.abort();
    result
}

/// Moves `committed` forward to `id`.
fn advance(committed: &watch::Sender<i64>, id: i64) {
    committed.send_if_modified(|last| {
        let moved = id > *last;
        if moved {
            *last = id;
        }
        moved
    });
}
