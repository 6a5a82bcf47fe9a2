//! The `channels` component: the service the web controllers call. It stores through the
//! `database` and announces every change on the `realtime` bus; it knows nothing of webhooks,
//! which subscribe to the bus, so the platform runs with or without them.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use channels_api::{
    Channel, ChannelEvent, ChannelName, ChannelService, Database, EventBus, Message, NewMessage,
    Page, PageRequest, ServiceError,
};
use weft::prelude::*;

/// The `channels` component.
#[component(name = "channels", provides = dyn ChannelService, requires = [dyn Database, dyn EventBus])]
pub struct Channels {
    db: Arc<dyn Database>,
    events: Arc<dyn EventBus>,
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
        let channel = self.db.create_channel(name, now()).await?;
        self.events.publish(ChannelEvent::ChannelCreated { channel: channel.clone() });
        Ok(channel)
    }

    async fn list_channels(&self, page: PageRequest) -> Result<Page<Channel>, ServiceError> {
        Ok(self.db.list_channels(page).await?)
    }

    async fn get_channel(&self, id: i64) -> Result<Channel, ServiceError> {
        Ok(self.db.get_channel(id).await?)
    }

    async fn rename_channel(&self, id: i64, name: ChannelName) -> Result<Channel, ServiceError> {
        let channel = self.db.rename_channel(id, name, now()).await?;
        self.events.publish(ChannelEvent::ChannelRenamed { channel: channel.clone() });
        Ok(channel)
    }

    async fn delete_channel(&self, id: i64) -> Result<(), ServiceError> {
        self.db.delete_channel(id).await?;
        self.events.publish(ChannelEvent::ChannelDeleted { channel_id: id });
        Ok(())
    }

    async fn post_message(
        &self,
        channel_id: i64,
        message: NewMessage,
    ) -> Result<Message, ServiceError> {
        // Stored and committed first: subscribers only ever hear of durable messages.
        let message = self.db.insert_message(channel_id, message, now()).await?;
        self.events.publish(ChannelEvent::MessagePosted { message: message.clone() });
        Ok(message)
    }

    async fn list_messages(
        &self,
        channel_id: i64,
        page: PageRequest,
    ) -> Result<Page<Message>, ServiceError> {
        Ok(self.db.list_messages(channel_id, page).await?)
    }
}
