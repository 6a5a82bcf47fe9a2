//! The PostgreSQL backend of the `database` component, for several replicas sharing one
//! database.
//!
//! # Why tokio-postgres and deadpool, not sqlx
//!
//! The SQLite backend already writes its SQL by hand, checked by tests; tokio-postgres runs
//! the same kind of SQL asynchronously, and deadpool-postgres adds a small pool with time
//! limits and statement caching. sqlx would bring a larger dependency tree (and, for its
//! checked queries, a database at build time or a query cache to keep in sync) for no feature
//! this backend uses. tokio-postgres also exposes what the cluster needs: notifications
//! (`LISTEN`) and a session of its own for the relay's advisory lock ([`listener`]).
//!
//! # Commit order
//!
//! Every write transaction takes one transaction-scoped advisory lock
//! (`pg_advisory_xact_lock`) before it inserts anything, so the writes commit one after the
//! other, and ids (of channels, messages and outbox events) increase in commit order across
//! every replica, as they do on SQLite with its single writer. A reader that resumes after the
//! last id it saw never skips a row committed later with a smaller id. Each write also
//! `pg_notify`s its event id, which wakes the relay of every replica.
//!
//! So that the lock does not cost one WAL flush per write, each process sends its writes to one
//! writer task that commits the writes queued meanwhile together, each in a savepoint (group
//! commit, as the SQLite writer does; see [`writes`]).
//!
//! # Failures
//!
//! A server that cannot be reached, or goes away mid-request, is [`DbError::Unavailable`]
//! (503 for the client): pool checkouts and connection attempts are time-limited, so requests
//! fail fast while the database is down and succeed again as soon as it is back.

mod deliveries;
mod listener;
mod migrations;
mod writes;

use std::str::FromStr as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use channels_api::{
    Channel, ChannelEvent, ChannelName, Database, DbError, Message, NewMessage, Page, PageRequest,
    StoredEvent,
};
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_postgres::error::SqlState;
use tokio_postgres::{NoTls, Row};
use tokio_util::sync::CancellationToken;
use writes::{Write, Written};

use crate::queries::page;

/// The connections of one process's pool.
const POOL_SIZE: usize = 16;

/// How long a request waits for a connection, or for a new one to be opened.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The transaction-scoped advisory lock every write takes, so that ids are in commit order.
const WRITE_LOCK: i64 = 0x6368_616e_6e65_6c33; // "channel3"

