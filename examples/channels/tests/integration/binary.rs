//! The `channels` binary: boots, prints the boot report and the address, serves, and stops
//! cleanly on SIGINT.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

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
    let mut command = Command::new(env!("CARGO_BIN_EXE_channels"));
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

    let (status, body) = json(client().get(format!("http://{addr}/health")).send().await?).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));

    let pid = child.id().ok_or_else(|| anyhow::anyhow!("the binary already exited"))?;
    let killed = Command::new("kill").args(["-INT", &pid.to_string()]).status().await?;
    assert!(killed.success());
    let exit = tokio::time::timeout(Duration::from_secs(20), child.wait()).await??;
    while let Some(line) = lines.next_line().await? {
        output.push_str(&line);
        output.push('\n');
    }
    assert!(exit.success(), "exit status {exit}:\n{output}");
    Ok(output)
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
