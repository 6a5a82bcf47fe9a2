//! Delivery from a queue shared by every worker of a cluster (PostgreSQL): the worker claims
//! deliveries with a lease ([`Database::claim_deliveries`]), POSTs each message to every URL,
//! and removes it from the queue ([`Database::finish_delivery`]). Each message is delivered by
//! one worker of the cluster, however many run; a worker killed mid-delivery leaves its leases
//! to expire, and another worker delivers those messages again (at least once; receivers drop
//! repeats by the `x-channels-message-id` header).

use std::sync::Arc;
use std::time::Duration;

use channels_api::{ChannelEvent, Database, Settings};
use tokio::sync::Semaphore;
use weft::Supervisor;

use crate::{Delivery, MAX_IN_FLIGHT};

/// How often an idle worker looks for deliveries when no commit of this process woke it.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// How long a claim lasts: every attempt of every retry with its longest backoff, plus a
/// second. A worker still alive finishes well within it.
pub(crate) fn lease(settings: &Settings) -> Duration {
    let attempts = u64::from(settings.webhook_retries) + 1;
    Duration::from_millis(
        settings.webhook_timeout_ms.saturating_mul(attempts)
            + crate::delivery::MAX_BACKOFF_MS.saturating_mul(attempts - 1)
            + 1_000,
    )
}

/// What the claim loop needs from the component.
pub(crate) struct Worker {
    pub(crate) db: Arc<dyn Database>,
    pub(crate) delivery: Arc<Delivery>,
    pub(crate) lease: Duration,
    /// The component's supervisor: the loop ends on its stop signal, and each claimed delivery
    /// runs on a task it tracks.
    pub(crate) supervisor: Supervisor,
    /// How long deliveries in flight may go on once the component stops.
    pub(crate) grace: Duration,
}

impl Worker {
    /// Claims and delivers until the component stops.
    pub(crate) async fn run(self) -> anyhow::Result<()> {
        let stop = self.supervisor.stop_token();
        let in_flight = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
        let mut committed = self.db.committed();
        let lease_ms = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX);
        loop {
            committed.borrow_and_update();
            let free = in_flight.available_permits();
            if free > 0 {
                let limit = u32::try_from(free).unwrap_or(u32::MAX);
                match self.db.claim_deliveries(lease_ms, limit).await {
                    Ok(claimed) => {
                        for stored in claimed {
                            let Ok(permit) = in_flight.clone().try_acquire_owned() else {
                                break;
                            };
                            if !self.deliver(stored.id, stored.event, permit) {
                                // The component began to stop: the lease runs out, and the
                                // delivery is made again.
                                return Ok(());
                            }
                        }
                    }
                    Err(error) => tracing::warn!(%error, "cannot claim webhook deliveries"),
                }
            }
            tokio::select! {
                () = stop.cancelled() => return Ok(()),
                changed = committed.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep(POLL_INTERVAL).await;
                    }
                }
                () = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    }

    /// Delivers one claimed event to every URL on a tracked task of its own, then finishes it.
    /// `false` when the component has begun to stop and takes no new task.
    fn deliver(
        &self,
        id: i64,
        event: ChannelEvent,
        permit: tokio::sync::OwnedSemaphorePermit,
    ) -> bool {
        let (db, delivery) = (self.db.clone(), self.delivery.clone());
        let (stop, grace) = (self.supervisor.stop_token(), self.grace);
        let task = async move {
            if let ChannelEvent::MessagePosted { message } = event {
                let all = futures_util::future::join_all(
                    (0..delivery.target_count()).map(|target| delivery.deliver(target, &message)),
                );
                let deadline = async move {
                    stop.cancelled().await;
                    tokio::time::sleep(grace).await;
                };
                tokio::select! {
                    () = deadline => {
                        // Left leased: another worker delivers it when the lease expires.
                        tracing::warn!(message = message.id, "webhook abandoned at stop");
                        return Ok(());
                    }
                    _ = all => {}
                }
            }
            if let Err(error) = db.finish_delivery(id).await {
                // The lease expires and the message is delivered again: at least once.
                tracing::warn!(%error, event = id, "cannot mark a webhook delivery done");
            }
            drop(permit);
            Ok(())
        };
        self.supervisor.spawn("delivery", task).is_ok()
    }
}