/// The PostgreSQL backend: a pool, plus the listener session (notifications, relay leadership).
pub struct Postgres {
    pool: Pool,
    writer: writes::Writer,
    committed: watch::Sender<i64>,
    leader: Arc<AtomicBool>,
    shutdown: CancellationToken,
    listener: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl Postgres {
    /// Connects to `url` (`postgres://user:password@host:port/database`), migrates the schema
    /// and starts the listener session.
    pub async fn connect(url: &str) -> anyhow::Result<Postgres> {
        let mut config = tokio_postgres::Config::from_str(url).context("invalid `database_url`")?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("channels");
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig { recycling_method: RecyclingMethod::Fast },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .recycle_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .context("cannot build the PostgreSQL pool")?;
        let mut client = pool.get().await.context("cannot connect to PostgreSQL")?;
        migrations::migrate(&mut client).await?;
        let newest: i64 =
            client.query_one("SELECT coalesce(max(id), 0) FROM events", &[]).await?.get(0);
        drop(client);
        let committed = watch::Sender::new(newest);
        let leader = Arc::new(AtomicBool::new(false));
        let shutdown = CancellationToken::new();
        let listener = tokio::spawn(listener::run(
            config,
            committed.clone(),
            leader.clone(),
            shutdown.clone(),
        ));
        let writer = writes::Writer::start(pool.clone(), committed.clone());
        Ok(Postgres {
            pool,
            writer,
            committed,
            leader,
            shutdown,
            listener: std::sync::Mutex::new(Some(listener)),
        })
    }

    /// Ends the listener session and closes the pool; later calls fail with
    /// [`DbError::Closed`].
    pub async fn close(&self) {
        // The writes already queued are committed first.
        self.writer.close().await;
        self.shutdown.cancel();
        let listener =
            self.listener.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        if let Some(listener) = listener {
            let _ = listener.await;
        }
        self.pool.close();
    }

    async fn client(&self) -> Result<Object, DbError> {
        self.pool.get().await.map_err(pool_error)
    }
}

fn pool_error(error: PoolError) -> DbError {
    match error {
        PoolError::Closed => DbError::Closed,
        PoolError::Backend(error) => db_error(error),
        other => DbError::Unavailable(anyhow::Error::new(other).context("no database connection")),
    }
}

/// A failure of the server or of the connection to it is `Unavailable`; anything else is a bug.
fn db_error(error: tokio_postgres::Error) -> DbError {
    let unreachable = error.is_closed()
        || error.code().is_some_and(|code| {
            let code = code.code();
            code.starts_with("08") || code.starts_with("57P") || code.starts_with("53")
        })
        || std::error::Error::source(&error).is_some_and(|source| source.is::<std::io::Error>())
        || error.code().is_none() && error.to_string().contains("timed out");
    if unreachable { DbError::Unavailable(error.into()) } else { DbError::Other(error.into()) }
}

/// A write answered with the result of another kind of write: a bug.
fn unexpected() -> DbError {
    DbError::Other(anyhow::anyhow!("the writer answered with another kind of result"))
}

fn unique_violation(error: &tokio_postgres::Error) -> bool {
    error.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

fn channel(row: &Row) -> Channel {
    Channel { id: row.get(0), name: row.get(1), created_at: row.get(2), updated_at: row.get(3) }
}

fn message(row: &Row) -> Message {
    Message {
        id: row.get(0),
        channel_id: row.get(1),
        author: row.get(2),
        text: row.get(3),
        created_at: row.get(4),
    }
}

/// Begins a write transaction and takes the write lock, so that it commits after every write
/// that took the lock before it.
async fn begin_write(client: &mut Object) -> Result<deadpool_postgres::Transaction<'_>, DbError> {
    let tx = client.transaction().await.map_err(db_error)?;
    let lock = tx.prepare_cached("SELECT pg_advisory_xact_lock($1)").await.map_err(db_error)?;
    tx.execute(&lock, &[&WRITE_LOCK]).await.map_err(db_error)?;
    Ok(tx)
}

/// Appends `event` to the outbox and notifies the listeners at commit; returns its id.
async fn append_event(
    tx: &deadpool_postgres::Transaction<'_>,
    event: &ChannelEvent,
    now: i64,
) -> Result<i64, DbError> {
    let payload = serde_json::to_string(event).map_err(|error| {
        DbError::Other(anyhow::Error::new(error).context("cannot encode event"))
    })?;
    let insert = tx
        .prepare_cached(
            "WITH e AS (
                INSERT INTO events (channel_id, kind, payload, created_at)
                VALUES ($1, $2, $3, $4) RETURNING id
            )
            SELECT id, pg_notify($5, id::text) FROM e",
        )
        .await
        .map_err(db_error)?;
    let row = tx
        .query_one(
            &insert,
            &[&event.channel_id(), &event.kind(), &payload, &now, &listener::CHANNEL],
        )
        .await
        .map_err(db_error)?;
    Ok(row.get(0))
}

#[async_trait::async_trait]
impl Database for Postgres {
    async fn create_channel(&self, name: ChannelName, now: i64) -> Result<Channel, DbError> {
        match self.writer.write(Write::CreateChannel { name, now }).await? {
            Written::Channel(created) => Ok(created),
            _ => Err(unexpected()),
        }
    }

    async fn list_channels(&self, request: PageRequest) -> Result<Page<Channel>, DbError> {
        let client = self.client().await?;
        let select = client
            .prepare_cached(
                "SELECT id, name, created_at, updated_at FROM channels
                 WHERE id > $1 ORDER BY id LIMIT $2",
            )
            .await
            .map_err(db_error)?;
        let rows = client
            .query(&select, &[&request.after(), &(i64::from(request.limit()) + 1)])
            .await
            .map_err(db_error)?;
        Ok(page(rows.iter().map(channel).collect(), request, |c| c.id))
    }

