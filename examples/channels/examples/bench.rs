//! A bounded load generator for the channels service.
//!
//! ```text
//! cargo run --release -p channels --example bench -- [--requests N] [--concurrency C] [--repeat R] [--sync full|normal] [--only TEXT]
//! ```
//!
//! With `--only TEXT`, the rows whose name does not contain `TEXT` run 100 requests instead of
//! `N` (their rows still print), so that a profile of one row is not diluted by the others.
//!
//! Boots the real platform (SQLite in a temporary directory, the server on 127.0.0.1:0) and
//! measures posting and listing messages, each `N` requests with `C` in flight, `R` times in a
//! row (the figures pool the `R` runs), at four depths:
//!
//! 1. `http`: reqwest over loopback, through hyper, axum, the controllers, the service and SQLite;
//! 2. `http+webhooks`: the same with the webhooks component delivering every message to a
//!    loopback receiver;
//! 3. `router`: the same axum router called in-process (`tower::ServiceExt::oneshot`), without
//!    sockets or hyper;
//! 4. `service`: the `ChannelService` taken from the platform and called directly.
//!
//! The differences between the rows are what each layer costs. The platform's own share of a
//! request is a lookup done once at start-up and a virtual call per service; it is measured
//! apart.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use channels::HttpEndpoint;
use channels_api::{
    Author, ChannelName, ChannelService, Config, EventBus, MessageText, NewMessage, PageRequest,
    Settings, SyncMode,
};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

struct Options {
    requests: usize,
    concurrency: usize,
    repeat: usize,
    sync: SyncMode,
    only: Option<String>,
}

fn options() -> anyhow::Result<Options> {
    let mut options =
        Options { requests: 5_000, concurrency: 16, repeat: 1, sync: SyncMode::Full, only: None };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().with_context(|| format!("`{arg}` needs a value"))?;
        match arg.as_str() {
            "--requests" => options.requests = value.parse()?,
            "--concurrency" => options.concurrency = value.parse()?,
            "--repeat" => options.repeat = value.parse()?,
            "--only" => options.only = Some(value),
            "--sync" => {
                options.sync = match value.as_str() {
                    "full" => SyncMode::Full,
                    "normal" => SyncMode::Normal,
                    _ => anyhow::bail!("`--sync` is `full` or `normal`"),
                }
            }
            _ => anyhow::bail!("unknown argument `{arg}`"),
        }
    }
    anyhow::ensure!(
        options.requests > 0 && options.concurrency > 0 && options.repeat > 0,
        "counts must be positive"
    );
    Ok(options)
}

/// Latencies of one run.
struct Run {
    name: String,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn print(&mut self) {
        self.latencies.sort_unstable();
        let at = |q: f64| {
            let index = ((self.latencies.len() as f64 - 1.0) * q).round() as usize;
            self.latencies.get(index).copied().unwrap_or_default()
        };
        let rps = self.latencies.len() as f64 / self.elapsed.as_secs_f64();
        println!(
            "| {:<28} | {:>6} | {:>9.0} | {:>9.1} | {:>9.1} |",
            self.name,
            self.latencies.len(),
            rps,
            at(0.50).as_secs_f64() * 1e6,
            at(0.99).as_secs_f64() * 1e6,
        );
    }
}

/// Runs `op(i)` for `i` in `0..requests` with `concurrency` in flight, `repeat` times; every
/// call must succeed.
async fn drive<F, Fut>(name: &str, options: &Options, op: F) -> anyhow::Result<Run>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let op = Arc::new(op);
    let mut pooled = Run { name: name.to_owned(), elapsed: Duration::ZERO, latencies: Vec::new() };
    for round in 0..options.repeat {
        let run = drive_once(name, options, op.clone(), round * options.requests).await?;
        pooled.elapsed += run.elapsed;
        pooled.latencies.extend(run.latencies);
    }
    Ok(pooled)
}

async fn drive_once<F, Fut>(
    name: &str,
    options: &Options,
    op: Arc<F>,
    offset: usize,
) -> anyhow::Result<Run>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let requests = match &options.only {
        Some(only) if !name.contains(only.as_str()) => options.requests.min(100),
        _ => options.requests,
    };
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..options.concurrency {
        let (op, next) = (op.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return Ok::<_, anyhow::Error>(latencies);
                }
                let begun = Instant::now();
                op(offset + i).await?;
                latencies.push(begun.elapsed());
            }
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    for worker in workers {
        latencies.extend(worker.await??);
    }
    Ok(Run { name: name.to_owned(), elapsed: started.elapsed(), latencies })
}

