//! A small axum server on 127.0.0.1, port 0, for the HTTP tests.

#![allow(
    dead_code,
    unreachable_pub,
    reason = "each test binary uses a different part of this support module"
)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Todo {
    pub id: u32,
    pub title: String,
    pub completed: bool,
}

/// What the echo endpoint saw.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Echo {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Echo {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
pub struct Seen {
    /// Requests that reached `/flaky/{n}`.
    pub flaky_hits: AtomicU32,
    /// Bodies received by `/flaky/{n}`, in order.
    pub flaky_bodies: Mutex<Vec<Bytes>>,
}

pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
}

impl Server {
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
}

/// Starts the server; it stops when the test's runtime does.
pub async fn start() -> Server {
    let seen = Arc::new(Seen::default());
    let app = Router::new()
        .route("/todos/{id}", get(todo))
        .route("/status/{code}", any(status))
        .route("/stall", any(stall))
        .route("/flaky/{failures}", any(flaky))
        .route("/throttled/{failures}", any(throttled))
        .route("/retry-after/{secs}", any(retry_after))
        .fallback(echo)
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server { addr, seen }
}

/// A port on 127.0.0.1 with nothing listening: bound, then released.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}

async fn todo(Path(id): Path<u32>) -> Response {
    if id == 1 {
        axum::Json(Todo { id, title: "delectus aut autem".into(), completed: false })
            .into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

async fn status(Path(code): Path<u16>) -> Response {
    let code = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (code, format!("status {code}")).into_response()
}

async fn stall() -> Response {
    // Longer than any timeout under test; the runtime drops it when the test ends.
    tokio::time::sleep(Duration::from_secs(30)).await;
    StatusCode::OK.into_response()
}

async fn flaky(State(seen): State<Arc<Seen>>, Path(failures): Path<u32>, body: Bytes) -> Response {
    let hit = seen.flaky_hits.fetch_add(1, Ordering::SeqCst) + 1;
    seen.flaky_bodies.lock().expect("lock").push(body.clone());
    if hit <= failures {
        (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
    } else {
        Response::new(Body::from(body))
    }
}

async fn throttled(State(seen): State<Arc<Seen>>, Path(failures): Path<u32>) -> Response {
    let hit = seen.flaky_hits.fetch_add(1, Ordering::SeqCst) + 1;
    match hit {
        h if h > failures => StatusCode::OK.into_response(),
        h if h % 2 == 1 => StatusCode::TOO_MANY_REQUESTS.into_response(),
        _ => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
}

async fn retry_after(State(seen): State<Arc<Seen>>, Path(secs): Path<u32>) -> Response {
    if seen.flaky_hits.fetch_add(1, Ordering::SeqCst) == 0 {
        (StatusCode::TOO_MANY_REQUESTS, [("retry-after", secs.to_string())]).into_response()
    } else {
        StatusCode::OK.into_response()
    }
}

async fn echo(request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let echo = Echo {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    axum::Json(echo).into_response()
}
