//! Per-request overhead of a resource-service template with the built-in components, against
//! the same request made with plain reqwest and with reqwest-middleware (one pass-through
//! middleware), all on one `reqwest::Client` to an axum server on 127.0.0.1 (port 0) that
//! answers `GET /todos/{id}` with a small JSON body.
//!
//! The weft template: `with_method`, `with_uri_template("/todos/{id}")`, `with_header`,
//! `with_bearer_auth`, `with_timeout`, `with_retry`, instrumentation on (no subscriber), the
//! default 2xx handler, and `with_parameter("id", 1)`: the built-ins plus `Prepare`,
//! `Instrument` and the transport. The plain-reqwest and reqwest-middleware requests send the
//! same method, URL and headers and read the whole body.
//!
//! A fourth case runs the same template on an in-memory transport: the cost of the template's
//! components alone, without the network.
//!
//! Besides criterion, it prints the minimum time per request over 15 interleaved rounds of 200
//! requests (every case once per round): the figure a shared machine's load disturbs least.
//!
//! Run: `cargo bench -p weft-http --bench http -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use criterion::Criterion;
use weft::http::{HttpResult, Method, RequestContext, ResourceService, Response, RetryStrategy};
use weft::pipeline::Endpoint;

/// Answers in memory, so that the template's own cost shows without the network.
#[derive(Clone)]
struct Canned;

impl Endpoint<RequestContext, HttpResult> for Canned {
    async fn call(&self, ctx: &mut RequestContext) -> HttpResult {
        black_box(ctx.final_request.take());
        Ok(Response::new(200, Default::default(), "{}"))
    }
}

async fn todo() -> &'static str {
    r#"{"userId":1,"id":1,"title":"delectus aut autem","completed":false}"#
}

/// Starts the server on its own runtime thread; returns its port.
fn start_server() -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
            tx.send(listener.local_addr().expect("addr").port()).expect("send");
            let app = Router::new().route("/todos/{id}", get(todo));
            axum::serve(listener, app).await.expect("serve");
        });
    });
    rx.recv().expect("port")
}

struct Pass;

#[async_trait::async_trait]
impl reqwest_middleware::Middleware for Pass {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        next.run(req, extensions).await
    }
}

fn main() {
    let port = start_server();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/todos/1");

    let service = ResourceService::new("127.0.0.1").with_port(port).with_client(client.clone());
    let template = service
        .request_template("get-todo")
        .with_method(Method::GET)
        .with_uri_template("/todos/{id}")
        .expect("valid")
        .with_header("accept", "application/json")
        .expect("valid")
        .with_bearer_auth("token")
        .with_timeout(Duration::from_secs(5))
        .with_retry(RetryStrategy::new(2));
    let middleware = reqwest_middleware::ClientBuilder::new(client.clone()).with(Pass).build();
    let in_memory = ResourceService::new("127.0.0.1")
        .with_port(port)
        .with_transport(Canned)
        .request_template("get-todo")
        .with_method(Method::GET)
        .with_uri_template("/todos/{id}")
        .expect("valid")
        .with_header("accept", "application/json")
        .expect("valid")
        .with_bearer_auth("token")
        .with_timeout(Duration::from_secs(5))
        .with_retry(RetryStrategy::new(2));
    let weft_in_memory = || async {
        let response = in_memory.create_request().with_parameter("id", 1).execute().await;
        black_box(response.expect("200").body().len())
    };

    let weft = || async {
        let response = template.create_request().with_parameter("id", 1).execute().await;
        black_box(response.expect("200").body().len())
    };
    let plain = || async {
        let response = client
            .get(&url)
            .header("accept", "application/json")
            .bearer_auth("token")
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .expect("200");
        black_box(response.bytes().await.expect("body").len())
    };
    let with_middleware = || async {
        let response = middleware
            .get(&url)
            .header("accept", "application/json")
            .bearer_auth("token")
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .expect("200");
        black_box(response.bytes().await.expect("body").len())
    };

    // Interleaved minimums.
    const ROUNDS: usize = 15;
    const BATCH: u32 = 200;
    let mut best = [f64::INFINITY; 4];
    rt.block_on(async {
        for _ in 0..ROUNDS {
            for (i, best) in best.iter_mut().enumerate() {
                let start = Instant::now();
                for _ in 0..BATCH {
                    match i {
                        0 => plain().await,
                        1 => with_middleware().await,
                        2 => weft().await,
                        _ => weft_in_memory().await,
                    };
                }
                *best = best.min(start.elapsed().as_nanos() as f64 / f64::from(BATCH) / 1e3);
            }
        }
    });
    println!("time per request, minimum of {ROUNDS} interleaved rounds of {BATCH}");
    println!("| client | µs/request | overhead over plain reqwest |");
    println!("|---|---:|---:|");
    for (name, us) in ["reqwest", "reqwest-middleware", "weft template"].iter().zip(best) {
        println!("| {name} | {us:.1} | {:+.1} µs |", us - best[0]);
    }
    println!("| weft template, in-memory transport (no network) | {:.2} | |", best[3]);

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("per-request");
    group.bench_function("reqwest", |b| b.to_async(&rt).iter(plain));
    group.bench_function("reqwest-middleware", |b| b.to_async(&rt).iter(with_middleware));
    group.bench_function("weft-template", |b| b.to_async(&rt).iter(weft));
    group.bench_function("weft-template-in-memory", |b| b.to_async(&rt).iter(weft_in_memory));
    group.finish();
    criterion.final_summary();
}
