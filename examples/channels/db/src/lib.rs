//! The `database` component of the weft channels example: channels and messages in SQLite by
//! default, or in PostgreSQL when `database_url` is set ([`Store`] picks the backend in `init`).
//!
//! It lives in a crate of its own that the `channels` binary never names in code: the
//! `weft::platform!(channels_db, ...)` invocation links it, and `#[component]` registers it.
//!
//! # Why rusqlite (bundled) on `spawn_blocking`, not sqlx
//!
//! - The bundled SQLite builds with a C compiler only; sqlx's sqlite driver brings a larger
//!   dependency tree (and compile time) and its own pool for a database that has one writer
//!   anyway.
//! - Writes go to one writer thread that owns the write connection and commits them in groups
//!   (group commit, see `writer`): each write is in the database, and synced, before its call
//!   returns, but one fsync serves every write that queued during the previous one.
//! - Reads go through a small pool of other connections on `spawn_blocking`, which WAL lets run
//!   beside the writer, keeping SQLite's blocking I/O off the async workers.
//!
//! # Durability
//!
//! The journal is in WAL mode. `synchronous` is `FULL` by default ([`SyncMode`]): a commit is
//! fsynced before the call returns, so a message acknowledged with a 2xx survives a power loss.
//! `NORMAL` (configurable) survives a crash of the process but may lose the last commits on an
//! operating-system crash, for fewer fsyncs.
//!
//! With `NORMAL`, WAL checkpoints (copying the log back into the database file, with their
//! fsyncs) run on a thread and a connection of their own, not on the writer thread that every
//! write waits for; with `FULL`, where every commit waits for an fsync anyway, SQLite
//! checkpoints on the writer as it does by default (see `checkpoint`).
//!
//! # The outbox on SQLite
//!
//! A message is its own `message_posted` event: posting writes one row, not a message and a
//! copy of it. Messages and the `events` table, which holds the channel events, take their ids
//! from one sequence (the messages' AUTOINCREMENT counter, which a channel event advances), so
//! with one writer the ids of both follow commit order, and
//! [`events_after`](Database::events_after) reads the two tables merged by id. Deleting a
//! channel deletes its messages; the events of those the relay has not published yet
//! ([`relay_published`](Database::relay_published)) are first copied to `events`, with their
//! ids, so that none is lost. (A second row per post cost about a quarter of the posting rate
//! at the service level, and doubled the p99: see BENCHMARKS.md.)

#![forbid(unsafe_code)]

mod checkpoint;
mod migrations;
mod postgres;
mod queries;
mod store;
mod writer;

pub use postgres::Postgres;
pub use store::{BackendKind, Store, backend_kind};

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use channels_api::handoff::{Handed, Handoff};
use channels_api::{
    Channel, ChannelName, Config, Database, DbError, Message, NewMessage, Page, PageRequest,
    StoredEvent, SyncMode,
};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{Semaphore, watch};
use weft::prelude::*;
use writer::Writer;

/// The file name of the database inside the data directory.
pub const DATABASE_FILE: &str = "channels.sqlite3";

/// The SQLite backend of the `database` component ([`Store`]): SQLite in `data_dir`, created and
/// migrated in `init`, closed in `stop`.
pub struct Sqlite {
    config: Arc<dyn Config>,
    writer: Writer,
    readers: Readers,
    committed: Committed,
    /// The events the writer committed, for the relay.
    handoff: Arc<Handoff>,
    /// The newest event id the relay has published ([`Database::relay_published`]).
    published: Arc<AtomicI64>,
}

/// The newest outbox id committed by this process, set by the writer after each commit.
struct Committed(watch::Sender<i64>);

impl Default for Committed {
    fn default() -> Self {
        Committed(watch::Sender::new(0))
    }
}

/// How many read connections run side by side (WAL lets readers run beside the writer).
const READERS: usize = 4;

/// The pool of read connections. A permit is a right to one connection of `idle`; there are
/// none before `init`, and the semaphore is closed by `stop`.
struct Readers {
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

impl Default for Readers {
    fn default() -> Self {
        Readers { idle: Arc::default(), permits: Arc::new(Semaphore::new(0)) }
    }
}

impl Sqlite {
    /// A database component outside a platform, e.g. for a benchmark; call
    /// [`Lifecycle::init`] before use.
    pub fn new(config: Arc<dyn Config>) -> Self {
        Sqlite {
            config,
            writer: Writer::default(),
            readers: Readers::default(),
            committed: Committed::default(),
            handoff: Arc::default(),
            published: Arc::default(),
        }
    }

    /// The path of the database file.
    pub fn path(&self) -> PathBuf {
        self.config.settings().data_dir.join(DATABASE_FILE)
    }

