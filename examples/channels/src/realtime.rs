//! The `realtime` component: publishes channel events in-process on a `tokio::sync::broadcast`
//! channel. The web layer streams them over SSE; the webhooks component subscribes to them.

use channels_api::{ChannelEvent, EventBus};
use tokio::sync::broadcast;
use weft::prelude::*;

/// How many events a slow subscriber may fall behind before it loses the oldest.
pub const CAPACITY: usize = 1024;

/// The `realtime` component.
#[component(name = "realtime", provides = dyn EventBus)]
#[derive(Default)]
pub struct Realtime {
    bus: Bus,
}

/// The broadcast sender; receivers are made from it on demand.
struct Bus(broadcast::Sender<ChannelEvent>);

impl Default for Bus {
    fn default() -> Self {
        Bus(broadcast::Sender::new(CAPACITY))
    }
}

impl EventBus for Realtime {
    fn publish(&self, event: ChannelEvent) {
        // An error only means that nobody is listening, which is fine.
        let _ = self.bus.0.send(event);
    }

    fn subscribe(&self) -> broadcast::Receiver<ChannelEvent> {
        self.bus.0.subscribe()
    }
}
