//! Resource services against a real HTTP server on 127.0.0.1 (port 0).

mod http_support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_support::{Echo, Todo, closed_port, start};
use weft::http::{
    ErrorKind, HttpResult, Method, RequestContext, ResourceService, RetryStrategy,
    UnusedParameters, json, none,
};
use weft::pipeline::{Chain, Component, DynNext, Next};

/// Records its before and after phases in a shared log.
struct Record(&'static str, Arc<Mutex<Vec<String>>>);

impl Component<RequestContext, HttpResult> for Record {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        self.1.lock().expect("lock").push(format!("{} before", self.0));
        let result = next.run(ctx).await;
        self.1.lock().expect("lock").push(format!("{} after", self.0));
        result
    }
}

/// Stores the attempt count the transport reports.
struct CountAttempts(Arc<AtomicU32>);

impl Component<RequestContext, HttpResult> for CountAttempts {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        let result = next.run(ctx).await;
        self.0.store(ctx.attempts, Ordering::SeqCst);
        result
    }
}

fn service(port: u16) -> ResourceService {
    ResourceService::new("127.0.0.1").with_port(port).named("test-service")
}

#[tokio::test]
async fn tiers_run_request_then_template_then_service_last_added_first() {
    let server = start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let transport_log = log.clone();
    let service = service(server.port())
        .with_component(Record("s1", log.clone()))
        .with_fn(move |ctx: &mut RequestContext, next: DynNext<'_, RequestContext, HttpResult>| {
            let log = transport_log.clone();
            Box::pin(async move {
                log.lock().expect("lock").push("s-closure".into());
                next.run(ctx).await
            })
        })
        .with_component(Record("s2", log.clone()));
    let template = service
        .request_template("echo")
        .with_uri_template("/echo")
        .expect("valid template")
        .with_component(Record("t1", log.clone()))
        .with_component(Record("t2", log.clone()));
    let response = template
        .create_request()
        .with_component(Record("r1", log.clone()))
        .with_component(Record("r2", log.clone()))
        .execute()
        .await
        .expect("request succeeds");
    assert_eq!(response.status(), 200);
    let log = log.lock().expect("lock").clone();
    assert_eq!(
        log,
        [
            "r2 before",
            "r1 before",
            "t2 before",
            "t1 before",
            "s2 before",
            "s-closure",
            "s1 before",
            "s1 after",
            "s2 after",
            "t1 after",
            "t2 after",
            "r1 after",
            "r2 after",
        ]
    );
}

#[tokio::test]
async fn a_request_component_can_short_circuit_the_transport() {
    let server = start().await;
    let service = service(server.port());
    let template = service.request_template("echo").with_uri_template("/echo").expect("valid");
    let hits = Arc::new(AtomicU32::new(0));
    let response = template
        .create_request()
        .with_component(CountAttempts(hits.clone()))
        .with_fn(|_ctx: &mut RequestContext, _next: DynNext<'_, RequestContext, HttpResult>| {
            Box::pin(async { Ok(weft::http::Response::new(203, Default::default(), "cached")) })
        })
        .execute()
        .await
        .expect("short-circuited");
    assert_eq!(response.status(), 203);
    assert_eq!(response.text(), "cached");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the transport never ran");
}

#[tokio::test]
async fn every_method_reaches_the_server() {
    let server = start().await;
    let service = service(server.port());
    for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let template = service
            .request_template("echo")
            .with_method(method.clone())
            .with_uri_template("/echo")
            .expect("valid")
            .returning::<Echo>()
            .handle_when(200, json::<Echo>());
        let echo = template.create_request().execute().await.expect("echo");
        assert_eq!(echo.method, method.as_str());
    }
}

#[tokio::test]
async fn hostile_values_stay_inside_their_path_segment_and_extra_parameters_go_to_the_query() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("echo")
        .with_uri_template("/echo/{id}/tail")
        .expect("valid")
        .on_unused_parameters(UnusedParameters::Query)
        .returning::<Echo>()
        .handle_when(200, json::<Echo>());
    let echo = template
        .create_request()
        .with_parameters(serde_json::json!({
            "id": "../a/b?x=1#frag 100% é",
            "page": 2,
            "tags": ["a&b", "c"],
            "skip": null,
        }))
        .execute()
        .await
        .expect("echo");
    assert_eq!(echo.path, "/echo/..%2Fa%2Fb%3Fx%3D1%23frag%20100%25%20%C3%A9/tail");
    assert_eq!(echo.query.as_deref(), Some("page=2&tags=a%26b&tags=c"));
}

