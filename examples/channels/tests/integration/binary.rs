//! The `channels` binary: boots, prints the boot report and the address, serves, and stops
//! cleanly on SIGINT; SIGTERM under load and a crash (SIGKILL) lose no acknowledged message.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

use serde_json::json;

use crate::common::{client, json};

/// Runs the binary with `args`, checks it serves `/health`, interrupts it, and returns its
/// standard output.
async fn run_and_interrupt(args: &[&str]) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().to_string_lossy().into_owned();
    let env = [("CHANNELS_BIND", "127.0.0.1:0"), ("CHANNELS_DATA_DIR", data_dir.as_str())];
    run_with_env(args, &env).await
}

/// Runs the binary with `args` and, of the `CHANNELS_*` variables, only `env`; checks it serves
/// `/health`, interrupts it, and returns its standard output.
async fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<String> {
    let mut running = Running::spawn(args, env).await?;
    let (status, body) =
        json(client().get(format!("http://{}/health", running.addr)).send().await?).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    running.signal("-INT").await?;
    let exit = tokio::time::timeout(Duration::from_secs(20), running.child.wait()).await??;
    let output = running.rest_of_output().await?;
    assert!(exit.success(), "exit status {exit}:\n{output}");
    Ok(output)
}

/// The binary, running and listening.
pub(crate) struct Running {
    pub(crate) child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    output: String,
    pub(crate) addr: String,
}

impl Running {
    /// Starts the binary with `args` and, of the `CHANNELS_*` variables, only `env`, and waits
    /// until it announces its address.
    pub(crate) async fn spawn(args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<Running> {
        Running::spawn_with_open_files(args, env, None).await
    }

    /// Like [`Running::spawn`], with the open-file limit (soft and hard) set to `open_files` by
    /// the shell's `ulimit -n` before the binary starts.
    pub(crate) async fn spawn_with_open_files(
        args: &[&str],
        env: &[(&str, &str)],
        open_files: Option<u32>,
    ) -> anyhow::Result<Running> {
        let binary = env!("CARGO_BIN_EXE_channels");
        let mut command = match open_files {
            Some(limit) => {
                let mut command = Command::new("sh");
                command.args(["-c", &format!("ulimit -n {limit} && exec \"$0\" \"$@\""), binary]);
                command
            }
            None => Command::new(binary),
        };
        for (name, _) in std::env::vars() {
            if name.starts_with("CHANNELS_") || name == "WEFT_COMPONENTS" {
                command.env_remove(name);
            }
        }
        let mut child = command
            .args(args)
            .envs(env.iter().copied())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut lines = BufReader::new(stdout).lines();
        let mut output = String::new();
        let addr = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await? {
                output.push_str(&line);
                output.push('\n');
                if let Some(rest) = line.strip_prefix("listening on http://") {
                    return Ok(rest.split_whitespace().next().unwrap_or_default().to_owned());
                }
            }
            anyhow::bail!("the binary exited before listening:\n{output}")
        })
        .await??;
        Ok(Running { child, lines, output, addr })
    }

    /// Sends a signal (`-INT`, `-KILL`) with `kill(1)`.
    pub(crate) async fn signal(&self, signal: &str) -> anyhow::Result<()> {
        let pid = self.child.id().ok_or_else(|| anyhow::anyhow!("the binary already exited"))?;
        let status = Command::new("kill").args([signal, &pid.to_string()]).status().await?;
        anyhow::ensure!(status.success(), "kill {signal} {pid} failed");
        Ok(())
    }

    /// Everything printed so far and until the process closes its output.
    pub(crate) async fn rest_of_output(mut self) -> anyhow::Result<String> {
        while let Some(line) = self.lines.next_line().await? {
            self.output.push_str(&line);
            self.output.push('\n');
        }
        Ok(self.output)
    }
}

#[tokio::test]
async fn boots_serves_and_stops_on_sigint() -> anyhow::Result<()> {
    let output = run_and_interrupt(&[]).await?;
    assert!(output.contains("booted 6 components"), "{output}");
    assert!(output.contains("critical path"), "{output}");
    assert!(output.contains("stopped 6 components"), "{output}");
    Ok(())
}

#[tokio::test]
async fn boots_a_subset() -> anyhow::Result<()> {
    let output = run_and_interrupt(&["--components", "web"]).await?;
    assert!(output.contains("booted 5 components"), "{output}");
    assert!(!output.contains("webhooks"), "{output}");
    Ok(())
}

#[tokio::test]
async fn reads_a_toml_config_file() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().join("from-toml");
    let file = dir.path().join("channels.toml");
    std::fs::write(
        &file,
        format!(
            "data_dir = {:?}\nbind = \"127.0.0.1:0\"\nsync = \"normal\"\n",
            data_dir.display().to_string()
        ),
    )?;
    let file = file.to_string_lossy().into_owned();
    run_with_env(&[], &[("CHANNELS_CONFIG", file.as_str())]).await?;
    assert!(
        data_dir.join(channels_db::DATABASE_FILE).exists(),
        "the database is where the file says"
    );
    Ok(())
}

