//! Server-sent events: the realtime bus, streamed to HTTP clients.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use channels_api::ChannelEvent;
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::AppState;
use super::error::ApiError;
use super::extract::Id;

/// `GET /events`: every channel event.
pub(crate) async fn all_events(
    State(app): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    stream(app, None)
}

/// `GET /channels/{id}/events`: the events of one existing channel.
pub(crate) async fn channel_events(
    State(app): State<AppState>,
    Id(id): Id,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    app.channels.get_channel(id).await?;
    Ok(stream(app, Some(id)))
}

/// The SSE stream of the events that match `channel`. It ends when the server shuts down, so
/// that graceful shutdown does not wait for clients that never hang up.
fn stream(
    app: AppState,
    channel: Option<i64>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = app.events.subscribe();
    let shutdown = app.shutdown.clone();
    let events = futures_util::stream::unfold(receiver, move |mut receiver| {
        let shutdown = shutdown.clone();
        async move {
            loop {
                let next = tokio::select! {
                    () = shutdown.cancelled() => return None,
                    next = receiver.recv() => next,
                };
                let event = match next {
                    Ok(event) if channel.is_none_or(|id| event.channel_id() == id) => {
                        encode(&event)
                    }
                    Ok(_) => continue,
                    Err(RecvError::Lagged(missed)) => {
                        Event::default().event("lagged").data(missed.to_string())
                    }
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok(event), receiver));
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

fn encode(event: &ChannelEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|error| {
        // Our own entities always serialize; say so in the stream rather than drop it silently.
        tracing::error!(%error, "cannot serialize an event");
        String::from("{}")
    });
    Event::default().event(event.kind()).data(data)
}