#[tokio::test]
async fn a_missing_path_parameter_fails_at_execution_naming_service_and_template() {
    let service = service(closed_port());
    let template =
        service.request_template("get-todo").with_uri_template("/todos/{id}").expect("valid");
    let err = template.create_request().execute().await.expect_err("missing id");
    assert!(matches!(err.kind(), ErrorKind::Parameters), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("test-service") && message.contains("get-todo"), "{message}");
    let cause = std::error::Error::source(&err).map(ToString::to_string).unwrap_or_default();
    assert!(cause.contains("missing parameter `id`"), "{cause}");
}

#[tokio::test]
async fn an_invalid_uri_template_fails_at_build_time() {
    let service = service(closed_port());
    let err = service.request_template("bad").with_uri_template("/todos/{id").expect_err("invalid");
    assert!(matches!(err.kind(), ErrorKind::InvalidUriTemplate));
    assert_eq!((err.service(), err.template()), ("test-service", "bad"));
}

#[tokio::test]
async fn json_goes_both_ways() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("create")
        .with_method(Method::POST)
        .with_uri_template("/echo")
        .expect("valid")
        .returning::<Echo>()
        .handle_when(200, json::<Echo>());
    let todo = Todo { id: 7, title: "write tests".into(), completed: true };
    let echo = template.create_request().with_json_body(&todo).execute().await.expect("echo");
    assert_eq!(echo.header("content-type"), Some("application/json"));
    assert_eq!(serde_json::from_str::<Todo>(&echo.body).expect("json body"), todo);
}

#[tokio::test]
async fn handlers_by_status_and_unhandled_status() {
    let server = start().await;
    let service = service(server.port());
    let get_todo = service
        .request_template("get-todo")
        .with_uri_template("/todos/{id}")
        .expect("valid")
        .returning::<Option<Todo>>()
        .handle_when(200, json::<Todo>())
        .handle_when(404, none());
    let found = get_todo.create_request().with_parameter("id", 1).execute().await.expect("found");
    assert_eq!(found.map(|t| t.id), Some(1));
    let missing = get_todo.create_request().with_parameter("id", 2).execute().await.expect("404");
    assert_eq!(missing, None);

    let status =
        service.request_template("status").with_uri_template("/status/{code}").expect("valid");
    let err = status.create_request().with_parameter("code", 500).execute().await.expect_err("500");
    assert!(matches!(err.kind(), ErrorKind::UnexpectedStatus { status: 500, .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("test-service") && message.contains("status") && message.contains("500"),
        "{message}"
    );

    // A body that does not match the handler's type is a handler error with the status.
    let wrong = service
        .request_template("wrong-shape")
        .with_uri_template("/status/{code}")
        .expect("valid")
        .returning::<Todo>()
        .handle_when(200, json::<Todo>());
    let err =
        wrong.create_request().with_parameter("code", 200).execute().await.expect_err("not json");
    assert!(matches!(err.kind(), ErrorKind::Handler { status: 200, .. }), "{err:?}");
}

#[tokio::test]
async fn headers_static_computed_and_auth_are_sent() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("echo")
        .with_uri_template("/echo")
        .expect("valid")
        .with_header("x-static", "fixed")
        .expect("valid header")
        .with_computed_header("x-template", |ctx| Some(ctx.template().to_uppercase()))
        .expect("valid header")
        .with_bearer_auth("t0ken")
        .returning::<Echo>()
        .handle_when(200, json::<Echo>());
    let echo =
        template.create_request().with_header("x-request", "r").execute().await.expect("echo");
    assert_eq!(echo.header("x-static"), Some("fixed"));
    assert_eq!(echo.header("x-template"), Some("ECHO"));
    assert_eq!(echo.header("x-request"), Some("r"));
    assert_eq!(echo.header("authorization"), Some("Bearer t0ken"));

    let basic = service
        .request_template("basic")
        .with_uri_template("/echo")
        .expect("valid")
        .with_basic_auth("user", Some("pass"))
        .returning::<Echo>()
        .handle_when(200, json::<Echo>());
    let echo = basic.create_request().execute().await.expect("echo");
    assert_eq!(echo.header("authorization"), Some("Basic dXNlcjpwYXNz"));
}

#[tokio::test]
async fn a_stalled_server_times_out() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("stall")
        .with_uri_template("/stall")
        .expect("valid")
        .with_timeout(Duration::from_millis(200));
    let start = Instant::now();
    let err = template.create_request().execute().await.expect_err("times out");
    assert!(matches!(err.kind(), ErrorKind::Timeout { attempts: 1, .. }), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(5), "bounded: {:?}", start.elapsed());
}