    async fn get_channel(&self, id: i64) -> Result<Channel, DbError> {
        let client = self.client().await?;
        let select = client
            .prepare_cached("SELECT id, name, created_at, updated_at FROM channels WHERE id = $1")
            .await
            .map_err(db_error)?;
        let row = client.query_opt(&select, &[&id]).await.map_err(db_error)?;
        row.as_ref().map(channel).ok_or(DbError::ChannelNotFound(id))
    }

    async fn rename_channel(
        &self,
        id: i64,
        name: ChannelName,
        now: i64,
    ) -> Result<Channel, DbError> {
        match self.writer.write(Write::RenameChannel { id, name, now }).await? {
            Written::Channel(renamed) => Ok(renamed),
            _ => Err(unexpected()),
        }
    }

    async fn delete_channel(&self, id: i64, now: i64) -> Result<(), DbError> {
        match self.writer.write(Write::DeleteChannel { id, now }).await? {
            Written::Deleted => Ok(()),
            _ => Err(unexpected()),
        }
    }

    async fn insert_message(
        &self,
        channel_id: i64,
        message: NewMessage,
        now: i64,
    ) -> Result<Message, DbError> {
        match self.writer.write(Write::InsertMessage { channel_id, message, now }).await? {
            Written::Message(posted) => Ok(posted),
            _ => Err(unexpected()),
        }
    }

    async fn list_messages(
        &self,
        channel_id: i64,
        request: PageRequest,
    ) -> Result<Page<Message>, DbError> {
        let mut client = self.client().await?;
        // One snapshot: the channel exists and these are its messages at the same instant.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db_error)?;
        let exists =
            tx.prepare_cached("SELECT 1 FROM channels WHERE id = $1").await.map_err(db_error)?;
        if tx.query_opt(&exists, &[&channel_id]).await.map_err(db_error)?.is_none() {
            return Err(DbError::ChannelNotFound(channel_id));
        }
        let select = tx
            .prepare_cached(
                "SELECT id, channel_id, author, text, created_at FROM messages
                 WHERE channel_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            )
            .await
            .map_err(db_error)?;
        let rows = tx
            .query(&select, &[&channel_id, &request.after(), &(i64::from(request.limit()) + 1)])
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(page(rows.iter().map(message).collect(), request, |m| m.id))
    }

    async fn events_after(&self, after: i64, limit: u32) -> Result<Vec<StoredEvent>, DbError> {
        let client = self.client().await?;
        let select = client
            .prepare_cached("SELECT id, payload FROM events WHERE id > $1 ORDER BY id LIMIT $2")
            .await
            .map_err(db_error)?;
        let rows = client.query(&select, &[&after, &i64::from(limit)]).await.map_err(db_error)?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.get(0);
                let payload: &str = row.get(1);
                let event = serde_json::from_str(payload).map_err(|error| {
                    DbError::Other(
                        anyhow::Error::new(error).context(format!("event {id} is corrupt")),
                    )
                })?;
                Ok(StoredEvent { id, event })
            })
            .collect()
    }

    async fn last_event_id(&self) -> Result<i64, DbError> {
        let client = self.client().await?;
        let row = client
            .query_one("SELECT coalesce(max(id), 0) FROM events", &[])
            .await
            .map_err(db_error)?;
        Ok(row.get(0))
    }

    fn committed(&self) -> watch::Receiver<i64> {
        self.committed.subscribe()
    }

    fn relay_leader(&self) -> bool {
        self.leader.load(Ordering::SeqCst)
    }

    async fn relay_position(&self) -> Result<Option<i64>, DbError> {
        let client = self.client().await?;
        let row =
            client.query_one("SELECT published_id FROM relay", &[]).await.map_err(db_error)?;
        Ok(Some(row.get(0)))
    }

    fn shared_deliveries(&self) -> bool {
        true
    }

    async fn claim_deliveries(
        &self,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, DbError> {
        let mut client = self.client().await?;
        deliveries::claim(&mut client, lease_ms, limit).await
    }

    async fn finish_delivery(&self, event_id: i64) -> Result<(), DbError> {
        let client = self.client().await?;
        deliveries::finish(&client, event_id).await
    }

    async fn set_relay_position(&self, published: i64) -> Result<(), DbError> {
        let client = self.client().await?;
        client
            .execute("UPDATE relay SET published_id = greatest(published_id, $1)", &[&published])
            .await
            .map_err(db_error)?;
        Ok(())
    }
}
