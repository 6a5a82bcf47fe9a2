//! The webhook delivery queue on PostgreSQL: each `message_posted` event becomes one row that
//! exactly one worker at a time holds, under a lease.
//!
//! A worker's claim, in one transaction:
//!
//! 1. **Enqueue** (one worker at a time, `pg_try_advisory_xact_lock`; the others skip it): the
//!    `message_posted` events between `webhook_cursor` and the newest committed event become
//!    rows. Ids are in commit order, so every event up to the newest visible one is committed:
//!    none is skipped by moving the cursor.
//! 2. **Claim** up to `limit` rows whose lease is free or expired, oldest first,
//!    `FOR UPDATE SKIP LOCKED` (workers claiming at once take different rows, without waiting),
//!    and lease them on the server's clock (no skew between workers).
//!
//! A delivered row is deleted. A worker killed mid-delivery leaves its rows leased; when the
//! lease expires another worker claims them again: delivery is at least once, and receivers
//! drop repeats by the `x-channels-message-id` header.

use channels_api::{DbError, StoredEvent};
use deadpool_postgres::Object;

use super::db_error;

/// The advisory lock of the enqueue step.
const ENQUEUE_LOCK: i64 = 0x6368_616e_6e65_6c34; // "channel4"

pub(super) async fn claim(
    client: &mut Object,
    lease_ms: i64,
    limit: u32,
) -> Result<Vec<StoredEvent>, DbError> {
    let tx = client.transaction().await.map_err(db_error)?;
    let enqueuing: bool = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&ENQUEUE_LOCK])
        .await
        .map_err(db_error)?
        .get(0);
    if enqueuing {
        let enqueue = tx
            .prepare_cached(
                "WITH newest AS (SELECT coalesce(max(id), 0) AS id FROM events),
                 cursor AS (SELECT last_event_id AS id FROM webhook_cursor),
                 queued AS (
                    INSERT INTO webhook_deliveries (event_id)
                    SELECT e.id FROM events e, cursor c, newest n
                    WHERE e.id > c.id AND e.id <= n.id AND e.kind = 'message_posted'
                    ON CONFLICT DO NOTHING
                 )
                 UPDATE webhook_cursor SET last_event_id = newest.id
                 FROM newest WHERE last_event_id < newest.id",
            )
            .await
            .map_err(db_error)?;
        tx.execute(&enqueue, &[]).await.map_err(db_error)?;
    }
    let claim = tx
        .prepare_cached(
            "UPDATE webhook_deliveries d
             SET lease_until = clock_timestamp() + $1 * interval '1 millisecond',
                 attempts = d.attempts + 1
             FROM (
                SELECT event_id FROM webhook_deliveries
                WHERE lease_until IS NULL OR lease_until < clock_timestamp()
                ORDER BY event_id LIMIT $2
                FOR UPDATE SKIP LOCKED
             ) due, events e
             WHERE d.event_id = due.event_id AND e.id = d.event_id
             RETURNING d.event_id, e.payload, d.attempts",
        )
        .await
        .map_err(db_error)?;
    let lease_ms = lease_ms as f64;
    let rows = tx.query(&claim, &[&lease_ms, &i64::from(limit)]).await.map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    let mut claimed = rows
        .iter()
        .map(|row| {
            let id: i64 = row.get(0);
            let attempts: i32 = row.get(2);
            if attempts > 1 {
                tracing::info!(
                    event = id,
                    attempts,
                    "webhook delivery claimed again after its lease expired"
                );
            }
            let event = serde_json::from_str(row.get(1)).map_err(|error| {
                DbError::Other(anyhow::Error::new(error).context(format!("event {id} is corrupt")))
            })?;
            Ok(StoredEvent { id, event })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    claimed.sort_by_key(|event| event.id);
    Ok(claimed)
}

pub(super) async fn finish(client: &Object, event_id: i64) -> Result<(), DbError> {
    let delete = client
        .prepare_cached("DELETE FROM webhook_deliveries WHERE event_id = $1")
        .await
        .map_err(db_error)?;
    client.execute(&delete, &[&event_id]).await.map_err(db_error)?;
    Ok(())
}