#[tokio::test]
async fn retries_replay_the_body_until_the_server_recovers() {
    let server = start().await;
    let service = service(server.port());
    let attempts = Arc::new(AtomicU32::new(0));
    let template = service
        .request_template("flaky")
        .with_method(Method::POST)
        .with_uri_template("/flaky/{failures}")
        .expect("valid")
        .with_retry(RetryStrategy::new(3).with_delay(Duration::from_millis(5)).for_any_method())
        .with_component(CountAttempts(attempts.clone()));
    let response = template
        .create_request()
        .with_parameter("failures", 2)
        .with_json_body(&serde_json::json!({ "payload": "same every time" }))
        .execute()
        .await
        .expect("third attempt succeeds");
    assert_eq!(response.text(), r#"{"payload":"same every time"}"#);
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(server.seen.flaky_hits.load(Ordering::SeqCst), 3);
    let bodies = server.seen.flaky_bodies.lock().expect("lock").clone();
    assert_eq!(bodies.len(), 3);
    assert!(bodies.iter().all(|b| &b[..] == br#"{"payload":"same every time"}"#), "{bodies:?}");
}

#[tokio::test]
async fn a_post_is_not_retried_unless_the_strategy_opts_in() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("flaky")
        .with_method(Method::POST)
        .with_uri_template("/flaky/{failures}")
        .expect("valid")
        .with_retry(RetryStrategy::new(3).with_delay(Duration::from_millis(1)));
    let err = template
        .create_request()
        .with_parameter("failures", 1)
        .execute()
        .await
        .expect_err("503, not retried");
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.seen.flaky_hits.load(Ordering::SeqCst), 1);
    // The same template with PUT, an idempotent method, is retried.
    let put = service
        .request_template("flaky")
        .with_method(Method::PUT)
        .with_uri_template("/flaky/{failures}")
        .expect("valid")
        .with_retry(RetryStrategy::new(3).with_delay(Duration::from_millis(1)));
    // The server counts hits across both: hit 2 fails (2 ≤ 2), hit 3 succeeds.
    put.create_request().with_parameter("failures", 2).execute().await.expect("retried");
    assert_eq!(server.seen.flaky_hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retries_on_429_and_408() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("throttled")
        .with_uri_template("/throttled/{failures}")
        .expect("valid")
        .with_retry(RetryStrategy::new(3).with_delay(Duration::from_millis(1)));
    let response =
        template.create_request().with_parameter("failures", 2).execute().await.expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(server.seen.flaky_hits.load(Ordering::SeqCst), 3);

    let no_throttle = service
        .request_template("throttled")
        .with_uri_template("/throttled/{failures}")
        .expect("valid")
        .with_retry(RetryStrategy::new(3).retry_on_throttle(false));
    let err = no_throttle
        .create_request()
        .with_parameter("failures", 5)
        .execute()
        .await
        .expect_err("not retried");
    assert!(matches!(err.status(), Some(408 | 429)), "{err:?}");
    assert_eq!(server.seen.flaky_hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_timed_out_attempt_is_retried_and_the_error_counts_attempts() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("stall")
        .with_uri_template("/stall")
        .expect("valid")
        .with_timeout(Duration::from_millis(100))
        .with_retry(RetryStrategy::new(1).with_delay(Duration::from_millis(1)));
    let start = Instant::now();
    let err = template.create_request().execute().await.expect_err("times out twice");
    assert!(matches!(err.kind(), ErrorKind::Timeout { attempts: 2, .. }), "{err:?}");
    assert!(start.elapsed() >= Duration::from_millis(200), "{:?}", start.elapsed());
    assert!(start.elapsed() < Duration::from_secs(5), "bounded: {:?}", start.elapsed());
}

#[tokio::test]
async fn retry_after_lengthens_the_delay_up_to_max_delay() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("retry-after")
        .with_uri_template("/retry-after/{secs}")
        .expect("valid")
        .with_retry(
            RetryStrategy::new(1)
                .with_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(300)),
        );
    let start = Instant::now();
    let response =
        template.create_request().with_parameter("secs", 60).execute().await.expect("ok");
    assert_eq!(response.status(), 200);
    assert_eq!(server.seen.flaky_hits.load(Ordering::SeqCst), 2);
    let elapsed = start.elapsed();
    assert!(elapsed >= Duration::from_millis(300), "waited for Retry-After: {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "capped by max_delay: {elapsed:?}");
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("flaky")
        .with_uri_template("/flaky/{failures}")
        .expect("valid")
        .with_retry(RetryStrategy::new(2).with_delay(Duration::from_millis(1)));
    let err =
        template.create_request().with_parameter("failures", 10).execute().await.expect_err("503");
    assert!(matches!(err.kind(), ErrorKind::UnexpectedStatus { status: 503, .. }), "{err:?}");
    assert_eq!(server.seen.flaky_hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn without_a_retry_strategy_a_503_is_tried_once() {
    let server = start().await;
    let service = service(server.port());
    let template =
        service.request_template("flaky").with_uri_template("/flaky/{failures}").expect("valid");
    let err =
        template.create_request().with_parameter("failures", 1).execute().await.expect_err("503");
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.seen.flaky_hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_after_every_retry() {
    let service = service(closed_port());
    let attempts = Arc::new(AtomicU32::new(0));
    let template = service
        .request_template("nowhere")
        .with_retry(RetryStrategy::new(2).with_delay(Duration::from_millis(1)))
        .with_component(CountAttempts(attempts.clone()));
    let err = template.create_request().execute().await.expect_err("refused");
    assert!(matches!(err.kind(), ErrorKind::Transport { attempts: 3, .. }), "{err:?}");
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(err.service(), "test-service");
    assert_eq!(err.template(), "nowhere");
}

#[tokio::test]
async fn an_after_phase_can_recover_from_a_transport_error() {
    let service = service(closed_port());
    let template = service.request_template("nowhere").with_fn(
        |ctx: &mut RequestContext, next: DynNext<'_, RequestContext, HttpResult>| {
            Box::pin(async move {
                match next.run(ctx).await {
                    Err(error) if matches!(error.kind(), ErrorKind::Transport { .. }) => {
                        Ok(weft::http::Response::new(200, Default::default(), "fallback"))
                    }
                    other => other,
                }
            })
        },
    );
    let response = template.create_request().execute().await.expect("recovered");
    assert_eq!(response.text(), "fallback");
}

#[tokio::test]
async fn https_goes_through_tls_and_fails_against_a_plain_http_server() {
    let server = start().await;
    let service = service(server.port()).with_protocol(weft::http::Protocol::Https);
    assert_eq!(service.base_url(), format!("https://127.0.0.1:{}", server.port()));
    let template = service.request_template("echo").with_uri_template("/echo").expect("valid");
    let err = template.create_request().execute().await.expect_err("no TLS on the server");
    assert!(matches!(err.kind(), ErrorKind::Transport { attempts: 1, .. }), "{err:?}");
}

#[tokio::test]
async fn the_execute_future_is_send_and_can_be_spawned() {
    fn assert_send<F: std::future::Future + Send>(future: F) -> F {
        future
    }
    let server = start().await;
    let service = service(server.port());
    let template = Arc::new(
        service
            .request_template("get-todo")
            .with_uri_template("/todos/{id}")
            .expect("valid")
            .returning::<Option<Todo>>()
            .handle_when(200, json::<Todo>())
            .handle_when(404, none()),
    );
    let spawned = template.clone();
    let todo = tokio::spawn(async move {
        assert_send(spawned.create_request().with_parameter("id", 1).execute()).await
    })
    .await
    .expect("task")
    .expect("200");
    assert_eq!(todo.map(|t| t.id), Some(1));
}

#[tokio::test]
async fn a_boxed_template_keeps_its_components_and_handlers() {
    let server = start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let service = service(server.port()).with_component(Record("s", log.clone()));
    let template: weft::http::RequestTemplate<Option<Todo>, weft::http::BoxedChain> = service
        .request_template("get-todo")
        .with_uri_template("/todos/{id}")
        .expect("valid")
        .returning::<Option<Todo>>()
        .handle_when(200, json::<Todo>())
        .handle_when(404, none())
        .with_component(Record("t", log.clone()))
        .boxed();
    let todo = template
        .create_request()
        .with_component(Record("r", log.clone()))
        .with_parameter("id", 2)
        .execute()
        .await
        .expect("404 handled");
    assert_eq!(todo, None);
    let log = log.lock().expect("lock").clone();
    assert_eq!(log, ["r before", "t before", "s before", "s after", "t after", "r after"]);
}

#[tokio::test]
async fn a_response_body_over_the_limit_is_a_typed_error() {
    let server = start().await;
    let service = service(server.port());
    let template = service
        .request_template("echo")
        .with_method(Method::PUT)
        .with_uri_template("/echo")
        .expect("valid")
        .with_max_response_bytes(512);
    let small = template.create_request().with_body("x".repeat(10)).execute().await;
    assert!(small.is_ok(), "{small:?}");
    let err = template
        .create_request()
        .with_body("x".repeat(4096))
        .execute()
        .await
        .expect_err("the echo is larger than 512 bytes");
    assert_eq!(err.kind(), &ErrorKind::BodyTooLarge { limit: 512 });
}
