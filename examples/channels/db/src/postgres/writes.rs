//! The writes, each a function of an open write transaction, and the writer that runs them in
//! groups: one transaction (under the write lock) and one commit for every write that queued
//! while the previous group was committing, each write in a savepoint of its own.
//!
//! Every write holds the cluster-wide write lock until its commit (ids in commit order), so
//! with one commit per write the cluster would commit one write per WAL flush. Grouping is the
//! same group commit as the SQLite writer's: a caller is still answered only after its write is
//! committed, but one flush serves the whole group.

use channels_api::{Channel, ChannelEvent, ChannelName, DbError, Message, NewMessage};
use deadpool_postgres::{Pool, Transaction};
use tokio::sync::{mpsc, oneshot, watch};

use super::{append_event, begin_write, channel, db_error, message, pool_error, unique_violation};

/// The most writes committed together.
const MAX_GROUP: usize = 256;

/// A write to run.
pub(super) enum Write {
    CreateChannel { name: ChannelName, now: i64 },
    RenameChannel { id: i64, name: ChannelName, now: i64 },
    DeleteChannel { id: i64, now: i64 },
    InsertMessage { channel_id: i64, message: NewMessage, now: i64 },
}

/// What a write returns.
pub(super) enum Written {
    Channel(Channel),
    Deleted,
    Message(Message),
}

struct Job {
    write: Write,
    reply: oneshot::Sender<Result<Written, DbError>>,
}

/// The queue of the writer task.
pub(super) struct Writer {
    jobs: std::sync::Mutex<Option<mpsc::UnboundedSender<Job>>>,
    task: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Writer {
    /// Starts the writer task on `pool`; after each commit it moves `committed` forward.
    pub(super) fn start(pool: Pool, committed: watch::Sender<i64>) -> Writer {
        let (jobs, queue) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(pool, queue, committed));
        Writer { jobs: std::sync::Mutex::new(Some(jobs)), task: std::sync::Mutex::new(Some(task)) }
    }

    /// Runs `write` in the next group; returns once that group is committed.
    pub(super) async fn write(&self, write: Write) -> Result<Written, DbError> {
        let (reply, replied) = oneshot::channel();
        {
            let jobs = self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let jobs = jobs.as_ref().ok_or(DbError::Closed)?;
            jobs.send(Job { write, reply }).map_err(|_| DbError::Closed)?;
        }
        replied.await.map_err(|_| DbError::Closed)?
    }