#[tokio::test]
async fn a_crash_loses_no_acknowledged_message() -> anyhow::Result<()> {
    const N: usize = 60;
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().to_string_lossy().into_owned();
    let env = [("CHANNELS_BIND", "127.0.0.1:0"), ("CHANNELS_DATA_DIR", data_dir.as_str())];
    let c = client();

    let mut running = Running::spawn(&["--components", "web"], &env).await?;
    let base = format!("http://{}", running.addr);
    let (status, channel) =
        json(c.post(format!("{base}/channels")).json(&json!({ "name": "crash" })).send().await?)
            .await;
    assert_eq!(status, 201, "{channel}");
    let messages = format!("{base}/channels/{}/messages", channel["id"]);
    let mut acked = Vec::new();
    for i in 0..N {
        let body = json!({ "author": "ann", "text": format!("before the crash {i}") });
        let (status, message) = json(c.post(&messages).json(&body).send().await?).await;
        assert_eq!(status, 201, "{message}");
        acked.push(message["id"].as_i64());
    }
    // No graceful stop: the process dies with the WAL as it is.
    running.signal("-KILL").await?;
    let exit = tokio::time::timeout(Duration::from_secs(20), running.child.wait()).await??;
    assert!(!exit.success());

    let mut running = Running::spawn(&["--components", "web"], &env).await?;
    let messages = format!("http://{}/channels/{}/messages?limit=200", running.addr, channel["id"]);
    let (status, page) = json(c.get(&messages).send().await?).await;
    assert_eq!(status, 200, "{page}");
    let stored: Vec<_> =
        page["items"].as_array().into_iter().flatten().map(|m| m["id"].as_i64()).collect();
    assert_eq!(stored, acked);
    running.signal("-INT").await?;
    let exit = tokio::time::timeout(Duration::from_secs(20), running.child.wait()).await??;
    assert!(exit.success());
    Ok(())
}

/// Every message id stored in `channel`, read page by page.
async fn stored_ids(base: &str, channel: &serde_json::Value) -> anyhow::Result<Vec<i64>> {
    let c = client();
    let mut ids = Vec::new();
    let mut cursor: Option<i64> = None;
    loop {
        let mut url = format!("{base}/channels/{}/messages?limit=200", channel["id"]);
        if let Some(cursor) = cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let (status, page) = json(c.get(&url).send().await?).await;
        anyhow::ensure!(status == 200, "{page}");
        ids.extend(page["items"].as_array().into_iter().flatten().filter_map(|m| m["id"].as_i64()));
        match page["next_cursor"].as_i64() {
            Some(next) => cursor = Some(next),
            None => return Ok(ids),
        }
    }
}

#[tokio::test]
async fn sigterm_under_load_loses_no_acknowledged_message() -> anyhow::Result<()> {
    const CLIENTS: usize = 4;
    const MAX_POSTS_PER_CLIENT: usize = 2_000;
    let dir = tempfile::tempdir()?;
    let data_dir = dir.path().to_string_lossy().into_owned();
    let env = [("CHANNELS_BIND", "127.0.0.1:0"), ("CHANNELS_DATA_DIR", data_dir.as_str())];

    let running = Running::spawn(&["--components", "web"], &env).await?;
    let base = format!("http://{}", running.addr);
    let (status, channel) = json(
        client().post(format!("{base}/channels")).json(&json!({ "name": "term" })).send().await?,
    )
    .await;
    assert_eq!(status, 201, "{channel}");
    let messages = format!("{base}/channels/{}/messages", channel["id"]);

    // Bounded clients: each stops at its first failure (the server going away), after
    // MAX_POSTS_PER_CLIENT posts, or after 20 seconds, whichever comes first.
    let (acks_tx, mut acks_rx) = tokio::sync::mpsc::unbounded_channel::<i64>();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let (messages, acks) = (messages.clone(), acks_tx.clone());
        clients.push(tokio::spawn(async move {
            let c = client();
            for i in 0..MAX_POSTS_PER_CLIENT {
                if tokio::time::Instant::now() > deadline {
                    break;
                }
                let body = json!({ "author": "load", "text": format!("client {n} post {i}") });
                let Ok(response) = c.post(&messages).json(&body).send().await else { break };
                if response.status().as_u16() != 201 {
                    break;
                }
                let Ok(message) = response.json::<serde_json::Value>().await else { break };
                if let Some(id) = message["id"].as_i64() {
                    let _ = acks.send(id);
                }
            }
        }));
    }
    drop(acks_tx);

    // Terminate once the load is well under way.
    let mut acked = Vec::new();
    while acked.len() < 100 {
        let id = tokio::time::timeout(Duration::from_secs(20), acks_rx.recv())
            .await?
            .ok_or_else(|| anyhow::anyhow!("the clients stopped before 100 posts"))?;
        acked.push(id);
    }
    running.signal("-TERM").await?;
    let mut child = running.child;
    let exit = tokio::time::timeout(Duration::from_secs(20), child.wait()).await??;
    assert!(exit.success(), "a graceful stop exits 0, got {exit}");
    for client in clients {
        client.await?;
    }
    while let Some(id) = acks_rx.recv().await {
        acked.push(id);
    }

    let running = Running::spawn(&["--components", "web"], &env).await?;
    let stored = stored_ids(&format!("http://{}", running.addr), &channel).await?;
    let missing: Vec<_> = acked.iter().filter(|id| !stored.contains(id)).collect();
    assert!(missing.is_empty(), "{} acknowledged messages lost: {missing:?}", missing.len());
    running.signal("-INT").await?;
    Ok(())
}
