//! The `channels` component: the service the web controllers call. It stores through the
//! `database`, which records every change's event in its outbox in the same transaction; the
//! `realtime` relay publishes them. It knows nothing of subscribers (SSE streams, webhooks), so
//! the platform runs with or without them.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use channels_api::{
    Channel, ChannelName, ChannelService, Database, Message, NewMessage, Page, PageRequest,
    ServiceError,
};
use weft::prelude::*;

/// The `channels` component.
#[component(name = "channels", provides = dyn ChannelService, requires = [dyn Database])]
pub struct Channels {
    db: Arc<dyn Database>,
}

/// Milliseconds since the Unix epoch; a clock before 1970 reads as 0.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
}

#[weft::async_trait]
impl ChannelService for Channels {
    async fn create_channel(&self, name: ChannelName) -> Result<Channel, ServiceError> {
        Ok(self.db.create_channel(name, now()).await?)
    }

    async fn list_channels(&self, page: PageRequest) -> Result<Page<Channel>, ServiceError> {
        Ok(self.db.list_channels(page).await?)
    }

    async fn get_channel(&self, id: i64) -> Result<Channel, ServiceError> {
        Ok(self.db.get_channel(id).await?)
    }

    async fn rename_channel(&self, id: i64, name: ChannelName) -> Result<Channel, ServiceError> {
        Ok(self.db.rename_channel(id, name, now()).await?)
    }

    async fn delete_channel(&self, id: i64) -> Result<(), ServiceError> {
        Ok(self.db.delete_channel(id, now()).await?)
    }

    async fn post_message(
        &self,
        channel_id: i64,
        message: NewMessage,
    ) -> Result<Message, ServiceError> {
        // Stored and committed with its event: the relay publishes it after the commit, whether
        // or not this request is still alive, so subscribers only ever hear of durable messages.
        Ok(self.db.insert_message(channel_id, message, now()).await?)
    }

    async fn list_messages(
        &self,
        channel_id: i64,
        page: PageRequest,
    ) -> Result<Page<Message>, ServiceError> {
        Ok(self.db.list_messages(channel_id, page).await?)
    }
}
