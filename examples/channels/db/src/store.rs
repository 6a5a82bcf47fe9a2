//! The `database` component: SQLite by default, PostgreSQL when `database_url` says so.
//!
//! Both backends implement [`Database`] the same way (same tables, the same outbox, ids in
//! commit order); the component only picks one in `init` and forwards every call to it.

use std::sync::Arc;

use channels_api::handoff::Handed;
use channels_api::{
    Channel, ChannelName, Config, Database, DbError, Message, NewMessage, Page, PageRequest,
    StoredEvent,
};
use tokio::sync::watch;
use weft::prelude::*;

use crate::Sqlite;
use crate::postgres::Postgres;

/// The `database` component. With no `database_url` (the default) it opens SQLite in
/// `data_dir`; with `database_url = "postgres://…"` it connects to PostgreSQL, so that several
/// replicas can share one database.
#[component(name = "database", provides = dyn Database, requires = [dyn Config])]
pub struct Store {
    config: Arc<dyn Config>,
    backend: Backend,
}

/// The backend chosen in `init`.
#[derive(Default)]
enum Backend {
    /// Before `init`.
    #[default]
    Unopened,
    Sqlite(Sqlite),
    Postgres(Postgres),
}

/// Which backend a `database_url` selects.
#[derive(Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// SQLite in `data_dir` (no `database_url`).
    Sqlite,
    /// PostgreSQL at the URL.
    Postgres,
}

/// The backend that `database_url` selects: none means SQLite, `postgres://` or
/// `postgresql://` means PostgreSQL; anything else is an error rather than a silent SQLite.
///
/// ```
/// use channels_db::{BackendKind, backend_kind};
/// assert_eq!(backend_kind(None).ok(), Some(BackendKind::Sqlite));
/// assert_eq!(backend_kind(Some("postgres://db/channels")).ok(), Some(BackendKind::Postgres));
/// assert!(backend_kind(Some("mysql://db/channels")).is_err());
/// ```
pub fn backend_kind(database_url: Option<&str>) -> anyhow::Result<BackendKind> {
    match database_url {
        None => Ok(BackendKind::Sqlite),
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(BackendKind::Postgres)
        }
        Some(url) => match url.split_once("://") {
            Some((scheme, _)) => anyhow::bail!(
                "`database_url` has the scheme `{scheme}`; expected `postgres://` (or no \
                 `database_url` for SQLite in `data_dir`)"
            ),
            None => anyhow::bail!(
                "`database_url` is not a URL; expected `postgres://user:password@host:port/db`"
            ),
        },
    }
}

impl Store {
    fn backend(&self) -> Result<&dyn Database, DbError> {
        match &self.backend {
            Backend::Unopened => Err(DbError::Closed),
            Backend::Sqlite(db) => Ok(db),
            Backend::Postgres(db) => Ok(db),
        }
    }
}

impl Lifecycle for Store {
    async fn init(&mut self) -> anyhow::Result<()> {
        let settings = self.config.settings();
        self.backend = match backend_kind(settings.database_url.as_deref())? {
            BackendKind::Sqlite => {
                let mut db = Sqlite::new(self.config.clone());
                db.init().await?;
                Backend::Sqlite(db)
            }
            BackendKind::Postgres => {
                let url = settings.database_url.as_deref().unwrap_or_default();
                let db = Postgres::connect(url).await?;
                tracing::info!("database open (PostgreSQL)");
                Backend::Postgres(db)
            }
        };
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        match &self.backend {
            Backend::Unopened => Ok(()),
            Backend::Sqlite(db) => db.stop().await,
            Backend::Postgres(db) => {
                db.close().await;
                tracing::info!("database closed (PostgreSQL)");
                Ok(())
            }
        }
    }
}

#[weft::async_trait]
impl Database for Store {
    async fn create_channel(&self, name: ChannelName, now: i64) -> Result<Channel, DbError> {
        self.backend()?.create_channel(name, now).await
    }

    async fn list_channels(&self, page: PageRequest) -> Result<Page<Channel>, DbError> {
        self.backend()?.list_channels(page).await
    }

    async fn get_channel(&self, id: i64) -> Result<Channel, DbError> {
        self.backend()?.get_channel(id).await
    }

    async fn rename_channel(
        &self,
        id: i64,
        name: ChannelName,
        now: i64,
    ) -> Result<Channel, DbError> {
        self.backend()?.rename_channel(id, name, now).await
    }

    async fn delete_channel(&self, id: i64, now: i64) -> Result<(), DbError> {
        self.backend()?.delete_channel(id, now).await
    }

    async fn insert_message(
        &self,
        channel_id: i64,
        message: NewMessage,
        now: i64,
    ) -> Result<Message, DbError> {
        self.backend()?.insert_message(channel_id, message, now).await
    }

    async fn list_messages(
        &self,
        channel_id: i64,
        page: PageRequest,
    ) -> Result<Page<Message>, DbError> {
        self.backend()?.list_messages(channel_id, page).await
    }

    async fn events_after(&self, after: i64, limit: u32) -> Result<Vec<StoredEvent>, DbError> {
        self.backend()?.events_after(after, limit).await
    }

    async fn last_event_id(&self) -> Result<i64, DbError> {
        self.backend()?.last_event_id().await
    }

    fn committed(&self) -> watch::Receiver<i64> {
        match self.backend() {
            Ok(db) => db.committed(),
            // Before `init`: a watch that never changes.
            Err(_) => watch::Sender::new(0).subscribe(),
        }
    }

    fn handed_after(&self, after: i64) -> Handed {
        match self.backend() {
            Ok(db) => db.handed_after(after),
            Err(_) => Handed::Gap,
        }
    }

    fn relay_published(&self, through: i64) {
        if let Ok(db) = self.backend() {
            db.relay_published(through);
        }
    }

    fn relay_leader(&self) -> bool {
        self.backend().is_ok_and(|db| db.relay_leader())
    }

    async fn relay_position(&self) -> Result<Option<i64>, DbError> {
        self.backend()?.relay_position().await
    }

    fn shared_deliveries(&self) -> bool {
        self.backend().is_ok_and(|db| db.shared_deliveries())
    }

    async fn claim_deliveries(
        &self,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, DbError> {
        self.backend()?.claim_deliveries(lease_ms, limit).await
    }

    async fn finish_delivery(&self, event_id: i64) -> Result<(), DbError> {
        self.backend()?.finish_delivery(event_id).await
    }

    async fn set_relay_position(&self, published: i64) -> Result<(), DbError> {
        self.backend()?.set_relay_position(published).await
    }
}
