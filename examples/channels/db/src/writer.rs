//! The writer: one thread owns the write connection and commits queued writes in groups.
//!
//! With `synchronous = FULL`, every commit waits for an fsync, and fsyncs are what bound the
//! write rate. Writes that arrive while a commit is in progress queue up; the writer then runs
//! them together, each in a savepoint of one transaction (so one failing write does not undo the
//! others), commits once, and only then answers each caller. A caller is still never answered
//! before its write is durable: this is group commit, not deferred commit.
//!
//! After each commit, the writer hands the events it committed to the relay in memory
//! ([`Handoff`]) and sets the `committed` watch to the newest outbox id, which wakes the relay.
//! It does so itself, not the callers: a caller whose request was dropped after queueing its
//! write is never answered, yet its event is announced. Each write returns its event, id
//! included, so announcing a commit reads nothing back from the database.
//!
//! The transaction statements (`BEGIN`, `SAVEPOINT`, `RELEASE`, `COMMIT`) are prepared once
//! and cached, like the writes' own; WAL checkpoints run on a thread of their own
//! ([`Checkpointer`]).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use channels_api::handoff::Handoff;
use channels_api::{DbError, StoredEvent};
use rusqlite::Connection;
use tokio::sync::watch;

use crate::checkpoint::Checkpointer;

/// The most writes committed together.
const MAX_GROUP: usize = 256;

/// Answers a caller once its group's commit is known: `Some(reason)` if the commit failed.
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

/// A queued write. It runs inside the group's transaction (or gets `None` if the transaction
/// could not begin) and returns how to answer its caller, with its event if it succeeded.
type Job = Box<dyn FnOnce(Option<&Connection>) -> (Answer, Option<StoredEvent>) + Send>;

/// Where the writer announces its commits.
pub(crate) struct Announce {
    /// The newest outbox id committed.
    pub(crate) committed: watch::Sender<i64>,
    /// The events committed, for the relay.
    pub(crate) handoff: Arc<Handoff>,
}

/// The handle to the writer thread.
#[derive(Default)]
pub(crate) struct Writer {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    /// Starts the writer thread on `connection`; after each commit it announces the events
    /// committed to `announce`, and counts the commit for `checkpoints`.
    pub(crate) fn open(
        &self,
        connection: Connection,
        announce: Announce,
        checkpoints: Checkpointer,
    ) -> anyhow::Result<()> {
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("channels-db-writer".into())
            .spawn(move || run(connection, receiver, &announce, checkpoints))?;
        *self.jobs.lock().unwrap_or_else(PoisonError::into_inner) = Some(sender);
        *self.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(thread);
        Ok(())
    }