    /// Stops taking writes and waits for the queued ones to be committed.
    pub(super) async fn close(&self) {
        drop(self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take());
        let task = self.task.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

async fn run(pool: Pool, mut queue: mpsc::UnboundedReceiver<Job>, committed: watch::Sender<i64>) {
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        run_group(&pool, group, &committed).await;
    }
}

/// The same failure for every write of a group (`DbError` is not `Clone`).
fn for_each(error: &DbError) -> DbError {
    match error {
        DbError::Closed => DbError::Closed,
        DbError::Unavailable(error) => DbError::Unavailable(anyhow::anyhow!("{error:#}")),
        other => DbError::Other(anyhow::anyhow!("{other}")),
    }
}

/// Runs a group in one transaction and answers each caller after the commit.
async fn run_group(pool: &Pool, group: Vec<Job>, committed: &watch::Sender<i64>) {
    let mut client = match pool.get().await {
        Ok(client) => client,
        Err(error) => {
            let error = pool_error(error);
            for job in group {
                let _ = job.reply.send(Err(for_each(&error)));
            }
            return;
        }
    };
    let tx = match begin_write(&mut client).await {
        Ok(tx) => tx,
        Err(error) => {
            for job in group {
                let _ = job.reply.send(Err(for_each(&error)));
            }
            return;
        }
    };
    // A savepoint per write, so that a failing write (a duplicate name) does not undo the
    // others; a group of one needs none.
    let savepoints = group.len() > 1;
    let mut results = Vec::with_capacity(group.len());
    let mut broken: Option<DbError> = None;
    for job in group {
        if let Some(error) = &broken {
            results.push((job.reply, Err(for_each(error))));
            continue;
        }
        if savepoints && let Err(error) = tx.batch_execute("SAVEPOINT write").await {
            let error = db_error(error);
            results.push((job.reply, Err(for_each(&error))));
            broken = Some(error);
            continue;
        }
        let result = apply(&tx, job.write).await;
        let closing = match (&result, savepoints) {
            (_, false) => Ok(()),
            (Ok(_), true) => tx.batch_execute("RELEASE SAVEPOINT write").await,
            (Err(_), true) => tx.batch_execute("ROLLBACK TO SAVEPOINT write").await,
        };
        if let Err(error) = closing {
            broken = Some(db_error(error));
        }
        results.push((job.reply, result));
    }
    let newest = results
        .iter()
        .filter_map(|(_, result)| result.as_ref().ok().map(|(_, event)| *event))
        .max();
    let commit = match broken {
        Some(error) => Err(error),
        // A lone write that failed left nothing to keep.
        None if !savepoints && newest.is_none() => Ok(()),
        None => tx.commit().await.map_err(db_error),
    };
    match commit {
        Ok(()) => {
            if let Some(newest) = newest {
                committed.send_if_modified(|last| {
                    let moved = newest > *last;
                    if moved {
                        *last = newest;
                    }
                    moved
                });
            }
            for (reply, result) in results {
                let _ = reply.send(result.map(|(written, _)| written));
            }
        }
        Err(error) => {
            for (reply, result) in results {
                // A write that failed on its own keeps its own error.
                let _ = reply.send(match result {
                    Ok(_) => Err(for_each(&error)),
                    Err(own) => Err(own),
                });
            }
        }
    }
}

/// Runs one write in `tx`; returns what it wrote and its event id.
async fn apply(tx: &Transaction<'_>, write: Write) -> Result<(Written, i64), DbError> {
    match write {
        Write::CreateChannel { name, now } => create_channel(tx, name, now).await,
        Write::RenameChannel { id, name, now } => rename_channel(tx, id, name, now).await,
        Write::DeleteChannel { id, now } => delete_channel(tx, id, now).await,
        Write::InsertMessage { channel_id, message, now } => {
            insert_message(tx, channel_id, message, now).await
        }
    }
}

async fn create_channel(
    tx: &Transaction<'_>,
    name: ChannelName,
    now: i64,
) -> Result<(Written, i64), DbError> {
    let insert = tx
        .prepare_cached(
            "INSERT INTO channels (name, name_key, created_at, updated_at)
             VALUES ($1, $2, $3, $3)
             RETURNING id, name, created_at, updated_at",
        )
        .await
        .map_err(db_error)?;
    let created = match tx.query_one(&insert, &[&name.as_str(), &name.key(), &now]).await {
        Ok(row) => channel(&row),
        Err(error) if unique_violation(&error) => {
            return Err(DbError::DuplicateName(name.into_string()));
        }
        Err(error) => return Err(db_error(error)),
    };
    let event =
        append_event(tx, &ChannelEvent::ChannelCreated { channel: created.clone() }, now).await?;
    Ok((Written::Channel(created), event))
}

async fn rename_channel(
    tx: &Transaction<'_>,
    id: i64,
    name: ChannelName,
    now: i64,
) -> Result<(Written, i64), DbError> {
    let update = tx
        .prepare_cached(
            "UPDATE channels SET name = $2, name_key = $3, updated_at = $4 WHERE id = $1
             RETURNING id, name, created_at, updated_at",
        )
        .await
        .map_err(db_error)?;
    let renamed = match tx.query_opt(&update, &[&id, &name.as_str(), &name.key(), &now]).await {
        Ok(Some(row)) => channel(&row),
        Ok(None) => return Err(DbError::ChannelNotFound(id)),
        Err(error) if unique_violation(&error) => {
            return Err(DbError::DuplicateName(name.into_string()));
        }
        Err(error) => return Err(db_error(error)),
    };
    let event =
        append_event(tx, &ChannelEvent::ChannelRenamed { channel: renamed.clone() }, now).await?;
    Ok((Written::Channel(renamed), event))
}

async fn delete_channel(
    tx: &Transaction<'_>,
    id: i64,
    now: i64,
) -> Result<(Written, i64), DbError> {
    // Messages go with the channel through `ON DELETE CASCADE`.
    let delete = tx.prepare_cached("DELETE FROM channels WHERE id = $1").await.map_err(db_error)?;
    if tx.execute(&delete, &[&id]).await.map_err(db_error)? == 0 {
        return Err(DbError::ChannelNotFound(id));
    }
    let event = append_event(tx, &ChannelEvent::ChannelDeleted { channel_id: id }, now).await?;
    Ok((Written::Deleted, event))
}

async fn insert_message(
    tx: &Transaction<'_>,
    channel_id: i64,
    new: NewMessage,
    now: i64,
) -> Result<(Written, i64), DbError> {
    let exists =
        tx.prepare_cached("SELECT 1 FROM channels WHERE id = $1").await.map_err(db_error)?;
    if tx.query_opt(&exists, &[&channel_id]).await.map_err(db_error)?.is_none() {
        return Err(DbError::ChannelNotFound(channel_id));
    }
    let insert = tx
        .prepare_cached(
            "INSERT INTO messages (channel_id, author, text, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, channel_id, author, text, created_at",
        )
        .await
        .map_err(db_error)?;
    let row = tx
        .query_one(&insert, &[&channel_id, &new.author.as_str(), &new.text.as_str(), &now])
        .await
        .map_err(db_error)?;
    let posted = message(&row);
    let event =
        append_event(tx, &ChannelEvent::MessagePosted { message: posted.clone() }, now).await?;
    Ok((Written::Message(posted), event))
}
