//! The `webhooks` component of the weft channels example: each new message is POSTed as JSON to
//! every configured URL.
//!
//! It lives in a crate of its own that nothing references in code; `weft::platform!` links it.
//! It requires only the config and the realtime bus, and nothing requires it: the channels
//! service publishes messages on the bus, and this component subscribes. Delivery runs on tasks
//! of its own, so a slow or failing receiver never delays a request; failures are logged.
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

use channels_api::{ChannelEvent, Config, Database, EventBus, StoredEvent};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{Semaphore, broadcast};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
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
    /// Subscribed in `init`, so that no event between `init` and `start` is missed.
    receiver: Mutex<Option<broadcast::Receiver<StoredEvent>>>,
    listener: Mutex<Option<JoinHandle<()>>>,
    /// Stops the listener.
    shutdown: CancellationToken,
    /// Cancels the deliveries still running when the stop budget is spent.
    abandon: CancellationToken,
    deliveries: TaskTracker,
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
        let (Some(mut receiver), Some(delivery)) = (receiver, self.state.delivery.clone()) else {
            anyhow::bail!("`start` ran before `init`");
        };
        let shutdown = self.state.shutdown.clone();
        let abandon = self.state.abandon.clone();
        let deliveries = self.state.deliveries.clone();
        if self.db.shared_deliveries() {
            let worker = claims::Worker {
                db: self.db.clone(),
                delivery,
                lease: claims::lease(self.config.settings()),
                shutdown,
                abandon,
                deliveries,
            };
            *self.state.listener.lock().unwrap_or_else(PoisonError::into_inner) =
                Some(worker.spawn());
            return Ok(());
        }
        let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        let listener = tokio::spawn(async move {
            // The last event id seen: a republished event is not delivered again.
            let mut last = 0;
            loop {
                let event = tokio::select! {
                    () = shutdown.cancelled() => break,
                    event = receiver.recv() => event,
                };
                match event {
                    Ok(StoredEvent { id, .. }) if id <= last => {}
                    Ok(StoredEvent { id, event: ChannelEvent::MessagePosted { message } }) => {
                        last = id;
                        for target in 0..delivery.target_count() {
                            let permit = tokio::select! {
                                () = shutdown.cancelled() => return,
                                permit = in_flight.clone().acquire_owned() => permit,
                            };
                            let Ok(permit) = permit else { return };
                            let (delivery, message) = (delivery.clone(), message.clone());
                            let abandon = abandon.clone();
                            deliveries.spawn(async move {
                                tokio::select! {
                                    () = abandon.cancelled() => {
                                        tracing::warn!(message = message.id, "webhook abandoned at stop");
                                    }
                                    _ = delivery.deliver(target, &message) => {}
                                }
                                drop(permit);
                            });
                        }
                    }
                    Ok(StoredEvent { id, .. }) => last = id,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(missed, "webhooks fell behind; messages not delivered");
                    }
                    Err(RecvError::Closed) => break,
                }
            }
        });
        *self.state.listener.lock().unwrap_or_else(PoisonError::into_inner) = Some(listener);
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        self.state.shutdown.cancel();
        let listener = self.state.listener.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(listener) = listener {
            let _ = listener.await;
        }
        self.state.deliveries.close();
        // Deliveries get the same grace as in-flight HTTP requests, then are cancelled.
        let budget = Duration::from_millis(self.config.settings().shutdown_grace_ms);
        if tokio::time::timeout(budget, self.state.deliveries.wait()).await.is_err() {
            tracing::warn!(
                pending = self.state.deliveries.len(),
                "webhook deliveries still running after {budget:?}; cancelling them"
            );
            self.state.abandon.cancel();
            self.state.deliveries.wait().await;
        }
        Ok(())
    }
}