    async fn write<T, F>(&self, op: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<(T, StoredEvent), DbError> + Send + 'static,
    {
        self.writer.write(op).await
    }

    /// Runs `op` on a read connection, on the blocking pool.
    async fn read<T, F>(&self, op: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, DbError> + Send + 'static,
    {
        let permit =
            self.readers.permits.clone().acquire_owned().await.map_err(|_| DbError::Closed)?;
        let idle = self.readers.idle.clone();
        tokio::task::spawn_blocking(move || {
            let taken = idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
            let mut connection = taken.ok_or(DbError::Closed)?;
            // A panic inside `op` drops its transaction, which rolls back: the connection is
            // sound and goes back to the pool.
            let result =
                catch_unwind(AssertUnwindSafe(|| op(&mut connection))).unwrap_or_else(|_| {
                    Err(DbError::Other(anyhow::anyhow!("a database read panicked")))
                });
            idle.lock().unwrap_or_else(PoisonError::into_inner).push(connection);
            drop(permit);
            result
        })
        .await
        .map_err(|error| {
            DbError::Other(anyhow::Error::new(error).context("database task failed"))
        })?
    }
}

/// Opens one connection with the pragmas every connection needs.
fn open(path: &Path, sync: SyncMode) -> anyhow::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let connection = Connection::open_with_flags(path, flags)
        .with_context(|| format!("cannot open `{}`", path.display()))?;
    connection.busy_timeout(Duration::from_secs(5))?;
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    anyhow::ensure!(mode.eq_ignore_ascii_case("wal"), "SQLite refused WAL mode (got `{mode}`)");
    connection.pragma_update(None, "synchronous", sync.pragma())?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(connection)
}

impl Lifecycle for Sqlite {
    async fn init(&mut self) -> anyhow::Result<()> {
        let settings = self.config.settings().clone();
        let path = self.path();
        let (writer, checkpoints, readers, last_event) =
            tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                std::fs::create_dir_all(&settings.data_dir).with_context(|| {
                    format!("cannot create data directory `{}`", settings.data_dir.display())
                })?;
                let mut writer = open(&path, settings.sync)?;
                migrations::migrate(&mut writer)?;
                let last_event = queries::last_event_id(&writer)?;
                // A connection for the checkpoint thread, which runs with `NORMAL` only.
                let checkpoints = match settings.sync {
                    SyncMode::Normal => Some(open(&path, settings.sync)?),
                    SyncMode::Full => None,
                };
                let readers = (0..READERS)
                    .map(|_| open(&path, settings.sync))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                Ok((writer, checkpoints, readers, last_event))
            })
            .await??;
        self.committed.0.send_replace(last_event);
        // The relay starts at the newest event: those of an earlier run are never published.
        self.published.store(last_event, Ordering::Release);
        let checkpoints = match checkpoints {
            Some(connection) => checkpoint::Checkpointer::start(connection)?,
            None => checkpoint::Checkpointer::none(),
        };
        let announce =
            writer::Announce { committed: self.committed.0.clone(), handoff: self.handoff.clone() };
        self.writer.open(writer, announce, checkpoints)?;
        *self.readers.idle.lock().unwrap_or_else(PoisonError::into_inner) = readers;
        self.readers.permits.add_permits(READERS);
        tracing::info!(path = %self.path().display(), "database open");
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        // Waits for the reads still running, then refuses new ones.
        if let Ok(all) = self.readers.permits.acquire_many(READERS as u32).await {
            all.forget();
        }
        self.readers.permits.close();
        let readers =
            std::mem::take(&mut *self.readers.idle.lock().unwrap_or_else(PoisonError::into_inner));
        let writer = self.writer.close();
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            for reader in readers {
                reader.close().map_err(|(_, error)| error).context("cannot close SQLite")?;
            }
            // The writer commits what is still queued; its close, the last, checkpoints the WAL.
            if let Some(writer) = writer {
                writer.join().map_err(|_| anyhow::anyhow!("the database writer panicked"))?;
            }
            Ok(())
        })
        .await??;
        tracing::info!("database closed");
        Ok(())
    }
}

#[weft::async_trait]
impl Database for Sqlite {
    async fn create_channel(&self, name: ChannelName, now: i64) -> Result<Channel, DbError> {
        self.write(move |c| queries::create_channel(c, &name, now)).await
    }

    async fn list_channels(&self, page: PageRequest) -> Result<Page<Channel>, DbError> {
        self.read(move |c| queries::list_channels(c, page)).await
    }

    async fn get_channel(&self, id: i64) -> Result<Channel, DbError> {
        self.read(move |c| queries::get_channel(c, id)).await
    }

    async fn rename_channel(
        &self,
        id: i64,
        name: ChannelName,
        now: i64,
    ) -> Result<Channel, DbError> {
        self.write(move |c| queries::rename_channel(c, id, &name, now)).await
    }

    async fn delete_channel(&self, id: i64, now: i64) -> Result<(), DbError> {
        let published = self.published.clone();
        self.write(move |c| queries::delete_channel(c, id, now, published.load(Ordering::Acquire)))
            .await
    }

    async fn insert_message(
        &self,
        channel_id: i64,
        message: NewMessage,
        now: i64,
    ) -> Result<Message, DbError> {
        self.write(move |c| queries::insert_message(c, channel_id, &message, now)).await
    }

    async fn list_messages(
        &self,
        channel_id: i64,
        page: PageRequest,
    ) -> Result<Page<Message>, DbError> {
        self.read(move |c| queries::list_messages(c, channel_id, page)).await
    }

    async fn events_after(&self, after: i64, limit: u32) -> Result<Vec<StoredEvent>, DbError> {
        self.read(move |c| queries::events_after(c, after, limit)).await
    }

    async fn last_event_id(&self) -> Result<i64, DbError> {
        self.read(|c| queries::last_event_id(c)).await
    }

    fn committed(&self) -> watch::Receiver<i64> {
        self.committed.0.subscribe()
    }

    fn handed_after(&self, after: i64) -> Handed {
        self.handoff.take_after(after)
    }

    fn relay_published(&self, through: i64) {
        self.published.fetch_max(through, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests;
