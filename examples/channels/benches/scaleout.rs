//! Channels scaled out: posting and listing throughput and latency with 1, 2 and 3 web replicas
//! on PostgreSQL and NATS, next to the single SQLite process, in one run.
//!
//! ```text
//! cargo bench -p channels --bench scaleout -- [--requests N] [--concurrency C]
//! ```
//!
//! Every configuration runs the release binary as separate processes: `SQLite` is one process
//! with SQLite in a temporary directory (`synchronous = FULL`); `PostgreSQL ×k` is `k` replicas
//! (`--components web`) on one PostgreSQL server (its durable defaults: `fsync` and
//! `synchronous_commit` on) and one NATS server, both started here on 127.0.0.1. The load
//! generator (this process, reqwest over loopback) keeps `C` requests in flight, spread
//! round-robin over the replicas: `N` posts to one channel, then `N` reads of its first page of
//! 50 messages. It reports requests per second and the 50th and 99th percentile latencies.

#[path = "../tests/support/servers.rs"]
mod servers;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

use servers::{Nats, Postgres};

struct Options {
    requests: usize,
    concurrency: usize,
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options { requests: 4_000, concurrency: 16 };
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    while let Some(arg) = args.next() {
        let value = args.next().with_context(|| format!("`{arg}` needs a value"))?;
        match arg.as_str() {
            "--requests" => options.requests = value.parse()?,
            "--concurrency" => options.concurrency = value.parse()?,
            other => anyhow::bail!("unknown argument `{other}`"),
        }
    }
    Ok(options)
}

/// One `channels` process and its address.
struct Process {
    child: Child,
    addr: String,
}

async fn spawn(env: &[(&str, String)]) -> anyhow::Result<Process> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_channels"));
    for (name, _) in std::env::vars() {
        if name.starts_with("CHANNELS_") || name == "WEFT_COMPONENTS" {
            command.env_remove(name);
        }
    }
    let mut child = command
        .args(["--components", "web"])
        .env("CHANNELS_BIND", "127.0.0.1:0")
        .envs(env.iter().map(|(name, value)| (*name, value.as_str())))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(rest) = line.strip_prefix("listening on http://") {
                return Ok(rest.split_whitespace().next().unwrap_or_default().to_owned());
            }
        }
        anyhow::bail!("the binary exited before listening")
    })
    .await??;
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Process { child, addr })
}

impl Process {
    async fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().context("already exited")?;
        Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
        tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await??;
        Ok(())
    }
}

/// Throughput and latency percentiles of one run.
struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    failed: usize,
}

/// Sends `requests` requests made by `request(i, base)`, `concurrency` at a time, spread over
/// `bases` round-robin.
async fn run(
    bases: &[String],
    options: &Options,
    request: impl Fn(&reqwest::Client, usize, &str) -> reqwest::RequestBuilder + Send + Sync + 'static,
) -> anyhow::Result<Figures> {
    let client = reqwest::Client::builder().no_proxy().build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let request = Arc::new(request);
    let bases = Arc::new(bases.to_vec());
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..options.concurrency {
        let (client, next, request, bases) =
            (client.clone(), next.clone(), request.clone(), bases.clone());
        let total = options.requests;
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failed = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return (latencies, failed);
                }
                let begun = Instant::now();
                let ok = match request(&client, i, &bases[i % bases.len()]).send().await {
                    Ok(response) => {
                        let ok = response.status().is_success();
                        let _ = response.bytes().await;
                        ok
                    }
                    Err(_) => false,
                };
                latencies.push(begun.elapsed());
                if !ok {
                    failed += 1;
                }
            }
        }));
    }
    let mut latencies = Vec::new();
    let mut failed = 0;
    for worker in workers {
        let (mine, failures) = worker.await?;
        latencies.extend(mine);
        failed += failures;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Ok(Figures {
        per_second: options.requests as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
        failed,
    })
}

/// Posts then lists against `bases`; returns both figures.
async fn measure(bases: &[String], options: &Options) -> anyhow::Result<(Figures, Figures)> {
    let client = reqwest::Client::builder().no_proxy().build()?;
    let created: serde_json::Value = client
        .post(format!("http://{}/channels", bases[0]))
        .json(&serde_json::json!({ "name": format!("bench-{}", std::process::id()) }))
        .send()
        .await?
        .json()
        .await?;
    let channel = created["id"].as_i64().context("no channel id")?;
    let posting = run(bases, options, move |client, i, base| {
        client
            .post(format!("http://{base}/channels/{channel}/messages"))
            .json(&serde_json::json!({ "author": "bench", "text": format!("message {i}") }))
    })
    .await?;
    let listing = run(bases, options, move |client, _, base| {
        client.get(format!("http://{base}/channels/{channel}/messages?limit=50"))
    })
    .await?;
    Ok((posting, listing))
}

fn row(setup: &str, operation: &str, figures: &Figures) {
    println!(
        "| {setup:<16} | {operation:<7} | {:>9.0} | {:>8.2} | {:>8.2} | {:>6} |",
        figures.per_second,
        figures.p50.as_secs_f64() * 1e3,
        figures.p99.as_secs_f64() * 1e3,
        figures.failed,
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let options = options()?;
    println!(
        "{} posts then {} first-page reads per setup, {} in flight, round-robin over the replicas\n",
        options.requests, options.requests, options.concurrency
    );
    println!("| setup            | request | requests/s | p50 (ms) | p99 (ms) | failed |");
    println!("|------------------|---------|-----------:|---------:|---------:|-------:|");

    let dir = tempfile::tempdir()?;
    let sqlite = spawn(&[("CHANNELS_DATA_DIR", dir.path().to_string_lossy().into_owned())]).await?;
    let (posting, listing) = measure(std::slice::from_ref(&sqlite.addr), &options).await?;
    row("SQLite, 1 process", "post", &posting);
    row("SQLite, 1 process", "list", &listing);
    sqlite.stop().await?;

    for replicas in 1..=3 {
        // A fresh cluster per setup, so that each starts from an empty database.
        let postgres = Postgres::start_durable()?;
        let nats = Nats::start()?;
        let env = [
            ("CHANNELS_DATA_DIR", dir.path().join("unused").to_string_lossy().into_owned()),
            ("CHANNELS_DATABASE_URL", postgres.url()),
            ("CHANNELS_NATS_URL", nats.url()),
        ];
        let mut processes = Vec::new();
        for _ in 0..replicas {
            processes.push(spawn(&env).await?);
        }
        let bases: Vec<String> = processes.iter().map(|p| p.addr.clone()).collect();
        let (posting, listing) = measure(&bases, &options).await?;
        let setup = format!("PostgreSQL ×{replicas}");
        row(&setup, "post", &posting);
        row(&setup, "list", &listing);
        for process in processes {
            process.stop().await?;
        }
    }
    Ok(())
}
