//! The `webhooks` component of the weft channels example: each new message is POSTed as JSON to
//! every configured URL.
//!
//! It lives in a crate of its own that nothing references in code; `weft::platform!` links it.
//! It requires only the config and the realtime bus, and nothing requires it: the channels
//! service publishes messages on the bus, and this component subscribes. Delivery runs on tasks
//! of its own, tracked by the platform's supervisor, so a slow or failing receiver never delays
//! a request; a failed delivery is logged (it is not a failure of the component).
//!
//! On stop, the listener ends at once, and the deliveries in flight get
//! `Settings::shutdown_grace_ms` to finish before they are abandoned (and logged).
//!
//! With a database that keeps webhook deliveries as a shared queue (PostgreSQL), the component
//! claims its work from that queue instead of the bus, so that several worker processes deliver
//! each message once between them and a killed worker's deliveries are picked up by another;
//! see the `claims` module.
//!
//! Each URL becomes a weft resource service with a `message-posted` request template (POST, a
//! time limit per attempt, a retry strategy with exponential backoff); see [`Delivery`].

#![forbid(unsafe_code)]

mod claims;
mod delivery;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use channels_api::{ChannelEvent, Config, Database, EventBus, Message, StoredEvent};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast};
use weft::CancellationToken;
use weft::Supervisor;
use weft::prelude::*;

pub use delivery::{Delivery, Outcome};

/// The most deliveries in flight. Past it, the listener waits, the bus buffers up to its
/// capacity, and beyond that the oldest messages are skipped (and logged): memory stays bounded
/// whatever the receivers do.
const MAX_IN_FLIGHT: usize = 64;

/// The `webhooks` component.
#[component(name = "webhooks", requires = [dyn Config, dyn EventBus, dyn Database])]
pub struct Webhooks {
    config: Arc<dyn Config>,
    events: Arc<dyn EventBus>,
    db: Arc<dyn Database>,
    state: State,
}

#[derive(Default)]
struct State {
    delivery: Option<Arc<Delivery>>,
    /// Subscribed in `init`, so that no event between `init` and `start` is missed; `start`
    /// hands it to the listener task.
    receiver: Mutex<Option<broadcast::Receiver<StoredEvent>>>,
}

impl Lifecycle for Webhooks {
    async fn init(&mut self) -> anyhow::Result<()> {
        let delivery = Delivery::new(self.config.settings())?;
        tracing::info!(targets = delivery.target_count(), "webhooks ready");
        self.state.delivery = Some(Arc::new(delivery));
        *self.state.receiver.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(self.events.subscribe());
        Ok(())
    }

    async fn start(&self) -> anyhow::Result<()> {
        let receiver = self.state.receiver.lock().unwrap_or_else(PoisonError::into_inner).take();
        let (Some(receiver), Some(delivery)) = (receiver, self.state.delivery.clone()) else {
            anyhow::bail!("`start` ran before `init`");
        };
        let supervisor = Supervisor::current()?;
        // Deliveries get the same grace as in-flight HTTP requests, then are abandoned.
        let grace = Duration::from_millis(self.config.settings().shutdown_grace_ms);
        if self.db.shared_deliveries() {
            let worker = claims::Worker {
                db: self.db.clone(),
                delivery,
                lease: claims::lease(self.config.settings()),
                supervisor: supervisor.clone(),
                grace,
            };
            supervisor.spawn("claims", worker.run())?;
            return Ok(());
        }
        let listener = listen(receiver, delivery, supervisor.clone(), grace);
        supervisor.spawn("listener", listener)?;
        Ok(())
    }
}

/// Delivers every new message of the bus to every URL, each on a tracked task, until the
/// component stops.
async fn listen(
    mut receiver: broadcast::Receiver<StoredEvent>,
    delivery: Arc<Delivery>,
    supervisor: Supervisor,
    grace: Duration,
) -> anyhow::Result<()> {
    let stop = supervisor.stop_token();
    let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    // The last event id seen: a republished event is not delivered again.
    let mut last = 0;
    while let Some(event) = stop.run_until_cancelled(receiver.recv()).await {
        match event {
            Ok(StoredEvent { id, .. }) if id <= last => {}
            Ok(StoredEvent { id, event: ChannelEvent::MessagePosted { message } }) => {
                last = id;
                let message = Arc::new(message);
                for target in 0..delivery.target_count() {
                    let acquired = stop.run_until_cancelled(in_flight.clone().acquire_owned());
                    let Some(Ok(permit)) = acquired.await else { return Ok(()) };
                    let task =
                        deliver(delivery.clone(), target, message.clone(), stop.clone(), grace);
                    if supervisor.spawn("delivery", with_permit(task, permit)).is_err() {
                        // The component began to stop meanwhile.
                        return Ok(());
                    }
                }
            }
            Ok(StoredEvent { id, .. }) => last = id,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "webhooks fell behind; messages not delivered");
            }
            Err(RecvError::Closed) => break,
        }
    }
    Ok(())
}

/// Delivers `message` to `target`; once `stop` fires, gives it `grace` to finish, then
/// abandons it (logged). A failed delivery is logged by [`Delivery::deliver`], not an error.
async fn deliver(
    delivery: Arc<Delivery>,
    target: usize,
    message: Arc<Message>,
    stop: CancellationToken,
    grace: Duration,
) -> anyhow::Result<()> {
    let deadline = async move {
        stop.cancelled().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        () = deadline => tracing::warn!(message = message.id, "webhook abandoned at stop"),
        _ = delivery.deliver(target, &message) => {}
    }
    Ok(())
}

/// `task`, holding `permit` (its place among the deliveries in flight) until it ends.
async fn with_permit(
    task: impl Future<Output = anyhow::Result<()>>,
    permit: OwnedSemaphorePermit,
) -> anyhow::Result<()> {
    let result = task.await;
    drop(permit);
    result
}
