//! Checkpoints of the write-ahead log, off the writer thread.
//!
//! SQLite's default is that the connection whose commit takes the WAL past 1,000 pages copies
//! the WAL back into the database file then and there, fsyncs included. On the single writer
//! thread, that stalls every write queued behind it for the length of two fsyncs, and the
//! outbox, which adds a row to each write, makes the WAL fill faster. Here the writer only
//! counts its commits and nudges a thread of its own every [`COMMITS_PER_CHECKPOINT`], and that
//! thread runs a `PASSIVE` checkpoint on a connection of its own, which never blocks the writer
//! or the readers. When the writes stop, the thread checkpoints once more after [`IDLE`].
//!
//! The writer keeps a high automatic checkpoint ([`BACKSTOP_PAGES`]) as a backstop, should this
//! thread fall behind. Durability does not change: a commit is in the WAL (and synced as
//! `synchronous` says) before its caller is answered, whoever checkpoints it later.
//!
//! Only with `synchronous = NORMAL`, where commits do not fsync and a checkpoint's fsyncs are
//! the writer's stalls. With `FULL` every commit already waits for an fsync of the WAL, and a
//! checkpoint on another thread adds its fsyncs beside those: posting at concurrency 16 measured
//! a quarter slower at the service level than with SQLite's own checkpoints on the writer
//! (BENCHMARKS.md), so with `FULL` there is no thread ([`Checkpointer::none`]) and SQLite
//! checkpoints as it does by default.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

/// How many commits of the writer between two checkpoints while it is busy. Each commit adds a
/// few pages to the WAL. Small passes are more likely to catch up with the writer (every frame
/// copied), after which the writer's next transaction starts the WAL over instead of growing
/// it. With 256, posting at concurrency 16 measured slower and with a higher p99 than with 64;
/// 16 was no better than 64 (see BENCHMARKS.md).
pub(crate) const COMMITS_PER_CHECKPOINT: u64 = 64;

/// How long after the last nudge the thread checkpoints what it has not yet.
pub(crate) const IDLE: Duration = Duration::from_secs(1);

/// The writer's own automatic checkpoint, in WAL pages, should the thread fall behind.
pub(crate) const BACKSTOP_PAGES: u32 = 10_000;

/// The checkpoint thread, as the writer holds it.
pub(crate) struct Checkpointer {
    commits: Arc<AtomicU64>,
    nudge: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on `connection` (not the writer's).
    pub(crate) fn start(connection: Connection) -> std::io::Result<Checkpointer> {
        let commits = Arc::new(AtomicU64::new(0));
        let (nudge, nudged) = mpsc::channel();
        let counted = commits.clone();
        let thread = std::thread::Builder::new()
            .name("channels-db-checkpoint".into())
            .spawn(move || run(connection, &counted, &nudged))?;
        Ok(Checkpointer { commits, nudge: Some(nudge), thread: Some(thread) })
    }

    /// No thread: the writer's connection checkpoints by itself, at SQLite's default threshold.
    pub(crate) fn none() -> Checkpointer {
        Checkpointer { commits: Arc::default(), nudge: None, thread: None }
    }

    /// The writer's own automatic checkpoint, in WAL pages: [`BACKSTOP_PAGES`] beside a thread,
    /// `None` (SQLite's default) without one.
    pub(crate) fn writer_threshold(&self) -> Option<u32> {
        self.thread.as_ref().map(|_| BACKSTOP_PAGES)
    }

    /// Counts one commit of the writer; every [`COMMITS_PER_CHECKPOINT`], wakes the thread.
    pub(crate) fn committed(&self) {
        let commits = self.commits.fetch_add(1, Ordering::Relaxed) + 1;
        if commits.is_multiple_of(COMMITS_PER_CHECKPOINT)
            && let Some(nudge) = &self.nudge
        {
            let _ = nudge.send(());
        }
    }

    /// Ends the thread and waits for it, so that the writer's connection is the last to close
    /// (the last one checkpoints the whole WAL and removes it).
    pub(crate) fn stop(mut self) {
        drop(self.nudge.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the checkpoint thread panicked");
        }
    }
}

fn run(connection: Connection, commits: &AtomicU64, nudged: &mpsc::Receiver<()>) {
    let mut done = 0;
    // Woken by a nudge, or by the idle timeout; ends when the writer has gone.
    while !matches!(nudged.recv_timeout(IDLE), Err(RecvTimeoutError::Disconnected)) {
        let now = commits.load(Ordering::Relaxed);
        if now == done {
            continue;
        }
        done = now;
        // (busy, frames in the WAL, frames checkpointed); a busy or partial checkpoint is
        // finished by a later one.
        if let Err(error) =
            connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get::<_, i64>(0))
        {
            tracing::warn!(%error, "WAL checkpoint failed");
        }
    }
    if let Err((_, error)) = connection.close() {
        tracing::error!(%error, "cannot close the checkpoint connection");
    }
}
