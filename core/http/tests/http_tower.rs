//! tower interop with real tower middleware: a layer as a final-request component
//! (`GlobalConcurrencyLimitLayer`, `TimeoutLayer`), and a tower service as the transport.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tower::limit::GlobalConcurrencyLimitLayer;
use tower::timeout::TimeoutLayer;
use weft::http::{
    ErrorKind, FinalRequest, HttpResponse, HttpResult, RequestContext, ResourceService, Response,
    TowerLayer, TowerTransport,
};
use weft::pipeline::Endpoint;

/// An in-memory transport that takes `delay` and counts how many requests it serves at once.
#[derive(Clone)]
struct Slow {
    delay: Duration,
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

impl Endpoint<RequestContext, HttpResult> for Slow {
    async fn call(&self, _ctx: &mut RequestContext) -> HttpResult {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.delay).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        Ok(Response::new(200, Default::default(), "slow"))
    }
}

fn slow(delay: Duration) -> Slow {
    Slow { delay, running: Arc::default(), most: Arc::default() }
}

#[tokio::test]
async fn a_tower_concurrency_limit_layer_holds_requests_to_one_at_a_time() {
    let transport = slow(Duration::from_millis(20));
    let most = transport.most.clone();
    let service = ResourceService::new("limited.test")
        .with_transport(transport)
        .with_component(TowerLayer::new(GlobalConcurrencyLimitLayer::new(1)));
    let template = Arc::new(service.request_template("get"));
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let template = template.clone();
            tokio::spawn(async move { template.create_request().execute().await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.expect("task").expect("200").text(), "slow");
    }
    assert_eq!(most.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_tower_timeout_layer_fails_a_slow_attempt_with_its_elapsed_error() {
    let service = ResourceService::new("slow.test")
        .with_transport(slow(Duration::from_secs(5)))
        .with_component(TowerLayer::new(TimeoutLayer::new(Duration::from_millis(20))));
    let template = service.request_template("get");
    let err = template.create_request().execute().await.expect_err("timed out");
    assert_eq!(err.kind(), &ErrorKind::Component);
    let source = std::error::Error::source(&err).expect("a cause");
    assert!(source.is::<tower::timeout::error::Elapsed>(), "{source}");
}

#[tokio::test]
async fn weft_errors_pass_through_a_tower_layer_unchanged() {
    let service = ResourceService::new("127.0.0.1")
        .with_port(1) // nothing listens: a transport error from below the layer
        .with_component(TowerLayer::new(TimeoutLayer::new(Duration::from_secs(5))));
    let err =
        service.request_template("get").create_request().execute().await.expect_err("refused");
    assert!(matches!(err.kind(), ErrorKind::Transport { attempts: 1 }), "{err:?}");
}

#[tokio::test]
async fn a_tower_service_is_the_transport() {
    let echo = tower::service_fn(|request: FinalRequest| async move {
        let text = format!("{} {}", request.method(), request.uri());
        Ok::<_, Infallible>(HttpResponse::new(text.into()))
    });
    let service = ResourceService::new("echo.test").with_transport(TowerTransport::new(echo));
    let template =
        service.request_template("get-todo").with_uri_template("/todos/{id}").expect("valid");
    let response = template.create_request().with_parameter("id", 7).execute().await.expect("ok");
    assert_eq!(response.text(), "GET http://echo.test:80/todos/7");
}
