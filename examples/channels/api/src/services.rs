//! The services the components provide to one another.

use tokio::sync::{broadcast, watch};

use crate::entities::{Channel, ChannelName, Message, NewMessage, Page, PageRequest, StoredEvent};
use crate::error::{DbError, ServiceError};
use crate::handoff::Handed;
use crate::settings::Settings;

/// The application's settings, provided by the `config` component.
///
/// [`Settings`] itself implements this trait, so a test can hand fixed settings to the platform
/// with `.replace::<dyn Config>(Arc::new(settings))`.
pub trait Config: Send + Sync {
    /// The settings in force.
    fn settings(&self) -> &Settings;
}

impl Config for Settings {
    fn settings(&self) -> &Settings {
        self
    }
}

/// Storage of channels and messages, provided by the `database` component.
///
/// Every write is committed before the call returns, and records its [`ChannelEvent`] in the
/// **outbox in the same transaction**: a change is stored with its event or not at all, and
/// event ids increase in commit order (an implementation on a database with several writers
/// must serialize its writes, e.g. with a transaction-scoped lock). On PostgreSQL the outbox is
/// an `events` table with a row per event. On SQLite a message is its own `message_posted`
/// event: messages and the `events` table (the other events) share one id sequence, so a post
/// writes one row, and the outbox is both tables read together by id. The realtime relay reads the outbox with
/// [`events_after`](Database::events_after), or takes what this process just committed from
/// [`handed_after`](Database::handed_after), and publishes it, so an event does not depend on
/// the request that caused it staying alive.
///
/// [`ChannelEvent`]: crate::ChannelEvent
#[async_trait::async_trait]
pub trait Database: Send + Sync {
    /// Stores a new channel (event `channel_created`).
    async fn create_channel(&self, name: ChannelName, now: i64) -> Result<Channel, DbError>;
    /// One page of channels, by increasing id.
    async fn list_channels(&self, page: PageRequest) -> Result<Page<Channel>, DbError>;
    /// One channel.
    async fn get_channel(&self, id: i64) -> Result<Channel, DbError>;
    /// Renames a channel (event `channel_renamed`).
    async fn rename_channel(
        &self,
        id: i64,
        name: ChannelName,
        now: i64,
    ) -> Result<Channel, DbError>;
    /// Deletes a channel and its messages (event `channel_deleted`).
    async fn delete_channel(&self, id: i64, now: i64) -> Result<(), DbError>;
    /// Stores a message in an existing channel (event `message_posted`).
    async fn insert_message(
        &self,
        channel_id: i64,
        message: NewMessage,
        now: i64,
    ) -> Result<Message, DbError>;
    /// One page of a channel's messages, by increasing id.
    async fn list_messages(
        &self,
        channel_id: i64,
        page: PageRequest,
    ) -> Result<Page<Message>, DbError>;
    /// The events of the outbox with an id greater than `after`, oldest first, at most `limit`.
    /// A message deleted with its channel before the relay published its event is still there
    /// (see [`relay_published`](Database::relay_published)).
    async fn events_after(&self, after: i64, limit: u32) -> Result<Vec<StoredEvent>, DbError>;
    /// The id of the newest event of the outbox, `0` if it is empty. The relay starts after it.
    async fn last_event_id(&self) -> Result<i64, DbError>;
    /// A watch of the id of the newest event this process has committed, updated after each
    /// commit: it wakes the relay at once. Writes made by other processes do not show here; the
    /// relay also polls [`events_after`](Database::events_after) for those.
    fn committed(&self) -> watch::Receiver<i64>;

    /// The events this process committed after `after`, handed over in memory by the writer
    /// (see [`handoff`](crate::handoff)) so that the relay need not read back what was just
    /// written. [`Handed::Gap`] (always, where the database keeps no handoff) means: read them
    /// with [`events_after`](Database::events_after).
    fn handed_after(&self, after: i64) -> Handed {
        let _ = after;
        Handed::Gap
    }

