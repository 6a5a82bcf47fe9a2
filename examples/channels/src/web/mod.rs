//! The `web` component: the axum router on a hyper server of our own ([`server`]), bound in
//! `start` and served by a task the platform supervises (`http`).
//!
//! As soon as the platform begins to stop, `/health` answers `503` and the SSE streams end (they
//! would otherwise hold the shutdown open forever). When `web`'s turn to stop comes, its stop
//! signal closes the listener (new connections are refused), closes at once every connection
//! that has not sent a whole request, and lets the requests received whole finish within
//! `Settings::shutdown_grace_ms`; the `http` task then ends, and the platform awaits it.

mod controllers;
pub mod error;
pub mod extract;
pub mod server;
mod sse;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use channels_api::{ChannelService, Config, EventBus};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use weft::Supervisor;
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
    /// The bound address, set in `start`.
    addr: OnceLock<SocketAddr>,
}

/// What the controllers share.
#[derive(Clone)]
pub(crate) struct AppState {
    channels: Arc<dyn ChannelService>,
    events: Arc<dyn EventBus>,
    /// Fires when stopping begins: SSE streams end, `/health` answers `503`.
    shutdown: CancellationToken,
    /// The `web` component's supervisor, whose health `/health` reports; `None` for a router
    /// served outside a platform (see [`router`]).
    supervisor: Option<Supervisor>,
}

/// The routes of the channels API over `channels` and `events`, with bodies limited to
/// `max_body_bytes`, outside a platform (e.g. to drive it in a benchmark): SSE streams end, and
/// `/health` answers `503`, when `shutdown` is cancelled.
pub fn router(
    channels: Arc<dyn ChannelService>,
    events: Arc<dyn EventBus>,
    shutdown: CancellationToken,
    max_body_bytes: usize,
) -> Router {
    routes(AppState { channels, events, shutdown, supervisor: None }, max_body_bytes)
}

fn routes(state: AppState, max_body_bytes: usize) -> Router {
    use controllers as c;
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
        self.addr.get().copied()
    }
}

impl Lifecycle for Web {
    async fn start(&self) -> anyhow::Result<()> {
        let settings = self.config.settings();
        let listener = tokio::net::TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("cannot bind `{}`", settings.bind))?;
        let addr = listener.local_addr()?;
        let _ = self.addr.set(addr);
        let supervisor = Supervisor::current()?;
        let state = AppState {
            channels: self.channels.clone(),
            events: self.events.clone(),
            shutdown: supervisor.shutdown_token(),
            supervisor: Some(supervisor.clone()),
        };
        let app = routes(state, settings.max_body_bytes);
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
        let grace = Duration::from_millis(settings.shutdown_grace_ms);
        let stop = supervisor.stop_token();
        supervisor.spawn("http", async move {
            let (abandon, connections) = (CancellationToken::new(), TaskTracker::new());
            // The accept loop ends as soon as `web` stops: the listener closes with it.
            server::serve(listener, app, limits, stop, abandon.clone(), connections.clone()).await;
            connections.close();
            if tokio::time::timeout(grace, connections.wait()).await.is_ok() {
                tracing::info!("web server drained");
                return Ok(());
            }
            let cut = connections.len();
            abandon.cancel();
            connections.wait().await;
            anyhow::bail!("{cut} in-flight requests did not finish within {grace:?}; cut them off")
        })?;
        tracing::info!(%addr, max_connections = limits.max_connections, "listening");
        Ok(())
    }
}
