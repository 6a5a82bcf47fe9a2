//! The `web` component: the axum router on a hyper server of our own ([`server`]), bound in
//! `start` and drained in `stop`.
//!
//! Stopping cancels a token that closes the listener (new connections are refused), closes at
//! once every connection that has not sent a whole request, lets the requests received whole
//! finish within `Settings::shutdown_grace_ms`, and ends the SSE streams, which would otherwise
//! hold the shutdown open forever.

mod controllers;
pub mod error;
pub mod extract;
pub mod server;
mod sse;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use channels_api::{ChannelService, Config, EventBus};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use weft::prelude::*;

/// Where the HTTP server listens, provided by the `web` component.
pub trait HttpEndpoint: Send + Sync {
    /// The bound address (with the real port when the configured one was `0`); `None` before
    /// `start`.
    fn local_addr(&self) -> Option<SocketAddr>;
}

/// The `web` component.
#[component(
    name = "web",
    provides = dyn HttpEndpoint,
    requires = [dyn Config, dyn ChannelService, dyn EventBus]
)]
pub struct Web {
    config: Arc<dyn Config>,
    channels: Arc<dyn ChannelService>,
    events: Arc<dyn EventBus>,
    server: Server,
}

/// The running server: its address, its shutdown signals, its accept loop and its connections.
#[derive(Default)]
struct Server {
    addr: OnceLock<SocketAddr>,
    /// Stops accepting, closes connections without a whole request, ends SSE streams.
    shutdown: CancellationToken,
    /// Cuts off the requests still running when the grace period is over.
    abandon: CancellationToken,
    task: Mutex<Option<JoinHandle<()>>>,
    connections: TaskTracker,
}

/// What the controllers share.
#[derive(Clone)]
pub(crate) struct AppState {
    channels: Arc<dyn ChannelService>,
    events: Arc<dyn EventBus>,
    shutdown: CancellationToken,
}

/// The routes of the channels API over `channels` and `events`, with bodies limited to
/// `max_body_bytes`. SSE streams end when `shutdown` is cancelled.
pub fn router(
    channels: Arc<dyn ChannelService>,
    events: Arc<dyn EventBus>,
    shutdown: CancellationToken,
    max_body_bytes: usize,
) -> Router {
    use controllers as c;
    let state = AppState { channels, events, shutdown };
    Router::new()
        .route("/health", get(c::health))
        .route("/channels", get(c::list_channels).post(c::create_channel))
        .route(
            "/channels/{id}",
            get(c::get_channel).patch(c::rename_channel).delete(c::delete_channel),
        )
        .route("/channels/{id}/messages", get(c::list_messages).post(c::post_message))
        .route("/channels/{id}/events", get(sse::channel_events))
        .route("/events", get(sse::all_events))
        .fallback(c::no_route)
        .method_not_allowed_fallback(c::method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

impl HttpEndpoint for Web {
    fn local_addr(&self) -> Option<SocketAddr> {
        self.server.addr.get().copied()
    }
}

impl Lifecycle for Web {
    async fn start(&self) -> anyhow::Result<()> {
        let settings = self.config.settings();
        let listener = tokio::net::TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("cannot bind `{}`", settings.bind))?;
        let addr = listener.local_addr()?;
        let _ = self.server.addr.set(addr);
        let app = router(
            self.channels.clone(),
            self.events.clone(),
            self.server.shutdown.clone(),
            settings.max_body_bytes,
        );
        let limits = server::Limits {
            header_timeout: Duration::from_millis(settings.header_timeout_ms),
            body_timeout: Duration::from_millis(settings.body_timeout_ms),
            max_connections: settings.max_connections,
            max_body_bytes: settings.max_body_bytes,
        }
        .fit_open_files(server::open_file_limit());
        // Only worth a warning when the cap was chosen, not when it is the default.
        let chosen = settings.max_connections != channels_api::Settings::default().max_connections;
        if chosen && limits.max_connections < settings.max_connections {
            tracing::warn!(
                configured = settings.max_connections,
                effective = limits.max_connections,
                open_file_limit = server::open_file_limit(),
                "`max_connections` lowered to fit the open-file limit (raise it with `ulimit -n`)"
            );
        }
        let task = tokio::spawn(server::serve(
            listener,
            app,
            limits,
            self.server.shutdown.clone(),
            self.server.abandon.clone(),
            self.server.connections.clone(),
        ));
        *self.server.task.lock().unwrap_or_else(PoisonError::into_inner) = Some(task);
        tracing::info!(%addr, max_connections = limits.max_connections, "listening");
        Ok(())
    }

    async fn stop(&self) -> anyhow::Result<()> {
        self.server.shutdown.cancel();
        let task = self.server.task.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some(task) = task else { return Ok(()) };
        // The accept loop ends at once: the listener closes with it.
        task.await.context("the server task failed")?;
        self.server.connections.close();
        let grace = Duration::from_millis(self.config.settings().shutdown_grace_ms);
        if tokio::time::timeout(grace, self.server.connections.wait()).await.is_ok() {
            tracing::info!("web server drained");
            return Ok(());
        }
        let cut = self.server.connections.len();
        self.server.abandon.cancel();
        self.server.connections.wait().await;
        anyhow::bail!("{cut} in-flight requests did not finish within {grace:?}; cut them off")
    }
}
