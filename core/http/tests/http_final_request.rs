//! The final-request stage: a service component signs every attempt (HMAC-SHA256 over method,
//! URL, attempt number and body), below the template's retry. A loopback server verifies each
//! signature and fails the first attempt, so the retried attempt must carry a fresh, valid one.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::any;
use ring::hmac;
use weft::http::{HttpResult, RequestContext, ResourceService, RetryStrategy};
use weft::pipeline::{Chain, Component, Next};

const KEY: &[u8] = b"shared secret";

fn message(method: &str, url: &str, attempt: &str, body: &[u8]) -> Vec<u8> {
    let mut message = format!("{method}\n{url}\n{attempt}\n").into_bytes();
    message.extend_from_slice(body);
    message
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs the final request of each attempt: `x-attempt` and `x-signature` headers.
struct Sign(hmac::Key);

impl Component<RequestContext, HttpResult> for Sign {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        let attempt = ctx.attempts.to_string();
        if let Some(request) = ctx.final_request.as_mut() {
            let url = request.uri().to_string();
            let signed = message(request.method().as_str(), &url, &attempt, request.body());
            let signature = hex(hmac::sign(&self.0, &signed).as_ref());
            let headers = request.headers_mut();
            headers.insert("x-attempt", attempt.parse().expect("digits"));
            headers.insert("x-signature", signature.parse().expect("hex"));
        }
        next.run(ctx).await
    }
}

/// What the server saw: (attempt header, whether the signature was valid), per request.
type Seen = Arc<Mutex<Vec<(String, bool)>>>;

async fn verify(
    State(seen): State<Seen>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let host = header("host");
    let url = format!("http://{host}{uri}");
    let attempt = header("x-attempt").to_owned();
    let key = hmac::Key::new(hmac::HMAC_SHA256, KEY);
    let expected = hex(hmac::sign(&key, &message(method.as_str(), &url, &attempt, &body)).as_ref());
    let valid = header("x-signature") == expected;
    let mut seen = seen.lock().expect("lock");
    seen.push((attempt, valid));
    match (valid, seen.len()) {
        (false, _) => StatusCode::UNAUTHORIZED,
        (true, 1) => StatusCode::SERVICE_UNAVAILABLE, // the first attempt fails: retry
        (true, _) => StatusCode::OK,
    }
}

#[tokio::test]
async fn a_signing_component_signs_every_attempt_below_retry() {
    let seen: Seen = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let app = Router::new().route("/orders/{id}", any(verify)).with_state(seen.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let service = ResourceService::new("127.0.0.1")
        .with_port(port)
        .with_component(Sign(hmac::Key::new(hmac::HMAC_SHA256, KEY)));
    let template = service
        .request_template("put-order")
        .with_method(weft::http::Method::PUT)
        .with_uri_template("/orders/{id}")
        .expect("valid")
        .with_retry(RetryStrategy::new(2).with_delay(Duration::from_millis(1)));
    let response = template
        .create_request()
        .with_parameter("id", "42 é")
        .with_body("{\"qty\":3}")
        .execute()
        .await
        .expect("the second attempt is accepted");
    assert_eq!(response.status(), 200);
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen, [("1".to_owned(), true), ("2".to_owned(), true)]);
}
