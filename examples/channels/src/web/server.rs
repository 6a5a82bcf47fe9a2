//! The HTTP server under hostile clients: hyper's HTTP/1.1 connections, accepted by a loop of
//! our own so that the server, not the client, decides how long a connection may hold a slot.
//!
//! - **Head timeout.** hyper closes a connection that has not sent a whole request head within
//!   `header_timeout_ms` (from its acceptance, or from the end of the previous response: idle
//!   kept-alive connections close too).
//! - **Body timeout.** A handler that reads a body gets it whole within `body_timeout_ms` of the
//!   head, or answers `408` (see [`BodyDeadline`]).
//! - **Connection cap.** At most `max_connections` connections are served at once, lowered to
//!   fit the open-file limit. Past it, a new connection is answered `503` with a JSON body and
//!   closed: it is never left waiting in the accept queue behind clients that send nothing.
//! - **Early refusals.** A request whose `Content-Length` exceeds `max_body_bytes` is answered
//!   `413` before any of its body is read; a URI or a head larger than this server accepts gets
//!   `414` or `431` with a JSON body (hyper's own, bodiless, limits are set higher, so they are
//!   only met by requests far past ours).
//! - **Stop.** When stopping begins, the listener closes and every connection that is not
//!   serving a request received whole (idle, or halfway through sending one) is closed at once.
//!   Only requests received whole get the grace period.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt as _;

use super::error::ApiError;

/// The longest request target (path and query) the app accepts, in bytes; longer gets a JSON
/// `414`. hyper's own limit (an empty `414`) is 65,534.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// The most header fields the app accepts; more gets a JSON `431`.
pub const MAX_HEADERS: usize = 100;

/// The largest request head (header names and values) the app accepts, in bytes; larger gets a
/// JSON `431`.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// hyper's limit on header fields, above [`MAX_HEADERS`]: past it hyper answers an empty `431`.
const HYPER_MAX_HEADERS: usize = 256;

/// File descriptors kept for everything that is not a client connection: SQLite, webhook
/// deliveries, the runtime, and connections being refused.
const RESERVED_FDS: u64 = 96;

/// The most refusals (a `503` being written) at once; past it, a connection over the cap is
/// closed without a word.
const MAX_REFUSALS: usize = 32;

/// How long a refused connection is given to take its `503`. Short: clients that send nothing
/// must not hold the refusals either.
const REFUSAL_TIME: Duration = Duration::from_millis(250);

/// The server's limits, from the settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) max_body_bytes: usize,
}

impl Limits {
    /// `max_connections` lowered to fit `open_files`, the open-file limit of the process (if
    /// known), keeping [`RESERVED_FDS`] for the rest and at least a quarter for clients.
    pub(crate) fn fit_open_files(mut self, open_files: Option<u64>) -> Self {
        if let Some(limit) = open_files {
            let for_clients = limit.saturating_sub(RESERVED_FDS).max(limit / 4).max(1);
            let for_clients = usize::try_from(for_clients).unwrap_or(usize::MAX);
            self.max_connections = self.max_connections.min(for_clients);
        }
        self
    }
}

/// The soft open-file limit of this process, if it has one.
pub(crate) fn open_file_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        rustix::process::getrlimit(rustix::process::Resource::Nofile).current
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// When the body of a request must have arrived: put in the request's extensions by the server,
/// read by the `JsonBody` extractor, which answers `408` past it.
#[derive(Clone, Copy, Debug)]
pub struct BodyDeadline(pub tokio::time::Instant);