    /// Runs `op` in the next group and returns its result once the group is committed. `op`
    /// returns its result and the event it recorded in the outbox.
    pub(crate) async fn write<T, F>(&self, op: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<(T, StoredEvent), DbError> + Send + 'static,
    {
        let (reply, replied) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let (result, event) = match connection.map(|connection| in_savepoint(connection, op)) {
                Some(Ok((value, event))) => (Ok(value), Some(event)),
                Some(Err(error)) => (Err(error), None),
                None => (Err(DbError::Other(anyhow::anyhow!("cannot begin a transaction"))), None),
            };
            let answer: Answer = Box::new(move |commit_failure| {
                let result = match (result, commit_failure) {
                    (Ok(_), Some(reason)) => {
                        Err(DbError::Other(anyhow::anyhow!("commit failed: {reason}")))
                    }
                    (result, _) => result,
                };
                // The caller may have gone away (its request was dropped); nothing to tell.
                let _ = reply.send(result);
            });
            (answer, event)
        });
        {
            let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
            let sender = jobs.as_ref().ok_or(DbError::Closed)?;
            sender.send(job).map_err(|_| DbError::Closed)?;
        }
        replied.await.map_err(|_| DbError::Closed)?
    }

    /// Stops taking writes. The thread commits what is queued, closes the connection and ends;
    /// join the returned handle (a blocking call) to wait for it.
    pub(crate) fn close(&self) -> Option<JoinHandle<()>> {
        drop(self.jobs.lock().unwrap_or_else(PoisonError::into_inner).take());
        self.thread.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Runs one transaction statement, prepared once per connection.
fn execute(connection: &Connection, sql: &str) -> rusqlite::Result<()> {
    connection.prepare_cached(sql)?.execute([]).map(drop)
}

/// Runs `op` in a savepoint: its changes are kept if it succeeds, undone if it fails or panics.
fn in_savepoint<T>(
    connection: &Connection,
    op: impl FnOnce(&Connection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    execute(connection, "SAVEPOINT write").map_err(|e| DbError::Other(e.into()))?;
    let result = catch_unwind(AssertUnwindSafe(|| op(connection)))
        .unwrap_or_else(|_| Err(DbError::Other(anyhow::anyhow!("a database write panicked"))));
    let kept = match result {
        Ok(value) => match execute(connection, "RELEASE write") {
            Ok(()) => return Ok(value),
            Err(error) => Err(DbError::Other(error.into())),
        },
        Err(error) => Err(error),
    };
    // Failed, or could not be kept: undo its changes and leave the savepoint.
    let undone = execute(connection, "ROLLBACK TO write")
        .and_then(|()| execute(connection, "RELEASE write"));
    if let Err(error) = undone {
        tracing::error!(%error, "cannot roll a write back to its savepoint");
    }
    kept
}

/// After a commit: hands `events` to the relay, then moves `committed` to the newest id.
fn announce(events: Vec<StoredEvent>, announce: &Announce) {
    let Some(newest) = events.last().map(|event| event.id) else { return };
    announce.handoff.push(events);
    announce.committed.send_if_modified(|last| {
        let moved = newest > *last;
        if moved {
            *last = newest;
        }
        moved
    });
}

/// The writer thread: takes every queued job, runs them in one transaction, commits, answers.
fn run(
    connection: Connection,
    jobs: mpsc::Receiver<Job>,
    announced: &Announce,
    checkpoints: Checkpointer,
) {
    if let Some(pages) = checkpoints.writer_threshold()
        && let Err(error) = connection.pragma_update(None, "wal_autocheckpoint", pages)
    {
        tracing::warn!(%error, "cannot raise the writer's automatic checkpoint");
    }
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        group.extend(jobs.try_iter().take(MAX_GROUP - 1));
        let mut events = Vec::with_capacity(group.len());
        let answers: Vec<Answer> = match execute(&connection, "BEGIN IMMEDIATE") {
            Ok(()) => group
                .into_iter()
                .map(|job| {
                    let (answer, event) = job(Some(&connection));
                    events.extend(event);
                    answer
                })
                .collect(),
            Err(error) => {
                tracing::error!(%error, "cannot begin a write transaction");
                group.into_iter().map(|job| job(None).0).collect()
            }
        };
        let failure = match execute(&connection, "COMMIT") {
            Ok(()) => {
                // Ids increase within a group: its events are in id order.
                announce(events, announced);
                checkpoints.committed();
                None
            }
            Err(error) if connection.is_autocommit() => {
                // BEGIN failed: the jobs already carry the error.
                tracing::debug!(%error, "nothing to commit");
                None
            }
            Err(error) => {
                tracing::error!(%error, "commit failed; rolling back the group");
                let _ = connection.execute_batch("ROLLBACK");
                Some(error.to_string())
            }
        };
        for answer in answers {
            answer(failure.as_deref());
        }
    }
    // Every sender is gone: the component is stopping. The checkpoint connection closes first,
    // so that this one is the last: closing it checkpoints the whole WAL.
    checkpoints.stop();
    if let Err((_, error)) = connection.close() {
        tracing::error!(%error, "cannot close the write connection");
    }
}
