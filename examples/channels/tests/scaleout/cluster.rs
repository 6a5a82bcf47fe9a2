//! A cluster of `channels` processes on one PostgreSQL and one NATS server: web replicas and
//! webhooks workers, each the real binary, started with `--components`.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::base::{client, json};
use crate::servers::{Nats, Postgres};

/// The servers a cluster shares.
pub(crate) struct Servers {
    pub(crate) postgres: Postgres,
    pub(crate) nats: Nats,
    /// Where each process's (unused) SQLite directory would go.
    dir: tempfile::TempDir,
}

impl Servers {
    /// Starts PostgreSQL and NATS.
    pub(crate) fn start() -> anyhow::Result<Servers> {
        Ok(Servers {
            postgres: Postgres::start()?,
            nats: Nats::start()?,
            dir: tempfile::tempdir()?,
        })
    }

    /// Starts a web replica: every component but `webhooks`.
    pub(crate) async fn replica(&self) -> anyhow::Result<Node> {
        self.node("web", &[]).await
    }

    /// Starts a webhooks worker that posts to `url`.
    pub(crate) async fn worker(&self, url: &str) -> anyhow::Result<Node> {
        self.node("webhooks", &[("CHANNELS_WEBHOOK_URLS", url)]).await
    }

    /// Starts the binary with `--components components`.
    pub(crate) async fn node(
        &self,
        components: &str,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Node> {
        let data_dir = self.dir.path().to_string_lossy().into_owned();
        let database_url = self.postgres.url();
        let nats_url = self.nats.url();
        let mut command = Command::new(env!("CARGO_BIN_EXE_channels"));
        for (name, _) in std::env::vars() {
            if name.starts_with("CHANNELS_") || name == "WEFT_COMPONENTS" {
                command.env_remove(name);
            }
        }
        let mut child = command
            .args(["--components", components])
            .env("CHANNELS_BIND", "127.0.0.1:0")
            .env("CHANNELS_DATA_DIR", &data_dir)
            .env("CHANNELS_DATABASE_URL", &database_url)
            .env("CHANNELS_NATS_URL", &nats_url)
            .env("CHANNELS_SHUTDOWN_GRACE_MS", "3000")
            .env("CHANNELS_WEBHOOK_TIMEOUT_MS", "1000")
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let addr = tokio::time::timeout(Duration::from_secs(30), async {
            let mut output = String::new();
            while let Some(line) = lines.next_line().await? {
                output.push_str(&line);
                output.push('\n');
                if let Some(rest) = line.strip_prefix("listening on http://") {
                    return Ok(Some(rest.split_whitespace().next().unwrap_or_default().to_owned()));
                }
                if line.starts_with("running without the `web` component") {
                    return Ok(None);
                }
            }
            anyhow::bail!("`channels --components {components}` exited before serving:\n{output}")
        })
        .await??;
        // Keep reading, so that the process never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Node { child, addr })
    }
}

/// One process of the cluster.
pub(crate) struct Node {
    child: Child,
    addr: Option<String>,
}

impl Node {
    /// The URL of `path` on this replica.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr.as_deref().unwrap_or("no-web-component"))
    }

    /// Sends `signal` (`-KILL`, `-TERM`) with `kill(1)`.
    async fn signal(&self, signal: &str) -> anyhow::Result<()> {
        let pid = self.child.id().ok_or_else(|| anyhow::anyhow!("the process already exited"))?;
        let status = Command::new("kill").args([signal, &pid.to_string()]).status().await?;
        anyhow::ensure!(status.success(), "kill {signal} {pid} failed");
        Ok(())
    }

    /// Kills the process at once (SIGKILL) and reaps it.
    pub(crate) async fn kill(mut self) -> anyhow::Result<()> {
        self.signal("-KILL").await?;
        self.child.wait().await?;
        Ok(())
    }

    /// Stops the process gracefully (SIGTERM) and checks it exited 0.
    pub(crate) async fn stop(mut self) -> anyhow::Result<()> {
        self.signal("-TERM").await?;
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await??;
        anyhow::ensure!(status.success(), "exit status {status}");
        Ok(())
    }
}

/// Creates a channel through `node`.
pub(crate) async fn create_channel(node: &Node, name: &str) -> anyhow::Result<i64> {
    let response = client()
        .post(node.url("/channels"))
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await?;
    let (status, body) = json(response).await;
    anyhow::ensure!(status == 201, "{status}: {body}");
    body["id"].as_i64().ok_or_else(|| anyhow::anyhow!("no id in {body}"))
}

/// Posts a message through `node`; `Ok(None)` if the node refused it with a JSON 5xx.
pub(crate) async fn post(
    client: &reqwest::Client,
    node: &Node,
    channel: i64,
    text: &str,
) -> anyhow::Result<Value> {
    let response = client
        .post(node.url(&format!("/channels/{channel}/messages")))
        .json(&serde_json::json!({ "author": "ann", "text": text }))
        .send()
        .await?;
    let (status, body) = json(response).await;
    anyhow::ensure!(status == 201, "{status}: {body}");
    Ok(body)
}

/// Every message of `channel` as read through `node`, following the cursors.
pub(crate) async fn all_messages(node: &Node, channel: i64) -> anyhow::Result<Vec<Value>> {
    let client = client();
    let mut cursor = 0;
    let mut all = Vec::new();
    loop {
        let url = node.url(&format!("/channels/{channel}/messages?limit=200&cursor={cursor}"));
        let (status, body) = json(client.get(url).send().await?).await;
        anyhow::ensure!(status == 200, "{status}: {body}");
        all.extend(body["items"].as_array().cloned().unwrap_or_default());
        match body["next_cursor"].as_i64() {
            Some(next) => cursor = next,
            None => return Ok(all),
        }
    }
}

/// An SSE stream, read event by event.
pub(crate) struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    /// Opens `path` on `node` as an SSE stream.
    pub(crate) async fn open(node: &Node, path: &str) -> anyhow::Result<Events> {
        let response =
            reqwest::Client::builder().no_proxy().build()?.get(node.url(path)).send().await?;
        anyhow::ensure!(response.status() == 200, "SSE answered {}", response.status());
        Ok(Events { response, buffer: String::new() })
    }

    /// The next event's `(id, data as JSON)`, skipping comments (keep-alives); `None` when the
    /// stream ends or `within` passes.
    pub(crate) async fn next(&mut self, within: Duration) -> Option<(Option<i64>, Value)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        id = value.trim().parse().ok();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim_start());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                return Some((id, serde_json::from_str(&data).unwrap_or(Value::String(data))));
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }
}
