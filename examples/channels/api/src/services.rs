//! The services the components provide to one another.

use tokio::sync::broadcast;

use crate::entities::{Channel, ChannelEvent, ChannelName, Message, NewMessage, Page, PageRequest};
use crate::error::{DbError, ServiceError};
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
/// Every write is committed before the call returns.
#[async_trait::async_trait]
pub trait Database: Send + Sync {
    /// Stores a new channel.
    async fn create_channel(&self, name: ChannelName, now: i64) -> Result<Channel, DbError>;
    /// One page of channels, by increasing id.
    async fn list_channels(&self, page: PageRequest) -> Result<Page<Channel>, DbError>;
    /// One channel.
    async fn get_channel(&self, id: i64) -> Result<Channel, DbError>;
    /// Renames a channel.
    async fn rename_channel(
        &self,
        id: i64,
        name: ChannelName,
        now: i64,
    ) -> Result<Channel, DbError>;
    /// Deletes a channel and its messages.
    async fn delete_channel(&self, id: i64) -> Result<(), DbError>;
    /// Stores a message in an existing channel.
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
}

/// In-process publication of [`ChannelEvent`]s, provided by the `realtime` component.
pub trait EventBus: Send + Sync {
    /// Publishes an event to every current subscriber; never blocks, never fails. An event with
    /// no subscriber is dropped.
    fn publish(&self, event: ChannelEvent);
    /// Receives the events published from now on. A receiver that falls too far behind gets
    /// [`broadcast::error::RecvError::Lagged`] and loses the oldest events.
    fn subscribe(&self) -> broadcast::Receiver<ChannelEvent>;
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