    /// Tells the database that this process's relay has published every event up to
    /// `through`, or passed over them while nobody listened; the relay calls it as it moves.
    /// SQLite, whose messages are their own `message_posted` events, uses it when a channel is
    /// deleted: the events of its messages not yet published are kept for the relay. The
    /// default does nothing.
    fn relay_published(&self, through: i64) {
        let _ = through;
    }

    /// Whether this process's relay is the one that publishes the outbox to a broker shared by
    /// several processes. A database that one process owns (SQLite) always says yes; on
    /// PostgreSQL, the process holding the relay's session advisory lock does.
    fn relay_leader(&self) -> bool {
        true
    }

    /// The newest event id a cluster's relay has published and the broker confirmed, where a
    /// new leader resumes; `None` where the database does not track it (one process).
    async fn relay_position(&self) -> Result<Option<i64>, DbError> {
        Ok(None)
    }

    /// Whether webhook deliveries are a queue in the database that several worker processes
    /// share ([`claim_deliveries`](Database::claim_deliveries)). Where not (SQLite: one
    /// process), the webhooks component delivers what it receives from the bus.
    fn shared_deliveries(&self) -> bool {
        false
    }

    /// Claims up to `limit` webhook deliveries (`message_posted` events) that no worker holds,
    /// oldest first, and leases them for `lease_ms`: until then no other worker claims them.
    /// A delivery not finished within its lease (its worker died) is claimed again.
    async fn claim_deliveries(
        &self,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<StoredEvent>, DbError> {
        let _ = (lease_ms, limit);
        Ok(Vec::new())
    }

    /// Removes a delivery from the queue once it is done (delivered, or given up and logged).
    async fn finish_delivery(&self, event_id: i64) -> Result<(), DbError> {
        let _ = event_id;
        Ok(())
    }

    /// Records that every event up to `published` reached the broker.
    async fn set_relay_position(&self, published: i64) -> Result<(), DbError> {
        let _ = published;
        Ok(())
    }
}

/// In-process publication of [`StoredEvent`]s, provided by the `realtime` component, whose relay
/// publishes the outbox's events in id order.
pub trait EventBus: Send + Sync {
    /// Publishes an event to every current subscriber; never blocks, never fails. An event with
    /// no subscriber is dropped. Only the relay should call this, in id order.
    fn publish(&self, event: StoredEvent);
    /// Receives the events published from now on, in id order. A receiver that falls too far
    /// behind gets [`broadcast::error::RecvError::Lagged`] and loses the oldest events.
    fn subscribe(&self) -> broadcast::Receiver<StoredEvent>;

    /// Whether events published anywhere reach this process now. The in-process bus always
    /// does; a broker-backed bus does not while the broker is unreachable, and the SSE
    /// endpoints answer 503 then rather than open a stream that would stay silent.
    fn connected(&self) -> bool {
        true
    }
}

/// The channels service, provided by the `channels` component: what the web controllers call.
#[async_trait::async_trait]
pub trait ChannelService: Send + Sync {
    /// Creates a channel.
    async fn create_channel(&self, name: ChannelName) -> Result<Channel, ServiceError>;
    /// One page of channels.
    async fn list_channels(&self, page: PageRequest) -> Result<Page<Channel>, ServiceError>;
    /// One channel.
    async fn get_channel(&self, id: i64) -> Result<Channel, ServiceError>;
    /// Renames a channel.
    async fn rename_channel(&self, id: i64, name: ChannelName) -> Result<Channel, ServiceError>;
    /// Deletes a channel and its messages.
    async fn delete_channel(&self, id: i64) -> Result<(), ServiceError>;
    /// Posts a message; it is stored before this returns.
    async fn post_message(
        &self,
        channel_id: i64,
        message: NewMessage,
    ) -> Result<Message, ServiceError>;
    /// One page of a channel's messages.
    async fn list_messages(
        &self,
        channel_id: i64,
        page: PageRequest,
    ) -> Result<Page<Message>, ServiceError>;
}
