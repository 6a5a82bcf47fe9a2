//! The writer: one thread owns the write connection and commits queued writes in groups.
//!
//! With `synchronous = FULL`, every commit waits for an fsync, and fsyncs are what bound the
//! write rate. Writes that arrive while a commit is in progress queue up; the writer then runs
//! them together, each in a savepoint of one transaction (so one failing write does not undo the
//! others), commits once, and only then answers each caller. A caller is still never answered
//! before its write is durable: this is group commit, not deferred commit.
//!
//! After each commit, the writer sets the `committed` watch to the newest outbox id, which wakes
//! the realtime relay. It does so itself, not the callers: a caller whose request was dropped
//! after queueing its write is never answered, yet its event is announced.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::thread::JoinHandle;

use channels_api::DbError;
use rusqlite::Connection;
use tokio::sync::watch;

/// The most writes committed together.
const MAX_GROUP: usize = 256;

/// Answers a caller once its group's commit is known: `Some(reason)` if the commit failed.
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

/// A queued write. It runs inside the group's transaction (or gets `None` if the transaction
/// could not begin) and returns how to answer its caller.
type Job = Box<dyn FnOnce(Option<&mut Connection>) -> Answer + Send>;

/// The handle to the writer thread.
#[derive(Default)]
pub(crate) struct Writer {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    /// Starts the writer thread on `connection`; after each commit it sets `committed` to the
    /// newest outbox id.
    pub(crate) fn open(
        &self,
        connection: Connection,
        committed: watch::Sender<i64>,
    ) -> anyhow::Result<()> {
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("channels-db-writer".into())
            .spawn(move || run(connection, receiver, &committed))?;
        *self.jobs.lock().unwrap_or_else(PoisonError::into_inner) = Some(sender);
        *self.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(thread);
        Ok(())
    }

    /// Runs `op` in the next group and returns its result once the group is committed.
    pub(crate) async fn write<T, F>(&self, op: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let (reply, replied) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let result = match connection {
                Some(connection) => in_savepoint(connection, op),
                None => Err(DbError::Other(anyhow::anyhow!("cannot begin a transaction"))),
            };
            Box::new(move |commit_failure| {
                let result = match (result, commit_failure) {
                    (Ok(_), Some(reason)) => {
                        Err(DbError::Other(anyhow::anyhow!("commit failed: {reason}")))
                    }
                    (result, _) => result,
                };
                // The caller may have gone away (its request was dropped); nothing to tell.
                let _ = reply.send(result);
            })
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

/// Runs `op` in a savepoint: its changes are kept if it succeeds, undone if it fails or panics.
fn in_savepoint<T>(
    connection: &mut Connection,
    op: impl FnOnce(&Connection) -> Result<T, DbError>,
) -> Result<T, DbError> {
    let savepoint = connection.savepoint().map_err(|e| DbError::Other(e.into()))?;
    let result = catch_unwind(AssertUnwindSafe(|| op(&savepoint)))
        .unwrap_or_else(|_| Err(DbError::Other(anyhow::anyhow!("a database write panicked"))))?;
    savepoint.commit().map_err(|e| DbError::Other(e.into()))?;
    Ok(result)
}

/// Sets `committed` to the newest outbox id, if it moved.
fn announce(connection: &Connection, committed: &watch::Sender<i64>) {
    match crate::queries::last_event_id(connection) {
        Ok(id) => {
            committed.send_if_modified(|last| {
                let moved = id > *last;
                if moved {
                    *last = id;
                }
                moved
            });
        }
        // The relay's poll finds the events anyway.
        Err(error) => tracing::warn!(%error, "cannot read the newest event id"),
    }
}

/// The writer thread: takes every queued job, runs them in one transaction, commits, answers.
fn run(mut connection: Connection, jobs: mpsc::Receiver<Job>, committed: &watch::Sender<i64>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        group.extend(jobs.try_iter().take(MAX_GROUP - 1));
        let answers: Vec<Answer> = match connection.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => group.into_iter().map(|job| job(Some(&mut connection))).collect(),
            Err(error) => {
                tracing::error!(%error, "cannot begin a write transaction");
                group.into_iter().map(|job| job(None)).collect()
            }
        };
        let failure = match connection.execute_batch("COMMIT") {
            Ok(()) => {
                announce(&connection, committed);
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
    // Every sender is gone: the component is stopping. Closing checkpoints the WAL.
    if let Err((_, error)) = connection.close() {
        tracing::error!(%error, "cannot close the write connection");
    }
}
