//! The Twine wiki's get-todo example, ported to weft.
//!
//! It starts a small todo server on 127.0.0.1 (port 0), or talks to the host given on the
//! command line (`[http://|https://]host[:port]`), declares a resource service with a `get-todo`
//! template for `/todos/{id}`, adds a timing component through an extension trait
//! (`.log_request_duration()`, as the wiki does with `RequestTemplate.prototype`), fetches two
//! todos with `with_parameters`, prints what it did and exits.
//!
//! ```text
//! cargo run -p twine-example
//! cargo run -p twine-example -- http://127.0.0.1:8080
//! ```

use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use weft::http::{
    HttpResult, Protocol, RequestContext, RequestTemplate, ResourceService, RetryStrategy, json,
    none,
};
use weft::pipeline::{Chain, Component, Layer, Next};

/// A todo, as JSONPlaceholder serves it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Todo {
    user_id: u32,
    id: u32,
    title: String,
    completed: bool,
}

/// The timing component: it measures the rest of the pipeline and prints it.
struct Timing;

impl Component<RequestContext, HttpResult> for Timing {
    async fn call<N: Chain<RequestContext, HttpResult>>(
        &self,
        ctx: &mut RequestContext,
        next: Next<'_, N>,
    ) -> HttpResult {
        let start = Instant::now();
        let result = next.run(ctx).await;
        let elapsed = start.elapsed();
        let status =
            result.as_ref().map(|r| r.status().to_string()).unwrap_or_else(|e| e.to_string());
        println!(
            "  [timing] {} {}: {status} in {elapsed:?} ({} attempt(s))",
            ctx.service(),
            ctx.template(),
            ctx.attempts
        );
        result
    }
}

/// Twine's `RequestTemplate.prototype.logRequestDuration`, as an extension trait.
trait LogRequestDuration<R, T> {
    /// Adds the timing component to this template.
    fn log_request_duration(self) -> RequestTemplate<R, Layer<Timing, T>>;
}

impl<R, T: Chain<RequestContext, HttpResult>> LogRequestDuration<R, T> for RequestTemplate<R, T> {
    fn log_request_duration(self) -> RequestTemplate<R, Layer<Timing, T>> {
        self.with_component(Timing)
    }
}

/// `[http://|https://]host[:port]` → (protocol, host, port).
fn parse_target(target: &str) -> anyhow::Result<(Protocol, String, Option<u16>)> {
    let (protocol, rest) = if let Some(rest) = target.strip_prefix("https://") {
        (Protocol::Https, rest)
    } else {
        (Protocol::Http, target.strip_prefix("http://").unwrap_or(target))
    };
    let rest = rest.trim_end_matches('/');
    match rest.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => {
            let port = port.parse().with_context(|| format!("invalid port in `{target}`"))?;
            Ok((protocol, host.to_owned(), Some(port)))
        }
        _ if !rest.is_empty() => Ok((protocol, rest.to_owned(), None)),
        _ => anyhow::bail!("expected `[http://|https://]host[:port]`, got `{target}`"),
    }
}

async fn todo(Path(id): Path<u32>) -> Response {
    match id {
        1..=3 => axum::Json(Todo {
            user_id: 1,
            id,
            title: ["delectus aut autem", "quis ut nam facilis", "fugiat veniam minus"]
                [id as usize - 1]
                .to_owned(),
            completed: id == 3,
        })
        .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Starts the todo server on 127.0.0.1, port 0, and returns its port.
async fn start_server() -> anyhow::Result<u16> {
    let listener =
        tokio::net::TcpListener::bind("127.0.0.1:0").await.context("bind 127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let app = Router::new().route("/todos/{id}", get(todo));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("todo server stopped: {e}");
        }
    });
    Ok(port)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();

    let (protocol, host, port) = match std::env::args().nth(1) {
        Some(target) => parse_target(&target)?,
        None => {
            let port = start_server().await?;
            println!("started a todo server on 127.0.0.1:{port}");
            (Protocol::Http, "127.0.0.1".to_owned(), Some(port))
        }
    };

    // Tier 1: the resource service.
    let mut service = ResourceService::new(host).named("JSONPlaceholder").with_protocol(protocol);
    if let Some(port) = port {
        service = service.with_port(port);
    }
    println!("resource service `{}` at {}", service.name(), service.base_url());

    // Tier 2: the `get-todo` template, with the timing component through the extension trait.
    let get_todo = service
        .request_template("get-todo")
        .with_uri_template("/todos/{id}")?
        .with_timeout(Duration::from_secs(5))
        .with_retry(RetryStrategy::new(2).with_delay(Duration::from_millis(50)))
        .returning::<Option<Todo>>()
        .handle_when(200, json::<Todo>())
        .handle_when(404, none())
        .log_request_duration();

    // Tier 3: requests, with parameters as Twine's `withParameters({ id: 1 })`.
    for id in [1, 42] {
        println!("GET /todos/{id}");
        let todo = get_todo
            .create_request()
            .with_parameters(serde_json::json!({ "id": id }))
            .execute()
            .await?;
        match todo {
            Some(todo) => println!("  found: {todo:?}"),
            None => println!("  no todo {id} (404)"),
        }
    }
    Ok(())
}