fn message(i: usize) -> serde_json::Value {
    serde_json::json!({ "author": "bench", "text": format!("message number {i}") })
}

/// Posts and lists over HTTP against `addr`, in channel `channel`.
async fn http_runs(
    label: &str,
    addr: SocketAddr,
    channel: i64,
    options: &Options,
) -> anyhow::Result<Vec<Run>> {
    let client = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(64).build()?;
    let post_url = format!("http://{addr}/channels/{channel}/messages");
    let list_url = format!("{post_url}?limit=50");
    let (c, url) = (client.clone(), post_url.clone());
    let post = drive(&format!("{label}: post message"), options, move |i| {
        let request = c.post(&url).json(&message(i));
        async move {
            let response = request.send().await?;
            anyhow::ensure!(response.status() == StatusCode::CREATED, "{}", response.status());
            response.bytes().await?;
            Ok(())
        }
    })
    .await?;
    let list = drive(&format!("{label}: list 50 messages"), options, move |_| {
        let request = client.get(&list_url);
        async move {
            let response = request.send().await?;
            anyhow::ensure!(response.status() == StatusCode::OK, "{}", response.status());
            response.bytes().await?;
            Ok(())
        }
    })
    .await?;
    Ok(vec![post, list])
}

async fn create_channel(service: &dyn ChannelService, name: &str) -> anyhow::Result<i64> {
    Ok(service.create_channel(ChannelName::parse(name)?).await?.id)
}

/// A loopback webhook receiver that accepts everything and counts what it received.
async fn receiver() -> anyhow::Result<(SocketAddr, Arc<AtomicUsize>)> {
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            async { StatusCode::NO_CONTENT }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((addr, received))
}