/// Serves `router` on `listener` until `shutdown`, each connection on `connections`. Once
/// `shutdown` fires, connections without a whole request in flight close at once; the others
/// finish their request, unless `abandon` fires first.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: CancellationToken,
    abandon: CancellationToken,
    connections: TaskTracker,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let refusals = Arc::new(Semaphore::new(MAX_REFUSALS));
    let mut last_warning: Option<Instant> = None;
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => {
                // Out of file descriptors, or a connection reset before it was accepted. Keep
                // accepting, without spinning.
                if last_warning.is_none_or(|at| at.elapsed() > Duration::from_secs(5)) {
                    tracing::warn!(%error, "accept failed");
                    last_warning = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        match slots.clone().try_acquire_owned() {
            Ok(slot) => {
                let connection = Connection {
                    router: router.clone(),
                    limits,
                    shutdown: shutdown.clone(),
                    abandon: abandon.clone(),
                    _slot: slot,
                };
                connections.spawn(connection.serve(stream));
            }
            Err(_) => match refusals.clone().try_acquire_owned() {
                Ok(permit) => {
                    tokio::spawn(refuse(stream, permit));
                }
                Err(_) => drop(stream),
            },
        }
    }
    tracing::debug!("stopped accepting connections");
}

/// Answers a connection over the cap with a `503` and a JSON body, then closes it gently (so
/// that the answer is read, not lost to a reset).
async fn refuse(mut stream: TcpStream, _permit: OwnedSemaphorePermit) {
    let body = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "too_many_connections",
        "the server has too many open connections; retry later",
    )
    .json_body();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
         content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = tokio::time::timeout(REFUSAL_TIME, async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(&body).await?;
        stream.shutdown().await?;
        // Read what the client sends until it closes, so that closing does not reset the
        // connection before the answer is read.
        let mut sink = [0; 1024];
        while stream.read(&mut sink).await? > 0 {}
        std::io::Result::Ok(())
    })
    .await;
}

/// One accepted connection.
struct Connection {
    router: Router,
    limits: Limits,
    shutdown: CancellationToken,
    abandon: CancellationToken,
    /// The connection's place under the cap, given back when it closes.
    _slot: OwnedSemaphorePermit,
}

impl Connection {
    async fn serve(self, stream: TcpStream) {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let service = {
            let (router, limits, in_flight) = (self.router, self.limits, in_flight.clone());
            hyper::service::service_fn(move |request| {
                handle(router.clone(), limits, in_flight.clone(), request)
            })
        };
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_timeout)
            .max_headers(HYPER_MAX_HEADERS);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let mut connection = std::pin::pin!(connection);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended");
                }
                return;
            }
            () = self.shutdown.cancelled() => {}
        }
        if in_flight.load(Ordering::Acquire) == 0 {
            // Idle, or halfway through sending a request: closed now (by dropping it).
            return;
        }
        // A request received whole is being served: let it finish, then close.
        connection.as_mut().graceful_shutdown();
        tokio::select! {
            _ = connection => {}
            () = self.abandon.cancelled() => {}
        }
    }
}

/// Serves one request: the early refusals, then the router, tracking when the request is whole
/// and when its response is done.
async fn handle(
    router: Router,
    limits: Limits,
    in_flight: Arc<AtomicUsize>,
    request: Request<Incoming>,
) -> Result<Response<Tracked<axum::body::Body>>, Infallible> {
    let whole = Arc::new(Whole { in_flight, counted: AtomicBool::new(false) });
    if let Some(refusal) = refusal(&request, &limits) {
        let mut response = refusal.into_response();
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        return Ok(response.map(|body| Tracked { inner: body, whole: None }));
    }
    if request.body().is_end_stream() {
        whole.mark();
    }
    let deadline = tokio::time::Instant::now() + limits.body_timeout;
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(BodyDeadline(deadline));
    let body = Tracked { inner: body, whole: Some(whole.clone()) };
    let response = router.oneshot(Request::from_parts(parts, body)).await?;
    Ok(response.map(|body| Tracked { inner: body, whole: Some(whole) }))
}

/// The checks made on the head alone, before any of the body is read.
fn refusal<B>(request: &Request<B>, limits: &Limits) -> Option<ApiError> {
    let target = request.uri().path_and_query().map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        return Some(ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("the request target is longer than {MAX_URI_BYTES} bytes"),
        ));
    }
    let headers = request.headers();
    let header_bytes: usize =
        headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return Some(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!(
                "a request may have at most {MAX_HEADERS} header fields and {MAX_HEADER_BYTES} \
                 bytes of headers"
            ),
        ));
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_body_bytes as u64) {
        return Some(ApiError::payload_too_large(limits.max_body_bytes));
    }
    None
}

