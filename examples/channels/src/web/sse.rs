//! Server-sent events: the realtime bus, streamed to HTTP clients.
//!
//! Each event is sent with its outbox id as the SSE `id:`, in id order. A stream that falls more
//! than the bus's capacity behind gets one `lagged` event (data: how many events of the bus it
//! missed) and goes on with the newest; its client should then resume over REST from the last
//! message id it saw, as after a reconnection (see the README).

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use channels_api::{ChannelEvent, StoredEvent};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::AppState;
use super::error::ApiError;
use super::extract::Id;

/// `GET /events`: every channel event.
pub(crate) async fn all_events(
    State(app): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    broker_reachable(&app)?;
    Ok(stream(app, None))
}

/// A stream opened while the event broker is unreachable would stay silent: 503 instead, so
/// that the client retries (perhaps on another replica).
fn broker_reachable(app: &AppState) -> Result<(), ApiError> {
    if app.events.connected() {
        Ok(())
    } else {
        Err(ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the event broker is unreachable; retry later",
        ))
    }
}

/// `GET /channels/{id}/events`: the events of one existing channel.
pub(crate) async fn channel_events(
    State(app): State<AppState>,
    Id(id): Id,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    app.channels.get_channel(id).await?;
    broker_reachable(&app)?;
    Ok(stream(app, Some(id)))
}

/// Where a stream is: the bus, the last id forwarded, and whether it has ended.
struct Cursor {
    receiver: tokio::sync::broadcast::Receiver<StoredEvent>,
    last: i64,
    ended: bool,
}

/// The SSE stream of the events that match `channel`, in id order, each with its id as the SSE
/// `id:`. An id not greater than the last one forwarded is dropped (a republished event). The
/// stream of one channel ends after that channel's `channel_deleted`. Every stream ends as soon as
/// the platform begins to stop (the supervisor's shutdown signal), so that graceful shutdown does
/// not wait for clients that never hang up.
fn stream(
    app: AppState,
    channel: Option<i64>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let cursor = Cursor { receiver: app.events.subscribe(), last: 0, ended: false };
    let shutdown = app.shutdown.clone();
    let events = futures_util::stream::unfold(cursor, move |mut cursor| {
        let shutdown = shutdown.clone();
        async move {
            if cursor.ended {
                return None;
            }
            loop {
                let next = tokio::select! {
                    () = shutdown.cancelled() => return None,
                    next = cursor.receiver.recv() => next,
                };
                let event = match next {
                    Ok(stored) if stored.id <= cursor.last => continue,
                    Ok(stored) => {
                        cursor.last = stored.id;
                        if channel.is_some_and(|id| stored.event.channel_id() != id) {
                            continue;
                        }
                        if channel.is_some()
                            && matches!(stored.event, ChannelEvent::ChannelDeleted { .. })
                        {
                            cursor.ended = true;
                        }
                        encode(&stored)
                    }
                    Err(RecvError::Lagged(missed)) => {
                        Event::default().event("lagged").data(missed.to_string())
                    }
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok(event), cursor));
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

fn encode(stored: &StoredEvent) -> Event {
    let data = serde_json::to_string(&stored.event).unwrap_or_else(|error| {
        // Our own entities always serialize; say so in the stream rather than drop it silently.
        tracing::error!(%error, "cannot serialize an event");
        String::from("{}")
    });
    Event::default().id(stored.id.to_string()).event(stored.event.kind()).data(data)
}