async fn boot(settings: Settings, only: Option<&[&str]>) -> anyhow::Result<weft::Platform> {
    let mut builder = channels::platform::builder();
    if let Some(names) = only {
        builder = builder.only(names.iter().copied());
    }
    Ok(builder.replace::<dyn Config>(Arc::new(settings)).boot().await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        sync: options.sync,
        ..Settings::default()
    };
    println!(
        "requests per run: {}, concurrency: {}, runs pooled per row: {}, synchronous: {}",
        options.requests,
        options.concurrency,
        options.repeat,
        options.sync.pragma()
    );
    println!(
        "| {:<28} | {:>6} | {:>9} | {:>9} | {:>9} |",
        "run", "count", "req/s", "p50 µs", "p99 µs"
    );
    println!("|{:-<30}|{:->8}|{:->11}|{:->11}|{:->11}|", "", "", "", "", "");

    // 1 and 3 and 4: every component but webhooks.
    let platform = boot(settings.clone(), Some(&["web"])).await?;
    let service = platform.get::<dyn ChannelService>().context("no channels service")?;
    let events = platform.get::<dyn EventBus>().context("no event bus")?;
    let addr =
        platform.get::<dyn HttpEndpoint>().and_then(|w| w.local_addr()).context("no address")?;

    let channel = create_channel(&*service, "http").await?;
    for mut run in http_runs("http", addr, channel, &options).await? {
        run.print();
    }

    let router = channels::web::router(
        service.clone(),
        events.clone(),
        CancellationToken::new(),
        settings.max_body_bytes,
    );
    let channel = create_channel(&*service, "router").await?;
    let uri = format!("/channels/{channel}/messages");
    let (r, u) = (router.clone(), uri.clone());
    let mut post = drive("router: post message", &options, move |i| {
        let request = Request::post(&u)
            .header("content-type", "application/json")
            .body(Body::from(message(i).to_string()));
        let router = r.clone();
        async move {
            let response = router.oneshot(request?).await?;
            anyhow::ensure!(response.status() == StatusCode::CREATED, "{}", response.status());
            axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            Ok(())
        }
    })
    .await?;
    post.print();
    let list_uri = format!("{uri}?limit=50");
    let mut list = drive("router: list 50 messages", &options, move |_| {
        let request = Request::get(&list_uri).body(Body::empty());
        let router = router.clone();
        async move {
            let response = router.oneshot(request?).await?;
            anyhow::ensure!(response.status() == StatusCode::OK, "{}", response.status());
            axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            Ok(())
        }
    })
    .await?;
    list.print();

    let channel = create_channel(&*service, "service").await?;
    let s = service.clone();
    let mut post = drive("service: post message", &options, move |i| {
        let service = s.clone();
        async move {
            let new = NewMessage {
                author: Author::parse("bench")?,
                text: MessageText::parse(&format!("message number {i}"))?,
            };
            service.post_message(channel, new).await?;
            Ok(())
        }
    })
    .await?;
    post.print();
    let s = service.clone();
    let mut list = drive("service: list 50 messages", &options, move |_| {
        let service = s.clone();
        async move {
            service.list_messages(channel, PageRequest::new(None, Some(50))?).await?;
            Ok(())
        }
    })
    .await?;
    list.print();

    // The platform's part: looking a service up (done once, at start-up, by the web component).
    let lookups = 1_000_000;
    let begun = Instant::now();
    for _ in 0..lookups {
        std::hint::black_box(platform.get::<dyn ChannelService>());
    }
    let lookup = begun.elapsed() / lookups;
    drop((service, events));
    platform.stop().await?;

    // 2: the full platform, webhooks delivering each message to a loopback receiver.
    let (hook, received) = receiver().await?;
    let dir = tempfile::tempdir()?;
    let settings = Settings {
        data_dir: dir.path().to_path_buf(),
        webhook_urls: vec![format!("http://{hook}/hook")],
        ..settings
    };
    let platform = boot(settings, None).await?;
    let service = platform.get::<dyn ChannelService>().context("no channels service")?;
    let addr =
        platform.get::<dyn HttpEndpoint>().and_then(|w| w.local_addr()).context("no address")?;
    let channel = create_channel(&*service, "webhooks").await?;
    let runs = http_runs("http+webhooks", addr, channel, &options).await?;
    let mut posted = 0;
    if let Some(mut post) = runs.into_iter().next() {
        posted = post.latencies.len();
        post.print();
    }
    drop(service);
    let stopping = Instant::now();
    platform.stop().await?;
    let stop_time = stopping.elapsed();
    let webhooks_received = received.swap(0, Ordering::Relaxed);

    // 5: one webhook delivery through the weft pipeline template vs the same POST with plain
    // reqwest, to the same receiver: what the pipeline layer costs per call.
    let delivery = Arc::new(channels_webhooks::Delivery::new(&Settings {
        webhook_urls: vec![format!("http://{hook}/hook")],
        ..Settings::default()
    })?);
    let sample = channels_api::Message {
        id: 1,
        channel_id: 1,
        author: "bench".into(),
        text: "message number 1".into(),
        created_at: 0,
    };
    let (d, m) = (delivery.clone(), sample.clone());
    let mut piped = drive("webhook via weft pipeline", &options, move |_| {
        let (delivery, message) = (d.clone(), m.clone());
        async move {
            let outcome = delivery.deliver(0, &message).await;
            anyhow::ensure!(outcome == channels_webhooks::Outcome::Delivered, "{outcome:?}");
            Ok(())
        }
    })
    .await?;
    piped.print();
    let client = reqwest::Client::new();
    let url = format!("http://{hook}/hook");
    let mut plain = drive("webhook via plain reqwest", &options, move |_| {
        let body = serde_json::json!({ "type": "message_posted", "message": sample });
        let request = client
            .post(&url)
            .header("x-channels-message-id", "1")
            .timeout(Duration::from_secs(2))
            .json(&body);
        async move {
            let response = request.send().await?;
            anyhow::ensure!(response.status().is_success(), "{}", response.status());
            Ok(())
        }
    })
    .await?;
    plain.print();
    println!();
    println!(
        "webhooks received during `http+webhooks: post message`: {webhooks_received} of {posted}"
    );
    println!("platform.get::<dyn ChannelService>(): {lookup:?} per lookup");
    println!("platform stop with webhooks draining: {stop_time:?}");
    Ok(())
}