/// A request received whole, counted in its connection's `in_flight` from the moment its body
/// has arrived until its response has been sent (or dropped).
struct Whole {
    in_flight: Arc<AtomicUsize>,
    counted: AtomicBool,
}

impl Whole {
    fn mark(&self) {
        if !self.counted.swap(true, Ordering::AcqRel) {
            self.in_flight.fetch_add(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Whole {
    fn drop(&mut self) {
        if *self.counted.get_mut() {
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// A request or response body that holds its request's [`Whole`]: a request body marks the
/// request whole when it ends; a response body keeps it counted until it is sent.
pub(crate) struct Tracked<B> {
    inner: B,
    whole: Option<Arc<Whole>>,
}

impl<B> Body for Tracked<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = std::pin::Pin::new(&mut self.inner).poll_frame(cx);
        if (matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream())
            && let Some(whole) = &self.whole
        {
            whole.mark();
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::post;

    /// A server whose `/slow` echoes its body after `delay`, with its stop signals.
    async fn slow_server(
        delay: Duration,
    ) -> anyhow::Result<(std::net::SocketAddr, CancellationToken, CancellationToken, TaskTracker)>
    {
        let router = Router::new().route(
            "/slow",
            post(move |body: String| async move {
                tokio::time::sleep(delay).await;
                body
            }),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let limits = Limits {
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(5),
            max_connections: 8,
            max_body_bytes: 1024,
        };
        let (shutdown, abandon, tracker) =
            (CancellationToken::new(), CancellationToken::new(), TaskTracker::new());
        tokio::spawn(serve(
            listener,
            router,
            limits,
            shutdown.clone(),
            abandon.clone(),
            tracker.clone(),
        ));
        Ok((addr, shutdown, abandon, tracker))
    }

    async fn send_whole_request(addr: std::net::SocketAddr) -> anyhow::Result<TcpStream> {
        let mut stream = TcpStream::connect(addr).await?;
        stream
            .write_all(b"POST /slow HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nhello")
            .await?;
        Ok(stream)
    }

    #[tokio::test]
    async fn a_request_received_whole_gets_the_grace() -> anyhow::Result<()> {
        let (addr, shutdown, _abandon, tracker) = slow_server(Duration::from_millis(400)).await?;
        let mut stream = send_whole_request(addr).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        shutdown.cancel();
        tracker.close();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!tracker.is_empty(), "the stop waits for the request received whole");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await?;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("hello"), "{answer}");
        tokio::time::timeout(Duration::from_secs(1), tracker.wait()).await?;
        Ok(())
    }

    #[tokio::test]
    async fn abandon_cuts_off_what_the_grace_did_not_finish() -> anyhow::Result<()> {
        let (addr, shutdown, abandon, tracker) = slow_server(Duration::from_secs(3600)).await?;
        let mut stream = send_whole_request(addr).await?;
        tokio::time::sleep(Duration::from_millis(100)).await;
        shutdown.cancel();
        tracker.close();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!tracker.is_empty());
        abandon.cancel();
        tokio::time::timeout(Duration::from_secs(1), tracker.wait()).await?;
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer).await;
        assert!(read.is_err() || answer.is_empty(), "cut off without an answer");
        Ok(())
    }

    #[test]
    fn the_cap_fits_the_open_file_limit() {
        let limits = Limits {
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            max_connections: 4_096,
            max_body_bytes: 1,
        };
        assert_eq!(limits.fit_open_files(None).max_connections, 4_096);
        assert_eq!(limits.fit_open_files(Some(1_048_576)).max_connections, 4_096);
        assert_eq!(limits.fit_open_files(Some(1_024)).max_connections, 928);
        assert_eq!(limits.fit_open_files(Some(256)).max_connections, 160);
        assert_eq!(limits.fit_open_files(Some(64)).max_connections, 16);
        assert_eq!(limits.fit_open_files(Some(0)).max_connections, 1);
    }
}
