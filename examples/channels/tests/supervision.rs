//! `/health` reports the platform's health, and a supervised task that dies after boot stops the
//! platform with an error naming it.
//!
//! The components of this file are test-only: they are linked into this test binary alone, and
//! each test selects the ones it uses. `web` stops after every component that requires it, so a
//! component that requires `web` and takes its time to stop keeps `web` serving while the
//! platform stops: that is when `/health` is asked.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use channels::HttpEndpoint;
use channels_api::{Config, Settings};
use serde_json::{Value, json};
use tokio::sync::Notify;
use weft::prelude::*;
use weft::{Platform, ShutdownError, Supervisor};

/// Lets [`HoldsWebA`]'s `stop` return.
static RELEASE_A: Notify = Notify::const_new();
/// Lets [`HoldsWebB`]'s `stop` return.
static RELEASE_B: Notify = Notify::const_new();
/// Makes [`Doomed`]'s task fail.
static DOOM: Notify = Notify::const_new();

/// The longest a test component holds its stop, in case a test fails before releasing it.
const HOLD_AT_MOST: Duration = Duration::from_secs(10);

/// Requires `web`, and does not finish stopping until [`RELEASE_A`] (so `web` keeps serving).
#[component(name = "holds-web-a", requires = [dyn HttpEndpoint])]
struct HoldsWebA {
    _web: Arc<dyn HttpEndpoint>,
}

impl Lifecycle for HoldsWebA {
    async fn stop(&self) -> anyhow::Result<()> {
        let _ = tokio::time::timeout(HOLD_AT_MOST, RELEASE_A.notified()).await;
        Ok(())
    }
}

/// Like [`HoldsWebA`], released by [`RELEASE_B`].
#[component(name = "holds-web-b", requires = [dyn HttpEndpoint])]
struct HoldsWebB {
    _web: Arc<dyn HttpEndpoint>,
}

impl Lifecycle for HoldsWebB {
    async fn stop(&self) -> anyhow::Result<()> {
        let _ = tokio::time::timeout(HOLD_AT_MOST, RELEASE_B.notified()).await;
        Ok(())
    }
}

/// Runs a supervised task, `watchdog`, that fails when [`DOOM`] is notified.
#[component(name = "doomed")]
#[derive(Default)]
struct Doomed;

impl Lifecycle for Doomed {
    async fn start(&self) -> anyhow::Result<()> {
        let supervisor = Supervisor::current()?;
        let stop = supervisor.stop_token();
        supervisor.spawn("watchdog", async move {
            match stop.run_until_cancelled(DOOM.notified()).await {
                Some(()) => anyhow::bail!("lost the lease it watches"),
                None => Ok(()),
            }
        })?;
        Ok(())
    }
}

fn settings(dir: &std::path::Path) -> Settings {
    Settings {
        data_dir: dir.to_path_buf(),
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        shutdown_grace_ms: 2_000,
        ..Settings::default()
    }
}

async fn boot(dir: &std::path::Path, components: &[&str]) -> anyhow::Result<(Platform, String)> {
    let platform = channels::platform::builder()
        .only(components.iter().copied())
        .replace::<dyn Config>(Arc::new(settings(dir)))
        .boot()
        .await?;
    let addr = platform
        .get::<dyn HttpEndpoint>()
        .and_then(|web| web.local_addr())
        .ok_or_else(|| anyhow::anyhow!("the web component has no address"))?;
    Ok((platform, format!("http://{addr}/health")))
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("a plain HTTP client builds")
}

/// `GET url`: the status and the JSON body.
async fn health(url: &str) -> anyhow::Result<(u16, Value)> {
    let response = client().get(url).send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

/// Asks `/health` until it answers something else than 200, within 5 s.
async fn first_unhealthy(url: &str) -> anyhow::Result<(u16, Value)> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, body) = health(url).await?;
        if status != 200 || Instant::now() > deadline {
            return Ok((status, body));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn health_is_ok_while_up_and_503_with_reasons_from_the_moment_stopping_begins()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (platform, url) = boot(dir.path(), &["web", "holds-web-a"]).await?;
    assert_eq!(health(&url).await?, (200, json!({ "status": "ok" })));

    // An SSE stream open when the stop begins ends then, though `web` is still serving.
    let events = client().get(url.replace("/health", "/events")).send().await?;
    assert_eq!(events.status().as_u16(), 200);

    let (stopped, unhealthy) = tokio::join!(platform.stop(), async {
        let answer = first_unhealthy(&url).await;
        let ended = tokio::time::timeout(Duration::from_secs(5), events.bytes()).await;
        RELEASE_A.notify_one();
        (answer, ended)
    });
    let ((status, body), ended) = (unhealthy.0?, unhealthy.1);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unavailable", "{body}");
    assert_eq!(body["ready"], false, "{body}");
    assert_eq!(body["live"], true, "{body}");
    assert_eq!(body["stopping"], true, "{body}");
    assert!(body["reasons"].as_str().is_some_and(|r| r.contains("stopping")), "{body}");
    assert!(body["unhealthy"].is_array(), "{body}");
    assert!(matches!(ended, Ok(Ok(_))), "the SSE stream ended when the stop began: {ended:?}");
    let report = stopped?;
    assert!(report.tasks.is_empty(), "the `http` task drained in time: {report}");
    Ok(())
}

#[tokio::test]
async fn a_task_failing_after_boot_turns_health_503_and_stops_the_platform_naming_it()
-> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (platform, url) = boot(dir.path(), &["web", "holds-web-b", "doomed"]).await?;
    assert_eq!(health(&url).await?, (200, json!({ "status": "ok" })));
    assert!(platform.health().live);

    let shutdown = platform.run_until_shutdown();
    let (result, unhealthy) = tokio::join!(shutdown, async {
        DOOM.notify_one();
        let answer = first_unhealthy(&url).await;
        let live = platform.health().live;
        RELEASE_B.notify_one();
        (answer, live)
    });
    let ((status, body), live) = (unhealthy.0?, unhealthy.1);
    assert!(!live, "a failed task turns liveness false");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["live"], false, "{body}");
    assert_eq!(body["ready"], false, "{body}");
    let doomed = body["unhealthy"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["component"] == "doomed"))
        .unwrap_or_else(|| panic!("`doomed` is reported unhealthy: {body}"));
    assert_eq!(doomed["state"], "failed", "{body}");
    assert_eq!(doomed["failed_tasks"], json!(["watchdog"]), "{body}");

    let error = match result {
        Err(error) => error,
        Ok(report) => panic!("the failed task is reported, not a clean stop: {report}"),
    };
    let ShutdownError::TaskFailed { tasks, .. } = &error else {
        panic!("the failed task is reported: {error:?}");
    };
    assert_eq!(tasks.len(), 1, "{tasks:?}");
    assert_eq!((tasks[0].component, tasks[0].task.as_str()), ("doomed", "watchdog"));
    let message = error.to_string();
    assert!(message.contains("`watchdog`") && message.contains("`doomed`"), "{message}");
    assert!(message.contains("lost the lease it watches"), "{message}");
    Ok(())
}
